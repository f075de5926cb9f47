"""Tests for emviz.figures.stepper_labs: every position of a lab's payload agrees with the lab's run
(what the browser replays is what the run did), in 1, 2 and 3 dimensions."""

from __future__ import annotations

import string

import numpy as np
import pytest

from emviz.data.synthetic import adjusted_rand_index, make_mixture, make_preset
from emviz.engine.em import e_step, initialize, run_em
from emviz.engine.kmeans import initial_centers, kmeans_run
from emviz.errors import ParameterError
from emviz.figures import labs as FL
from emviz.figures import stepper as S
from emviz.figures import stepper_labs as SL
from emviz.figures import theory as FT
from emviz.figures.geometry import quantized_blend
from emviz.numbers import sig
from tests.stepper_view import at_h, chart, received


def every_series(p: dict) -> list[dict]:
    out = [p["status"]["title"], p["status"]["parts"], p["status"]["caption"], p["notes"],
           *p["metrics"]]
    for c in p["charts"]:
        out += c["channels"]
        if c["canvas"]:
            out.append(c["canvas"]["codes"])
    return out


# --------------------------------------------------------------------------------------
# k-means vs GMM
# --------------------------------------------------------------------------------------
def lockstep(X, k, seed=0, cov="full"):
    """Both runs from the same centres, as the lab starts them."""
    from emviz.ui.labs.kmeans_vs_gmm import gmm_start

    c0 = initial_centers(X, k, "kmeans++", seed)
    return kmeans_run(X, k, init=c0, max_iter=100), run_em(X, gmm_start(X, c0, 1e-6), cov,
                                                           1e-6, 100, 1e-4)


@pytest.fixture(scope="module")
def kmeans_runs():
    """The lab's preset in 2D, and 1D and 3D data, with their payloads as received."""
    out = {}
    for d, (name, k) in {1: ("three_peaks_1d", 3), 2: ("unequal_sizes", 3),
                         3: ("six_clusters_3d", 6)}.items():
        ds = make_preset(name, 0)
        km, gm = lockstep(ds.X, k)
        display = np.arange(0, len(ds.X), 2)  # half the points drawn: the ARI uses them all
        out[d] = ds, km, gm, display, received(SL.kmeans_gmm_payload(
            ds.X, km, gm, display=display, labels=ds.labels))
    return out


@pytest.fixture(params=[1, 2, 3])
def kmeans_run_(request, kmeans_runs):
    return kmeans_runs[request.param]


def test_kmeans_positions_are_the_iterations_of_both(kmeans_run_):
    _, km, gm, display, p = kmeans_run_
    last = max(km.n_iter, gm.n_iter)
    assert p["n"] == last + 1 and p["format"] == S.FORMAT
    assert p["kinds"] == ["init"] + ["step"] * last and p["step_to"] is None
    assert p["labels"][3] == "iteration 3"
    assert "e" not in p["controls"] and "m" not in p["controls"]
    assert "predict" not in p["controls"] and "new_init" in p["controls"]
    assert ("play" in p["controls"]) == (p["n"] > SL.PLAY_FROM)
    assert p["points"]["drawn"] == len(display)
    for s in every_series(p):
        assert len(s["index"]) == p["n"] and max(s["index"]) < len(s["values"])


def test_kmeans_side_shows_kmeans_state_at_every_position(kmeans_run_):
    ds, km, _, display, p = kmeans_run_
    d = ds.X.shape[1]
    c = chart(p, "kmeans")
    box = FL.voronoi_box([c["figure"]["layout"][a]["range"] for a in ("xaxis", "yaxis")]) \
        if d == 2 else None
    for i in range(p["n"]):
        ik = min(i, km.n_iter)
        centres = km.centers[ik]
        if d == 2:
            moved = at_h(c["channels"][0], i)
            got = np.column_stack([moved[-1]["x"], moved[-1]["y"]])
            np.testing.assert_allclose(got, centres, rtol=1e-6)
            for outline, cell in zip(moved[:-1], FL.voronoi_outlines(centres, box), strict=True):
                np.testing.assert_allclose(np.column_stack([outline["x"], outline["y"]]),
                                           cell, rtol=1e-5, atol=1e-5)
            # hard colours: the code of a one-hot colour is its component
            np.testing.assert_array_equal(at_h(c["canvas"]["codes"], i), km.labels[ik][display])
        elif d == 3:
            colours, moved = at_h(c["channels"][0], i)
            np.testing.assert_array_equal(colours["marker.color"], km.labels[ik][display])
            np.testing.assert_allclose(np.column_stack([moved[a] for a in "xyz"]), centres,
                                       rtol=1e-6)
        else:
            edges = [s["x0"] for s in at_h(c["channels"][0], i)["shapes"]]
            np.testing.assert_allclose(edges, FL.voronoi_edges_1d(centres))


def test_gmm_side_shows_em_state_and_its_responsibilities(kmeans_run_):
    ds, _, gm, display, p = kmeans_run_
    d = ds.X.shape[1]
    c = chart(p, "gmm")
    means_trace = c["channels"][0]["traces"][-1]
    assert c["figure"]["data"][means_trace]["name"] == "means"
    for i in range(p["n"]):
        params = gm.params[min(i, gm.n_iter)]
        value = at_h(c["channels"][0], i)[-1]
        got = np.column_stack([value[a] for a in "xyz"[:d]]) if d > 1 else value["x"]
        np.testing.assert_allclose(np.asarray(got).reshape(params.means.shape), params.means,
                                   rtol=1e-5, atol=1e-6)
        if d == 2:
            codes, _ = quantized_blend(e_step(ds.X[display], params).resp)
            np.testing.assert_array_equal(at_h(c["canvas"]["codes"], i), codes)
            assert c["hover"]["index"][i] == min(i, gm.n_iter)


def test_each_sides_ari_follows_the_position(kmeans_run_):
    ds, km, gm, _, p = kmeans_run_
    km_ari, em_ari = p["metrics"]
    keep = ds.labels >= 0
    for i in range(p["n"]):
        ik, ig = min(i, km.n_iter), min(i, gm.n_iter)
        expected_km = adjusted_rand_index(ds.labels[keep], km.labels[ik][keep])
        found = e_step(ds.X, gm.params[ig]).resp.argmax(axis=1)
        expected_em = adjusted_rand_index(ds.labels[keep], found[keep])
        assert at_h(km_ari, i) == f"{expected_km:.3f}"
        assert at_h(em_ari, i) == f"{expected_em:.3f}"


def test_the_status_says_which_run_is_still_moving(kmeans_runs):
    _, km, gm, _, p = kmeans_runs[2]
    assert km.n_iter < gm.n_iter  # the preset's point: k-means stops first, and wrong
    title = p["status"]["title"]
    assert at_h(title, 0) == "k-means and EM are both still moving"
    assert at_h(title, km.n_iter) == (f"k-means converged after {km.n_iter} iterations; "
                                      "EM is still moving")
    assert at_h(title, p["n"] - 1) == (f"k-means converged after {km.n_iter} iterations; "
                                       f"EM converged after {gm.n_iter} iterations")
    assert float(at_h(p["metrics"][1], p["n"] - 1)) > 0.9 > float(at_h(p["metrics"][0],
                                                                       p["n"] - 1))


def test_kmeans_payload_without_labels_has_no_ari_and_translates():
    ds = make_preset("unequal_sizes", 0)
    km, gm = lockstep(ds.X, 3)
    words = {"position": "反復 {i}", "both_moving": "動いています", "km_title": "k-means 側"}
    p = SL.kmeans_gmm_payload(ds.X, km, gm, text=words, new_init=False)
    assert p["metrics"] == [] and "new_init" not in p["controls"]
    assert p["labels"][2] == "反復 2" and at_h(p["status"]["title"], 0) == "動いています"
    assert chart(p, "kmeans")["figure"]["layout"]["title"]["text"] == "k-means 側"


def test_kmeans_payload_checks_that_the_runs_match():
    ds = make_preset("unequal_sizes", 0)
    km, _ = lockstep(ds.X, 3)
    _, gm4 = lockstep(ds.X, 4)
    with pytest.raises(ParameterError, match="share 3 components"):
        SL.kmeans_gmm_payload(ds.X, km, gm4)
    km3, gm3 = lockstep(ds.X, 3)
    with pytest.raises(ParameterError):
        SL.kmeans_gmm_payload(ds.X[:, :1], km3, gm3)
    with pytest.raises(ParameterError):
        SL.kmeans_gmm_payload(ds.X, km3, gm3, labels=ds.labels[:10])


# --------------------------------------------------------------------------------------
# The lower bound
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def elbo_run():
    X = make_mixture(2, 3, 300, separation=2.5, shape="rotated", seed=1).X
    trace = run_em(X, initialize(X, 3, "random_from_data", 0, "full", 0.0), "full", 0.0, 40,
                   1e-8)
    formulas = {"E": "<b>E</b>", "M": "<b>M</b>"}
    return X, trace, received(SL.elbo_payload(X, trace, formulas=formulas))


def test_bound_points_are_bound_at_every_half_step(elbo_run):
    X, trace, _ = elbo_run
    points = SL.bound_points(X, trace)
    assert len(points) == trace.n_half_steps
    for h in (0, 1, 2, 7, 8, trace.n_half_steps - 1):
        assert points[h] == FT.bound_at(X, trace, h)


def test_elbo_positions_are_the_half_steps(elbo_run):
    _, trace, p = elbo_run
    n = trace.n_half_steps
    assert p["n"] == n and p["kinds"] == ["init"] + ["E", "M"] * trace.n_iter
    assert p["step_to"] == "M" and {"e", "m", "play"} <= set(p["controls"])
    assert "new_init" not in p["controls"] and "predict" not in p["controls"]
    assert [c["id"] for c in p["charts"]] == ["bound", "mixture"]
    assert [c["role"] for c in p["charts"]] == ["main", "side"]
    for s in every_series(p):
        assert len(s["index"]) == n and max(s["index"]) < len(s["values"])
    assert at_h(p["formula"], 0) is None and at_h(p["formula"], 1) == "<b>E</b>"
    assert p["end"]["text"].startswith("Converged") or "max_iter" in p["end"]["text"]


def test_the_five_numbers_are_the_engines_at_every_half_step(elbo_run):
    X, trace, p = elbo_run
    m = {metric["id"]: metric for metric in p["metrics"]}
    assert [metric["label"] for metric in p["metrics"]] == [
        "ln p(X|θ)", "L(q, θ)", "KL(q ‖ p)", "Q(θ, θ_old)", "H(q)"]
    assert at_h(m["lnp"], 0) == f"{trace.log_likelihood[0]:,.3f}" and at_h(m["kl"], 0) == "—"
    for h in range(1, trace.n_half_steps):
        t = FT.bound_at(X, trace, h).terms
        assert at_h(m["lnp"], h) == f"{t.log_likelihood:,.3f}"
        assert at_h(m["elbo"], h) == f"{t.elbo:,.3f}"
        assert at_h(m["q"], h) == f"{t.expected_complete:,.3f}"
        assert at_h(m["entropy"], h) == f"{t.entropy:,.3f}"
        kl = at_h(m["kl"], h)
        assert kl == "0" if h % 2 else kl == sig(t.kl)  # KL = 0 after every E-step


def test_the_bars_and_the_waterfall_are_the_figure_of_each_half_step(elbo_run):
    X, trace, p = elbo_run
    bound = chart(p, "bound")
    # one channel: a step changes nothing Plotly draws (no relayout, no restyle)
    (marks,) = bound["channels"]
    assert marks["kind"] == "marks"
    assert [m["type"] for m in marks["marks"]] == [
        "axis", "axis", "axis", "label", "label", "bars", "bars", "ticks", "bars", "line"]
    # the figure keeps its traces for the legend, with nothing drawn
    assert [t["name"] for t in bound["figure"]["data"][:3]] == [
        m["name"] for m in marks["marks"][5:8]]
    assert all(t["y"] in ([None], []) for t in bound["figure"]["data"])
    points = [FT.bound_at(X, trace, h) for h in range(trace.n_half_steps)]
    for h in (0, 1, 2, 5, 12, trace.n_half_steps - 1):
        window = points[max(0, h - SL.BAR_WINDOW + 1):h + 1]
        fig = FT.bound_figure(window)
        seg = FT.bar_segments(window)
        value = at_h(marks, h)
        frame = value["frame"]
        xticks, yticks, y2ticks, note, no_q, elbo, kl, lnp, waterfall, connectors = (
            value["marks"])
        assert xticks["text"] == list(fig.data[0].x)  # the half-steps' names, in order
        assert list(xticks["x"]) == list(elbo["x"]) == list(range(len(window)))
        assert frame["x"] == [-0.5, len(window) - 0.5]  # as wide as Plotly's categories
        assert yticks == y2ticks == {}  # Plotly's automatic ticks, drawn by the stepper
        np.testing.assert_allclose(elbo["y"], seg.elbo_height)
        np.testing.assert_allclose(kl["y"], seg.kl_height)
        np.testing.assert_allclose(kl["base"], seg.elbo_height)  # KL stacked on L
        np.testing.assert_allclose(lnp["y"], seg.lnp_height)
        assert kl["text"] == list(fig.data[1].text)
        assert elbo["outline"] == list(fig.data[0].marker.line.width)
        top = np.nanmax(seg.lnp_height)
        assert frame["y"][0] == 0 and top < frame["y"][1] < 1.2 * top
        assert frame["y2"] == list(fig.layout.yaxis2.range)
        assert note["text"] == fig.layout.annotations[0].text == (
            f"Bars start at a baseline of {seg.baseline:,.2f} nats (just below the lowest L "
            "shown), <br>so small changes stay visible: height = value − baseline, and "
            "L + KL = ln p exactly.")
        assert no_q["text"] == ("no q yet" if h == 0 else "")  # beside the empty waterfall
        if h == 0:
            assert len(waterfall["y"]) == len(connectors["x"]) == 0
            continue
        t = points[h].terms
        # Q, then H on top of it (= L), L, KL on top of L (= ln p), ln p
        np.testing.assert_allclose(waterfall["y"], [t.expected_complete, t.entropy, t.elbo,
                                                    t.kl, t.log_likelihood])
        np.testing.assert_allclose(waterfall["base"], [0, t.expected_complete, 0, t.elbo, 0])
        assert waterfall["text"] == list(fig.data[3].text)


def test_the_bound_chart_keeps_plotly_axes_fixed_and_the_marks_draw_them(elbo_run):
    _, _, p = elbo_run
    bound = chart(p, "bound")
    layout = bound["figure"]["layout"]
    styles = {m["name"]: m for m in bound["channels"][0]["marks"]}
    assert "annotations" not in layout  # the notes are marks
    for name in ("xaxis", "yaxis", "yaxis2"):  # framed: fixed, no ticks, no title of its own
        axis = layout[name]
        assert axis["range"] == [0.0, 1.0] and axis["autorange"] is False
        assert axis["tickmode"] == "array" and axis["tickvals"] == []
        assert axis["title"]["text"] == "" and axis["zeroline"] is False
        assert styles[name]["type"] == "axis" and styles[name]["titlefont"] == {"size": 15}
    assert [styles[n]["title"] for n in ("xaxis", "yaxis", "yaxis2")] == [
        "half-step", "nats above the baseline", "nats"]
    assert [styles[n]["axes"] for n in ("xaxis", "yaxis", "yaxis2")] == [
        ["x", "y"], ["x", "y"], ["x2", "y2"]]
    assert layout["xaxis2"]["ticktext"] == ["Q", "H(q)", "L(q, θ)", "KL", "ln p"]
    note, no_q = styles["baseline note"], styles["no q"]
    assert (note["ref"], note["x"], note["y"], note["xanchor"], note["yanchor"]) == (
        "paper", 0, 1.02, "left", "bottom")
    assert (no_q["ref"], no_q["axes"], no_q["xanchor"], no_q["yanchor"]) == (
        "domain", ["x2", "y2"], "center", "middle")


@pytest.mark.parametrize(("values", "expected"), [
    ([3.0, 1.0, 2.0], [0.0, 3.36]),  # bars: from 0 to the tallest, with room over it
    ([-1892.4, 111.81, -1780.58, 0.0, -1780.58], [-2119.488, 125.2272]),  # the waterfall
    ([-5.0, -2.0], [-5.6, 0.0]),  # all negative: the axis still reaches 0
    ([2.0, 2.0, 2.0], [0.0, 2.24]),  # all equal
    ([0.0, 0.0], [0.0, 1.0]),  # nothing but zeros: an axis of nothing keeps a scale
    ([np.nan, 4.0, np.inf], [0.0, 4.48]),  # a state without a bound is left out
    ([np.nan, np.nan], [0.0, 1.0]),
    ([], [0.0, 1.0]),
])
def test_value_range_shows_every_value_and_zero_with_room(values, expected):
    lo, hi = SL.value_range(values)
    np.testing.assert_allclose([lo, hi], expected)
    assert lo < hi and all(np.isfinite([lo, hi]))


def test_value_range_is_the_waterfall_axis_of_the_figure(elbo_run):
    X, trace, _ = elbo_run
    for h in (1, 2, 9):
        t = FT.bound_at(X, trace, h).terms
        fig = FT.decomposition_figure(FT.bound_at(X, trace, h))
        assert SL.value_range([t.expected_complete, t.entropy, t.elbo, t.kl,
                               t.log_likelihood]) == list(fig.layout.yaxis.range)


def test_the_scatter_follows_the_half_steps_as_on_explore(elbo_run):
    X, trace, p = elbo_run
    mix = chart(p, "mixture")
    for h in range(trace.n_half_steps):
        hs = trace.half_step(h)
        means = at_h(mix["channels"][0], h)[-1]
        np.testing.assert_allclose(np.column_stack([means["x"], means["y"]]), hs.params.means,
                                   rtol=1e-5, atol=1e-6)
        codes = at_h(mix["canvas"]["codes"], h)
        if hs.resp_params is None:
            assert (codes == codes[0]).all() and codes[0] == len(mix["canvas"]["colors"]) - 1
        else:
            np.testing.assert_array_equal(codes, quantized_blend(e_step(X, hs.resp_params)
                                                                 .resp)[0])


def test_the_captions_explain_each_half_step(elbo_run):
    _, trace, p = elbo_run
    caption, title = p["status"]["caption"], p["status"]["title"]
    assert at_h(title, 0) == "Start (iteration 0)" and at_h(title, 3) == "E-step of iteration 2"
    assert at_h(caption, 0).startswith("Start: ln p(X|θ) = ")
    assert at_h(caption, 1).startswith("After the E-step") and "(here " in at_h(caption, 1)
    assert at_h(caption, 2).startswith("After the M-step θ maximises")
    assert f"{trace.log_likelihood[1] - trace.log_likelihood[0]:+.4g}"[:4] in at_h(caption, 2)


def test_a_collapsed_run_shows_the_last_bound_it_had():
    ds = make_preset("singularity_trap", 0)
    trace = run_em(ds.X, initialize(ds.X, 5, "random_from_data", 2, "full", 0.0), "full", 0.0,
                   200, 1e-6)
    assert trace.stop_reason == "collapsed" and not np.isfinite(trace.log_likelihood[-1])
    p = received(SL.elbo_payload(ds.X, trace))
    last = p["n"] - 1
    assert SL.bound_points(ds.X, trace)[last].terms is None
    assert at_h(p["status"]["caption"], last).startswith("This run stopped because component")
    m = {metric["id"]: metric for metric in p["metrics"]}
    assert at_h(m["lnp"], last) == "+∞" and at_h(m["elbo"], last) == "—"
    marks = chart(p, "bound")["channels"][0]
    assert marks["index"][last] == marks["index"][last - 1]  # the bars before the collapse
    assert all(np.isfinite(at_h(marks, last)["frame"]["y"]))
    assert p["end"]["level"] == "warning"


def test_elbo_payload_in_1d_and_3d_and_a_wrong_x():
    for name, k in (("three_peaks_1d", 3), ("six_clusters_3d", 6)):
        ds = make_preset(name, 0)
        trace = run_em(ds.X, initialize(ds.X, k, "random_from_data", 0, "full", 0.0), "full",
                       0.0, 15, 1e-6)
        p = received(SL.elbo_payload(ds.X, trace, display=np.arange(0, len(ds.X), 3)))
        mix = chart(p, "mixture")
        assert mix["canvas"] is None and len(mix["channels"]) >= 2
        with pytest.raises(ParameterError):
            SL.elbo_payload(ds.X[:, :1] if ds.X.shape[1] > 1 else np.c_[ds.X, ds.X], trace)


def test_bound_figure_has_the_same_traces_at_the_start_and_later(elbo_run):
    X, trace, _ = elbo_run
    start = FT.bound_figure([FT.bound_at(X, trace, 0)])
    later = FT.bound_figure(FT.bound_history(X, trace, 4))
    assert [t.type for t in start.data] == [t.type for t in later.data] == [
        "bar", "bar", "scatter", "waterfall"]
    assert start.data[3].visible is False and later.data[3].visible is True
    assert start.layout.annotations[-1].visible is True
    assert later.layout.annotations[-1].visible is False
    assert later.data[3].xaxis == "x2" and later.layout.xaxis2.domain[0] == FT.WATERFALL_FROM


# --------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------
def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize(("module", "defaults"), [("kmeans_vs_gmm", SL.KMEANS_TEXT),
                                                  ("elbo", SL.ELBO_TEXT)])
def test_every_lab_word_is_in_the_catalog_in_every_language(module, defaults):
    import importlib

    from emviz.ui.i18n import catalog

    words = importlib.import_module(f"emviz.ui.labs.{module}").WORDS
    assert set(words) == set(defaults)
    for key, catalog_key in words.items():
        entry = catalog()[catalog_key]
        assert entry["en"] == defaults[key], (key, catalog_key)
        for lang in ("ja", "ru"):
            assert _fields(entry[lang]) == _fields(entry["en"]), (catalog_key, lang)
