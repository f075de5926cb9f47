"""The only place ``st.cache_data`` wraps back-end calls.

Every function is keyed on hashable specs (frozen dataclasses) or a content digest, so a
rerun (a button click, a slider move) never rebuilds data or refits what it already has.
Uploaded bytes travel as ``_raw`` (not hashed: the digest in the spec stands for them).

Engine errors (``EmvizError``) are returned as values, not raised, so that they are cached
too: a K > N message does not refit on every rerun.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from emviz.em import Params, Trace, e_step, initialize, run_em
from emviz.errors import DataError, EmvizError
from emviz.io import Table, load_csv
from emviz.ui import backend as be
from emviz.ui.state import ModelSpec, PresetSpec, SyntheticSpec, TableSpec

DataSpec = SyntheticSpec | PresetSpec | TableSpec

ASSETS = Path(__file__).resolve().parents[2] / "assets"
#: Most points drawn; EM always uses all of them.
MAX_DISPLAY = 20_000
_MAX_ENTRIES = 64
#: Milliseconds per half-step when playing at 1×: 20 frames per second.
FRAME_MS = 50


@dataclass(frozen=True, eq=False)
class Prepared:
    """Data ready for EM and for drawing.

    Attributes
    ----------
    X : array of shape (n_samples, n_features)
        What EM fits (after column choice, dropping, standardising, projecting).
    display : array of shape (n_display,)
        Indices of the points drawn (all of them up to :data:`MAX_DISPLAY`).
    labels : array of shape (n_samples,) or None
        Known labels (synthetic truth or a label column), for the adjusted Rand index.
    truth : Params or None
        The generating mixture (synthetic data only), drawn dashed.
    """

    X: np.ndarray
    display: np.ndarray
    labels: np.ndarray | None
    truth: Params | None
    columns: tuple[str, ...]
    name: str
    description: str
    notes: tuple[str, ...]
    suggested_k: int | None = None
    suggested_covariance_type: str | None = None

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def X_display(self) -> np.ndarray:
        return self.X[self.display]


@dataclass(frozen=True, eq=False)
class Fit:
    """A cached EM run, or the reason there is none."""

    trace: Trace | None
    error: str | None = None
    error_kind: str | None = None  # "data" | "collapse" | "parameter"


def digest(raw: bytes) -> str:
    return hashlib.sha1(raw).hexdigest()


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------
@st.cache_data(max_entries=_MAX_ENTRIES, show_spinner=False)
def table(origin: str, name: str, digest_: str, _raw: bytes | None = None) -> Table:
    """A loaded CSV: a shipped sample (by file name) or an upload (by digest)."""
    if origin == "sample":
        path = ASSETS / name
        if path.parent != ASSETS or not path.is_file():
            raise DataError(f"Unknown sample {name!r}; expected one of the files in assets/.")
        return load_csv(path)
    if _raw is None:
        raise DataError("The uploaded file is no longer available; please upload it again.")
    return load_csv(_raw)


@dataclass(frozen=True)
class TableInfo:
    """What the data panel needs from a loaded CSV, without its (possibly huge) data."""

    columns: tuple[str, ...]
    numeric_columns: tuple[str, ...]
    text_columns: tuple[str, ...]
    n_rows: int
    notes: tuple[str, ...]


@st.cache_data(max_entries=_MAX_ENTRIES, show_spinner="Reading the file…")
def table_info(origin: str, name: str, digest_: str, _raw: bytes | None = None) -> TableInfo:
    """Column roles of a CSV; cheap to return on every rerun (a Table would be unpickled)."""
    tbl = table(origin, name, digest_, _raw=_raw)
    return TableInfo(tuple(tbl.columns), tuple(tbl.numeric_columns), tuple(tbl.text_columns),
                     int(tbl.n_rows), tuple(tbl.notes))


def _subset(n: int, seed: int = 0) -> np.ndarray:
    return np.asarray(be.display_subset(n, max_points=MAX_DISPLAY, seed=seed), dtype=np.int64)


def _from_dataset(ds, notes: tuple[str, ...] = ()) -> Prepared:
    X = np.ascontiguousarray(ds.X, dtype=np.float64)
    return Prepared(
        X=X,
        display=_subset(X.shape[0]),
        labels=None if ds.labels is None else np.asarray(ds.labels),
        truth=ds.params,
        columns=tuple(ds.columns),
        name=str(ds.name),
        description=str(ds.description),
        notes=notes,
        suggested_k=getattr(ds, "suggested_k", None),
        suggested_covariance_type=getattr(ds, "suggested_covariance_type", None),
    )


def _from_table(spec: TableSpec, raw: bytes | None) -> Prepared:
    tbl = table(spec.origin, spec.name, spec.digest, _raw=raw)
    sel = tbl.select(list(spec.columns))
    X = sel.X
    notes: list[str] = []
    if sel.n_dropped:
        notes.append(f"Rows: {sel.summary()}.")
    columns = tuple(sel.columns)
    if spec.standardise:
        X = np.asarray(be.standardize(X)[0], dtype=np.float64)
        notes.append("Columns standardised (mean 0, standard deviation 1).")
    if spec.pca_dim is not None:
        Z, _, ratio = be.pca_project(X, spec.pca_dim)
        X = np.asarray(Z, dtype=np.float64)
        columns = tuple(f"PC{i + 1}" for i in range(spec.pca_dim))
        notes.append(
            f"Projected {len(sel.columns)} numeric columns onto their first {spec.pca_dim} "
            f"principal components{' (after standardising)' if spec.standardise else ''}, "
            f"which explain {100 * float(np.sum(ratio)):.0f}% of the variance."
        )
    labels = None
    if spec.label is not None:
        labels = tbl.labels(spec.label)[sel.rows]
    what = "sample" if spec.origin == "sample" else "upload"
    return Prepared(
        X=np.ascontiguousarray(X),
        display=_subset(X.shape[0]),
        labels=labels,
        truth=None,
        columns=columns,
        name=spec.name,
        description=f"{what}: {tbl.n_rows} rows × {len(tbl.columns)} columns",
        notes=tuple(notes),
    )


@st.cache_data(max_entries=_MAX_ENTRIES, show_spinner="Preparing the data…")
def prepared(spec: DataSpec, _raw: bytes | None = None) -> Prepared:
    """The data for a spec (synthetic, preset, sample or upload). Raises DataError."""
    if isinstance(spec, PresetSpec):
        return _from_dataset(be.make_preset(spec.name, seed=spec.seed))
    if isinstance(spec, SyntheticSpec):
        ds = be.make_mixture(
            dim=spec.dim,
            n_components=spec.n_components,
            n_samples=spec.n_samples,
            separation=spec.separation,
            shape=spec.shape,
            weights=spec.weights(),
            seed=spec.seed,
        )
        return _from_dataset(ds)
    return _from_table(spec, _raw)


# --------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------
@st.cache_data(max_entries=_MAX_ENTRIES, show_spinner="Running EM…")
def fit(spec: DataSpec, model: ModelSpec, _raw: bytes | None = None) -> Fit:
    """The whole EM trace for data + model settings (the stepping UI indexes it)."""
    X = prepared(spec, _raw=_raw).X
    try:
        init = initialize(
            X,
            model.n_components,
            method=model.init_params,
            seed=model.seed,
            covariance_type=model.covariance_type,
            reg_covar=model.reg_covar,
        )
        trace = run_em(
            X,
            init,
            covariance_type=model.covariance_type,
            reg_covar=model.reg_covar,
            max_iter=model.max_iter,
            tol=model.tol,
        )
    except EmvizError as exc:
        kind = {"DataError": "data", "CollapseError": "collapse"}.get(
            type(exc).__name__, "parameter"
        )
        return Fit(None, str(exc), kind)
    return Fit(trace)


@st.cache_data(max_entries=4 * _MAX_ENTRIES, show_spinner=False)
def display_resp(spec: DataSpec, model: ModelSpec, index: int,
                 _raw: bytes | None = None) -> np.ndarray:
    """Responsibilities of ``trace.params[index]`` for the displayed points, float32."""
    data = prepared(spec, _raw=_raw)
    trace = fit(spec, model, _raw=_raw).trace
    return e_step(data.X_display, trace.params[index]).resp.astype(np.float32)


@st.cache_data(max_entries=8, show_spinner="Building the animation…")
def animation(spec: DataSpec, model: ModelSpec, options, _raw: bytes | None = None) -> go.Figure:
    """The client-side animated figure over every half-step of the trace."""
    data = prepared(spec, _raw=_raw)
    trace = fit(spec, model, _raw=_raw).trace
    resps = [display_resp(spec, model, i, _raw=_raw) for i in range(len(trace.params))]
    return be.animation_figure(data.X_display, trace, resps, truth=data.truth, options=options,
                               frame_ms=FRAME_MS)
