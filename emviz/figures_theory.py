"""Figures for the theory labs: the lower bound, singularities, variational Bayes, two coins.

Plain builders with no Streamlit, in the style of :mod:`emviz.figures`:
``(data, result, options) -> go.Figure`` (or a ``pd.DataFrame`` for tables). Every number
drawn comes from the engine (:func:`emviz.em.bound_terms`, :class:`emviz.em.Trace`,
:class:`emviz.vbgmm.VBTrace`, :class:`emviz.coins.CoinTrace`); nothing is recomputed here
except differences and sums for layout.

User-visible text has English defaults in :data:`DEFAULT_LABELS`; the UI passes translated
ones through ``labels=`` (any subset of the keys).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .coins import CoinEStep, CoinTrace
from .em import BoundTerms, Params, Trace, bound_terms, e_step
from .figures import (
    _STYLES,
    CURSOR_HEX,
    MIXTURE_HEX,
    RED_HEX,
    FigureOptions,
    _axis,
    _base_layout,
    _make_figure,
    _options,
    component_color,
)
from .numbers import sig
from .vbgmm import VBTrace

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


def _half_step_name(p: BoundPoint, lab: dict[str, str]) -> str:
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
    data = [
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
        raise ValueError("decomposition_figure needs a half-step with responsibilities (h ≥ 1).")
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


# --------------------------------------------------------------------------------------
# Singularities: det Σ_k and ℓ over iterations
# --------------------------------------------------------------------------------------
def _seen(n_states: int, position: int | None, hide_future: bool) -> np.ndarray:
    """Which of ``n_states`` iterations to draw: all, or only up to ``position``."""
    its = np.arange(n_states)
    return its <= position if hide_future and position is not None else np.ones(n_states, bool)


def _whole_run_axis(n_states: int) -> dict[str, Any]:
    """An x-axis over the whole run, so hiding the future does not rescale it."""
    return {"range": [-0.5, max(n_states - 1, 1) + 0.5], "autorange": False}


def determinants(trace: Trace) -> np.ndarray:
    """``det Σ_k`` for every state; array of shape (n_iter + 1, n_components)."""
    return np.array([np.linalg.det(p.covariances) for p in trace.params])


def singularity_figure(
    trace: Trace,
    position: int | None = None,
    options: FigureOptions | None = None,
    reference: Trace | None = None,
    labels: Mapping[str, str] | None = None,
    hide_future: bool = False,
) -> go.Figure:
    """Two panels over iterations: ``det Σ_k`` (log scale) per component, and ℓ.

    Parameters
    ----------
    trace : Trace
    position : int, optional
        Iteration to mark with a cursor.
    reference : Trace, optional
        Another run (e.g. without a remedy) drawn dashed grey for comparison.
    hide_future : bool
        Draw every curve only up to ``position`` (over an axis for the whole run), so a class
        can predict what comes next; the collapse is marked once it is reached.

    Returns
    -------
    go.Figure
        A collapsed run is marked in red on its last state; an infinite ℓ is drawn as an
        arrow off the top of the panel.
    """
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    dets = determinants(trace)
    its = np.arange(dets.shape[0])
    seen = _seen(len(its), position, hide_future)
    tiny = np.finfo(float).tiny
    data: list[dict] = []
    for k in range(dets.shape[1]):
        data.append({
            "type": "scatter", "mode": "lines+markers", "x": its[seen],
            "y": np.maximum(dets[seen, k], tiny), "name": lab["component"].format(k=k + 1),
            "legendgroup": str(k), "line": {"color": component_color(k, opts.palette),
                                           "width": style.line},
            "marker": {"size": style.point}, "xaxis": "x", "yaxis": "y",
            "hovertemplate": lab["iteration"] + " %{x}<br>det Σ = %{y:.3g}<extra></extra>",
        })  # fmt: skip
    ll = np.asarray(trace.log_likelihood, dtype=float)
    finite = np.isfinite(ll) & seen
    if reference is not None:
        ref = np.asarray(reference.log_likelihood, dtype=float)
        rf = np.isfinite(ref) & _seen(len(ref), position, hide_future)
        data.append({
            "type": "scatter", "mode": "lines", "x": np.arange(len(ref))[rf], "y": ref[rf],
            "name": lab["baseline_run"], "line": {"color": "#9A9A9A", "dash": "dash",
                                                  "width": style.line},
            "xaxis": "x2", "yaxis": "y2",
            "hovertemplate": lab["iteration"] + " %{x}<br>ℓ = %{y:.6g}<extra></extra>",
        })  # fmt: skip
    data.append({
        "type": "scatter", "mode": "lines+markers", "x": its[finite], "y": ll[finite],
        "name": lab["loglik"], "line": {"color": MIXTURE_HEX, "width": style.line},
        "marker": {"size": style.point}, "xaxis": "x2", "yaxis": "y2",
        "hovertemplate": lab["iteration"] + " %{x}<br>ℓ = %{y:.6g}<extra></extra>",
    })  # fmt: skip
    layout = _base_layout(opts, style)
    whole = _whole_run_axis(max(len(its), len(reference.params) if reference else 0)) \
        if hide_future else {}
    layout.update(
        xaxis={**_axis("", style), "domain": [0, 1], "anchor": "y", "matches": "x2",
               "showticklabels": False},
        yaxis={**_axis(lab["det"], style), "type": "log", "domain": [0.55, 1],
               "exponentformat": "power"},
        xaxis2={**_axis(lab["iteration"], style), "anchor": "y2", **whole},
        yaxis2={**_axis(lab["loglik"], style), "domain": [0, 0.45]},
        legend={**layout["legend"], "orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        margin={**layout["margin"], "t": 40},
    )  # fmt: skip
    shapes = []
    if position is not None:
        for yref in ("y domain", "y2 domain"):
            shapes.append({"type": "line", "x0": position, "x1": position, "y0": 0, "y1": 1,
                           "xref": "x", "yref": yref,
                           "line": {"color": CURSOR_HEX, "width": 1.5, "dash": "dot"}})
    if (trace.stop_reason == "collapsed" and trace.collapsed_component is not None
            and seen[-1]):
        k = trace.collapsed_component
        last = int(its[-1])
        data.append({
            "type": "scatter", "mode": "markers", "x": [last], "y": [max(dets[-1, k], tiny)],
            "marker": {"symbol": "x", "size": style.mean + 4, "color": RED_HEX},
            "showlegend": False, "xaxis": "x", "yaxis": "y", "hoverinfo": "skip",
        })  # fmt: skip
        layout["annotations"].append({
            "text": lab["collapsed_at"].format(k=k + 1), "x": last, "y": 0.02, "xref": "x",
            "yref": "y domain", "xanchor": "right", "yanchor": "bottom", "showarrow": False,
            "font": {"color": RED_HEX, "size": style.font},
            "bgcolor": "rgba(255,255,255,0.8)",
        })  # fmt: skip
        if not finite[-1]:
            top = float(ll[finite].max()) if finite.any() else 0.0
            layout["annotations"].append({
                "text": lab["infinite"], "x": last, "y": top, "xref": "x2", "yref": "y2",
                "ax": 0, "ay": 40, "showarrow": True, "arrowhead": 2, "arrowcolor": RED_HEX,
                "font": {"color": RED_HEX, "size": style.font},
            })  # fmt: skip
    layout["shapes"] = shapes
    return _make_figure(data, layout)


# --------------------------------------------------------------------------------------
# Variational Bayes: the ELBO and the expected weights over iterations
# --------------------------------------------------------------------------------------
def vb_elbo_figure(
    trace: VBTrace,
    position: int | None = None,
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
    hide_future: bool = False,
) -> go.Figure:
    """The ELBO of every state (after each E-step), which never decreases.

    ``hide_future`` draws it only up to ``position`` (over an axis for the whole run).
    """
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    y = np.asarray(trace.elbo, dtype=float)
    seen = _seen(len(y), position, hide_future)
    data = [{
        "type": "scatter", "mode": "lines+markers", "x": np.arange(len(y))[seen], "y": y[seen],
        "name": lab["vb_elbo"], "line": {"color": ELBO_HEX, "width": style.line},
        "marker": {"size": style.point},
        "hovertemplate": lab["iteration"] + " %{x}<br>ELBO = %{y:.6g}<extra></extra>",
    }]  # fmt: skip
    layout = _base_layout(opts, style)
    layout.update(showlegend=False,
                  xaxis=_axis(lab["iteration"], style,
                              **(_whole_run_axis(len(y)) if hide_future else {})),
                  yaxis=_axis(lab["vb_elbo"], style))
    if position is not None:
        layout["shapes"] = [{"type": "line", "x0": position, "x1": position, "y0": 0, "y1": 1,
                             "xref": "x", "yref": "paper",
                             "line": {"color": CURSOR_HEX, "width": 1.5, "dash": "dot"}}]
    return _make_figure(data, layout)


def vb_weights_figure(
    trace: VBTrace,
    position: int | None = None,
    threshold: float = 1e-2,
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
    hide_future: bool = False,
) -> go.Figure:
    """``E[π_k]`` per component over iterations (log scale): surplus components die off.

    Components whose final expected weight is below ``threshold`` are drawn dashed (with
    ``hide_future``, those below it at ``position``, and only up to ``position``).
    """
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    w = np.asarray(trace.expected_weights, dtype=float)
    its = np.arange(w.shape[0])
    seen = _seen(len(its), position, hide_future)
    alive = w[its[seen][-1]] > threshold
    data = [{
        "type": "scatter", "mode": "lines" if seen.sum() > 1 else "markers",  # one state: a dot
        "x": its[seen], "y": np.maximum(w[seen, k], 1e-12),
        "name": lab["component"].format(k=k + 1),
        "line": {"color": component_color(k, opts.palette), "width": style.thick if alive[k]
                 else style.line, "dash": "solid" if alive[k] else "dot"},
        "hovertemplate": f"k = {k + 1}<br>{lab['iteration']} %{{x}}<br>E[π] = %{{y:.3g}}"
                         "<extra></extra>",
    } for k in range(w.shape[1])]  # fmt: skip
    layout = _base_layout(opts, style)
    lo = max(float(np.nanmin(w[seen])), 1e-12)
    layout.update(
        xaxis=_axis(lab["iteration"], style, **(_whole_run_axis(len(its)) if hide_future else {})),
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
    if position is not None:
        layout["shapes"].append({"type": "line", "x0": position, "x1": position, "y0": 0,
                                 "y1": 1, "xref": "x", "yref": "paper",
                                 "line": {"color": CURSOR_HEX, "width": 1.5, "dash": "dot"}})
    return _make_figure(data, layout)


def surviving_params(
    params: Params, weights: np.ndarray, threshold: float
) -> tuple[Params, np.ndarray]:
    """The components with expected weight above ``threshold`` (weights renormalised).

    Returns
    -------
    params : Params
    kept : array of int
        Indices of the kept components (to keep their colours: ``palette[kept]``).
    """
    kept = np.flatnonzero(np.asarray(weights) > threshold)
    if kept.size == 0:
        kept = np.array([int(np.argmax(weights))])
    w = params.weights[kept]
    return Params(w / w.sum(), params.means[kept], params.covariances[kept]), kept


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
    total_row = {c: None for c in df.columns}
    total_row.update({lab["set"]: lab["total"], lab["tosses"]: "",
                      lab["heads"]: int(h.sum().round()), lab["tails"]: int(t.sum().round()),
                      lab["heads_a"]: totals["heads_a"], lab["tails_a"]: totals["tails_a"],
                      lab["heads_b"]: totals["heads_b"], lab["tails_b"]: totals["tails_b"]})
    return pd.concat([df, pd.DataFrame([total_row])], ignore_index=True)


def coins_theta_figure(
    traces: Mapping[str, CoinTrace],
    position: int | None = None,
    mle: tuple[float, float] | None = None,
    options: FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
    hide_future: bool = False,
) -> go.Figure:
    """θ_A and θ_B over iterations for each run (e.g. ``{"soft": ..., "hard": ...}``).

    Parameters
    ----------
    traces : mapping of name -> CoinTrace
        Soft runs are drawn solid, hard runs dashed.
    position : int, optional
        Iteration cursor.
    mle : (θ_A, θ_B), optional
        The complete-data estimates when the labels are known, drawn as dotted lines.
    hide_future : bool
        Draw the runs only up to ``position`` (over an axis for the whole run).
    """
    opts, lab = _options(options), _labels(labels)
    style = _style(opts)
    data: list[dict] = []
    n_states = 1
    for name, tr in traces.items():
        seen = _seen(tr.thetas.shape[0], position, hide_future)
        th = tr.thetas[seen]
        its = np.arange(tr.thetas.shape[0])[seen]
        n_states = max(n_states, tr.thetas.shape[0])
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
    if position is not None:
        shapes.append({"type": "line", "x0": position, "x1": position, "y0": 0, "y1": 1,
                       "xref": "x", "yref": "paper",
                       "line": {"color": CURSOR_HEX, "width": 1.5, "dash": "dot"}})
    layout.update(xaxis=_axis(lab["iteration"], style, dtick=1,
                              **(_whole_run_axis(n_states) if hide_future else {})),
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
    "BarSegments",
    "BoundPoint",
    "bar_segments",
    "bound_at",
    "bound_bars_figure",
    "bound_history",
    "coins_posterior_figure",
    "coins_table",
    "coins_theta_figure",
    "decomposition_figure",
    "determinants",
    "singularity_figure",
    "surviving_params",
    "vb_elbo_figure",
    "vb_weights_figure",
]
