"""Tests for emviz.figures.stepper_theory: every position of the three labs' payloads agrees with
the run it replays (scatter, curves, cursors, numbers, table), and the words are the run's."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emviz.data.synthetic import SINGULARITY_TRAP_COLLAPSE, make_mixture, make_preset
from emviz.engine.coins import TOSSES_DEFAULT, CoinState, parse_sets, run_coins
from emviz.engine.em import e_step, initialize, run_em
from emviz.engine.remedies import REMEDIES
from emviz.engine.vbgmm import default_prior, run_vb, vb_e_step, vb_initialize
from emviz.errors import ParameterError
from emviz.figures import geometry as geo
from emviz.figures import mixture as F
from emviz.figures import stepper as S
from emviz.figures import stepper_theory as T
from emviz.figures import theory as ft
from tests.stepper_view import at_h, chart, received, to_numpy


def all_series(p: dict) -> list[dict]:
    out = [p["status"]["title"], p["status"]["parts"], p["status"]["caption"], p["notes"]]
    out += p["metrics"]
    for c in p["charts"]:
        out += c["channels"]
        if c["canvas"]:
            out.append(c["canvas"]["codes"])
    for t in p["tables"]:
        out += [t["rows"], t["title"]]
    return out


def moves(c: dict, h: int) -> tuple[list, list]:
    """The cursor's x and the rings' (x, y) of a curve chart at position h."""
    cursor, rings = at_h(c["channels"][0], h)
    return cursor["x"], (list(rings["x"]), list(rings["y"]))


def positions_are_complete(p: dict) -> None:
    for s in all_series(p):
        assert len(s["index"]) == p["n"]
        assert max(s["index"]) < len(s["values"])


# --- singularities -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trap():
    X = make_preset("singularity_trap", 0).X
    k, method, seed = SINGULARITY_TRAP_COLLAPSE
    init = initialize(X, k, method, seed, "full", 0.0)
    runs = {r: REMEDIES[r](X, init, "full", 150, 1e-6) for r in ("none", "reseed")}
    return X, runs


@pytest.fixture(scope="module")
def collapse(trap):
    X, runs = trap
    return X, runs["none"], received(T.singularity_payload(X, runs["none"]))


def test_singularity_positions_are_the_iterations(collapse):
    _, trace, p = collapse
    n = trace.n_iter + 1
    assert p["n"] == n and p["kinds"] == ["init"] + ["iteration"] * (n - 1)
    assert p["step_to"] is None and not {"e", "m", "new_init"} & set(p["controls"])
    assert {"play", "predict", "timeline"} <= set(p["controls"])
    assert p["labels"][3] == "iteration 3" and p["text"]["half"] == "iteration {h} of {last}"
    positions_are_complete(p)


def test_singularity_scatter_follows_every_iteration(collapse):
    X, trace, p = collapse
    main = chart(p, "mixture")
    geometry = main["channels"][0]
    assert geometry["kind"] == "animate"
    means = geometry["traces"][-1]
    assert main["figure"]["data"][means]["name"] == "means"
    for i in range(p["n"]):
        xy = at_h(geometry, i)[-1]
        np.testing.assert_allclose(np.column_stack([xy["x"], xy["y"]]), trace.params[i].means,
                                   rtol=1e-6)
        # colours: the responsibilities of the state shown; the collapsed one allows no
        # E-step, so it keeps those of the iteration before
        source = i if i < p["n"] - 1 else i - 1
        codes, _ = geo.quantized_blend(e_step(X, trace.params[source]).resp)
        np.testing.assert_array_equal(at_h(main["canvas"]["codes"], i), codes)
        assert main["hover"]["index"][i] == source
    assert "keep the colours" in at_h(p["status"]["caption"], p["n"] - 1)
    assert "keep the colours" not in at_h(p["status"]["caption"], p["n"] - 2)


def test_singularity_det_and_loglik_follow_with_cursor_and_rings(collapse):
    _, trace, p = collapse
    dets = ft.determinants(trace)
    ll = np.asarray(trace.log_likelihood)
    det, loglik = chart(p, "det"), chart(p, "loglik")
    assert det["figure"]["layout"]["yaxis"]["type"] == "log"
    hi = loglik["figure"]["layout"]["yaxis"]["range"][1]
    for i in range(p["n"]):
        cursor, (rx, ry) = moves(det, i)
        assert cursor == [i, i] and rx == [i] * dets.shape[1]
        np.testing.assert_allclose(ry, np.maximum(dets[i], np.finfo(float).tiny), rtol=1e-12)
        cursor, (rx, ry) = moves(loglik, i)
        assert cursor == [i, i] and rx == [i]
        assert ry[0] == pytest.approx(ll[i]) if np.isfinite(ll[i]) else ry[0] > hi
        assert at_h(p["metrics"][0], i) == (f"{ll[i]:,.3f}" if np.isfinite(ll[i]) else "+∞")
        k = int(np.argmin(dets[i]))
        assert at_h(p["metrics"][1], i).endswith(f"(k = {k + 1})")
    # every curve can hide its future; the collapse is announced only at the end
    assert det["reveal"]["upto"] == list(range(p["n"]))
    assert det["reveal"]["annotations"] and not det["reveal"]["fixed_y"]
    assert det["reveal"]["traces"] == list(range(len(det["figure"]["data"])))
    assert det["channels"][0]["kind"] == "marks"  # the cursor and rings cost no Plotly redraw


def test_singularity_end_tells_the_collapse_or_its_prevention(trap, collapse):
    X, runs = trap
    _, trace, p = collapse
    k = trace.collapsed_component + 1
    assert p["end"]["level"] == "warning"
    assert f"component {k}" in p["end"]["text"] and "ill-posed" in p["end"]["text"]
    fixed = received(T.singularity_payload(X, runs["reseed"], baseline=runs["none"],
                                           remedy="Re-seed"))
    assert fixed["end"] == {"level": "success", "text": T.TEXT["sing_prevented"].format(
        remedy="Re-seed", it=trace.n_iter, n=runs["reseed"].n_iter)}
    loglik = chart(fixed, "loglik")
    names = [t["name"] for t in loglik["figure"]["data"]]
    assert names[:2] == [ft.DEFAULT_LABELS["baseline_run"], ft.DEFAULT_LABELS["loglik"]]
    # both runs on one iteration axis, the longer one's
    assert loglik["figure"]["layout"]["xaxis"]["range"][1] == pytest.approx(
        max(runs["reseed"].n_iter, trace.n_iter) + 0.5)


def test_singularity_speaks_the_language_it_is_given(trap):
    X, runs = trap
    text = {"sing_ll": "ℓ (ja)", "it_title": "反復 {i}", "it_half": "反復 {h} / {last}"}
    p = received(T.singularity_payload(X, runs["none"], text=text,
                                       labels={"det": "det (ja)"}))
    assert p["metrics"][0]["label"] == "ℓ (ja)" and at_h(p["status"]["title"], 2) == "反復 2"
    assert p["text"]["half"] == "反復 {h} / {last}"
    assert chart(p, "det")["figure"]["layout"]["yaxis"]["title"]["text"] == "det (ja)"


# --- variational Bayes ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def vb():
    X = make_preset("well_separated", 0).X
    prior = default_prior(X, 10, weight_concentration=0.01)
    init, resp = vb_initialize(X, 10, "kmeans++", 0, prior, 0.0)
    trace = run_vb(X, init, prior, 300, 1e-6, 0.0, init_resp=resp)
    options = F.FigureOptions(palette=ft.OKABE_ITO_TEN_HEX)
    return X, trace, received(T.vb_payload(X, trace, threshold=1e-2, options=options))


def test_vb_positions_numbers_and_end(vb):
    _, trace, p = vb
    alive = trace.active_components(1e-2)
    assert p["n"] == trace.n_iter + 1 and p["step_to"] is None
    positions_are_complete(p)
    for i in range(p["n"]):
        assert at_h(p["metrics"][0], i) == f"{alive[i]} / 10"
        assert at_h(p["metrics"][1], i) == f"{trace.elbo[i]:,.2f}"
        assert at_h(p["status"]["caption"], i).startswith(f"Drawn: the {alive[i]} components")
    assert p["end"]["level"] == "success"
    assert p["end"]["text"].startswith(f"After {trace.n_iter} iterations (converged): 3 of 10")
    assert all(at_h(p["notes"], i) is None for i in range(p["n"]))  # the ELBO never fell


def test_vb_scatter_shows_the_live_components_only(vb):
    X, trace, p = vb
    main = chart(p, "mixture")
    geometry, legend = main["channels"][0], main["channels"][1]
    assert legend["deferred"]
    mask = trace.active_mask(1e-2)
    for i in (0, 5, p["n"] - 1):
        value = at_h(geometry, i)
        for j in range(10):
            ellipse = np.asarray(value[1 + j]["x"])
            assert np.isnan(ellipse).all() != mask[i, j], (i, j)
            assert bool(at_h(legend, i)[1 + j]["showlegend"]) == mask[i, j]
        np.testing.assert_array_equal(np.isnan(value[-1]["x"]), ~mask[i])
        codes, _ = geo.quantized_blend(vb_e_step(X, trace.params[i]).resp)
        np.testing.assert_array_equal(at_h(main["canvas"]["codes"], i), codes)
    assert main["hover"] is None  # VB's responsibilities are not a Gaussian mixture's


def test_vb_scatter_and_weights_number_and_colour_components_alike(vb):
    _, trace, p = vb
    main, weights = chart(p, "mixture"), chart(p, "weights")
    data = main["figure"]["data"]
    ellipses = main["channels"][0]["traces"][1:-1]
    last = p["n"] - 1
    names = [at_h(main["channels"][1], last)[1 + j]["name"] for j in range(10)]
    for j in range(10):
        assert names[j].startswith(f"k = {j + 1} ")
        assert weights["figure"]["data"][j]["name"] == f"k = {j + 1}"
        assert data[ellipses[j]]["line"]["color"] == weights["figure"]["data"][j]["line"][
            "color"] == ft.OKABE_ITO_TEN_HEX[j]
    assert len({data[e]["line"]["color"] for e in ellipses}) == 10
    survivors = [j for j in range(10) if trace.active_mask(1e-2)[-1, j]]
    assert [names[j].split(" (")[0] for j in survivors] == [
        weights["figure"]["data"][j]["name"] for j in survivors]


def test_vb_weights_and_elbo_follow_with_cursor_rings_and_line_styles(vb):
    _, trace, p = vb
    weights, elbo = chart(p, "weights"), chart(p, "elbo")
    styles = weights["channels"][1]
    mask = trace.active_mask(1e-2)
    for i in range(p["n"]):
        cursor, (rx, ry) = moves(weights, i)
        assert cursor == [i, i]
        np.testing.assert_allclose(ry, np.maximum(trace.expected_weights[i], 1e-12))
        assert [s["line.dash"] for s in at_h(styles, i)] == [
            "solid" if m else "dot" for m in mask[i]]
        cursor, (rx, ry) = moves(elbo, i)
        assert rx == [i] and ry[0] == pytest.approx(trace.elbo[i])
    # a line style is sent only when the set of live components changes
    assert len(styles["values"]) == len({tuple(m) for m in mask})
    assert weights["figure"]["layout"]["yaxis"]["type"] == "log"


def test_vb_in_3d_hides_dead_ellipsoids():
    X = make_preset("six_clusters_3d", 0).X[::3]
    prior = default_prior(X, 8, weight_concentration=0.01)
    init, resp = vb_initialize(X, 8, "kmeans++", 0, prior, 0.0)
    trace = run_vb(X, init, prior, 100, 1e-5, 0.0, init_resp=resp)
    p = received(T.vb_payload(X, trace))
    positions_are_complete(p)
    main = chart(p, "mixture")
    last = at_h(main["channels"][0], p["n"] - 1)
    mask = trace.active_mask(1e-2)[-1]
    assert [g["visible"] for g in last[:8]] == mask.tolist()
    assert main["canvas"] is None and main["channels"][1]["traces"] == [0]


# --- the two coins -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def coins():
    h, t = parse_sets(TOSSES_DEFAULT)
    runs = {"soft": run_coins(h, t, CoinState(0.6, 0.5), 10),
            "hard": run_coins(h, t, CoinState(0.6, 0.5), 10, hard=True)}
    return runs, received(T.coins_payload(TOSSES_DEFAULT, runs, "soft", mle=(0.8, 0.45)))


def test_coins_positions_are_half_steps_with_e_and_m(coins):
    _, p = coins
    assert p["n"] == 21 and p["kinds"] == ["init"] + ["E", "M"] * 10
    assert p["step_to"] == "M" and {"e", "m", "play", "predict"} <= set(p["controls"])
    assert p["text"]["run"] == "Run 10 iterations"
    assert p["text"]["e_help"] == T.TEXT["coins_e_help"]
    positions_are_complete(p)


def test_coins_numbers_table_and_bars_follow_the_half_step(coins):
    runs, p = coins
    trace = runs["soft"]
    table = p["tables"][0]
    post = chart(p, "posterior")
    assert table["role"] == "above"
    assert table["columns"] == [ft.DEFAULT_LABELS[c] for c in T.COIN_COLUMNS]
    for h in range(p["n"]):
        state = S.params_index(h)
        assert at_h(p["metrics"][0], h) == f"{trace.thetas[state, 0]:.2f}"
        assert at_h(p["metrics"][1], h) == f"{trace.thetas[state, 1]:.2f}"
        assert at_h(p["metrics"][2], h) == f"{trace.log_likelihood[state]:.4f}"
        rows = at_h(table["rows"], h)
        bars = at_h(post["channels"][0], h)
        note = at_h(post["channels"][1], h)
        if h == 0:
            assert all(cell == "" for row in rows for cell in row[4:])
            assert not np.any(bars[0]["x"]) and list(note.values()) == [True]
            continue
        e = trace.e_steps[S.resp_index(h)]
        assert [row[4] for row in rows[:-1]] == [f"{v:.2f}" for v in e.p_a]
        assert rows[-1][6:] == [f"{e.totals[c]:.2f}" for c in
                                ("heads_a", "tails_a", "heads_b", "tails_b")]
        assert rows[-1][4] == rows[-1][5] == ""  # no P(coin | set) for the totals
        np.testing.assert_allclose(bars[0]["x"], e.p_a)
        np.testing.assert_allclose(bars[1]["x"], e.p_b)
        np.testing.assert_allclose(bars[1]["base"], e.p_a)  # B stacked on A, to 1
        assert bars[0]["text"] == [f"{v:.2f}" for v in e.p_a]
        assert bars[1]["hover"][0] == f"set 1: {e.p_b[0]:.4f}"
        assert list(note.values()) == [False]
    # the stepper draws the bars over the fixed axis; the figure keeps zero-length ones for
    # the legend and the sets
    assert post["channels"][0]["kind"] == "marks"
    assert [m["orientation"] for m in post["channels"][0]["marks"]] == ["h", "h"]
    assert post["figure"]["layout"]["xaxis"]["range"] == [0, 1]
    assert all(not np.any(t["x"]) and "text" not in t for t in post["figure"]["data"])
    first = at_h(table["rows"], 1)
    assert first[-1][:4] == ["total", "", "33", "17"] and first[-1][6] == "21.30"
    assert at_h(p["status"]["title"], 3) == "Soft EM · E-step of iteration 2"
    assert "0.7130" in at_h(p["status"]["caption"], 2)


def test_coins_theta_chart_and_end(coins):
    runs, p = coins
    theta = chart(p, "theta")
    assert theta["reveal"]["fixed_y"] and theta["reveal"]["upto"] == [
        S.params_index(h) for h in range(p["n"])]
    assert theta["figure"]["layout"]["yaxis"]["range"] == [0, 1]
    for h in range(p["n"]):
        cursor, (rx, ry) = moves(theta, h)
        assert cursor == [h / 2, h / 2] and rx == [S.params_index(h)] * 2
        np.testing.assert_allclose(ry, runs["soft"].thetas[S.params_index(h)])
    soft, hard = runs["soft"].final, runs["hard"].final
    assert f"θ_A = {soft.theta_a:.2f}, θ_B = {soft.theta_b:.2f}" in p["end"]["text"]
    assert f"θ_A = {hard.theta_a:.2f}, θ_B = {hard.theta_b:.2f}" in p["end"]["text"]
    hard_p = received(T.coins_payload(TOSSES_DEFAULT, runs, "hard"))
    assert at_h(hard_p["status"]["title"], 0).startswith("Hard EM")
    np.testing.assert_allclose(moves(chart(hard_p, "theta"), 20)[1][1], runs["hard"].thetas[10])


# --- shared pieces -------------------------------------------------------------------------------
def test_play_is_offered_only_for_runs_of_more_than_a_few_steps():
    assert "play" not in T.controls(T.PLAY_FROM - 1, half_steps=False)
    assert {"play", "speed"} <= set(T.controls(T.PLAY_FROM, half_steps=False))
    assert {"e", "m"} <= set(T.controls(20, half_steps=True))


def test_mixture_chart_in_1d_hides_components_and_checks_its_input():
    ds = make_mixture(dim=1, n_components=3, n_samples=300, seed=2)
    trace = run_em(ds.X, initialize(ds.X, 3, "random_from_data", 0), max_iter=10, tol=1e-4)
    n = trace.n_iter + 1
    shown = [np.array([True, i % 2 == 0, True]) for i in range(n)]
    main = to_numpy(json.loads(json.dumps(S.encode(T.mixture_chart(
        ds.X, trace.params, list(range(n)), [None, *range(n - 1)],
        lambda X, i: e_step(X, trace.params[i]).resp, shown=shown)))))
    geometry = main["channels"][0]
    assert [g.get("visible") for g in at_h(geometry, 1)[:3]] == [True, False, True]
    note = main["channels"][-1]  # "no responsibilities yet" only where the points are grey
    assert note["kind"] == "relayout"
    assert list(at_h(note, 0).values()) == [True] and list(at_h(note, 1).values()) == [False]
    with pytest.raises(ParameterError, match="one drawn state"):
        T.mixture_chart(ds.X, trace.params, [0, 1], [0], lambda X, i: None)
    with pytest.raises(ParameterError, match="features"):
        T.mixture_chart(np.zeros((5, 2)), trace.params, [0], [0], lambda X, i: None)


def test_every_word_has_an_english_default():
    assert all(isinstance(v, str) and v for v in T.TEXT.values())
    p = T.singularity_payload(make_preset("singularity_trap", 0).X[:60],
                              run_em(make_preset("singularity_trap", 0).X[:60],
                                     initialize(make_preset("singularity_trap", 0).X[:60], 2,
                                                "kmeans++", 0), max_iter=3))
    assert set(p["text"]) == set(S._CONTROL_WORDS)
