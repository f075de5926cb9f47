"""Explore's analyst panel: choose K, the clusters in the file's units, new rows, scikit-learn.

Drawn under the stepping view by :func:`render` with the current data, model, run and
half-step. Everything it computes is cached on those (the data spec, the model spec, the
half-step) and returns small records, so a rerun (a Step) costs a few cache lookups:

* **Choose K for me**: EM for K = 1..10 with the sidebar's covariance type, init method,
  seed and reg_covar; the recommended cell by BIC (the lowest BIC among fits without a
  near-degenerate component, :meth:`emviz.engine.selection.SelectionResult.recommended`) becomes
  K. The BIC curve it used stays shown.
* **Clusters**: size, share, mean ± sd of every original column in the file's units, per
  component (the rows it wins at this half-step), and with a labels column, the
  component × label table with its adjusted Rand index.
* **Assign new rows**: a second CSV with the same columns, labelled by this half-step's
  parameters through the recorded preprocessing (:class:`emviz.FittedMixture`); the download
  keeps that file's own cells.
* **Reproduce in scikit-learn**: a script that builds ``GaussianMixture(weights_init=…,
  means_init=…, precisions_init=…)`` from this run's start and prints the same
  log-likelihood curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from emviz.data import rawcsv
from emviz.data.csv import Table
from emviz.data.summary import ClusterSummary, cluster_summary, label_table
from emviz.engine.em import Trace, e_step
from emviz.engine.fitted import FittedMixture, Preprocessing
from emviz.engine.reproduce import CsvSource, sklearn_script
from emviz.engine.selection import SelectionCell, SelectionResult, model_selection
from emviz.engine.work import over_budget, work_units
from emviz.errors import Cancelled, EmvizError
from emviz.figures.labs import selection_figure
from emviz.figures.mixture import CHART_CONFIG, FigureOptions
from emviz.text import markdown_text
from emviz.ui import cache, downloads, jobs
from emviz.ui.i18n import figure_text, t
from emviz.ui.memo import cached
from emviz.ui.messages import as_markdown, as_plain, guarded, show_error
from emviz.ui.state import DataSpec, ModelSpec, TableSpec

K_VALUES = tuple(range(1, 11))
#: Session key: the choice made by "Choose K for me" (its settings key and the K chosen).
CHOSEN = "analyst_chosen_k"
#: Session key of the "show the script" toggle.
SHOW_SCRIPT = "analyst_show_script"


# --------------------------------------------------------------------------------------
# Choose K
# --------------------------------------------------------------------------------------
#: Choose K's slot in :func:`emviz.ui.jobs.confirm`, and the request waiting for it.
_CONFIRM, _ASKING = "analyst_choose_k", "analyst_choose_k_asking"


def _choice_key(spec: DataSpec, model: ModelSpec) -> str:
    """What the BIC curve depends on: the data and every model setting except K."""
    return repr((spec, model.covariance_type, model.init_params, model.seed, model.reg_covar,
                 model.max_iter, model.tol))


@cached(max_entries=32, upload_entries=4)
def _bic_curve(key: str, _spec: DataSpec, _model: ModelSpec,
               _raw: bytes | None = None) -> SelectionResult | str:
    """EM for K = 1..10 with the model's covariance type (or the engine's message)."""
    X = cache.prepared(_spec, _raw=_raw).X
    m = _model
    try:
        return model_selection(X, K_VALUES, (m.covariance_type,), m.init_params, 1, m.seed,
                               m.reg_covar, m.max_iter, m.tol, should_stop=jobs.should_stop)
    except Cancelled:
        raise
    except EmvizError as exc:
        return str(exc)


def recommended(result: SelectionResult) -> SelectionCell | None:
    """The fit to trust by BIC (:meth:`emviz.engine.selection.SelectionResult.recommended`): the
    lowest BIC among fits that are not near-degenerate (a component on a handful of points,
    or flat), converged ones first. None if every scored fit is near-degenerate."""
    return result.recommended("bic")


def choose_k_work(n_points: int, model: ModelSpec) -> int:
    """Choose K's size in :func:`emviz.engine.work.work_units` (one run for each K of the curve)."""
    return work_units(n_points, sum(K_VALUES), model.max_iter)


def _on_choose_k(spec: DataSpec, model: ModelSpec, raw: bytes | None,
                 n_points: int | None = None) -> None:
    """Callback: fit K = 1..10 (cached), set the sidebar's K to the recommended one.

    With ``n_points`` (the button's own click), work above the budget is not started: the
    panel asks to confirm instead, and its button calls this again without it."""
    key = _choice_key(spec, model)
    ss = st.session_state
    if n_points is not None and over_budget(choose_k_work(n_points, model)) \
            and not jobs.confirmed(_CONFIRM, key):
        ss[_ASKING] = key
        return
    ss.pop(_ASKING, None)
    try:
        result = _bic_curve(key, spec, model, _raw=raw)
    except Cancelled:  # the session has gone: nothing to set
        return
    cell = recommended(result) if isinstance(result, SelectionResult) else None
    ss[CHOSEN] = (key, None if cell is None else cell.n_components)
    if cell is not None:
        ss["model_k"] = int(cell.n_components)


def _choose_k(spec: DataSpec, model: ModelSpec, raw: bytes | None, data: cache.DataInfo) -> None:
    key = _choice_key(spec, model)
    cols = st.columns([1, 3], vertical_alignment="center")
    cols[0].button(t("analyst.choose_k"), key="analyst_choose_k", type="primary",
                   on_click=_on_choose_k, args=(spec, model, raw, data.n_samples),
                   width="stretch", help=t("analyst.choose_k_help", cov=model.covariance_type))
    if st.session_state.get(_ASKING) == key:
        jobs.confirm(_CONFIRM, choose_k_work(data.n_samples, model), key,
                     on_confirm=_on_choose_k, args=(spec, model, raw))
        return
    chosen = st.session_state.get(CHOSEN)
    if chosen is None or chosen[0] != key:
        cols[1].caption(t("analyst.choose_k_caption", cov=model.covariance_type))
        return
    result = _bic_curve(key, spec, model, _raw=raw)
    if isinstance(result, str):
        st.error(as_markdown(result), icon="🚫")
        return
    cell = recommended(result)
    if cell is None:
        st.warning(t("analyst.choose_k_none"))
        return
    msg = t("analyst.chose_k", k=cell.n_components, cov=cell.covariance_type,
            bic=f"{cell.bic:,.1f}")
    if cell.n_components != model.n_components:
        msg += " " + t("analyst.chose_k_changed", k=model.n_components)
    cols[1].success(msg)
    flagged = [c.n_components for c in result.cells if c.scored and c.suspicious]
    if flagged:
        st.caption(t("analyst.choose_k_flagged", ks=", ".join(map(str, flagged))))
    passed = as_plain(result.passed_over("bic"))
    if passed:
        st.caption(markdown_text(passed))
    text = {key: t(f"labfig.{key}") for key in (
        "sel_x", "sel_y", "sel_best", "sel_recommended", "sel_passed", "true_k",
        "suspicious_cell")}
    options = FigureOptions(presenter=bool(st.session_state.get("presenter")),
                            height=340, text=figure_text(), column_names=data.columns)
    with guarded(t("ctx.figure")):
        fig = selection_figure(result, "bic", None, options, text=text, passed_over=passed)
        st.plotly_chart(fig, key="analyst_bic_chart", width="stretch", config=CHART_CONFIG)


# --------------------------------------------------------------------------------------
# Clusters in the file's units
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Clusters:
    """What the summary shows at one half-step (small: cached and sent as it is)."""

    summary: ClusterSummary
    labels: pd.DataFrame | None
    ari: float | None
    label_column: str | None


def _original_columns(spec: DataSpec, raw: bytes | None, data: cache.Prepared
                      ) -> tuple[dict[str, np.ndarray], np.ndarray | None, str | None]:
    """Every numeric column of the file (or the generated columns), on the rows EM used,
    and the known labels on those rows."""
    if isinstance(spec, TableSpec):
        tbl = cache.table(spec.origin, spec.name, spec.digest, _raw=raw)
        frame = tbl.frame.iloc[data.rows]
        # Identifiers and category codes have no meaningful mean, unless they were clustered.
        skipped = set(cache.table_info(spec.origin, spec.name, spec.digest, _raw=raw)
                      .skipped_names) - set(spec.columns)
        values = {c: frame[c].to_numpy(dtype=np.float64) for c in tbl.numeric_columns
                  if c not in skipped}
        known = None if spec.label is None else np.asarray(data.labels).astype(str)
        return values, known, spec.label
    values = {c: data.X[:, j] for j, c in enumerate(data.columns)}
    if data.labels is None:
        return values, None, None
    truth = np.asarray(data.labels)
    known = np.where(truth >= 0, (truth + 1).astype(str), "") if truth.dtype.kind in "iu" \
        else truth.astype(str)
    return values, known, t("analyst.true_component")


@cached(max_entries=64, upload_entries=8, max_size="64MB")
def _clusters(key: str, _spec: DataSpec, _model: ModelSpec, _h: int,
              _raw: bytes | None = None) -> Clusters:
    data = cache.prepared(_spec, _raw=_raw)
    trace = cache.fit(_spec, _model, _raw=_raw).trace
    params = trace.half_step(_h).params
    labels = np.argmax(e_step(data.X, params).resp, axis=1)
    values, known, label_column = _original_columns(_spec, _raw, data)
    summary = cluster_summary(values, labels, params.n_components)
    table, ari = (None, None) if known is None else label_table(labels, known,
                                                                params.n_components)
    return Clusters(summary, table, ari, label_column)


def _decimals(sd: float, mean: float) -> int:
    """Decimals that show two significant digits of the spread (four of the mean if none)."""
    if np.isfinite(sd) and sd > 0:
        ref, digits = sd, 2
    elif np.isfinite(mean) and mean != 0:
        ref, digits = abs(mean), 4
    else:
        return 0
    return int(min(max(digits - 1 - math.floor(math.log10(ref)), 0), 8))


def _fixed(x: float, p: int) -> str:
    """``x`` with ``p`` decimals; thousands grouped only from 10,000 (a year stays 2008)."""
    return f"{x:,.{p}f}" if abs(x) >= 10_000 else f"{x:.{p}f}"


def mean_sd(mean: float, sd: float) -> str:
    """``"4512 ± 450"``, ``"3.49 ± 1.1"``: both with the decimals of the spread's second digit."""
    if not np.isfinite(mean):
        return "—"
    p = _decimals(sd, mean)
    return f"{_fixed(mean, p)} ± {_fixed(sd, p)}"


def summary_frame(summary: ClusterSummary) -> pd.DataFrame:
    """Rows: original columns; columns: components (with their size and share)."""
    heads = [t("analyst.component_head", k=k + 1, n=f"{int(n):,}", share=f"{100 * s:.1f}")
             for k, (n, s) in enumerate(zip(summary.sizes, summary.shares, strict=True))]
    cells = {head: [mean_sd(summary.means[k, j], summary.sds[k, j])
                    for j in range(len(summary.columns))] for k, head in enumerate(heads)}
    # st.table renders every cell, header and index as Markdown: the columns are the user's
    return pd.DataFrame(cells, index=pd.Index([markdown_text(c) for c in summary.columns],
                                              name=t("analyst.column")))


def _summary(spec: DataSpec, model: ModelSpec, raw: bytes | None, h: int) -> None:
    clusters = _clusters(repr(("clusters", spec, model, h)), spec, model, h, _raw=raw)
    st.caption(t("analyst.summary_help", h=h))
    st.table(summary_frame(clusters.summary))
    if clusters.labels is not None:
        if clusters.ari is not None:
            st.markdown(t("analyst.labels_title", column=markdown_text(clusters.label_column),
                          ari=f"{clusters.ari:.3f}"))
        frame = clusters.labels.copy()
        frame.index = pd.Index([str(k) for k in frame.index], name=t("analyst.component"))
        frame.columns = [markdown_text(c) for c in frame.columns]  # the file's label values
        st.table(frame)


# --------------------------------------------------------------------------------------
# Assign new rows
# --------------------------------------------------------------------------------------
@cached(max_entries=64, upload_entries=4)
def _preprocessing(key: str, _spec: DataSpec, _raw: bytes | None = None) -> Preprocessing:
    """The data's preprocessing alone (a rerun must not unpickle every point to get it)."""
    return cache.preprocessing_of(cache.prepared(_spec, _raw=_raw))


def fitted_model(spec: DataSpec, model: ModelSpec, raw: bytes | None, trace: Trace,
                 h: int) -> FittedMixture:
    """The mixture at half-step ``h`` with the preprocessing of its data."""
    prep = _preprocessing(repr(("preprocessing", spec)), spec, _raw=raw)
    return FittedMixture(trace.half_step(h).params, trace.covariance_type, prep)


def _assign(spec: DataSpec, model: ModelSpec, raw: bytes | None, trace: Trace, h: int) -> None:
    fitted = fitted_model(spec, model, raw, trace, h)
    st.caption(t("analyst.assign_help", columns=", ".join(markdown_text(c) for c in fitted.columns),
                 h=h))
    upload = st.file_uploader(t("analyst.assign_file"), type=["csv", "txt", "tsv"],
                              key="assign_upload")
    if upload is None:
        return
    new_raw = upload.getvalue()
    try:
        tbl: Table = cache.table("upload", upload.name, cache.digest(new_raw), _raw=new_raw)
        assigned = fitted.assign(tbl)
        text = rawcsv.labelled_text(rawcsv.raw_records(new_raw), tbl, assigned.rows,
                                    assigned.resp)
    except EmvizError as exc:
        show_error(exc, t("analyst.assign_ctx"))
        return
    counts = np.bincount(assigned.labels, minlength=fitted.n_components)
    skipped = assigned.n_rows - assigned.rows.size
    st.success(t("analyst.assigned", kept=f"{assigned.rows.size:,}", n=f"{assigned.n_rows:,}",
                 counts=", ".join(f"{k + 1}: {int(c):,}" for k, c in enumerate(counts))))
    if skipped:
        st.caption(t("analyst.assign_skipped", skipped=f"{skipped:,}"))
    stem = upload.name.rsplit(".", 1)[0]
    st.download_button(t("analyst.assign_download"), text.encode("utf-8"),
                       file_name=f"{stem}_labelled.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore", key="analyst_assign_dl")


# --------------------------------------------------------------------------------------
# Reproduce in scikit-learn
# --------------------------------------------------------------------------------------
def csv_source(spec: DataSpec, model: ModelSpec, raw: bytes | None, h: int) -> CsvSource:
    """How the script reads the data: the user's file, a sample, or the labelled download."""
    if not isinstance(spec, TableSpec):
        return CsvSource(f"{downloads.stem(spec, model, h)}.csv")
    tbl = cache.table(spec.origin, spec.name, spec.digest, _raw=raw)
    skip = any(getattr(n, "code", "") == "note.delimiter_sep" for n in tbl.notes)
    return CsvSource(spec.name, sep=tbl.delimiter, decimal=tbl.decimal,
                     encoding="utf-8" if tbl.encoding == "str" else tbl.encoding,
                     has_header=tbl.has_header, skip_first=skip)


@cached(max_entries=32, upload_entries=4)
def _script(key: str, _spec: DataSpec, _model: ModelSpec, _h: int,
            _raw: bytes | None = None) -> str:
    data = cache.prepared(_spec, _raw=_raw)
    trace = cache.fit(_spec, _model, _raw=_raw).trace
    m = _model
    comment = (f"start: init_params={m.init_params!r}, seed={m.seed}, then one M-step; "
               f"{trace.n_iter} iterations as in emviz")
    return sklearn_script(trace.params[0], trace.covariance_type, trace.reg_covar, trace.n_iter,
                          csv_source(_spec, _model, _raw, _h), cache.preprocessing_of(data),
                          comment)


def _sklearn(spec: DataSpec, model: ModelSpec, raw: bytes | None, h: int) -> None:
    script = _script(repr(("script", spec, model, h)), spec, model, h, _raw=raw)
    where = {"sample": "analyst.script_sample", "upload": "analyst.script_upload"}
    key = where.get(getattr(spec, "origin", ""), "analyst.script_synthetic")
    name = spec.name if isinstance(spec, TableSpec) else f"{downloads.stem(spec, model, h)}.csv"
    st.caption(t(key, file=markdown_text(name)))
    c = st.columns([1, 1])
    c[0].download_button(t("analyst.script_download"), script.encode("utf-8"),
                         file_name=f"{downloads.stem(spec, model, 0)}_sklearn.py",
                         mime="text/x-python", icon=":material/code:", on_click="ignore",
                         key="analyst_script_dl", width="stretch")
    # st.code loads a large syntax highlighter: only when asked for.
    if c[1].toggle(t("analyst.script_show"), key=SHOW_SCRIPT):
        st.code(script, language="python")


# --------------------------------------------------------------------------------------
# The panel
# --------------------------------------------------------------------------------------
def render(spec: DataSpec, model: ModelSpec, raw: bytes | None, data: cache.DataInfo,
           trace: Trace, h: int | None = None) -> None:
    """The analyst's panel under Explore's view of the run at half-step ``h`` (default: the
    position on the timeline)."""
    h = int(st.session_state.get("position", 0)) if h is None else int(h)
    h = min(max(h, 0), trace.n_half_steps - 1)
    st.subheader(t("analyst.title"))
    with guarded(t("analyst.choose_k")):
        _choose_k(spec, model, raw, data)
    with st.expander(t("analyst.summary_title", h=h), icon=":material/table_chart:",
                     expanded=True), guarded(t("analyst.summary_title", h=h)):
        _summary(spec, model, raw, h)
    with st.expander(t("analyst.assign_title"), icon=":material/playlist_add:"), \
            guarded(t("analyst.assign_ctx")):
        _assign(spec, model, raw, trace, h)
    with st.expander(t("analyst.script_title"), icon=":material/code:"), \
            guarded(t("analyst.script_title")):
        _sklearn(spec, model, raw, h)

