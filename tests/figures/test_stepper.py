"""Tests for emviz.figures.stepper: the payload the browser replays agrees with the run, position by
position, and stays small."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emviz.data.synthetic import make_mixture, make_preset
from emviz.engine.em import e_step, initialize, run_em
from emviz.errors import ParameterError
from emviz.figures import geometry as geo
from emviz.figures import mixture as F
from emviz.figures import stepper as S
from tests.stepper_view import at_h, received, to_numpy


@pytest.fixture(scope="module")
def runs():
    """A run in 1, 2 and 3 dimensions, with its payload as the browser receives it."""
    out = {}
    for d in (1, 2, 3):
        ds = make_mixture(dim=d, n_components=3, n_samples=400, seed=1)
        trace = run_em(ds.X, initialize(ds.X, 3, "random_from_data", 0), max_iter=30, tol=1e-4)
        out[d] = ds, trace, received(S.em_payload(ds.X, trace, truth=ds.params, labels=ds.labels))
    return out


@pytest.fixture(params=[1, 2, 3])
def run(request, runs):
    return runs[request.param]


# --- generic pieces -------------------------------------------------------------------------
def test_series_stores_each_value_once_in_order_of_first_use():
    made = []
    out = S.series(["a", "b", "a", "c", "b"], lambda k: made.append(k) or k.upper())
    assert out == {"values": ["A", "B", "C"], "index": [0, 1, 0, 2, 1]}
    assert made == ["a", "b", "c"]


def test_payload_bytes_carry_an_id_of_their_content():
    a = S.payload_bytes({"format": 1, "x": np.arange(3, dtype=np.float32)})
    b = S.payload_bytes({"format": 1, "x": np.arange(4, dtype=np.float32)})
    assert S.payload_id(a) != S.payload_id(b)
    assert S.payload_id(a) == S.payload_id(S.payload_bytes({"x": np.arange(3, dtype=np.float32),
                                                            "format": 1}))
    body = json.loads(a)
    assert body["id"] == S.payload_id(a)
    np.testing.assert_array_equal(to_numpy(body["x"]), [0, 1, 2])


def test_frame_header_is_one_json_line():
    head = S.frame_header("abc", 7, 3)
    assert head.endswith(b"\n") and head.count(b"\n") == 1
    assert json.loads(head) == {"id": "abc", "goto": 7, "nonce": 3, "param": None}
    assert json.loads(S.frame_header("abc"))["goto"] is None


def test_encode_turns_arrays_and_numpy_scalars_into_json():
    out = S.encode({"a": np.float64(1.5), "b": [np.int64(2)], "c": np.array([1.0, 2.0]),
                    "d": np.array(["x", "y"])})
    assert out["a"] == 1.5 and out["b"] == [2] and out["d"] == ["x", "y"]
    assert out["c"]["dtype"] == "f8"
    json.dumps(out, allow_nan=False)


# --- the EM payload: every position agrees with the trace ------------------------------------
def test_positions_are_the_half_step_timeline(run):
    _, trace, p = run
    n = trace.n_half_steps
    assert p["n"] == n and p["format"] == S.FORMAT
    assert p["kinds"] == ["init"] + ["E", "M"] * trace.n_iter
    assert p["labels"][0] == "init" and p["labels"][1] == "it 1 · E"
    series = [p["status"]["title"], p["status"]["parts"], p["status"]["caption"], p["notes"]]
    for chart in p["charts"]:
        series += chart["channels"]
        if chart["canvas"]:
            series.append(chart["canvas"]["codes"])
    for table in p["tables"]:
        series += [table["rows"], table["title"]]
    for s in series:
        assert len(s["index"]) == n
        assert max(s["index"]) < len(s["values"])


def test_geometry_follows_the_m_steps(run):
    ds, trace, p = run
    d = ds.X.shape[1]
    main = p["charts"][0]
    geometry = main["channels"][0]
    means_trace = geometry["traces"][-1]
    assert main["figure"]["data"][means_trace]["name"] == "means"
    for h in range(trace.n_half_steps):
        value = at_h(geometry, h)
        means = trace.half_step(h).params.means
        got = np.column_stack([value[-1][a] for a in "xyz"[:d]]) if d > 1 else value[-1]["x"]
        np.testing.assert_allclose(np.asarray(got).reshape(means.shape), means, rtol=1e-6)
    # an E-step leaves the geometry as it was; an M-step replaces it
    assert geometry["index"][1] == geometry["index"][0]
    assert geometry["index"][2] != geometry["index"][1]


@pytest.mark.parametrize("d", [2, 3])
def test_point_colours_follow_the_e_steps(runs, d):
    ds, trace, p = runs[d]
    main = p["charts"][0]
    colours = main["canvas"]["codes"] if d == 2 else main["channels"][1]
    grey = len(F._code_colorscale(F._make_ctx(ds.X, 3, F.FigureOptions()))[0]) - 1
    for h in range(trace.n_half_steps):
        codes = at_h(colours, h) if d == 2 else at_h(colours, h)[0]["marker.color"]
        hs = trace.half_step(h)
        if hs.resp_params is None:
            assert np.all(np.asarray(codes) == grey)
        else:
            want, _ = geo.quantized_blend(e_step(ds.X, hs.resp_params).resp)
            np.testing.assert_array_equal(codes, want)
    # an M-step keeps the colours of the E-step before it
    assert colours["index"][2] == colours["index"][1]


def test_1d_bands_are_the_responsibilities(runs):
    ds, trace, p = runs[1]
    bands = p["charts"][0]["channels"][1]
    ctx = F._make_ctx(ds.X, 3, F.FigureOptions(), F.STEPPED)
    for h in (0, 1, 2, trace.n_half_steps - 1):
        resp_params = trace.half_step(h).resp_params
        want = F._bands_1d(ctx, None if resp_params is None else e_step(ds.X, resp_params).resp)
        for got, w in zip(at_h(bands, h), want, strict=True):
            np.testing.assert_allclose(got["y"], w["y"], atol=1e-6)
    note = p["charts"][0]["channels"][2]
    assert list(at_h(note, 0).values()) == [True] and list(at_h(note, 1).values()) == [False]


def test_table_status_and_cursor_follow_every_position(run):
    _, trace, p = run
    table, loglik = p["tables"][0], p["charts"][1]
    cursor = loglik["channels"][0]
    assert cursor["kind"] == "animate"
    ll = trace.log_likelihood
    for h in range(trace.n_half_steps):
        hs = trace.half_step(h)
        want = [[str(v) for v in row]
                for row in F.params_table(hs.params, trace.covariance_type).itertuples(index=False)]
        assert at_h(table["rows"], h) == want
        assert at_h(table["title"], h).startswith(f"Parameters at half-step {h} ")
        title = at_h(p["status"]["title"], h)
        assert title.startswith(f"Iteration {hs.iteration} · ")
        parts = at_h(p["status"]["parts"], h)
        assert parts[0] == f"log-likelihood {ll[S.params_index(h)]:,.2f}"
        assert any(x.startswith("ΔLL") for x in parts) == (hs.kind == "M")
        assert any(x.startswith("ARI") for x in parts) == (h > 0)
        line, ring = at_h(cursor, h)
        assert list(line["x"]) == [h / 2, h / 2]
        assert list(ring["x"]) == [S.params_index(h)]
        assert ring["y"][0] == pytest.approx(ll[S.params_index(h)])
    assert loglik["reveal"]["upto"] == [S.params_index(h) for h in range(trace.n_half_steps)]
    assert p["end"]["level"] == {"converged": "success", "max_iter": "info"}[trace.stop_reason]


def test_hover_carries_the_parameters_that_colour_each_position(run):
    ds, trace, p = run
    hover = p["charts"][0]["hover"]
    if ds.X.shape[1] == 1:
        assert hover is None
        return
    for h in range(trace.n_half_steps):
        i = hover["index"][h]
        hs = trace.half_step(h)
        if hs.resp_params is None:
            assert i == -1
            continue
        got = hover["params"][i]
        np.testing.assert_allclose(np.reshape(got["means"], hs.resp_params.means.shape),
                                   hs.resp_params.means)
        np.testing.assert_allclose(np.reshape(got["covariances"],
                                              hs.resp_params.covariances.shape),
                                   hs.resp_params.covariances)


def test_translations_reach_every_text():
    ds = make_preset("overlapping")
    trace = run_em(ds.X, initialize(ds.X, 3, "kmeans++", 0), max_iter=5)
    text = {key: f"<{key}>" for key in S.TEXT}
    p = S.em_payload(ds.X, trace, text=text)
    assert p["text"]["step"] == "<step>" and p["text"]["predict"] == "<predict>"
    assert at_h(p["status"]["caption"], 0) == "<explain_init>"
    assert at_h(p["status"]["title"], 1) == "<iteration>"
    assert p["end"]["text"] in ("<stop_converged>", "<stop_max_iter>")


def test_the_caption_says_how_the_run_started():
    ds = make_preset("overlapping")
    trace = run_em(ds.X, initialize(ds.X, 3, "kmeans++", 4), max_iter=3)
    auto = S.em_payload(ds.X, trace, init_method="kmeans++", seed=4)
    assert "kmeans++ (seed 4)" in at_h(auto["status"]["caption"], 0)
    manual = S.em_payload(ds.X, trace, init_method="manual")
    assert at_h(manual["status"]["caption"], 0) == S.TEXT["explain_init_manual"]


def test_likelihood_notes_never_tell_the_future():
    ds = make_preset("overlapping")
    trace = run_em(ds.X, initialize(ds.X, 3, "random_from_data", 0), reg_covar=0.1,
                   max_iter=60, tol=0)
    drops = trace.decreases()
    assert drops, "reg_covar = 0.1 should make the likelihood dip on this data"
    p = S.em_payload(ds.X, trace)
    first = drops[0].iteration
    assert at_h(p["notes"], 2 * first - 2) is None  # the furthest position is before the dip
    note = at_h(p["notes"], 2 * first)
    assert note["level"] == "info" and str(first) in note["text"]


# --- size, editing, and the canvas to draw on -----------------------------------------------
def test_a_long_run_on_10k_points_fits_in_3_mb():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [4.0, 1.0], [1.5, 4.0]])
    X = centres[rng.integers(0, 3, 10_000)] + rng.normal(0, 1, (10_000, 2))
    trace = run_em(X, initialize(X, 3, "random_from_data", 0), max_iter=100, tol=0)
    assert trace.n_iter == 100
    data = S.payload_bytes(S.em_payload(X, trace))
    assert len(data) <= 3_000_000, len(data)


def test_editing_needs_every_point_drawn(monkeypatch):
    ds = make_preset("overlapping")
    trace = run_em(ds.X, initialize(ds.X, 3, "kmeans++", 0), max_iter=10, tol=0)
    edit = S.em_payload(ds.X, trace, editable=True)["charts"][0]["edit"]
    k = 3
    assert edit["ellipse_traces"] == [edit["halo_trace"] + 1 + j for j in range(k)]
    assert edit["means_trace"] == edit["halo_trace"] + 1 + k
    monkeypatch.setattr(S, "MAX_CODE_BYTES", 100 * trace.n_iter)  # room for 100 points only
    small = S.em_payload(ds.X, trace, editable=True)
    assert small["points"]["drawn"] == 100
    assert small["charts"][0]["edit"] is None
    assert S.em_payload(ds.X, trace)["charts"][0]["edit"] is None


def test_points_payload_is_an_empty_canvas_to_draw_on():
    p = received(S.points_payload(np.zeros((0, 2)), ranges=((0, 10), (0, 10)), message="add"))
    chart = p["charts"][0]
    assert p["n"] == 1 and chart["edit"] is not None and len(chart["canvas"]["x"]) == 0
    layout = chart["figure"]["layout"]
    assert layout["xaxis"]["range"] == [0, 10] and layout["yaxis"]["range"] == [0, 10]
    assert at_h(p["status"]["title"], 0) == "add"


def test_ranges_fix_the_axes():
    ds = make_preset("overlapping")
    trace = run_em(ds.X, initialize(ds.X, 3, "kmeans++", 0), max_iter=3)
    p = S.em_payload(ds.X, trace, ranges=((-20, 20), (-5, 5)))
    layout = p["charts"][0]["figure"]["layout"]
    assert layout["xaxis"]["range"] == [-20, 20] and layout["yaxis"]["range"] == [-5, 5]


def test_bad_inputs_are_typed_errors():
    ds = make_preset("overlapping")
    trace = run_em(ds.X, initialize(ds.X, 3, "kmeans++", 0), max_iter=3)
    with pytest.raises(ParameterError, match=r"shape \(n_points, 2\)"):
        S.em_payload(ds.X[:, :1], trace)
    with pytest.raises(ParameterError, match="labels should have shape"):
        S.em_payload(ds.X, trace, labels=np.zeros(3))


def test_a_collapsed_run_replays_up_to_the_collapse():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (30, 2)), np.full((10, 2), 3.0)])
    trace = run_em(X, initialize(X, 3, "random", 0, reg_covar=0.0), reg_covar=0.0, tol=0.0)
    assert trace.stop_reason == "collapsed"
    p = received(S.em_payload(X, trace, labels=np.repeat([0, 1], [30, 10])))
    assert p["n"] == trace.n_half_steps and p["end"]["level"] == "warning"
    assert f"component {trace.collapsed_component + 1} collapsed" in p["end"]["text"]
    last = at_h(p["status"]["parts"], p["n"] - 1)
    assert not any(x.startswith("ARI") for x in last)  # no responsibilities past a collapse


# --- the generic parts a lab builds a payload from --------------------------------------------
def test_assemble_builds_a_payload_any_page_can_step():
    n = 3
    fig = {"data": [{"type": "bar", "x": [0, 1], "y": [1, 2]}], "layout": {}}
    bars = S.chart("bars", fig, channels=[S.restyle([0], S.series(range(n), lambda h: [
        {"y": np.array([h, h + 1.0])}]))])
    p = S.assemble(n, kinds=["a", "b", "c"], labels=["0", "1", "2"], text=None,
                   status={"title": S.series(range(n), str), "parts": S.constant([], n),
                           "caption": S.constant("", n)},
                   charts=[bars], metrics=[S.metric("kl", "KL", S.series(range(n), str))],
                   controls=("back", "step", "play", "timeline"), step_to=None)
    got = received(p)
    assert got["controls"] == ["back", "step", "play", "timeline"] and got["step_to"] is None
    assert at_h(got["metrics"][0], 2) == "2"
    np.testing.assert_array_equal(at_h(got["charts"][0]["channels"][0], 1)[0]["y"], [1, 2])
    assert got["notes"] == {"values": [None], "index": [0, 0, 0]}


def test_assemble_refuses_a_malformed_payload():
    status = {"title": S.constant("", 2), "parts": S.constant([], 2),
              "caption": S.constant("", 2)}
    with pytest.raises(ParameterError, match="needs 2 kinds"):
        S.assemble(2, kinds=["a"], labels=["0", "1"], text=None, status=status, charts=[])
    with pytest.raises(ParameterError, match="unknown controls"):
        S.assemble(2, kinds=["a", "b"], labels=["0", "1"], text=None, status=status, charts=[],
                   controls=("fly",))


def test_2d_lines_move_without_a_redraw_and_the_legend_follows_on_pause(runs):
    _, trace, p = runs[2]
    geometry, names = p["charts"][0]["channels"][:2]
    assert geometry["kind"] == "animate" and not any(
        "name" in d for v in geometry["values"] for d in v)
    assert names["kind"] == "restyle" and names["deferred"]
    last = at_h(names, trace.n_half_steps - 1)
    w = trace.final.weights
    assert [d.get("name") for d in last if d] == [F.component_label(k, w[k]) for k in range(3)]
