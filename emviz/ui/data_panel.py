"""Sidebar widgets that choose the data: synthetic (custom or preset), a sample, or a CSV."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from emviz.ui import backend as be
from emviz.ui import cache, state
from emviz.ui.i18n import catalog, current_language, t, translate
from emviz.ui.messages import as_markdown, show_error
from emviz.ui.state import DataSpec, TableSpec

Picked = tuple[DataSpec, bytes | None]

SHAPES = ("spherical", "axis-aligned", "rotated")
PCA = "Project with PCA"
PICK = "Pick columns"
#: Cluster every numeric column as it is (D > 3): only pages that never draw the fit in
#: its own coordinates offer it (they pass ``all_columns=True`` to :func:`render`).
ALL = "All columns"


def _labels(prefix: str, special: dict[Any, str] | None = None) -> Callable[[Any], str]:
    """A format_func showing option ``v`` as the catalog text of ``prefix + v``.

    ``special`` maps some options to their own keys. An option without a key is shown as it
    is (column names; a preset added to emviz.data before its translation). Bound to this
    run's language: Streamlit and AppTest may call a format_func outside the script run,
    where the session's language cannot be read.
    """
    lang, special = current_language(), special or {}

    def label(v: Any) -> str:
        key = special.get(v, f"{prefix}{v}")
        return translate(key, lang) if key in catalog() else str(v)

    return label


def _on_preset() -> None:
    """A preset brings its own K and covariance type, so a teacher needs one click."""
    name = st.session_state["syn_preset"]
    if name == state.CUSTOM:
        return
    try:
        data = cache.prepared(state.PresetSpec(name, int(st.session_state["syn_seed"])))
    except Exception:  # shown by the main run; a callback must not raise
        return
    if data.suggested_k:
        st.session_state["model_k"] = int(data.suggested_k)
    if data.suggested_covariance_type:
        st.session_state["model_cov"] = str(data.suggested_covariance_type)


def _on_true_k() -> None:
    st.session_state["model_k"] = int(st.session_state["syn_k"])


def _synthetic() -> Picked:
    st.selectbox(
        t("panels.scenario"),
        (state.CUSTOM, *be.PRESETS),
        key="syn_preset",
        format_func=_labels("panels.preset.", {state.CUSTOM: "panels.custom"}),
        on_change=_on_preset,
        help=t("panels.scenario_help"),
    )
    if st.session_state["syn_preset"] == state.CUSTOM:
        st.radio(t("panels.dim"), (1, 2, 3), key="syn_dim", horizontal=True)
        st.number_input(t("panels.true_k"), 1, 10, key="syn_k", on_change=_on_true_k)
        st.select_slider(t("panels.n"), state.N_OPTIONS, key="syn_n",
                         format_func=lambda n: f"{n:,}")
        st.slider(t("panels.sep"), 0.5, 8.0, step=0.5, key="syn_sep", help=t("panels.sep_help"))
        st.selectbox(t("panels.shape"), SHAPES, key="syn_shape",
                     format_func=_labels("panels.shape."))
        st.slider(t("panels.imbalance"), 1.0, 20.0, step=1.0, key="syn_imbalance")
    st.number_input(t("panels.data_seed"), 0, 1_000_000, key="syn_seed",
                    help=t("panels.data_seed_help"))
    st.toggle(t("panels.show_truth"), key="show_truth")
    return state.synthetic_spec(), None


def _reset_table_controls(tbl: cache.TableInfo, ident: str) -> None:
    """New file: default to the first two numeric columns and the first text column."""
    ss = st.session_state
    if ss["tbl_for"] == ident:
        return
    ss["tbl_for"] = ident
    ss["tbl_columns"] = list(tbl.numeric_columns[:2])
    ss["tbl_label"] = tbl.text_columns[0] if tbl.text_columns else None
    ss["tbl_mode"] = PICK
    ss["tbl_pca_dim"] = 2
    ss["tbl_standardise"] = False


def _table_controls(tbl: cache.TableInfo, origin: str, name: str, digest: str,
                    all_columns: bool) -> TableSpec | None:
    _reset_table_controls(tbl, f"{origin}:{name}:{digest}")
    ss = st.session_state
    numeric = tbl.numeric_columns
    pca_dim = None
    many = len(numeric) > 3
    if many:
        # ALL stays an option while it is the value, so a page that refuses it can say so.
        modes = (PICK, PCA, ALL) if all_columns or ss["tbl_mode"] == ALL else (PICK, PCA)
        st.radio(t("panels.more_cols"), modes, key="tbl_mode",
                 format_func=_labels("panels.mode.", {ALL: "panels.mode.all"}),
                 help=t("panels.more_cols_help_all" if all_columns
                        else "panels.more_cols_help"))
    mode = ss["tbl_mode"] if many else PICK
    if mode == ALL and not all_columns:
        st.warning(t("panels.all_refused", n=len(numeric)), icon=":material/view_in_ar:")
        return None
    if mode == PCA:
        st.radio(t("panels.pca_dims"), (1, 2, 3), key="tbl_pca_dim", horizontal=True)
        pca_dim = int(ss["tbl_pca_dim"])
        columns = tuple(numeric)
        st.caption(t("panels.projecting", n=len(numeric), d=pca_dim))
    elif mode == ALL:
        columns = tuple(numeric)
        st.caption(t("panels.using_all", n=len(numeric)))
    else:
        st.multiselect(t("panels.columns"), numeric, key="tbl_columns", max_selections=3)
        columns = tuple(ss["tbl_columns"])
    st.selectbox(t("panels.label"), (None, *tbl.text_columns), key="tbl_label",
                 format_func=_labels("\0column:", {None: "panels.none"}),
                 help=t("panels.label_help"))
    st.toggle(t("panels.standardise"), key="tbl_standardise", help=t("panels.standardise_help"))
    if tbl.notes:
        with st.expander(t("panels.how_read")):
            for note in tbl.notes:
                st.caption(as_markdown(note))
    if not columns:
        st.warning(t("panels.pick_warning"))
        return None
    return TableSpec(origin=origin, name=name, digest=digest, columns=columns,
                     label=ss["tbl_label"], standardise=bool(ss["tbl_standardise"]),
                     pca_dim=pca_dim)


def _sample(all_columns: bool) -> Picked | None:
    st.selectbox(t("panels.sample"), tuple(state.SAMPLES), key="sample_name",
                 format_func=_labels("panels.sample."))
    name = st.session_state["sample_name"]
    try:
        tbl = cache.table_info("sample", name, "")
    except Exception as exc:
        show_error(exc, t("ctx.sample"))
        return None
    st.caption(t("panels.sources"))
    spec = _table_controls(tbl, "sample", name, "", all_columns)
    return None if spec is None else (spec, None)


def _upload_digest(upload) -> tuple[bytes, str]:
    """The bytes and their digest; the digest is computed once per uploaded file."""
    raw = upload.getvalue()
    memo = st.session_state.get("upload_digest")
    if memo is None or memo[0] != upload.file_id:
        memo = (upload.file_id, cache.digest(raw))
        st.session_state["upload_digest"] = memo
    return raw, memo[1]


def _upload(all_columns: bool) -> Picked | None:
    upload = st.file_uploader(t("panels.csv_file"), type=["csv", "txt", "tsv"],
                              key="csv_upload", help=t("panels.csv_help"))
    if upload is None:
        return None
    raw, digest = _upload_digest(upload)
    try:
        tbl = cache.table_info("upload", upload.name, digest, _raw=raw)
    except Exception as exc:
        show_error(exc, t("ctx.file"))
        return None
    st.caption(t("panels.upload_summary", rows=f"{tbl.n_rows:,}",
                 numeric=len(tbl.numeric_columns), text=len(tbl.text_columns)))
    spec = _table_controls(tbl, "upload", upload.name, digest, all_columns)
    return None if spec is None else (spec, raw)


def render(all_columns: bool = False) -> Picked | None:
    """Draw the data widgets; return the chosen data spec (and uploaded bytes), or None.

    ``all_columns``: the page can cluster more than 3 columns (it never draws the fit in
    its own coordinates), so a table with more than 3 numeric columns may use them all.
    Other pages draw at most 3 and refuse that choice with a note (returning None).
    """
    st.radio(t("panels.source"), state.SOURCES, key="data_source", horizontal=True,
             format_func=_labels("panels.source."), label_visibility="collapsed")
    source = st.session_state["data_source"]
    if source == "Sample":
        return _sample(all_columns)
    if source == "Upload CSV":
        return _upload(all_columns)
    return _synthetic()
