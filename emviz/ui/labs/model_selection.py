"""Lab: model selection. BIC and AIC for K = 1..10 × the four covariance types.

Runs :func:`emviz.selection.model_selection` with a progress bar (cached per data spec and
settings), draws one line per covariance type with the best cell starred and the true K
marked on synthetic data, and opens any cell in the Explore view at the seed that won it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from emviz.em import COVARIANCE_TYPES, INIT_METHODS
from emviz.errors import EmvizError
from emviz.figures_labs import selection_figure, selection_table
from emviz.selection import SelectionResult, model_selection
from emviz.ui import cache, state
from emviz.ui.i18n import catalog, t
from emviz.ui.labs.kmeans_vs_gmm import (
    CHART_CONFIG,
    EXPLORE_MAX_DIM,
    data_caption,
    figure_options,
    lab_data,
    open_in_explore,
    true_k,
)
from emviz.ui.memo import cached
from emviz.ui.messages import as_markdown, guarded
from emviz.ui.state import DataSpec

LAB = "selection"
PRESET = "overlapping"
QUICK = ("overlapping", "elongated", "unequal_sizes")
K_VALUES = tuple(range(1, 11))
N_INIT_OPTIONS = (1, 3, 5)
MAX_ITER = 200
TOL = 1e-4
DEFAULTS = {"ms_criterion": "bic", "ms_n_init": 1, "ms_init": "kmeans++", "ms_k": None,
            "ms_cov": None}


@dataclass(frozen=True)
class Settings:
    """Everything that determines the grid besides the data (hashable)."""

    init: str
    n_init: int
    reg_covar: float
    max_iter: int = MAX_ITER
    tol: float = TOL


@cached(max_entries=16, upload_entries=2)
def grid(spec: DataSpec, settings: Settings, _raw: bytes | None = None) -> SelectionResult | str:
    """The BIC/AIC grid (cached per data spec + settings), or the engine's message."""
    X = cache.prepared(spec, _raw=_raw).X
    total = len(K_VALUES) * len(COVARIANCE_TYPES) * settings.n_init
    bar = st.progress(0.0, text=t("selection.progress", done=0, total=total))

    def report(done: int, total: int) -> None:
        bar.progress(done / total, text=t("selection.progress", done=done, total=total))

    try:
        return model_selection(X, K_VALUES, COVARIANCE_TYPES, settings.init, settings.n_init,
                               0, settings.reg_covar, settings.max_iter, settings.tol,
                               progress=report)
    except EmvizError as exc:
        return str(exc)
    finally:
        bar.empty()


def status_text(status: str) -> str:
    """A cell's status ("converged", "max_iter", "collapsed", "skipped") in the UI language."""
    key = f"selection.status.{status}"
    return t(key) if key in catalog() else status


def _init_state() -> None:
    state.keep(DEFAULTS)


def _controls() -> Settings:
    ss = st.session_state
    c = st.columns([1.2, 1.2, 1, 1.4])
    c[0].radio(t("selection.criterion"), ("bic", "aic"), key="ms_criterion", horizontal=True,
               format_func=str.upper, help=t("selection.criterion_help"))
    c[1].selectbox(t("selection.init"), INIT_METHODS, key="ms_init")
    c[2].selectbox(t("selection.n_init"), N_INIT_OPTIONS, key="ms_n_init",
                   help=t("selection.n_init_help"))
    c[3].select_slider(t("labs.reg_covar"), state.REG_COVAR_OPTIONS, key="model_reg",
                       format_func=lambda x: f"{x:g}")
    return Settings(str(ss["ms_init"]), int(ss["ms_n_init"]), float(ss["model_reg"]))


def _verdict(result: SelectionResult, criterion: str, k_true: int | None) -> None:
    best = result.best_bic if criterion == "bic" else result.best_aic
    if best is None:
        st.warning(t("selection.none_scored"))
        return
    msg = t("selection.best", crit=criterion.upper(), k=best.n_components,
            cov=best.covariance_type, score=f"{getattr(best, criterion):,.1f}")
    if k_true is not None:
        msg += " " + t("selection.vs_true", k=k_true)
    st.success(msg)
    if best.suspicious:
        st.warning(t("selection.best_suspicious", reason=as_markdown(best.reason)))
    failed = [c for c in result.cells if not c.scored]
    if failed:
        st.caption(t("selection.unscored", n=len(failed), cells=", ".join(
            f"K = {c.n_components} {c.covariance_type} ({status_text(c.status)})"
            for c in failed[:6])))


def _open_row(result: SelectionResult, settings: Settings, criterion: str,
              n_features: int) -> None:
    ss = st.session_state
    best = result.best_bic if criterion == "bic" else result.best_aic
    if ss["ms_k"] not in K_VALUES:
        ss["ms_k"] = best.n_components if best is not None else K_VALUES[0]
    if ss["ms_cov"] not in COVARIANCE_TYPES:
        ss["ms_cov"] = best.covariance_type if best is not None else COVARIANCE_TYPES[0]
    c = st.columns([1, 1, 1, 2], vertical_alignment="bottom")
    c[0].selectbox(t("selection.cell_k"), K_VALUES, key="ms_k")
    c[1].selectbox(t("labs.covariance_type"), COVARIANCE_TYPES, key="ms_cov")
    cell = result.cell(int(ss["ms_k"]), str(ss["ms_cov"]))
    too_many = n_features > EXPLORE_MAX_DIM
    c[2].button(t("labs.open_explore"), key="ms_open", type="primary", width="stretch",
                disabled=cell.seed is None or too_many, on_click=open_in_explore,
                args=(cell.n_components, cell.covariance_type, settings.init,
                      cell.seed or 0, settings.reg_covar, settings.max_iter, settings.tol))
    score = getattr(cell, criterion)
    c[3].markdown(t("selection.cell_info", crit=criterion.upper(),
                    score=f"{score:,.1f}" if np.isfinite(score) else "—",
                    ll=f"{cell.log_likelihood:,.2f}" if np.isfinite(cell.log_likelihood)
                    else "—", p=cell.n_parameters, status=status_text(cell.status)))
    if cell.message or cell.reason:
        st.caption(as_markdown(cell.message or cell.reason))
    if too_many:
        st.caption(t("labs.explore_max_dim", d=n_features))


def _on_chart_select() -> None:
    """A click on a point of the chart picks that cell for "Open in Explore"."""
    event = st.session_state.get("ms_chart")
    points = (event or {}).get("selection", {}).get("points", [])
    if points and isinstance(points[0].get("customdata"), list):
        k, cov = points[0]["customdata"][:2]
        st.session_state["ms_k"], st.session_state["ms_cov"] = int(k), str(cov)


def render() -> None:
    """The model selection lab (an ``st.Page`` callable)."""
    _init_state()
    st.title(t("selection.title"))
    st.markdown(t("selection.intro"))
    picked = lab_data(LAB, PRESET, QUICK, all_columns=True)
    if picked is None:
        return
    spec, raw, data = picked
    settings = _controls()
    result = grid(spec, settings, _raw=raw)
    if isinstance(result, str):
        st.error(as_markdown(result), icon="🚫")
        data_caption(data)
        return
    criterion = str(st.session_state["ms_criterion"])
    k_true = true_k(data)
    _verdict(result, criterion, k_true)
    text = {"sel_x": t("labfig.sel_x"), "sel_y": t("labfig.sel_y"),
            "sel_best": t("labfig.sel_best"), "true_k": t("labfig.true_k"),
            "suspicious_cell": t("labfig.suspicious_cell")}
    with guarded(t("labs.drawing")):
        fig = selection_figure(result, criterion, k_true, figure_options(data, spec, height=460),
                               text=text)
        st.plotly_chart(fig, key="ms_chart", width="stretch", config=CHART_CONFIG,
                        on_select=_on_chart_select, selection_mode="points")
    st.caption(t("selection.chart_caption"))
    _open_row(result, settings, criterion, data.n_features)
    with st.expander(t("selection.table", crit=criterion.upper())):
        st.dataframe(selection_table(result, criterion).style.format("{:,.1f}", na_rep="—")
                     .highlight_min(axis=None, color="#FCE7B2"), width="stretch")
    data_caption(data)
