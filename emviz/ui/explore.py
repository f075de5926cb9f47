"""The Explore page: pick data and a model, then step EM and watch it converge.

Layout for a projector: every control in the sidebar; the main area is the stepping
buttons, one status line, the timeline, and the figure, with the log-likelihood curve and
the parameter table underneath.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import streamlit as st

from emviz.em import HalfStep, Trace
from emviz.text import markdown_text
from emviz.ui import backend as be
from emviz.ui import cache, data_panel, downloads, model_panel, presenter, state
from emviz.ui.i18n import current_language, figure_text, t
from emviz.ui.messages import as_markdown, attempt, guarded
from emviz.ui.state import DataSpec, ModelSpec
from emviz.ui.urlstate import PENDING_STEP

KEYS = presenter.SHORTCUTS


def _reset() -> None:
    presenter.stop()
    state.on_reset()


def _new_init() -> None:
    presenter.stop()
    state.on_new_init()


# --------------------------------------------------------------------------------------
# Pieces of the page
# --------------------------------------------------------------------------------------
def _text_width(text: str) -> int:
    """Width of ``text`` in narrow characters: East Asian wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _buttons(last: int) -> None:
    ss = st.session_state
    pos = int(ss["position"])
    animating = bool(ss["animate"])
    playing = bool(ss.get(presenter.PLAYING))
    # (label, key, callback, disabled, help, shortcut). E-step and M-step share → : exactly
    # one of them is enabled, so → is always "the next half-step".
    specs = [
        ("◀ " + t("stepper.back"), "btn_back", presenter.on_previous, pos == 0,
         t("stepper.back_help"), KEYS["previous"]),
        (t("explore.btn.e"), "btn_e", state.on_e_step, state.next_e(pos, last) is None,
         t("explore.btn.e_help"), KEYS["next"]),
        (t("explore.btn.m"), "btn_m", state.on_m_step, state.next_m(pos, last) is None,
         t("explore.btn.m_help"), KEYS["next"]),
        (t("explore.btn.step"), "btn_step", state.on_step, state.next_full(pos, last) is None,
         t("explore.btn.step_help"), None),
        (t("stepper.pause") if playing else t("stepper.play"), "btn_play", presenter.on_play,
         last == 0, t("stepper.play_help", seconds=presenter.PLAY_SECONDS), KEYS["play"]),
        (t("explore.btn.run"), "btn_run", state.on_run, pos >= last,
         t("explore.btn.run_help"), None),
        (t("explore.btn.reset"), "btn_reset", _reset, pos == 0 and ss["frontier"] == 0,
         t("explore.btn.reset_help"), KEYS["reset"]),
        (t("explore.btn.new_init"), "btn_new_init", _new_init, False,
         t("explore.btn.new_init_help"), None),
    ]
    animate = t("explore.animate")
    # Each column as wide as its label needs (buttons: padding; the toggle: its switch and
    # help icon), and half the default gap between them, so that no label is cut at 1400 px
    # in any language (tests/e2e/test_explore.py checks): equal columns cut Russian's
    # "Итерация" while "Run" idled.
    widths = [_text_width(spec[0]) + 4 for spec in specs] + [_text_width(animate) + 10]
    cols = st.columns(widths, gap="xsmall", vertical_alignment="center")
    for col, (label, key, callback, disabled, tip, keys) in zip(cols, specs, strict=False):
        col.button(label, key=key, on_click=callback, disabled=disabled or animating,
                   help=tip, width="stretch", shortcut=keys,
                   type="primary" if key == "btn_step" else "secondary")
    cols[-1].toggle(animate, key="animate", help=t("explore.animate_help"))
    presenter.shortcut_legend()


def _status(trace: Trace, h: int, hs: HalfStep, model: ModelSpec, ari: float | None) -> None:
    pi = state.params_index(h)
    ll = float(trace.log_likelihood[pi])
    kind = t(f"explore.kind.{hs.kind}")
    parts = [f"**{t('explore.status.iteration', iteration=hs.iteration, kind=kind)}**",
             t("explore.status.ll", value=f"{ll:,.2f}")]
    if hs.kind == "M":
        parts.append(t("explore.status.dll",
                       value=f"{ll - float(trace.log_likelihood[pi - 1]):+,.3g}"))
    if ari is not None:
        parts.append(t("explore.status.ari", value=f"{ari:.3f}"))
    parts.append(t("explore.status.half", h=h, last=trace.n_half_steps - 1))
    st.markdown(" · ".join(parts))
    if hs.kind == "init":
        st.caption(t("explore.explain.init", method=model.init_params, seed=model.seed))
    else:
        st.caption(t(f"explore.explain.{hs.kind}"))


def _end_of_run(trace: Trace) -> None:
    # stop_reason is one of these three (Trace's contract); each has a catalog entry
    msg = t(f"explore.stop.{trace.stop_reason}", n_iter=trace.n_iter, tol=f"{trace.tol:g}",
            max_iter=trace.max_iter, component=(trace.collapsed_component or 0) + 1)
    show = {"converged": st.success, "max_iter": st.info, "collapsed": st.warning}
    show.get(trace.stop_reason, st.info)(msg)


def _timeline() -> None:
    ss = st.session_state
    frontier = int(ss["frontier"])
    ss["timeline"] = int(ss["position"])
    st.slider(t("explore.timeline"), 0, max(frontier, 1), key="timeline",
              on_change=state.on_timeline, disabled=frontier == 0,
              help=t("explore.timeline_help"))


def _likelihood_notes(trace: Trace, upto_iteration: int) -> None:
    drops = [d for d in trace.decreases() if d.iteration <= upto_iteration]
    bad = [d for d in drops if not d.explained]
    if bad:
        first = bad[0]
        st.warning(t("explore.ll_bad", iteration=first.iteration, amount=f"{first.amount:.3g}",
                     allowed=f"{first.allowed:.3g}", count=len(bad)))
    elif drops:
        its = ", ".join(str(d.iteration) for d in drops[:5])
        st.info(t("explore.ll_dips", iterations=its, reg=f"{trace.reg_covar:g}"))


def _options(data: cache.DataInfo, spec: DataSpec, title: str = "") -> be.FigureOptions:
    ss = st.session_state
    n, shown = data.n_samples, data.n_display
    note = t("explore.points_note", shown=f"{shown:,}", n=f"{n:,}") if shown < n else None
    return be.FigureOptions(
        presenter=bool(ss["presenter"]),
        height=640 if ss["presenter"] else 560,  # a projector: let the figure fill the room
        show_truth=bool(ss["show_truth"]) and data.has_truth,
        column_names=data.columns,
        title=title,
        max_points_note=note,
        text=figure_text(),  # the figures' words in the reader's language
        uirevision=repr(spec),  # same data: keep zoom and 3D camera across steps
    )


_CHART_CONFIG = {"displaylogo": False}


def _step_view(spec: DataSpec, model: ModelSpec, raw: bytes | None,
               data: cache.DataInfo, trace: Trace) -> None:
    """The figures, table and downloads at the current half-step.

    Everything drawn comes from ``cache`` keyed on (spec, model, h, options, language), so a
    classroom of sessions on the same preset builds each figure once, not once per student.
    """
    ss = st.session_state
    h = int(ss["position"])
    hs = trace.half_step(h)
    lang = current_language()
    options = _options(data, spec)
    _status(trace, h, hs, model, cache.ari(spec, model, h, _raw=raw) if h > 0 else None)
    _timeline()
    fig = None
    with guarded(t("ctx.figure")):
        fig = cache.mixture_figure(spec, model, h, options, lang, _raw=raw)
        st.plotly_chart(fig, key="explore_chart", width="stretch", config=_CHART_CONFIG)
    if h == trace.n_half_steps - 1:
        _end_of_run(trace)
    _likelihood_notes(trace, state.iteration_of(int(ss["frontier"])))
    left, right = st.columns([3, 2])
    with left, guarded(t("ctx.loglik")):
        st.plotly_chart(cache.loglik_figure(spec, model, h, options, lang, _raw=raw),
                        key="loglik_chart", width="stretch", config=_CHART_CONFIG)
    with right, guarded(t("ctx.table")):
        st.markdown(t("explore.params_title", h=h, cov=trace.covariance_type))
        # st.table, not st.dataframe: plain HTML, no data-grid JavaScript to load.
        st.table(cache.params_table(spec, model, h, lang, _raw=raw), hide_index=True)
    with st.expander(t("export.title"), icon=":material/download:"), guarded(t("ctx.export")):
        downloads.render(spec, model, raw, None, trace, h, fig, options)


def _animate_view(spec: DataSpec, model: ModelSpec, raw: bytes | None,
                  data: cache.DataInfo, trace: Trace) -> None:
    st.markdown(t("explore.anim_title", n_iter=trace.n_iter, n_half=trace.n_half_steps))
    st.caption(t("explore.anim_help"))
    with guarded(t("ctx.animation")):
        fig = cache.animation(spec, model, _options(data, spec), current_language(), _raw=raw)
        st.plotly_chart(fig, key="animation_chart", width="stretch", config=_CHART_CONFIG)
    _end_of_run(trace)


#: The data's name in the caption, by kind of data: a preset or a custom mixture by the
#: label the sidebar gives it (in the reader's language), a CSV by its file name.
_DATA_NAME: dict[type, Callable[[Any, cache.DataInfo], str]] = {
    state.PresetSpec: lambda spec, data: t(f"panels.preset.{spec.name}"),
    state.SyntheticSpec: lambda spec, data: t("panels.custom"),
    state.TableSpec: lambda spec, data: markdown_text(data.name),
}


def _caption(spec: DataSpec, data: cache.DataInfo) -> None:
    name = _DATA_NAME[type(spec)](spec, data)
    st.caption(t("explore.caption", name=name, n=f"{data.n_samples:,}", d=data.n_features,
                 columns=", ".join(markdown_text(c) for c in data.columns)))
    if data.description:
        st.caption(as_markdown(data.description))
    shown = data.n_display
    if shown < data.n_samples:
        st.caption(t("explore.subsample", shown=f"{shown:,}", n=f"{data.n_samples:,}"))
    for note in data.notes:
        st.caption(as_markdown(note))


def _apply_linked_step(last: int) -> None:
    """A shared link's half-step, once the fit it refers to exists (clamped to the run)."""
    step = st.session_state.pop(PENDING_STEP, None)
    if step is not None:
        st.session_state["position"] = st.session_state["frontier"] = min(int(step), last)


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
        st.subheader(t("explore.side.model"))
        model_panel.render()
    model = state.model_spec()

    if picked is None:
        st.info(t("explore.no_data"))
        return
    spec, raw = picked
    data = attempt(lambda: cache.info(spec, _raw=raw), t("ctx.prepare"))
    if data is None:
        return
    fit = attempt(lambda: cache.fit(spec, model, _raw=raw), t("ctx.fit"))
    if fit is None:
        return
    if fit.trace is None:
        (st.warning if fit.error_kind == "collapse" else st.error)(as_markdown(fit.error))
        _caption(spec, data)
        return
    trace = fit.trace
    state.sync_fit((spec, model), trace.n_half_steps)
    _apply_linked_step(trace.n_half_steps - 1)
    _buttons(trace.n_half_steps - 1)
    if st.session_state["animate"]:
        _animate_view(spec, model, raw, data, trace)
    else:
        with guarded(t("ctx.step")):
            _step_view(spec, model, raw, data, trace)
        presenter.autoplay()
    _caption(spec, data)
