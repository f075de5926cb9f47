"""Sidebar widgets for the model, named as in scikit-learn's ``GaussianMixture``."""

from __future__ import annotations

import streamlit as st

from emviz.em import COVARIANCE_TYPES, INIT_METHODS
from emviz.ui import state


def _num(x: float) -> str:
    return "0 (exact EM)" if x == 0 else f"{x:g}"


def render() -> None:
    st.number_input("K (n_components)", 1, 20, key="model_k")
    st.selectbox("covariance_type", COVARIANCE_TYPES, key="model_cov",
                 help="full: any ellipse per component · tied: one shared ellipse · "
                      "diag: axis-aligned ellipses · spherical: circles.")
    st.selectbox("init_params", INIT_METHODS, key="model_init",
                 help="How the starting responsibilities are chosen before the first M-step.")
    st.number_input("Seed (random_state)", 0, 1_000_000, key="model_seed",
                    help="'New init' adds 1.")
    st.select_slider("reg_covar", state.REG_COVAR_OPTIONS, key="model_reg",
                     format_func=_num,
                     help="Added to every covariance's diagonal. 0 is exact EM, whose "
                          "log-likelihood never decreases but whose components can collapse.")
    st.number_input("max_iter", 1, 1000, key="model_max_iter")
    st.select_slider("tol", state.TOL_OPTIONS, key="model_tol",
                     format_func=lambda x: "0 (run max_iter)" if x == 0 else f"{x:g}",
                     help="Stop when the mean log-likelihood per point changes by less.")
