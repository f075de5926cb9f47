"""The Explore page's downloads: parameters (JSON), labelled data (CSV), animation (HTML), PNG.

Nothing is built eagerly on a rerun. The JSON is small and comes from ``cache.params_json``
(one copy for every session at the same half-step). The other three are built only when
their button is clicked (``st.download_button`` with a callable, run off the script thread),
so a rerun never pays for a 5 MB HTML page, a browser screenshot, or even for loading the
table the CSV is made from (for a million-row upload, unpickling and re-selecting it took
0.3-1.3 s of every rerun, measured under a profiler). Those callables capture specs, plain
arrays and figures, never Streamlit objects; they may call the cached loaders, which work
without a script run.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from emviz.data import rawcsv
from emviz.engine.em import Trace, e_step
from emviz.figures import exports
from emviz.ui import backend as be
from emviz.ui import cache
from emviz.ui.i18n import t
from emviz.ui.messages import show_error
from emviz.ui.state import DataSpec, ModelSpec, TableSpec

PNG_SIZE = (1600, 1000)
#: Milliseconds per half-step when the exported animation plays at 1×.
FRAME_MS = 50
#: Chromium names kaleido looks for (besides BROWSER_PATH).
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def png_available() -> bool:
    """Whether kaleido is installed and can find a browser (checked without starting one)."""
    if importlib.util.find_spec("kaleido") is None:
        return False
    path = os.environ.get("BROWSER_PATH")
    return bool((path and os.path.isfile(path)) or any(shutil.which(b) for b in _BROWSERS))


def settings(spec: DataSpec, model: ModelSpec) -> dict:
    """The settings stored with exported parameters (uploads: file name and digest only)."""
    return {"model": asdict(model), "data": {"kind": type(spec).__name__, **asdict(spec)}}


def _data_frame_and_rows(spec: DataSpec, raw: bytes | None, data: cache.Prepared):
    """Generated data as a table, and its rows (all of them, in the order of ``data.X``)."""
    frame = exports.synthetic_frame(data.X, data.columns, data.labels)
    return frame, np.arange(data.n_samples)


def table_source(spec: TableSpec, raw: bytes | None):
    """The file a table was read from: the uploaded bytes, or the sample's path."""
    return raw if spec.origin == "upload" else cache.ASSETS / spec.name


def labelled_table_csv(spec: TableSpec, raw: bytes | None, data: cache.Prepared,
                       resp: np.ndarray) -> bytes:
    """The file's own text, each data row followed by its label and responsibilities."""
    tbl = cache.table(spec.origin, spec.name, spec.digest, _raw=raw)
    records = rawcsv.raw_records(table_source(spec, raw))
    return rawcsv.labelled_text(records, tbl, data.rows, resp).encode("utf-8")


def stem(spec: DataSpec, model: ModelSpec, h: int) -> str:
    name = getattr(spec, "name", "custom")
    return exports.file_stem(str(name).rsplit(".", 1)[0], f"K{model.n_components}",
                             model.covariance_type, f"h{h}")


class File(NamedTuple):
    """One download: its file name, MIME type and a function that makes its bytes."""

    file_name: str
    mime: str
    make: Callable[[], bytes | str]


def files(spec: DataSpec, model: ModelSpec, raw: bytes | None, data: cache.Prepared | None,
          trace: Trace, h: int, figure: Callable[[], go.Figure] | None,
          options: be.FigureOptions) -> dict[str, File]:
    """The four downloads for the run at half-step ``h``: "params", "csv", "html", "png".

    Every file is built when ``make`` is called (the JSON from a cache shared by sessions),
    so drawing the buttons costs a rerun nothing. ``data`` may be None: it is then fetched
    (from the cache) when a file needs it.
    """
    hs = trace.half_step(h)
    name = stem(spec, model, h)
    params = hs.params

    def params_text() -> str:
        return cache.params_json(spec, model, h, settings(spec, model), _raw=raw)

    def prepared() -> cache.Prepared:
        return data if data is not None else cache.prepared(spec, _raw=raw)

    def csv_bytes() -> bytes:
        d = prepared()
        resp = e_step(d.X, params).resp
        if isinstance(spec, TableSpec):
            return labelled_table_csv(spec, raw, d, resp)
        frame, rows = _data_frame_and_rows(spec, raw, d)
        return exports.labelled_csv(frame, rows, resp).encode("utf-8")

    def html_bytes() -> bytes:
        d = prepared()
        X_display = d.X_display
        resps = [e_step(X_display, p).resp.astype(np.float32) for p in trace.params]
        fig = be.animation_figure(X_display, trace, resps, truth=d.truth, options=options,
                                  frame_ms=FRAME_MS)
        return exports.animation_html(fig, title=name)

    no_figure = t("export.no_figure")  # read now: the callables run outside the session

    def png_bytes() -> bytes:
        if figure is None:
            raise exports.ExportError(no_figure)
        return exports.figure_png(figure(), *PNG_SIZE)

    return {
        "params": File(f"{name}.json", "application/json", params_text),
        "csv": File(f"{name}.csv", "text/csv", csv_bytes),
        "html": File(f"{name}_animation.html", "text/html", html_bytes),
        "png": File(f"{name}.png", "image/png", png_bytes),
    }


#: Button label key, help key and icon of each download, in display order.
_BUTTONS = {
    "params": ("export.params", "export.params_help", ":material/data_object:"),
    "csv": ("export.csv", "export.csv_help", ":material/table:"),
    "html": ("export.html", "export.html_help", ":material/animation:"),
    "png": ("export.png", "export.png_help", ":material/image:"),
}


#: Session key of the last PNG drawn: (file name, bytes), offered until the view changes.
_PNG_MADE = "png_made"


def _png_column(col, f: File, ok: bool, help_text: str) -> None:
    """Draw on request, then offer the file: a button that says what it waits for, and an
    error (never a silent wait) when kaleido or Chromium fails or takes over 30 s."""
    ss = st.session_state
    slot = col.empty()
    made = ss.get(_PNG_MADE)
    if made is not None and made[0] == f.file_name:
        slot.download_button(t("export.png"), made[1], file_name=f.file_name, mime=f.mime,
                             icon=":material/image:", on_click="ignore", key="dl_png",
                             width="stretch")
        return
    if not slot.button(t("export.png_make"), key="png_make", disabled=not ok,
                       help=help_text if ok else t("export.png_missing"),
                       icon=":material/image:", width="stretch"):
        return
    try:
        with st.spinner(t("export.png_making", seconds=f"{exports.PNG_TIMEOUT_S:g}"),
                        show_time=True):
            png = f.make()
    except exports.ExportError as exc:
        show_error(exc, t("ctx.export"))
        return
    ss[_PNG_MADE] = (f.file_name, png)
    slot.download_button(t("export.png"), png, file_name=f.file_name, mime=f.mime,
                         icon=":material/image:", on_click="ignore", key="dl_png",
                         width="stretch")


def render(spec: DataSpec, model: ModelSpec, raw: bytes | None, data: cache.Prepared | None,
           trace: Trace, h: int, figure: Callable[[], go.Figure] | None,
           options: be.FigureOptions) -> None:
    """Three download buttons and a PNG button for the run at half-step ``h``."""
    made = files(spec, model, raw, data, trace, h, figure, options)
    png_ok = figure is not None and png_available()
    w, ht = PNG_SIZE
    for col, (key, (label, tip, icon)) in zip(st.columns(len(_BUTTONS)), _BUTTONS.items(),
                                              strict=True):
        f = made[key]
        if key == "png":
            _png_column(col, f, png_ok, t(tip, width=w, height=ht))
            continue
        # callables, run only when clicked
        col.download_button(t(label), f.make, file_name=f.file_name, mime=f.mime,
                            help=t(tip), icon=icon, on_click="ignore", key=f"dl_{key}",
                            width="stretch")
    if not png_ok:
        st.caption(t("export.png_missing"))
    if isinstance(spec, TableSpec) and spec.origin == "upload":
        st.caption(t("export.upload_note"))
