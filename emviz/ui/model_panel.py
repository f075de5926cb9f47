"""Sidebar widgets for the model, named as in scikit-learn's ``GaussianMixture``."""

from __future__ import annotations

import streamlit as st

from emviz.model.params import COVARIANCE_TYPES, INIT_METHODS
from emviz.ui import state
from emviz.ui.i18n import current_language, t, translate


def _number(zero_key: str):
    """format_func: ``x:g``, with 0 spelled out. Bound to this run's language, because
    Streamlit and AppTest may call a format_func outside the script run."""
    zero = translate(zero_key, current_language())
    return lambda x: zero if x == 0 else f"{x:g}"


def _on_init() -> None:
    """Choosing "manual" freezes the start on screen, ready for its means to be dragged."""
    ss = st.session_state
    if ss["model_init"] != state.MANUAL or ss.get("model_start") is not None:
        return
    ctx = ss.get(state.STEPPER_CONTEXT) or {}
    if ctx.get("start") is not None:
        ss["model_init"] = ss.get("model_init_auto") or state.DEFAULTS["model_init"]
        state.set_manual_start(ctx["start"], ctx["data_key"])


def render() -> None:
    # scikit-learn's parameter names are code: the same in every language.
    st.number_input(t("panels.k"), 1, 20, key="model_k")
    st.selectbox("covariance_type", COVARIANCE_TYPES, key="model_cov", help=t("panels.cov_help"))
    st.selectbox("init_params", (*INIT_METHODS, state.MANUAL), key="model_init",
                 help=t("panels.init_help"), on_change=_on_init)
    st.number_input(t("panels.seed"), 0, 1_000_000, key="model_seed", help=t("panels.seed_help"))
    st.select_slider("reg_covar", state.REG_COVAR_OPTIONS, key="model_reg",
                     format_func=_number("panels.reg_zero"), help=t("panels.reg_help"))
    st.number_input("max_iter", 1, 1000, key="model_max_iter")
    st.select_slider("tol", state.TOL_OPTIONS, key="model_tol",
                     format_func=_number("panels.tol_zero"),
                     help=t("panels.tol_help"))
