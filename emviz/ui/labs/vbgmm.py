"""Theory lab: variational Bayes GMM (Bishop §10.2) prunes the components it does not need.

Start with more components than clusters; the Dirichlet (or Dirichlet-process) prior on the
weights with a small concentration α_0 lets the surplus ones die off, iteration by iteration,
while the ELBO rises. A large α_0 keeps them all alive.

The run steps in the browser (:func:`emviz.figures.stepper_theory.vb_payload`): the scatter, the
E[π_k] curves and the ELBO move together without a rerun. Both charts number and colour the
components the same way, from one palette of ten distinct colours.
"""

from __future__ import annotations

import streamlit as st

from emviz.engine.vbgmm import WEIGHT_PRIOR_TYPES, VBTrace, default_prior, run_vb, vb_initialize
from emviz.errors import EmvizError
from emviz.figures import stepper_theory as spt
from emviz.figures import theory as ft
from emviz.ui import cache, state
from emviz.ui.i18n import bound, current_language, t
from emviz.ui.labs import stepping_theory as steps
from emviz.ui.labs._common import (
    current_data,
    fig_options,
    init_keys,
    prefer_own_data,
)
from emviz.ui.memo import cached
from emviz.ui.messages import as_markdown, attempt

SOURCES = ("well_separated", "six_clusters_3d", "current")
CONCENTRATIONS = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
THRESHOLD = 1e-2
MAX_ITER = 300
#: Where the position lives (a shared link carries it as ``vb_it``).
POSITION = "vb_it"
STEPPER = "vb_stepper"
#: Both charts colour component k with PALETTE[k]: ten components, ten colours.
PALETTE = ft.OKABE_ITO_TEN_HEX
DEFAULTS = {"vb_source": "well_separated", "vb_k": 10, "vb_alpha": 0.01,
            "vb_type": "dirichlet_distribution", "vb_seed": 0}


@cached(max_entries=64, upload_entries=8)
def _run(spec, k: int, alpha: float, prior_type: str, seed: int,
         _raw: bytes | None = None) -> VBTrace | str:
    """A VB run, or the engine's message. reg_covar = 0: the exact update, ELBO never falls."""
    X = cache.prepared(spec, _raw=_raw).X
    try:
        prior = default_prior(X, k, weight_concentration=alpha,
                              weight_concentration_prior_type=prior_type)
        init, resp = vb_initialize(X, k, "kmeans++", seed, prior, 0.0)
        return run_vb(X, init, prior, MAX_ITER, 1e-6, 0.0, init_resp=resp)
    except EmvizError as exc:
        return str(exc)


def _sidebar() -> None:
    tb = bound()
    with st.sidebar:
        st.subheader(t("vb.settings"))
        st.radio(t("vb.source"), SOURCES, key="vb_source",
                 format_func=lambda s: tb(f"vb.source.{s}"))
        st.number_input(t("vb.k"), 1, 20, key="vb_k", help=t("vb.k_help"))
        st.select_slider(t("vb.alpha"), CONCENTRATIONS, key="vb_alpha",
                         format_func=lambda a: f"{a:g}", help=t("vb.alpha_help"))
        st.radio(t("vb.prior_type"), WEIGHT_PRIOR_TYPES, key="vb_type",
                 format_func=lambda p: tb(f"vb.type.{p}"))
        st.number_input(t("theory.seed"), 0, 1_000_000, key="vb_seed")


def _data():
    source = st.session_state["vb_source"]
    if source == "current":
        return current_data()
    spec = state.PresetSpec(source, 0)
    data = attempt(lambda: cache.prepared(spec), t("theory.preparing"))
    return None if data is None else (spec, None, data)


def render() -> None:
    """The variational Bayes lab (an ``st.Page`` callable)."""
    prefer_own_data("vb_source")
    init_keys(DEFAULTS)
    ss = st.session_state
    st.title(t("vb.title"))
    st.markdown(t("vb.intro"))
    _sidebar()
    picked = _data()
    if picked is None:
        return
    spec, raw, data = picked
    args = (int(ss["vb_k"]), float(ss["vb_alpha"]), str(ss["vb_type"]), int(ss["vb_seed"]))
    trace = _run(spec, *args, _raw=raw)
    if isinstance(trace, str):
        st.error(as_markdown(trace))
        return
    run = (spec, args)
    steps.position(POSITION, "vb_owner", run, trace.n_iter, start=trace.n_iter)
    lang = current_language()
    options = fig_options(480, column_names=data.columns, uirevision=repr(spec),
                          show_truth=False, palette=PALETTE)
    sent = attempt(lambda: steps.payload(
        ("vbgmm", run, options, lang),
        lambda: spt.vb_payload(data.X_display, trace, threshold=THRESHOLD, options=options,
                               labels=steps.labels(lang), text=steps.text(lang))),
        t("theory.drawing"))
    if sent is None:
        return
    steps.follow(STEPPER, sent, position_key=POSITION, last=trace.n_iter, run=run,
                 url_path="vbgmm")
    st.markdown(t("vb.formulas"))
