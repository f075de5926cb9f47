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

import os
import shutil
from collections.abc import Callable
from dataclasses import asdict
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from emviz import exports
from emviz.em import Trace, e_step
from emviz.ui import backend as be
from emviz.ui import cache
from emviz.ui.i18n import t
from emviz.ui.state import DataSpec, ModelSpec, TableSpec

PNG_SIZE = (1600, 1000)
#: Chromium names kaleido looks for (besides BROWSER_PATH).
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def png_available() -> bool:
    """Whether kaleido can find a browser (checked without starting one)."""
    path = os.environ.get("BROWSER_PATH")
    return bool((path and os.path.isfile(path)) or any(shutil.which(b) for b in _BROWSERS))


def settings(spec: DataSpec, model: ModelSpec) -> dict:
    """The settings stored with exported parameters (uploads: file name and digest only)."""
    return {"model": asdict(model), "data": {"kind": type(spec).__name__, **asdict(spec)}}


def _data_frame_and_rows(spec: DataSpec, raw: bytes | None, data: cache.Prepared):
    """The table to export and which of its rows EM used, in the order of ``data.X``."""
    if isinstance(spec, TableSpec):
        tbl = cache.table(spec.origin, spec.name, spec.digest, _raw=raw)
        return tbl.frame, tbl.select(list(spec.columns)).rows
    frame = exports.synthetic_frame(data.X, data.columns, data.labels)
    return frame, np.arange(data.n_samples)


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
          trace: Trace, h: int, figure: go.Figure | None,
          options: be.FigureOptions) -> dict[str, File]:
    """The four downloads for the run at half-step ``h``: "params", "csv", "html", "png".

    Only the JSON is ready here (cached); the others are built when ``make`` is called.
    ``data`` may be None: it is then fetched (from the cache) when a file needs it.
    """
    hs = trace.half_step(h)
    name = stem(spec, model, h)
    params_text = cache.params_json(spec, model, h, settings(spec, model), _raw=raw)
    params = hs.params

    def prepared() -> cache.Prepared:
        return data if data is not None else cache.prepared(spec, _raw=raw)

    def csv_bytes() -> bytes:
        d = prepared()
        frame, rows = _data_frame_and_rows(spec, raw, d)
        return exports.labelled_csv(frame, rows, e_step(d.X, params).resp).encode("utf-8")

    def html_bytes() -> bytes:
        d = prepared()
        X_display = d.X_display
        resps = [e_step(X_display, p).resp.astype(np.float32) for p in trace.params]
        fig = be.animation_figure(X_display, trace, resps, truth=d.truth, options=options,
                                  frame_ms=cache.FRAME_MS)
        return exports.animation_html(fig, title=name)

    no_figure = t("export.no_figure")  # read now: the callables run outside the session

    def png_bytes() -> bytes:
        if figure is None:
            raise exports.ExportError(no_figure)
        return exports.figure_png(figure, *PNG_SIZE)

    return {
        "params": File(f"{name}.json", "application/json", lambda: params_text),
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


def render(spec: DataSpec, model: ModelSpec, raw: bytes | None, data: cache.Prepared | None,
           trace: Trace, h: int, figure: go.Figure | None,
           options: be.FigureOptions) -> None:
    """Four download buttons for the run at half-step ``h``."""
    made = files(spec, model, raw, data, trace, h, figure, options)
    png_ok = figure is not None and png_available()
    w, ht = PNG_SIZE
    for col, (key, (label, tip, icon)) in zip(st.columns(len(_BUTTONS)), _BUTTONS.items(),
                                              strict=True):
        f = made[key]
        disabled = key == "png" and not png_ok
        # The JSON is ready; the rest are callables, run only when clicked.
        data_arg = f.make() if key == "params" else (b"" if disabled else f.make)
        help_text = t(tip, width=w, height=ht) if key == "png" else t(tip)
        col.download_button(t(label), data_arg, file_name=f.file_name, mime=f.mime,
                            help=t("export.png_missing") if disabled else help_text,
                            icon=icon, on_click="ignore", key=f"dl_{key}",
                            disabled=disabled, width="stretch")
    if not png_ok:
        st.caption(t("export.png_missing"))
    if isinstance(spec, TableSpec) and spec.origin == "upload":
        st.caption(t("export.upload_note"))
