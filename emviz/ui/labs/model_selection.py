"""Lab: model selection. BIC and AIC for K = 1..10 × the four covariance types.

Runs :func:`emviz.engine.selection.model_selection` with a progress bar (cached per data spec and
settings), draws one line per covariance type with the recommended cell starred (the best
one that is not near-degenerate, the restarts lab's rule; a lower score it passed over is a
hollow star, with its reason) and the true K marked on synthetic data, and opens any cell
in the Explore view at the seed that won it; the pick starts on the recommended cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from emviz.engine.selection import SelectionResult, model_selection
from emviz.engine.work import over_budget, work_units
from emviz.errors import Cancelled, EmvizError
from emviz.figures.labs import selection_figure, selection_table
from emviz.figures.mixture import CHART_CONFIG
from emviz.model.params import COVARIANCE_TYPES, INIT_METHODS
from emviz.ui import cache, jobs, state
from emviz.ui.i18n import catalog, t
from emviz.ui.labs._common import (
    EXPLORE_MAX_DIM,
    data_caption,
    figure_options,
    lab_data,
    open_in_explore,
    true_k,
)
from emviz.ui.memo import cached
from emviz.ui.messages import as_markdown, as_plain, guarded
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
#: Session key: the grid and criterion the cell pick was last set for (see :func:`_follow`).
PICK_FOR = "ms_pick_for"


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
                               progress=report, should_stop=jobs.should_stop)
    except Cancelled:  # a closed tab: never cached
        raise
    except EmvizError as exc:
        return str(exc)
    finally:
        bar.empty()


def work(n_points: int, settings: Settings) -> int:
    """The grid's size in :func:`emviz.engine.work.work_units` (every K of every type)."""
    return work_units(n_points, sum(K_VALUES), settings.max_iter,
                      len(COVARIANCE_TYPES) * settings.n_init)


def _link_within_budget(n_points: int) -> tuple[int, int] | None:
    """A shared link's first grid stays within the work budget: fewer starts per cell (the
    fewest if even that is over, which then asks to confirm). Returns (asked, allowed)
    when it lowered the count."""
    if not jobs.opened_by_link():
        return None
    ss = st.session_state
    asked = int(ss["ms_n_init"])
    per_start = work_units(n_points, sum(K_VALUES), MAX_ITER, len(COVARIANCE_TYPES))
    if not over_budget(per_start * asked):
        return None
    fits = [m for m in N_INIT_OPTIONS if not over_budget(per_start * m)]
    allowed = fits[-1] if fits else N_INIT_OPTIONS[0]
    if allowed >= asked:
        return None
    ss["ms_n_init"] = allowed
    return asked, allowed


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


def _verdict(result: SelectionResult, criterion: str, k_true: int | None,
             settings: Settings) -> None:
    """The recommended cell (a success box), what it passed over and why (a warning)."""
    best, rec = result.best(criterion), result.recommended(criterion)
    crit = criterion.upper()
    if best is None:
        st.warning(t("selection.none_scored"))
        return
    if rec is None:
        st.warning(t("selection.none_trustworthy", crit=crit))
    else:
        key = "selection.best" if rec is best else "selection.recommended"
        msg = t(key, crit=crit, k=rec.n_components, cov=rec.covariance_type,
                score=f"{getattr(rec, criterion):,.1f}")
        if k_true is not None:
            msg += " " + t("selection.vs_true", k=k_true)
        st.success(msg)
        if not rec.converged:
            st.warning(t("selection.recommended_unfinished", max_iter=settings.max_iter))
    if rec is not best:
        st.warning(t("selection.passed_over_box", k=best.n_components, cov=best.covariance_type,
                     crit=crit, score=f"{getattr(best, criterion):,.1f}",
                     reason=as_markdown(result.passed_over(criterion))))
    failed = [c for c in result.cells if not c.scored]
    if failed:
        st.caption(t("selection.unscored", n=len(failed), cells=", ".join(
            f"K = {c.n_components} {c.covariance_type} ({status_text(c.status)})"
            for c in failed[:6])))


def _follow(result: SelectionResult, token: tuple, criterion: str) -> None:
    """Put the cell pick on the recommended cell whenever the grid or criterion changes.

    A pick that arrives with the first run (a shared link's ``ms_k``/``ms_cov``) is kept;
    after that, new data, settings or criterion move it to the new recommendation, so "Open
    in Explore" opens the cell the page recommends unless the reader picks another.
    """
    ss = st.session_state
    valid = ss["ms_k"] in K_VALUES and ss["ms_cov"] in COVARIANCE_TYPES
    first = PICK_FOR not in ss
    changed = ss.get(PICK_FOR) != token
    ss[PICK_FOR] = token
    if valid and (first or not changed):
        return
    target = result.recommended(criterion) or result.best(criterion)
    ss["ms_k"] = target.n_components if target is not None else K_VALUES[0]
    ss["ms_cov"] = target.covariance_type if target is not None else COVARIANCE_TYPES[0]


def _open_row(result: SelectionResult, settings: Settings, criterion: str,
              n_features: int) -> None:
    ss = st.session_state
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
    clamped = _link_within_budget(data.n_samples)
    settings = _controls()
    if clamped is not None:
        jobs.clamp_note(t("jobs.setting.n_init"), *clamped)
    if not jobs.confirm(LAB, work(data.n_samples, settings), repr((spec, settings))):
        data_caption(data, spec)
        return
    with jobs.heavy() as free:
        result = grid(spec, settings, _raw=raw) if free else None
    if result is None:
        return
    if isinstance(result, str):
        st.error(as_markdown(result), icon="🚫")
        data_caption(data, spec)
        return
    criterion = str(st.session_state["ms_criterion"])
    k_true = true_k(data)
    _follow(result, (spec, settings, criterion), criterion)
    _verdict(result, criterion, k_true, settings)
    text = {key: t(f"labfig.{key}") for key in (
        "sel_x", "sel_y", "sel_best", "sel_recommended", "sel_passed", "true_k",
        "suspicious_cell")}
    with guarded(t("labs.drawing")):
        fig = selection_figure(result, criterion, k_true, figure_options(data, spec, height=460),
                               text=text, passed_over=as_plain(result.passed_over(criterion)))
        st.plotly_chart(fig, key="ms_chart", width="stretch", config=CHART_CONFIG,
                        on_select=_on_chart_select, selection_mode="points")
    st.caption(t("selection.chart_caption"))
    _open_row(result, settings, criterion, data.n_features)
    with st.expander(t("selection.table", crit=criterion.upper())):
        st.dataframe(selection_table(result, criterion).style.format("{:,.1f}", na_rep="—")
                     .highlight_min(axis=None, color="#FCE7B2"), width="stretch")
    data_caption(data, spec)
