"""Lab: k-means vs a Gaussian mixture, in lockstep from the same centres.

Both algorithms start from the same K centres (k-means++ or random data points). EM's start
is soft k-means' model: equal weights and one round covariance σ²I, with σ² the mean squared
distance of the points to their nearest centre, so at iteration 0 the two panels agree and
every difference after that is what EM is allowed to learn (weights and shapes) and k-means
is not. Both runs are computed once and stepped together in the browser
(:func:`emviz.figures.stepper_labs.kmeans_gmm_payload`): each Step is one iteration of both, and
each side's ARI follows. The paused iteration is ``km_iter`` (links carry it).

Below, "k-means is the limit of EM": soft k-means (EM with equal weights and fixed σ²I) run
from the same centres for a range of σ; as σ → 0 its assignments turn hard and equal
k-means' labels.

The first part of this module is the plumbing the three labs share (data from the Explore
sidebar, a teaching preset on the first visit, figure options, "Open in Explore").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache as memo
from typing import Any

import numpy as np
import streamlit as st

from emviz.engine.em import Trace, run_em
from emviz.engine.kmeans import (
    KMeansTrace,
    assign_labels,
    inertia,
    initial_centers,
    kmeans_run,
    soft_kmeans_resp,
    soft_kmeans_run,
)
from emviz.figures import stepper as sp
from emviz.figures.labs import kmeans_limit_figure, legend_below, soft_kmeans_figure
from emviz.figures.mixture import CHART_CONFIG, FigureOptions
from emviz.figures.stepper_labs import kmeans_gmm_payload
from emviz.model.params import COVARIANCE_TYPES, Params
from emviz.numbers import sig
from emviz.ui import cache, explore, jobs, state, stepper, urlstate
from emviz.ui.i18n import current_language, t, translate
from emviz.ui.labs._common import (
    data_caption,
    figure_options,
    lab_data,
)
from emviz.ui.memo import cached
from emviz.ui.messages import attempt, guarded
from emviz.ui.state import DataSpec

# ======================================================================================
# k-means vs GMM
# ======================================================================================
LAB = "kmeans"
PRESET = "unequal_sizes"
QUICK = ("unequal_sizes", "elongated", "kmeans_agrees")
CENTRE_INITS = ("kmeans++", "random")
MAX_ITER = 100
TOL = 1e-4
#: σ of soft k-means as multiples of the data's RMS spread around its k-means centres.
SIGMA_FACTORS = (0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
DEFAULTS: dict[str, Any] = {"km_init": "kmeans++", "km_seed": 0, "km_iter": 0, "km_key": None,
                            "km_sigma": 0.5}


@dataclass(frozen=True, eq=False)
class Lockstep:
    """k-means and EM from the same centres (cached per data, K, type, init, seed)."""

    centres: np.ndarray  # (K, D), the shared start
    kmeans: KMeansTrace
    gmm: Trace
    spread: float  # RMS distance to the nearest final k-means centre, per feature

    @property
    def n_steps(self) -> int:
        return max(self.kmeans.n_iter, self.gmm.n_iter)


def gmm_start(X: np.ndarray, centres: np.ndarray, reg_covar: float) -> Params:
    """EM's start from k-means' centres: equal weights, one round covariance σ²I.

    ``σ²`` is the mean squared per-feature distance of the points to their nearest centre,
    the maximum-likelihood variance of k-means' own model (equal spherical clusters).
    """
    k, d = centres.shape
    labels = assign_labels(X, centres)
    var = inertia(X, centres, labels) / (X.shape[0] * d)
    var = (var if var > 0 else 1.0) + reg_covar
    return Params(np.full(k, 1.0 / k), centres, np.repeat((var * np.eye(d))[None], k, axis=0))


@cached(max_entries=32, upload_entries=4)
def lockstep(spec: DataSpec, k: int, covariance_type: str, init: str, seed: int,
             reg_covar: float, _raw: bytes | None = None) -> Lockstep:
    X = cache.prepared(spec, _raw=_raw).X
    c0 = initial_centers(X, k, init, seed)
    km = kmeans_run(X, k, init=c0, max_iter=MAX_ITER)
    gm = run_em(X, gmm_start(X, c0, reg_covar), covariance_type, reg_covar, MAX_ITER, TOL,
                should_stop=jobs.should_stop)
    spread = float(np.sqrt(max(km.final_inertia, 1e-300) / X.size))
    return Lockstep(c0, km, gm, spread)


@dataclass(frozen=True)
class Limit:
    """Soft k-means from the shared start for every σ of :data:`SIGMA_FACTORS`."""

    sigmas: np.ndarray
    agreement: np.ndarray  # fraction of points whose argmax = the k-means label
    mean_max: np.ndarray  # mean largest responsibility
    centres: tuple[np.ndarray, ...]  # final soft k-means centres per σ


@cached(max_entries=32, upload_entries=4)
def kmeans_limit(spec: DataSpec, k: int, covariance_type: str, init: str, seed: int,
                 reg_covar: float, _raw: bytes | None = None) -> Limit:
    X = cache.prepared(spec, _raw=_raw).X
    run = lockstep(spec, k, covariance_type, init, seed, reg_covar, _raw=_raw)
    hard = run.kmeans.final_labels
    sigmas, agree, mmax, centres = [], [], [], []
    for f in SIGMA_FACTORS:
        s = f * run.spread
        soft = soft_kmeans_run(X, run.centres, s, max_iter=MAX_ITER, tol=1e-9 * run.spread)
        resp = soft_kmeans_resp(X, soft.final_centers, s)
        sigmas.append(s)
        agree.append(float(np.mean(resp.argmax(axis=1) == hard)))
        mmax.append(float(resp.max(axis=1).mean()))
        centres.append(soft.final_centers)
    return Limit(np.array(sigmas), np.array(agree), np.array(mmax), tuple(centres))


# --- the stepper ------------------------------------------------------------------------
#: The stepper's key: its reports live in ``st.session_state[STEPPER]``.
STEPPER = "km_stepper"
#: The payload's words (emviz.figures.stepper_labs.KMEANS_TEXT) -> their catalog keys.
WORDS: dict[str, str] = {
    **{key: f"kmeans.sv.{key}" for key in (
        "back_help", "play_help", "run_help", "timeline_help", "keys", "half", "half_hidden",
        "position", "km_title", "gmm_title", "both_moving", "km_done", "em_done", "both_done",
        "caption", "ari_km", "ari_em", "ari_help")},
    "step_help": "kmeans.step_help",
    "new_init_help": "kmeans.new_init_help",
    "done_converged": "kmeans.done_converged",
    "done_max": "kmeans.done_max",
}


@memo
def stepper_text(lang: str) -> dict[str, str]:
    """The stepper's words in ``lang``: Explore's controls, said in iterations."""
    return {**explore.stepper_text(lang),
            **{key: translate(catalog_key, lang) for key, catalog_key in WORDS.items()}}


@cached(max_entries=32, upload_entries=4, max_size="64MB")
def _payload(key: str, _args: tuple, _options: FigureOptions, _text: dict, _fig_text: dict,
             _raw: bytes | None = None) -> cache.Payload:
    data = cache.prepared(_args[0], _raw=_raw)
    run = lockstep(*_args, _raw=_raw)
    payload = kmeans_gmm_payload(data.X, run.kmeans, run.gmm, display=data.display,
                                 labels=data.labels, options=_options, text=_text,
                                 figure_text=_fig_text)
    raw_bytes = sp.payload_bytes(payload)
    return cache.Payload(raw_bytes, sp.payload_id(raw_bytes), len(data.display), False)


def payload(args: tuple, options: FigureOptions, raw: bytes | None) -> cache.Payload:
    """Both runs as the browser steps them (cached per settings, options and language)."""
    lang = current_language()
    with st.spinner(t("spinner.stepper"), show_time=True):
        return _payload(cache._key("kmeans", args, options, lang), args, options,
                        stepper_text(lang), _fig_text(), _raw=raw)


def _new_init() -> None:
    st.session_state["km_seed"] = int(st.session_state["km_seed"]) + 1
    st.session_state["km_iter"] = 0


def _init_state() -> None:
    state.keep(DEFAULTS)


# --- page pieces ------------------------------------------------------------------------
def _settings(data: cache.Prepared) -> None:
    with st.expander(t("kmeans.settings"), expanded=False):
        c = st.columns(4)
        c[0].number_input(t("labs.k"), 1, 20, key="model_k")
        c[1].selectbox(t("kmeans.gmm_cov"), COVARIANCE_TYPES, key="model_cov")
        c[2].selectbox(t("kmeans.centre_init"), CENTRE_INITS, key="km_init")
        c[3].number_input(t("labs.seed"), 0, 1_000_000, key="km_seed")


def _fig_text() -> dict[str, str]:
    return {"centres": t("labfig.centres"), "boundary": t("labfig.boundary"),
            "limit_x": t("labfig.limit_x"), "limit_y": t("labfig.limit_y"),
            "agreement": t("labfig.agreement"), "mean_max": t("labfig.mean_max"),
            "current": t("labfig.current")}


def _limit_section(data: cache.Prepared, spec: DataSpec, run: Lockstep, args: tuple,
                   raw: bytes | None) -> None:
    st.subheader(t("kmeans.limit_title"))
    st.markdown(t("kmeans.limit_intro"))
    limit = attempt(lambda: kmeans_limit(*args, _raw=raw), t("labs.computing"))
    if limit is None:
        return
    st.select_slider(t("kmeans.sigma"), SIGMA_FACTORS, key="km_sigma",
                     format_func=lambda f: f"{f:g} × {sig(run.spread, 3)}",
                     help=t("kmeans.sigma_help"))
    j = SIGMA_FACTORS.index(float(st.session_state["km_sigma"]))
    sigma = float(limit.sigmas[j])
    resp = soft_kmeans_resp(data.X_display, limit.centres[j], sigma)
    m = st.columns(3)
    m[0].metric(t("kmeans.metric_sigma"), sig(sigma, 3))
    m[1].metric(t("kmeans.metric_agree"), f"{100 * limit.agreement[j]:.1f}%")
    m[2].metric(t("kmeans.metric_mean_max"), f"{limit.mean_max[j]:.3f}")
    left, right = st.columns(2)
    with left, guarded(t("labs.drawing")):
        fig = legend_below(soft_kmeans_figure(data.X_display, limit.centres[j], sigma, resp,
                                              figure_options(data, spec, height=460)))
        st.plotly_chart(fig, key="soft_chart", width="stretch", config=CHART_CONFIG)
    with right, guarded(t("labs.drawing")):
        fig = kmeans_limit_figure(limit.sigmas, limit.agreement, limit.mean_max, sigma,
                                  figure_options(data, spec, height=460), text=_fig_text())
        st.plotly_chart(fig, key="limit_chart", width="stretch", config=CHART_CONFIG)
    st.caption(t("kmeans.limit_caption"))


def render() -> None:
    """The k-means vs GMM lab (an ``st.Page`` callable)."""
    _init_state()
    st.title(t("kmeans.title"))
    st.markdown(t("kmeans.intro"))
    picked = lab_data(LAB, PRESET, QUICK)
    if picked is None:
        return
    spec, raw, data = picked
    ss = st.session_state
    _settings(data)
    args = (spec, int(ss["model_k"]), str(ss["model_cov"]), str(ss["km_init"]),
            int(ss["km_seed"]), float(ss["model_reg"]))
    if ss["km_key"] != args:  # new data or settings: back to the shared start (or a link's)
        ss["km_key"] = args
        ss["km_iter"] = urlstate.take_linked(ss, "km_iter", 0)
    run = attempt(lambda: lockstep(*args, _raw=raw), t("labs.computing"))
    if run is None:
        return
    steps = attempt(lambda: payload(args, figure_options(data, spec), raw), t("labs.drawing"))
    if steps is None:
        return
    ss["km_iter"] = min(max(int(ss["km_iter"]), 0), run.n_steps)
    stepper.follow(STEPPER, steps.data, steps.id, position_key="km_iter", last=run.n_steps,
                   run=steps.id, url_path="kmeans", commands={"new_init": _new_init})
    data_caption(data, spec)
    st.divider()
    _limit_section(data, spec, run, args, raw)
