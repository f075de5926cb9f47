"""Figures for the theory labs: the lower bound, singularities, variational Bayes, two coins.

Plain builders with no Streamlit, in the style of :mod:`emviz.figures.mixture`:
``(data, result, options) -> go.Figure`` (or a ``pd.DataFrame`` for tables). Every number
drawn comes from the engine (:func:`emviz.engine.em.bound_terms`, :class:`emviz.engine.em.Trace`,
:class:`emviz.engine.vbgmm.VBTrace`, :class:`emviz.engine.coins.CoinTrace`); nothing is recomputed
here except differences and sums for layout.

User-visible text has English defaults in :data:`DEFAULT_LABELS`; the UI passes translated
ones through ``labels=`` (any subset of the keys).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from emviz._messages import error
from emviz.engine.coins import CoinEStep, CoinTrace
from emviz.engine.em import BoundTerms, Trace, bound_terms, e_step
from emviz.engine.vbgmm import VBTrace
from emviz.errors import ParameterError
from emviz.figures.mixture import (
    _STYLES,
    MIXTURE_HEX,
    OKABE_ITO_HEX,
    RED_HEX,
    FigureOptions,
    _axis,
    _base_layout,
    _make_figure,
    _options,
    component_color,
)
from emviz.numbers import sig

#: Colours of the bound's parts (Bishop draws L blue and KL red).
ELBO_HEX = "#0072B2"
KL_HEX = "#D55E00"
Q_HEX = "#56B4E9"
ENTROPY_HEX = "#009E73"
COIN_A_HEX = "#0072B2"
COIN_B_HEX = "#D55E00"

#: Every user-visible string of this module (English); the UI may translate any of them.
DEFAULT_LABELS: dict[str, str] = {
    "elbo": "L(q, θ)",
    "kl": "KL(q ‖ p(Z|X, θ))",
    "lnp": "ln p(X|θ)",
    "q": "Q = E_q[ln p(X, Z|θ)]",
    "entropy": "H(q)",
    "init": "init",
    "half_step": "half-step",
    "above_baseline": "nats above the baseline",
    "baseline_note": "Bars start at a baseline of {baseline} nats (just below the lowest L "
    "shown), <br>so small changes stay visible: height = value − baseline, and "
    "L + KL = ln p exactly.",
    "no_q": "no q yet",
    "decomposition": "nats",
    "decomp_note": "L = Q + H(q); ln p = L + KL. <br>Values in nats (totals over the N points).",
    "iteration": "iteration",
    "det": "det Σ_k (log scale)",
    "loglik": "log-likelihood ℓ",
    "component": "k = {k}",
    "collapsed_at": "component {k} collapsed: det Σ → 0, ℓ → +∞",
    "infinite": "ℓ = +∞",
    "baseline_run": "without a remedy",
    "vb_elbo": "ELBO L(q)",
    "vb_weights": "expected weight E[π_k]",
    "threshold": "threshold {threshold}",
    "p_a": "P(A | set)",
    "set": "set",
    "theta": "θ",
    "soft": "soft EM",
    "hard": "hard EM",
    "theta_a": "θ_A",
    "theta_b": "θ_B",
    "mle": "labels known: θ_A = {a:.2f}, θ_B = {b:.2f}",
    "tosses": "tosses",
    "heads": "heads",
    "tails": "tails",
    "heads_a": "heads → A",
    "tails_a": "tails → A",
    "heads_b": "heads → B",
    "tails_b": "tails → B",
    "total": "total",
    "p_b": "P(B | set)",
}


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    return {**DEFAULT_LABELS, **(labels or {})}


def _style(options: FigureOptions):
    return _STYLES[bool(options.presenter)]


def _note(text: str, style, y: float = 1.0) -> dict[str, Any]:
    return {
        "text": text, "xref": "paper", "yref": "paper", "x": 0, "y": y,
        "xanchor": "left", "yanchor": "bottom", "showarrow": False, "align": "left",
        "font": {"size": max(style.tick, style.font - 3), "color": "#555"},
    }  # fmt: skip


# --------------------------------------------------------------------------------------
# The lower bound: ln p = L + KL at every half-step (Bishop PRML figs. 9.11-9.14)
# --------------------------------------------------------------------------------------
class BoundPoint(NamedTuple):
    """The bound at one half-step of an EM trace.

    Attributes
    ----------
    h : int
        Half-step (0 = init, 2i-1 = E of iteration i, 2i = M of i).
    kind : {"init", "E", "M"}
    log_likelihood : float
        ``ln p(X|θ)`` of the parameters shown at ``h``.
    terms : BoundTerms or None
        ``bound_terms(X, θ_h, q_h)`` with ``q_h`` the responsibilities in force at ``h``
        (the E-step of the previous parameters); None at ``h = 0`` (no q yet).
    """

    h: int
    kind: str
    log_likelihood: float
    terms: BoundTerms | None


def bound_at(X: Any, trace: Trace, h: int) -> BoundPoint:
    """The bound at half-step ``h``: after E, q is the posterior of θ (KL = 0); after M, θ moved
    but q did not (KL ≥ 0)."""
    hs = trace.half_step(h)
    if hs.resp_params is None:
        return BoundPoint(h, hs.kind, float(trace.log_likelihood[0]), None)
    q = e_step(X, hs.resp_params).resp
    terms = bound_terms(X, hs.params, q)
    return BoundPoint(h, hs.kind, terms.log_likelihood, terms)


def bound_history(X: Any, trace: Trace, upto: int, window: int = 9) -> list[BoundPoint]:
    """:func:`bound_at` for the last ``window`` half-steps up to ``upto`` (inclusive)."""
    return [bound_at(X, trace, h) for h in range(max(0, upto - window + 1), upto + 1)]


class BarSegments(NamedTuple):
    """Stacked-bar geometry: ``baseline + elbo_height + kl_height = ln p`` for each bar."""

    baseline: float
    elbo_height: np.ndarray
    kl_height: np.ndarray
    lnp_height: np.ndarray


def bar_segments(points: Sequence[BoundPoint]) -> BarSegments:
    """Heights of the L and KL segments above a shared baseline.

    The baseline sits a little below the lowest L (or ln p) shown, so a KL of a few nats is
    visible next to a log-likelihood of −10⁵. The KL segment is the engine's KL, and the L
    segment is ``L − baseline``: the bar's top is ``baseline + (L − baseline) + KL``, which is
    ``ln p`` up to the engine's rounding (``bound_terms`` computes KL directly).
    """
    lows = [p.terms.elbo if p.terms is not None else p.log_likelihood for p in points]
    highs = [p.log_likelihood for p in points]
    lo, hi = float(min(lows)), float(max(highs))
    # At least one nat of headroom: with nothing to compare yet, the bar is not stretched
    # to show rounding noise.
    span = max(hi - lo, 1.0)
    baseline = lo - 0.25 * span
    elbo = np.array([(p.terms.elbo if p.terms is not None else np.nan) - baseline for p in points])
    kl = np.array([p.terms.kl if p.terms is not None else np.nan for p in points])
    lnp = np.array([p.log_likelihood - baseline for p in points])
    return BarSegments(float(baseline), elbo, kl, lnp)


def _half_step_name(p: BoundPoint, lab: Mapping[str, str]) -> str:
    return lab["init"] if p.kind == "init" else f"{p.kind}{(p.h + 1) // 2}"


def bound_bars_figure(
    points: Sequence[BoundPoint],
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Stacked bars ``ln p = L + KL`` per half-step, the current one last and outlined.

    Parameters
    ----------
    points : sequence of BoundPoint
        From :func:`bound_history`; at least one.
    options : FigureOptions, optional
    labels : mapping, optional
        Translations of :data:`DEFAULT_LABELS`.

    Returns
    -------
    go.Figure
        Bars relative to a baseline (:func:`bar_segments`, stated on the chart): blue L, red
        KL on top, and a black tick at ``ln p``. Hover shows the absolute values.
    """
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    seg = bar_segments(points)
    x = [_half_step_name(p, lab) for p in points]
    absolute = np.array(
        [[p.log_likelihood, *(p.terms[1:3] if p.terms is not None else (np.nan, np.nan))]
         for p in points]
    )  # fmt: skip
    custom = absolute  # ln p, L, KL
    current = [2.5 if i == len(points) - 1 else 0 for i in range(len(points))]
    hover = (
        "%{x}<br>" + lab["lnp"] + " = %{customdata[0]:.6g}<br>" + lab["elbo"]
        + " = %{customdata[1]:.6g}<br>" + lab["kl"] + " = %{customdata[2]:.4g}<extra></extra>"
    )  # fmt: skip
    kl_text = [
        "" if not np.isfinite(k) else ("KL = 0" if abs(k) < 1e-9 else f"KL = {sig(k, 3)}")
        for k in seg.kl_height
    ]
    data: list[dict] = [
        {"type": "bar", "x": x, "y": seg.elbo_height, "name": lab["elbo"], "base": 0,
         "marker": {"color": ELBO_HEX, "line": {"color": "#111", "width": current}},
         "customdata": custom, "hovertemplate": hover},
        {"type": "bar", "x": x, "y": seg.kl_height, "name": lab["kl"],
         "base": seg.elbo_height, "text": kl_text, "textposition": "outside",
         "cliponaxis": False,
         "marker": {"color": KL_HEX, "line": {"color": "#111", "width": current}},
         "customdata": custom, "hovertemplate": hover},
        {"type": "scatter", "mode": "markers+text", "x": x, "y": seg.lnp_height,
         "name": lab["lnp"], "textposition": "top center",
         "text": [lab["no_q"] if p.terms is None else "" for p in points],
         "marker": {"symbol": "line-ew-open", "size": 38, "color": MIXTURE_HEX,
                    "line": {"width": style.thick, "color": MIXTURE_HEX}},
         "customdata": custom, "hovertemplate": hover},
    ]  # fmt: skip
    layout = _base_layout(opts, style)
    layout.update(
        barmode="overlay",
        bargap=0.35,
        xaxis=_axis(lab["half_step"], style, type="category"),
        yaxis=_axis(lab["above_baseline"], style, rangemode="tozero"),
        legend={**layout["legend"], "orientation": "h", "x": 0, "y": -0.22},
        margin={**layout["margin"], "t": 70},
    )
    layout["annotations"].append(
        _note(lab["baseline_note"].format(baseline=f"{seg.baseline:,.2f}"), style, 1.02)
    )
    return _make_figure(data, layout)


def decomposition_figure(
    point: BoundPoint,
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """A waterfall for one half-step: ``Q + H(q) = L`` and ``L + KL = ln p``.

    Parameters
    ----------
    point : BoundPoint
        With ``terms`` (not the initial state).
    """
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    t = point.terms
    if t is None:
        raise error(ParameterError, "figures.decomposition_terms")
    names = ["Q", "H(q)", "L(q, θ)", "KL", "ln p"]
    values = [t.expected_complete, t.entropy, t.elbo, t.kl, t.log_likelihood]
    data = [{
        "type": "waterfall", "orientation": "v", "x": names,
        "measure": ["absolute", "relative", "total", "relative", "total"],
        "y": [t.expected_complete, t.entropy, 0, t.kl, 0],
        "text": [f"{v:,.2f}" if abs(v) >= 0.01 or v == 0 else sig(v, 2) for v in values],
        "textposition": "outside", "cliponaxis": False,
        "connector": {"line": {"color": "#999", "dash": "dot"}},
        "decreasing": {"marker": {"color": Q_HEX}},
        "increasing": {"marker": {"color": ENTROPY_HEX}},
        "totals": {"marker": {"color": ELBO_HEX}},
        "customdata": [lab["q"], lab["entropy"], lab["elbo"], lab["kl"], lab["lnp"]],
        "hovertemplate": "%{customdata}: %{text}<extra></extra>",
    }]  # fmt: skip
    layout = _base_layout(opts, style)
    lo = min(*values, 0.0)
    hi = max(*values, 0.0)
    layout.update(
        showlegend=False,
        xaxis=_axis("", style, type="category"),
        yaxis=_axis(lab["decomposition"], style, range=[lo * 1.12 if lo < 0 else 0,
                                                         hi * 1.12 if hi > 0 else 0]),
        margin={**layout["margin"], "t": 70},
    )
    layout["annotations"].append(_note(lab["decomp_note"], style, 1.02))
    return _make_figure(data, layout)


#: Where the waterfall's panel starts, as a fraction of :func:`bound_figure`'s width.
WATERFALL_FROM = 0.64


def below_x_axis(options: FigureOptions, top: float) -> float:
    """Where a legend under the plot starts (``y`` in paper units, ``yanchor`` top): just
    under the x axis's tick labels and title, whose size in pixels follows the fonts (a
    projector's are larger) while paper units follow the plot's height.

    Parameters
    ----------
    options : FigureOptions
        Its ``height`` and ``presenter``.
    top : float
        The figure's top margin in pixels.
    """
    style = _style(options)
    below = 1.6 * (style.tick + style.axis_title) + 20  # tick labels, title, their gaps
    legend = 2 * 1.8 * style.font  # up to two rows of legend under them
    plot = max(options.height - top - below - legend, 0.3 * options.height)
    return -below / plot


def bound_figure(
    points: Sequence[BoundPoint],
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """The bars of :func:`bound_bars_figure` and, beside them, the waterfall of
    :func:`decomposition_figure` for the last point, in one figure of two panels.

    One figure rather than two, so that a browser-side stepper redraws one chart per
    half-step. The traces are always the same four (three of bars, then the waterfall on
    ``x2``/``y2``), so that every half-step's figure has the same structure: without a
    bound at the last point (the start, no q yet) the waterfall is hidden and a note says
    why.

    Parameters
    ----------
    points : sequence of BoundPoint
        From :func:`bound_history`; at least one.
    options : FigureOptions, optional
    labels : mapping, optional
        Translations of :data:`DEFAULT_LABELS`.

    Returns
    -------
    go.Figure
        Annotations: the bars' baseline note, then the "no q yet" note (visible only
        without a bound); the waterfall's note is its x axis title.
    """
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    bars = bound_bars_figure(points, opts, lab).to_plotly_json()
    last = points[-1]
    shown = last if last.terms is not None else BoundPoint(
        last.h, last.kind, last.log_likelihood,
        BoundTerms(last.log_likelihood, last.log_likelihood, 0.0, last.log_likelihood, 0.0))
    waterfall = decomposition_figure(shown, opts, lab).to_plotly_json()
    layout = dict(bars["layout"])
    layout["xaxis"] = {**layout["xaxis"], "domain": [0.0, WATERFALL_FROM - 0.1]}
    # The waterfall's note goes under it, as its axis title: the bars' note above may run
    # on over the waterfall's top (a projector's fonts make it wider than its panel).
    note = _note(lab["decomp_note"], style)
    layout["xaxis2"] = {**waterfall["layout"]["xaxis"], "domain": [WATERFALL_FROM, 1.0],
                        "anchor": "y2", "title": {"text": note["text"], "font": note["font"]}}
    layout["yaxis2"] = {**waterfall["layout"]["yaxis"], "anchor": "x2"}
    layout["legend"] = {**layout["legend"], "y": below_x_axis(opts, layout["margin"]["t"]),
                        "yanchor": "top"}
    no_q = {"text": lab["no_q"], "xref": "x2 domain", "yref": "y2 domain", "x": 0.5,
            "y": 0.5, "showarrow": False, "visible": last.terms is None,
            "font": {"size": style.font, "color": "#555"}}
    layout["annotations"] = [*layout["annotations"], no_q]
    data = [*bars["data"], {**waterfall["data"][0], "xaxis": "x2", "yaxis": "y2",
                            "showlegend": False, "visible": last.terms is not None}]
    return _make_figure(data, layout)


# --------------------------------------------------------------------------------------
# Singularities: det Σ_k and ℓ over iterations
# --------------------------------------------------------------------------------------
def determinants(trace: Trace) -> np.ndarray:
    """``det Σ_k`` for every state; array of shape (n_iter + 1, n_components)."""
    return np.array([np.linalg.det(p.covariances) for p in trace.params])


def determinant_figure(
    trace: Trace,
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """``det Σ_k`` per component over iterations, on a log axis.

    Parameters
    ----------
    trace : Trace
    options : FigureOptions, optional
        ``options.palette`` colours the components.
    labels : mapping, optional
        Translations of :data:`DEFAULT_LABELS`.

    Returns
    -------
    go.Figure
        One line per component (trace ``k`` is component ``k``). A collapsed run is marked
        with a red cross on its last state and an annotation. The collapsed state's det is 0
        up to rounding (possibly negative): it is drawn at the smallest positive float.
    """
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    dets = determinants(trace)
    its = np.arange(dets.shape[0])
    tiny = np.finfo(float).tiny
    data: list[dict] = [{
        "type": "scatter", "mode": "lines+markers", "x": its, "y": np.maximum(dets[:, k], tiny),
        "name": lab["component"].format(k=k + 1), "legendgroup": str(k),
        "line": {"color": component_color(k, opts.palette), "width": style.line},
        "marker": {"size": style.point},
        "hovertemplate": lab["iteration"] + " %{x}<br>det Σ = %{y:.3g}<extra></extra>",
    } for k in range(dets.shape[1])]  # fmt: skip
    layout = _base_layout(opts, style)
    layout.update(
        xaxis=_axis(lab["iteration"], style),
        yaxis={**_axis(lab["det"], style), "type": "log", "exponentformat": "power"},
        legend={**layout["legend"], "orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        margin={**layout["margin"], "t": 40},
    )  # fmt: skip
    if trace.stop_reason == "collapsed" and trace.collapsed_component is not None:
        k = trace.collapsed_component
        last = int(its[-1])
        data.append({
            "type": "scatter", "mode": "markers", "x": [last], "y": [max(dets[-1, k], tiny)],
            "marker": {"symbol": "x", "size": style.mean + 4, "color": RED_HEX},
            "showlegend": False, "name": "collapse", "hoverinfo": "skip",
        })  # fmt: skip
        layout["annotations"].append({
            "text": lab["collapsed_at"].format(k=k + 1), "x": last - 0.6, "y": 0.08,
            "xref": "x", "yref": "y domain", "xanchor": "right", "yanchor": "bottom",
            "showarrow": False,
            "font": {"color": RED_HEX, "size": style.font},
            "bgcolor": "rgba(255,255,255,0.8)",
        })  # fmt: skip
    return _make_figure(data, layout)


def singularity_loglik_figure(
    trace: Trace,
    reference: Trace | None = None,
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """ℓ over iterations, with another run (e.g. without a remedy) dashed grey beside it.

    Returns
    -------
    go.Figure
        The reference first (when given), then ℓ. An infinite ℓ (the collapsed state) is
        left out of the line and drawn as an arrow off the top of the panel.
    """
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    ll = np.asarray(trace.log_likelihood, dtype=float)
    finite = np.isfinite(ll)
    hover = lab["iteration"] + " %{x}<br>ℓ = %{y:.6g}<extra></extra>"
    data: list[dict] = []
    if reference is not None:
        ref = np.asarray(reference.log_likelihood, dtype=float)
        rf = np.isfinite(ref)
        data.append({
            "type": "scatter", "mode": "lines", "x": np.arange(len(ref))[rf], "y": ref[rf],
            "name": lab["baseline_run"], "line": {"color": "#9A9A9A", "dash": "dash",
                                                  "width": style.line},
            "hovertemplate": hover,
        })  # fmt: skip
    data.append({
        "type": "scatter", "mode": "lines+markers", "x": np.arange(len(ll))[finite],
        "y": ll[finite], "name": lab["loglik"], "line": {"color": MIXTURE_HEX,
                                                         "width": style.line},
        "marker": {"size": style.point}, "hovertemplate": hover,
    })  # fmt: skip
    layout = _base_layout(opts, style)
    layout.update(
        xaxis=_axis(lab["iteration"], style),
        yaxis=_axis(lab["loglik"], style),
        legend={**layout["legend"], "orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        margin={**layout["margin"], "t": 40},
    )  # fmt: skip
    if len(ll) and not finite[-1]:
        top = float(ll[finite].max()) if finite.any() else 0.0
        layout["annotations"].append({
            "text": lab["infinite"], "x": len(ll) - 1, "y": top, "xref": "x", "yref": "y",
            "ax": 0, "ay": 40, "showarrow": True, "arrowhead": 2, "arrowcolor": RED_HEX,
            "font": {"color": RED_HEX, "size": style.font},
        })  # fmt: skip
    return _make_figure(data, layout)


# --------------------------------------------------------------------------------------
# Variational Bayes: the ELBO and the expected weights over iterations
# --------------------------------------------------------------------------------------
#: Component colours of the variational Bayes lab, which starts with up to ten components:
#: Okabe & Ito's eight, then Paul Tol's indigo and dark brown. Simulated with Machado et al.
#: (2009) for protanopia, deuteranopia and tritanopia, each added colour stays at least
#: ΔE₀₀ = 17 from every other one, and the eight keep their own smallest distance (11);
#: neither is near the grey of unassigned points (``tests/figures/test_figures_theory.py``
#: checks it).
OKABE_ITO_TEN_HEX: tuple[str, ...] = (*OKABE_ITO_HEX, "#332288", "#661100")


def vb_elbo_figure(
    trace: VBTrace,
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """The ELBO of every state (after each E-step), which never decreases."""
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    y = np.asarray(trace.elbo, dtype=float)
    data = [{
        "type": "scatter", "mode": "lines+markers", "x": np.arange(len(y)), "y": y,
        "name": lab["vb_elbo"], "line": {"color": ELBO_HEX, "width": style.line},
        "marker": {"size": style.point},
        "hovertemplate": lab["iteration"] + " %{x}<br>ELBO = %{y:.6g}<extra></extra>",
    }]  # fmt: skip
    layout = _base_layout(opts, style)
    layout.update(showlegend=False, xaxis=_axis(lab["iteration"], style),
                  yaxis=_axis(lab["vb_elbo"], style))
    return _make_figure(data, layout)


def weight_line(alive: bool, style) -> dict[str, Any]:
    """How a component's E[π_k] line looks: thick while alive, thin and dotted once it has
    fallen below the threshold."""
    return {"width": style.thick if alive else style.line, "dash": "solid" if alive else "dot"}


def vb_weights_figure(
    trace: VBTrace,
    threshold: float = 1e-2,
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """``E[π_k]`` per component over iterations (log scale): surplus components die off.

    Trace ``k`` is component ``k`` (named "k = k + 1", coloured ``options.palette[k]``);
    the components whose final expected weight is below ``threshold`` are drawn dotted.
    """
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    w = np.asarray(trace.expected_weights, dtype=float)
    its = np.arange(w.shape[0])
    alive = w[-1] > threshold
    data = [{
        "type": "scatter", "mode": "lines" if len(its) > 1 else "markers",  # one state: a dot
        "x": its, "y": np.maximum(w[:, k], 1e-12),
        "name": lab["component"].format(k=k + 1),
        "line": {"color": component_color(k, opts.palette), **weight_line(alive[k], style)},
        "hovertemplate": f"k = {k + 1}<br>{lab['iteration']} %{{x}}<br>E[π] = %{{y:.3g}}"
                         "<extra></extra>",
    } for k in range(w.shape[1])]  # fmt: skip
    layout = _base_layout(opts, style)
    lo = max(float(np.nanmin(w)), 1e-12)
    layout.update(
        xaxis=_axis(lab["iteration"], style),
        yaxis=_axis(lab["vb_weights"], style, type="log", exponentformat="power",
                    range=[np.log10(lo) - 0.3, 0.05]),
        shapes=[{"type": "line", "x0": 0, "x1": 1, "xref": "paper", "y0": threshold,
                 "y1": threshold, "yref": "y", "line": {"color": "#777", "dash": "dash"}}],
    )  # fmt: skip
    layout["annotations"].append({
        "text": lab["threshold"].format(threshold=f"{threshold:g}"), "x": 1, "y": threshold,
        "xref": "paper", "yref": "y", "xanchor": "right", "yanchor": "bottom",
        "showarrow": False, "font": {"color": "#555", "size": style.tick},
    })  # fmt: skip
    return _make_figure(data, layout)


# --------------------------------------------------------------------------------------
# The two coins
# --------------------------------------------------------------------------------------
def coins_table(
    tosses: Sequence[str],
    estep: CoinEStep,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The paper's figure 1b table: per set, P(A|set), P(B|set) and expected heads/tails.

    The last row holds the column totals the M-step divides.
    """
    lab = _labels(labels)
    h = estep.heads_a + estep.heads_b
    t = estep.tails_a + estep.tails_b
    df = pd.DataFrame({
        lab["set"]: [str(i + 1) for i in range(len(tosses))],
        lab["tosses"]: list(tosses),
        lab["heads"]: h.round().astype(int), lab["tails"]: t.round().astype(int),
        lab["p_a"]: estep.p_a, lab["p_b"]: estep.p_b,
        lab["heads_a"]: estep.heads_a, lab["tails_a"]: estep.tails_a,
        lab["heads_b"]: estep.heads_b, lab["tails_b"]: estep.tails_b,
    })  # fmt: skip
    totals = estep.totals
    total_row: dict[Hashable, str | int | float | None] = {c: None for c in df.columns}
    total_row.update({lab["set"]: lab["total"], lab["tosses"]: "",
                      lab["heads"]: int(h.sum().round()), lab["tails"]: int(t.sum().round()),
                      lab["heads_a"]: totals["heads_a"], lab["tails_a"]: totals["tails_a"],
                      lab["heads_b"]: totals["heads_b"], lab["tails_b"]: totals["tails_b"]})
    return pd.concat([df, pd.DataFrame([total_row])], ignore_index=True)


def coins_theta_figure(
    traces: Mapping[str, CoinTrace],
    mle: tuple[float, float] | None = None,
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """θ_A and θ_B over iterations for each run (e.g. ``{"soft": ..., "hard": ...}``).

    Parameters
    ----------
    traces : mapping of name -> CoinTrace
        Soft runs are drawn solid, hard runs dashed; two traces per run (θ_A, θ_B), in the
        mapping's order.
    mle : (θ_A, θ_B), optional
        The complete-data estimates when the labels are known, drawn as dotted lines.
    """
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    data: list[dict] = []
    for name, tr in traces.items():
        th = tr.thetas
        its = np.arange(th.shape[0])
        dash = "dash" if tr.hard else "solid"
        for c, (col, key) in enumerate(((COIN_A_HEX, "theta_a"), (COIN_B_HEX, "theta_b"))):
            data.append({
                "type": "scatter", "mode": "lines+markers", "x": its, "y": th[:, c],
                "name": f"{lab[key]} · {lab[name] if name in lab else name}",
                "line": {"color": col, "width": style.line, "dash": dash},
                "marker": {"size": style.point, "symbol": "circle" if not tr.hard else "square"},
                "hovertemplate": f"{lab[key]}" + " = %{y:.4f}<br>iteration %{x}<extra></extra>",
            })  # fmt: skip
    layout = _base_layout(opts, style)
    shapes: list[dict] = []
    if mle is not None:
        for v, col in zip(mle, (COIN_A_HEX, COIN_B_HEX), strict=True):
            shapes.append({"type": "line", "x0": 0, "x1": 1, "xref": "paper", "y0": v, "y1": v,
                           "yref": "y", "line": {"color": col, "dash": "dot", "width": 1.5}})
        layout["annotations"].append({
            "text": lab["mle"].format(a=mle[0], b=mle[1]), "x": 1, "y": 0.02, "xref": "paper",
            "yref": "paper", "xanchor": "right", "showarrow": False,
            "font": {"color": "#555", "size": style.tick},
        })  # fmt: skip
    layout.update(xaxis=_axis(lab["iteration"], style, dtick=1),
                  yaxis=_axis(lab["theta"], style, range=[0, 1]), shapes=shapes,
                  legend={**layout["legend"], "orientation": "h", "x": 0, "y": -0.3},
                  margin={**layout["margin"], "b": 110})
    return _make_figure(data, layout)


def coins_posterior_figure(
    estep: CoinEStep,
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """P(A|set) and P(B|set) per set as stacked horizontal bars (sum to 1)."""
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    sets = [f"{lab['set']} {i + 1}" for i in range(len(estep.p_a))]
    data = [
        {"type": "bar", "orientation": "h", "y": sets, "x": estep.p_a, "name": lab["p_a"],
         "marker": {"color": COIN_A_HEX}, "text": [f"{v:.2f}" for v in estep.p_a],
         "textposition": "inside", "hovertemplate": "%{y}: %{x:.4f}<extra></extra>"},
        {"type": "bar", "orientation": "h", "y": sets, "x": estep.p_b, "name": lab["p_b"],
         "marker": {"color": COIN_B_HEX}, "text": [f"{v:.2f}" for v in estep.p_b],
         "textposition": "inside", "hovertemplate": "%{y}: %{x:.4f}<extra></extra>"},
    ]  # fmt: skip
    layout = _base_layout(opts, style)
    layout.update(barmode="stack", xaxis=_axis("", style, range=[0, 1]),
                  yaxis=_axis("", style, autorange="reversed", type="category"),
                  legend={**layout["legend"], "orientation": "h", "x": 0, "y": -0.15})
    return _make_figure(data, layout)


__all__ = [
    "DEFAULT_LABELS",
    "OKABE_ITO_TEN_HEX",
    "WATERFALL_FROM",
    "BarSegments",
    "BoundPoint",
    "bar_segments",
    "bound_at",
    "bound_bars_figure",
    "bound_figure",
    "bound_history",
    "coins_posterior_figure",
    "coins_table",
    "coins_theta_figure",
    "decomposition_figure",
    "determinant_figure",
    "determinants",
    "singularity_loglik_figure",
    "vb_elbo_figure",
    "vb_weights_figure",
    "weight_line",
]
