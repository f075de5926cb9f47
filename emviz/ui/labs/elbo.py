"""Theory lab: ln p(X|θ) = L(q, θ) + KL(q ‖ p(Z|X, θ)), live at every half-step.

The bars are Bishop's PRML figures 9.11-9.14 on the current data: after an E-step KL = 0 and L
touches ln p; after an M-step θ moves, ln p and L rise, and KL > 0 opens up again. The whole
run is computed once and stepped in the browser (:func:`emviz.figures.stepper_labs.elbo_payload`):
the bars, the Q + H waterfall, the five numbers and the scatter follow every half-step. The
paused half-step is ``elbo_pos`` (links carry it).

The first section holds small helpers the four theory labs share (data from the Explore
sidebar, figure options, translated figure labels, half-step buttons).
"""

from __future__ import annotations

from functools import cache as memo

import streamlit as st

from emviz.figures import stepper as sp
from emviz.figures.stepper_labs import elbo_payload
from emviz.model.params import COVARIANCE_TYPES
from emviz.ui import backend as be
from emviz.ui import cache, explore, state, stepper
from emviz.ui.formulas_text import formulas_html
from emviz.ui.i18n import current_language, t, translate
from emviz.ui.labs._common import (
    clamp_position,
    current_data,
    fig_labels,
    fig_options,
    init_keys,
)
from emviz.ui.memo import cached
from emviz.ui.messages import as_markdown, attempt

# --------------------------------------------------------------------------------------
# Shared by the theory labs
# --------------------------------------------------------------------------------------






















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
#: The payload's words (emviz.figures.stepper_labs.ELBO_TEXT) -> their catalog keys.
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
