"""Sidebar widgets that choose the data: synthetic (custom or preset), a sample, or a CSV."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from emviz.data.columns import EQUAL_SCALE_RATIO
from emviz.text import markdown_text
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
    is (column names; a preset added to emviz.data.synthetic before its translation). Bound to this
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
    if name in (state.CUSTOM, state.DRAW):
        return
    try:
        data = cache.prepared(state.PresetSpec(name, int(st.session_state["syn_seed"])))
    except Exception:  # shown by the main run; a callback must not raise
        return
    state.suggest_model(st.session_state, data)


def _on_true_k() -> None:
    st.session_state["model_k"] = int(st.session_state["syn_k"])


def _synthetic() -> Picked:
    st.selectbox(
        t("panels.scenario"),
        (state.CUSTOM, *be.PRESETS, state.DRAW),
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
    """New file: the first two columns that look like measurements, the first text column.

    Row identifiers and category-like integer columns are never picked by default
    (:mod:`emviz.data.columns`); the panel lists them as skipped.
    """
    ss = st.session_state
    if ss["tbl_for"] == ident:
        return
    ss["tbl_for"] = ident
    ss["tbl_columns"] = list(tbl.usable[:2])
    ss["tbl_pca_columns"] = list(tbl.usable)
    ss[_PCA_FOR] = ident
    ss["tbl_label"] = tbl.text_columns[0] if tbl.text_columns else None
    ss["tbl_mode"] = PICK
    ss["tbl_pca_dim"] = 2
    ss["tbl_standardise"] = False


#: The file the PCA column choice belongs to (a shared link sets the mode, not the columns).
_PCA_FOR = "tbl_pca_for"
#: Set when this page refused the data's choice (all columns on a page that draws <= 3).
REFUSED = "data_refused"


def _ratio(tbl: cache.TableInfo, columns: tuple[str, ...] | list[str]) -> float:
    """Largest over smallest standard deviation among ``columns`` (1.0 if fewer than two)."""
    sds = [tbl.sds[tbl.numeric_columns.index(c)] for c in columns if c in tbl.numeric_columns]
    sds = [s for s in sds if s > 0]
    return max(sds) / min(sds) if len(sds) >= 2 else 1.0


def _on_mode(tbl: cache.TableInfo) -> None:
    """Switching to PCA standardises first when the columns' spreads differ (else one
    column in large units would be the first component by itself)."""
    ss = st.session_state
    if ss["tbl_mode"] == PCA:
        columns = ss["tbl_pca_columns"] or tbl.usable
        ss["tbl_standardise"] = _ratio(tbl, columns) > EQUAL_SCALE_RATIO


def _set_mode(mode: str, tbl: cache.TableInfo) -> None:
    st.session_state["tbl_mode"] = mode
    _on_mode(tbl)


def _on_standardise() -> None:
    st.session_state["tbl_standardise"] = True


def _skipped_note(tbl: cache.TableInfo) -> None:
    if tbl.skipped:
        st.caption(t("panels.skipped") + "\n\n" + "\n\n".join(
            f"- {as_markdown(why)}" for _, why in tbl.skipped))


def _pca_controls(tbl: cache.TableInfo, ident: str) -> tuple[tuple[str, ...], int]:
    ss = st.session_state
    numeric = tbl.numeric_columns
    if ss.get(_PCA_FOR) != ident or not set(ss["tbl_pca_columns"]) <= set(numeric):
        ss["tbl_pca_columns"] = list(tbl.usable)
        ss[_PCA_FOR] = ident
    st.multiselect(t("panels.pca_columns"), numeric, key="tbl_pca_columns",
                   help=t("panels.pca_columns_help"))
    columns = tuple(ss["tbl_pca_columns"])
    dims = tuple(range(1, min(3, max(len(columns), 1)) + 1))
    if int(ss["tbl_pca_dim"]) not in dims:
        ss["tbl_pca_dim"] = dims[-1]
    st.radio(t("panels.pca_dims"), dims, key="tbl_pca_dim", horizontal=True)
    st.caption(t("panels.projecting", n=len(columns), d=int(ss["tbl_pca_dim"])))
    return columns, int(ss["tbl_pca_dim"])


def _scale_note(tbl: cache.TableInfo, columns: tuple[str, ...], pca: bool) -> None:
    """Say what the spreads mean for this choice: standardised, or why it should be."""
    ratio = _ratio(tbl, columns)
    if ratio <= EQUAL_SCALE_RATIO:
        return
    shown = f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.1f}"
    if st.session_state["tbl_standardise"]:
        st.caption(t("panels.pca_standardised" if pca else "panels.standardised_note",
                     ratio=shown))
        return
    widest = max(columns, key=lambda c: tbl.sds[tbl.numeric_columns.index(c)])
    st.info(t("panels.pca_raw" if pca else "panels.scales_differ", ratio=shown,
              column=markdown_text(widest)), icon=":material/straighten:")
    st.button(t("panels.standardise_now"), key="tbl_standardise_now", on_click=_on_standardise,
              width="stretch")


def _refuse_all(tbl: cache.TableInfo) -> None:
    """A page that draws at most 3 dimensions: say so and offer its two ways, keep the data."""
    n = len(tbl.numeric_columns)
    st.session_state[REFUSED] = n
    st.warning(t("panels.all_refused", n=n), icon=":material/view_in_ar:")
    c = st.columns(2)
    c[0].button(t("panels.mode.Project with PCA"), key="tbl_refused_pca", on_click=_set_mode,
                args=(PCA, tbl), width="stretch", type="primary")
    c[1].button(t("panels.mode.Pick columns"), key="tbl_refused_pick", on_click=_set_mode,
                args=(PICK, tbl), width="stretch")


def missing_text(default: str) -> str:
    """What a page says when the panel returned no data: why, if this page refused it."""
    n = st.session_state.get(REFUSED)
    return t("panels.all_refused", n=n) if n else default


def _table_controls(tbl: cache.TableInfo, origin: str, name: str, digest: str,
                    all_columns: bool) -> TableSpec | None:
    ident = f"{origin}:{name}:{digest}"
    _reset_table_controls(tbl, ident)
    ss = st.session_state
    ss.pop(REFUSED, None)
    numeric = tbl.numeric_columns
    pca_dim = None
    many = len(numeric) > 3
    if many:
        # ALL stays an option while it is the value, so a page that refuses it can say so.
        modes = (PICK, PCA, ALL) if all_columns or ss["tbl_mode"] == ALL else (PICK, PCA)
        st.radio(t("panels.more_cols"), modes, key="tbl_mode",
                 format_func=_labels("panels.mode.", {ALL: "panels.mode.all"}),
                 on_change=_on_mode, args=(tbl,),
                 help=t("panels.more_cols_help_all" if all_columns
                        else "panels.more_cols_help"))
    mode = ss["tbl_mode"] if many else PICK
    if mode == ALL and not all_columns:
        _refuse_all(tbl)
        return None
    if mode == PCA:
        columns, pca_dim = _pca_controls(tbl, ident)
    elif mode == ALL:
        columns = tuple(numeric)
        st.caption(t("panels.using_all", n=len(numeric)))
    else:
        st.multiselect(t("panels.columns"), numeric, key="tbl_columns", max_selections=3)
        columns = tuple(ss["tbl_columns"])
    _skipped_note(tbl)
    st.selectbox(t("panels.label"), (None, *tbl.text_columns, *tbl.categories),
                 key="tbl_label", format_func=_labels("\0column:", {None: "panels.none"}),
                 help=t("panels.label_help"))
    st.toggle(t("panels.standardise"), key="tbl_standardise", help=t("panels.standardise_help"))
    if columns:
        _scale_note(tbl, columns, pca_dim is not None)
    if tbl.notes:
        with st.expander(t("panels.how_read")):
            for note in tbl.notes:
                st.caption(as_markdown(note))
    if not columns:
        st.warning(t("panels.pick_warning"))
        return None
    if pca_dim is not None and len(columns) < 2:
        st.warning(t("panels.pca_too_few"))
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


#: The uploaded file, kept for the whole session: Streamlit's uploader forgets its file as
#: soon as a page that does not draw it runs (another page of the menu), and the data must
#: stay until the user removes or replaces it.
UPLOAD = "upload_kept"


@dataclass(frozen=True, eq=False)
class KeptUpload:
    """An uploaded CSV: its name, digest and bytes."""

    name: str
    digest: str
    raw: bytes


def _keep(upload) -> KeptUpload:
    """The uploaded file as kept in the session (its digest computed once per file)."""
    ss = st.session_state
    kept = ss.get(UPLOAD)
    file_id = getattr(upload, "file_id", None)
    if kept is None or ss.get("upload_file_id") != file_id or kept.name != upload.name:
        raw = upload.getvalue()
        kept = KeptUpload(upload.name, cache.digest(raw), raw)
        ss[UPLOAD] = kept
        ss["upload_file_id"] = file_id
    return kept


def _on_upload_change() -> None:
    """The user removed the file from the uploader (x): forget it. A new file replaces it
    in the next run. Switching pages does not call this."""
    if st.session_state.get("csv_upload") is None:
        forget_upload()


def forget_upload() -> None:
    st.session_state.pop(UPLOAD, None)
    st.session_state.pop("upload_file_id", None)


def kept_upload() -> KeptUpload | None:
    """The session's uploaded CSV, if any (every page reads the same one)."""
    return st.session_state.get(UPLOAD)


def _upload(all_columns: bool) -> Picked | None:
    upload = st.file_uploader(t("panels.csv_file"), type=["csv", "txt", "tsv"],
                              key="csv_upload", help=t("panels.csv_help"),
                              on_change=_on_upload_change)
    kept = _keep(upload) if upload is not None else kept_upload()
    if kept is None:
        return None
    if upload is None:  # kept from an earlier page: say which file, and how to drop it
        st.caption(t("panels.upload_kept", name=markdown_text(kept.name)))
        st.button(t("panels.upload_forget"), key="upload_forget", on_click=forget_upload,
                  help=t("panels.upload_forget_help"), icon=":material/delete:")
    try:
        tbl = cache.table_info("upload", kept.name, kept.digest, _raw=kept.raw)
    except Exception as exc:
        show_error(exc, t("ctx.file"))
        return None
    st.caption(t("panels.upload_summary", rows=f"{tbl.n_rows:,}",
                 numeric=len(tbl.numeric_columns), text=len(tbl.text_columns)))
    spec = _table_controls(tbl, "upload", kept.name, kept.digest, all_columns)
    return None if spec is None else (spec, kept.raw)


def render(all_columns: bool = False) -> Picked | None:
    """Draw the data widgets; return the chosen data spec (and uploaded bytes), or None.

    ``all_columns``: the page can cluster more than 3 columns (it never draws the fit in
    its own coordinates), so a table with more than 3 numeric columns may use them all.
    Other pages draw at most 3 and refuse that choice with a note (returning None).
    """
    st.session_state.pop(REFUSED, None)
    st.radio(t("panels.source"), state.SOURCES, key="data_source", horizontal=True,
             format_func=_labels("panels.source."), label_visibility="collapsed")
    source = st.session_state["data_source"]
    if source == "Sample":
        return _sample(all_columns)
    if source == "Upload CSV":
        return _upload(all_columns)
    return _synthetic()
