"""Files a lecturer or student can take away: parameters, labelled data, animation, image.

Everything here is pure (no Streamlit): the UI hands over arrays, frames and figures and
offers the returned bytes through ``st.download_button``.

* :func:`params_json` / :func:`load_params_json`: the mixture at one step as JSON. The file
  has top-level ``weights``, ``means`` and ``covariances`` (full matrices), so the public API
  reads it back with ``emviz.Params.from_dict(json.load(f))``.
* :func:`labelled_csv`: the user's table, rows in their original order and original columns
  untouched, plus the hard label and one responsibility column per component. Rows EM did not
  use (NaN or inf in a clustered column) keep their cells and get *empty* label and
  responsibility cells, so the file lines up row for row with the one that was uploaded.
* :func:`animation_html`: the animated figure as one self-contained HTML file (Plotly's
  JavaScript embedded, no network access needed to play it).
* :func:`figure_png`: a static PNG through kaleido and the system Chromium; raises
  :class:`ExportError` with advice when no browser is available.
"""

from __future__ import annotations

import json
import math
import threading
import warnings
from collections.abc import Mapping
from typing import Any, TypedDict

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from emviz._messages import error
from emviz.errors import EmvizError, ParameterError
from emviz.model.params import Params
from emviz.text import plotly_text

#: Identifies the JSON layout; bump the number if the layout changes incompatibly.
PARAMS_FORMAT = "emviz.params/1"
#: Names of the columns :func:`labelled_csv` appends (``resp_k`` is numbered from 1).
LABEL_COLUMN = "em_component"
RESP_PREFIX = "em_resp_"


class ExportError(EmvizError, RuntimeError):
    """A file could not be produced (e.g. no Chromium for the PNG export)."""


# --------------------------------------------------------------------------------------
# Parameters as JSON
# --------------------------------------------------------------------------------------
def _finite_or_none(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _plain(value: Any) -> Any:
    """JSON-safe copy of settings: tuples to lists, numpy scalars to Python, inf/NaN to None."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return _finite_or_none(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def params_json(
    params: Params,
    *,
    covariance_type: str,
    log_likelihood: float,
    iteration: int,
    half_step: int,
    kind: str,
    settings: Mapping[str, Any] | None = None,
    preprocessing: Mapping[str, Any] | None = None,
) -> str:
    """The mixture at one step of the run, as indented JSON text.

    Parameters
    ----------
    params : Params
    covariance_type : {"full", "tied", "diag", "spherical"}
        Stored as given; ``covariances_compact`` is in scikit-learn's shape for that type.
    log_likelihood : float
        Total log-likelihood of ``params``; written as ``null`` if not finite (a collapsed
        component has ``+inf``).
    iteration, half_step : int
        Where on the timeline the parameters were taken (half-step 0 = initialisation).
    kind : {"init", "E", "M"}
    settings : mapping, optional
        The model and data settings that produced the run (JSON-safe copy stored).
    preprocessing : mapping, optional
        :meth:`emviz.engine.fitted.Preprocessing.to_dict`: the columns, standardisation and PCA that
        turn raw rows into the features the parameters live in. With it,
        ``emviz.FittedMixture.from_json(text)`` labels new rows.

    Returns
    -------
    str
        Readable back with :func:`load_params_json` or ``Params.from_dict(json.loads(text))``.
    """
    doc = {
        "format": PARAMS_FORMAT,
        "covariance_type": str(covariance_type),
        "n_components": params.n_components,
        "n_features": params.n_features,
        "iteration": int(iteration),
        "half_step": int(half_step),
        "step": str(kind),
        "log_likelihood": _finite_or_none(log_likelihood),
        **params.to_dict(),
        "covariances_compact": params.compact_covariances(covariance_type).tolist(),
        "settings": _plain(dict(settings or {})),
        "preprocessing": None if preprocessing is None else _plain(dict(preprocessing)),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def load_params_json(text: str | bytes) -> tuple[Params, dict[str, Any]]:
    """Read a :func:`params_json` file back: the parameters and the whole document.

    Raises
    ------
    ParameterError
        If the text is not JSON or lacks valid ``weights``, ``means`` and ``covariances``.
    """
    try:
        doc = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise error(ParameterError, "exports.not_json", reason=str(exc)) from exc
    if not isinstance(doc, dict):
        raise error(ParameterError, "exports.not_object", type=type(doc).__name__)
    return Params.from_dict(doc), doc


# --------------------------------------------------------------------------------------
# Data with labels and responsibilities as CSV
# --------------------------------------------------------------------------------------
def _free_name(name: str, taken: set[str]) -> str:
    while name in taken:
        name = f"{name}_"
    taken.add(name)
    return name


def labelled_csv(frame: pd.DataFrame, rows: np.ndarray, resp: np.ndarray) -> str:
    """The user's table with each row's hard label and responsibilities appended.

    Parameters
    ----------
    frame : DataFrame of shape (n_rows, n_columns)
        The table as loaded, rows in file order; its columns are written unchanged.
    rows : array of shape (n_kept,)
        0-based indices into ``frame`` of the rows EM used (``Selection.rows``), in the
        order of ``resp``'s rows.
    resp : array of shape (n_kept, n_components)
        Responsibilities of those rows.

    Returns
    -------
    str
        CSV text: the original columns, then ``em_component`` (1-based, as in the legends)
        and ``em_resp_1`` … ``em_resp_K``. Rows that EM did not use have these cells empty.
        A name already in the table gets ``_`` appended until it is free.
    """
    rows = np.asarray(rows, dtype=np.int64)
    resp = np.asarray(resp, dtype=np.float64)
    n = len(frame)
    if resp.ndim != 2 or resp.shape[0] != rows.shape[0]:
        raise error(ParameterError, "exports.resp_shape", n=rows.shape[0], shape=resp.shape)
    if rows.size and (rows.min() < 0 or rows.max() >= n):
        raise error(ParameterError, "exports.rows_range", n=n)
    out = frame.copy()
    taken = {str(c) for c in out.columns}
    labels = pd.array([pd.NA] * n, dtype="Int64")
    if rows.size:
        labels[rows] = np.argmax(resp, axis=1) + 1
    out[_free_name(LABEL_COLUMN, taken)] = labels
    for k in range(resp.shape[1]):
        col = np.full(n, np.nan)
        col[rows] = resp[:, k]
        out[_free_name(f"{RESP_PREFIX}{k + 1}", taken)] = col
    # float_format=None writes the shortest repr that round-trips; NaN writes as "".
    return out.to_csv(index=False, lineterminator="\n")


def synthetic_frame(X: np.ndarray, columns: tuple[str, ...],
                    true_labels: np.ndarray | None = None) -> pd.DataFrame:
    """A generated data set as a table (``true_component`` 1-based, empty for outliers)."""
    frame = pd.DataFrame(np.asarray(X, dtype=np.float64), columns=list(columns))
    if true_labels is not None:
        lab = np.asarray(true_labels)
        if lab.dtype.kind in "iu":
            vals = pd.array(np.where(lab >= 0, lab + 1, 0), dtype="Int64")
            vals[lab < 0] = pd.NA
            frame["true_component"] = vals
        else:
            frame["true_label"] = lab
    return frame


# --------------------------------------------------------------------------------------
# Figures: offline HTML and PNG
# --------------------------------------------------------------------------------------
def animation_html(fig: go.Figure, title: str = "emviz") -> bytes:
    """A self-contained HTML page that plays ``fig`` with no internet connection.

    Plotly's JavaScript (about 4.7 MB) is embedded; MathJax is not used.
    """
    fig = go.Figure(fig)
    if not fig.layout.title.text:
        fig.update_layout(title_text=plotly_text(title))
    html = fig.to_html(include_plotlyjs=True, full_html=True, include_mathjax=False,
                       auto_play=False, config={"displaylogo": False})
    return html.encode("utf-8")


_KALEIDO_LOCK = threading.Lock()


class _KaleidoState(TypedDict):
    started: bool
    error: str | None  # why it would not start: kept, so later calls fail at once


_KALEIDO_STATE: _KaleidoState = {"started": False, "error": None}


def _start_kaleido() -> None:
    """Start kaleido's browser once per process (later images take ~0.4 s, not ~4 s)."""
    with _KALEIDO_LOCK:
        if _KALEIDO_STATE["started"]:
            return
        if _KALEIDO_STATE["error"] is not None:
            raise _png_error(_KALEIDO_STATE["error"])
        try:
            import kaleido

            kaleido.start_sync_server(silence_warnings=True)
        except Exception as exc:  # no kaleido, no Chromium, or it would not start
            reason = f"{type(exc).__name__}: {exc}"
            _KALEIDO_STATE["error"] = reason
            raise _png_error(reason) from exc
        _KALEIDO_STATE["started"] = True


def _png_error(reason: str) -> ExportError:
    """No PNG: what went wrong (``reason``, technical, kept as is) and what to do instead."""
    return error(ExportError, "exports.png_unavailable", reason=reason)


#: Longest a PNG may take (browser start included) before the caller is told it failed.
PNG_TIMEOUT_S = 30.0


def _draw_png(fig: go.Figure, width: int, height: int, scale: float) -> bytes:
    _start_kaleido()
    try:
        with warnings.catch_warnings():  # "kopts is ignored if using a server": expected
            warnings.simplefilter("ignore", UserWarning)
            return go.Figure(fig).to_image(format="png", width=int(width), height=int(height),
                                           scale=float(scale))
    except Exception as exc:
        raise _png_error(f"{type(exc).__name__}: {exc}") from exc


def figure_png(fig: go.Figure, width: int = 1600, height: int = 1000, scale: float = 1.0,
               timeout: float | None = None) -> bytes:
    """The figure as PNG bytes, drawn by kaleido in a headless Chromium.

    The drawing runs in a worker thread and is given ``timeout`` seconds (default
    :data:`PNG_TIMEOUT_S`), so a browser that never answers becomes an error message
    instead of a wait without end (the thread is left to finish or hang on its own; it
    holds nothing the caller needs).

    Raises
    ------
    ExportError
        If kaleido or Chromium is missing, the image could not be drawn, or it took longer
        than ``timeout``; the message says what to do.
    """
    timeout = PNG_TIMEOUT_S if timeout is None else float(timeout)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["png"] = _draw_png(fig, width, height, scale)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="emviz-png", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise error(ExportError, "exports.png_timeout", seconds=f"{timeout:g}")
    if "error" in outcome:
        raise outcome["error"]
    png = outcome["png"]
    if not png.startswith(b"\x89PNG"):
        raise error(ExportError, "exports.not_png")
    return png


def file_stem(*parts: object) -> str:
    """A safe file name stem from settings, e.g. ``emviz_old_faithful_K3_full_h12``."""
    raw = "_".join(str(p) for p in parts if p not in (None, ""))
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in raw)
    safe = safe.strip("_")
    return ("emviz_" + safe)[:80] if safe else "emviz"
