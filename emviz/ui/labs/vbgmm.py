"""Theory lab: variational Bayes GMM (Bishop §10.2) prunes the components it does not need.

Start with more components than clusters; the Dirichlet (or Dirichlet-process) prior on the
weights with a small concentration α_0 lets the surplus ones die off, iteration by iteration,
while the ELBO rises. A large α_0 keeps them all alive.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from emviz import figures_theory as ft
from emviz.errors import EmvizError
from emviz.ui import backend as be
from emviz.ui import cache, state, urlstate
from emviz.ui.i18n import bound, catalog, t
from emviz.ui.labs.elbo import (
    CHART_CONFIG,
    current_data,
    fig_labels,
    fig_options,
    hide_future_toggle,
    init_keys,
    prefer_own_data,
)
from emviz.ui.memo import cached
from emviz.ui.messages import as_markdown, attempt, guarded
from emviz.vbgmm import WEIGHT_PRIOR_TYPES, VBTrace, default_prior, run_vb, vb_e_step, vb_initialize

SOURCES = ("well_separated", "six_clusters_3d", "current")
CONCENTRATIONS = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
THRESHOLD = 1e-2
MAX_ITER = 300
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


def stop_text(stop_reason: str) -> str:
    """Why VB stopped ("converged", "max_iter", "collapsed") in the UI language."""
    key = f"vb.stop.{stop_reason}"
    return t(key) if key in catalog() else stop_reason


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
    hidden = hide_future_toggle("vb_hide_future", "vb_it")
    if ss.get("vb_owner") != (spec, args):
        ss["vb_owner"] = (spec, args)
        ss["vb_it"] = urlstate.take_linked(ss, "vb_it", 0 if hidden else trace.n_iter)
    ss["vb_it"] = max(0, min(int(ss.get("vb_it", trace.n_iter)), trace.n_iter))
    st.slider(t("vb.iteration"), 0, max(trace.n_iter, 1), key="vb_it",
              disabled=trace.n_iter == 0)
    it = int(ss["vb_it"])
    alive = trace.active_components(THRESHOLD)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("vb.surviving"), f"{int(alive[it])} / {args[0]}")
    c2.metric(t("vb.surviving_final"), "?" if hidden and it < trace.n_iter else f"{int(alive[-1])}")
    c3.metric("ELBO", f"{trace.elbo[it]:,.2f}")
    bad = [d for d in trace.decreases() if not d.explained]
    if bad:
        st.error(t("vb.decreased", it=bad[0].iteration, amount=f"{bad[0].amount:.3g}"))
    elif not hidden or it == trace.n_iter:  # it tells how the run ends
        st.caption(t("vb.never_decreases", n=trace.n_iter, stop=stop_text(trace.stop_reason)))
    labels = fig_labels()
    left, right = st.columns([1, 1])
    with left, guarded(t("theory.drawing")):
        vb = trace.params[it]
        weights = trace.expected_weights[it]
        params, kept = ft.surviving_params(vb.to_params(), weights, THRESHOLD)
        resp = vb_e_step(data.X_display, vb).resp[:, kept]
        resp = resp / np.maximum(resp.sum(axis=1, keepdims=True), 1e-300)
        palette = be.FigureOptions().palette
        fig = be.mixture_figure(
            data.X_display, params, resp,
            options=fig_options(480, column_names=data.columns, uirevision=repr(spec),
                                show_truth=False,
                                palette=tuple(palette[k % len(palette)] for k in kept)))
        fig.update_layout(legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"})
        st.plotly_chart(fig, key="vb_mixture", width="stretch", config=CHART_CONFIG)
        st.caption(t("vb.drawn", n=len(kept), threshold=THRESHOLD))
    with right, guarded(t("theory.drawing")):
        st.plotly_chart(ft.vb_weights_figure(trace, it, THRESHOLD, fig_options(480), labels,
                                             hide_future=hidden),
                        key="vb_weights", width="stretch", config=CHART_CONFIG)
    with guarded(t("theory.drawing")):
        st.plotly_chart(ft.vb_elbo_figure(trace, it, fig_options(320), labels,
                                          hide_future=hidden),
                        key="vb_elbo", width="stretch", config=CHART_CONFIG)
    st.markdown(t("vb.formulas"))
