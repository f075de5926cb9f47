"""Theory lab: the singularity of maximum likelihood, and three remedies.

With reg_covar = 0 a component can shrink onto one point: det Σ_k → 0 and ℓ → +∞. The engine
detects it (``stop_reason="collapsed"``) and this page explains it; then the user switches on a
remedy from :data:`emviz.engine.remedies.REMEDIES` and sees that the collapse no longer happens.

The run steps in the browser (:func:`emviz.figures.stepper_theory.singularity_payload`): the
scatter, det Σ_k on its log axis and ℓ move together without a rerun. Each remedy's run, and its
payload, is computed once and cached on its own, so switching remedies back and forth
recomputes nothing.
"""

from __future__ import annotations

import streamlit as st

from emviz.data.synthetic import SINGULARITY_TRAP_COLLAPSE
from emviz.engine.em import Trace, initialize
from emviz.engine.remedies import REMEDIES
from emviz.errors import EmvizError
from emviz.figures import stepper_theory as spt
from emviz.model.params import COVARIANCE_TYPES, INIT_METHODS
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

TRAP = state.PresetSpec("singularity_trap", 0)
FLOORS = ("auto", 1e-6, 1e-4, 1e-2, 1e-1)
MAX_ITER = 150
#: Where the position lives (a shared link carries it as ``sing_it``).
POSITION = "sing_it"
STEPPER = "sing_stepper"

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
    floor = ss["sing_floor"] if remedy == "reg_covar" else "auto"
    args = (int(ss["sing_k"]), str(ss["sing_init"]), int(ss["sing_seed"]), str(ss["sing_cov"]))
    baseline = _run(spec, *args, "none", "auto", _raw=raw)
    trace = baseline if remedy == "none" else _run(spec, *args, remedy, floor, _raw=raw)
    for result in (baseline, trace):
        if isinstance(result, str):
            st.error(as_markdown(result))
            return
    run = (spec, args, remedy, floor)
    steps.position(POSITION, "sing_owner", run, trace.n_iter, start=trace.n_iter)
    lang = current_language()
    options = fig_options(520, column_names=data.columns, uirevision=repr(spec),
                          show_truth=False)
    sent = attempt(lambda: steps.payload(
        ("singularity", run, options, lang),
        lambda: spt.singularity_payload(
            data.X_display, trace, baseline=None if remedy == "none" else baseline,
            remedy=t(f"sing.remedy.{remedy}"), options=options, labels=steps.labels(lang),
            text=steps.text(lang))), t("theory.drawing"))
    if sent is None:
        return
    steps.follow(STEPPER, sent, position_key=POSITION, last=trace.n_iter, run=run,
                 url_path="singularity")
    if trace.notes:
        with st.expander(t("sing.notes", n=len(trace.notes))):
            for note in trace.notes:
                st.caption(as_markdown(note))
