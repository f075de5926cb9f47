"""Plotly figures of a Gaussian mixture fitted by EM: static, animated, log-likelihood.

Every builder is a plain function ``(data, state, options) -> go.Figure`` with no Streamlit
calls, so pytest alone can test it. Figures are assembled from dicts of NumPy arrays
(float32 coordinates, uint8 colour codes), which Plotly 7 ships as base64 binary, and are
constructed without per-property validation (``_validate=False``): a 20,000-point figure
builds in milliseconds.

Colours: component ``k`` is ``palette[k % len(palette)]`` in every figure (Okabe–Ito by
default, safe for colour-blind viewers). A point's colour is the responsibility-weighted
blend of its components' colours (the soft assignment); before the first E-step it is grey.

Trace order, which :func:`animation_figure` relies on (``frame.traces`` are indices):

* 1D: histogram, [truth], K component densities, mixture density, mean markers,
  K + 1 responsibility bands (the last is grey "unassigned").
* 2D: points, [truth], white halo, K ellipse traces (every coverage level, NaN-separated),
  means, coverage legend entry.
* 3D: points, [truth], K ellipsoid meshes (outermost coverage), means, coverage legend entry.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Required, TypedDict

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from emviz._messages import error
from emviz._validation import check_choice
from emviz.data.columns import EQUAL_SCALE_RATIO, spread_ratio
from emviz.engine.em import Trace
from emviz.errors import ParameterError
from emviz.figures import geometry as geo
from emviz.model.params import Params
from emviz.numbers import _SUPERSCRIPT, TIMES_TEN, sig, sig_array
from emviz.text import plotly_text

# --------------------------------------------------------------------------------------
# Palette and style
# --------------------------------------------------------------------------------------
#: Okabe & Ito (2008) colour-blind-safe palette, ordered for components on a white
#: background: the strong colours first, yellow and black (low contrast / reserved for
#: the mixture density) last.
OKABE_ITO_HEX: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
OKABE_ITO = OKABE_ITO_HEX
#: The same palette as an array of shape (8, 3) of uint8.
OKABE_ITO_RGB: np.ndarray = geo.hex_to_rgb(OKABE_ITO_HEX)
OKABE_ITO_RGB.flags.writeable = False

UNASSIGNED_HEX = "#969696"
UNASSIGNED_BAND_HEX = "#CFCFCF"
MIXTURE_HEX = "#222222"
TRUTH_HEX = "#4D4D4D"
HISTOGRAM_HEX = "#D4D4D4"
AMBER_HEX = "#E69F00"
RED_HEX = "#C4001A"
CURSOR_HEX = "#0072B2"
FONT_FAMILY = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"

#: Above this many points the 2D scatter uses WebGL (Scattergl).
WEBGL_THRESHOLD = 5000


def component_color(k: int, palette: Sequence[str] = OKABE_ITO_HEX) -> str:
    """Colour of component ``k`` (0-based), cycling through ``palette``."""
    return palette[k % len(palette)]


def component_label(k: int, weight: float) -> str:
    """Legend label of component ``k`` (0-based): ``"k = 1 (π = 0.33)"``."""
    return f"k = {k + 1} (π = {weight:.2f})"


#: English defaults of every word the figures of this module draw. A UI passes translations
#: through :attr:`FigureOptions.text`; mathematical notation (π, μ, ℓ, χ², Σ) is the same in
#: every language. ``{placeholders}`` are filled with ``str.format``.
TEXT: dict[str, str] = {
    "data_density": "data (density)",
    "histogram": "histogram",
    "truth": "truth",
    "truth_dashed": "truth (dashed)",
    "truth_sections": "truth (principal sections)",
    "mixture": "mixture p(x)",
    "unassigned": "unassigned",
    "density": "density",
    "responsibility": "responsibility",
    "no_resp": "no responsibilities before the first E-step",
    "mean_of": "mean of k = {k}",
    "mean": "mean",
    "coverage_2d": "{coverage} coverage (χ², 2 d.o.f.)",
    "coverage_3d": "{coverage} coverage ellipsoids (χ², 3 d.o.f.)",
    "play": "▶ Play",
    "pause": "❚❚ Pause",
    "now": "E recolours points, M refits shapes · now: ",
    "init": "init",
    "half_step": "it {it} · {step}",
    "converged": "converged at iteration {n} (Δℓ/N < tol = {tol:g})",
    "max_iter": "stopped at max_iter = {max_iter} (not converged)",
    "collapsed": "component k = {k} collapsed at iteration {n}",
    "loglik_trace": "log-likelihood ℓ",
    "iteration": "iteration",
    "explained": "decrease explained by reg_covar",
    "explained_hover": (
        "ℓ fell by {amount:.3g} ≤ {allowed:.3g}, the bound from reg_covar = {reg:g}: the "
        "M-step is not the exact maximiser, so this is expected"
    ),
    "unexplained": "unexplained decrease",
    "unexplained_hover": (
        "ℓ fell by {amount:.3g}, more than reg_covar explains ({allowed:.3g}): exact EM never "
        "decreases ℓ — a bug"
    ),
    "loglik_axis": "total log-likelihood ℓ(θ)",
    "loglik_title": "log-likelihood ℓ(θ) = Σₙ ln p(xₙ | θ)",
}


#: Plotly config of every chart the app draws (no Plotly logo in the mode bar).
CHART_CONFIG: dict[str, bool] = {"displaylogo": False}


@dataclass(frozen=True)
class FigureOptions:
    """How figures look; the same options work for every figure builder.

    Attributes
    ----------
    coverages : tuple of float
        Probability mass inside each drawn ellipse / ellipsoid (χ² radii). 3D draws the
        outermost only.
    presenter : bool
        Lecture-hall mode: fonts ≥ 20 px, lines ≥ 3 px, larger markers.
    show_truth : bool
        Draw the true mixture (when one is given) dashed and faint under the fit.
    column_names : tuple of str, optional
        Axis titles, one per feature (also in the hover text). Plain text, e.g. a CSV's
        column names: escaped with :func:`emviz.text.plotly_text`, never read as markup.
    height : int
        Figure height in pixels (the width follows the container).
    title : str
        Plain text, escaped like ``column_names``.
    palette : tuple of str
        ``"#RRGGBB"`` component colours, cycled beyond their number.
    max_points_note : str, optional
        Shown as an annotation, e.g. "showing 20,000 of 1,000,000 points".
    uirevision : str
        Kept constant so zoom and 3D rotation survive redraws.
    text : tuple of (key, text) pairs
        Translations of :data:`TEXT` (any subset; the rest stays English). Pairs rather
        than a dict keep the options hashable: ``text=tuple(translations.items())``.
    bins_1d : int, optional
        Number of histogram bins in 1D; None chooses them by :func:`histogram_edges`'s rule.
    """

    coverages: tuple[float, ...] = (0.5, 0.95)
    presenter: bool = False
    show_truth: bool = True
    column_names: tuple[str, ...] | None = None
    height: int = 560
    title: str = ""
    palette: tuple[str, ...] = OKABE_ITO_HEX
    max_points_note: str | None = None
    uirevision: str = "emviz"
    text: tuple[tuple[str, str], ...] = ()
    bins_1d: int | None = None


def figure_text(options: FigureOptions | None = None) -> dict[str, str]:
    """:data:`TEXT` with the translations in ``options.text`` applied."""
    return {**TEXT, **dict(options.text)} if options is not None and options.text else TEXT


@dataclass(frozen=True)
class _Style:
    font: int
    axis_title: int
    tick: int
    line: float
    thick: float
    point: float
    point_3d: float
    mean: float
    ell_points: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


_STYLES: dict[bool, _Style] = {
    False: _Style(
        font=14, axis_title=15, tick=12, line=2.0, thick=3.0, point=5, point_3d=2.5, mean=13
    ),
    True: _Style(
        font=20, axis_title=22, tick=18, line=3.5, thick=5.0, point=8, point_3d=4, mean=22
    ),
}

_AXIS = {
    # Ticks as 8×10⁻⁴, never with SI prefixes: "250μ" reads as a mean μ on a density axis.
    "exponentformat": "power",
    "showgrid": True,
    "gridcolor": "#EBEBEB",
    "zeroline": False,
    "showline": True,
    "linecolor": "#6E6E6E",
    "ticks": "outside",
    "tickcolor": "#6E6E6E",
}
#: A minimal template (plotly's default one adds ~10 kB to every figure and a grey background).
_TEMPLATE = {
    "layout": {
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": list(OKABE_ITO_HEX),
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "scene": {axis: {"exponentformat": "power"} for axis in ("xaxis", "yaxis", "zaxis")},
        "hoverlabel": {"bgcolor": "white"},
    }
}


# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------
def _det_text(cov: np.ndarray) -> str:
    """``det Σ`` as text, from its logarithm: data at 1e100 have determinants beyond float64."""
    sign, logdet = np.linalg.slogdet(cov)
    if sign == 0:
        return sig(0.0)
    if abs(logdet) < 700:
        return sig(sign * np.exp(logdet))
    e10 = logdet / np.log(10.0)
    exponent = int(np.floor(e10))
    text = sig(sign * 10.0 ** (e10 - exponent))
    return f"{text}{TIMES_TEN}{str(exponent).translate(_SUPERSCRIPT)}"


def _options(options: FigureOptions | None) -> FigureOptions:
    return FigureOptions() if options is None else options


def _fits_float32(a: np.ndarray) -> bool:
    """Whether float32 holds ``a`` without overflow or a nonzero value flushed to zero."""
    with np.errstate(invalid="ignore"):
        mag = np.abs(a[np.isfinite(a)])
    if mag.size == 0:
        return True
    nonzero = mag[mag > 0]
    return bool(mag.max() < 1e37 and (nonzero.size == 0 or nonzero.min() > 1e-30))


def _f32(a: Any) -> np.ndarray:
    """Coordinates for the browser: float32 (half the bytes) unless the data's scale needs
    float64 (values beyond about 1e±30, which the engine fits in their own units)."""
    arr = np.asarray(a, dtype=np.float64)
    return np.ascontiguousarray(arr, dtype=np.float32 if _fits_float32(arr) else np.float64)


_TYPED_ARRAY_CODES = {
    "float32": "f4",
    "float64": "f8",
    "int8": "i1",
    "uint8": "u1",
    "int16": "i2",
    "uint16": "u2",
    "int32": "i4",
    "uint32": "u4",
}


def _typed(a: Any) -> Any:
    """A 1-D array as plotly.js's typed-array spec (base64), which Plotly passes unvalidated.

    Frames are always validated by plotly.py; pre-encoded arrays make that nearly free.
    """
    if not isinstance(a, np.ndarray) or a.ndim != 1 or a.dtype.name not in _TYPED_ARRAY_CODES:
        return a
    le = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))
    return {
        "dtype": _TYPED_ARRAY_CODES[a.dtype.name],
        "bdata": base64.b64encode(le.tobytes()).decode("ascii"),
    }


def _encode(d: dict) -> dict:
    return {k: (_encode(v) if isinstance(v, dict) else _typed(v)) for k, v in d.items()}


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:g})"


def _coverage_text(coverages: Sequence[float]) -> str:
    return " / ".join(f"{100 * c:.3g}%" for c in coverages)


def axis_labels(options: FigureOptions, d: int) -> list[str]:
    """The names of the first ``d`` axes as plain text (the user's column names, unescaped):
    for text that is never read as markup, such as a DOM node's ``textContent``."""
    names = options.column_names
    if names is not None and len(names) >= d:
        return [str(n) for n in names[:d]]
    return ["x"] if d == 1 else [f"x{chr(0x2080 + i + 1)}" for i in range(d)]


def _axis_names(options: FigureOptions, d: int) -> list[str]:
    """Axis titles (also used in hover templates): column names are the user's text."""
    return [plotly_text(n) for n in axis_labels(options, d)]


def _check_inputs(
    X: Any, params: Params | None, resp: Any, truth: Params | None
) -> tuple[np.ndarray, np.ndarray | None]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] < 1:
        raise error(ParameterError, "figures.x_shape", shape=X.shape)
    d = X.shape[1]
    if d not in _FIGURES:
        raise error(ParameterError, "figures.dimensions", d=d)
    for name, p in (("params", params), ("truth", truth)):
        if p is not None and p.n_features != d:
            raise error(ParameterError, "figures.params_features", name=name, d=d,
                        got=p.n_features)
    if resp is None:
        return X, None
    r = np.asarray(resp, dtype=np.float64)
    k = params.n_components if params is not None else r.shape[-1]
    if r.shape != (X.shape[0], k):
        raise error(ParameterError, "figures.resp_shape", n=X.shape[0], k=k, shape=r.shape)
    return X, r


def _palette_rgb(options: FigureOptions, k: int) -> np.ndarray:
    return geo.cycle_palette(geo.hex_to_rgb(options.palette), k)


def _base_layout(options: FigureOptions, style: _Style) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": _TEMPLATE,
        "height": options.height,
        "font": {"family": FONT_FAMILY, "size": style.font, "color": "#222"},
        "margin": {"l": 70, "r": 20, "t": 60 if options.title else 30, "b": 60},
        "legend": {
            "font": {"size": style.font},
            "bgcolor": "rgba(255,255,255,0.85)",
            "itemsizing": "constant",
            "groupclick": "togglegroup",
        },
        "hovermode": "closest",
        "uirevision": options.uirevision,
        "hoverlabel": {"font": {"size": style.font}},
        "annotations": [],
    }
    if options.title:
        layout["title"] = {
            "text": plotly_text(options.title),
            "x": 0.02,
            "xanchor": "left",
            "font": {"size": style.font + 4},
        }
    if options.max_points_note:
        layout["annotations"].append(
            {
                "text": options.max_points_note,
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 1,
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": max(style.tick, style.font - 2), "color": "#666"},
            }
        )
    return layout


def _axis(title: str, style: _Style, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title, "font": {"size": style.axis_title}},
        "tickfont": {"size": style.tick},
        **extra,
    }


def _loglik_yaxis(trace: Trace) -> dict[str, Any]:
    """Readable ticks: 7 significant digits, and at least 2 nats of span.

    A run at iteration 0 (one point) or a flat curve would otherwise autoscale to a
    sub-nat range with tick labels like -1,518.7047375492598.
    """
    extra: dict[str, Any] = {"tickformat": ",.7~g"}
    finite = trace.log_likelihood[np.isfinite(trace.log_likelihood)]
    if finite.size and float(finite.max() - finite.min()) < 1.0:
        mid = 0.5 * float(finite.max() + finite.min())
        extra["range"] = [mid - 1.0, mid + 1.0]
    return extra


def _make_figure(data: list[dict], layout: dict, frames: list[dict] | None = None) -> go.Figure:
    # The dicts are built here from checked arrays; Plotly's per-property validation of
    # 20k-element arrays would dominate the build time.
    return go.Figure({"data": data, "layout": layout, "frames": frames or []}, _validate=False)


def _padded_range(lo: float, hi: float, pad: float = 0.04) -> list[float]:
    span = hi - lo if hi > lo else max(abs(lo), 1.0)
    return [float(lo - pad * span), float(hi + pad * span)]


def equal_scales(X: np.ndarray) -> bool:
    """Whether the columns of ``X`` are drawn with one unit per unit on every axis.

    Only when their spreads are within :data:`emviz.data.columns.EQUAL_SCALE_RATIO` of each
    other: a geyser's waiting time (40-110 min) against its eruption (1-5 min) drawn to one
    scale is a flat line. Otherwise each axis gets its own range. The ellipses are computed
    in data units either way, so they stay exact; only the drawing's aspect changes.
    """
    return spread_ratio(X) <= EQUAL_SCALE_RATIO


def _equal_scales_2d(X: np.ndarray) -> dict[str, Any]:
    return {"scaleanchor": "x", "scaleratio": 1} if equal_scales(X) else {}


# --------------------------------------------------------------------------------------
# Context: everything a dimension's builders need, computed once per figure
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Mode:
    """How a figure is used, which decides how much geometry it carries.

    A figure drawn once can afford smooth ellipses and autoscaled 3D axes. One whose
    geometry changes in the browser (Plotly frames, or a stepper restyling it) keeps its
    axes fixed, so the view does not jump, and lighter shapes, since every state is sent.
    """

    webgl: bool | None  # None: by point count (WEBGL_THRESHOLD); else always / never
    ellipse_points: int | None  # None: the style's
    mesh_resolution: int
    fixed_ranges: bool


STATIC = _Mode(webgl=None, ellipse_points=None, mesh_resolution=18, fixed_ranges=False)
#: Plotly frames: WebGL traces are drawn above SVG ones, so the overlays follow the points.
ANIMATED = _Mode(webgl=True, ellipse_points=64, mesh_resolution=10, fixed_ranges=True)
#: A browser-side stepper (emviz.figures.stepper): 2D points go on a canvas, the overlays stay SVG.
STEPPED = _Mode(webgl=False, ellipse_points=64, mesh_resolution=12, fixed_ranges=True)


@dataclass(frozen=True, eq=False)
class _Ctx:
    X: np.ndarray  # float32 coordinates, (n, D)
    n_components: int
    colors: tuple[str, ...]
    palette_rgb: np.ndarray
    options: FigureOptions
    style: _Style
    mode: _Mode = STATIC
    ranges: tuple[list[float], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def _make_ctx(X: np.ndarray, k: int, options: FigureOptions, mode: _Mode = STATIC) -> _Ctx:
    style = _STYLES[bool(options.presenter)]
    lo, hi = X.min(axis=0), X.max(axis=0)
    ranges = tuple(_padded_range(a, b) for a, b in zip(lo, hi, strict=True))
    colors = tuple(component_color(i, options.palette) for i in range(k))
    return _Ctx(_f32(X), k, colors, _palette_rgb(options, k), options, style, mode, ranges)


def _point_marker(ctx: _Ctx, resp: np.ndarray | None) -> dict[str, Any]:
    """Soft point colours, encoded as the animation encodes them.

    One small integer per point indexes a colour scale of quantised blends
    (:func:`geometry.quantized_blend`: the two most responsible components, mixed in steps
    of ¼). Plotly receives the codes as base64 bytes; per-point ``"#rrggbb"`` strings
    would be a JSON list that Plotly parses one colour at a time, which tripled the
    Step → redraw time at N = 10,000 in headless Chromium. It also means a stepped view
    and the played animation colour every point identically.
    """
    if resp is None:
        return {"color": UNASSIGNED_HEX}
    colorscale, grey = _code_colorscale(ctx)
    resp = np.asarray(resp)
    return {"color": _codes(resp, len(resp), grey), "colorscale": colorscale, "cmin": 0,
            "cmax": grey, "showscale": False}


# Animation colours: one byte per point indexing a table of quantised blends, plus grey.
def _code_colorscale(ctx: _Ctx) -> tuple[list[list[Any]], int]:
    _, table = geo.quantized_blend(np.eye(ctx.n_components))
    rgb = geo.blend_colors(table, ctx.palette_rgb)
    hexes = [*geo.rgb_strings(rgb).tolist(), UNASSIGNED_HEX]
    top = len(hexes) - 1
    return [[i / top, h] for i, h in enumerate(hexes)], top


def _codes(resp: np.ndarray | None, n: int, grey: int) -> np.ndarray:
    if resp is None:
        return np.full(n, grey, dtype=np.uint8 if grey <= 255 else np.uint16)
    codes, _ = geo.quantized_blend(resp)
    return codes


# --------------------------------------------------------------------------------------
# 1D
# --------------------------------------------------------------------------------------
def _grid_1d(ctx: _Ctx) -> np.ndarray:
    if "grid" not in ctx.extra:
        lo, hi = ctx.ranges[0]
        ctx.extra["grid"] = np.linspace(lo, hi, 400)
    return ctx.extra["grid"]


#: Bounds on the number of 1D histogram bins, for the rule and for a user's choice: fewer
#: hide the shape, more leave most bins empty at the sizes drawn (≤ 20,000 points).
MIN_BINS_1D, MAX_BINS_1D = 10, 200
#: Bin counts the rule compares (about 40, geometrically spaced between the bounds).
_CANDIDATE_BINS = np.unique(np.geomspace(MIN_BINS_1D, MAX_BINS_1D, 40).round().astype(int))


def _bin_counts(xs: np.ndarray, lo: float, hi: float, n_bins: int) -> np.ndarray:
    """Counts of sorted ``xs`` in ``n_bins`` equal bins over [lo, hi] (the last bin closed)."""
    inner = np.searchsorted(xs, np.linspace(lo, hi, n_bins + 1)[1:-1], side="left")
    return np.diff(np.concatenate(([0], inner, [xs.size])))


def histogram_edges(x: Any, bins: int | None = None) -> np.ndarray:
    """Bin edges for the 1D histogram: ``bins`` equal bins, or a rule that suits mixtures.

    The rule is Shimazaki & Shinomoto's (2007): of equal-width binnings with
    :data:`MIN_BINS_1D` to :data:`MAX_BINS_1D` bins, take the one whose histogram is the best
    estimate of the density (least mean integrated squared error, estimated from the counts
    as ``(2·mean − variance) / width²``). Unlike Freedman–Diaconis, whose width follows the
    interquartile range (which the gaps *between* components dominate: 11 bins for the
    three-peaks preset, two bins per standard deviation of its narrow peak), it gives a
    narrow component enough bins to look like the bell the fit draws over it.

    Parameters
    ----------
    x : array of shape (n_samples,)
    bins : int, optional
        A number of bins chosen by the user, clipped to the same range.

    Returns
    -------
    array of shape (n_bins + 1,)
        Increasing edges from ``min(x)`` to ``max(x)`` (a unit span for constant data).
    """
    xs = np.sort(np.asarray(x, dtype=np.float64).ravel())
    xs = xs[np.isfinite(xs)]
    lo, hi = (float(xs[0]), float(xs[-1])) if xs.size else (0.0, 1.0)
    if hi <= lo:  # one value (or none): nothing for a rule to resolve
        hi, bins = lo + 1.0, MIN_BINS_1D if bins is None else bins
    if bins is None:
        costs = []
        for n in _CANDIDATE_BINS:
            counts = _bin_counts(xs, lo, hi, int(n))
            width = (hi - lo) / n
            costs.append((2.0 * counts.mean() - counts.var()) / width**2)
        bins = int(_CANDIDATE_BINS[int(np.argmin(costs))])
    n_bins = int(np.clip(bins, MIN_BINS_1D, MAX_BINS_1D))
    return np.linspace(lo, hi, n_bins + 1)


def _bins_1d(ctx: _Ctx) -> tuple[np.ndarray, np.ndarray]:
    if "bins" not in ctx.extra:
        x = ctx.X[:, 0].astype(np.float64)
        edges = histogram_edges(x, ctx.options.bins_1d)
        which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
        ctx.extra["bins"] = (edges, which)
    return ctx.extra["bins"]


def _geom_1d(ctx: _Ctx, params: Params) -> list[dict]:
    grid = _grid_1d(ctx)
    comp, mix = geo.mixture_density_1d(grid, params)
    out = [
        {"y": _f32(c), "name": component_label(k, w)}
        for k, (c, w) in enumerate(zip(comp, params.weights, strict=True))
    ]
    out.append({"y": _f32(mix)})
    out.append({"x": _f32(params.means[:, 0]), "y": np.zeros(ctx.n_components, np.float32),
                "customdata": [sig(m) for m in params.means[:, 0]]})
    return out


def _bands_1d(ctx: _Ctx, resp: np.ndarray | None) -> list[dict]:
    edges, which = _bins_1d(ctx)
    n_bins, k = len(edges) - 1, ctx.n_components
    counts = np.bincount(which, minlength=n_bins).astype(np.float64)
    has = counts > 0
    bands = np.zeros((k + 1, n_bins))
    if resp is None:
        bands[k] = has
    else:
        for j in range(k):
            bands[j] = np.bincount(which, weights=resp[:, j], minlength=n_bins)
        bands[:k, has] /= counts[has]
    return [{"y": _f32(b)} for b in bands]


def _static_1d(
    ctx: _Ctx, params: Params | None, resp: np.ndarray | None, truth: Params | None
) -> tuple[list[dict], dict]:
    st, k, opts = ctx.style, ctx.n_components, ctx.options
    tx = figure_text(opts)
    grid = _grid_1d(ctx)
    edges, which = _bins_1d(ctx)
    centres, widths = 0.5 * (edges[1:] + edges[:-1]), np.diff(edges)
    counts = np.bincount(which, minlength=len(widths))
    dens = counts / (counts.sum() * widths)
    data: list[dict] = [
        {
            "type": "bar",
            "x": _f32(centres),
            "y": _f32(dens),
            "width": _f32(widths),
            "marker": {"color": HISTOGRAM_HEX, "line": {"width": 0}},
            "name": tx["data_density"],
            "hovertemplate": "%{y:.3g}<extra>" + tx["histogram"] + "</extra>",
        }
    ]
    ymax = float(dens.max())
    if truth is not None:
        _, tmix = geo.mixture_density_1d(grid, truth)
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": _f32(grid),
                "y": _f32(tmix),
                "name": tx["truth"],
                "line": {"color": TRUTH_HEX, "dash": "dash", "width": st.line},
                "opacity": 0.75,
                "hoverinfo": "skip",
            }
        )
    if params is not None:
        geom = _geom_1d(ctx, params)
        ymax = max(ymax, float(geom[k]["y"].max()))
        ymax = max(ymax, ctx.extra.get("ymax", 0.0))  # a whole run's, when it is replayed
        for j in range(k):
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": _f32(grid),
                    **geom[j],
                    "line": {"color": ctx.colors[j], "width": st.line},
                    "fill": "tozeroy",
                    "fillcolor": _rgba(ctx.colors[j], 0.10),
                    "legendgroup": f"c{j}",
                    "hovertemplate": "π·N(x) = %{y:.3g}<extra>" + f"k = {j + 1}</extra>",
                }
            )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": _f32(grid),
                **geom[k],
                "name": tx["mixture"],
                "line": {"color": MIXTURE_HEX, "width": st.thick},
                "hovertemplate": "p(x) = %{y:.3g}<extra></extra>",
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                **geom[k + 1],
                "showlegend": False,
                "name": "means",
                "marker": {
                    "symbol": "triangle-up",
                    "size": st.mean,
                    "color": list(ctx.colors),
                    "line": {"color": "white", "width": 1.5},
                },
                "cliponaxis": False,
                "hovertemplate": "μ = %{customdata}<extra></extra>",
            }
        )
        for j, band in enumerate(_bands_1d(ctx, resp)):
            color = ctx.colors[j] if j < k else UNASSIGNED_BAND_HEX
            data.append(
                {
                    "type": "bar",
                    "x": _f32(centres),
                    "width": _f32(widths),
                    **band,
                    "xaxis": "x",
                    "yaxis": "y2",
                    "marker": {"color": color, "line": {"width": 0}},
                    "showlegend": False,
                    "name": f"k = {j + 1}" if j < k else tx["unassigned"],
                    "hovertemplate": "r = %{y:.2f}<extra>%{fullData.name}</extra>",
                }
            )
    (xname,) = _axis_names(opts, 1)
    layout = {
        "xaxis": _axis(xname, st, range=ctx.ranges[0], anchor="y2"),
        "yaxis": _axis(
            tx["density"], st, domain=[0.3, 1.0], range=[0, 1.08 * ymax], rangemode="tozero"
        ),
        "yaxis2": _axis(
            tx["responsibility"],
            st,
            domain=[0.0, 0.2],
            range=[0, 1],
            anchor="x",
            tickvals=[0, 0.5, 1],
            showgrid=False,
        ),
        "barmode": "stack",
        "bargap": 0,
        "legend": {"x": 1, "xanchor": "right", "y": 1, "yanchor": "top"},
    }
    if params is not None and resp is None:
        layout["annotations"] = [
            {
                "text": tx["no_resp"],
                "xref": "paper",
                "yref": "y2 domain",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": st.tick, "color": "#444"},
            }
        ]
    return data, layout


# --------------------------------------------------------------------------------------
# 2D
# --------------------------------------------------------------------------------------
def _ellipse_xy(
    means: np.ndarray, covs: np.ndarray, coverages: Sequence[float], n_points: int
) -> np.ndarray:
    """All coverage ellipses of every component, NaN-separated: shape (K, L·(n+1), 2)."""
    k = len(means)
    pts = [geo.ellipses_points(means, covs, c, n_points) for c in coverages]
    dtype = np.float32 if all(_fits_float32(np.asarray(p)) for p in pts) else np.float64
    out = np.full((k, len(coverages), n_points + 1, 2), np.nan, dtype=dtype)
    for i, p in enumerate(pts):
        out[:, i, :n_points] = p
    return out.reshape(k, -1, 2)


def _geom_2d(ctx: _Ctx, params: Params) -> list[dict]:
    """Changing parts of a 2D figure: the halo, K ellipse traces, the means."""
    n_points = ctx.mode.ellipse_points or ctx.style.ell_points
    xy = _ellipse_xy(params.means, params.covariances, ctx.options.coverages, n_points)
    halo = xy.reshape(-1, 2)
    out: list[dict] = [{"x": halo[:, 0], "y": halo[:, 1]}]
    out += [
        {"x": e[:, 0], "y": e[:, 1], "name": component_label(k, w)}
        for k, (e, w) in enumerate(zip(xy, params.weights, strict=True))
    ]
    m = _f32(params.means)
    out.append({"x": m[:, 0], "y": m[:, 1]})
    return out


def _static_2d(
    ctx: _Ctx, params: Params | None, resp: np.ndarray | None, truth: Params | None
) -> tuple[list[dict], dict]:
    st, k, opts = ctx.style, ctx.n_components, ctx.options
    tx = figure_text(opts)
    n = len(ctx.X)
    names = _axis_names(opts, 2)
    # WebGL traces are always drawn above SVG ones, so the overlays follow the points.
    webgl = n > WEBGL_THRESHOLD if ctx.mode.webgl is None else ctx.mode.webgl
    kind = "scattergl" if webgl else "scatter"
    dense = n > WEBGL_THRESHOLD
    marker: dict[str, Any] = {"size": st.point * (0.7 if dense else 1.0), "line": {"width": 0}}
    marker.update(ctx.extra.get("marker") or _point_marker(ctx, resp))
    data: list[dict] = [
        {
            "type": kind,
            "mode": "markers",
            "x": ctx.X[:, 0],
            "y": ctx.X[:, 1],
            "marker": marker,
            "opacity": 0.6 if dense else 0.75,
            "name": "data",
            "showlegend": False,
            "hovertemplate": f"{names[0]} = %{{x:.4g}}<br>{names[1]} = %{{y:.4g}}<extra></extra>",
        }
    ]
    if truth is not None:
        txy = _ellipse_xy(truth.means, truth.covariances, opts.coverages, st.ell_points)
        txy = txy.reshape(-1, 2)
        data.append(
            {
                "type": kind,
                "mode": "lines",
                "x": txy[:, 0],
                "y": txy[:, 1],
                "name": tx["truth_dashed"],
                "hoverinfo": "skip",
                "opacity": 0.85,
                "line": {"color": TRUTH_HEX, "dash": "dash", "width": max(1.5, st.line - 0.5)},
            }
        )
    if params is not None:
        geom = _geom_2d(ctx, params)
        # a white halo keeps each ellipse visible over points of its own colour
        data.append(
            {
                "type": kind,
                "mode": "lines",
                **geom[0],
                "line": {"color": "rgba(255,255,255,0.9)", "width": st.line + 3},
                "hoverinfo": "skip",
                "showlegend": False,
                "name": "halo",
            }
        )
        for j in range(k):
            data.append(
                {
                    "type": kind,
                    "mode": "lines",
                    **geom[1 + j],
                    "legendgroup": f"c{j}",
                    "line": {"color": ctx.colors[j], "width": st.line},
                    "fill": "toself",
                    "fillcolor": _rgba(ctx.colors[j], 0.07),
                    "hoverinfo": "skip",
                }
            )
        data.append(
            {
                "type": kind,
                "mode": "markers",
                **geom[k + 1],
                "showlegend": False,
                "marker": {
                    "symbol": "x",
                    "size": st.mean,
                    "color": list(ctx.colors),
                    "line": {"color": MIXTURE_HEX, "width": 1},
                },
                "customdata": np.arange(1, k + 1),
                "name": "means",
                "hovertemplate": tx["mean_of"].format(k="%{customdata}")
                + "<br>(%{x:.4g}, %{y:.4g})<extra></extra>",
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [None],
                "y": [None],
                "line": {"color": "#777", "width": st.line},
                "name": tx["coverage_2d"].format(coverage=_coverage_text(opts.coverages)),
            }
        )
    layout = {
        "xaxis": _axis(names[0], st, range=ctx.ranges[0]),
        "yaxis": _axis(names[1], st, range=ctx.ranges[1], **_equal_scales_2d(ctx.X)),
        "legend": {"x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
    }
    return data, layout


# --------------------------------------------------------------------------------------
# 3D
# --------------------------------------------------------------------------------------
def _geom_3d(ctx: _Ctx, params: Params) -> list[dict]:
    res = ctx.mode.mesh_resolution
    cov = max(ctx.options.coverages)
    out = []
    for j in range(ctx.n_components):
        v, _ = geo.ellipsoid_mesh(params.means[j], params.covariances[j], cov, res)
        v = _f32(v)
        out.append(
            {
                "x": v[:, 0],
                "y": v[:, 1],
                "z": v[:, 2],
                "name": component_label(j, params.weights[j]),
            }
        )
    m = _f32(params.means)
    out.append({"x": m[:, 0], "y": m[:, 1], "z": m[:, 2]})
    return out


def _static_3d(
    ctx: _Ctx, params: Params | None, resp: np.ndarray | None, truth: Params | None
) -> tuple[list[dict], dict]:
    st, k, opts = ctx.style, ctx.n_components, ctx.options
    tx = figure_text(opts)
    names = _axis_names(opts, 3)
    cov = max(opts.coverages)
    marker: dict[str, Any] = {"size": st.point_3d, "line": {"width": 0}}
    marker.update(ctx.extra.get("marker") or _point_marker(ctx, resp))
    data: list[dict] = [
        {
            "type": "scatter3d",
            "mode": "markers",
            "x": ctx.X[:, 0],
            "y": ctx.X[:, 1],
            "z": ctx.X[:, 2],
            "marker": marker,
            "opacity": 0.8,
            "name": "data",
            "showlegend": False,
            "hoverinfo": "skip",
        }
    ]
    if truth is not None:
        wire = np.concatenate(
            [
                geo.principal_sections(m, c, cov, 48)
                for m, c in zip(truth.means, truth.covariances, strict=True)
            ]
        ).astype(np.float32)
        data.append(
            {
                "type": "scatter3d",
                "mode": "lines",
                "x": wire[:, 0],
                "y": wire[:, 1],
                "z": wire[:, 2],
                "name": tx["truth_sections"],
                "hoverinfo": "skip",
                "opacity": 0.85,
                "line": {"color": TRUTH_HEX, "width": st.line, "dash": "dash"},
            }
        )
    if params is not None:
        geom = _geom_3d(ctx, params)
        _, faces = geo.ellipsoid_mesh(np.zeros(3), np.eye(3), cov, ctx.mode.mesh_resolution)
        for j in range(k):
            data.append(
                {
                    "type": "mesh3d",
                    **geom[j],
                    "i": faces[:, 0],
                    "j": faces[:, 1],
                    "k": faces[:, 2],
                    "color": ctx.colors[j],
                    "opacity": 0.2,
                    "showlegend": True,
                    "legendgroup": f"c{j}",
                    "hoverinfo": "name",
                    "lighting": {"ambient": 0.7, "diffuse": 0.5, "specular": 0.1},
                    "flatshading": False,
                }
            )
        data.append(
            {
                "type": "scatter3d",
                "mode": "markers",
                **geom[k],
                "showlegend": False,
                "marker": {
                    "symbol": "diamond",
                    "size": st.mean * 0.55,
                    "color": list(ctx.colors),
                    "line": {"color": MIXTURE_HEX, "width": 2},
                },
                "name": "means",
                "hovertemplate": "(%{x:.3g}, %{y:.3g}, %{z:.3g})<extra>" + tx["mean"] + "</extra>",
            }
        )
        data.append(
            {
                "type": "scatter3d",
                "mode": "lines",
                "x": [None],
                "y": [None],
                "z": [None],
                "line": {"color": "#777", "width": st.line},
                "name": tx["coverage_3d"].format(coverage=_coverage_text([cov])),
            }
        )
    axes = {
        f"{a}axis": _axis(
            nm,
            st,
            range=r,
            showbackground=False,
            gridcolor="#E0E0E0",
            zeroline=False,
            showspikes=False,
        )
        for a, nm, r in zip("xyz", names, ctx.ranges, strict=True)
    }
    scene: dict[str, Any] = {
        **axes,
        "aspectmode": "data" if equal_scales(ctx.X) else "cube",
        "uirevision": opts.uirevision,
        "camera": {"eye": {"x": 1.35, "y": 1.35, "z": 0.85}},
    }
    if not ctx.mode.fixed_ranges:
        for a in "xyz":  # let the ellipsoids set the extent too
            scene[f"{a}axis"].pop("range")
    layout = {
        "scene": scene,
        "margin": {"l": 0, "r": 0, "t": 40 if opts.title else 10, "b": 0},
        "legend": {"x": 0.01, "xanchor": "left", "y": 0.99, "yanchor": "top"},
    }
    return data, layout


_Builder = Callable[
    [_Ctx, Params | None, np.ndarray | None, Params | None], tuple[list[dict], dict]
]
_FIGURES: dict[int, _Builder] = {1: _static_1d, 2: _static_2d, 3: _static_3d}
_GEOMETRY: dict[int, Callable[[_Ctx, Params], list[dict]]] = {
    1: _geom_1d,
    2: _geom_2d,
    3: _geom_3d,
}


def _merge_layout(base: dict, extra: dict) -> dict:
    out = {**base, **extra}
    if "annotations" in extra:
        out["annotations"] = base["annotations"] + extra["annotations"]
    for key in ("legend", "margin"):
        if key in extra:
            out[key] = {**base.get(key, {}), **extra[key]}
    return out


# --------------------------------------------------------------------------------------
# Public builders
# --------------------------------------------------------------------------------------
def mixture_figure(
    X: Any,
    params: Params | None,
    resp: Any = None,
    truth: Params | None = None,
    options: FigureOptions | None = None,
) -> go.Figure:
    """The data and a Gaussian mixture over it, for 1, 2 or 3 features.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        ``n_features`` in {1, 2, 3}; project higher-dimensional data first.
    params : Params or None
        The mixture to draw (ellipses / ellipsoids / densities); None draws the data only.
    resp : array of shape (n_samples, n_components), optional
        Responsibilities colouring the points (soft blend of component colours); None
        (before the first E-step) draws them grey.
    truth : Params, optional
        The generating mixture, drawn dashed and faint when ``options.show_truth``.
    options : FigureOptions, optional

    Returns
    -------
    go.Figure
        1D: histogram, weighted component densities, mixture density and, below, the
        responsibilities per bin as stacked bands. 2D: points, coverage ellipses, means.
        3D: points, translucent coverage ellipsoids, means.

    Raises
    ------
    ParameterError
        If ``X`` has more than 3 features or the shapes disagree.
    """
    opts = _options(options)
    X, r = _check_inputs(X, params, resp, truth)
    k = params.n_components if params is not None else (r.shape[1] if r is not None else 1)
    ctx = _make_ctx(X, k, opts)
    data, layout = _FIGURES[X.shape[1]](ctx, params, r, truth if opts.show_truth else None)
    return _make_figure(data, _merge_layout(_base_layout(opts, ctx.style), layout))


def half_step_label(h: int, text: Mapping[str, str] | None = None) -> str:
    """Short label of half-step ``h``: "init", "it 3 · E", "it 3 · M" (``text``: a
    translated :data:`TEXT`)."""
    tx = TEXT if text is None else text
    if h == 0:
        return tx["init"]
    return tx["half_step"].format(it=(h + 1) // 2, step="E" if h % 2 else "M")


class _Frame(TypedDict, total=False):
    """One Plotly animation frame: partial traces, the indices they update, and the frame
    they are relative to (an E-step frame changes only the colours of the M-step before)."""

    data: Required[list[dict]]
    traces: Required[list[int]]
    baseframe: str


def animation_figure(
    X: Any,
    trace: Trace,
    resps: Sequence[Any],
    truth: Params | None = None,
    options: FigureOptions | None = None,
    frame_ms: int = 120,
) -> go.Figure:
    """Client-side animation over every half-step of an EM run.

    Frame ``h`` (named ``"h{h}"``) shows ``trace.half_step(h)``. Frames carry only what
    changes: E-step frames (and the initial frame) the point colours, M-step frames (and
    the initial frame) the ellipses / meshes / densities; Plotly's ``baseframe`` chains
    them (M_i → E_i → M_{i-1} → …), so jumping with the slider to any frame shows a
    complete state. In the frames a point's colour is its two leading components blended
    at 0, ¼ or ½ (:func:`emviz.figures.geometry.quantized_blend`; one byte per point); the static
    :func:`mixture_figure` shows the exact blend.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    trace : Trace
    resps : sequence of arrays of shape (n_samples, n_components)
        ``resps[i]`` are the responsibilities of ``trace.params[i]`` on ``X``, for
        ``i = 0 .. n_iter - 1`` at least (the last one is not needed).
    truth : Params, optional
    options : FigureOptions, optional
    frame_ms : int
        Milliseconds per half-step at 1× speed; the 0.5× / 2× buttons scale it.

    Returns
    -------
    go.Figure
        With ``2·n_iter + 1`` frames, Play / Pause / speed buttons and a slider.
    """
    opts = _options(options)
    p0 = trace.params[0]
    X, _ = _check_inputs(X, p0, None, truth)
    if len(resps) < trace.n_iter:
        raise error(ParameterError, "figures.resps_count", last=trace.n_iter - 1,
                    n=trace.n_iter, got=len(resps))
    d, k, n = X.shape[1], p0.n_components, X.shape[0]
    ctx = _make_ctx(X, k, opts, ANIMATED)
    colorscale, grey = _code_colorscale(ctx)
    if d > 1:
        ctx.extra["marker"] = {
            "color": _codes(None, n, grey),
            "colorscale": colorscale,
            "cmin": 0,
            "cmax": grey,
            "showscale": False,
        }
    else:
        ymax = max(float(geo.mixture_density_1d(_grid_1d(ctx), p)[1].max()) for p in trace.params)
        edges, which = _bins_1d(ctx)
        counts = np.bincount(which, minlength=len(edges) - 1)
        hist_max = float((counts / (counts.sum() * np.diff(edges))).max())
        ctx.extra["ymax"] = min(ymax, 3.0 * hist_max)
    truth_shown = truth if opts.show_truth else None
    data, layout = _FIGURES[d](ctx, p0, None, truth_shown)
    layout = _merge_layout(_base_layout(opts, ctx.style), layout)
    # the first dynamic trace comes after the points (or histogram) and the truth
    first_geom = 1 + (truth_shown is not None)
    geom_idx = list(range(first_geom, first_geom + len(_GEOMETRY[d](ctx, p0))))
    colour_idx = [geom_idx[-1] + 1 + j for j in range(k + 1)] if d == 1 else [0]

    def colour_data(resp: np.ndarray | None) -> list[dict]:
        if d == 1:
            return _bands_1d(ctx, None if resp is None else np.asarray(resp))
        return [{"marker": {"color": _codes(None if resp is None else np.asarray(resp), n, grey)}}]

    frames: list[dict] = []
    for h in range(trace.n_half_steps):
        hs = trace.half_step(h)
        frame: _Frame
        if hs.kind == "E":
            frame = {
                "data": colour_data(resps[hs.iteration - 1]),
                "traces": colour_idx,
                "baseframe": f"h{h - 1}",
            }
        elif hs.kind == "M":
            frame = {
                "data": _GEOMETRY[d](ctx, hs.params),
                "traces": geom_idx,
                "baseframe": f"h{h - 1}",
            }
        else:
            frame = {
                "data": [*_GEOMETRY[d](ctx, hs.params), *colour_data(None)],
                "traces": geom_idx + colour_idx,
            }
        # the trace type tells Plotly which schema a partial trace belongs to
        frame["data"] = [
            {"type": data[i]["type"], **_encode(fd)}
            for i, fd in zip(frame["traces"], frame["data"], strict=True)
        ]
        frames.append({"name": f"h{h}", **frame})

    layout["margin"] = {
        **layout["margin"],
        "t": 80 if opts.title else 55,
        "b": 130 if opts.presenter else 110,
    }
    layout.update(_animation_controls(trace.n_half_steps, frame_ms, ctx.style, figure_text(opts)))
    return _make_figure(data, layout, frames)


def _animation_controls(n_frames: int, frame_ms: int, style: _Style,
                        tx: Mapping[str, str] = TEXT) -> dict[str, Any]:
    def play(speed: float) -> dict:
        ms = max(round(frame_ms / speed), 1)
        return {
            "frame": {"duration": ms, "redraw": True},
            "fromcurrent": True,
            "transition": {"duration": 0},
            "mode": "immediate",
        }

    still: dict[str, object] = {
        "frame": {"duration": 0, "redraw": True},
        "transition": {"duration": 0},
        "mode": "immediate",
    }
    pause: dict[str, object] = {**still, "frame": {"duration": 0, "redraw": False}}
    buttons = [
        {"label": tx["play"], "method": "animate", "args": [None, play(1.0)]},
        {"label": tx["pause"], "method": "animate", "args": [[None], pause]},
        *(
            {"label": f"{s:g}×", "method": "animate", "args": [None, play(s)]}
            for s in (0.5, 1.0, 2.0, 4.0)
        ),
    ]
    few = n_frames <= 15
    return {
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "buttons": buttons,
                "x": 0.0,
                "xanchor": "left",
                "y": 0,
                "yanchor": "top",
                "pad": {"t": 50, "r": 10},
                "font": {"size": style.tick},
            }
        ],
        "sliders": [
            {
                "active": 0,
                "x": 0.0,
                "len": 1.0,
                "y": 0,
                "yanchor": "top",
                "pad": {"t": 95 if style.font >= 20 else 85, "b": 0},
                "currentvalue": {
                    "prefix": tx["now"],
                    "visible": True,
                    "font": {"size": style.font, "color": "#222"},
                    "xanchor": "right",
                },
                # 200 tick labels would overlap: hide them, the current value names the step
                "font": {"size": style.tick, "color": "#444" if few else "rgba(0,0,0,0)"},
                "ticklen": 4 if few else 0,
                "minorticklen": 0,
                "steps": [
                    {"label": half_step_label(h, tx), "method": "animate",
                     "args": [[f"h{h}"], still]}
                    for h in range(n_frames)
                ],
            }
        ],
    }


# --------------------------------------------------------------------------------------
# Log-likelihood
# --------------------------------------------------------------------------------------
def _stop_text(trace: Trace, tx: Mapping[str, str] = TEXT) -> str:
    if trace.stop_reason not in ("converged", "max_iter", "collapsed"):
        return str(trace.stop_reason)
    return tx[trace.stop_reason].format(n=trace.n_iter, tol=trace.tol, max_iter=trace.max_iter,
                                        k=(trace.collapsed_component or 0) + 1)


def params_index(h: int) -> int:
    """Index into ``trace.params`` of the parameters drawn at half-step ``h``."""
    return 0 if h == 0 else ((h + 1) // 2 - 1 if h % 2 else h // 2)


def loglik_figure(
    trace: Trace, position: int | None = None, options: FigureOptions | None = None
) -> go.Figure:
    """Total log-likelihood per iteration, with decreases, stop reason and a cursor.

    Parameters
    ----------
    trace : Trace
    position : int, optional
        Current half-step ``h`` (0 .. 2·n_iter); drawn as a vertical line at iteration
        ``h / 2`` and a ring on the log-likelihood of the parameters shown at ``h``.
    options : FigureOptions, optional

    Returns
    -------
    go.Figure
        Decreases from ``trace.decreases()``: amber triangles when ``reg_covar`` explains
        them, red crosses when not (exact EM never decreases ℓ, so that is a bug).
    """
    opts = _options(options)
    tx = figure_text(opts)
    st = _STYLES[bool(opts.presenter)]
    ll = np.asarray(trace.log_likelihood, dtype=np.float64)
    it = np.arange(len(ll))
    finite = np.isfinite(ll)
    data: list[dict] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": it[finite],
            "y": ll[finite],
            "name": tx["loglik_trace"],
            "line": {"color": MIXTURE_HEX, "width": st.line},
            "showlegend": False,
            "marker": {"size": st.point + 1, "color": MIXTURE_HEX},
            "hovertemplate": tx["iteration"] + " %{x}<br>ℓ = %{y:.6g}<extra></extra>",
        }
    ]
    decreases = trace.decreases()
    kinds = {
        True: (
            tx["explained"],
            AMBER_HEX,
            "triangle-down",
            lambda d: tx["explained_hover"].format(amount=d.amount, allowed=d.allowed,
                                                   reg=trace.reg_covar),
        ),
        False: (
            tx["unexplained"],
            RED_HEX,
            "x",
            lambda d: tx["unexplained_hover"].format(amount=d.amount, allowed=d.allowed,
                                                     reg=trace.reg_covar),
        ),
    }
    for explained, (name, color, symbol, text) in kinds.items():
        sel = [d for d in decreases if d.explained == explained]
        if not sel:
            continue
        x = np.array([d.iteration for d in sel])
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": x,
                "y": ll[x],
                "name": name,
                "marker": {
                    "color": color,
                    "symbol": symbol,
                    "size": st.mean + (5 if explained else 0),
                    "line": {"color": "white" if explained else color, "width": 1},
                },
                "text": [text(d) for d in sel],
                "hovertemplate": tx["iteration"] + " %{x}<br>%{text}<extra></extra>",
            }
        )
    shapes, annotations = (
        [],
        [
            {
                "text": _stop_text(trace, tx),
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 0.02,
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {
                    "size": st.font,
                    "color": RED_HEX if trace.stop_reason == "collapsed" else "#333",
                },
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        ],
    )
    if position is not None:
        h = int(position)
        if not 0 <= h < trace.n_half_steps:
            raise error(ParameterError, "figures.position", last=trace.n_half_steps - 1, h=h)
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": h / 2,
                "x1": h / 2,
                "y0": 0,
                "y1": 1,
                "line": {"color": CURSOR_HEX, "width": st.line, "dash": "dot"},
            }
        )
        annotations.append(
            {
                "text": half_step_label(h, tx),
                "xref": "x",
                "yref": "paper",
                "x": h / 2,
                "y": 1,
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": st.tick, "color": CURSOR_HEX},
            }
        )
        # a ring around the likelihood of the parameters drawn at h: a shape sized in
        # pixels, so that a stepper moves it with the cursor (one relayout, no new data)
        i = params_index(h)
        ok = bool(np.isfinite(ll[i]))
        r = (st.mean + 6) / 2
        shapes.append(
            {
                "type": "circle",
                "xref": "x",
                "yref": "y",
                "xsizemode": "pixel",
                "ysizemode": "pixel",
                "xanchor": i,
                "yanchor": float(ll[i]) if ok else 0.0,
                "x0": -r,
                "x1": r,
                "y0": -r,
                "y1": r,
                "visible": ok,
                "line": {"color": CURSOR_HEX, "width": st.line},
            }
        )
    layout = _base_layout(opts, st)
    layout["annotations"] += annotations
    layout.update(
        {
            "height": min(opts.height, 420 if not opts.presenter else 480),
            "shapes": shapes,
            "xaxis": _axis(tx["iteration"], st,
                           range=_padded_range(0, max(trace.n_iter, 1), 0.03)),
            # automargin: long tick labels ("-1,550") in presenter fonts push the title out
            "yaxis": _axis(tx["loglik_axis"], st, automargin=True, **_loglik_yaxis(trace)),
            "legend": {
                **layout["legend"],
                "x": 1,
                "xanchor": "right",
                "y": 0.35,
                "yanchor": "bottom",
            },
            "margin": {**layout["margin"], "t": 50},
        }
    )
    if not opts.title:
        layout["title"] = {
            "text": tx["loglik_title"],
            "x": 0.02,
            "xanchor": "left",
            "font": {"size": st.font + 2},
        }
    return _make_figure(data, layout)


# --------------------------------------------------------------------------------------
# Parameter table
# --------------------------------------------------------------------------------------
_COV_FORMAT: dict[str, Callable[[np.ndarray], str]] = {
    "full": sig_array,
    "tied": sig_array,
    "diag": lambda c: "diag" + sig_array(np.diag(c)),
    "spherical": lambda c: f"{sig(float(np.mean(np.diag(c))))}·I",
}


def _params_columns(params: Params, covariance_type: str, resp: Any) -> dict[str, list[Any]]:
    """:func:`params_table`'s columns as lists: ``"k"`` as integers, the rest as text."""
    check_choice(covariance_type, "covariance_type", tuple(_COV_FORMAT))
    # In 1D a mean and a variance are single numbers: no [19 060] or [[6.767×10⁷]].
    fmt = (lambda c: sig(c[0, 0])) if params.n_features == 1 else _COV_FORMAT[covariance_type]
    vec = (lambda m: sig(m[0])) if params.n_features == 1 else sig_array
    k = params.n_components
    table: dict[str, list[Any]] = {
        "k": list(range(1, k + 1)),
        "π": [sig(w) for w in params.weights],
        "μ": [vec(m) for m in params.means],
        "Σ": [fmt(c) for c in params.covariances],
        "det Σ": [_det_text(c) for c in params.covariances],
    }
    if resp is not None:
        r = np.asarray(resp, dtype=np.float64)
        if r.ndim != 2 or r.shape[1] != k:
            raise error(ParameterError, "figures.table_resp_shape", k=k, shape=r.shape)
        table["N_k"] = [sig(v) for v in r.sum(axis=0)]
    return table


def params_table(params: Params, covariance_type: str = "full", resp: Any = None) -> pd.DataFrame:
    """One row per component, every number as text to 4 significant digits (:func:`sig`).

    Parameters
    ----------
    params : Params
    covariance_type : {"full", "tied", "diag", "spherical"}
        Chooses how Σ is written: full matrix, ``diag[…]`` or ``σ²·I`` (in 1D, the variance
        as one number, and μ too).
    resp : array of shape (n_samples, n_components), optional
        Adds ``N_k = Σ_n r_nk``.

    Returns
    -------
    pandas.DataFrame
        Columns ``"k"`` (1-based, as in the legends, an integer), then as text ``"π"``,
        ``"μ"``, ``"Σ"``, ``"det Σ"`` and, with ``resp``, ``"N_k"``
        (:func:`emviz.numbers.parse_sig_array` reads them back).

    See Also
    --------
    params_rows : The same table as plain lists, for a payload built at every iteration.
    """
    table: dict[str, Any] = _params_columns(params, covariance_type, resp)
    return pd.DataFrame({**table, "k": np.array(table["k"])})


def params_rows(params: Params, covariance_type: str = "full",
                resp: Any = None) -> tuple[list[str], list[list[str]]]:
    """:func:`params_table` as its column names and rows of text (``"k"`` as ``"1"``, ...).

    The same text as the table's, without building a DataFrame: a payload that holds the
    table of every iteration of a run builds it hundreds of times.

    Parameters
    ----------
    params, covariance_type, resp
        As for :func:`params_table`.

    Returns
    -------
    columns : list of str
    rows : list of list of str
        One row per component.
    """
    table = _params_columns(params, covariance_type, resp)
    return list(table), [[str(v) for v in row] for row in zip(*table.values(), strict=True)]


__all__ = [
    "OKABE_ITO",
    "OKABE_ITO_HEX",
    "OKABE_ITO_RGB",
    "TEXT",
    "FigureOptions",
    "animation_figure",
    "component_color",
    "component_label",
    "figure_text",
    "half_step_label",
    "histogram_edges",
    "loglik_figure",
    "mixture_figure",
    "params_index",
    "params_rows",
    "params_table",
]
