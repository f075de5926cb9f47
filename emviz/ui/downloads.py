"""The Explore page's downloads: parameters (JSON), labelled data (CSV), animation (HTML), PNG.

The JSON is small and built on every run. The other three are built only when their button
is clicked (``st.download_button`` with a callable, run off the script thread), so a rerun
never pays for a 5 MB HTML page or a browser screenshot. Those callables get plain arrays
and figures captured here, never Streamlit objects.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from emviz import exports
from emviz.em import Trace, e_step
from emviz.ui import backend as be
from emviz.ui import cache, state
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


def render(spec: DataSpec, model: ModelSpec, raw: bytes | None, data: cache.Prepared,
           trace: Trace, h: int, figure: go.Figure | None,
           options: be.FigureOptions) -> None:
    """Four download buttons for the run at half-step ``h``."""
    hs = trace.half_step(h)
    pi = state.params_index(h)
    name = stem(spec, model, h)
    params_text = exports.params_json(
        hs.params, covariance_type=trace.covariance_type,
        log_likelihood=float(trace.log_likelihood[pi]), iteration=hs.iteration, half_step=h,
        kind=hs.kind, settings=settings(spec, model))
    frame, rows = _data_frame_and_rows(spec, raw, data)
    X, params = data.X, hs.params
    X_display, truth, all_params = data.X_display, data.truth, trace.params

    def csv_bytes() -> bytes:
        return exports.labelled_csv(frame, rows, e_step(X, params).resp).encode("utf-8")

    def html_bytes() -> bytes:
        resps = [e_step(X_display, p).resp.astype(np.float32) for p in all_params]
        fig = be.animation_figure(X_display, trace, resps, truth=truth, options=options,
                                  frame_ms=cache.FRAME_MS)
        return exports.animation_html(fig, title=name)

    cols = st.columns(4)
    cols[0].download_button(t("export.params"), params_text, file_name=f"{name}.json",
                            mime="application/json", help=t("export.params_help"),
                            icon=":material/data_object:", on_click="ignore",
                            key="dl_params", width="stretch")
    cols[1].download_button(t("export.csv"), csv_bytes, file_name=f"{name}.csv",
                            mime="text/csv", help=t("export.csv_help"),
                            icon=":material/table:", on_click="ignore", key="dl_csv",
                            width="stretch")
    cols[2].download_button(t("export.html"), html_bytes, file_name=f"{name}_animation.html",
                            mime="text/html", help=t("export.html_help"),
                            icon=":material/animation:", on_click="ignore", key="dl_html",
                            width="stretch")
    w, ht = PNG_SIZE
    available = figure is not None and png_available()
    cols[3].download_button(t("export.png"),
                            (lambda: exports.figure_png(figure, w, ht)) if available else b"",
                            file_name=f"{name}.png", mime="image/png",
                            help=t("export.png_help", width=w, height=ht) if available
                            else t("export.png_missing"), icon=":material/image:",
                            on_click="ignore", key="dl_png", disabled=not available,
                            width="stretch")
    if not available:
        st.caption(t("export.png_missing"))
    if isinstance(spec, TableSpec) and spec.origin == "upload":
        st.caption(t("export.upload_note"))
