"""Theory lab: ln p(X|θ) = L(q, θ) + KL(q ‖ p(Z|X, θ)), live at every half-step.

The bars are Bishop's PRML figures 9.11-9.14 on the current data: after an E-step KL = 0 and L
touches ln p; after an M-step θ moves, ln p and L rise, and KL > 0 opens up again. The whole
run is computed once and stepped in the browser (:func:`emviz.stepper_labs.elbo_payload`):
the bars, the Q + H waterfall, the five numbers and the scatter follow every half-step. The
paused half-step is ``elbo_pos`` (links carry it).

The first section holds small helpers the four theory labs share (data from the Explore
sidebar, figure options, translated figure labels, half-step buttons).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache as memo

import streamlit as st

from emviz import figures_theory as ft
from emviz import stepper as sp
from emviz.em import COVARIANCE_TYPES
from emviz.stepper_labs import elbo_payload
from emviz.ui import backend as be
from emviz.ui import cache, data_panel, explore, state, stepper, urlstate
from emviz.ui.formulas_text import formulas_html
from emviz.ui.i18n import current_language, figure_text, t, translate
from emviz.ui.memo import cached
from emviz.ui.messages import as_markdown, attempt

CHART_CONFIG = {"displaylogo": False}


# --------------------------------------------------------------------------------------
# Shared by the theory labs
# --------------------------------------------------------------------------------------
def presenter() -> bool:
    return bool(st.session_state.get("presenter", False))


def fig_options(height: int = 460, **extra) -> be.FigureOptions:
    return be.FigureOptions(presenter=presenter(), height=height, text=figure_text(), **extra)


def fig_labels() -> dict[str, str]:
    """:data:`emviz.figures_theory.DEFAULT_LABELS` in the session's language."""
    return {key: t(f"theory.fig.{key}") for key in ft.DEFAULT_LABELS}


def init_keys(defaults: dict) -> None:
    ss = st.session_state
    for key, value in defaults.items():
        if key not in ss:
            ss[key] = value
        ss[key] = ss[key]  # keep widget values while the widget is not drawn


def prefer_own_data(key: str) -> None:
    """First visit of a lab with its own teaching data (radio ``key``): a user who brought
    data (a sample or an upload) finds it selected ("current"), not replaced by the preset."""
    ss = st.session_state
    if key not in ss and ss.get("data_source", state.DEFAULTS["data_source"]) != "Synthetic":
        ss[key] = "current"


def current_data() -> tuple[object, bytes | None, cache.Prepared] | None:
    """The Explore page's data source (its sidebar widgets), prepared; None if unusable."""
    state.init()
    with st.sidebar:
        st.subheader(t("theory.data"))
        picked = data_panel.render()
    if picked is None:
        st.info(data_panel.missing_text(t("theory.choose_data")))
        return None
    spec, raw = picked
    data = attempt(lambda: cache.prepared(spec, _raw=raw), t("theory.preparing"))
    return None if data is None else (spec, raw, data)


def clamp_position(key: str, owner_key: str, owner: object, last: int, start: int) -> int:
    """The half-step position ``ss[key]``, reset to ``start`` when ``owner`` (the run) changes."""
    ss = st.session_state
    if ss.get(owner_key) != owner:  # a new run: its start, or the position a link asks for
        ss[owner_key] = owner
        ss[key] = min(urlstate.take_linked(ss, key, start), last)
    ss[key] = max(0, min(int(ss.get(key, 0)), last))
    return int(ss[key])


def half_step_buttons(key: str, last: int, prefix: str,
                      run_label: str | None = None) -> None:
    """E-step / M-step / Step / Run / Reset buttons moving ``ss[key]`` on the half-step line."""
    ss = st.session_state
    pos = int(ss[key])

    def go(to: Callable[[int], int]) -> Callable[[], None]:
        def callback() -> None:
            ss[key] = max(0, min(to(int(ss[key])), last))
        return callback

    specs = [
        (t("theory.e_step"), "e", go(lambda p: p + 1), pos % 2 == 1 or pos >= last,
         t("theory.e_step_help")),
        (t("theory.m_step"), "m", go(lambda p: p + 1), pos % 2 == 0 or pos >= last,
         t("theory.m_step_help")),
        (t("theory.step"), "step", go(lambda p: p + 2 if p % 2 == 0 else p + 1), pos >= last,
         t("theory.step_help")),
        (run_label or t("theory.run"), "run", go(lambda p: last), pos >= last,
         t("theory.run_help")),
        (t("theory.reset"), "reset", go(lambda p: 0), pos == 0, t("theory.reset_help")),
    ]
    cols = st.columns(len(specs))
    for col, (label, name, callback, disabled, tip) in zip(cols, specs, strict=True):
        col.button(label, key=f"{prefix}_btn_{name}", on_click=callback, disabled=disabled,
                   help=tip, width="stretch",
                   type="primary" if name in ("e", "m") else "secondary")


def timeline(key: str, slider_key: str, last: int) -> None:
    ss = st.session_state
    ss[slider_key] = int(ss[key])

    def moved() -> None:
        ss[key] = int(ss[slider_key])

    st.slider(t("theory.timeline"), 0, max(last, 1), key=slider_key, on_change=moved,
              disabled=last == 0, help=t("theory.timeline_help"))


def hide_future_toggle(key: str, position_key: str) -> bool:
    """A toggle that hides what the run does after the position on screen.

    Turning it on goes back to the start (position 0), so a class can predict each step
    before it is drawn. Returns whether the future is hidden.
    """
    ss = st.session_state
    ss.setdefault(key, False)
    ss[key] = ss[key]  # keep the choice while another page is shown

    def turned() -> None:
        if ss[key]:
            ss[position_key] = 0

    st.toggle(t("labs.hide_future"), key=key, on_change=turned, help=t("labs.hide_future_help"))
    return bool(ss[key])


def kind_name(kind: str, iteration: int) -> str:
    return t(f"theory.kind.{kind}", i=iteration)


# --------------------------------------------------------------------------------------
# The ELBO lab
# --------------------------------------------------------------------------------------
DEFAULTS = {"elbo_k": 3, "elbo_cov": "full", "elbo_seed": 0, "elbo_pos": 1}


def _model() -> state.ModelSpec:
    ss = st.session_state
    # reg_covar = 0: the exact M-step, so "ln p never decreases" holds to the last digit.
    return state.ModelSpec(n_components=int(ss["elbo_k"]), covariance_type=str(ss["elbo_cov"]),
                           init_params="random_from_data", seed=int(ss["elbo_seed"]),
                           reg_covar=0.0, max_iter=200, tol=1e-6)


def _sidebar() -> None:
    with st.sidebar:
        st.subheader(t("theory.model"))
        st.number_input(t("theory.k"), 1, 12, key="elbo_k")
        st.selectbox(t("theory.covariance_type"), COVARIANCE_TYPES, key="elbo_cov")
        st.number_input(t("theory.seed"), 0, 1_000_000, key="elbo_seed")
        st.caption(t("elbo.exact_note"))


#: The stepper's key: its reports live in ``st.session_state[STEPPER]``.
STEPPER = "elbo_stepper"
#: The payload's words (emviz.stepper_labs.ELBO_TEXT) -> their catalog keys.
WORDS: dict[str, str] = {
    "title_init": "theory.kind.init", "title_E": "theory.kind.E", "title_M": "theory.kind.M",
    "at_init": "elbo.at_init", "after_e": "elbo.after_e", "after_m": "elbo.after_m",
    "collapsed": "elbo.collapsed",
}


@memo
def stepper_text(lang: str) -> dict[str, str]:
    """The stepper's words in ``lang``: Explore's controls and the lab's sentences."""
    return {**explore.stepper_text(lang),
            **{key: translate(catalog_key, lang) for key, catalog_key in WORDS.items()}}


@cached(max_entries=32, upload_entries=4, max_size="64MB")
def _payload(key: str, _spec, _model: state.ModelSpec, _options: be.FigureOptions,
             _scatter: be.FigureOptions, _text: dict, _labels: dict, _formulas: dict,
             _raw: bytes | None = None) -> cache.Payload:
    data = cache.prepared(_spec, _raw=_raw)
    trace = cache.fit(_spec, _model, _raw=_raw).trace
    payload = elbo_payload(data.X, trace, display=data.display, options=_options,
                           scatter_options=_scatter, text=_text, labels=_labels,
                           formulas=_formulas)
    raw_bytes = sp.payload_bytes(payload)
    return cache.Payload(raw_bytes, sp.payload_id(raw_bytes), len(data.display), False)


def payload(spec, model: state.ModelSpec, data: cache.Prepared, raw: bytes | None
            ) -> cache.Payload:
    """The run's every half-step as the browser steps it (cached per data, model, options
    and language)."""
    lang = current_language()
    options = fig_options()
    scatter = fig_options(420, column_names=data.columns, uirevision=repr(spec))
    with st.spinner(t("spinner.stepper"), show_time=True):
        return _payload(cache._key("elbo", spec, model, options, scatter, lang), spec, model,
                        options, scatter, stepper_text(lang), fig_labels(),
                        formulas_html(model.covariance_type, lang), _raw=raw)


def render() -> None:
    """The ELBO/KL lab (an ``st.Page`` callable)."""
    init_keys(DEFAULTS)
    st.title(t("elbo.title"))
    st.markdown(t("elbo.intro"))
    picked = current_data()
    _sidebar()
    if picked is None:
        return
    spec, raw, data = picked
    model = _model()
    fit = attempt(lambda: cache.fit(spec, model, _raw=raw), t("theory.running_em"))
    if fit is None:
        return
    if fit.trace is None:
        (st.warning if fit.error_kind == "collapse" else st.error)(as_markdown(fit.error))
        return
    trace = fit.trace
    last = trace.n_half_steps - 1
    clamp_position("elbo_pos", "elbo_owner", (spec, model), last, start=1)
    steps = attempt(lambda: payload(spec, model, data, raw), t("theory.drawing"))
    if steps is None:
        return
    stepper.follow(STEPPER, steps.data, steps.id, position_key="elbo_pos", last=last,
                   run=steps.id, url_path="elbo")
    st.markdown(t("elbo.why"))
    if trace.stop_reason == "collapsed":
        st.warning(t("elbo.collapsed", k=(trace.collapsed_component or 0) + 1))
