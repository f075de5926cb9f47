"""Lab: initialisation sensitivity. Many EM restarts, their distinct optima, which to trust.

Runs :func:`emviz.engine.restarts.run_restarts` (M restarts per init method, progress bar), then
shows a histogram of the final log-likelihoods, a gallery of the distinct optima best first
(the ``n_init`` pick starred, near-degenerate ones flagged with the reason), per-method
statistics, and an "Open in Explore" for any optimum at the seed that reached it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import streamlit as st

from emviz.engine.restarts import RestartsResult, run_restarts
from emviz.engine.work import over_budget, work_units
from emviz.errors import Cancelled, EmvizError
from emviz.figures.labs import method_stats_table, optima_gallery, restarts_histogram
from emviz.figures.mixture import CHART_CONFIG, component_color
from emviz.model.params import COVARIANCE_TYPES, INIT_METHODS
from emviz.numbers import percent, sig
from emviz.text import markdown_text
from emviz.ui import cache, data_panel, jobs, sidebar_common, state
from emviz.ui.error_display import as_markdown, guarded
from emviz.ui.i18n import bound, t
from emviz.ui.labs import init_basins
from emviz.ui.labs._common import (
    EXPLORE_MAX_DIM,
    data_caption,
    figure_options,
    lab_data,
    open_in_explore,
)
from emviz.ui.memo import cached
from emviz.ui.state import DataSpec

LAB = "initialisation"
PRESET = "kmeans_agrees"
QUICK = ("kmeans_agrees", "six_clusters_3d", "overlapping")
ALL = "all four"
RESTART_COUNTS = (10, 20, 50, 100, 200, 500)
MAX_ITER = 200
TOL = 1e-6
GALLERY_MAX = 12
#: Panels per row: three leave room for a title like "#1 · ln L = -99.17 · 1× · n_init ★ · ⚠".
GALLERY_COLUMNS = 3
MAX_SEED = 1_000_000
DEFAULTS = {"init_method": ALL, "init_m": 50, "init_pick": 0, "init_seed": 0, "init_view": "0,1"}
#: One click to the classic trap: on iris (all 4 columns, K = 3, full, reg_covar = 1e-6) the
#: k-means++ restart with seed 573 reaches ln L ≈ −99.17 through a flat component, far
#: "better" than the sensible −180.19 most restarts reach. Seeds 550..599 include it.
IRIS = "iris.csv"
IRIS_PRESET = {"model_k": 3, "model_cov": "full", "model_reg": 1e-6, "init_method": "kmeans++",
               "init_m": 50, "init_seed": 550}


@dataclass(frozen=True)
class Settings:
    """Everything that determines a restarts experiment besides the data (hashable)."""

    k: int
    methods: tuple[str, ...]
    n_restarts: int
    covariance_type: str
    reg_covar: float
    seed: int = 0
    max_iter: int = MAX_ITER
    tol: float = TOL


@cached(max_entries=16, upload_entries=2)
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
                            settings.tol, seed=settings.seed, progress=report,
                            should_stop=jobs.should_stop)
    except Cancelled:  # a closed tab: never cached
        raise
    except EmvizError as exc:
        return str(exc)
    finally:
        bar.empty()


def work(n_points: int, settings: Settings) -> int:
    """The experiment's size in :func:`emviz.engine.work.work_units`."""
    return work_units(n_points, settings.k, settings.max_iter,
                      settings.n_restarts * len(settings.methods))


def _link_within_budget(n_points: int) -> tuple[int, int] | None:
    """A shared link's first experiment stays within the work budget: fewer restarts (one
    of the slider's counts; the fewest if even that is over, which then asks to confirm).
    Returns (asked, allowed) when it lowered the count."""
    if not jobs.opened_by_link():
        return None
    ss = st.session_state
    methods = len(INIT_METHODS) if ss["init_method"] == ALL else 1
    asked = int(ss["init_m"])
    per_restart = work_units(n_points, int(ss["model_k"]), MAX_ITER, methods)
    if not over_budget(per_restart * asked):
        return None
    fits = [m for m in RESTART_COUNTS if not over_budget(per_restart * m)]
    allowed = fits[-1] if fits else RESTART_COUNTS[0]
    if allowed >= asked:
        return None
    ss["init_m"] = allowed
    return asked, allowed


def _init_state() -> None:
    state.keep(DEFAULTS)


def apply_iris() -> None:
    """Callback: iris with all 4 columns and the settings of the two-optima iris story."""
    ss = st.session_state
    try:
        info = cache.table_info("sample", IRIS, "")
    except Exception:  # the main run shows the error; a callback must not raise
        return
    ss.update({"data_source": "Sample", "sample_name": IRIS, "tbl_for": f"sample:{IRIS}:",
               "tbl_mode": data_panel.ALL, "tbl_columns": list(info.numeric_columns[:2]),
               "tbl_label": info.text_columns[0] if info.text_columns else None,
               "tbl_standardise": False, "init_pick": 0, **IRIS_PRESET})


def _iris_chosen() -> bool:
    """The session holds exactly the iris preset (checked before the data is prepared)."""
    ss = st.session_state
    chosen = {"data_source": "Sample", "sample_name": IRIS, "tbl_mode": data_panel.ALL,
              "tbl_standardise": False, **IRIS_PRESET}
    return all(ss.get(k) == v for k, v in chosen.items())


def _iris_active(data: cache.Prepared) -> bool:
    """Iris on all 4 raw columns with the preset's model (any restart count or seed)."""
    ss = st.session_state
    model = ("model_k", "model_cov", "model_reg")
    return (ss["data_source"] == "Sample" and ss["sample_name"] == IRIS
            and data.n_features == 4 and not ss["tbl_standardise"]
            and all(ss[k] == IRIS_PRESET[k] for k in model))


def _iris_story(data: cache.Prepared, result: RestartsResult) -> None:
    """Why ln L ≈ −99 is not a better model of iris than −180.19, with the numbers of this run."""
    best, rec = result.best, result.recommended
    if best is None or rec is None or not best.suspicious:
        st.info(t("restarts.iris_not_found", n=len(result.restarts)))
        return
    p = best.params
    thinnest = np.linalg.eigvalsh(p.covariances).min(axis=1)
    k = int(np.argmin(thinnest))
    st.info(t("restarts.iris_story", seed=best.seeds[0], bad=f"{best.log_likelihood:,.2f}",
              good=f"{rec.log_likelihood:,.2f}",
              gap=f"{best.log_likelihood - rec.log_likelihood:,.1f}", count=rec.count,
              n=len(result.restarts), pts=round(float(p.weights[k]) * data.n_samples),
              var=sig(thinnest[k], 2), reg=f"{result.reg_covar:g}"),
            icon=":material/lightbulb:")


def _controls() -> Settings:
    ss = st.session_state
    # Two rows of three, each control wide enough for its longest label and value in every
    # language (one row of six cut Russian's "все четыре (сравнить)" and wrapped its labels
    # onto two lines); aligned on the widgets, so a label that still wraps moves nothing.
    tb = bound()
    experiment = st.columns([1.3, 1.4, 1], vertical_alignment="bottom")
    experiment[0].selectbox(t("restarts.method"), (ALL, *INIT_METHODS), key="init_method",
                            format_func=lambda m: tb("restarts.all_four") if m == ALL else m,
                            help=t("restarts.method_help"))
    experiment[1].select_slider(t("restarts.m"), RESTART_COUNTS, key="init_m",
                                help=t("restarts.m_help"))
    experiment[2].number_input(t("restarts.first_seed"), 0, MAX_SEED, key="init_seed",
                               help=t("restarts.first_seed_help"))
    model = st.columns([1.3, 1.4, 1], vertical_alignment="bottom")
    model[0].number_input(t("labs.k"), 1, 20, key="model_k")
    model[1].selectbox(t("labs.covariance_type"), COVARIANCE_TYPES, key="model_cov")
    model[2].select_slider(t("labs.reg_covar"), state.REG_COVAR_OPTIONS, key="model_reg",
                           format_func=lambda x: f"{x:g}")
    methods = INIT_METHODS if ss["init_method"] == ALL else (str(ss["init_method"]),)
    return Settings(int(ss["model_k"]), tuple(methods), int(ss["init_m"]), str(ss["model_cov"]),
                    float(ss["model_reg"]), int(ss["init_seed"]))


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
    if rec is not best:  # n_init's pick is passed over (emviz.engine.restarts.recommend)
        m = st.columns(2)
        m[0].metric(t("restarts.metric_ninit"), f"{best.log_likelihood:,.2f} ⚠",
                    t("restarts.metric_count", count=best.count, n=n), delta_color="off",
                    delta_arrow="off")
        if rec is not None:
            m[1].metric(t("restarts.metric_recommended"), f"{rec.log_likelihood:,.2f}",
                        t("restarts.metric_count", count=rec.count, n=n), delta_color="off",
                        delta_arrow="off")
        key = "restarts.suspicious_pick" if best.suspicious else "restarts.unfinished_pick"
        st.warning(t(key, ll=f"{best.log_likelihood:,.2f}", reason=as_markdown(result.passed_over)))
        if rec is not None:
            st.info(t("restarts.trust", ll=f"{rec.log_likelihood:,.2f}", count=rec.count, n=n))
        if best.suspicious:
            _singularity_link()
    else:
        st.success(t("restarts.pick_ok", ll=f"{best.log_likelihood:,.2f}", count=best.count,
                     n=n))
    if rec is not None and not rec.converged:
        st.caption(t("restarts.recommended_unfinished", max_iter=MAX_ITER))


def _stats(result: RestartsResult) -> None:
    """Per init method, under the histogram at full width: beside it, the last two columns
    (median iterations, share reaching the best optimum), which make the point, were cut off
    in every language. A plain table of text, so nothing scrolls or hides."""
    st.markdown(t("restarts.stats"))
    tx = _fig_text()
    table = method_stats_table(result, tx)
    formats = {tx["col_median_iter"]: sig, tx["col_fraction_top"]: percent,
               tx["col_fraction_best"]: percent}
    # Numbers stay numbers (so they sit right-aligned); the Styler writes them.
    st.table(table.style.format(formats), hide_index=True)
    st.caption(t("restarts.stats_caption"))


def _singularity_link() -> None:
    page = sidebar_common.page_at("singularity")
    if page is not None:
        st.page_link(page, label=t("restarts.singularity_link"), icon="➡️")
    else:
        st.caption(t("restarts.singularity_text"))


def view_pairs(n_features: int) -> tuple[str, ...]:
    """The pairs of columns a 2-D panel can show, as "i,j" (what the link carries)."""
    return tuple(f"{i},{j}" for i, j in combinations(range(n_features), 2))


def _view(data: cache.Prepared) -> tuple[int, int]:
    """Which two columns the small plots draw (for more than 2); says so on screen."""
    d = data.n_features
    if d <= 2:
        return (0, 1)
    ss, pairs = st.session_state, view_pairs(d)
    if ss["init_view"] not in pairs:
        ss["init_view"] = pairs[0]
    names = data.columns

    def label(pair: str) -> str:
        i, j = (int(x) for x in pair.split(","))
        return f"{names[i]} × {names[j]}"

    st.selectbox(t("restarts.view"), pairs, key="init_view", format_func=label,
                 help=t("restarts.view_help"))
    i, j = (int(x) for x in ss["init_view"].split(","))
    st.caption(t("restarts.view_caption", d=d, x=markdown_text(names[i]),
                 y=markdown_text(names[j])))
    return (i, j)


def _mark_recommended(fig, result: RestartsResult, color: str) -> None:
    """When n_init's pick is passed over, title the optimum to trust as recommended (✓)."""
    best, rec, i = result.best, result.recommended, result.recommended_index
    annotations = fig.layout.annotations
    if best is None or rec is None or rec is best or i is None or i >= len(annotations):
        return
    annotations[i].text += t("restarts.gallery_recommended")
    annotations[i].font.color = color


def _gallery(data: cache.Prepared, spec: DataSpec, result: RestartsResult,
             settings: Settings) -> None:
    st.subheader(t("restarts.gallery"))
    shown = min(len(result.optima), GALLERY_MAX)
    if len(result.optima) > shown:
        st.caption(t("restarts.gallery_more", shown=shown, total=len(result.optima)))
    dims = _view(data)
    with guarded(t("labs.drawing")):
        options = figure_options(data, spec)
        fig = optima_gallery(data.X, result, options, text=_fig_text(),
                             max_optima=GALLERY_MAX, dims=dims, columns=GALLERY_COLUMNS)
        # The histogram's colour for "best trustworthy", so both figures agree.
        _mark_recommended(fig, result, component_color(2, options.palette))
        event = st.plotly_chart(fig, key="init_gallery", width="stretch", config=CHART_CONFIG,
                                on_select="rerun", selection_mode="points")
        points = (event or {}).get("selection", {}).get("points", []) if event else []
        if points and points[0].get("customdata") is not None:
            cd = points[0]["customdata"]
            st.session_state["init_pick"] = int(cd[0] if isinstance(cd, list) else cd)
    for o in result.optima[:shown]:
        if o.suspicious:
            rank = result.optima.index(o) + 1
            st.caption(t("restarts.why_suspicious", rank=rank, reason=as_markdown(o.reason)))
    _open_row(result, settings, shown, data.n_features)


def _open_row(result: RestartsResult, settings: Settings, shown: int, n_features: int) -> None:
    ss = st.session_state
    if int(ss["init_pick"]) >= shown:
        ss["init_pick"] = 0
    tb = bound()
    c = st.columns([2, 1, 3], vertical_alignment="bottom")
    c[0].selectbox(
        t("restarts.pick"), range(shown), key="init_pick",
        format_func=lambda i: tb("restarts.pick_item", rank=i + 1,
                                 ll=f"{result.optima[i].log_likelihood:,.2f}",
                                 method=result.optima[i].methods[0],
                                 seed=result.optima[i].seeds[0]),
        help=t("restarts.pick_help"))
    o = result.optima[int(ss["init_pick"])]
    too_many = n_features > EXPLORE_MAX_DIM
    c[1].button(t("labs.open_explore"), key="init_open", type="primary", width="stretch",
                on_click=open_in_explore, disabled=too_many,
                args=(settings.k, settings.covariance_type, o.methods[0], o.seeds[0],
                      settings.reg_covar, settings.max_iter, settings.tol))
    if too_many:
        c[2].caption(t("labs.explore_max_dim", d=n_features))


def render() -> None:
    """The initialisation sensitivity lab (an ``st.Page`` callable)."""
    _init_state()
    st.title(t("restarts.title"))
    st.markdown(t("restarts.intro"))
    st.button(t("restarts.iris_button"), key="init_iris", on_click=apply_iris,
              icon=":material/local_florist:", help=t("restarts.iris_help"),
              type="primary" if _iris_chosen() else "secondary")
    picked = lab_data(LAB, PRESET, QUICK, all_columns=True)
    if picked is None:
        return
    spec, raw, data = picked
    clamped = _link_within_budget(data.n_samples)
    settings = _controls()
    if clamped is not None:
        jobs.clamp_note(t("jobs.setting.n_restarts"), *clamped)
    if not jobs.confirm(LAB, work(data.n_samples, settings), repr((spec, settings))):
        data_caption(data, spec)
        return
    with jobs.heavy() as free:
        result = restarts(spec, settings, _raw=raw) if free else None
    if result is None:
        return
    if isinstance(result, str):
        st.error(as_markdown(result), icon="🚫")
        data_caption(data, spec)
        return
    _summary(result)
    if _iris_active(data):
        _iris_story(data, result)
    with guarded(t("labs.drawing")):
        fig = restarts_histogram(result, figure_options(data, spec, height=380),
                                 text=_fig_text())
        st.plotly_chart(fig, key="init_hist", width="stretch", config=CHART_CONFIG)
    _stats(result)
    _gallery(data, spec, result, settings)
    init_basins.render(data, spec, raw, settings, result, int(st.session_state["init_pick"]))
    data_caption(data, spec)
