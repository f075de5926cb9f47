"""Everything a browser-side stepper needs to replay a run, built once in Python.

A page that steps through a computation (EM's half-steps, k-means' assignments, a lab's
iterations) sends the browser one *payload* describing every position of the run. The
browser then steps, scrubs and plays it on its own (``emviz/ui/stepper.js``); the server
hears back only where the user stopped. This module builds payloads and knows nothing of
Streamlit, so it is tested like the figure builders.

The payload format
------------------
A JSON-serialisable dict. Numeric arrays are Plotly's typed-array specs
(``{"dtype": "f4", "bdata": <base64>}``), which plotly.js reads as they are and the
stepper decodes into typed arrays. Anything that changes along the run is a **series**:
``{"values": [...], "index": [i_0, ..., i_{n-1}]}``, where position ``h`` shows
``values[index[h]]``. Values are stored once however many positions share them (the
ellipses after an M-step, a table that stays put after convergence).

``format``       :data:`FORMAT`.
``id``           A digest of the content: the browser reloads only when it changes.
``n``            Number of positions.
``kinds``        A kind per position. EM: ``"init"``, ``"E"`` or ``"M"`` (the E-step and
                 M-step buttons look for the next position of their kind).
``labels``       A short label per position (the timeline's tooltip).
``text``         The words of the controls, in the reader's language (:data:`TEXT` keys).
``status``       ``{"title", "parts", "caption"}``: series of the status line's bold title,
                 its other parts (a list of strings) and the caption under it.
``controls``     Which controls to offer (:data:`CONTROLS`): a lab without E/M half-steps
                 leaves out "e" and "m".
``step_to``      The kind *Step* goes to (EM: "M", the end of the next iteration), or None
                 for the next position.
``metrics``      Big numbers that follow the position: ``[{"id", "label", "help", "values",
                 "index"}]`` (a series of strings).
``formula``      A series of trusted HTML (MathML) per position, or None: "what just
                 happened", under the status line.
``end``          ``{"text", "level"}`` shown at the last position (``level``: "success",
                 "info" or "warning"), or None.
``notes``        A series over the furthest position reached: None or ``{"text", "level"}``
                 (e.g. "the log-likelihood dipped at iteration 4"), so that a note never
                 tells what has not been reached yet.
``charts``       A list of charts, each::

                     {"id", "role": "main" | "side", "figure": {"data", "layout"},
                      "channels": [channel, ...], "canvas": canvas or None,
                      "hover": hover or None, "reveal": reveal or None,
                      "edit": edit or None}

                 Build charts with :func:`chart`, channels with :func:`restyle` and
                 :func:`relayout`, and the payload with :func:`assemble`.
                 A *channel* is a series of updates to the figure:
                 ``{"kind": "restyle", "traces": [i, ...], "values": [[{attr: value} per
                 trace], ...], "index": [...], "deferred": bool}`` (a value's per-trace
                 dicts are merged into one ``Plotly.update``; a deferred channel waits
                 until stepping pauses), ``{"kind": "animate", ...}`` (the same for x/y
                 data only, moved by ``Plotly.animate`` without a redraw),
                 ``{"kind": "relayout", "values": [{path: value}], "index": [...]}``, or
                 ``{"kind": "marks", "marks": [style, ...], "values": [[{"x", "y"} per
                 mark], ...], "index": [...]}`` (see :func:`marks`).

                 A *canvas* draws many points under the chart's SVG (2D only):
                 ``{"x", "y", "colors": ["#rrggbb", ...], "codes": series of uint8 arrays,
                 "size", "opacity"}``; point ``i`` has colour ``colors[codes[i]]``.

                 *hover* lets the browser show a point's responsibilities:
                 ``{"params": [{"weights", "means", "covariances"} (flat, row-major)],
                 "index": [params index or -1 per position], "columns": [names]}``; the
                 names are plain text (the browser shows them as text, never as markup).

                 *reveal* hides the future when the user asks ("predict, then reveal"):
                 ``{"traces": [i, ...], "upto": [x per position], "annotations": [j, ...],
                 "x_range": [lo, hi], "fixed_y": bool}``: only points with
                 ``x <= upto[furthest position]`` are drawn, the listed annotations are
                 hidden until the end is reached, and the x axis stops a little after what
                 was revealed. The y axis spans only what was revealed (in decades on a log
                 axis), unless ``fixed_y`` (optional) keeps the figure's own range, for an
                 axis whose range tells nothing of the end (a probability in [0, 1]).

                 *edit* (2D scatter only) lets the user add and remove points and drag the
                 means at position 0: ``{"means_trace", "ellipse_traces", "halo_trace",
                 "segment"}`` (each component's ellipses are ``segment`` consecutive
                 coordinates of the halo trace).
``tables``       ``[{"id", "columns": [str], "rows": series of row lists, "title": series,
                 "role"}]``. ``role`` (optional): "side" (the default, beside or under the
                 charts) or "above" (the full width, above the charts).

The EM payload
--------------
:func:`em_payload` replays a :class:`~emviz.engine.em.Trace` on the half-step timeline
(0 = init, 2i-1 = E of iteration i, 2i = M of i): the scatter (2D: points on a canvas under
SVG ellipses; 1D: histogram, densities and responsibility bands; 3D: points and
ellipsoids), the log-likelihood curve with its cursor, the parameter table, and the status
line. The colour of every drawn point after every E-step is sent as one byte
(:func:`emviz.figures.geometry.quantized_blend`), the geometry once per M-step.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypedDict

import numpy as np

from emviz._messages import error
from emviz.data.synthetic import adjusted_rand_index
from emviz.engine.em import Trace, e_step
from emviz.errors import CollapseError, ParameterError
from emviz.figures import geometry as geo
from emviz.figures import mixture as F
from emviz.model.params import Params
from emviz.numbers import sig

#: Version of the payload format (the browser refuses another).
FORMAT = 1

#: Speeds offered by Play, as multiples of :data:`PLAY_HALF_STEPS_PER_SECOND`.
PLAY_SPEEDS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
#: Half-steps per second at 1×.
PLAY_HALF_STEPS_PER_SECOND = 5.0

#: Largest colour table one payload may carry, in bytes (one code per drawn point per
#: E-step): a long run at many points draws fewer of them rather than sending more.
MAX_CODE_BYTES = 12_000_000

#: English defaults of every word the stepper shows. A UI passes translations through
#: ``text=`` (any subset). ``{placeholders}`` are filled with ``str.format`` here, except
#: ``{h}`` and ``{last}`` in ``half`` and ``half_hidden``, which the browser fills.
TEXT: dict[str, str] = {
    "back": "Back",
    "back_help": "One half-step back (key ←).",
    "e": "E-step",
    "e_help": "Recompute responsibilities (point colours) from the current ellipses (key →).",
    "m": "M-step",
    "m_help": "Re-estimate π, μ, Σ (the ellipses) from the current responsibilities (key →).",
    "step": "Step",
    "step_help": "One full iteration: E-step then M-step.",
    "play": "Play",
    "pause": "Pause",
    "play_help": "Play the run from here, one half-step at a time (key P).",
    "speed": "Speed",
    "run": "Run",
    "run_help": "Jump to the end of the run (converged, max_iter or collapsed).",
    "reset": "Reset",
    "reset_help": "Back to the start of the run (key Home).",
    "new_init": "New init",
    "new_init_help": "Start again from a new random initialisation (seed + 1).",
    "timeline": "Timeline",
    "timeline_help": "0 is the start, odd half-steps are E-steps, even ones M-steps.",
    "predict": "Hide the future",
    "predict_help": "Show the log-likelihood only as far as you have stepped, so the class "
                    "can guess what comes next.",
    "keys": "Keys: → next half-step · ← back · P play / pause · Home reset",
    "formula": "What just happened",
    "half": "half-step {h} of {last}",
    "half_hidden": "half-step {h}",
    "iteration": "Iteration {iteration} · {kind}",
    "kind_init": "Initialisation",
    "kind_E": "E-step",
    "kind_M": "M-step",
    "ll": "log-likelihood {value}",
    "dll": "ΔLL {value}",
    "ari": "ARI vs known labels {value}",
    "explain_init": "Starting parameters from {method} (seed {seed}). Points are grey: no "
                    "responsibilities yet. Press E-step or Step.",
    "explain_init_manual": "Starting parameters set by hand. Points are grey: no "
                           "responsibilities yet. Press E-step or Step.",
    "explain_E": "E-step: each point is coloured by its responsibilities under the current "
                 "ellipses. The ellipses have not moved.",
    "explain_E_1d": "E-step: the bands show each bin's responsibilities under the current "
                    "densities. The densities have not moved.",
    "explain_M": "M-step: new π, μ, Σ from those responsibilities. The ellipses moved; the "
                 "colours are still the responsibilities that moved them.",
    "explain_M_1d": "M-step: new π, μ, σ² from those responsibilities. The densities moved; "
                    "the bands are still the responsibilities that moved them.",
    "explain_M_3d": "M-step: new π, μ, Σ from those responsibilities. The ellipsoids moved; "
                    "the colours are still the responsibilities that moved them.",
    "params_title": "Parameters at half-step {h} ({cov})",
    "stop_converged": "Converged after {n_iter} iterations: the mean log-likelihood per point "
                      "changed by less than tol = {tol}.",
    "stop_max_iter": "Stopped at max_iter = {max_iter} without converging (tol = {tol}). "
                     "Raise max_iter or tol to let it finish.",
    "stop_collapsed": "Stopped after {n_iter} iterations: component {component} collapsed "
                      "(its covariance became singular, so the likelihood grows without "
                      "bound). Increase reg_covar, lower K, or try New init.",
    "ll_bad": "The log-likelihood decreased at iteration {iteration} by {amount}, more than "
              "reg_covar can explain (at most {allowed}). Exact EM never lowers the "
              "likelihood, so this points to a numerical problem ({count} such decrease(s) "
              "so far). Try standardising the columns or a larger reg_covar.",
    "ll_dips": "The log-likelihood dipped slightly at iteration(s) {iterations}. That is "
               "expected: reg_covar = {reg} adds a small constant to every covariance's "
               "diagonal, so the M-step is not the exact maximiser. Each dip is within the "
               "bound reg_covar explains. Set reg_covar to 0 for exact EM.",
    "responsibilities": "responsibilities",
    "no_resp": "no responsibilities before the first E-step",
    "add_hint": "Click to add a point · Shift+click removes the nearest · drag a mean "
                "(×) at half-step 0 to choose the start",
    "draw_hint": "Click on the chart to draw points; EM starts once there are enough.",
    "loading": "Loading the stepper…",
}

_STOP_LEVEL = {"converged": "success", "max_iter": "info", "collapsed": "warning"}


# --------------------------------------------------------------------------------------
# Generic pieces
# --------------------------------------------------------------------------------------
def typed(a: Any) -> Any:
    """A NumPy array as a typed-array spec (flattened, row-major); anything else as is."""
    if not isinstance(a, np.ndarray):
        return a
    flat = np.ascontiguousarray(a).reshape(-1)
    return F._typed(flat)


def encode(value: Any) -> Any:
    """``value`` with every NumPy array inside it (dicts, lists, tuples) made a typed array
    spec and every NumPy scalar a Python number, ready for ``json.dumps``."""
    if isinstance(value, np.ndarray):
        if value.dtype.name in F._TYPED_ARRAY_CODES:
            return typed(value)
        return value.tolist()
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def series(keys: Sequence[Hashable], make: Callable[[Any], Any]) -> dict[str, list]:
    """A series over positions: ``make(key)`` once per distinct key, in order of first use.

    Parameters
    ----------
    keys : sequence
        One hashable key per position; positions with equal keys share a value.
    make : callable
        Builds the value of a key.
    """
    first: dict[Hashable, int] = {}
    values: list[Any] = []
    index: list[int] = []
    for key in keys:
        if key not in first:
            first[key] = len(values)
            values.append(make(key))
        index.append(first[key])
    return {"values": values, "index": index}


def payload_bytes(payload: Mapping[str, Any]) -> bytes:
    """The payload as compact UTF-8 JSON, with its ``id`` set to a digest of the content
    (keys sorted, so equal content gives equal ids)."""
    body = {k: v for k, v in payload.items() if k != "id"}
    text = json.dumps(encode(body), separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False, sort_keys=True)
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    return ('{"id":"' + digest + '",' + text[1:]).encode("utf-8")


def payload_id(data: bytes) -> str:
    """The ``id`` of a payload made by :func:`payload_bytes`."""
    return json.loads(data[: data.index(b",")] + b"}")["id"]


def frame_header(payload_id_: str, goto: int | None = None, nonce: int = 0,
                 param: str | None = None) -> bytes:
    """The line the UI puts before a payload: which payload, and where to go.

    ``goto`` is applied once per ``nonce`` (a new run, a shared link's half-step); the rest
    of the time the browser keeps its own position. ``param``: the query parameter that
    carries the position in the page's link (e.g. ``step``), which the browser keeps right.
    """
    return json.dumps({"id": payload_id_, "goto": goto, "nonce": int(nonce), "param": param},
                      separators=(",", ":")).encode("ascii") + b"\n"


#: Every control the stepper has, in toolbar order. A payload lists the ones it offers.
CONTROLS: tuple[str, ...] = ("back", "e", "m", "step", "play", "speed", "run", "reset",
                             "new_init", "predict", "timeline")
#: The controls a page shows unless it asks otherwise: all but drawing a new start.
_DEFAULT_CONTROLS: tuple[str, ...] = tuple(c for c in CONTROLS if c != "new_init")


def restyle(traces: Sequence[int], values: Mapping[str, list],
            deferred: bool = False) -> dict[str, Any]:
    """A channel of trace updates: ``values`` is a series whose values are lists with one
    ``{attribute: value}`` dict per trace of ``traces``. ``deferred``: applied only once
    stepping pauses (e.g. legend names, whose redraw would slow every step down)."""
    return {"kind": "restyle", "traces": list(traces), "deferred": bool(deferred), **values}


def animate(traces: Sequence[int], values: Mapping[str, list]) -> dict[str, Any]:
    """Like :func:`restyle` for data arrays only (x, y) of SVG scatter traces, applied with
    ``Plotly.animate`` without a redraw: it moves the lines, several times faster than a
    restyle, but cannot change styles or names."""
    return {"kind": "animate", "traces": list(traces), **values}


def marks(styles: Sequence[Mapping[str, Any]], values: Mapping[str, list]) -> dict[str, Any]:
    """A channel of marks the browser draws over the chart's plot area itself, not with
    Plotly: a cursor, rings or bars that change at every step cost no Plotly redraw (an
    animate recomputes every trace of the figure; a bar chart is redrawn whole).

    ``styles``: one per mark, ``{"type": "line", "color", "width", "dash"}`` (a polyline
    through the points, clipped to the plot area; ``dash`` as Plotly's: "solid", "dot",
    "dash"), ``{"type": "rings", "color", "width", "size"}`` (an unfilled circle of
    diameter ``size`` px at each point, hidden outside the axes' ranges, as Plotly hides
    markers), ``{"type": "bars", "color", "orientation": "h" or "v", "width"}`` (a bar
    ``width`` data units wide per point, from ``base`` to ``base + value`` along the value
    axis: ``x`` for "h", ``y`` for "v"; edges on whole pixels and thin bars widened to stay
    visible, as Plotly's; its text inside at the bar's end, white unless ``"textcolor"``,
    or past it with ``"textposition": "outside"``, shrunk to fit as Plotly's; its hover
    text as the rect's tooltip; ``"line"``: the colour of the outlines) or ``{"type":
    "ticks", "color", "size", "width"}`` (Plotly's "line-ew-open" markers of that size,
    with their text over them). The axes must not depend on the marks: fix their ranges,
    and keep in the figure a trace per series, with nothing drawn, for the legend. Any
    style may have ``"axes"`` (e.g. ``["x2", "y2"]``, default the first) and a ``"name"``
    (the element's ``data-name``, for tests).

    ``values``: a series whose values are lists with one ``{"x": [...], "y": [...]}`` per
    mark (bars also ``"base"``, ``"text"``, ``"hover"`` and optionally ``"outline"``,
    widths in px, and ``"colors"``, one per bar; ticks also ``"text"``, ``"hover"``), in
    data coordinates (a log axis takes the values themselves; a category axis, the
    category's index). A line is broken where a point is not finite.

    Where a step changes an axis's scale (a relayout costs a chart as much as a redraw), a
    value may instead be ``{"frame": {"y": [lo, hi], ...}, "marks": [...]}``: the marks'
    data from ``lo`` to ``hi`` then spans that (linear) axis's range in the figure, which
    stays fixed, with no ticks (``"tickmode": "array", "tickvals": []``), no zero line and
    no title of its own; a zoom still moves the marks. Two more types draw what Plotly drew
    for such an axis, in the style of Plotly's axis (its template's font, grid and ticks):
    ``{"type": "axis", "axes", "axis": "x" or "y", "title", "titlefont"}`` (the ticks,
    labels, grid lines and title of one of its axes, the title moved off the labels as
    Plotly moves it; the value's ticks, ``{"x" or "y": positions, "text": labels}``, or,
    with neither, Plotly's automatic ticks for the part of the frame on screen) and
    ``{"type": "label", "axes", "ref": "paper" or "domain", "x", "y", "xanchor",
    "yanchor", "align", "font"}`` (a note placed as a Plotly annotation without an arrow, at
    a point of the plot area or of its axes' box; the value's ``{"text": ...}``, with
    ``<br>`` lines, "" for none)."""
    return {"kind": "marks", "marks": [dict(s) for s in styles], **values}


def relayout(values: Mapping[str, list]) -> dict[str, Any]:
    """A channel of layout updates: ``values`` is a series of ``{path: value}`` dicts."""
    return {"kind": "relayout", **values}


class Edit(TypedDict):
    """A 2D scatter's *edit* entry (see the module docstring): which traces move with a drag."""

    means_trace: int | None
    halo_trace: int | None
    ellipse_traces: list[int]
    segment: int


def chart(chart_id: str, figure: Mapping[str, Any], *, role: str = "main",
          channels: Sequence[Mapping[str, Any]] = (), canvas: Mapping[str, Any] | None = None,
          hover: Mapping[str, Any] | None = None, reveal: Mapping[str, Any] | None = None,
          edit: Edit | None = None) -> dict[str, Any]:
    """One chart of a payload (see the module docstring). ``role``: "main" charts share the
    first row, "side" charts go beside them (or under them on a narrow screen)."""
    return {"id": chart_id, "role": role, "figure": dict(figure), "channels": list(channels),
            "canvas": canvas, "hover": hover, "reveal": reveal, "edit": edit}


def metric(metric_id: str, label: str, values: Mapping[str, list],
           help_text: str = "") -> dict[str, Any]:
    """A big number that follows the position: ``values`` is a series of strings."""
    return {"id": metric_id, "label": label, "help": help_text, **values}


def constant(value: Any, n: int) -> dict[str, list]:
    """A series with the same value at every one of ``n`` positions."""
    return {"values": [value], "index": [0] * n}


def assemble(
    n: int,
    *,
    kinds: Sequence[str],
    labels: Sequence[str],
    text: Mapping[str, str] | None,
    status: Mapping[str, Mapping[str, list]],
    charts: Sequence[Mapping[str, Any]],
    tables: Sequence[Mapping[str, Any]] = (),
    metrics: Sequence[Mapping[str, Any]] = (),
    controls: Sequence[str] = _DEFAULT_CONTROLS,
    step_to: str | None = "M",
    formula: Mapping[str, list] | None = None,
    end: Mapping[str, str] | None = None,
    notes: Mapping[str, list] | None = None,
    presenter: bool = False,
    points: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A payload from its parts, with the words of the controls filled in.

    ``step_to``: the kind of position that *Step* goes to (EM: the next M-step); None makes
    *Step* the next position. ``controls``: which of :data:`CONTROLS` to offer.
    """
    tx = _text(text)
    unknown = sorted(set(controls) - set(CONTROLS))
    if unknown or len(kinds) != n or len(labels) != n:
        raise error(ParameterError, "stepper.assemble", n=n, kinds=len(kinds),
                    labels=len(labels), unknown=unknown)
    return {
        "format": FORMAT,
        "n": int(n),
        "kinds": list(kinds),
        "labels": list(labels),
        "text": {key: tx[key] for key in _CONTROL_WORDS},
        "speeds": list(PLAY_SPEEDS),
        "rate": PLAY_HALF_STEPS_PER_SECOND,
        "controls": list(controls),
        "step_to": step_to,
        "status": dict(status),
        "formula": formula,
        "end": end,
        "notes": notes if notes is not None else constant(None, n),
        "metrics": list(metrics),
        "charts": list(charts),
        "tables": list(tables),
        "presenter": bool(presenter),
        "points": dict(points or {}),
    }


# --------------------------------------------------------------------------------------
# EM on the half-step timeline
# --------------------------------------------------------------------------------------
def params_index(h: int) -> int:
    """Index into ``trace.params`` of the parameters drawn at half-step ``h``."""
    return F.params_index(h)


def resp_index(h: int) -> int | None:
    """Index into ``trace.params`` of the parameters whose responsibilities colour ``h``."""
    return None if h == 0 else (h + 1) // 2 - 1


def _kind(h: int) -> str:
    return "init" if h == 0 else ("E" if h % 2 else "M")


def _text(text: Mapping[str, str] | None) -> dict[str, str]:
    return {**TEXT, **dict(text or {})}


def _ari(labels: np.ndarray | None, resp: np.ndarray) -> float | None:
    """Adjusted Rand index of the hard labels of ``resp`` against known ``labels``.

    Integer labels below 0 mark points without a true component (synthetic outliers, or
    points a user added); they are left out.
    """
    if labels is None:
        return None
    truth, pred = labels, np.argmax(resp, axis=1)
    if truth.dtype.kind in "iu":
        keep = truth >= 0
        truth, pred = truth[keep], pred[keep]
    elif truth.dtype.kind in "OUS":
        keep = np.array([v is not None and v == v for v in truth], dtype=bool)
        truth, pred = truth[keep], pred[keep]
    if truth.size < 2:
        return None
    return float(adjusted_rand_index(truth, pred))


def _resp_or_none(X: np.ndarray, params: Params) -> np.ndarray | None:
    """Responsibilities, or None for parameters with a singular covariance."""
    try:
        return e_step(X, params).resp
    except CollapseError:
        return None


def _params_spec(p: Params) -> dict[str, np.ndarray]:
    return {"weights": p.weights, "means": p.means, "covariances": p.covariances}


def _table_rows(p: Params, covariance_type: str) -> list[list[str]]:
    return F.params_rows(p, covariance_type)[1]


def _notes(trace: Trace, tx: Mapping[str, str], n: int) -> dict[str, list]:
    """The likelihood note shown once the furthest position reached is ``h``."""
    drops = trace.decreases()

    def note(iteration: int) -> dict[str, str] | None:
        seen = [d for d in drops if d.iteration <= iteration]
        bad = [d for d in seen if not d.explained]
        if bad:
            first = bad[0]
            return {"level": "warning",
                    "text": tx["ll_bad"].format(iteration=first.iteration,
                                                amount=f"{first.amount:.3g}",
                                                allowed=f"{first.allowed:.3g}",
                                                count=len(bad))}
        if seen:
            its = ", ".join(str(d.iteration) for d in seen[:5])
            return {"level": "info",
                    "text": tx["ll_dips"].format(iterations=its, reg=f"{trace.reg_covar:g}")}
        return None

    # keys: the number of decreases seen, so equal notes share one value
    iteration_of = [(h + 1) // 2 for h in range(n)]
    counts = [sum(d.iteration <= it for d in drops) for it in iteration_of]
    notes = {c: note(it) for c, it in zip(counts, iteration_of, strict=True)}
    return series(counts, lambda c: notes[c])


def _status(trace: Trace, tx: Mapping[str, str], aris: Sequence[float | None],
            init_method: str, seed: int | None, dim: int) -> dict[str, Any]:
    n = trace.n_half_steps
    ll = np.asarray(trace.log_likelihood, dtype=np.float64)
    explain = {
        "init": (tx["explain_init_manual"] if init_method == "manual"
                 else tx["explain_init"].format(method=init_method,
                                                seed="—" if seed is None else seed)),
        "E": tx["explain_E_1d"] if dim == 1 else tx["explain_E"],
        "M": {1: tx["explain_M_1d"], 3: tx["explain_M_3d"]}.get(dim, tx["explain_M"]),
    }

    def parts(h: int) -> list[str]:
        pi = params_index(h)
        out = [tx["ll"].format(value=f"{ll[pi]:,.2f}")]
        if _kind(h) == "M":
            out.append(tx["dll"].format(value=sig(ll[pi] - ll[pi - 1], 3, signed=True)))
        if h > 0 and aris[pi] is not None:
            out.append(tx["ari"].format(value=f"{aris[pi]:.3f}"))
        return out

    def title(h: int) -> str:
        return tx["iteration"].format(iteration=(h + 1) // 2, kind=tx[f"kind_{_kind(h)}"])

    return {
        "title": series(range(n), title),
        "parts": series(range(n), parts),
        "caption": series([_kind(h) for h in range(n)], explain.__getitem__),
    }


def _check(X: Any, trace: Trace, labels: Any) -> tuple[np.ndarray, np.ndarray | None]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    d = trace.params[0].n_features
    if X.ndim != 2 or X.shape[1] != d or X.shape[0] < 1:
        raise error(ParameterError, "stepper.x_shape", d=d, shape=X.shape)
    if labels is None:
        return X, None
    lab = np.asarray(labels)
    if lab.shape != (X.shape[0],):
        raise error(ParameterError, "stepper.labels_shape", n=X.shape[0], shape=lab.shape)
    return X, lab


def em_payload(
    X: Any,
    trace: Trace,
    *,
    truth: Params | None = None,
    labels: Any = None,
    options: F.FigureOptions | None = None,
    text: Mapping[str, str] | None = None,
    init_method: str = "",
    seed: int | None = None,
    formulas: Mapping[str, str] | None = None,
    editable: bool = False,
    new_init: bool = False,
    ranges: Sequence[Sequence[float]] | None = None,
    loglik_height: int | None = None,
) -> dict[str, Any]:
    """The stepper payload of an EM run (see the module docstring for the format).

    Parameters
    ----------
    X : array of shape (n_drawn, n_features)
        The points to draw (a subset of the fitted data is fine: colours and the ARI are
        computed on these).
    trace : Trace
        The run to replay.
    truth : Params, optional
        The generating mixture, drawn dashed when ``options.show_truth``.
    labels : array of shape (n_drawn,), optional
        Known labels of the drawn points, for the adjusted Rand index in the status line.
    options : FigureOptions, optional
        As for :func:`emviz.figures.mixture.mixture_figure` (``text`` translates the figures'
        words). text : mapping, optional
        Translations of :data:`TEXT`.
    init_method, seed : str, int
        How the run started, for the caption at half-step 0 (``"manual"``: set by hand).
    formulas : mapping, optional
        Trusted HTML per kind (``"init"``, ``"E"``, ``"M"``): "what just happened".
    editable : bool
        2D only: the user may add or remove points and drag the means at half-step 0.
        Ignored when not every point can be drawn (the edits index the drawn points).
    new_init : bool
        Offer "New init" (a fresh random start; the browser asks Python for it).
    ranges : pair of (lo, hi), optional
        2D axis ranges (default: the points', padded), e.g. a fixed canvas to draw on.
    loglik_height : int, optional
        Height of the log-likelihood chart (default: as :func:`loglik_figure` chooses).

    Returns
    -------
    dict
        The payload, ready for :func:`payload_bytes`.

    Raises
    ------
    ParameterError
        If ``X`` does not match the run's number of features, or ``labels`` has another
        length.
    """
    opts = options or F.FigureOptions()
    tx = _text(text)
    X, lab = _check(X, trace, labels)
    d, k, n = X.shape[1], trace.params[0].n_components, trace.n_half_steps
    positions = range(n)

    # One E-step per parameter set on the drawn points: colours, the ARI and the 1D bands.
    # Fewer points are drawn if the colour table of a long run would not fit the budget.
    n_points = len(X)
    n_draw = max(1, min(len(X), MAX_CODE_BYTES // max(trace.n_iter, 1)))
    if n_draw < len(X):
        keep = np.sort(np.random.default_rng(0).choice(len(X), n_draw, replace=False))
        X = X[keep]
        lab = None if lab is None else lab[keep]
    # The last state of a collapsed run is past the collapse whether or not its covariance
    # still factors (a smallest eigenvalue below run_em's floor may be positive by rounding).
    past = len(trace.params) - 1 if trace.stop_reason == "collapsed" else None
    resps = [None if i == past else _resp_or_none(X, p) for i, p in enumerate(trace.params)]
    aris = [None if r is None else _ari(lab, r) for r in resps]

    ctx = F._make_ctx(X, k, opts, F.STEPPED)
    if ranges is not None:
        ctx = _with_ranges(ctx, ranges)
    colorscale, grey = F._code_colorscale(ctx)
    if d == 3:
        ctx.extra["marker"] = {"color": F._codes(None, len(X), grey), "colorscale": colorscale,
                               "cmin": 0, "cmax": grey, "showscale": False}
    if d == 1:
        ymax = max(float(geo.mixture_density_1d(F._grid_1d(ctx), p)[1].max())
                   for p in trace.params)
        edges, which = F._bins_1d(ctx)
        counts = np.bincount(which, minlength=len(edges) - 1)
        ctx.extra["ymax"] = min(ymax, 3.0 * float((counts / (counts.sum() * np.diff(edges))).max()))
    truth_shown = truth if opts.show_truth else None
    data, layout = F._FIGURES[d](ctx, trace.params[0], None, truth_shown)
    layout = F._merge_layout(F._base_layout(opts, ctx.style), layout)

    first_geom = 1 + (truth_shown is not None)
    n_geom = len(F._GEOMETRY[d](ctx, trace.params[0]))
    geom_traces = list(range(first_geom, first_geom + n_geom))
    keys = [params_index(h) for h in positions]
    if d == 2:
        # Moved by Plotly.animate without a redraw (the fastest way to move SVG lines);
        # the legend's names (π) follow once stepping pauses.
        shapes = {i: F._GEOMETRY[d](ctx, trace.params[i]) for i in dict.fromkeys(keys)}
        geometry = animate(geom_traces, series(keys, lambda i: [
            {a: v for a, v in g.items() if a != "name"} for g in shapes[i]]))
        names = restyle(geom_traces, series(keys, lambda i: [
            {"name": g["name"]} if "name" in g else {} for g in shapes[i]]), deferred=True)
        channels = [geometry, names]
    else:
        channels = [restyle(geom_traces, series(keys, lambda i: F._GEOMETRY[d](
            ctx, trace.params[i])))]
    resp_keys = [resp_index(h) for h in positions]
    main = chart("mixture", {}, channels=channels)

    if d == 2:
        # The points go on a canvas under the SVG overlays: trace 0 stays, empty, so that
        # every other trace keeps its index.
        data[0] = {**data[0], "x": np.zeros(0, np.float32), "y": np.zeros(0, np.float32),
                   "hoverinfo": "skip"}
        layout["paper_bgcolor"] = layout["plot_bgcolor"] = "rgba(0,0,0,0)"
        dense = len(X) > F.WEBGL_THRESHOLD
        main["canvas"] = {
            "x": F._f32(X[:, 0]),
            "y": F._f32(X[:, 1]),
            "colors": [c for _, c in colorscale],
            "codes": series(resp_keys, lambda i: F._codes(None if i is None else resps[i],
                                                         len(X), grey)),
            # few points (a drawing) are drawn larger, many smaller
            "size": float(ctx.style.point * (0.7 if dense else 1.6 if len(X) < 100 else 1.0)),
            "opacity": 0.6 if dense else 0.75,
        }
        if editable and n_draw == n_points:
            segment = len(data[first_geom + 1]["x"])
            main["edit"] = {"means_trace": first_geom + 1 + k, "halo_trace": first_geom,
                             "ellipse_traces": list(range(first_geom + 1, first_geom + 1 + k)),
                             "segment": segment}
    else:
        colour_traces = [0] if d == 3 else list(range(geom_traces[-1] + 1,
                                                      geom_traces[-1] + 2 + k))

        def colours(i: int | None) -> list[dict]:
            resp = None if i is None else resps[i]
            if d == 1:
                return F._bands_1d(ctx, resp)
            return [{"marker.color": F._codes(resp, len(X), grey)}]

        main["channels"].append({"kind": "restyle", "traces": colour_traces,
                                  **series(resp_keys, colours)})
    if d == 1:
        # the "no responsibilities yet" note belongs to half-step 0 only
        no_resp = F.figure_text(opts)["no_resp"]
        note = next(i for i, a in enumerate(layout["annotations"]) if a["text"] == no_resp)
        main["channels"].append({"kind": "relayout", **series(
            [h == 0 for h in positions], lambda at0: {f"annotations[{note}].visible": at0})})
    if d in (2, 3):
        main["hover"] = {"params": [_params_spec(p) for p in trace.params],
                          "index": [-1 if i is None else i for i in resp_keys],
                          "columns": F.axis_labels(opts, d), "colors": list(ctx.colors)}
        if d == 3:  # Plotly's own label off, but its hover events on
            data[0] = {**data[0], "hoverinfo": "none"}
    main["figure"] = {"data": data, "layout": layout}

    return assemble(
        n,
        kinds=[_kind(h) for h in positions],
        labels=[F.half_step_label(h, F.figure_text(opts)) for h in positions],
        text=tx,
        status=_status(trace, tx, aris, init_method, seed, d),
        formula=(series([_kind(h) for h in positions], lambda kd: formulas.get(kd))
                 if formulas else None),
        end={"text": _stop_text(trace, tx),
             "level": _STOP_LEVEL.get(trace.stop_reason, "info")},
        notes=_notes(trace, tx, n),
        charts=[main, _loglik_chart(trace, opts, loglik_height)],
        tables=[_params_chart_table(trace, tx)],
        controls=tuple(c for c in CONTROLS if new_init or c != "new_init"),
        presenter=opts.presenter,
        points={"drawn": len(X)},
    )


def _with_ranges(ctx: F._Ctx, ranges: Sequence[Sequence[float]]) -> F._Ctx:
    return F._Ctx(ctx.X, ctx.n_components, ctx.colors, ctx.palette_rgb, ctx.options, ctx.style,
                  ctx.mode, tuple([float(lo), float(hi)] for lo, hi in ranges))


#: The words the browser itself shows (the rest is formatted here).
_CONTROL_WORDS = ("back", "back_help", "e", "e_help", "m", "m_help", "step", "step_help",
                  "play", "pause", "play_help", "speed", "run", "run_help", "reset",
                  "reset_help", "new_init", "new_init_help", "timeline", "timeline_help",
                  "predict", "predict_help", "keys", "formula", "half", "half_hidden",
                  "responsibilities", "no_resp", "add_hint", "draw_hint", "loading")


def _stop_text(trace: Trace, tx: Mapping[str, str]) -> str:
    return tx[f"stop_{trace.stop_reason}"].format(
        n_iter=trace.n_iter, tol=f"{trace.tol:g}", max_iter=trace.max_iter,
        component=(trace.collapsed_component or 0) + 1)


def _params_chart_table(trace: Trace, tx: Mapping[str, str]) -> dict[str, Any]:
    n = trace.n_half_steps
    columns = F.params_rows(trace.params[0], trace.covariance_type)[0]
    return {
        "id": "params",
        "columns": columns,
        "rows": series([params_index(h) for h in range(n)],
                       lambda i: _table_rows(trace.params[i], trace.covariance_type)),
        "title": series(range(n), lambda h: tx["params_title"].format(
            h=h, cov=trace.covariance_type)),
    }


def _loglik_chart(trace: Trace, opts: F.FigureOptions, height: int | None) -> dict[str, Any]:
    """The log-likelihood curve with a cursor (a dotted line) and a ring on the likelihood
    drawn at each position: two small traces moved by ``Plotly.animate``, over axes whose
    ranges are fixed, so that a step redraws nothing else. Its future can be hidden."""
    n = trace.n_half_steps
    fig = F.loglik_figure(trace, None, opts).to_plotly_json()
    data, layout = list(fig["data"]), dict(fig["layout"])
    if height is not None:
        layout["height"] = height
    ll = np.asarray(trace.log_likelihood, dtype=np.float64)
    finite = ll[np.isfinite(ll)]
    yaxis = dict(layout["yaxis"])
    if "range" not in yaxis and finite.size:
        yaxis["range"] = F._padded_range(float(finite.min()), float(finite.max()), 0.06)
    layout["yaxis"] = yaxis
    lo, hi = yaxis.get("range", [0.0, 1.0])
    style = F._STYLES[bool(opts.presenter)]
    stop = len(layout["annotations"]) - 1  # the stop reason comes last
    curves = list(range(len(data)))
    data.append({"type": "scatter", "mode": "lines", "x": [0.0, 0.0], "y": [lo, hi],
                 "name": "cursor", "showlegend": False, "hoverinfo": "skip",
                 "line": {"color": F.CURSOR_HEX, "width": style.line, "dash": "dot"}})
    data.append({"type": "scatter", "mode": "markers", "x": [0.0], "y": [float(ll[0])],
                 "name": "shown", "showlegend": False, "hoverinfo": "skip",
                 "marker": {"size": style.mean + 6, "color": "rgba(0,0,0,0)",
                            "line": {"color": F.CURSOR_HEX, "width": style.line}}})

    def cursor(h: int) -> list[dict[str, Any]]:
        i = params_index(h)
        y = float(ll[i]) if np.isfinite(ll[i]) else hi + (hi - lo)  # off the chart
        return [{"x": [h / 2, h / 2], "y": [lo, hi]}, {"x": [i], "y": [y]}]

    return chart(
        "loglik", {"data": data, "layout": layout}, role="side",
        channels=[animate([len(data) - 2, len(data) - 1], series(range(n), cursor))],
        reveal={
            "traces": curves,
            "upto": [params_index(h) for h in range(n)],
            "annotations": [stop],
            "x_range": list(layout["xaxis"].get("range", [0, max(trace.n_iter, 1)])),
        },
    )


def points_payload(
    X: Any,
    *,
    ranges: Sequence[Sequence[float]] | None = None,
    options: F.FigureOptions | None = None,
    text: Mapping[str, str] | None = None,
    message: str = "",
) -> dict[str, Any]:
    """A payload with no run: the points alone (grey), for a canvas the user draws on.

    Parameters
    ----------
    X : array of shape (n_points, 2)
        May be empty.
    ranges : pair of (lo, hi), optional
        Axis ranges (default: the points', padded; (0, 10) when there are none).
    message : str
        Shown as the status line (e.g. "add at least 3 points").
    """
    opts = options or F.FigureOptions()
    tx = _text(text)
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    probe = X if len(X) else np.array([[0.0, 0.0], [10.0, 10.0]])
    ctx = F._make_ctx(probe, 1, opts, F.STEPPED)
    if ranges is not None:
        ctx = _with_ranges(ctx, ranges)
    data, layout = F._static_2d(ctx, None, None, None)
    layout = F._merge_layout(F._base_layout(opts, ctx.style), layout)
    data[0] = {**data[0], "x": np.zeros(0, np.float32), "y": np.zeros(0, np.float32),
               "hoverinfo": "skip"}
    layout["paper_bgcolor"] = layout["plot_bgcolor"] = "rgba(0,0,0,0)"
    canvas = {"x": F._f32(X[:, 0]), "y": F._f32(X[:, 1]), "colors": [F.UNASSIGNED_HEX],
              "codes": constant(np.zeros(len(X), np.uint8), 1),
              "size": float(ctx.style.point * 1.6), "opacity": 0.75}
    edit = Edit(means_trace=None, halo_trace=None, ellipse_traces=[], segment=0)
    return assemble(
        1, kinds=["init"], labels=[""], text=tx,
        status={"title": constant(message, 1), "parts": constant([], 1),
                "caption": constant(tx["draw_hint"], 1)},
        charts=[chart("mixture", {"data": data, "layout": layout}, canvas=canvas, edit=edit)],
        controls=(), presenter=opts.presenter, points={"drawn": len(X)},
    )


__all__ = [
    "CONTROLS",
    "FORMAT",
    "MAX_CODE_BYTES",
    "PLAY_HALF_STEPS_PER_SECOND",
    "PLAY_SPEEDS",
    "TEXT",
    "animate",
    "assemble",
    "chart",
    "constant",
    "em_payload",
    "encode",
    "frame_header",
    "marks",
    "metric",
    "params_index",
    "payload_bytes",
    "payload_id",
    "points_payload",
    "relayout",
    "resp_index",
    "restyle",
    "series",
    "typed",
]
