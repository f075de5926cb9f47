"""Theory lab: the singularity of maximum likelihood, and three remedies.

With reg_covar = 0 a component can shrink onto one point: det Σ_k → 0 and ℓ → +∞. The engine
detects it (``stop_reason="collapsed"``) and this page explains it; then the user switches on a
remedy from :data:`emviz.remedies.REMEDIES` and sees that the collapse no longer happens.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from emviz import figures_theory as ft
from emviz.data import SINGULARITY_TRAP_COLLAPSE
from emviz.em import COVARIANCE_TYPES, INIT_METHODS, Trace, e_step, initialize
from emviz.errors import EmvizError
from emviz.numbers import sig, sig_join
from emviz.remedies import REMEDIES
from emviz.ui import backend as be
from emviz.ui import cache, state, urlstate
from emviz.ui.i18n import bound, t
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

TRAP = state.PresetSpec("singularity_trap", 0)
FLOORS = ("auto", 1e-6, 1e-4, 1e-2, 1e-1)
MAX_ITER = 150

_K, _INIT, _SEED = SINGULARITY_TRAP_COLLAPSE
DEFAULTS = {"sing_source": "trap", "sing_k": _K, "sing_init": _INIT, "sing_seed": _SEED,
            "sing_cov": "full", "sing_remedy": "none", "sing_floor": "auto"}


@cached(max_entries=64, upload_entries=8)
def _run(spec, k: int, init_method: str, seed: int, cov: str, remedy: str, floor,
         _raw: bytes | None = None) -> Trace | str:
    """The run for one remedy, or the engine's message if it cannot start."""
    X = cache.prepared(spec, _raw=_raw).X
    try:
        # The start is the same for every remedy; a floorless start may itself be singular.
        init = initialize(X, k, init_method, seed, cov, 0.0)
        options = {}
        if remedy == "reg_covar" and floor != "auto":
            options["reg_covar"] = float(floor)
        return REMEDIES[remedy](X, init, cov, MAX_ITER, 1e-6, **options)
    except EmvizError as exc:
        return str(exc)


def _sidebar() -> None:
    tb = bound()
    with st.sidebar:
        st.subheader(t("sing.settings"))
        st.radio(t("sing.source"), ("trap", "current"), key="sing_source",
                 format_func=lambda s: tb(f"sing.source.{s}"))
        st.number_input(t("theory.k"), 1, 12, key="sing_k")
        st.selectbox(t("theory.covariance_type"), COVARIANCE_TYPES, key="sing_cov")
        st.selectbox(t("sing.init"), INIT_METHODS, key="sing_init")
        st.number_input(t("theory.seed"), 0, 1_000_000, key="sing_seed")


def _data():
    ss = st.session_state
    if ss["sing_source"] == "current":
        return current_data()
    data = attempt(lambda: cache.prepared(TRAP), t("theory.preparing"))
    return None if data is None else (TRAP, None, data)


def _explain(trace: Trace, baseline: Trace, remedy: str) -> None:
    if trace.stop_reason == "collapsed":
        k = (trace.collapsed_component or 0) + 1
        dets = ft.determinants(trace)[:, k - 1]
        st.warning(t("sing.collapsed", k=k, it=trace.n_iter, det=sig(dets[-1], 3),
                     det0=sig(dets[0], 3)))
        st.markdown(t("sing.why"))
    elif remedy == "none":
        st.info(t("sing.no_collapse"))
    elif baseline.stop_reason == "collapsed":
        st.success(t("sing.prevented", remedy=t(f"sing.remedy.{remedy}"),
                     it=baseline.n_iter, n=trace.n_iter))
    else:
        st.info(t("sing.no_collapse_baseline"))


def render() -> None:
    """The singularity lab (an ``st.Page`` callable)."""
    prefer_own_data("sing_source")
    init_keys(DEFAULTS)
    ss = st.session_state
    st.title(t("sing.title"))
    st.markdown(t("sing.intro"))
    _sidebar()
    picked = _data()
    if picked is None:
        return
    spec, raw, data = picked
    tb = bound()
    st.segmented_control(t("sing.remedy"), tuple(REMEDIES), key="sing_remedy",
                         format_func=lambda r: tb(f"sing.remedy.{r}"),
                         help=t("sing.remedy_help"))
    remedy = ss["sing_remedy"] or "none"
    st.caption(t(f"sing.remedy_desc.{remedy}"))
    if remedy == "reg_covar":
        st.select_slider(t("sing.floor"), FLOORS, key="sing_floor",
                         format_func=lambda f: tb("sing.floor_auto") if f == "auto" else f"{f:g}")
    args = (int(ss["sing_k"]), str(ss["sing_init"]), int(ss["sing_seed"]), str(ss["sing_cov"]))
    baseline = _run(spec, *args, "none", "auto", _raw=raw)
    trace = baseline if remedy == "none" else _run(spec, *args, remedy, ss["sing_floor"],
                                                   _raw=raw)
    for result in (baseline, trace):
        if isinstance(result, str):
            st.error(as_markdown(result))
            return
    story = st.container()  # above the toggle and the slider, filled once they are known
    hidden = hide_future_toggle("sing_hide_future", "sing_it")
    if ss.get("sing_owner") != (spec, args, remedy, ss["sing_floor"]):
        ss["sing_owner"] = (spec, args, remedy, ss["sing_floor"])
        ss["sing_it"] = urlstate.take_linked(ss, "sing_it", 0 if hidden else trace.n_iter)
    ss["sing_it"] = max(0, min(int(ss.get("sing_it", trace.n_iter)), trace.n_iter))
    if not hidden or int(ss["sing_it"]) == trace.n_iter:  # the story tells the end
        with story:
            _explain(trace, baseline, remedy)
    st.slider(t("sing.iteration"), 0, max(trace.n_iter, 1), key="sing_it",
              disabled=trace.n_iter == 0)
    it = int(ss["sing_it"])
    left, right = st.columns([1, 1])
    with left, guarded(t("theory.drawing")):
        params = trace.params[it]
        try:
            resp = e_step(data.X_display, params).resp
        except EmvizError:  # the collapsed state itself: colour by the step before
            resp = e_step(data.X_display, trace.params[max(it - 1, 0)]).resp
        fig = be.mixture_figure(data.X_display, params, resp,
                                options=fig_options(520, column_names=data.columns,
                                                    uirevision=repr(spec), show_truth=False))
        fig.update_layout(legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"})
        st.plotly_chart(fig, key="sing_mixture", width="stretch", config=CHART_CONFIG)
    with right, guarded(t("theory.drawing")):
        fig = ft.singularity_figure(trace, it, fig_options(520),
                                    reference=None if remedy == "none" else baseline,
                                    labels=fig_labels(), hide_future=hidden)
        st.plotly_chart(fig, key="sing_chart", width="stretch", config=CHART_CONFIG)
    dets = ft.determinants(trace)[it]
    st.caption(t("sing.dets", it=it, dets=sig_join(dets, 3),
                 ll=f"{trace.log_likelihood[it]:,.3f}" if np.isfinite(trace.log_likelihood[it])
                 else "+∞"))
    if trace.notes:
        with st.expander(t("sing.notes", n=len(trace.notes))):
            for note in trace.notes:
                st.caption(as_markdown(note))
