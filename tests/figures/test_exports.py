"""Exports: parameters JSON round-trip, labelled CSV row order, offline HTML, PNG."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pandas as pd
import pytest

import emviz
from emviz.engine.em import e_step, initialize, run_em
from emviz.errors import ParameterError
from emviz.figures import exports
from emviz.figures.mixture import FigureOptions, animation_figure, mixture_figure


@pytest.fixture(scope="module")
def run():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-3, 1, (60, 2)), rng.normal(3, 0.5, (40, 2))])
    trace = run_em(X, initialize(X, 2, seed=0), covariance_type="diag", max_iter=20)
    return X, trace


@pytest.mark.parametrize("cov", ["full", "tied", "diag", "spherical"])
def test_params_json_round_trips_through_the_public_api(run, cov):
    X, _ = run
    trace = run_em(X, initialize(X, 2, seed=1, covariance_type=cov), covariance_type=cov,
                   max_iter=5)
    p = trace.final
    text = exports.params_json(p, covariance_type=cov, log_likelihood=trace.log_likelihood[-1],
                               iteration=trace.n_iter, half_step=2 * trace.n_iter, kind="M",
                               settings={"model": {"K": 2, "tol": 1e-3, "seq": (1, 2)}})
    back = emviz.Params.from_dict(json.loads(text))
    np.testing.assert_array_equal(back.weights, p.weights)
    np.testing.assert_array_equal(back.means, p.means)
    np.testing.assert_array_equal(back.covariances, p.covariances)
    doc = exports.load_params_json(text)[1]
    assert doc["covariance_type"] == cov
    assert doc["iteration"] == trace.n_iter and doc["step"] == "M"
    assert doc["log_likelihood"] == pytest.approx(trace.log_likelihood[-1])
    assert doc["settings"]["model"]["seq"] == [1, 2]
    assert np.shape(doc["covariances_compact"]) == np.shape(p.compact_covariances(cov))


def test_params_json_writes_infinite_log_likelihood_as_null(run):
    p = run[1].final
    text = exports.params_json(p, covariance_type="full", log_likelihood=float("inf"),
                               iteration=1, half_step=2, kind="M",
                               settings={"reg": float("nan")})
    doc = json.loads(text)  # strict JSON: no Infinity / NaN tokens
    assert doc["log_likelihood"] is None and doc["settings"]["reg"] is None


@pytest.mark.parametrize("bad", ["", "not json", "[1, 2]", '{"weights": [1]}'])
def test_load_params_json_rejects_junk_with_a_typed_error(bad):
    with pytest.raises(ParameterError) as info:
        exports.load_params_json(bad)
    assert info.value.code in {"exports.not_json", "exports.not_object", "em.params_dict_keys"}


def test_labelled_csv_keeps_row_order_and_columns_and_blanks_dropped_rows(run):
    _, trace = run
    frame = pd.DataFrame({
        "name": ["a", "b", "c", "d", "e"],
        "x": [1.5, np.nan, -2.0, 0.1, 3.0],
        "y": [0.25, 1.0, 2.0, np.inf, 4.0],
        "em_component": ["clash"] * 5,
    })
    rows = np.array([0, 2, 4])
    X = frame[["x", "y"]].to_numpy()[rows]
    resp = e_step(X, trace.final).resp
    out = pd.read_csv(io.StringIO(exports.labelled_csv(frame, rows, resp)))
    assert list(out.columns[:4]) == ["name", "x", "y", "em_component"]  # untouched
    assert list(out.columns[4:]) == ["em_component_", "em_resp_1", "em_resp_2"]
    assert list(out["name"]) == list("abcde")
    np.testing.assert_array_equal(out["x"].to_numpy(), frame["x"].to_numpy())  # exact repr
    assert out["em_component_"].isna().tolist() == [False, True, False, True, False]
    assert list(out["em_component_"].dropna().astype(int)) == list(resp.argmax(1) + 1)
    np.testing.assert_allclose(out[["em_resp_1", "em_resp_2"]].to_numpy()[rows], resp,
                               rtol=0, atol=1e-15)
    np.testing.assert_allclose(out[["em_resp_1", "em_resp_2"]].sum(axis=1)[rows], 1.0)


def test_labelled_csv_checks_shapes():
    with pytest.raises(ParameterError) as info:
        exports.labelled_csv(pd.DataFrame({"x": [1.0]}), np.array([0, 1]), np.ones((1, 2)))
    assert info.value.code == "exports.resp_shape"
    with pytest.raises(ParameterError) as info:
        exports.labelled_csv(pd.DataFrame({"x": [1.0]}), np.array([3]), np.ones((1, 2)))
    assert info.value.code == "exports.rows_range"


def test_synthetic_frame_marks_outliers_empty():
    f = exports.synthetic_frame(np.zeros((3, 2)), ("x1", "x2"), np.array([0, -1, 1]))
    assert f["true_component"].tolist()[0] == 1 and pd.isna(f["true_component"][1])


def test_animation_html_is_self_contained(run):
    X, trace = run
    resps = [e_step(X, p).resp for p in trace.params]
    html = exports.animation_html(animation_figure(X, trace, resps)).decode()
    assert html.lower().startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert "<script src=" not in html  # nothing is loaded from the network
    assert "Plotly.newPlot" in html and "addFrames" in html  # the animation's frames
    assert len(html) > 3_000_000  # plotly.js itself is embedded


def test_file_stem_is_ascii_and_safe():
    assert exports.file_stem("../../etc", "K3", "日本") == "emviz_etc_K3"
    assert exports.file_stem() == "emviz"


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="no Chromium for kaleido")
def test_figure_png_draws_a_png_of_the_requested_size(run):
    X, trace = run
    png = exports.figure_png(mixture_figure(X, trace.final, None,
                                            options=FigureOptions(presenter=True)),
                             width=800, height=500)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (800, 500)


def test_a_png_that_takes_too_long_is_an_error_not_a_wait(monkeypatch):
    import time

    monkeypatch.setattr(exports, "_draw_png", lambda *a: time.sleep(3) or b"")
    start = time.monotonic()
    with pytest.raises(exports.ExportError, match=r"not ready after 0\.2 s"):
        exports.figure_png(None, timeout=0.2)
    assert time.monotonic() - start < 2
