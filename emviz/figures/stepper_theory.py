"""Stepper payloads of three theory labs: singularities, variational Bayes, the two coins.

Each builder replays a lab's run(s) in the browser-side stepper, in the payload format of
:mod:`emviz.figures.stepper` (read its module docstring first). Pure: no Streamlit, so every
position can be checked against the run it replays.

Positions
---------
* :func:`singularity_payload` and :func:`vb_payload`: one position per state of the run,
  ``0`` = the start and ``i`` = after iteration ``i`` (an E-step then an M-step). *Step* goes
  to the next position; there are no E/M half-steps.
* :func:`coins_payload`: the half-step timeline of Explore, ``0`` = the start, ``2i - 1`` =
  the E-step of iteration ``i``, ``2i`` = its M-step.

What follows the position
-------------------------
Singularities: the data coloured by the responsibilities of the state shown, its ellipses,
``det Σ_k`` on its log axis and ℓ (a cursor and a ring on each), the status line, and the
big numbers ℓ and the smallest ``det Σ_k``. Variational Bayes: the same scatter with every
component of the run (a component is hidden while its ``E[π_k]`` is below the threshold), the
``E[π_k]`` curves (a component's line turns dotted once it falls below, drawn once stepping
pauses), the ELBO, and the numbers alive / ELBO. The scatter and the weight chart number and
colour the components the same way (component ``k`` is "k = k + 1" in ``options.palette[k]``
in both). Two coins: the
posterior bars, θ_A and θ_B over iterations, the table of credited heads and tails (the
E-step behind the position), and the numbers θ_A, θ_B and the log-likelihood.

Every curve over iterations has a reveal spec: with the stepper's "Hide the future" the
class sees it only as far as it has stepped, and what announces the end (the collapse, the
survivors, the paper's result) waits in the ``end`` box of the last position.

Words come from :data:`TEXT` (English defaults; a UI passes translations through ``text=``,
together with :data:`emviz.figures.stepper.TEXT`'s) and the figures' labels
(:data:`emviz.figures.theory.DEFAULT_LABELS`, through ``labels=``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import plotly.graph_objects as go

from emviz._messages import error
from emviz.engine.coins import CoinEStep, CoinTrace
from emviz.engine.em import Trace, e_step
from emviz.engine.vbgmm import VBTrace, vb_e_step
from emviz.errors import CollapseError, ParameterError
from emviz.figures import geometry as geo
from emviz.figures import mixture as F
from emviz.figures import stepper as S
from emviz.figures import theory as ft
from emviz.model.params import Params
from emviz.numbers import sig, sig_join

#: A run with fewer positions after the start than this has no Play (a few clicks do).
PLAY_FROM = 4

#: English defaults of the words these payloads show (keys ``steptheory.<key>`` in the UI's
#: catalog). ``{h}`` and ``{last}`` in ``it_half`` and ``it_half_hidden`` are filled by the
#: browser; the rest with ``str.format`` here.
TEXT: dict[str, str] = {
    # the controls, where a position is one whole iteration
    "it_back_help": "One iteration back (key ←).",
    "it_step_help": "One more iteration: an E-step then an M-step (key →).",
    "it_play_help": "Play the run from here, one iteration at a time (key P).",
    "it_run_help": "Jump to the end of the run.",
    "it_timeline_help": "0 is the start; each position is one more iteration (an E-step "
                        "then an M-step).",
    "it_keys": "Keys: → next iteration · ← back · P play / pause · Home reset",
    "it_half": "iteration {h} of {last}",
    "it_half_hidden": "iteration {h}",
    "it_label": "iteration {i}",
    "it_start": "Start (iteration 0)",
    "it_title": "Iteration {i}",
    "predict_help": "Draw the curves only as far as you have stepped, so the class can "
                    "predict what comes next.",
    # singularities
    "sing_ll": "log-likelihood ℓ",
    "sing_min_det": "smallest det Σ_k",
    "sing_min_det_value": "{det} (k = {k})",
    "sing_dets": "det Σ_k = {dets}",
    "sing_caption": "The points are coloured by the responsibilities of the ellipses shown.",
    "sing_caption_collapsed": "The collapsed state: no E-step is possible, so the points keep "
                              "the colours of the iteration before.",
    "sing_collapsed": "Collapse detected at iteration {it}: component {k} shrank onto "
                      "(nearly) one point. Its det Σ fell from {det0} to {det}, which is zero "
                      "to machine precision: there the likelihood is unbounded (ℓ → +∞). EM "
                      "stopped here instead of crashing. ℓ rose at every step, exactly as EM "
                      "promises, but what it climbed towards is a degenerate spike, not a "
                      "better model: maximum likelihood is ill-posed for mixtures. Switch on a "
                      "remedy above.",
    "sing_no_collapse": "No collapse with these settings. Try the singularity trap preset, a "
                        "larger K or another seed.",
    "sing_no_collapse_baseline": "Even without a remedy this run does not collapse, so there "
                                 "is nothing to prevent here. The dashed line is the run "
                                 "without a remedy.",
    "sing_prevented": "{remedy} prevents the collapse. Without it EM collapsed at iteration "
                      "{it} (dashed line); with it the run finishes after {n} iterations with "
                      "every det Σ_k bounded away from 0.",
    # variational Bayes
    "vb_alive": "Components alive now",
    "vb_alive_value": "{n} / {k}",
    "vb_elbo": "ELBO",
    "vb_drawn": "Drawn: the {n} components with E[π_k] > {threshold}. Each has the same "
                "number and colour in both charts.",
    "vb_end": "After {n} iterations ({stop}): {alive} of {k} components survive.",
    "vb_end_exact": "After {n} iterations ({stop}): {alive} of {k} components survive. The "
                    "ELBO never decreased; reg_covar = 0, so each update is the exact "
                    "coordinate-ascent step.",
    "vb_decreased": "The ELBO decreased at iteration {it} by {amount}: that should not "
                    "happen; please report it.",
    "vb_stop_converged": "converged",
    "vb_stop_max_iter": "reached max_iter",
    "vb_stop_collapsed": "a covariance became singular",
    # two coins
    "coins_e_help": "P(A | set) for every set, and each set's heads and tails credited to "
                    "the two coins in those proportions (key →).",
    "coins_m_help": "New θ_A and θ_B from the totals row of the table (key →).",
    "coins_run": "Run 10 iterations",
    "coins_run_help": "Jump to the end of the run (the paper stops after 10 iterations).",
    "coins_soft": "Soft EM",
    "coins_hard": "Hard EM",
    "coins_kind_init": "Start (iteration {i})",
    "coins_kind_E": "E-step of iteration {i}",
    "coins_kind_M": "M-step of iteration {i}",
    "coins_loglik": "log-likelihood",
    "coins_at_init": "Start: θ_A = {a}, θ_B = {b}. Press E-step to see which coin each set "
                     "probably came from.",
    "coins_after_e": "E-step {i}: P(A | set) for each set, and the expected heads and tails "
                     "credited to each coin (table). θ has not changed yet.",
    "coins_after_m": "M-step {i}: θ_A = {ha} / ({ha} + {ta}) = {a} and θ_B = {hb} / ({hb} + "
                     "{tb}) = {b}, from the totals row.",
    "coins_table0": "The sets: no E-step yet, so no heads or tails are credited to a coin.",
    "coins_table": "E-step {i}: P(coin | set) and the heads and tails credited to each coin; "
                   "the M-step divides the totals.",
    "coins_no_estep": "no E-step yet",
    "coins_compare": "After 10 iterations: soft EM θ_A = {sa}, θ_B = {sb} (the paper: 0.80, "
                     "0.52); hard EM θ_A = {ha}, θ_B = {hb}. Hard EM throws away the "
                     "uncertainty, so it behaves like k-means on the sets.",
}


# --------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------
def _text(text: Mapping[str, str] | None) -> dict[str, str]:
    return {**S.TEXT, **TEXT, **dict(text or {})}


def _iteration_words(tx: Mapping[str, str]) -> dict[str, str]:
    """The controls' words for a timeline of whole iterations."""
    return {**tx, "back_help": tx["it_back_help"], "step_help": tx["it_step_help"],
            "play_help": tx["it_play_help"], "run_help": tx["it_run_help"],
            "timeline_help": tx["it_timeline_help"], "keys": tx["it_keys"],
            "half": tx["it_half"], "half_hidden": tx["it_half_hidden"],
            "predict_help": tx["predict_help"]}


def controls(last: int, half_steps: bool) -> tuple[str, ...]:
    """The stepper controls of a run whose last position is ``last``: E/M only on a
    half-step timeline, Play only when there are at least :data:`PLAY_FROM` steps."""
    drop = {"new_init"}
    if not half_steps:
        drop |= {"e", "m"}
    if last < PLAY_FROM:
        drop |= {"play", "speed"}
    return tuple(c for c in S.CONTROLS if c not in drop)


def _floats(value: Any) -> np.ndarray:
    """A figure's array (a NumPy array, a list or Plotly's typed-array spec) as float64."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"]).astype(float)
    return np.asarray([np.nan if v is None else v for v in (value if value is not None
                                                            else [])], dtype=float)


def _figure_json(fig: go.Figure) -> tuple[list[dict], dict]:
    j = fig.to_plotly_json()
    return list(j["data"]), dict(j["layout"])


def _y_range(data: Sequence[Mapping[str, Any]], log: bool) -> list[float]:
    """A padded y range over the traces' finite values (log10 units on a log axis)."""
    ys = np.concatenate([_floats(tr.get("y")) for tr in data] or [np.zeros(0)])
    ys = ys[np.isfinite(ys) & ((ys > 0) if log else True)]
    if not ys.size:
        return [0.0, 1.0]
    if log:
        lo, hi = float(np.log10(ys.min())), float(np.log10(ys.max()))
        pad = max(0.25, 0.05 * (hi - lo))
        return [lo - pad, hi + pad]
    return F._padded_range(float(ys.min()), float(ys.max()), 0.06)


def _curve_chart(
    chart_id: str,
    fig: go.Figure,
    n: int,
    *,
    cursor_x: Callable[[int], float],
    rings: Callable[[int], tuple[Sequence[float], Sequence[float]]],
    upto: Sequence[int],
    x_range: Sequence[float],
    options: F.FigureOptions,
    annotations: Sequence[int] = (),
    fixed_y: bool = False,
    role: str = "side",
) -> dict[str, Any]:
    """A chart of curves over iterations with a cursor (a dotted line) and rings on the
    values at each position, drawn by the browser over fixed axes (:func:`emviz.figures.
    stepper.marks`), so a step redraws nothing of the figure. Every curve can hide its
    future (``upto``)."""
    data, layout = _figure_json(fig)
    curves = list(range(len(data)))
    yaxis = dict(layout.get("yaxis", {}))
    log = yaxis.get("type") == "log"
    if "range" not in yaxis:
        yaxis["range"] = _y_range(data, log)
    # automargin: wide tick labels (10⁻²⁰, a projector's fonts) push the title out, not over
    yaxis.update(autorange=False, automargin=True)
    layout["yaxis"] = yaxis
    layout["xaxis"] = {**layout.get("xaxis", {}), "range": list(x_range), "autorange": False,
                       "automargin": True}
    # Plotly shows a legend by default only with two traces or more: a single curve keeps it
    layout.setdefault("showlegend", True)
    lo, hi = yaxis["range"]
    span = hi - lo
    # the cursor reaches past the axis, so it spans whatever part of the run is revealed
    reach = [lo - span, hi + span]
    if log:
        reach = [10.0 ** max(reach[0], -307.0), 10.0 ** min(reach[1], 307.0)]
    style = F._STYLES[bool(options.presenter)]
    styles = [{"type": "line", "color": F.CURSOR_HEX, "width": style.line, "dash": "dot"},
              {"type": "rings", "color": F.CURSOR_HEX, "width": style.line,
               "size": style.mean + 6}]
    off = 10.0 ** min(hi + span, 307.0) if log else hi + span  # a value not drawn: off chart

    def moves(h: int) -> list[dict[str, Any]]:
        xs, ys = rings(h)
        ys = [float(y) if np.isfinite(y) and (not log or y > 0) else off for y in ys]
        return [{"x": [cursor_x(h)] * 2, "y": reach},
                {"x": [float(x) for x in xs], "y": ys}]

    return S.chart(
        chart_id, {"data": data, "layout": layout}, role=role,
        channels=[S.marks(styles, S.series(range(n), moves))],
        reveal={"traces": curves, "upto": [int(u) for u in upto],
                "annotations": list(annotations), "x_range": list(x_range),
                "fixed_y": bool(fixed_y)},
    )


def _hide_components(d: int, geometry: list[dict], shown: np.ndarray) -> list[dict]:
    """A state's geometry (:data:`emviz.figures.mixture._GEOMETRY`) with the components that are not
    ``shown`` drawn nowhere: NaN coordinates (2D, moved by ``Plotly.animate``, which keeps
    the arrays' lengths) or invisible traces (1D densities, 3D ellipsoids)."""
    k = len(shown)
    out = [dict(g) for g in geometry]
    means = out[-1]
    for a in ("x", "y", "z"):
        if a in means:
            v = np.array(means[a], dtype=np.float32)
            v[~shown] = np.nan
            means[a] = v
    if d == 2:
        halo = out[0]
        segment = len(halo["x"]) // k
        for a in ("x", "y"):
            v = np.array(halo[a], dtype=np.float32).reshape(k, segment)
            v[~shown] = np.nan
            halo[a] = v.reshape(-1)
        for hidden in np.flatnonzero(~shown):
            ell = out[1 + hidden]
            out[1 + hidden] = {**ell, "x": np.full(len(ell["x"]), np.nan, np.float32),
                          "y": np.full(len(ell["y"]), np.nan, np.float32)}
    else:
        for j in range(k):
            out[j] = {**out[j], "visible": bool(shown[j]), "showlegend": bool(shown[j])}
    return out


def mixture_chart(
    X: Any,
    states: Sequence[Params],
    drawn_at: Sequence[int],
    coloured_by: Sequence[int | None],
    responsibilities: Callable[[np.ndarray, int], np.ndarray],
    *,
    options: F.FigureOptions | None = None,
    shown: Sequence[np.ndarray] | None = None,
    hover: bool = True,
    chart_id: str = "mixture",
    legend_above: bool = True,
) -> dict[str, Any]:
    """The data and a mixture at every position, as Explore's stepper draws them.

    Parameters
    ----------
    X : array of shape (n_drawn, n_features)
        The points to draw, 1 to 3 features. Fewer are drawn if a long run's colour table
        would exceed :data:`emviz.figures.stepper.MAX_CODE_BYTES`.
    states : sequence of Params
        The mixtures of the run, all with the same number of components.
    drawn_at : sequence of int
        Per position, the index of the state drawn (ellipses, ellipsoids or densities).
    coloured_by : sequence of int or None
        Per position, the index of the state whose responsibilities colour the points
        (None: grey, no responsibilities yet).
    responsibilities : callable
        ``responsibilities(X_drawn, i)``: the responsibilities of state ``i`` at the drawn
        points, array of shape (n_drawn, n_components).
    options : FigureOptions, optional
        ``options.palette`` colours component ``k``.
    shown : sequence of bool arrays of shape (n_components,), optional
        Per state, which components to draw (default: all). The others are drawn nowhere
        and left out of the legend; every component keeps its number and colour.
    hover : bool
        Let the browser show a point's responsibilities (2D and 3D). Only for Gaussian
        mixtures: the browser computes them from the state's π, μ, Σ.
    chart_id : str
    legend_above : bool
        A horizontal legend above the chart (else Explore's, to its right).

    Returns
    -------
    dict
        A chart of :func:`emviz.figures.stepper.chart` (2D: points on a canvas under SVG ellipses
        moved by ``Plotly.animate``; 1D: histogram, densities and responsibility bands;
        3D: points and ellipsoids).

    Raises
    ------
    ParameterError
        If ``X`` does not match the states' features, or the per-position sequences differ
        in length (or ``shown`` from the number of states).
    """
    opts = options or F.FigureOptions()
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    keys, colour_keys = list(drawn_at), list(coloured_by)
    features = {p.n_features for p in states}
    if (X.ndim != 2 or len(X) < 1 or features != {X.shape[1]} or len(keys) != len(colour_keys)
            or not keys or (shown is not None and len(shown) != len(states))):
        raise error(ParameterError, "stepper.mixture_chart", shape=X.shape,
                    features=sorted(features), drawn=len(keys), coloured=len(colour_keys),
                    shown="all" if shown is None else len(shown), states=len(states))
    d, k = X.shape[1], states[0].n_components
    distinct = len({c for c in colour_keys if c is not None})
    n_draw = max(1, min(len(X), S.MAX_CODE_BYTES // max(distinct, 1)))
    if n_draw < len(X):
        keep = np.sort(np.random.default_rng(0).choice(len(X), n_draw, replace=False))
        X = X[keep]
    resps: dict[int, np.ndarray] = {}

    def resp(i: int | None) -> np.ndarray | None:
        if i is None:
            return None
        if i not in resps:
            resps[i] = responsibilities(X, i)
        return resps[i]

    ctx = F._make_ctx(X, k, opts, F.STEPPED)
    colorscale, grey = F._code_colorscale(ctx)
    if d == 3:
        ctx.extra["marker"] = {"color": F._codes(None, len(X), grey), "colorscale": colorscale,
                               "cmin": 0, "cmax": grey, "showscale": False}
    if d == 1:
        ymax = max(float(geo.mixture_density_1d(F._grid_1d(ctx), states[i])[1].max())
                   for i in set(keys))
        edges, which = F._bins_1d(ctx)
        counts = np.bincount(which, minlength=len(edges) - 1)
        ctx.extra["ymax"] = min(ymax, 3.0 * float((counts / (counts.sum() * np.diff(edges))).max()))
    data, layout = F._FIGURES[d](ctx, states[keys[0]], None, None)
    layout = F._merge_layout(F._base_layout(opts, ctx.style), layout)
    if legend_above and d != 3:
        layout["legend"] = {**layout.get("legend", {}), "orientation": "h", "x": 0, "y": 1.02,
                            "xanchor": "left", "yanchor": "bottom"}

    def geometry(i: int) -> list[dict]:
        g = F._GEOMETRY[d](ctx, states[i])
        return g if shown is None else _hide_components(d, g, np.asarray(shown[i], bool))

    geom_traces = list(range(1, 1 + len(geometry(keys[0]))))
    if d == 2:
        # moved by Plotly.animate without a redraw; the legend follows once stepping pauses
        moving = S.animate(geom_traces, S.series(keys, lambda i: [
            {a: v for a, v in g.items() if a in ("x", "y")} for g in geometry(i)]))

        def legend(i: int) -> list[dict]:
            names = [{"name": g["name"]} if "name" in g else {} for g in geometry(i)]
            if shown is not None:
                for j, alive in enumerate(np.asarray(shown[i], bool)):
                    names[1 + j]["showlegend"] = bool(alive)
            return names

        channels = [moving, S.restyle(geom_traces, S.series(keys, legend), deferred=True)]
    else:
        channels = [S.restyle(geom_traces, S.series(keys, geometry))]
    main = S.chart(chart_id, {}, channels=channels)

    if d == 2:
        data[0] = {**data[0], "x": np.zeros(0, np.float32), "y": np.zeros(0, np.float32),
                   "hoverinfo": "skip"}
        layout["paper_bgcolor"] = layout["plot_bgcolor"] = "rgba(0,0,0,0)"
        dense = len(X) > F.WEBGL_THRESHOLD
        main["canvas"] = {
            "x": F._f32(X[:, 0]),
            "y": F._f32(X[:, 1]),
            "colors": [c for _, c in colorscale],
            "codes": S.series(colour_keys, lambda i: F._codes(resp(i), len(X), grey)),
            "size": float(ctx.style.point * (0.7 if dense else 1.0)),
            "opacity": 0.6 if dense else 0.75,
        }
    else:
        colour_traces = [0] if d == 3 else list(range(geom_traces[-1] + 1,
                                                      geom_traces[-1] + 2 + k))

        def colours(i: int | None) -> list[dict]:
            if d == 1:
                return F._bands_1d(ctx, resp(i))
            return [{"marker.color": F._codes(resp(i), len(X), grey)}]

        main["channels"].append({"kind": "restyle", "traces": colour_traces,
                                  **S.series(colour_keys, colours)})
    if d == 1 and None in colour_keys:
        no_resp = F.figure_text(opts)["no_resp"]
        note = next(i for i, a in enumerate(layout["annotations"]) if a["text"] == no_resp)
        main["channels"].append(S.relayout(S.series(
            [c is None for c in colour_keys], lambda none: {f"annotations[{note}].visible": none})))
    if hover and d in (2, 3):
        main["hover"] = {"params": [{"weights": p.weights, "means": p.means,
                                     "covariances": p.covariances} for p in states],
                         "index": [-1 if c is None else c for c in colour_keys],
                         "columns": F._axis_names(opts, d), "colors": list(ctx.colors)}
        if d == 3:
            data[0] = {**data[0], "hoverinfo": "none"}
    main["figure"] = {"data": data, "layout": layout}
    return main


# --------------------------------------------------------------------------------------
# Singularities
# --------------------------------------------------------------------------------------
def _singularity_end(trace: Trace, baseline: Trace | None, remedy: str,
                     tx: Mapping[str, str]) -> dict[str, str]:
    if trace.stop_reason == "collapsed":
        k = trace.collapsed_component or 0
        dets = ft.determinants(trace)[:, k]
        text = tx["sing_collapsed"].format(it=trace.n_iter, k=k + 1, det=sig(dets[-1], 3),
                                           det0=sig(dets[0], 3))
        return {"text": text, "level": "warning"}
    if baseline is None:
        return {"text": tx["sing_no_collapse"], "level": "info"}
    if baseline.stop_reason == "collapsed":
        return {"text": tx["sing_prevented"].format(remedy=remedy, it=baseline.n_iter,
                                                    n=trace.n_iter), "level": "success"}
    return {"text": tx["sing_no_collapse_baseline"], "level": "info"}


def singularity_payload(
    X: Any,
    trace: Trace,
    *,
    baseline: Trace | None = None,
    remedy: str = "",
    options: F.FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
    text: Mapping[str, str] | None = None,
    curve_height: int | None = None,
) -> dict[str, Any]:
    """The singularity lab's run, one position per iteration.

    Parameters
    ----------
    X : array of shape (n_drawn, n_features)
        The points to draw (a subset of the fitted data is fine).
    trace : Trace
        The run with the chosen remedy (or none).
    baseline : Trace, optional
        The run from the same start without a remedy, drawn dashed beside ℓ; None when
        ``trace`` is that run.
    remedy : str
        The remedy's name as the reader reads it (for the end box).
    options : FigureOptions, optional
    labels : mapping, optional
        Translations of :data:`emviz.figures.theory.DEFAULT_LABELS`.
    text : mapping, optional
        Translations of :data:`TEXT` and :data:`emviz.figures.stepper.TEXT`.
    curve_height : int, optional
        Height of the det and ℓ charts (default: half the scatter's).

    Returns
    -------
    dict
        The payload (charts "mixture", "det" and "loglik"; metrics "ll" and "min_det").
    """
    opts = options or F.FigureOptions()
    tx = _text(text)
    n = trace.n_iter + 1
    positions = range(n)
    collapsed = trace.stop_reason == "collapsed"
    # No E-step can follow a collapsed state: its points keep the colours of the one before.
    coloured = [max(i - 1, 0) if collapsed and i == n - 1 else i for i in positions]

    def responsibilities(points: np.ndarray, i: int) -> np.ndarray:
        try:
            return e_step(points, trace.params[i]).resp
        except CollapseError:
            return e_step(points, trace.params[max(i - 1, 0)]).resp

    mixture = mixture_chart(X, trace.params, list(positions), coloured, responsibilities,
                            options=opts)
    small = replace(opts, height=curve_height or max(opts.height // 2, 260))
    dets = ft.determinants(trace)
    tiny = np.finfo(float).tiny
    ll = np.asarray(trace.log_likelihood, dtype=float)
    n_states = max(n, len(baseline.params) if baseline is not None else 0)
    x_range = [-0.5, max(n_states - 1, 1) + 0.5]
    det_fig = ft.determinant_figure(trace, small, labels)
    det_chart = _curve_chart(
        "det", det_fig, n, cursor_x=float, upto=list(positions), x_range=x_range,
        rings=lambda i: ([i] * dets.shape[1], np.maximum(dets[i], tiny)), options=opts,
        annotations=list(range(len(det_fig.layout.annotations))))
    ll_fig = ft.singularity_loglik_figure(trace, baseline, small, labels)
    ll_chart = _curve_chart(
        "loglik", ll_fig, n, cursor_x=float, upto=list(positions), x_range=x_range,
        rings=lambda i: ([i], [ll[i]]), options=opts,
        annotations=list(range(len(ll_fig.layout.annotations))))

    def ll_text(i: int) -> str:
        return f"{ll[i]:,.3f}" if np.isfinite(ll[i]) else "+∞"

    def min_det(i: int) -> str:
        k = int(np.argmin(dets[i]))
        return tx["sing_min_det_value"].format(det=sig(dets[i, k], 3), k=k + 1)

    return S.assemble(
        n,
        kinds=["init"] + ["iteration"] * (n - 1),
        labels=[tx["it_label"].format(i=i) for i in positions],
        text=_iteration_words(tx),
        status={
            "title": S.series(positions, lambda i: tx["it_start"] if i == 0
                              else tx["it_title"].format(i=i)),
            "parts": S.series(positions, lambda i: [tx["sing_dets"].format(
                dets=sig_join(dets[i], 3))]),
            "caption": S.series([i != coloured[i] for i in positions], lambda fallback: tx[
                "sing_caption_collapsed" if fallback else "sing_caption"]),
        },
        metrics=[S.metric("ll", tx["sing_ll"], S.series(positions, ll_text)),
                 S.metric("min_det", tx["sing_min_det"], S.series(positions, min_det))],
        charts=[mixture, det_chart, ll_chart],
        end=_singularity_end(trace, baseline, remedy, tx),
        controls=controls(n - 1, half_steps=False),
        step_to=None,
        presenter=opts.presenter,
    )


# --------------------------------------------------------------------------------------
# Variational Bayes
# --------------------------------------------------------------------------------------
def vb_payload(
    X: Any,
    trace: VBTrace,
    *,
    threshold: float = 1e-2,
    options: F.FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
    text: Mapping[str, str] | None = None,
    curve_height: int | None = None,
) -> dict[str, Any]:
    """The variational Bayes lab's run, one position per iteration.

    Parameters
    ----------
    X : array of shape (n_drawn, n_features)
    trace : VBTrace
    threshold : float
        A component is alive while its ``E[π_k]`` is above it: drawn in the scatter, its
        weight line solid.
    options : FigureOptions, optional
        ``options.palette`` colours component ``k`` in both charts (the lab passes
        :data:`emviz.figures.theory.OKABE_ITO_TEN_HEX`, ten distinct colours).
    labels, text : mapping, optional
        As for :func:`singularity_payload`.
    curve_height : int, optional
        Height of the weight and ELBO charts (default: the scatter's, and half of it).

    Returns
    -------
    dict
        The payload (charts "mixture", "weights" and "elbo"; metrics "alive" and "elbo").
    """
    opts = options or F.FigureOptions()
    tx = _text(text)
    n = trace.n_iter + 1
    positions = range(n)
    k = trace.params[0].n_components
    alive = trace.active_mask(threshold)
    # a run whose components all fall below the threshold still draws its heaviest one
    shown = [a if a.any() else np.eye(k, dtype=bool)[int(np.argmax(w))]
             for a, w in zip(alive, trace.expected_weights, strict=True)]
    states = trace.to_params()
    mixture = mixture_chart(
        X, states, list(positions), list(positions),
        lambda points, i: vb_e_step(points, trace.params[i]).resp,
        options=opts, shown=shown, hover=False)
    style = F._STYLES[bool(opts.presenter)]
    w = np.asarray(trace.expected_weights, dtype=float)
    x_range = [-0.5, max(n - 1, 1) + 0.5]
    weights_fig = ft.vb_weights_figure(
        trace, threshold, replace(opts, height=curve_height or opts.height), labels)
    weights = _curve_chart(
        "weights", weights_fig, n, cursor_x=float, upto=list(positions), x_range=x_range,
        rings=lambda i: ([i] * k, np.maximum(w[i], 1e-12)), options=opts)
    # a component's line turns dotted once it has fallen below the threshold (sent only
    # when the set of live components changes). Deferred to when stepping pauses: a line
    # style costs a redraw of every curve, and while the run plays the rings under the
    # threshold line and the scatter already tell which components have died.
    weights["channels"].append(S.restyle(list(range(k)), S.series(
        [tuple(a) for a in alive], lambda mask: [
            {"line.width": ft.weight_line(m, style)["width"],
             "line.dash": ft.weight_line(m, style)["dash"]} for m in mask]), deferred=True))
    elbo = np.asarray(trace.elbo, dtype=float)
    elbo_fig = ft.vb_elbo_figure(
        trace, replace(opts, height=(curve_height or opts.height) // 2 + 60), labels)
    elbo_chart = _curve_chart(
        "elbo", elbo_fig, n, cursor_x=float, upto=list(positions), x_range=x_range,
        rings=lambda i: ([i], [elbo[i]]), options=opts)

    bad = [d for d in trace.decreases() if not d.explained]
    end_text = tx["vb_end" if bad else "vb_end_exact"].format(
        n=trace.n_iter, stop=tx[f"vb_stop_{trace.stop_reason}"], alive=int(alive[-1].sum()), k=k)

    def note(i: int) -> dict[str, str] | None:
        seen = [d for d in bad if d.iteration <= i]
        if not seen:
            return None
        return {"level": "warning", "text": tx["vb_decreased"].format(
            it=seen[0].iteration, amount=f"{seen[0].amount:.3g}")}

    n_alive = [int(a.sum()) for a in alive]
    return S.assemble(
        n,
        kinds=["init"] + ["iteration"] * (n - 1),
        labels=[tx["it_label"].format(i=i) for i in positions],
        text=_iteration_words(tx),
        status={
            "title": S.series(positions, lambda i: tx["it_start"] if i == 0
                              else tx["it_title"].format(i=i)),
            "parts": S.constant([], n),
            "caption": S.series([max(a, 1) for a in n_alive], lambda a: tx["vb_drawn"].format(
                n=a, threshold=f"{threshold:g}")),
        },
        metrics=[S.metric("alive", tx["vb_alive"], S.series(
                     n_alive, lambda a: tx["vb_alive_value"].format(n=a, k=k))),
                 S.metric("elbo", tx["vb_elbo"], S.series(positions,
                                                          lambda i: f"{elbo[i]:,.2f}"))],
        charts=[mixture, weights, elbo_chart],
        end={"text": end_text, "level": "warning" if bad else "success"},
        notes=S.series([sum(d.iteration <= i for d in bad) for i in positions],
                       lambda seen: note(bad[0].iteration) if seen else None),
        controls=controls(n - 1, half_steps=False),
        step_to=None,
        presenter=opts.presenter,
    )


# --------------------------------------------------------------------------------------
# The two coins
# --------------------------------------------------------------------------------------
#: The columns of the E-step table, in :data:`emviz.figures.theory.DEFAULT_LABELS` keys.
COIN_COLUMNS = ("set", "tosses", "heads", "tails", "p_a", "p_b", "heads_a", "tails_a",
                "heads_b", "tails_b")
_CREDITED = ("p_a", "p_b", "heads_a", "tails_a", "heads_b", "tails_b")


def _coin_rows(tosses: Sequence[str], estep: CoinEStep | None,
               lab: Mapping[str, str]) -> list[list[str]]:
    """The table's rows as shown: 2 decimals for what the E-step credits (blank before the
    first E-step, and for P(coin | set) in the totals row)."""
    if estep is None:
        heads = [s.count("H") for s in tosses]
        tails = [s.count("T") for s in tosses]
        rows = [[str(i + 1), s, str(h), str(t), *[""] * len(_CREDITED)]
                for i, (s, h, t) in enumerate(zip(tosses, heads, tails, strict=True))]
        return [*rows, [lab["total"], "", str(sum(heads)), str(sum(tails)),
                        *[""] * len(_CREDITED)]]
    frame = ft.coins_table(tosses, estep, lab)
    out = []
    for row in frame.itertuples(index=False):
        cells = dict(zip(COIN_COLUMNS, row, strict=True))
        out.append([str(cells["set"]), str(cells["tosses"]), str(cells["heads"]),
                    str(cells["tails"]),
                    *["" if cells[c] is None or cells[c] != cells[c] else f"{cells[c]:.2f}"
                      for c in _CREDITED]])
    return out


def coins_payload(
    tosses: Sequence[str],
    runs: Mapping[str, CoinTrace],
    mode: str,
    *,
    mle: tuple[float, float] | None = None,
    options: F.FigureOptions | None = None,
    labels: Mapping[str, str] | None = None,
    text: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The two-coins lab's run on the half-step timeline.

    Parameters
    ----------
    tosses : sequence of str
        The sets as typed ("HTTH..."), one per row of the table.
    runs : mapping of name -> CoinTrace
        The runs drawn over iterations (the lab: ``{"soft": ..., "hard": ...}``, from the
        same start); ``runs[mode]`` is the one stepped through.
    mode : str
        A key of ``runs``.
    mle : (θ_A, θ_B), optional
        The complete-data estimates when every set is labelled (dotted lines).
    options : FigureOptions, optional
    labels, text : mapping, optional
        As for :func:`singularity_payload`.

    Returns
    -------
    dict
        The payload (charts "posterior" and "theta"; table "credited"; metrics "theta_a",
        "theta_b" and "ll").
    """
    opts = options or F.FigureOptions()
    words = _text(text)
    tx = {**words, "e_help": words["coins_e_help"], "m_help": words["coins_m_help"],
          "run": words["coins_run"], "run_help": words["coins_run_help"],
          "predict_help": words["predict_help"]}
    lab = {**ft.DEFAULT_LABELS, **dict(labels or {})}
    trace = runs[mode]
    n = 2 * trace.n_iter + 1
    positions = range(n)
    kinds = ["init" if h == 0 else ("E" if h % 2 else "M") for h in positions]
    state_at = [S.params_index(h) for h in positions]
    estep_at = [S.resp_index(h) for h in positions]
    thetas = trace.thetas
    ll = np.asarray(trace.log_likelihood, dtype=float)

    post = ft.coins_posterior_figure(trace.e_steps[0], opts, labels)
    data, layout = _figure_json(post)
    layout["annotations"] = [*layout.get("annotations", []), {
        "text": tx["coins_no_estep"], "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
        "showarrow": False, "font": {"size": F._STYLES[bool(opts.presenter)].font,
                                     "color": "#444"}}]
    note = len(layout["annotations"]) - 1
    sets = len(trace.e_steps[0].p_a)
    # The bars are drawn by the stepper over the fixed [0, 1] axis; the figure keeps a
    # trace of zero-length bars per coin for the legend and the sets' categories.
    styles = [{"type": "bars", "orientation": "h", "color": d["marker"]["color"],
               "width": 1.0 - float(layout.get("bargap", 0.2)), "name": d["name"]}
              for d in data]
    for d in data:
        for key in ("text", "textposition", "hovertemplate"):
            d.pop(key, None)
        d.update(x=np.zeros(sets), hoverinfo="skip")
    rows = np.arange(sets, dtype=float)

    def bars(i: int | None) -> list[dict[str, Any]]:
        if i is None:
            return [{"x": np.zeros(sets), "y": rows, "base": np.zeros(sets),
                     "text": [""] * sets, "hover": [""] * sets}] * 2
        e = trace.e_steps[i]
        names = post.data[0].y
        return [{"x": p, "y": rows, "base": base, "text": [f"{v:.2f}" for v in p],
                 "hover": [f"{name}: {v:.4f}" for name, v in zip(names, p, strict=True)]}
                for p, base in ((e.p_a, np.zeros(sets)), (e.p_b, e.p_a))]

    posterior = S.chart("posterior", {"data": data, "layout": layout}, channels=[
        S.marks(styles, S.series(estep_at, bars)),
        S.relayout(S.series([i is None for i in estep_at],
                            lambda none: {f"annotations[{note}].visible": none}))])

    theta = _curve_chart(
        "theta", ft.coins_theta_figure(runs, mle, opts, labels), n,
        cursor_x=lambda h: h / 2, upto=state_at,
        x_range=[-0.3, max(len(r.thetas) for r in runs.values()) - 1 + 0.3],
        rings=lambda h: ([state_at[h]] * 2, thetas[state_at[h]]), options=opts,
        fixed_y=True, role="main")

    def caption(h: int) -> str:
        it = (h + 1) // 2
        if h == 0:
            s = trace.states[0]
            return tx["coins_at_init"].format(a=f"{s.theta_a:.2f}", b=f"{s.theta_b:.2f}")
        if h % 2:
            return tx["coins_after_e"].format(i=it)
        tot = trace.e_steps[it - 1].totals
        new = trace.states[it]
        return tx["coins_after_m"].format(
            i=it, ha=f"{tot['heads_a']:.2f}", ta=f"{tot['tails_a']:.2f}",
            a=f"{new.theta_a:.4f}", hb=f"{tot['heads_b']:.2f}", tb=f"{tot['tails_b']:.2f}",
            b=f"{new.theta_b:.4f}")

    mode_name = tx.get(f"coins_{mode}", mode)
    end = None
    if "soft" in runs and "hard" in runs:
        soft, hard = runs["soft"].final, runs["hard"].final
        end = {"text": tx["coins_compare"].format(
            sa=f"{soft.theta_a:.2f}", sb=f"{soft.theta_b:.2f}", ha=f"{hard.theta_a:.2f}",
            hb=f"{hard.theta_b:.2f}"), "level": "info"}
    table = {
        "id": "credited",
        "role": "above",
        "columns": [lab[c] for c in COIN_COLUMNS],
        "rows": S.series(estep_at, lambda i: _coin_rows(
            tosses, None if i is None else trace.e_steps[i], lab)),
        "title": S.series(estep_at, lambda i: tx["coins_table0"] if i is None
                          else tx["coins_table"].format(i=i + 1)),
    }
    return S.assemble(
        n,
        kinds=kinds,
        labels=[F.half_step_label(h, F.figure_text(opts)) for h in positions],
        text=tx,
        status={
            "title": S.series(positions, lambda h: f"{mode_name} · " + tx[
                f"coins_kind_{kinds[h]}"].format(i=(h + 1) // 2)),
            "parts": S.constant([], n),
            "caption": S.series(positions, caption),
        },
        metrics=[S.metric("theta_a", "θ_A", S.series(state_at,
                                                    lambda i: f"{thetas[i, 0]:.2f}")),
                 S.metric("theta_b", "θ_B", S.series(state_at,
                                                    lambda i: f"{thetas[i, 1]:.2f}")),
                 S.metric("ll", tx["coins_loglik"], S.series(state_at,
                                                            lambda i: f"{ll[i]:.4f}"))],
        charts=[posterior, theta],
        tables=[table],
        end=end,
        controls=controls(n - 1, half_steps=True),
        step_to="M",
        presenter=opts.presenter,
    )


__all__ = [
    "COIN_COLUMNS",
    "PLAY_FROM",
    "TEXT",
    "coins_payload",
    "controls",
    "mixture_chart",
    "singularity_payload",
    "vb_payload",
]
