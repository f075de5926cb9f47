"""The only place the Explore page's back-end calls are cached.

Every cache here is an :func:`emviz.ui.memo.cached` function: bounded (entries, ``ttl``, and
bytes where one value can be large), and what it computes from an upload lives in a cache of
the uploading session only, which Streamlit clears when that session disconnects.

Every function is keyed on hashable specs (frozen dataclasses) or a content digest, so a
rerun (a button click, a slider move) never rebuilds data or refits what it already has.
Uploaded bytes travel as ``_raw`` (not hashed: the digest in the spec stands for them).

Engine errors (``EmvizError``) are returned as values, not raised, so that they are cached
too: a K > N message does not refit on every rerun.

**The Explore stepper's payload is cached too** (:func:`stepper_payload`): the whole run
as the browser replays it, once per (data, model, figure options, language), so a classroom
of sessions on the same preset builds it once. A cache hit is cheap because the payload is
stored as the bytes that are sent (``st.cache_data`` unpickles its value on every hit) and
the public functions key the cache on one string (:func:`_key`, the specs' ``repr``)
rather than letting Streamlit's hasher walk the frozen specs field by field.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st
from streamlit import runtime

from emviz._messages import Message
from emviz.data.columns import column_roles
from emviz.data.csv import Table, load_csv
from emviz.engine.em import Trace, e_step, initialize, run_em
from emviz.engine.fitted import Preprocessing
from emviz.errors import Cancelled, DataError, EmvizError
from emviz.figures import exports
from emviz.figures import stepper as sp
from emviz.model.params import Params
from emviz.ui import backend as be
from emviz.ui import jobs
from emviz.ui.i18n import t
from emviz.ui.memo import cached, in_script_run
from emviz.ui.state import (
    CANVAS_RANGES,
    MANUAL,
    DataSpec,
    EditedSpec,
    ModelSpec,
    PresetSpec,
    SyntheticSpec,
    TableSpec,
    params_index,
)

ASSETS = Path(__file__).resolve().parents[2] / "assets"
#: Most points drawn; EM always uses all of them.
MAX_DISPLAY = 20_000
_MAX_ENTRIES = 64


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
    suggested_init: str | None = None
    #: Columns → features (standardising, PCA) for a table; identity for generated data.
    preprocessing: Preprocessing | None = None
    #: For a table: the rows of ``Table.frame`` in ``X`` (rows with a missing value skipped).
    rows: np.ndarray | None = None
    #: Fixed 2D axis ranges (an empty canvas to draw on, or edited data: the axes of the
    #: data before the edits, so that they do not jump with every click).
    ranges: tuple[tuple[float, float], ...] | None = None

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


_frozen = False


def freeze_imports() -> None:
    """Hide what is alive now (the imported libraries) from the cyclic garbage collector, once.

    Streamlit runs a full ``gc.collect()`` after every script run (``runner.postScriptGC``).
    With numpy, scipy, pandas, plotly and pyarrow imported, the collector tracks about 155,000
    objects, and that collection took about 95 ms: three times a cached Explore rerun, paid by
    every session on every click. ``gc.freeze()`` moves them to a permanent generation, and
    the same collection then takes well under 1 ms. Frozen objects are still freed by
    reference counting; only reference cycles among them would never be collected, and
    modules live as long as the server anyway. Only in a real server: under ``AppTest`` it
    would freeze the test process.
    """
    global _frozen
    if not _frozen and runtime.exists():
        _frozen = True
        gc.freeze()


def _spinner(key: str):
    """A spinner in the session's language around a cached call.

    ``st.cache_data(show_spinner=...)`` takes one fixed text, decided at import time, before
    any session's language is known. ``st.spinner`` only appears after 0.5 s, so a cache hit
    shows nothing.
    """
    if not in_script_run():  # a download's callable: no page to show it on
        return contextlib.nullcontext()
    return st.spinner(t(key), show_time=True)


def digest(raw: bytes) -> str:
    return hashlib.sha1(raw).hexdigest()


def _key(*parts: object) -> str:
    """One cache key for frozen specs: their ``repr`` (every field, floats exactly)."""
    return repr(parts)


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------
@cached(max_entries=16, upload_entries=2)
def table(origin: str, name: str, digest_: str, _raw: bytes | None = None) -> Table:
    """A loaded CSV: a shipped sample (by file name) or an upload (by digest)."""
    if origin == "sample":
        path = ASSETS / name
        if path.parent != ASSETS or not path.is_file():
            raise DataError(t("cache.unknown_sample", name=name))
        return load_csv(path)
    if _raw is None:
        raise DataError(t("cache.upload_gone"))
    return load_csv(_raw)


@dataclass(frozen=True)
class TableInfo:
    """What the data panel needs from a loaded CSV, without its (possibly huge) data."""

    columns: tuple[str, ...]
    numeric_columns: tuple[str, ...]
    text_columns: tuple[str, ...]
    n_rows: int
    notes: tuple[str, ...]
    #: Numeric columns that look like measurements (picked by default), in file order.
    usable: tuple[str, ...] = ()
    #: (column, reason) for identifiers and category-like columns (never picked by default).
    skipped: tuple[tuple[str, str], ...] = ()
    #: Category-like numeric columns (offered as label columns).
    categories: tuple[str, ...] = ()
    #: Standard deviation of each numeric column (NaN cells left out), for scale advice.
    sds: tuple[float, ...] = ()

    @property
    def skipped_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.skipped)


@cached(max_entries=_MAX_ENTRIES, upload_entries=4)
def _table_info(origin: str, name: str, digest_: str, _raw: bytes | None = None) -> TableInfo:
    """Column roles of a CSV; cheap to return on every rerun (a Table would be unpickled)."""
    tbl = table(origin, name, digest_, _raw=_raw)
    frame = tbl.frame
    values = {c: frame[c].to_numpy(dtype=np.float64) for c in tbl.numeric_columns}
    roles = column_roles(values)
    # every column's spread over its finite cells (0 without one), all columns at once
    cells = np.array(list(values.values()), dtype=np.float64).reshape(len(values), -1)
    ok = np.isfinite(cells)
    count = ok.sum(axis=1)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        mean = np.where(ok, cells, 0.0).sum(axis=1) / count
        dev = np.where(ok, cells - mean[:, None], 0.0)
        spread = np.sqrt((dev * dev).sum(axis=1) / count)
    sds = tuple(float(v) for v in np.nan_to_num(np.where(count > 0, spread, 0.0)))
    return TableInfo(tuple(tbl.columns), tuple(tbl.numeric_columns), tuple(tbl.text_columns),
                     int(tbl.n_rows), tuple(tbl.notes), roles.usable, roles.skipped,
                     roles.categories, sds)


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
        suggested_init=getattr(ds, "suggested_init", None),
    )


def _from_table(spec: TableSpec, raw: bytes | None) -> Prepared:
    tbl = table(spec.origin, spec.name, spec.digest, _raw=raw)
    sel = tbl.select(list(spec.columns))
    notes: list[str] = []
    if sel.n_dropped:
        notes.append(Message("data.rows_note", summary=sel.summary()))
    # The same arithmetic the library applies to new rows (emviz.FittedMixture), so the
    # downloaded parameters label new rows exactly as the app labels these.
    prep, X = Preprocessing.fit(sel.X, sel.columns, spec.standardise, spec.pca_dim)
    columns = prep.feature_names
    if spec.standardise:
        notes.append(Message("data.standardised"))
    if spec.pca_dim is not None:
        notes.append(Message("data.projected_standardised" if spec.standardise
                             else "data.projected", n=len(sel.columns), d=spec.pca_dim,
                             percent=100 * float(np.sum(prep.explained_variance_ratio))))
    labels = None
    if spec.label is not None:
        labels = tbl.labels(spec.label)[sel.rows]
    return Prepared(
        X=np.ascontiguousarray(X),
        display=_subset(X.shape[0]),
        labels=labels,
        truth=None,
        columns=columns,
        name=spec.name,
        description=Message("data.table_sample" if spec.origin == "sample" else "data.table_upload",
                            rows=tbl.n_rows, columns=len(tbl.columns)),
        notes=tuple(notes),
        preprocessing=prep,
        rows=sel.rows,
    )


def table_info(origin: str, name: str, digest_: str, _raw: bytes | None = None) -> TableInfo:
    """Column roles of a CSV (see :func:`_table_info`), with a spinner in the reader's language."""
    with _spinner("spinner.reading"):
        return _table_info(origin, name, digest_, _raw=_raw)


def prepared(spec: DataSpec, _raw: bytes | None = None) -> Prepared:
    """The data for a spec (synthetic, preset, sample or upload). Raises DataError."""
    with _spinner("spinner.preparing"):
        return _prepared(key=_key(spec), _spec=spec, _raw=_raw)


def _padded(X: np.ndarray) -> tuple[tuple[float, float], ...]:
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return tuple((float(a - 0.04 * s), float(b + 0.04 * s)) for a, b, s in zip(lo, hi, span,
                                                                              strict=True))


def _edited(spec: EditedSpec, raw: bytes | None) -> Prepared:
    """The base data without the removed rows, then the added points (no known label)."""
    added = np.asarray(spec.added, dtype=np.float64).reshape(-1, 2)
    if spec.base is None:
        return Prepared(X=added, display=np.arange(len(added)), labels=None, truth=None,
                        columns=("x₁", "x₂"), name="", description="", notes=(),
                        ranges=CANVAS_RANGES)
    base = prepared(spec.base, _raw=raw)
    keep = np.setdiff1d(np.arange(base.n_samples), np.asarray(spec.removed, dtype=np.int64))
    X = np.vstack([base.X[keep], added]) if base.n_features == 2 else base.X[keep]
    labels = None
    if base.labels is not None:
        blank = np.full(len(added), -1 if base.labels.dtype.kind in "iu" else None,
                        dtype=base.labels.dtype if base.labels.dtype.kind in "iu" else object)
        labels = np.concatenate([base.labels[keep].astype(blank.dtype), blank])
    # the clicks were made in the drawn features: the base's preprocessing still applies
    return Prepared(X=np.ascontiguousarray(X), display=_subset(len(X)), labels=labels,
                    truth=base.truth, columns=base.columns, name=base.name,
                    description=base.description, notes=base.notes,
                    preprocessing=base.preprocessing,
                    ranges=_padded(base.X) if base.n_features == 2 else None)


@cached(max_entries=_MAX_ENTRIES, upload_entries=4)
def _prepared(key: str, _spec: DataSpec, _raw: bytes | None = None) -> Prepared:
    spec = _spec
    if isinstance(spec, EditedSpec):
        return _edited(spec, _raw)
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
def fit(spec: DataSpec, model: ModelSpec, _raw: bytes | None = None) -> Fit:
    """The whole EM trace for data + model settings (the stepping UI indexes it)."""
    with _spinner("spinner.fitting"):
        return _fit(key=_key(spec, model), _spec=spec, _model=model, _raw=_raw)


@cached(max_entries=_MAX_ENTRIES, upload_entries=8)
def _fit(key: str, _spec: DataSpec, _model: ModelSpec, _raw: bytes | None = None) -> Fit:
    model = _model
    X = prepared(_spec, _raw=_raw).X
    try:
        if model.init_params == MANUAL and model.start is not None:
            init = manual_start(model.start, model.covariance_type, X.shape[1])
        else:
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
            should_stop=jobs.should_stop,  # a closed tab stops the fit (never cached)
        )
    except Cancelled:
        raise
    except EmvizError as exc:
        kind = {"DataError": "data", "CollapseError": "collapse"}.get(
            type(exc).__name__, "parameter"
        )
        return Fit(None, str(exc), kind)
    return Fit(trace)


def manual_start(start: tuple, covariance_type: str, n_features: int) -> Params:
    """A start set by hand, in the form ``covariance_type`` needs (tied: one shared matrix,
    diag: the diagonals, spherical: the mean variance), as scikit-learn's ``*_init`` would."""
    weights, means, covariances = (np.asarray(a, dtype=np.float64) for a in start)
    if means.shape[1] != n_features:
        raise DataError(t("cache.manual_dims", d=means.shape[1], n_features=n_features))
    shaped = {
        "full": lambda c: c,
        "tied": lambda c: np.broadcast_to(np.einsum("k,kij->ij", weights, c), c.shape).copy(),
        "diag": lambda c: np.stack([np.diag(np.diag(m)) for m in c]),
        "spherical": lambda c: np.stack([np.eye(len(m)) * np.mean(np.diag(m)) for m in c]),
    }
    return Params(weights / weights.sum(), means, shaped[covariance_type](covariances))


def _at(spec: DataSpec, model: ModelSpec, raw: bytes | None) -> tuple[Prepared, Trace]:
    return prepared(spec, _raw=raw), fit(spec, model, _raw=raw).trace


def display_resp(spec: DataSpec, model: ModelSpec, index: int,
                 _raw: bytes | None = None) -> np.ndarray:
    """Responsibilities of ``trace.params[index]`` for the displayed points, float32."""
    return _display_resp(key=_key(spec, model, index), _spec=spec, _model=model, _index=index,
                         _raw=_raw)


@cached(max_entries=4 * _MAX_ENTRIES, upload_entries=_MAX_ENTRIES, max_size="256MB")
def _display_resp(key: str, _spec: DataSpec, _model: ModelSpec, _index: int,
                  _raw: bytes | None = None) -> np.ndarray:
    data, trace = _at(_spec, _model, _raw)
    return e_step(data.X_display, trace.params[_index]).resp.astype(np.float32)


# --------------------------------------------------------------------------------------
# What the Explore page draws (shared by every session on the same data and model)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataInfo:
    """What a page shows about prepared data, without its arrays (cheap on every rerun)."""

    n_samples: int
    n_features: int
    n_display: int
    has_truth: bool
    has_labels: bool
    columns: tuple[str, ...]
    name: str
    description: str
    notes: tuple[str, ...]


@cached(max_entries=_MAX_ENTRIES, upload_entries=8)
def _info(key: str, _spec: DataSpec, _raw: bytes | None = None) -> DataInfo:
    data = prepared(_spec, _raw=_raw)
    return DataInfo(data.n_samples, data.n_features, len(data.display), data.truth is not None,
                    data.labels is not None, data.columns, data.name, data.description,
                    data.notes)


def info(spec: DataSpec, _raw: bytes | None = None) -> DataInfo:
    """:func:`prepared`'s description of the data (raises DataError like it).

    A hit copies a few strings, where :func:`prepared` would unpickle every point (24 MB for
    a million rows in 3-D) on every rerun of every session.
    """
    return _info(key=_key(spec), _spec=spec, _raw=_raw)


@cached(max_entries=8 * _MAX_ENTRIES, upload_entries=2 * _MAX_ENTRIES, max_size="64MB")
def _params_json(key: str, _spec: DataSpec, _model: ModelSpec, _h: int, _settings: dict,
                 _raw: bytes | None = None) -> str:
    trace = fit(_spec, _model, _raw=_raw).trace
    hs = trace.half_step(_h)
    return exports.params_json(
        hs.params, covariance_type=trace.covariance_type,
        log_likelihood=float(trace.log_likelihood[params_index(_h)]),
        iteration=hs.iteration, half_step=_h, kind=hs.kind, settings=_settings,
        preprocessing=preprocessing_of(prepared(_spec, _raw=_raw)).to_dict())


def preprocessing_of(data: Prepared) -> Preprocessing:
    """How raw columns become ``data.X``: recorded for a table, the identity otherwise."""
    return data.preprocessing or Preprocessing(data.columns)


def params_json(spec: DataSpec, model: ModelSpec, h: int, settings: dict,
                _raw: bytes | None = None) -> str:
    """The parameters at half-step ``h`` as the exported JSON.

    ``settings`` must be a function of ``spec`` and ``model`` (it is not part of the key).
    """
    return _params_json(key=_key("json", spec, model, h), _spec=spec, _model=model, _h=h,
                        _settings=settings, _raw=_raw)


# --------------------------------------------------------------------------------------
# The Explore stepper (shared by every session on the same data and model)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Payload:
    """A stepper payload as sent (:func:`emviz.figures.stepper.payload_bytes`), and its id."""

    data: bytes
    id: str
    n_drawn: int
    editable: bool


#: A payload of 100 iterations at 10,000 points is about 2.5 MB.
@cached(max_entries=_MAX_ENTRIES, upload_entries=4, max_size="256MB")
def _stepper_payload(key: str, _spec: DataSpec, _model: ModelSpec,
                     _options: be.FigureOptions, _text: dict, _formulas: dict | None,
                     _raw: bytes | None = None) -> Payload:
    data, trace = _at(_spec, _model, _raw)
    X = data.X_display
    labels = None if data.labels is None else data.labels[data.display]
    editable = data.n_features == 2 and len(data.display) == data.n_samples
    payload = sp.em_payload(
        X, trace, truth=data.truth, labels=labels, options=_options, text=_text,
        init_method=_model.init_params, seed=_model.seed, formulas=_formulas,
        editable=editable, new_init=True, ranges=data.ranges,
        loglik_height=400 if _options.presenter else None,  # beside the chart on a projector
    )
    raw_bytes = sp.payload_bytes(payload)
    return Payload(raw_bytes, sp.payload_id(raw_bytes), int(payload["points"]["drawn"]),
                   payload["charts"][0]["edit"] is not None)


def stepper_payload(spec: DataSpec, model: ModelSpec, options: be.FigureOptions, lang: str,
                    text: dict, formulas: dict | None = None,
                    _raw: bytes | None = None) -> Payload:
    """The whole run at ``spec`` / ``model`` as the browser-side stepper replays it.

    ``lang`` keys the cache (``text`` and ``formulas`` are its words, not part of the key).
    """
    key = _key("stepper", spec, model, options, lang)
    with _spinner("spinner.stepper"):
        return _stepper_payload(key=key, _spec=spec, _model=model, _options=options,
                                _text=text, _formulas=formulas, _raw=_raw)


@cached(max_entries=_MAX_ENTRIES, upload_entries=4, max_size="64MB")
def _points_payload(key: str, _spec: DataSpec, _options: be.FigureOptions, _text: dict,
                    _message: str, _raw: bytes | None = None) -> Payload:
    data = prepared(_spec, _raw=_raw)
    raw_bytes = sp.payload_bytes(sp.points_payload(data.X, ranges=data.ranges, options=_options,
                                                   text=_text, message=_message))
    return Payload(raw_bytes, sp.payload_id(raw_bytes), data.n_samples, True)


def points_payload(spec: DataSpec, options: be.FigureOptions, lang: str, text: dict,
                   message: str, _raw: bytes | None = None) -> Payload:
    """The points alone (no run yet): a canvas being drawn on with too few points for EM."""
    key = _key("points", spec, options, lang, message)
    return _points_payload(key=key, _spec=spec, _options=options, _text=text,
                           _message=message, _raw=_raw)
