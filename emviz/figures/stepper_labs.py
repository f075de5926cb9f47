"""Stepper payloads of the labs that step in the browser (the format of
:mod:`emviz.figures.stepper`).

A lab computes its run once; the payload replays every position of it, so the browser
steps, scrubs and plays the lab without a rerun, with every linked figure and number
moving together. Pure Python (no Streamlit), tested position by position against the run.

Building blocks
---------------
:func:`mixture_chart`   A Gaussian mixture over the points (1D, 2D or 3D), with the
                        parameters drawn and the responsibilities colouring the points
                        chosen per position: 2D points on a canvas under SVG ellipses that
                        move by ``Plotly.animate``, as on Explore.
:func:`kmeans_chart`    k-means' view: hard colours, Voronoi cells (2D) or boundaries (1D)
                        and the centres, per position.

The labs
--------
:func:`kmeans_gmm_payload`  k-means and EM from the same centres, in lockstep: position
                            ``i`` is iteration ``i`` of both (each side stays at its last
                            iteration once it has stopped), with each side's ARI.
:func:`elbo_payload`        The lower bound ``ln p = L + KL`` and ``L = Q + H`` at every
                            half-step of an EM run (Bishop's figures 9.11-9.14), beside the
                            mixture.

Words come from a ``text`` mapping: :data:`emviz.figures.stepper.TEXT` for the controls, plus the
lab's own keys (:data:`KMEANS_TEXT`, :data:`ELBO_TEXT`, English defaults); the UI passes
translations of any of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from emviz._messages import error
from emviz.engine.em import BoundTerms, Trace, bound_terms, e_step
from emviz.engine.kmeans import KMeansTrace
from emviz.errors import CollapseError, ParameterError
from emviz.figures import geometry as geo
from emviz.figures import labs as FL
from emviz.figures import mixture as F
from emviz.figures import stepper as S
from emviz.figures import theory as FT
from emviz.model.params import Params
from emviz.numbers import sig

#: A run with more positions than this offers Play (and its speeds).
PLAY_FROM = 4

#: Half-steps shown by the lower-bound bars: the current one and the eight before it.
BAR_WINDOW = 9


# --------------------------------------------------------------------------------------
# Generic pieces
# --------------------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    """A figure value ready for the payload: 1-D numeric arrays stay arrays (sent as typed
    arrays, NaN allowed); anything else becomes lists, with NaN and ±inf as None (JSON has
    neither)."""
    if isinstance(value, np.ndarray):
        if value.ndim == 1 and value.dtype.kind in "fiu":
            return value
        return _jsonable(value.tolist())
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return None
    return value


def _controls(n: int, *, half_steps: bool, new_init: bool) -> tuple[str, ...]:
    """The toolbar of a lab: E/M only on a half-step timeline, Play only where a run has
    more than a few positions, New init where the lab can start again."""
    left_out = set()
    if not half_steps:
        left_out |= {"e", "m"}
    if n <= PLAY_FROM:
        left_out |= {"play", "speed"}
    if not new_init:
        left_out.add("new_init")
    left_out.add("predict")  # neither lab draws a curve whose future could be hidden
    return tuple(c for c in S.CONTROLS if c not in left_out)


def _legend_below(layout: dict[str, Any], title: str | None, options: F.FigureOptions
                  ) -> dict[str, Any]:
    """A chart's layout with its legend at its foot (a chart beside another is narrow) and,
    optionally, a title. The title stays put: a title that changed with the position would
    cost a layout redraw per step (the status line says where each side is)."""
    style = F._STYLES[bool(options.presenter)]
    out = {
        **layout,
        "margin": {**layout.get("margin", {}), "r": 10},
    }
    if title is not None:
        out["title"] = {"text": title, "x": 0.02, "xanchor": "left",
                        "font": {"size": style.font + 2}}
        out["margin"]["t"] = 60
    out["legend"] = {**layout.get("legend", {}), "orientation": "h", "x": 0,
                     "xanchor": "left", "y": FT.below_x_axis(options, out["margin"]["t"]),
                     "yanchor": "top"}
    return out


def _resp_or_none(X: np.ndarray, params: Params) -> np.ndarray | None:
    try:
        return e_step(X, params).resp
    except CollapseError:
        return None


def mixture_chart(
    chart_id: str,
    X: Any,
    params: Sequence[Params],
    shown: Sequence[int],
    coloured_by: Sequence[int | None],
    options: F.FigureOptions | None = None,
    *,
    role: str = "main",
    title: str | None = None,
    legend_below: bool = False,
) -> dict[str, Any]:
    """A mixture over the points whose parameters and colours follow the position.

    Parameters
    ----------
    chart_id : str
    X : array of shape (n_points, n_features), 1 ≤ n_features ≤ 3
        The points drawn.
    params : sequence of Params
        Every state of the run (e.g. ``trace.params``).
    shown : sequence of int
        Per position, the index into ``params`` of the mixture drawn.
    coloured_by : sequence of int or None
        Per position, the index into ``params`` whose responsibilities colour the points
        (None: grey, no responsibilities yet).
    options : FigureOptions, optional
    role : {"main", "side"}
    title : str, optional
        The chart's title (then the legend goes under the plot, for charts side by side).
    legend_below : bool
        The legend under the plot, without a title.

    Returns
    -------
    dict
        A chart of the payload (:func:`emviz.figures.stepper.chart`). 2D: the points on a canvas
        under the SVG ellipses, which move by ``Plotly.animate``; hovering a point shows its
        responsibilities. 1D: histogram, densities and responsibility bands. 3D: points and
        ellipsoids.
    """
    opts = options or F.FigureOptions()
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    d, k = X.shape[1], params[0].n_components
    if X.ndim != 2 or d != params[0].n_features or not 1 <= d <= 3:
        raise error(ParameterError, "stepper.x_shape", d=params[0].n_features, shape=X.shape)
    used = sorted({i for i in coloured_by if i is not None})
    resps = {i: _resp_or_none(X, params[i]) for i in used}

    ctx = F._make_ctx(X, k, opts, F.STEPPED)
    colorscale, grey = F._code_colorscale(ctx)
    if d == 3:
        ctx.extra["marker"] = {"color": F._codes(None, len(X), grey), "colorscale": colorscale,
                               "cmin": 0, "cmax": grey, "showscale": False}
    if d == 1:  # one y range for the whole run, as em_payload does
        ymax = max(float(geo.mixture_density_1d(F._grid_1d(ctx), params[i])[1].max())
                   for i in sorted(set(shown)))
        edges, which = F._bins_1d(ctx)
        counts = np.bincount(which, minlength=len(edges) - 1)
        ctx.extra["ymax"] = min(ymax, 3.0 * float((counts / (counts.sum() * np.diff(edges)))
                                                  .max()))
    data, layout = F._FIGURES[d](ctx, params[shown[0]], None, None)
    layout = F._merge_layout(F._base_layout(opts, ctx.style), layout)
    if title is not None or legend_below:
        layout = _legend_below(layout, title, opts)

    n_geom = len(F._GEOMETRY[d](ctx, params[shown[0]]))
    geom_traces = list(range(1, 1 + n_geom))
    if d == 2:
        channels = [
            S.animate(geom_traces, S.series(shown, lambda i: [
                {a: v for a, v in g.items() if a != "name"}
                for g in F._GEOMETRY[d](ctx, params[i])])),
            S.restyle(geom_traces, S.series(shown, lambda i: [
                {"name": g["name"]} if "name" in g else {}
                for g in F._GEOMETRY[d](ctx, params[i])]), deferred=True),
        ]
    else:
        channels = [S.restyle(geom_traces, S.series(
            shown, lambda i: F._GEOMETRY[d](ctx, params[i])))]
    chart = S.chart(chart_id, {}, role=role, channels=channels)

    def resp(i: int | None) -> np.ndarray | None:
        return None if i is None else resps[i]

    if d == 2:
        data[0] = {**data[0], "x": np.zeros(0, np.float32), "y": np.zeros(0, np.float32),
                   "hoverinfo": "skip"}
        layout["paper_bgcolor"] = layout["plot_bgcolor"] = "rgba(0,0,0,0)"
        dense = len(X) > F.WEBGL_THRESHOLD
        chart["canvas"] = {
            "x": F._f32(X[:, 0]), "y": F._f32(X[:, 1]),
            "colors": [c for _, c in colorscale],
            "codes": S.series(coloured_by, lambda i: F._codes(resp(i), len(X), grey)),
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

        chart["channels"].append(S.restyle(colour_traces, S.series(coloured_by, colours)))
    if d == 1:
        no_resp = F.figure_text(opts)["no_resp"]
        note = next(j for j, a in enumerate(layout["annotations"]) if a["text"] == no_resp)
        chart["channels"].append(S.relayout(S.series(
            [i is None for i in coloured_by],
            lambda grey_: {f"annotations[{note}].visible": grey_})))
    if d in (2, 3):
        chart["hover"] = {"params": [S._params_spec(p) for p in params],
                          "index": [-1 if i is None or resps[i] is None else i
                                    for i in coloured_by],
                          "columns": F._axis_names(opts, d), "colors": list(ctx.colors)}
        if d == 3:
            data[0] = {**data[0], "hoverinfo": "none"}
    chart["figure"] = {"data": data, "layout": layout}
    return chart


def kmeans_chart(
    chart_id: str,
    X: Any,
    centers: Any,
    labels: Any,
    shown: Sequence[int],
    options: F.FigureOptions | None = None,
    *,
    role: str = "main",
    title: str | None = None,
    text: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """k-means' view (as :func:`emviz.figures.labs.kmeans_figure` draws it) per position.

    Parameters
    ----------
    chart_id : str
    X : array of shape (n_points, n_features), 1 ≤ n_features ≤ 3
    centers : array of shape (n_states, n_clusters, n_features)
        Every state of the run (``KMeansTrace.centers``).
    labels : array of shape (n_states, n_points)
        The nearest centre of every drawn point at each state.
    shown : sequence of int
        Per position, the state drawn.
    options : FigureOptions, optional
    role : {"main", "side"}
    title : str, optional
        The chart's title (then the legend goes under the plot).
    text : mapping, optional
        Translations of :data:`emviz.figures.labs.TEXT`.

    Returns
    -------
    dict
        A chart: 2D points on a canvas (hard colours) under the Voronoi cells and the
        centres, which move by ``Plotly.animate``; 1D the histogram and the boundaries
        between neighbouring centres; 3D the points and the centres.
    """
    opts = options or F.FigureOptions()
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    C = np.asarray(centers, dtype=np.float64)
    L = np.asarray(labels)
    d = X.shape[1]
    if C.ndim != 3 or C.shape[2] != d or not 1 <= d <= 3:
        raise error(ParameterError, "stepper.x_shape", d=C.shape[-1], shape=X.shape)
    if L.shape != (C.shape[0], X.shape[0]):
        raise error(ParameterError, "stepper.labels_shape", n=X.shape[0], shape=L.shape)
    k = C.shape[1]
    ctx = F._make_ctx(X, k, opts, F.STEPPED)
    colorscale, grey = F._code_colorscale(ctx)

    def codes(i: int) -> np.ndarray:
        return F._codes(FL.one_hot(L[i], k), len(X), grey)

    if d == 3:
        ctx.extra["marker"] = {"color": codes(shown[0]), "colorscale": colorscale, "cmin": 0,
                               "cmax": grey, "showscale": False}
    data, layout = F._FIGURES[d](ctx, None, None, None)
    layout = F._merge_layout(F._base_layout(opts, ctx.style), layout)
    if title is not None:
        layout = _legend_below(layout, title, opts)
    channels: list[dict[str, Any]] = []
    chart = S.chart(chart_id, {}, role=role)
    if d == 2:
        box = FL.voronoi_box(ctx.ranges)
        cells = FL.voronoi_traces(C[shown[0]], box, opts, text)
        data = [{**data[0], "x": np.zeros(0, np.float32), "y": np.zeros(0, np.float32),
                 "hoverinfo": "skip"}, *cells, FL.centre_markers(C[shown[0]], opts, text)]
        layout["paper_bgcolor"] = layout["plot_bgcolor"] = "rgba(0,0,0,0)"

        def moves(i: int) -> list[dict[str, Any]]:
            outlines = FL.voronoi_outlines(C[i], box)
            return [*({"x": F._f32(o[:, 0]), "y": F._f32(o[:, 1])} for o in outlines),
                    {"x": F._f32(C[i][:, 0]), "y": F._f32(C[i][:, 1])}]

        channels.append(S.animate(list(range(1, k + 2)), S.series(shown, moves)))
        dense = len(X) > F.WEBGL_THRESHOLD
        chart["canvas"] = {
            "x": F._f32(X[:, 0]), "y": F._f32(X[:, 1]), "colors": [c for _, c in colorscale],
            "codes": S.series(shown, codes),
            "size": float(ctx.style.point * (0.7 if dense else 1.0)),
            "opacity": 0.6 if dense else 0.75,
        }
    elif d == 3:
        data = [{**data[0], "hoverinfo": "skip"}, FL.centre_markers(C[shown[0]], opts, text)]
        channels.append(S.restyle([0, 1], S.series(shown, lambda i: [
            {"marker.color": codes(i)},
            {"x": F._f32(C[i][:, 0]), "y": F._f32(C[i][:, 1]), "z": F._f32(C[i][:, 2])}])))
    else:
        layout["shapes"] = FL.voronoi_edge_shapes(C[shown[0]], opts)
        channels.append(S.relayout(S.series(
            shown, lambda i: {"shapes": FL.voronoi_edge_shapes(C[i], opts)})))
    chart["channels"] = channels
    chart["figure"] = {"data": data, "layout": layout}
    return chart


def _ari(truth: np.ndarray | None, predicted: np.ndarray) -> float | None:
    """ARI of hard labels against known ones (negative or missing labels left out)."""
    if truth is None:
        return None
    k = int(predicted.max()) + 1 if predicted.size else 1
    return S._ari(truth, FL.one_hot(predicted, k))


# --------------------------------------------------------------------------------------
# k-means vs GMM, in lockstep
# --------------------------------------------------------------------------------------
#: The lab's words (English defaults). Control words of :data:`emviz.figures.stepper.TEXT` that
#: speak of half-steps are said in iterations here.
KMEANS_TEXT: dict[str, str] = {
    "back_help": "One iteration back (key ←).",
    "step_help": "One iteration of both: k-means assigns and moves its centres; EM does an "
                 "E-step and an M-step.",
    "play_help": "Play both runs from here, one iteration at a time (key P).",
    "run_help": "Jump to the end: both runs have converged or stopped.",
    "new_init_help": "New shared starting centres (seed + 1).",
    "timeline_help": "0 is the shared start; each position is one iteration of both.",
    "keys": "Keys: → next iteration · ← back · P play / pause · Home reset",
    "half": "iteration {h} of {last}",
    "half_hidden": "iteration {h}",
    "position": "iteration {i}",
    "km_title": "k-means",
    "gmm_title": "Gaussian mixture (EM, {cov})",
    "both_moving": "k-means and EM are both still moving",
    "km_done": "k-means {done}; EM is still moving",
    "em_done": "EM {done}; k-means is still moving",
    "both_done": "k-means {km}; EM {em}",
    "done_converged": "converged after {n} iterations",
    "done_max": "stopped at {n} iterations (not converged)",
    "caption": "Left: hard assignments, with borders halfway between centres. Right: soft "
               "colours, each point blending its responsibilities, and an ellipse and a "
               "weight per component.",
    "ari_km": "ARI of k-means vs true labels",
    "ari_em": "ARI of EM vs true labels",
    "ari_help": "Adjusted Rand index of the hard assignments against the known labels: 1 is "
                "a perfect match up to relabelling, 0 is chance.",
}


def _check_lockstep(X: np.ndarray, kmeans: KMeansTrace, gmm: Trace) -> None:
    k, d = kmeans.centers.shape[1:]
    if (gmm.params[0].n_components, gmm.params[0].n_features) != (k, d):
        raise error(ParameterError, "stepper.lockstep", k=k, d=d,
                    k_em=gmm.params[0].n_components, d_em=gmm.params[0].n_features)
    if X.ndim != 2 or X.shape[1] != d or X.shape[0] != kmeans.labels.shape[1]:
        raise error(ParameterError, "stepper.x_shape", d=d, shape=X.shape)


def kmeans_gmm_payload(
    X: Any,
    kmeans: KMeansTrace,
    gmm: Trace,
    *,
    display: Any = None,
    labels: Any = None,
    options: F.FigureOptions | None = None,
    text: Mapping[str, str] | None = None,
    figure_text: Mapping[str, str] | None = None,
    new_init: bool = True,
) -> dict[str, Any]:
    """k-means and EM from the same centres, stepped together.

    Position ``i`` shows iteration ``i`` of both: k-means' centres ``centers[i]`` with each
    point at its nearest one, and EM's ``params[i]`` with each point coloured by its
    responsibilities under them. A run that stopped earlier stays at its last iteration.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The data both runs fitted (the ARI is computed on all of it).
    kmeans : KMeansTrace
    gmm : Trace
        EM from the same centres (same K and features).
    display : array of int, optional
        The rows of ``X`` drawn (default: all).
    labels : array of shape (n_samples,), optional
        Known labels: each side's ARI follows the position as a big number.
    options : FigureOptions, optional
    text : mapping, optional
        Translations of :data:`emviz.figures.stepper.TEXT` and :data:`KMEANS_TEXT`.
    figure_text : mapping, optional
        Translations of :data:`emviz.figures.labs.TEXT`.
    new_init : bool
        Offer "New init" (the browser asks Python for new shared centres).

    Raises
    ------
    ParameterError
        If the runs disagree on K or the features, or ``X`` is not the data they fitted.
    """
    opts = options or F.FigureOptions()
    tx = {**S.TEXT, **KMEANS_TEXT, **dict(text or {})}
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    _check_lockstep(X, kmeans, gmm)
    rows = np.arange(len(X)) if display is None else np.asarray(display, dtype=np.int64)
    truth = None if labels is None else np.asarray(labels)
    if truth is not None and truth.shape != (len(X),):
        raise error(ParameterError, "stepper.labels_shape", n=len(X), shape=truth.shape)
    last = max(kmeans.n_iter, gmm.n_iter)
    n = last + 1
    ik = [min(i, kmeans.n_iter) for i in range(n)]
    ig = [min(i, gmm.n_iter) for i in range(n)]
    Xd = X[rows]

    km = kmeans_chart("kmeans", Xd, kmeans.centers, np.asarray(kmeans.labels)[:, rows], ik,
                      opts, title=tx["km_title"], text=figure_text)
    em = mixture_chart("gmm", Xd, gmm.params, ig, ig, opts,
                       title=tx["gmm_title"].format(cov=gmm.covariance_type))

    def done(converged: bool, n_iter: int) -> str:
        return tx["done_converged" if converged else "done_max"].format(n=n_iter)

    km_done = done(kmeans.converged, kmeans.n_iter)
    em_done = done(gmm.stop_reason == "converged", gmm.n_iter)

    def title(i: int) -> str:
        finished = (i >= kmeans.n_iter, i >= gmm.n_iter)
        return {(False, False): tx["both_moving"],
                (True, False): tx["km_done"].format(done=km_done),
                (False, True): tx["em_done"].format(done=em_done),
                (True, True): tx["both_done"].format(km=km_done, em=em_done)}[finished]

    metrics = []
    if truth is not None:
        km_ari = {i: _ari(truth, np.asarray(kmeans.labels[i])) for i in set(ik)}
        em_ari = {i: _ari(truth, e_step(X, gmm.params[i]).resp.argmax(axis=1))
                  for i in set(ig)}
        if all(v is not None for v in (*km_ari.values(), *em_ari.values())):
            metrics = [
                S.metric("km_ari", tx["ari_km"], S.series(ik, lambda i: f"{km_ari[i]:.3f}"),
                         tx["ari_help"]),
                S.metric("em_ari", tx["ari_em"], S.series(ig, lambda i: f"{em_ari[i]:.3f}"),
                         tx["ari_help"]),
            ]
    return S.assemble(
        n,
        kinds=["init"] + ["step"] * last,
        labels=[tx["position"].format(i=i) for i in range(n)],
        text=tx,
        status={"title": S.series(range(n), title), "parts": S.constant([], n),
                "caption": S.constant(tx["caption"], n)},
        charts=[km, em],
        metrics=metrics,
        controls=_controls(n, half_steps=False, new_init=new_init),
        step_to=None,
        presenter=opts.presenter,
        points={"drawn": len(rows)},
    )


# --------------------------------------------------------------------------------------
# The lower bound
# --------------------------------------------------------------------------------------
#: The lab's words (English defaults; the UI passes the ELBO lab's translations).
ELBO_TEXT: dict[str, str] = {
    "title_init": "Start (iteration {i})",
    "title_E": "E-step of iteration {i}",
    "title_M": "M-step of iteration {i}",
    "at_init": "Start: ln p(X|θ) = {lnp}. There is no q yet, so no bound: press E-step.",
    "after_e": "After the E-step q = p(Z|X, θ), so KL = 0 (here {kl}, rounding) and L touches "
               "ln p. θ did not move, so ln p is unchanged.",
    "after_m": "After the M-step θ maximises L(q, θ) for the old q: ln p changed by {dlnp}, "
               "and KL = {kl} > 0 because q is now stale. The next E-step closes that gap.",
    "collapsed": "This run stopped because component {k} collapsed (reg_covar = 0); see the "
                 "Singularities lab.",
}

#: The big numbers (mathematics reads the same in every language).
_ELBO_METRICS = (("lnp", "ln p(X|θ)"), ("elbo", "L(q, θ)"), ("kl", "KL(q ‖ p)"),
                 ("q", "Q(θ, θ_old)"), ("entropy", "H(q)"))


def bound_points(X: Any, trace: Trace) -> list[FT.BoundPoint]:
    """:func:`emviz.figures.theory.bound_at` for every half-step of ``trace``.

    One E-step per state instead of one per half-step. A state whose bound cannot be
    computed (the singular covariance a collapsed run stops on) gets ``terms = None`` and
    ``log_likelihood = inf``.
    """
    X = np.asarray(X, dtype=np.float64)
    points = [FT.BoundPoint(0, "init", float(trace.log_likelihood[0]), None)]
    for i in range(1, trace.n_iter + 1):
        try:
            q = e_step(X, trace.params[i - 1]).resp
        except CollapseError:
            q = None
        for h, kind, params in ((2 * i - 1, "E", trace.params[i - 1]),
                                (2 * i, "M", trace.params[i])):
            try:
                if q is None:
                    raise CollapseError(0, "no responsibilities")
                terms = bound_terms(X, params, q)
                points.append(FT.BoundPoint(h, kind, terms.log_likelihood, terms))
            except CollapseError:
                points.append(FT.BoundPoint(h, kind, float("inf"), None))
    return points


def _computable(p: FT.BoundPoint) -> bool:
    return bool(np.isfinite(p.log_likelihood))


def _kl_shown(terms: Any) -> float:
    """KL as shown: exactly 0 after an E-step, where term by term it is float noise (~1e-16)
    that "4.6e-16" would present as a value; below the rounding of ln p it is 0."""
    noise = 1e-12 * max(1.0, abs(terms.log_likelihood))
    return terms.kl if terms.kl > noise else 0.0


def _elbo_status(points: Sequence[FT.BoundPoint], trace: Trace, tx: Mapping[str, str]
                 ) -> dict[str, Any]:
    n = len(points)

    def caption(h: int) -> str:
        p = points[h]
        if p.kind == "init":
            return tx["at_init"].format(lnp=f"{p.log_likelihood:,.3f}")
        if p.terms is None:
            return tx["collapsed"].format(k=(trace.collapsed_component or 0) + 1)
        if p.kind == "E":
            return tx["after_e"].format(kl=sig(abs(p.terms.kl), 2))
        change = p.log_likelihood - points[h - 1].log_likelihood
        return tx["after_m"].format(dlnp=sig(change, signed=True), kl=sig(p.terms.kl))

    return {
        "title": S.series(range(n), lambda h: tx[f"title_{points[h].kind}"].format(
            i=(h + 1) // 2)),
        "parts": S.constant([], n),
        "caption": S.series(range(n), caption),
    }


def _elbo_metrics(points: Sequence[FT.BoundPoint]) -> list[dict[str, Any]]:
    def values(p: FT.BoundPoint) -> dict[str, str]:
        if p.terms is None:
            lnp = f"{p.log_likelihood:,.3f}" if _computable(p) else "+∞"
            return {"lnp": lnp, "elbo": "—", "kl": "—", "q": "—", "entropy": "—"}
        t = p.terms
        return {"lnp": f"{t.log_likelihood:,.3f}", "elbo": f"{t.elbo:,.3f}",
                "kl": sig(_kl_shown(t)), "q": f"{t.expected_complete:,.3f}",
                "entropy": f"{t.entropy:,.3f}"}

    shown = [values(p) for p in points]

    def metric(key: str, label: str) -> dict[str, Any]:
        return S.metric(key, label, S.series(range(len(points)), lambda h: shown[h][key]))

    return [metric(key, label) for key, label in _ELBO_METRICS]


#: Where the ends of a value axis sit past the values it shows (and 0): room for the text
#: over the tallest bar (Plotly's autorange would leave as much), as
#: :func:`emviz.figures.theory.decomposition_figure` sets its axis.
_HEADROOM = 1.12


def value_range(values: Any, headroom: float = _HEADROOM) -> list[float]:
    """The range of a value axis that shows ``values`` and 0: from the lowest to the
    highest, each end ``headroom`` times further from 0, as the lower bound's charts set
    their axes.

    Parameters
    ----------
    values : array-like of float
        What the axis shows; values that are not finite (a state without a bound) are left
        out.
    headroom : float, optional

    Returns
    -------
    list of float
        ``[lo, hi]`` with ``lo <= 0 <= hi`` and ``lo < hi``; ``[0, 1]`` when no value is
        finite and non-zero (an axis of nothing keeps a scale).
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    lo, hi = min(float(v.min(initial=0.0)), 0.0), max(float(v.max(initial=0.0)), 0.0)
    if lo == hi:
        return [0.0, 1.0]
    return [lo * headroom, hi * headroom]


def _bound_marks(window: Sequence[FT.BoundPoint], lab: Mapping[str, str]) -> dict[str, Any]:
    """What :func:`emviz.figures.theory.bound_figure` draws for ``window`` (its last point
    current), as the stepper's marks over their own frame (see :func:`_bound_chart`): the
    axes' ticks and the notes, the L and KL bars, the ln p ticks and the waterfall."""
    seg = FT.bar_segments(window)
    k = len(window)
    slots = np.arange(k, dtype=float)
    names = [FT._half_step_name(p, lab) for p in window]
    outline = [_CURRENT_OUTLINE if i == k - 1 else 0.0 for i in range(k)]
    hover = []
    for name, p in zip(names, window, strict=True):
        elbo, kl = (p.terms[1:3] if p.terms is not None else (np.nan, np.nan))
        hover.append(f"{name}\n{lab['lnp']} = {p.log_likelihood:.6g}\n{lab['elbo']} = "
                     f"{elbo:.6g}\n{lab['kl']} = {kl:.4g}")
    kl_text = ["" if not np.isfinite(v) else ("KL = 0" if abs(v) < 1e-9 else
                                               f"KL = {sig(v, 3)}") for v in seg.kl_height]
    last = window[-1]
    t = last.terms
    # without a bound yet (the start) the waterfall's axis is the one bound_figure gives it
    lnp = last.log_likelihood
    shown = t if t is not None else BoundTerms(lnp, lnp, 0.0, lnp, 0.0)
    values = [shown.expected_complete, shown.entropy, shown.elbo, shown.kl,
              shown.log_likelihood]
    marks = [
        {"x": slots, "text": names},  # the half-steps' names under their bars
        {}, {},  # the value axes: Plotly's automatic ticks for the frame
        {"text": lab["baseline_note"].format(baseline=f"{seg.baseline:,.2f}")},
        {"text": lab["no_q"] if t is None else ""},
        {"x": slots, "y": seg.elbo_height, "base": np.zeros(k), "outline": outline,
         "text": [""] * k, "hover": hover},
        {"x": slots, "y": seg.kl_height, "base": seg.elbo_height, "outline": outline,
         "text": kl_text, "hover": hover},
        {"x": slots, "y": seg.lnp_height, "hover": hover,
         "text": [lab["no_q"] if p.terms is None else "" for p in window]},
    ]
    frame = {"x": [-0.5, k - 0.5],  # the window's categories, each bar as wide as Plotly's
             "y": value_range([*seg.lnp_height, *(seg.elbo_height + seg.kl_height)]),
             "y2": value_range(values)}
    if t is None:
        return {"frame": frame, "marks": [*marks, _NO_BARS, _NO_LINE]}
    base = [0.0, t.expected_complete, 0.0, t.elbo, 0.0]
    rise = {True: FT.ENTROPY_HEX, False: FT.Q_HEX}
    colors = [FT.ELBO_HEX, rise[t.entropy >= 0], FT.ELBO_HEX, rise[t.kl >= 0], FT.ELBO_HEX]
    words = [lab["q"], lab["entropy"], lab["elbo"], lab["kl"], lab["lnp"]]
    text = [f"{v:,.2f}" if abs(v) >= 0.01 or v == 0 else sig(v, 2) for v in values]
    levels = [b + h for b, h in zip(base, values, strict=True)]
    half = _WATERFALL_WIDTH / 2
    cx, cy = [], []
    for i in range(4):  # a dotted connector from each bar's end to the next bar
        cx += [i + half, i + 1 - half, np.nan]
        cy += [levels[i], levels[i], np.nan]
    waterfall = {"x": np.arange(5, dtype=float), "y": np.array(values), "base": np.array(base),
                 "colors": colors, "text": text,
                 "hover": [f"{w}: {v}" for w, v in zip(words, text, strict=True)]}
    return {"frame": frame, "marks": [*marks, waterfall, {"x": np.array(cx), "y": np.array(cy)}]}


#: The outline of the current half-step's bars, in px (as :func:`emviz.figures.theory.
#: bound_bars_figure` draws it).
_CURRENT_OUTLINE = 2.5
#: The waterfall's bar width in category units (Plotly's default gap, 0.2).
_WATERFALL_WIDTH = 0.8
_NO_BARS = {"x": np.zeros(0), "y": np.zeros(0), "base": np.zeros(0), "text": [], "hover": []}
_NO_LINE = {"x": np.zeros(0), "y": np.zeros(0)}


def _bound_chart(points: Sequence[FT.BoundPoint], opts: F.FigureOptions,
                 labels: Mapping[str, str] | None) -> dict[str, Any]:
    """The stacked L / KL bars of the last :data:`BAR_WINDOW` half-steps and the
    ``Q + H = L``, ``L + KL = ln p`` waterfall, as :func:`emviz.figures.theory.bound_figure`
    draws them at each position. A state whose bound cannot be computed shows the figure
    of the state before it.

    The stepper draws it all (:func:`emviz.figures.stepper.marks`), so that a step makes no
    Plotly call on this chart: Plotly redraws a bar chart whole, and a relayout of its
    ranges or tick labels costs as much. The bars' axes follow the window (its categories,
    the baseline under its lowest bar, and so the scale), so each position carries its own
    frame: the range each value axis shows; the stepper draws those axes' ticks, grid lines
    and titles, and the notes, as Plotly draws them. Plotly keeps the axes fixed at
    ``[0, 1]``, without ticks, and the traces, empty, for the legend; the waterfall's
    categories stay Plotly's."""
    lab = {**FT.DEFAULT_LABELS, **dict(labels or {})}
    n = len(points)
    reach = [h if _computable(points[h]) else max(j for j in range(h) if _computable(points[j]))
             for h in range(n)]
    keys = sorted(set(reach))
    index = {h: j for j, h in enumerate(keys)}
    at = [index[h] for h in reach]
    drawn = [_bound_marks([p for p in points[max(0, h - BAR_WINDOW + 1):h + 1]
                           if _computable(p)], lab) for h in keys]
    fig = FT.bound_figure(points[:1], opts, labels).to_plotly_json()
    data, layout = fig["data"], fig["layout"]
    elbo, kl, lnp, waterfall = data
    baseline_note, no_q = layout.pop("annotations")

    def axis(axes: list[str], letter: str, name: str) -> dict[str, Any]:
        title = layout[name].get("title", {})
        return {"type": "axis", "axes": axes, "axis": letter, "name": name,
                "title": title.get("text", ""), "titlefont": title.get("font", {})}

    def label(axes: list[str], note: Mapping[str, Any], name: str) -> dict[str, Any]:
        return {"type": "label", "axes": axes, "name": name,
                "ref": "paper" if note["xref"] == "paper" else "domain",
                "x": note["x"], "y": note["y"], "xanchor": note.get("xanchor", "center"),
                "yanchor": note.get("yanchor", "middle"), "align": note.get("align", "center"),
                "font": note["font"]}

    styles = [
        axis(["x", "y"], "x", "xaxis"), axis(["x", "y"], "y", "yaxis"),
        axis(["x2", "y2"], "y", "yaxis2"),
        label(["x", "y"], baseline_note, "baseline note"), label(["x2", "y2"], no_q, "no q"),
        {"type": "bars", "orientation": "v", "color": elbo["marker"]["color"],
         "width": 1.0 - float(layout["bargap"]), "line": "#111", "name": elbo["name"]},
        {"type": "bars", "orientation": "v", "color": kl["marker"]["color"],
         "width": 1.0 - float(layout["bargap"]), "line": "#111", "textposition": "outside",
         "name": kl["name"]},
        {"type": "ticks", "color": lnp["marker"]["color"], "size": lnp["marker"]["size"],
         "width": lnp["marker"]["line"]["width"], "name": lnp["name"]},
        {"type": "bars", "orientation": "v", "color": FT.ELBO_HEX, "width": _WATERFALL_WIDTH,
         "textposition": "outside", "axes": ["x2", "y2"], "name": "waterfall"},
        {"type": "line", "color": "#999", "width": 2, "dash": "dot", "axes": ["x2", "y2"],
         "name": "connectors"},
    ]
    for trace in (elbo, kl, lnp):
        for key in ("text", "customdata", "hovertemplate", "base"):
            trace.pop(key, None)
        # one point drawn nowhere: Plotly leaves a trace without data out of the legend
        trace.update(x=[0.0], y=[None], hoverinfo="skip")
        if trace["type"] == "bar":  # the legend outlines as the current bar is outlined
            trace["marker"]["line"] = {**trace["marker"]["line"], "width": _CURRENT_OUTLINE}
    # the framed axes: fixed, without ticks or title of their own (the marks draw them);
    # still "array" ticks, so that Plotly keeps their styles (grid, tick font) for the marks
    framed = {"type": "linear", "range": [0.0, 1.0], "autorange": False, "tickmode": "array",
              "tickvals": [], "zeroline": False}
    for name in ("xaxis", "yaxis", "yaxis2"):
        layout[name] = {**layout[name], **framed,
                        "title": {**layout[name].get("title", {}), "text": ""}}
    layout["xaxis2"] = {**layout["xaxis2"], "type": "linear", "tickmode": "array",
                        "tickvals": list(range(5)), "ticktext": list(waterfall["x"]),
                        "range": [-0.5, 4.5], "zeroline": False}
    # an empty trace on the waterfall's axes, so that Plotly draws them
    panel = {"type": "scatter", "x": [], "y": [], "xaxis": "x2", "yaxis": "y2",
             "showlegend": False, "hoverinfo": "skip", "name": "waterfall"}
    return S.chart("bound", _jsonable({"data": [elbo, kl, lnp, panel], "layout": layout}),
                   channels=[S.marks(styles, S.series(at, lambda j: drawn[j]))])


def elbo_payload(
    X: Any,
    trace: Trace,
    *,
    display: Any = None,
    options: F.FigureOptions | None = None,
    scatter_options: F.FigureOptions | None = None,
    text: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    formulas: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The lower-bound lab at every half-step of an EM run.

    Position ``h`` is half-step ``h`` (0 = init, 2i-1 = E of iteration i, 2i = M of i), as
    on Explore: the stacked bars ``ln p = L + KL`` of the last :data:`BAR_WINDOW`
    half-steps, the waterfall ``Q + H(q) = L``, ``L + KL = ln p``, the five numbers and the
    mixture with the points coloured by q.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The data the run fitted (the bound is a total over all of it).
    trace : Trace
    display : array of int, optional
        The rows of ``X`` drawn in the scatter (default: all).
    options : FigureOptions, optional
        For the bars and the waterfall.
    scatter_options : FigureOptions, optional
        For the mixture (default: ``options``).
    text : mapping, optional
        Translations of :data:`emviz.figures.stepper.TEXT` and :data:`ELBO_TEXT`.
    labels : mapping, optional
        Translations of :data:`emviz.figures.theory.DEFAULT_LABELS`.
    formulas : mapping, optional
        Trusted HTML per kind ("init", "E", "M"): "what just happened".
    """
    opts = options or F.FigureOptions()
    tx = {**S.TEXT, **ELBO_TEXT, **dict(text or {})}
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    if X.ndim != 2 or X.shape[1] != trace.params[0].n_features:
        raise error(ParameterError, "stepper.x_shape", d=trace.params[0].n_features,
                    shape=X.shape)
    rows = np.arange(len(X)) if display is None else np.asarray(display, dtype=np.int64)
    points = bound_points(X, trace)
    n = len(points)
    kinds = [p.kind for p in points]
    charts = [_bound_chart(points, opts, labels), mixture_chart(
        "mixture", X[rows], trace.params, [S.params_index(h) for h in range(n)],
        [S.resp_index(h) for h in range(n)], scatter_options or opts, role="side",
        legend_below=True)]
    return S.assemble(
        n,
        kinds=kinds,
        labels=[F.half_step_label(h, F.figure_text(scatter_options or opts))
                for h in range(n)],
        text=tx,
        status=_elbo_status(points, trace, tx),
        charts=charts,
        metrics=_elbo_metrics(points),
        controls=_controls(n, half_steps=True, new_init=False),
        step_to="M",
        formula=(S.series(kinds, lambda kd: formulas.get(kd)) if formulas else None),
        end={"text": S._stop_text(trace, tx),
             "level": S._STOP_LEVEL.get(trace.stop_reason, "info")},
        presenter=opts.presenter,
        points={"drawn": len(rows)},
    )


__all__ = [
    "BAR_WINDOW",
    "ELBO_TEXT",
    "KMEANS_TEXT",
    "PLAY_FROM",
    "bound_points",
    "elbo_payload",
    "kmeans_chart",
    "kmeans_gmm_payload",
    "mixture_chart",
    "value_range",
]
