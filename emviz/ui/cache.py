"""The only place the Explore page's back-end calls are cached.

Every cache here is an :func:`emviz.ui.memo.cached` function: bounded (entries, ``ttl``, and
bytes where one value can be large), and what it computes from an upload lives in a cache of
the uploading session only, which Streamlit clears when that session disconnects.

Every function is keyed on hashable specs (frozen dataclasses) or a content digest, so a
rerun (a button click, a slider move) never rebuilds data or refits what it already has.
Uploaded bytes travel as ``_raw`` (not hashed: the digest in the spec stands for them).

Engine errors (``EmvizError``) are returned as values, not raised, so that they are cached
too: a K > N message does not refit on every rerun.

**What the Explore page draws is cached too**, so that 30 students stepping the same preset
share one copy of each figure instead of building it 30 times: the mixture figure, the
log-likelihood chart, the parameter table, the ARI and the exported JSON, each a function of
(data spec, model spec, half-step, figure options, language). Two details keep a cache *hit*
cheap, since every session pays for it on every rerun (measured on the default preset and on
20,000 drawn points):

* Figures are stored as Plotly's JSON dict (``fig.to_dict()``: arrays already base64), not as
  ``go.Figure``. ``st.cache_data`` unpickles its value on every hit, and unpickling a
  ``go.Figure`` re-validates it: 35 ms for 600 points, 0.58 s for 20,000 (a dict: 0.3 ms /
  6 ms). The dict reaches ``st.plotly_chart`` wrapped in :class:`PrebuiltFigure`, since a
  bare dict would be validated again there (25 ms / 0.66 s).
* The public functions key the cache on one string (:func:`_key`, the specs' ``repr``), and
  pass the specs themselves unhashed: Streamlit's hasher walks a frozen dataclass field by
  field (1.3 ms for spec + model + options), a string costs 0.02 ms.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st
from streamlit import runtime

from emviz import exports
from emviz._messages import Message
from emviz.em import Params, Trace, e_step, initialize, run_em
from emviz.errors import DataError, EmvizError
from emviz.io import Table, load_csv
from emviz.ui import backend as be
from emviz.ui.i18n import t
from emviz.ui.memo import cached, in_script_run
from emviz.ui.state import ModelSpec, PresetSpec, SyntheticSpec, TableSpec, params_index, resp_index

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


class PrebuiltFigure(go.Figure):
    """A figure built, validated and encoded once: hands its cached dict to ``st.plotly_chart``.

    ``st.plotly_chart`` turns a ``go.Figure`` into JSON through ``fig.to_dict()``, which here
    returns the stored dict as it is; a bare dict would be validated again by Plotly.
    ``go.Figure.__init__`` (1.8 ms even for an empty figure) is skipped on purpose: this
    object only answers ``to_dict`` / ``to_plotly_json`` and the ``data`` / ``layout`` /
    ``frames`` that ``go.Figure(fig)`` copies. For anything else (a PNG, edits), make a real
    figure first: ``go.Figure(fig)``.
    """

    _grid_str = None  # read by go.Figure(fig)
    _grid_ref = None

    def __init__(self, fig_dict: dict) -> None:  # no super().__init__(): see above
        object.__setattr__(self, "_prebuilt", fig_dict)

    def to_dict(self) -> dict:
        return self._prebuilt

    def to_plotly_json(self) -> dict:
        return self._prebuilt

    @property
    def data(self) -> tuple:
        return tuple(self._prebuilt.get("data", ()))

    @property
    def layout(self) -> dict:
        return self._prebuilt.get("layout", {})

    @property
    def frames(self) -> tuple:
        return tuple(self._prebuilt.get("frames", ()))

    def __repr__(self) -> str:
        return f"PrebuiltFigure({len(self._prebuilt.get('data', ()))} traces)"


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


@cached(max_entries=_MAX_ENTRIES, upload_entries=4)
def _table_info(origin: str, name: str, digest_: str, _raw: bytes | None = None) -> TableInfo:
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
        notes.append(Message("data.rows_note", summary=sel.summary()))
    columns = tuple(sel.columns)
    if spec.standardise:
        X = np.asarray(be.standardize(X)[0], dtype=np.float64)
        notes.append(Message("data.standardised"))
    if spec.pca_dim is not None:
        Z, _, ratio = be.pca_project(X, spec.pca_dim)
        X = np.asarray(Z, dtype=np.float64)
        columns = tuple(f"PC{i + 1}" for i in range(spec.pca_dim))
        notes.append(Message("data.projected_standardised" if spec.standardise
                             else "data.projected", n=len(sel.columns), d=spec.pca_dim,
                             percent=100 * float(np.sum(ratio))))
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
    )


def table_info(origin: str, name: str, digest_: str, _raw: bytes | None = None) -> TableInfo:
    """Column roles of a CSV (see :func:`_table_info`), with a spinner in the reader's language."""
    with _spinner("spinner.reading"):
        return _table_info(origin, name, digest_, _raw=_raw)


def prepared(spec: DataSpec, _raw: bytes | None = None) -> Prepared:
    """The data for a spec (synthetic, preset, sample or upload). Raises DataError."""
    with _spinner("spinner.preparing"):
        return _prepared(key=_key(spec), _spec=spec, _raw=_raw)


@cached(max_entries=_MAX_ENTRIES, upload_entries=4)
def _prepared(key: str, _spec: DataSpec, _raw: bytes | None = None) -> Prepared:
    spec = _spec
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


#: A drawn figure of 20,000 points is about 0.6 MB pickled: 256 of them stay under 160 MB.
@cached(max_entries=4 * _MAX_ENTRIES, upload_entries=_MAX_ENTRIES, max_size="256MB")
def _mixture_dict(key: str, _spec: DataSpec, _model: ModelSpec, _h: int,
                  _options: be.FigureOptions, _raw: bytes | None = None) -> dict:
    data, trace = _at(_spec, _model, _raw)
    ri = resp_index(_h)
    resp = None if ri is None else display_resp(_spec, _model, ri, _raw=_raw)
    fig = be.mixture_figure(data.X_display, trace.half_step(_h).params, resp,
                            truth=data.truth if _options.show_truth else None, options=_options)
    return fig.to_dict()


def mixture_figure(spec: DataSpec, model: ModelSpec, h: int, options: be.FigureOptions,
                   lang: str, _raw: bytes | None = None) -> PrebuiltFigure:
    """The data and the mixture at half-step ``h`` (points coloured by the last E-step).

    ``lang`` keys the cache: the figure's text (axis titles, legend) is translated.
    """
    key = _key("mixture", spec, model, h, options, lang)
    return PrebuiltFigure(_mixture_dict(key=key, _spec=spec, _model=model, _h=h,
                                        _options=options, _raw=_raw))


@cached(max_entries=8 * _MAX_ENTRIES, upload_entries=2 * _MAX_ENTRIES, max_size="64MB")
def _loglik_dict(key: str, _spec: DataSpec, _model: ModelSpec, _h: int,
                 _options: be.FigureOptions, _raw: bytes | None = None) -> dict:
    trace = fit(_spec, _model, _raw=_raw).trace
    return be.loglik_figure(trace, _h, _options).to_dict()


def loglik_figure(spec: DataSpec, model: ModelSpec, h: int, options: be.FigureOptions,
                  lang: str, _raw: bytes | None = None) -> PrebuiltFigure:
    """The log-likelihood chart with its cursor at half-step ``h``."""
    key = _key("loglik", spec, model, h, options, lang)
    return PrebuiltFigure(_loglik_dict(key=key, _spec=spec, _model=model, _h=h,
                                       _options=options, _raw=_raw))


@cached(max_entries=8 * _MAX_ENTRIES, upload_entries=2 * _MAX_ENTRIES, max_size="64MB")
def _params_table(key: str, _spec: DataSpec, _model: ModelSpec, _h: int,
                  _raw: bytes | None = None) -> pa.Table:
    trace = fit(_spec, _model, _raw=_raw).trace
    frame = be.params_table(trace.half_step(_h).params, trace.covariance_type)
    # Arrow, not pandas: st.table converts a DataFrame to Arrow on every call (about 1 ms,
    # pandas metadata included); an Arrow table is sent as it is.
    return pa.Table.from_pandas(frame, preserve_index=False)


def params_table(spec: DataSpec, model: ModelSpec, h: int, lang: str,
                 _raw: bytes | None = None) -> pa.Table:
    """The parameters at half-step ``h``, one row per component (for ``st.table``)."""
    return _params_table(key=_key("table", spec, model, h, lang), _spec=spec, _model=model, _h=h,
                         _raw=_raw)


@cached(max_entries=8 * _MAX_ENTRIES, upload_entries=2 * _MAX_ENTRIES)
def _ari(key: str, _spec: DataSpec, _model: ModelSpec, _h: int,
         _raw: bytes | None = None) -> float | None:
    data, _ = _at(_spec, _model, _raw)
    if data.labels is None:
        return None
    resp = display_resp(_spec, _model, params_index(_h), _raw=_raw)
    truth = data.labels[data.display]
    pred = np.argmax(resp, axis=1)
    if truth.dtype.kind in "iu":  # synthetic: -1 marks outliers without a true component
        keep = truth >= 0
        truth, pred = truth[keep], pred[keep]
    if truth.size < 2:
        return None
    return float(be.adjusted_rand_index(truth, pred))


def ari(spec: DataSpec, model: ModelSpec, h: int, _raw: bytes | None = None) -> float | None:
    """Adjusted Rand index of the fit at half-step ``h`` against the known labels (or None).

    On the displayed points, labelled by their largest responsibility.
    """
    return _ari(key=_key("ari", spec, model, h), _spec=spec, _model=model, _h=h, _raw=_raw)


@cached(max_entries=8 * _MAX_ENTRIES, upload_entries=2 * _MAX_ENTRIES, max_size="64MB")
def _params_json(key: str, _spec: DataSpec, _model: ModelSpec, _h: int, _settings: dict,
                 _raw: bytes | None = None) -> str:
    trace = fit(_spec, _model, _raw=_raw).trace
    hs = trace.half_step(_h)
    return exports.params_json(
        hs.params, covariance_type=trace.covariance_type,
        log_likelihood=float(trace.log_likelihood[params_index(_h)]),
        iteration=hs.iteration, half_step=_h, kind=hs.kind, settings=_settings)


def params_json(spec: DataSpec, model: ModelSpec, h: int, settings: dict,
                _raw: bytes | None = None) -> str:
    """The parameters at half-step ``h`` as the exported JSON.

    ``settings`` must be a function of ``spec`` and ``model`` (it is not part of the key).
    """
    return _params_json(key=_key("json", spec, model, h), _spec=spec, _model=model, _h=h,
                        _settings=settings, _raw=_raw)


@cached(max_entries=8, upload_entries=2, max_size="256MB")
def _animation_dict(key: str, _spec: DataSpec, _model: ModelSpec, _options: be.FigureOptions,
                    _raw: bytes | None = None) -> dict:
    data = prepared(_spec, _raw=_raw)
    trace = fit(_spec, _model, _raw=_raw).trace
    resps = [display_resp(_spec, _model, i, _raw=_raw) for i in range(len(trace.params))]
    return be.animation_figure(data.X_display, trace, resps, truth=data.truth, options=_options,
                               frame_ms=FRAME_MS).to_dict()


def animation(spec: DataSpec, model: ModelSpec, options: be.FigureOptions, lang: str = "en",
              _raw: bytes | None = None) -> PrebuiltFigure:
    """The client-side animated figure over every half-step of the trace.

    Cached as a dict, like every figure here (a cached ``go.Figure`` is re-validated on every
    hit, frame by frame).
    """
    key = _key("animation", spec, model, options, lang)
    with _spinner("spinner.animation"):
        return PrebuiltFigure(_animation_dict(key=key, _spec=spec, _model=model,
                                              _options=options, _raw=_raw))
