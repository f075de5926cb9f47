"""The Explore page: pick data and a model, then step EM and watch it converge.

Every control is in the sidebar; the main area is the stepper (:mod:`emviz.ui.stepper`):
the whole run is computed once and stepped, scrubbed and played in the browser, with the
chart, the log-likelihood curve, the parameter table and the status line moving together.
The browser keeps the link's ``step=`` right by itself; Python hears where the stepper is
only when the user reaches for something else on the page (then the downloads follow), and
about edits: points clicked in or out, a mean dragged at half-step 0, "New init".
"""

from __future__ import annotations

import math
from collections.abc import Callable, MutableMapping
from functools import cache as memo
from typing import Any

import streamlit as st

from emviz.engine.em import Trace, e_step
from emviz.engine.work import iterations_within, over_budget, work_units
from emviz.figures import stepper as sp
from emviz.text import markdown_text
from emviz.ui import (
    analyst,
    cache,
    data_panel,
    downloads,
    jobs,
    model_panel,
    sidebar_common,
    state,
    stepper,
)
from emviz.ui import backend as be
from emviz.ui.formulas_text import formulas_html
from emviz.ui.i18n import current_language, figure_text, t, translate
from emviz.ui.messages import as_markdown, attempt, guarded
from emviz.ui.naming import data_name
from emviz.ui.state import DataSpec, EditedSpec, ModelSpec
from emviz.ui.urlstate import PENDING_STEP

#: The stepper's key: its reports live in ``st.session_state[STEPPER]``.
STEPPER = "explore_stepper"
#: What the last mounted payload refers to (read by the callbacks).
_CONTEXT = state.STEPPER_CONTEXT
#: The position Python last asked the browser to go to, and how many times it asked.
_GOTO, _NONCE = "explore_goto", "explore_goto_nonce"
#: Where a new run (after an edit or a drag) opens, instead of half-step 0.
_KEEP = "explore_keep_position"
#: Set by a report that changes more than the stepper's fragment shows.
_WHOLE_PAGE = "explore_whole_page"
#: Set by a whole-page run: the stepper's fragment then sends the payload, not just a header.
_WHOLE_RUN = "explore_whole_run"
#: (setting, asked, allowed) when a link's iterations were lowered to the work budget.
_CLAMPED = "explore_link_clamped"
#: Most points one batch of clicks may add (a browser sends far fewer).
MAX_ADDED = 5_000


@memo
def stepper_text(lang: str) -> dict[str, str]:
    """:data:`emviz.figures.stepper.TEXT` in ``lang``."""
    return {key: translate(f"stepview.{key}", lang) for key in sp.TEXT}


# --------------------------------------------------------------------------------------
# What the browser reports. Each report is checked (it comes from the browser) and applied
# to the session by a function of (session, context, value), tested without Streamlit;
# the callbacks run them before the next script run.
# --------------------------------------------------------------------------------------
Session = MutableMapping[str, Any]


def _about(ctx: dict[str, Any] | None, value: Any) -> bool:
    """Whether a report is about the payload on screen (not a stale one)."""
    return isinstance(value, dict) and ctx is not None and value.get("id") == ctx["id"]


def take_position(ss: Session, ctx: dict[str, Any] | None, value: Any) -> None:
    """Stepping paused at ``value["h"]``: the link and the downloads follow it."""
    if not _about(ctx, value):
        return
    last = int(ss["n_half_steps"]) - 1
    try:
        h, frontier = int(value["h"]), int(value.get("frontier", value["h"]))
    except (KeyError, TypeError, ValueError):
        return
    ss["position"] = min(max(h, 0), last)
    ss["frontier"] = min(max(frontier, ss["position"]), last)


def _finite_pair(p: Any) -> tuple[float, float] | None:
    try:
        x, y = float(p[0]), float(p[1])
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def take_edit(ss: Session, ctx: dict[str, Any] | None, value: Any) -> None:
    """Points clicked in or out: the data becomes an edit of what was on screen, and EM
    starts again from the same start (kept by hand), at the same half-step."""
    if not _about(ctx, value):
        return
    clicks = value.get("added") or []
    added = [p for p in (_finite_pair(q) for q in list(clicks)[:MAX_ADDED]) if p is not None]
    removed = [int(i) for i in value.get("removed") or [] if isinstance(i, int)]
    if not added and not removed:
        return
    ss["data_edits"] = state.apply_edits(ctx["spec"], ctx["n_base"], added, removed)
    if ctx["start"] is not None:
        state.set_manual_start(ctx["start"], ctx["data_key"], ss)
        ss[_KEEP] = int(value.get("h") or 0)


def take_drag(ss: Session, ctx: dict[str, Any] | None, value: Any) -> None:
    """A mean dragged at half-step 0: EM starts from there."""
    if not _about(ctx, value) or ctx["start"] is None:
        return
    weights, means, covariances = ctx["start"]
    mean = _finite_pair(value.get("mean"))
    k = value.get("k")
    if mean is None or not isinstance(k, int) or not 0 <= k < len(means):
        return
    moved = tuple(mean if j == k else m for j, m in enumerate(means))
    state.set_manual_start((weights, moved, covariances), ctx["data_key"], ss)
    ss[_KEEP] = 0


#: Commands the browser can send (trigger "command").
COMMANDS: dict[str, Callable[[Session], None]] = {
    "new_init": state.on_new_init,
    # the browser lost the run (a new tab on the same session): send it again
    "resend": lambda ss: None,
}


def take_command(ss: Session, command: Any) -> None:
    if isinstance(command, str) and command in COMMANDS:
        COMMANDS[command](ss)


# A report reruns only the stepper's fragment: the position changes the link and the
# downloads, nothing else. An edit, a drag or a command changes the data or the model, so
# the whole page reruns (the fragment asks for it: a callback cannot).
def _on_position() -> None:
    ss = st.session_state
    take_position(ss, ss.get(_CONTEXT), stepper.value(STEPPER, "position"))
    if sidebar_common.link_shown():  # the open share box shows the link: it must follow
        ss[_WHOLE_PAGE] = True


def _on_edit() -> None:
    ss = st.session_state
    take_edit(ss, ss.get(_CONTEXT), stepper.value(STEPPER, "edit"))
    ss[_WHOLE_PAGE] = True


def _on_drag() -> None:
    ss = st.session_state
    take_drag(ss, ss.get(_CONTEXT), stepper.value(STEPPER, "drag"))
    ss[_WHOLE_PAGE] = True


def _on_command() -> None:
    take_command(st.session_state, stepper.value(STEPPER, "command"))
    st.session_state[_WHOLE_PAGE] = True


def _discard_edits() -> None:
    st.session_state["data_edits"] = None
    state.leave_manual()
    st.session_state[_WHOLE_PAGE] = True  # the button sits in the stepper's fragment


# --------------------------------------------------------------------------------------
# Pieces of the page
# --------------------------------------------------------------------------------------
def _options(data: cache.DataInfo, spec: DataSpec) -> be.FigureOptions:
    ss = st.session_state
    n, shown = data.n_samples, data.n_display
    note = t("explore.points_note", shown=f"{shown:,}", n=f"{n:,}") if shown < n else None
    return be.FigureOptions(
        presenter=bool(ss["presenter"]),
        height=640 if ss["presenter"] else 560,  # a projector: let the figure fill the room
        show_truth=bool(ss["show_truth"]) and data.has_truth,
        column_names=data.columns,
        max_points_note=note,
        text=figure_text(),  # the figures' words in the reader's language
        uirevision=repr(state.data_key(spec)),  # same data: keep zoom and 3D camera
        bins_1d=None if ss["hist_bins"] == state.AUTO_BINS else int(ss["hist_bins"]),
    )


def _display_controls(data: cache.DataInfo) -> None:
    """Sidebar: how the figure draws the data (only what applies to this data)."""
    if data.n_features != 1:
        return
    with st.sidebar:
        st.subheader(t("explore.side.display"))
        auto = t("explore.bins_auto")
        st.select_slider(t("explore.bins"), state.HIST_BINS, key="hist_bins",
                         format_func=lambda b: auto if b == state.AUTO_BINS else str(b),
                         help=t("explore.bins_help"))


def _go(h: int) -> None:
    """Ask the browser to show half-step ``h`` (once)."""
    ss = st.session_state
    ss[_GOTO] = int(h)
    ss[_NONCE] = int(ss.get(_NONCE, 0)) + 1


def _position_for(trace: Trace, new_fit: bool) -> None:
    """Where the browser should be: a new run opens at 0 (or where an edit left it), a
    shared link at its half-step (clamped to the run, with a note)."""
    ss, last = st.session_state, trace.n_half_steps - 1
    keep = ss.pop(_KEEP, None)
    if new_fit:
        ss["position"] = ss["frontier"] = min(int(keep or 0), last)
        _go(ss["position"])
    step = ss.pop(PENDING_STEP, None)
    if step is not None:
        if int(step) > last:
            st.info(t("explore.step_clamped", step=int(step), last=last),
                    icon=":material/last_page:")
        ss["position"] = ss["frontier"] = min(int(step), last)
        _go(ss["position"])
    if _GOTO not in ss:
        _go(int(ss["position"]))


def _link_within_budget(spec: DataSpec, raw: bytes | None) -> None:
    """A shared link's first fit stays within the work budget: fewer iterations if needed
    (before the sidebar draws the iterations control, which then shows the lowered value)."""
    if not jobs.opened_by_link():
        return
    try:
        n = cache.info(state.edited(spec), _raw=raw).n_samples
    except Exception:  # the page reports the data's error itself
        return
    ss = st.session_state
    k, asked = int(ss["model_k"]), int(ss["model_max_iter"])
    if not over_budget(work_units(n, k, asked)):
        return
    allowed = min(iterations_within(n, k), asked)
    ss["model_max_iter"] = allowed
    ss[_CLAMPED] = (t("jobs.setting.max_iter"), asked, allowed)


def _caption(spec: DataSpec, data: cache.DataInfo) -> None:
    name = data_name(spec, data.name)
    st.caption(t("explore.caption", name=name, n=f"{data.n_samples:,}", d=data.n_features,
                 columns=", ".join(markdown_text(c) for c in data.columns)))
    if data.description:
        st.caption(as_markdown(data.description))
    shown = data.n_display
    if shown < data.n_samples:
        st.caption(t("explore.subsample", shown=f"{shown:,}", n=f"{data.n_samples:,}"))
    for note in data.notes:
        st.caption(as_markdown(note))


def _edit_status(spec: DataSpec) -> None:
    """What the user changed by hand, and how to undo it."""
    ss = st.session_state
    manual = ss["model_init"] == state.MANUAL
    if not isinstance(spec, EditedSpec) and not manual:
        return
    left, right = st.columns([4, 1], vertical_alignment="center")
    parts = []
    if isinstance(spec, EditedSpec) and spec.base is not None:
        parts.append(t("explore.edits", added=len(spec.added), removed=len(spec.removed)))
    if manual:
        parts.append(t("explore.manual_start"))
    parts.append(t("explore.no_link"))
    left.caption(" · ".join(parts))
    if (isinstance(spec, EditedSpec) and (spec.added or spec.removed)) or manual:
        right.button(t("explore.discard"), key="explore_discard", on_click=_discard_edits,
                     help=t("explore.discard_help"), width="stretch")


def _context_for(spec: DataSpec, data: cache.DataInfo, trace: Trace | None,
                 payload: cache.Payload, raw: bytes | None) -> dict[str, Any]:
    base = spec.base if isinstance(spec, EditedSpec) else spec
    if isinstance(spec, EditedSpec):
        n_base = 0 if base is None else cache.info(base, _raw=raw).n_samples
    else:
        n_base = data.n_samples
    return {"id": payload.id, "spec": spec, "n_base": n_base, "data_key": state.data_key(spec),
            "start": None if trace is None else state.start_of(trace.params[0])}


def _mount(payload: cache.Payload, whole: bool = True) -> None:
    """The stepper with its payload. ``whole=False`` (a fragment rerun after a report)
    sends only the header: the browser has the run already, and a megabyte sent, hashed
    and cached again would cost the server more than the rest of the rerun."""
    ss = st.session_state
    stepper.mount(payload.data if whole else b"", key=STEPPER, payload_id=payload.id,
                  goto=ss.get(_GOTO), nonce=int(ss.get(_NONCE, 0)), param="step",
                  on_position=_on_position,
                  on_edit=_on_edit, on_drag=_on_drag, on_command=_on_command)


def _draw_more(spec: EditedSpec, data: cache.DataInfo, model: ModelSpec,
               raw: bytes | None) -> None:
    """An empty canvas (or too few points on it): the points alone, ready for clicks."""
    message = t("explore.draw_more", k=model.n_components, n=data.n_samples)
    options = _options(data, spec)
    lang = current_language()
    payload = attempt(lambda: cache.points_payload(spec, options, lang, stepper_text(lang),
                                                   message, _raw=raw), t("ctx.figure"))
    if payload is None:
        return
    st.session_state[_CONTEXT] = _context_for(spec, data, None, payload, raw)
    st.session_state.pop(_GOTO, None)
    st.session_state[_WHOLE_RUN] = True
    _stepper_view(spec, model, raw, data, None, options, payload)


def _downloads(spec: DataSpec, model: ModelSpec, raw: bytes | None, trace: Trace,
               options: be.FigureOptions) -> None:
    h = int(st.session_state["position"])

    def figure():
        data = cache.prepared(spec, _raw=raw)
        hs = trace.half_step(h)
        resp = None if hs.resp_params is None else e_step(data.X_display, hs.resp_params).resp
        return be.mixture_figure(data.X_display, hs.params, resp,
                                 truth=data.truth if options.show_truth else None,
                                 options=options)

    # Lazy: the buttons exist only while the box is open, so a report that reruns the
    # stepper's fragment does not pay for them.
    box = st.expander(t("export.title"), icon=":material/download:", key="explore_downloads",
                      on_change="rerun")
    if box.open:
        with box, guarded(t("ctx.export")):
            downloads.render(spec, model, raw, None, trace, h, figure, options)


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------
def render() -> None:
    """The Explore page (an ``st.Page`` callable)."""
    cache.freeze_imports()  # every page module is imported by now
    state.init()
    with st.sidebar:
        st.subheader(t("explore.side.data"))
        picked = data_panel.render()
        if picked is not None:
            state.check_manual(state.data_key(picked[0]))
            _link_within_budget(*picked)
        st.subheader(t("explore.side.model"))
        model_panel.render()
    model = state.model_spec()

    if picked is None:
        st.info(data_panel.missing_text(t("explore.no_data")))
        return
    spec, raw = picked
    spec = state.edited(spec)
    data = attempt(lambda: cache.info(spec, _raw=raw), t("ctx.prepare"))
    if data is None:
        return
    _display_controls(data)
    clamped = st.session_state.pop(_CLAMPED, None)
    if clamped is not None:
        jobs.clamp_note(*clamped)
    units = work_units(data.n_samples, model.n_components, model.max_iter)
    if not jobs.confirm("explore", units, repr((spec, model))):
        _caption(spec, data)
        return
    with jobs.heavy() as free:
        fit = attempt(lambda: cache.fit(spec, model, _raw=raw), t("ctx.fit")) if free else None
    if fit is None:
        return
    if fit.trace is None:
        if isinstance(spec, EditedSpec) and fit.error_kind == "data":
            _draw_more(spec, data, model, raw)
        else:
            (st.warning if fit.error_kind == "collapse" else st.error)(as_markdown(fit.error))
            _edit_status(spec)
        _caption(spec, data)
        return
    trace = fit.trace
    for note in trace.notes:  # e.g. reg_covar not small against the data's variances
        st.warning(as_markdown(note))
    new_fit = state.sync_fit((spec, model), trace.n_half_steps)
    _position_for(trace, new_fit)
    options = _options(data, spec)
    lang = current_language()
    payload = attempt(lambda: cache.stepper_payload(spec, model, options, lang,
                                                    stepper_text(lang),
                                                    formulas_html(model.covariance_type, lang),
                                                    _raw=raw),
                      t("ctx.figure"))
    if payload is None:
        return
    st.session_state[_CONTEXT] = _context_for(spec, data, trace, payload, raw)
    st.session_state[_WHOLE_RUN] = True
    _stepper_view(spec, model, raw, data, trace, options, payload)
    # The analyst's result is the run's result (its last half-step), so it need not follow
    # the stepper: it stays out of the fragment that each report reruns.
    analyst.render(spec, model, raw, data, trace, trace.n_half_steps - 1)
    _caption(spec, data)


@st.fragment
def _stepper_view(spec: DataSpec, model: ModelSpec, raw: bytes | None, data: cache.DataInfo,
                  trace: Trace | None, options: be.FigureOptions,
                  payload: cache.Payload) -> None:
    """The stepper, what was edited by hand, and the downloads at the paused position.

    A fragment: when the browser reports where stepping paused, only this reruns (and the
    link follows), not the whole page with its sidebar. Anything in it that changes the data
    or the model (an edit) reruns the whole page instead.
    """
    ss = st.session_state
    if ss.pop(_WHOLE_PAGE, False) or state.model_spec() != model:
        st.rerun(scope="app")
    _mount(payload, whole=ss.pop(_WHOLE_RUN, False))
    _edit_status(spec)
    if trace is not None:
        _downloads(spec, model, raw, trace, options)
    sidebar_common.sync_url("explore")  # on a fragment rerun, nothing else writes the link
