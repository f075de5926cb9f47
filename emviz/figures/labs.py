"""Figures of the teaching labs: k-means vs GMM, initialisation sensitivity, model selection.

Plain functions ``(data, result, options) -> go.Figure`` (or a DataFrame for tables), no
Streamlit, so pytest alone tests them. They share :mod:`emviz.figures.mixture`' look: the same
:class:`~emviz.figures.mixture.FigureOptions` (presenter mode included), the same component colours
(Okabe–Ito, component ``k`` is ``palette[k]`` everywhere) and the same minimal template.

Every word drawn comes from a ``text`` mapping whose English defaults are :data:`TEXT`; the UI
passes the translated mapping, so these builders never import the i18n layer.

Geometry helpers (:func:`voronoi_cells`, :func:`voronoi_edges_1d`) are exact: a Voronoi cell
of a centre is the intersection of the half-planes where it is nearer than every other
centre, clipped to the drawing box (Sutherland–Hodgman), so no grid resolution is involved.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from emviz._messages import error
from emviz._validation import check_float
from emviz.engine.basins import BasinMap
from emviz.engine.restarts import RestartsResult
from emviz.engine.selection import SelectionCell, SelectionResult
from emviz.errors import ParameterError
from emviz.figures import geometry as geo
from emviz.figures.mixture import (
    _STYLES,
    AMBER_HEX,
    MIXTURE_HEX,
    RED_HEX,
    UNASSIGNED_HEX,
    FigureOptions,
    _axis,
    _axis_names,
    _base_layout,
    _equal_scales_2d,
    _padded_range,
    _rgba,
    component_color,
    mixture_figure,
)
from emviz.model.params import Params
from emviz.text import plotly_text

#: English defaults of every word the lab figures draw; the UI passes translations.
TEXT: dict[str, str] = {
    "centres": "centres",
    "boundary": "Voronoi boundary",
    "limit_x": "σ (shared standard deviation of soft k-means)",
    "limit_y": "fraction of points",
    "agreement": "soft assignment = k-means label",
    "mean_max": "mean of the largest responsibility",
    "current": "current σ",
    "hist_x": "final log-likelihood ln L",
    "hist_y": "restarts",
    "ninit_pick": "n_init keeps",
    "recommended": "best trustworthy",
    "gallery_title": "#{rank} · ln L = {ll} · {count}×",
    "gallery_pick": " · n_init ★",
    "gallery_suspicious": " · ⚠ suspicious",
    "sel_x": "number of components K",
    "sel_y": "{crit} (lower is better)",
    "sel_best": "best: K = {k}, {cov}",
    "sel_recommended": "recommended: K = {k}, {cov}",
    "sel_passed": "lowest {crit}, passed over: K = {k}, {cov}",
    "true_k": "true K = {k}",
    "suspicious_cell": "near-degenerate",
    "col_method": "init method",
    "col_restarts": "restarts",
    "col_converged": "converged",
    "col_median_iter": "median iterations",
    "col_fraction_best": "reach best trustworthy",
    "col_fraction_top": "reach n_init pick",
    "col_collapsed": "collapsed",
    "basin_legend": "#{number} · ln L = {ll} · {cells} cells",
    "basin_new": " · new",
    "basin_suspicious": " · ⚠",
    "basin_hatch": "⚠ near-degenerate (hatched)",
    "basin_data": "data",
    "basin_cells": "starts",
    "basin_fixed": "fixed starting means",
    "basin_component": "component {k}",
    "basin_swept": "component {k}'s own start",
    "basin_other": "{n} other optima · {cells} cells (hover a cell)",
    "basin_hover": "component {k} starts at ({x}, {y})<br>→ optimum #{number} · ln L = {ll}"
                   "<br>{n_iter} iterations",
}

#: A line style per covariance type, so the model selection chart reads in greyscale too.
_DASHES = {"full": "solid", "tied": "dash", "diag": "dot", "spherical": "dashdot"}
_SYMBOLS = {"full": "circle", "tied": "square", "diag": "diamond", "spherical": "triangle-up"}


def _text(text: Mapping[str, str] | None) -> dict[str, str]:
    return {**TEXT, **(text or {})}


def _opts(options: FigureOptions | None) -> FigureOptions:
    return FigureOptions() if options is None else options


def _figure(data: list[Any], layout: dict[str, Any]) -> go.Figure:
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _append(fig: go.Figure, traces: Sequence[dict], first: bool = False) -> go.Figure:
    """A new figure with ``traces`` added below (``first``) or above the existing ones."""
    d = fig.to_plotly_json()
    data = [*traces, *d["data"]] if first else [*d["data"], *traces]
    return _figure(data, d["layout"])


# --------------------------------------------------------------------------------------
# Geometry: exact Voronoi cells
# --------------------------------------------------------------------------------------
def _clip_halfplane(poly: np.ndarray, normal: np.ndarray, offset: float) -> np.ndarray:
    """The part of a convex polygon with ``normal · x <= offset`` (Sutherland–Hodgman)."""
    if len(poly) == 0:
        return poly
    side = poly @ normal - offset
    out: list[np.ndarray] = []
    for i in range(len(poly)):
        a, b = poly[i], poly[(i + 1) % len(poly)]
        sa, sb = side[i], side[(i + 1) % len(poly)]
        if sa <= 0:
            out.append(a)
        if (sa < 0 < sb) or (sb < 0 < sa):
            out.append(a + (b - a) * (sa / (sa - sb)))
    return np.array(out).reshape(-1, 2)


def voronoi_cells(centers: Any, box: Sequence[Sequence[float]]) -> list[np.ndarray]:
    """The Voronoi cell of every centre, clipped to a rectangle.

    Parameters
    ----------
    centers : array of shape (n_clusters, 2)
    box : ((x_min, x_max), (y_min, y_max))

    Returns
    -------
    list of arrays of shape (n_vertices, 2)
        Cell ``k`` is the convex polygon of points of the box nearer to ``centers[k]`` than to
        any other centre (ties split on the bisector). Empty (0 vertices) for a duplicate
        centre that owns nothing, or one whose cell lies outside the box.
    """
    c = np.asarray(centers, dtype=np.float64)
    if c.ndim != 2 or c.shape[1] != 2:
        raise error(ParameterError, "figures.centres_2d", shape=c.shape)
    (x0, x1), (y0, y1) = box
    rect = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    cells = []
    for i in range(len(c)):
        poly = rect
        for j in range(len(c)):
            if j == i:
                continue
            normal = c[j] - c[i]
            if not np.any(normal):  # duplicate centre: the lower index owns the cell
                if j < i:
                    poly = poly[:0]
                continue
            # ‖x − c_i‖² ≤ ‖x − c_j‖²  ⇔  (c_j − c_i)·x ≤ (‖c_j‖² − ‖c_i‖²)/2
            poly = _clip_halfplane(poly, normal, 0.5 * float(c[j] @ c[j] - c[i] @ c[i]))
        cells.append(poly)
    return cells


def voronoi_edges_1d(centers: Any) -> np.ndarray:
    """Boundaries of nearest-centre intervals in 1D: midpoints of neighbouring distinct centres."""
    c = np.unique(np.asarray(centers, dtype=np.float64).reshape(-1))
    return 0.5 * (c[1:] + c[:-1])


# --------------------------------------------------------------------------------------
# k-means vs GMM
# --------------------------------------------------------------------------------------
def one_hot(labels: Any, k: int) -> np.ndarray:
    """Hard labels as responsibilities: array of shape (n_samples, k) of 0s and a 1."""
    labels = np.asarray(labels).astype(np.int64)
    out = np.zeros((len(labels), k))
    out[np.arange(len(labels)), labels] = 1.0
    return out


def centre_markers(centers: np.ndarray, options: FigureOptions,
                   text: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The k-means centres as one marker trace (2D or 3D; 1D draws no markers), an ×
    in each component's colour.

    Parameters
    ----------
    centers : array of shape (n_clusters, n_features)
    options : FigureOptions
    text : mapping, optional
        Overrides of :data:`TEXT` (the trace is named ``text["centres"]``).
    """
    tx = _text(text)
    style = _STYLES[bool(options.presenter)]
    centers = np.asarray(centers, dtype=np.float64)
    k, d = centers.shape
    colors = [component_color(j, options.palette) for j in range(k)]
    marker = {"symbol": "x", "size": style.mean, "color": colors,
              "line": {"color": MIXTURE_HEX, "width": 1}}
    trace: dict[str, Any] = {
        "type": "scatter3d" if d == 3 else "scatter",
        "mode": "markers",
        "x": centers[:, 0].tolist(),
        "y": (centers[:, 1] if d >= 2 else np.zeros(k)).tolist(),
        "marker": marker,
        "name": tx["centres"],
        "customdata": list(range(1, k + 1)),
        "hovertemplate": "k = %{customdata}<extra></extra>",
    }
    if d == 3:
        trace["z"] = centers[:, 2].tolist()
        marker["size"] = style.mean / 2
    if d == 1:
        trace["yaxis"] = "y"
    return trace


def voronoi_box(ranges: Sequence[Sequence[float]]) -> tuple[list[float], list[float]]:
    """The box the Voronoi cells are clipped to: the axes' ranges, padded five times over.

    Cells far larger than the view: equal aspect widens one axis beyond its range, and the
    cells' outer edges must not show as a frame.
    """
    (x_lo, x_hi), (y_lo, y_hi) = ranges[0], ranges[1]
    return (_padded_range(x_lo, x_hi, pad=5.0), _padded_range(y_lo, y_hi, pad=5.0))


def voronoi_outlines(centers: Any, box: Sequence[Sequence[float]]) -> list[np.ndarray]:
    """Each centre's Voronoi cell as a closed outline (first vertex repeated), or an empty
    array of shape (0, 2) for a centre that owns nothing inside the box."""
    return [np.vstack([cell, cell[:1]]) if len(cell) >= 3 else np.zeros((0, 2))
            for cell in voronoi_cells(centers, box)]


def voronoi_traces(centers: Any, box: Sequence[Sequence[float]], options: FigureOptions,
                   text: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One filled outline per centre (empty for a centre that owns nothing), so that a
    figure has the same traces whatever the centres: shaded in the centre's colour, with
    one legend entry for the boundaries."""
    tx = _text(text)
    style = _STYLES[bool(options.presenter)]
    return [{
        "type": "scatter", "mode": "lines", "x": outline[:, 0].tolist(),
        "y": outline[:, 1].tolist(), "fill": "toself",
        "fillcolor": _rgba(component_color(j, options.palette), 0.10),
        "line": {"color": "rgba(60,60,60,0.85)", "width": style.line},
        "hoverinfo": "skip", "showlegend": j == 0, "legendgroup": "voronoi",
        "name": tx["boundary"],
    } for j, outline in enumerate(voronoi_outlines(centers, box))]


def voronoi_edge_shapes(centers: Any, options: FigureOptions) -> list[dict[str, Any]]:
    """1D: a dashed vertical line at each boundary between neighbouring centres."""
    style = _STYLES[bool(options.presenter)]
    return [
        {"type": "line", "xref": "x", "yref": "paper", "x0": float(e), "x1": float(e),
         "y0": 0, "y1": 1, "line": {"color": "#444", "width": style.line, "dash": "dash"}}
        for e in voronoi_edges_1d(centers)
    ]


def kmeans_figure(
    X: Any,
    centers: Any,
    labels: Any,
    options: FigureOptions | None = None,
    text: Mapping[str, str] | None = None,
) -> go.Figure:
    """k-means' view: hard colours, the centres and (1D, 2D) the Voronoi boundaries.

    Parameters
    ----------
    X : array of shape (n_samples, n_features), 1 ≤ n_features ≤ 3
    centers : array of shape (n_clusters, n_features)
    labels : array of shape (n_samples,)
        Nearest centre of every point (colours are one-hot, so there is no blending).
    options : FigureOptions, optional
    text : mapping, optional
        Overrides of :data:`TEXT`.
    """
    opts, tx = _opts(options), _text(text)
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    c = np.asarray(centers, dtype=np.float64).reshape(-1, X.shape[1])
    lab = np.asarray(labels).astype(np.int64)
    if lab.shape != (X.shape[0],):
        raise error(ParameterError, "figures.labels_shape", n=X.shape[0], shape=lab.shape)
    k = len(c)
    fig = mixture_figure(X, None, one_hot(lab, k), options=opts)
    d = X.shape[1]
    if d == 2:
        box = voronoi_box([fig.layout[a].range for a in ("xaxis", "yaxis")])
        fig = _append(fig, voronoi_traces(c, box, opts, tx), first=True)
    elif d == 1:
        fig.update_layout(shapes=voronoi_edge_shapes(c, opts))
    if d != 1:
        fig = _append(fig, [centre_markers(c, opts, tx)])
    return fig


def legend_below(fig: go.Figure) -> go.Figure:
    """The same figure with a horizontal legend under the plot (for side-by-side panels)."""
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.2,
                              "yanchor": "top"}, margin={"r": 10})
    return fig


def soft_kmeans_figure(
    X: Any,
    centers: Any,
    sigma: float,
    resp: Any,
    options: FigureOptions | None = None,
    text: Mapping[str, str] | None = None,
) -> go.Figure:
    """Soft k-means: EM with equal weights and covariance σ²I; colours blend the responsibilities.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    centers : array of shape (n_clusters, n_features)
    sigma : float
        The shared standard deviation (circles of radius set by the coverage levels).
    resp : array of shape (n_samples, n_clusters)
    """
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    c = np.asarray(centers, dtype=np.float64).reshape(-1, X.shape[1])
    k, d = c.shape
    sigma = check_float(sigma, "sigma", 0.0, positive=True)
    params = Params(np.full(k, 1.0 / k), c, np.repeat((sigma**2 * np.eye(d))[None], k, axis=0))
    return mixture_figure(X, params, resp, options=_opts(options))


def kmeans_limit_figure(
    sigmas: Any,
    agreement: Any,
    mean_max: Any,
    current: float | None = None,
    options: FigureOptions | None = None,
    text: Mapping[str, str] | None = None,
) -> go.Figure:
    """How soft k-means turns into k-means as σ → 0.

    Parameters
    ----------
    sigmas : array of shape (n_sigmas,)
    agreement : array of shape (n_sigmas,)
        Fraction of points whose largest soft responsibility is their k-means label.
    mean_max : array of shape (n_sigmas,)
        Mean over points of the largest responsibility (1 = hard assignments).
    current : float, optional
        The σ on screen, marked by a vertical line.
    """
    opts, tx = _opts(options), _text(text)
    style = _STYLES[bool(opts.presenter)]
    s = np.asarray(sigmas, dtype=float)
    data = [
        {"type": "scatter", "mode": "lines+markers", "x": s.tolist(),
         "y": np.asarray(agreement, float).tolist(), "name": tx["agreement"],
         "line": {"color": component_color(0, opts.palette), "width": style.thick},
         "marker": {"size": style.point + 3},
         "hovertemplate": "σ = %{x:.3g}<br>%{y:.1%}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": s.tolist(),
         "y": np.asarray(mean_max, float).tolist(), "name": tx["mean_max"],
         "line": {"color": component_color(1, opts.palette), "width": style.thick,
                  "dash": "dash"},
         "marker": {"size": style.point + 3, "symbol": "square"},
         "hovertemplate": "σ = %{x:.3g}<br>%{y:.3f}<extra></extra>"},
    ]
    layout = _base_layout(opts, style)
    layout.update({
        "xaxis": _axis(tx["limit_x"], style, type="log"),
        "yaxis": _axis(tx["limit_y"], style, range=[0, 1.05], tickformat=".0%"),
        "legend": {**layout["legend"], "x": 0.01, "y": 0.02, "xanchor": "left",
                   "yanchor": "bottom"},
    })
    if current is not None:
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": current,
                             "x1": current, "y0": 0, "y1": 1,
                             "line": {"color": "#444", "width": style.line, "dash": "dot"}}]
        layout["annotations"].append({"x": float(np.log10(current)), "xref": "x", "y": 1,
                                      "yref": "paper", "text": tx["current"],
                                      "showarrow": False, "yanchor": "bottom"})
    return _figure(data, layout)


# --------------------------------------------------------------------------------------
# Initialisation sensitivity
# --------------------------------------------------------------------------------------
def restarts_histogram(
    result: RestartsResult,
    options: FigureOptions | None = None,
    text: Mapping[str, str] | None = None,
) -> go.Figure:
    """Histogram of the restarts' final log-likelihoods, stacked by init method.

    The optimum ``n_init`` keeps is marked (red when it is suspicious), and the best
    trustworthy optimum too when it differs. Collapsed runs (ln L = ±inf or nan) are left
    out: they have no finite likelihood to place.
    """
    opts, tx = _opts(options), _text(text)
    style = _STYLES[bool(opts.presenter)]
    ll = result.log_likelihoods
    finite = ll[np.isfinite(ll)]
    methods = list(result.method_stats)
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    span = hi - lo if hi > lo else max(1.0, abs(hi) * 1e-3)
    size = span / 40
    data = []
    for j, m in enumerate(methods):
        vals = [r.log_likelihood for r in result.restarts
                if r.method == m and np.isfinite(r.log_likelihood)]
        data.append({
            "type": "histogram", "x": vals, "name": m,
            "xbins": {"start": lo - size / 2, "end": hi + size, "size": size},
            "marker": {"color": component_color(j, opts.palette),
                       "line": {"color": "white", "width": 0.5}},
            "hovertemplate": "ln L ≈ %{x:.5g}<br>%{y} " + tx["hist_y"] + "<extra>" + m
                             + "</extra>",
        })
    layout = _base_layout(opts, style)
    x_range = _padded_range(lo - size, hi + size, 0.02)
    layout.update({
        "barmode": "stack",
        "bargap": 0.05,
        "xaxis": _axis(tx["hist_x"], style, range=x_range),
        "yaxis": _axis(tx["hist_y"], style),
        "legend": {**layout["legend"], "x": 0.01, "y": 0.99, "xanchor": "left"},
        "shapes": [],
    })
    marks = []
    best, rec = result.best, result.recommended
    if best is not None and np.isfinite(best.log_likelihood):
        marks.append((best.log_likelihood, tx["ninit_pick"],
                      RED_HEX if best.suspicious else MIXTURE_HEX, 1.0))
    if rec is not None and rec is not best:
        marks.append((rec.log_likelihood, tx["recommended"], component_color(2, opts.palette),
                      0.88))
    for x, label, color, y in marks:
        layout["shapes"].append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x,
                                 "y0": 0, "y1": 1,
                                 "line": {"color": color, "width": style.thick, "dash": "dash"}})
        # The label runs into the wider side of the plot from its line (a mark near the left
        # edge, e.g. iris' −180.19, would otherwise stick out past the axis and be cut off),
        # starting one bin away so it does not cover the bar the line marks.
        right = (x - x_range[0]) <= (x_range[1] - x)
        layout["annotations"].append({"x": x + size if right else x - size, "xref": "x",
                                      "y": y, "yref": "paper",
                                      "text": f"{label}: {x:,.2f}", "showarrow": False,
                                      "xanchor": "left" if right else "right",
                                      "yanchor": "top",
                                      "font": {"color": color, "size": style.font},
                                      "bgcolor": "rgba(255,255,255,0.85)"})
    return _figure(data, layout)


def _marginal(params: Params, dims: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    idx = np.asarray(dims)
    return params.means[:, idx], params.covariances[:, idx][:, :, idx]


def optima_gallery(
    X: Any,
    result: RestartsResult,
    options: FigureOptions | None = None,
    text: Mapping[str, str] | None = None,
    max_optima: int = 12,
    dims: tuple[int, int] = (0, 1),
    columns: int = 4,
    max_points: int = 1500,
) -> go.Figure:
    """Small multiples of the distinct optima, best first.

    Each panel shows the data (grey) and every component's 95% ellipse in its colour (for
    more than two features: the marginal over ``dims``, which is exact for a Gaussian; for
    one feature, the weighted component densities). Titles give the rank, ln L and how many
    restarts reached it, and mark the ``n_init`` pick (★) and suspicious optima (⚠, red).
    A mean marker per panel carries ``customdata = optimum index`` for click handling.
    """
    opts, tx = _opts(options), _text(text)
    style = _STYLES[bool(opts.presenter)]
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    d = X.shape[1]
    optima = result.optima[:max_optima]
    n = max(len(optima), 1)
    ncol = min(columns, n)
    nrow = -(-n // ncol)
    titles = []
    for i, o in enumerate(optima):
        title = tx["gallery_title"].format(rank=i + 1, ll=f"{o.log_likelihood:,.2f}",
                                           count=o.count)
        if i == result.best_index:
            title += tx["gallery_pick"]
        if o.suspicious:
            title += tx["gallery_suspicious"]
        titles.append(title)
    # make_subplots lays out the grid (axis domains, title annotations); the traces are
    # plain dicts: a figure object validates every property of every trace it is given.
    layout = make_subplots(rows=nrow, cols=ncol, subplot_titles=titles or [""],
                           horizontal_spacing=0.04,
                           vertical_spacing=0.12 / max(nrow, 1) + 0.04).layout.to_plotly_json()
    data: list[dict[str, Any]] = []
    step = max(1, X.shape[0] // max_points)
    pts = X[::step]
    for i, o in enumerate(optima):
        axes = {"xaxis": f"x{i + 1 if i else ''}", "yaxis": f"y{i + 1 if i else ''}"}
        k = o.params.n_components
        colors = [component_color(j, opts.palette) for j in range(k)]
        if d == 1:
            grid = np.linspace(X.min(), X.max(), 200)
            comps, _ = geo.mixture_density_1d(grid, o.params)
            data += [{"type": "scatter", "x": grid, "y": comps[:, j], "mode": "lines",
                      "showlegend": False, "line": {"color": colors[j], "width": style.line},
                      "hoverinfo": "skip", **axes} for j in range(k)]
            data.append({"type": "scatter", "x": o.params.means[:, 0], "y": np.zeros(k),
                         "mode": "markers",
                         "marker": {"color": colors, "symbol": "x", "size": style.mean},
                         "customdata": [i] * k, "showlegend": False,
                         "hovertemplate": "%{x:.4g}<extra></extra>", **axes})
            continue
        dd = dims if d > 2 else (0, 1)
        means, covs = _marginal(o.params, dd)
        data.append({"type": "scatter", "x": pts[:, dd[0]], "y": pts[:, dd[1]],
                     "mode": "markers",
                     "marker": {"color": UNASSIGNED_HEX, "size": max(2, style.point - 2)},
                     "opacity": 0.45, "hoverinfo": "skip", "showlegend": False, **axes})
        ell = geo.ellipses_points(means, covs, 0.95, 60)
        for j in range(k):
            e = np.vstack([ell[j], ell[j][:1]])
            data.append({"type": "scatter", "x": e[:, 0], "y": e[:, 1], "mode": "lines",
                         "showlegend": False, "line": {"color": colors[j], "width": style.line},
                         "hoverinfo": "skip", **axes})
        data.append({"type": "scatter", "x": means[:, 0], "y": means[:, 1], "mode": "markers",
                     "marker": {"color": colors, "symbol": "x", "size": style.mean * 0.8,
                                "line": {"color": MIXTURE_HEX, "width": 1}},
                     "customdata": [i] * k, "showlegend": False,
                     "hovertemplate": f"#{i + 1}<extra></extra>", **axes})
    for ann, o in zip(layout["annotations"], optima, strict=False):
        ann["font"] = {"size": style.font - 1, "color": RED_HEX if o.suspicious else "#222"}
    ranges = ([_padded_range(X[:, j].min(), X[:, j].max()) for j in (dims if d > 2 else (0, 1))]
              if d > 1 else [_padded_range(X.min(), X.max()), None])
    frame = {"showticklabels": False, "showgrid": False, "zeroline": False,
             "linecolor": "#BBB", "mirror": True, "showline": True, "automargin": True}
    for name in [a for a in layout if a.startswith(("xaxis", "yaxis"))]:
        axis_range = ranges[0] if name.startswith("x") else ranges[1]
        layout[name] = {**layout[name], **frame,
                        **({"range": list(axis_range)} if axis_range else {})}
    layout.update(template=_base_layout(opts, style)["template"],
                  height=max(240, 230 * nrow) + (60 * nrow if opts.presenter else 0),
                  margin={"l": 10, "r": 10, "t": 40, "b": 10},
                  font={"size": style.font}, uirevision=opts.uirevision)
    return _figure(data, layout)


def method_stats_table(result: RestartsResult, text: Mapping[str, str] | None = None
                       ) -> pd.DataFrame:
    """One row per init method: restarts, converged, median iterations, reach fractions."""
    tx = _text(text)
    rows = [{
        tx["col_method"]: s.method,
        tx["col_restarts"]: s.n_restarts,
        tx["col_converged"]: s.n_converged,
        tx["col_collapsed"]: s.n_collapsed,
        tx["col_median_iter"]: s.median_iter,
        tx["col_fraction_top"]: s.fraction_top,
        tx["col_fraction_best"]: s.fraction_best,
    } for s in result.method_stats.values()]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Basin map
# --------------------------------------------------------------------------------------
#: Paul Tol's "light" scheme (colour-blind safe, made for backgrounds under dark marks and
#: text): the optima a basin map colours one by one, then pale grey for all the others.
BASIN_PALETTE: tuple[str, ...] = (
    "#77AADD", "#EE8866", "#44BB99", "#EEDD88", "#FFAABB", "#99DDFF", "#BBCC33", "#AAAA00",
)
BASIN_OTHER_HEX = "#DDDDDD"
#: Hatching drawn over the cells of a near-degenerate optimum.
_HATCH_HEX = "#5A5A5A"


def shown_basins(bmap: BasinMap, max_shown: int = len(BASIN_PALETTE)) -> list[int]:
    """The optima a basin map colours one by one: the ``max_shown`` that cover the most cells
    (ties: the lower number), in number order. The rest share one colour."""
    reached = [i for i, b in enumerate(bmap.basins) if b.n_cells > 0]
    top = sorted(reached, key=lambda i: (-bmap.basins[i].n_cells, i))[:max_shown]
    return sorted(top)


def basin_names(bmap: BasinMap, text: Mapping[str, str] | None = None) -> list[str]:
    """Legend name of every optimum of ``bmap``: number (from 1, as the gallery), ln L, cells,
    and "new" (no restart reached it) or "⚠" (near-degenerate) where they apply."""
    tx = _text(text)
    names = []
    for i, b in enumerate(bmap.basins):
        name = tx["basin_legend"].format(number=i + 1, ll=f"{b.log_likelihood:,.2f}",
                                         cells=b.n_cells)
        if not b.from_restarts:
            name += tx["basin_new"]
        if b.suspicious:
            name += tx["basin_suspicious"]
        names.append(name)
    return names


def _label_cell(mask: np.ndarray) -> tuple[int, int]:
    """The cell of ``mask`` nearest its centroid (inside the region, even a curved one)."""
    rows, cols = np.nonzero(mask)
    d2 = (rows - rows.mean()) ** 2 + (cols - cols.mean()) ** 2
    i = int(np.argmin(d2))
    return int(rows[i]), int(cols[i])


def _legend_square(name: str, color: str, edge: str, rank: int, size: float) -> dict:
    return {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name,
            "hoverinfo": "skip", "legendrank": rank,
            "marker": {"symbol": "square", "size": size, "color": color,
                       "line": {"color": edge, "width": 1}}}


def basin_figure(
    X: Any,
    bmap: BasinMap,
    options: FigureOptions | None = None,
    text: Mapping[str, str] | None = None,
    max_points: int = 1500,
    max_shown: int = len(BASIN_PALETTE),
) -> go.Figure:
    """The basin map: each cell coloured by the optimum EM reaches from it.

    A cell is the start whose swept mean sits at its centre (:meth:`BasinMap.start_at`).
    Drawn over it: the data (dark dots), the fixed components' starting means (× in their
    component colours) and the swept component's own starting mean (○). The ``max_shown``
    optima that cover the most cells (:func:`shown_basins`) get a colour each, a legend entry
    numbered as the restarts' gallery and their number written on the map; all others share
    pale grey (hover names them). Near-degenerate optima are hatched and marked ⚠. An
    invisible marker on every cell carries ``customdata = (row, col, number, ln L,
    iterations)`` for hover and click handling.
    """
    opts, tx = _opts(options), _text(text)
    style = _STYLES[bool(opts.presenter)]
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise error(ParameterError, "figures.basin_dimensions", shape=X.shape)
    names = _axis_names(opts, 2)
    xs, ys, labels = bmap.xs, bmap.ys, bmap.labels
    shown = shown_basins(bmap, max_shown)
    slot = np.full(max(len(bmap.basins), 1), len(shown))  # optimum -> colour slot
    slot[shown] = np.arange(len(shown))
    colors = [BASIN_PALETTE[j % len(BASIN_PALETTE)] for j in range(len(shown))]
    colors.append(BASIN_OTHER_HEX)
    n_slots = len(colors)
    scale = []
    for j, c in enumerate(colors):
        scale += [[j / n_slots, c], [(j + 1) / n_slots, c]]
    z = np.where(labels >= 0, slot[np.maximum(labels, 0)], np.nan).astype(np.float64)
    data: list[dict[str, Any]] = [{
        "type": "heatmap", "x": xs, "y": ys, "z": z, "zmin": -0.5, "zmax": n_slots - 0.5,
        "colorscale": scale, "showscale": False, "hoverinfo": "skip", "name": "",
        "showlegend": False,
    }]
    suspicious = np.array([b.suspicious for b in bmap.basins] or [False])
    hatched = (labels >= 0) & suspicious[np.maximum(labels, 0)]
    rows, cols = np.nonzero(hatched)
    if rows.size:
        data.append({
            "type": "scatter", "x": xs[cols], "y": ys[rows], "mode": "markers",
            "name": tx["basin_hatch"], "hoverinfo": "skip", "legendrank": 1000,
            "marker": {"symbol": "line-ne", "size": style.point + 5,
                       "line": {"color": _HATCH_HEX, "width": 1.2}, "color": _HATCH_HEX},
        })
    step = max(1, X.shape[0] // max_points)
    pts = X[::step]
    keep = {"marker": {"opacity": 0.55}}  # a click selects a cell; nothing else may fade
    data.append({
        "type": "scatter", "x": pts[:, 0], "y": pts[:, 1], "mode": "markers",
        "name": tx["basin_data"], "hoverinfo": "skip", "showlegend": False,
        "marker": {"color": MIXTURE_HEX, "size": max(2, style.point - 2), "opacity": 0.55},
        "selected": keep, "unselected": keep,
    })
    grid_rows, grid_cols = np.indices(labels.shape)
    numbers = np.where(labels >= 0, labels + 1, 0)
    custom = np.column_stack([grid_rows.ravel(), grid_cols.ravel(), numbers.ravel(),
                              bmap.log_likelihood.ravel(), bmap.n_iter.ravel()])
    hover = tx["basin_hover"].format(k=bmap.component + 1, x="%{x:.4g}", y="%{y:.4g}",
                                     number="%{customdata[2]}", ll="%{customdata[3]:,.2f}",
                                     n_iter="%{customdata[4]}")
    data.append({
        "type": "scatter", "x": xs[grid_cols.ravel()], "y": ys[grid_rows.ravel()],
        "mode": "markers", "name": tx["basin_cells"], "showlegend": False,
        "customdata": custom, "hovertemplate": hover + "<extra></extra>",
        "marker": {"size": style.point + 4, "color": "rgba(0,0,0,0)"},
        "selected": {"marker": {"opacity": 0}}, "unselected": {"marker": {"opacity": 0}},
    })
    k = bmap.start.n_components
    means = np.asarray(bmap.start.means)
    fixed = [j for j in range(k) if j != bmap.component]
    full = {"marker": {"opacity": 1}}
    data.append({
        "type": "scatter", "x": means[fixed, 0], "y": means[fixed, 1], "mode": "markers",
        "name": tx["basin_fixed"], "hovertemplate": "%{text}<extra></extra>",
        "text": [tx["basin_component"].format(k=j + 1) for j in fixed], "legendrank": 1001,
        "marker": {"symbol": "x", "size": style.mean + 2,
                   "color": [component_color(j, opts.palette) for j in fixed],
                   "line": {"color": "white", "width": 1.5}},
        "selected": full, "unselected": full,
    })
    swept = bmap.component
    data.append({
        "type": "scatter", "x": means[swept:swept + 1, 0], "y": means[swept:swept + 1, 1],
        "mode": "markers", "name": tx["basin_swept"].format(k=swept + 1), "legendrank": 1002,
        "hovertemplate": tx["basin_swept"].format(k=swept + 1) + "<extra></extra>",
        "marker": {"symbol": "circle-open", "size": style.mean + 4,
                   "color": component_color(swept, opts.palette),
                   "line": {"width": style.thick}},
        "selected": full, "unselected": full,
    })
    legend_names = basin_names(bmap, tx)
    annotations = []
    for j, i in enumerate(shown):
        b = bmap.basins[i]
        data.append(_legend_square(legend_names[i], colors[j],
                                   _HATCH_HEX if b.suspicious else colors[j], i + 1, style.mean))
        r, q = _label_cell(labels == i)
        annotations.append({
            "x": float(xs[q]), "y": float(ys[r]), "xref": "x", "yref": "y",
            "text": f"#{i + 1}" + (" ⚠" if b.suspicious else ""), "showarrow": False,
            "font": {"size": style.font, "color": "#222"}, "bgcolor": "rgba(255,255,255,0.7)",
        })
    others = [i for i, b in enumerate(bmap.basins) if b.n_cells > 0 and i not in shown]
    if others:
        data.append(_legend_square(
            tx["basin_other"].format(n=len(others), cells=sum(bmap.basins[i].n_cells
                                                             for i in others)),
            BASIN_OTHER_HEX, BASIN_OTHER_HEX, len(bmap.basins) + 1, style.mean))
    layout = _base_layout(opts, style)
    dx = (xs[1] - xs[0]) / 2 if xs.size > 1 else 0.5
    dy = (ys[1] - ys[0]) / 2 if ys.size > 1 else 0.5
    layout.update({
        "xaxis": _axis(names[0], style, range=[float(xs[0] - dx), float(xs[-1] + dx)],
                       showgrid=False, zeroline=False, constrain="domain"),
        "yaxis": _axis(names[1], style, range=[float(ys[0] - dy), float(ys[-1] + dy)],
                       showgrid=False, zeroline=False, constrain="domain",
                       **_equal_scales_2d(X)),
        "clickmode": "event+select",
        "dragmode": "zoom",
        "legend": {**layout["legend"], "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
        "margin": {**layout["margin"], "r": 10},
    })
    layout["annotations"] += annotations
    return _figure(data, layout)


# --------------------------------------------------------------------------------------
# Model selection
# --------------------------------------------------------------------------------------
def _wrap_hover(text: str, width: int = 72) -> str:
    """Plain text as hover lines (escaped, broken at spaces, ``<br>`` between lines)."""
    return "<br>".join(plotly_text(line)
                       for line in textwrap.wrap(text, width) or [""])


def _star(cell: SelectionCell, criterion: str, name: str, symbol: str, color: str,
          size: float, hover: str) -> dict[str, Any]:
    return {
        "type": "scatter", "mode": "markers", "x": [cell.n_components],
        "y": [float(getattr(cell, criterion))], "name": name,
        "marker": {"symbol": symbol, "size": size, "color": color,
                   "line": {"color": MIXTURE_HEX, "width": 1.5} if symbol == "star"
                   else {"color": color, "width": 2.5}},
        "customdata": [[cell.n_components, cell.covariance_type]],
        "hovertemplate": hover,
    }


def selection_figure(
    result: SelectionResult,
    criterion: str = "bic",
    true_k: int | None = None,
    options: FigureOptions | None = None,
    text: Mapping[str, str] | None = None,
    passed_over: str | None = None,
) -> go.Figure:
    """BIC or AIC against K, one line per covariance type; the recommended cell starred.

    The star is :meth:`~emviz.engine.selection.SelectionResult.recommended` (the best cell that is
    not near-degenerate, the restarts lab's rule). When the raw best differs, it is drawn as
    a hollow red star (the last trace but one) whose hover text is the reason it was passed
    over. Other suspicious (near-degenerate) cells are drawn hollow; unscored cells (collapsed
    or skipped) are gaps. The true K, when known, is a dashed vertical line. Each point
    carries ``customdata = [K, covariance type]`` so a click can open that cell.

    Parameters
    ----------
    passed_over : str, optional
        The reason the raw best was passed over, as the reader should see it (the UI passes
        it translated); default ``result.passed_over(criterion)`` in English.
    """
    if criterion not in ("bic", "aic"):
        raise error(ParameterError, "figures.criterion", value=criterion)
    opts, tx = _opts(options), _text(text)
    style = _STYLES[bool(opts.presenter)]
    scores = result.bic if criterion == "bic" else result.aic
    best, rec = result.best(criterion), result.recommended(criterion)
    ks = list(result.k_values)
    data = []
    for j, cov in enumerate(result.covariance_types):
        y = [float(v) if np.isfinite(v) else None for v in scores[:, j]]
        cells = [result.cell(k, cov) for k in ks]
        color = component_color(j, opts.palette)
        data.append({
            "type": "scatter", "mode": "lines+markers", "x": ks, "y": y, "name": cov,
            "line": {"color": color, "width": style.line, "dash": _DASHES.get(cov, "solid")},
            "marker": {"size": style.point + 4, "symbol": [
                _SYMBOLS.get(cov, "circle") + ("-open" if c.suspicious else "") for c in cells],
                "color": color, "line": {"color": color, "width": 2}},
            "customdata": [[k, cov] for k in ks],
            "hovertemplate": (f"{cov}, K = %{{x}}<br>{criterion.upper()} = %{{y:,.1f}}"
                              "<extra></extra>"),
            "connectgaps": False,
        })
    layout = _base_layout(opts, style)
    layout.update({
        "xaxis": _axis(tx["sel_x"], style, tickmode="array", tickvals=ks),
        "yaxis": _axis(tx["sel_y"].format(crit=criterion.upper()), style),
        "legend": {**layout["legend"], "x": 1.02, "xanchor": "left", "y": 1},
        "shapes": [],
    })
    crit = criterion.upper()
    size = style.mean + 14
    if best is not None and best is not rec:
        reason = str(result.passed_over(criterion)) if passed_over is None else passed_over
        data.append(_star(
            best, criterion,
            tx["sel_passed"].format(crit=crit, k=best.n_components, cov=best.covariance_type),
            "star-open", RED_HEX, size,
            f"{crit} = %{{y:,.1f}}<br>{_wrap_hover(reason)}<extra></extra>"))
    if rec is not None:
        label = tx["sel_best"] if rec is best else tx["sel_recommended"]
        data.append(_star(rec, criterion,
                          label.format(k=rec.n_components, cov=rec.covariance_type),
                          "star", AMBER_HEX, size, f"{crit} = %{{y:,.1f}}<extra></extra>"))
    if true_k is not None and true_k in ks:
        layout["shapes"].append({"type": "line", "xref": "x", "yref": "paper", "x0": true_k,
                                 "x1": true_k, "y0": 0, "y1": 1,
                                 "line": {"color": "#555", "width": style.line, "dash": "dash"}})
        layout["annotations"].append({"x": true_k, "xref": "x", "y": 1, "yref": "paper",
                                      "text": tx["true_k"].format(k=true_k), "showarrow": False,
                                      "xanchor": "left", "yanchor": "top", "xshift": 4,
                                      "font": {"size": style.font, "color": "#555"}})
    return _figure(data, layout)


def selection_table(result: SelectionResult, criterion: str = "bic") -> pd.DataFrame:
    """The criterion as a K × covariance-type table (NaN where a cell is not scored)."""
    scores = result.bic if criterion == "bic" else result.aic
    return pd.DataFrame(np.asarray(scores), index=pd.Index(result.k_values, name="K"),
                        columns=list(result.covariance_types))
