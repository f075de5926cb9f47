"""Lab: initialisation sensitivity. Many EM restarts, their distinct optima, which to trust.

Runs :func:`emviz.restarts.run_restarts` (M restarts per init method, progress bar), then
shows a histogram of the final log-likelihoods, a gallery of the distinct optima best first
(the ``n_init`` pick starred, near-degenerate ones flagged with the reason), per-method
statistics, and an "Open in Explore" for any optimum at the seed that reached it.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from emviz.em import COVARIANCE_TYPES, INIT_METHODS
from emviz.errors import EmvizError
from emviz.figures_labs import method_stats_table, optima_gallery, restarts_histogram
from emviz.restarts import RestartsResult, run_restarts
from emviz.ui import cache, state
from emviz.ui.i18n import t
from emviz.ui.labs.kmeans_vs_gmm import (
    CHART_CONFIG,
    data_caption,
    figure_options,
    lab_data,
    open_in_explore,
)
from emviz.ui.messages import guarded
from emviz.ui.state import DataSpec

LAB = "restarts"
PRESET = "kmeans_agrees"
QUICK = ("kmeans_agrees", "six_clusters_3d", "overlapping")
ALL = "all four"
RESTART_COUNTS = (10, 20, 50, 100, 200, 500)
MAX_ITER = 200
TOL = 1e-6
GALLERY_MAX = 12
DEFAULTS = {"rs_method": ALL, "rs_m": 50, "rs_pick": 0}


@dataclass(frozen=True)
class Settings:
    """Everything that determines a restarts experiment besides the data (hashable)."""

    k: int
    methods: tuple[str, ...]
    n_restarts: int
    covariance_type: str
    reg_covar: float
    max_iter: int = MAX_ITER
    tol: float = TOL


@st.cache_data(max_entries=16, show_spinner=False)
def restarts(spec: DataSpec, settings: Settings, _raw: bytes | None = None
             ) -> RestartsResult | str:
    """The experiment (cached per data spec + settings), or the engine's message.

    The progress bar is created inside, so a cache hit replays it as already finished.
    """
    X = cache.prepared(spec, _raw=_raw).X
    total = len(settings.methods) * settings.n_restarts
    bar = st.progress(0.0, text=t("restarts.progress", done=0, total=total))

    def report(done: int, total: int) -> None:
        bar.progress(done / total, text=t("restarts.progress", done=done, total=total))

    try:
        return run_restarts(X, settings.k, settings.n_restarts, settings.methods,
                            settings.covariance_type, settings.reg_covar, settings.max_iter,
                            settings.tol, seed=0, progress=report)
    except EmvizError as exc:
        return str(exc)
    finally:
        bar.empty()


def _init_state() -> None:
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value


def _controls() -> Settings:
    ss = st.session_state
    c = st.columns([1.4, 1.4, 0.8, 1, 1.2])
    c[0].selectbox(t("restarts.method"), (ALL, *INIT_METHODS), key="rs_method",
                   format_func=lambda m: t("restarts.all_four") if m == ALL else m,
                   help=t("restarts.method_help"))
    c[1].select_slider(t("restarts.m"), RESTART_COUNTS, key="rs_m",
                       help=t("restarts.m_help"))
    c[2].number_input(t("labs.k"), 1, 20, key="model_k")
    c[3].selectbox(t("labs.covariance_type"), COVARIANCE_TYPES, key="model_cov")
    c[4].select_slider(t("labs.reg_covar"), state.REG_COVAR_OPTIONS, key="model_reg",
                       format_func=lambda x: f"{x:g}")
    methods = INIT_METHODS if ss["rs_method"] == ALL else (str(ss["rs_method"]),)
    return Settings(int(ss["model_k"]), tuple(methods), int(ss["rs_m"]), str(ss["model_cov"]),
                    float(ss["model_reg"]))


def _fig_text() -> dict[str, str]:
    keys = ("hist_x", "hist_y", "ninit_pick", "recommended", "gallery_title", "gallery_pick",
            "gallery_suspicious", "col_method", "col_restarts", "col_converged",
            "col_collapsed", "col_median_iter", "col_fraction_best", "col_fraction_top")
    return {k: t(f"labfig.{k}") for k in keys}


def _summary(result: RestartsResult) -> None:
    best, rec = result.best, result.recommended
    n = len(result.restarts)
    st.markdown(t("restarts.summary", n=n, optima=len(result.optima)))
    if best is None:
        st.warning(t("restarts.all_collapsed"))
        return
    if best.suspicious:
        st.warning(t("restarts.suspicious_pick", ll=f"{best.log_likelihood:,.2f}",
                     reason=best.reason))
        if rec is not None:
            st.info(t("restarts.trust", ll=f"{rec.log_likelihood:,.2f}", count=rec.count, n=n))
        _singularity_link()
    else:
        st.success(t("restarts.pick_ok", ll=f"{best.log_likelihood:,.2f}", count=best.count,
                     n=n))


def _singularity_link() -> None:
    from emviz.ui.pages import pages

    page = next((p for p in pages() if p.url_path == "singularity"), None)
    if page is not None:
        st.page_link(page, label=t("restarts.singularity_link"), icon="➡️")
    else:
        st.caption(t("restarts.singularity_text"))


def _gallery(data: cache.Prepared, spec: DataSpec, result: RestartsResult,
             settings: Settings) -> None:
    st.subheader(t("restarts.gallery"))
    shown = min(len(result.optima), GALLERY_MAX)
    if len(result.optima) > shown:
        st.caption(t("restarts.gallery_more", shown=shown, total=len(result.optima)))
    with guarded(t("labs.drawing")):
        fig = optima_gallery(data.X, result, figure_options(data, spec), text=_fig_text(),
                             max_optima=GALLERY_MAX)
        event = st.plotly_chart(fig, key="rs_gallery", width="stretch", config=CHART_CONFIG,
                                on_select="rerun", selection_mode="points")
        points = (event or {}).get("selection", {}).get("points", []) if event else []
        if points and points[0].get("customdata") is not None:
            cd = points[0]["customdata"]
            st.session_state["rs_pick"] = int(cd[0] if isinstance(cd, list) else cd)
    for o in result.optima[:shown]:
        if o.suspicious:
            rank = result.optima.index(o) + 1
            st.caption(t("restarts.why_suspicious", rank=rank, reason=o.reason))
    _open_row(result, settings, shown)


def _open_row(result: RestartsResult, settings: Settings, shown: int) -> None:
    ss = st.session_state
    if int(ss["rs_pick"]) >= shown:
        ss["rs_pick"] = 0
    c = st.columns([2, 1, 3], vertical_alignment="bottom")
    c[0].selectbox(
        t("restarts.pick"), range(shown), key="rs_pick",
        format_func=lambda i: t("restarts.pick_item", rank=i + 1,
                                ll=f"{result.optima[i].log_likelihood:,.2f}",
                                method=result.optima[i].methods[0],
                                seed=result.optima[i].seeds[0]),
        help=t("restarts.pick_help"))
    o = result.optima[int(ss["rs_pick"])]
    c[1].button(t("labs.open_explore"), key="rs_open", type="primary", width="stretch",
                on_click=open_in_explore,
                args=(settings.k, settings.covariance_type, o.methods[0], o.seeds[0],
                      settings.reg_covar, settings.max_iter, settings.tol))


def render() -> None:
    """The initialisation sensitivity lab (an ``st.Page`` callable)."""
    _init_state()
    st.title(t("restarts.title"))
    st.markdown(t("restarts.intro"))
    picked = lab_data(LAB, PRESET, QUICK)
    if picked is None:
        return
    spec, raw, data = picked
    settings = _controls()
    result = restarts(spec, settings, _raw=raw)
    if isinstance(result, str):
        st.error(result, icon="🚫")
        data_caption(data)
        return
    _summary(result)
    left, right = st.columns([3, 2])
    with left, guarded(t("labs.drawing")):
        fig = restarts_histogram(result, figure_options(data, spec, height=380),
                                 text=_fig_text())
        st.plotly_chart(fig, key="rs_hist", width="stretch", config=CHART_CONFIG)
    with right:
        st.markdown(t("restarts.stats"))
        table = method_stats_table(result, _fig_text())
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            t("labfig.col_fraction_top"): st.column_config.NumberColumn(format="percent"),
            t("labfig.col_fraction_best"): st.column_config.NumberColumn(format="percent"),
            t("labfig.col_median_iter"): st.column_config.NumberColumn(format="%.0f"),
        })
        st.caption(t("restarts.stats_caption"))
    _gallery(data, spec, result, settings)
    data_caption(data)
