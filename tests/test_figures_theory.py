"""Pure tests of emviz.figures_theory: the numbers drawn are the engine's, and they add up."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from emviz import figures_theory as ft
from emviz.coins import TOSSES_DEFAULT, parse_sets, run_coins
from emviz.data import SINGULARITY_TRAP_COLLAPSE, make_mixture, make_preset
from emviz.em import bound_terms, e_step, initialize, run_em
from emviz.remedies import REMEDIES
from emviz.vbgmm import default_prior, run_vb, vb_initialize


@pytest.fixture(scope="module")
def em_run():
    X = make_mixture(2, 3, 240, separation=2.5, shape="rotated", seed=1).X
    init = initialize(X, 3, "random_from_data", 0, "full", 0.0)
    return X, run_em(X, init, "full", 0.0, 30, 1e-8)


def _bars(fig):
    elbo, kl, lnp = fig.data[0], fig.data[1], fig.data[2]
    return np.asarray(elbo.y, float), np.asarray(kl.y, float), np.asarray(lnp.y, float)


def test_bound_at_matches_the_engine_and_direct_formulas(em_run):
    X, trace = em_run
    for h in (1, 2, 5, 6):
        p = ft.bound_at(X, trace, h)
        hs = trace.half_step(h)
        q = e_step(X, hs.resp_params).resp
        assert p.terms == bound_terms(X, hs.params, q)
        # direct formulas: Q = Σ r ln(π N), H = −Σ r ln r, KL = Σ r ln(r / posterior)
        post = e_step(X, hs.params)
        wlp = post.log_resp + post.point_log_likelihood[:, None]
        assert p.terms.expected_complete == pytest.approx(np.sum(q * wlp), rel=1e-12)
        assert p.terms.entropy == pytest.approx(-np.sum(q * np.log(q + 1e-300)), rel=1e-9)
        assert p.log_likelihood == pytest.approx(post.log_likelihood, rel=1e-12)


def test_half_steps_kl_zero_after_e_positive_after_m_and_lnp_rises(em_run):
    X, trace = em_run
    pts = ft.bound_history(X, trace, 8, window=9)
    assert pts[0].terms is None and pts[0].kind == "init"
    for prev, cur in itertools.pairwise(pts[1:]):
        if cur.kind == "E":
            assert abs(cur.terms.kl) < 1e-9 * abs(cur.log_likelihood)
            assert cur.terms.elbo == pytest.approx(cur.log_likelihood, rel=1e-12)
        else:
            assert cur.terms.kl > 0
            assert cur.log_likelihood > prev.log_likelihood
            assert cur.terms.elbo >= prev.terms.elbo  # the M-step maximises L


def test_bars_add_up_exactly_to_ln_p_from_the_engine(em_run):
    X, trace = em_run
    pts = ft.bound_history(X, trace, 7)
    fig = ft.bound_bars_figure(pts)
    elbo_h, kl_h, lnp_h = _bars(fig)
    seg = ft.bar_segments(pts)
    for i, p in enumerate(pts):
        assert seg.baseline + lnp_h[i] == pytest.approx(p.log_likelihood, abs=1e-9)
        if p.terms is None:
            continue
        # the stacked bar's top is ln p from the engine (KL computed directly, not as a gap)
        top = seg.baseline + elbo_h[i] + kl_h[i]
        assert top == pytest.approx(p.terms.log_likelihood, abs=1e-9 * abs(p.log_likelihood))
        assert kl_h[i] == p.terms.kl
        assert np.asarray(fig.data[1].base, float)[i] == elbo_h[i]
    assert seg.baseline < min(p.terms.elbo for p in pts if p.terms is not None)
    note = fig.layout.annotations[-1].text
    assert "baseline" in note and f"{seg.baseline:,.2f}" in note


def test_decomposition_waterfall_is_q_plus_h_then_kl(em_run):
    X, trace = em_run
    p = ft.bound_at(X, trace, 4)
    fig = ft.decomposition_figure(p)
    w = fig.data[0]
    q, h, _, kl, _ = w.y
    assert q + h == pytest.approx(p.terms.elbo, rel=1e-12)
    assert q + h + kl == pytest.approx(p.terms.log_likelihood, rel=1e-12)
    with pytest.raises(ValueError):
        ft.decomposition_figure(ft.bound_at(X, trace, 0))


@pytest.fixture(scope="module")
def trap():
    X = make_preset("singularity_trap").X
    k, method, seed = SINGULARITY_TRAP_COLLAPSE
    init = initialize(X, k, method, seed, "full", 0.0)
    return X, init


def test_singularity_figure_shows_det_going_to_zero_and_marks_the_collapse(trap):
    X, init = trap
    trace = REMEDIES["none"](X, init, "full", 150, 1e-6)
    assert trace.stop_reason == "collapsed"
    dets = ft.determinants(trace)
    k = trace.collapsed_component
    assert dets[-1, k] < 1e-3 * dets[0, k]
    fig = ft.singularity_figure(trace, 3)
    assert fig.layout.yaxis.type == "log"
    # The collapsed final state's det is 0 up to rounding (possibly negative): the log axis
    # shows it at the smallest positive float.
    floor = np.finfo(float).tiny
    np.testing.assert_allclose(np.asarray(fig.data[k].y, float), np.maximum(dets[:, k], floor))
    assert any("collapsed" in a.text for a in fig.layout.annotations)
    assert len(fig.layout.shapes) == 2  # the cursor in both panels


@pytest.mark.parametrize("remedy", ["reg_covar", "reseed", "map"])
def test_each_remedy_keeps_every_det_away_from_zero(trap, remedy):
    X, init = trap
    base = REMEDIES["none"](X, init, "full", 150, 1e-6)
    trace = REMEDIES[remedy](X, init, "full", 150, 1e-6)
    assert trace.stop_reason != "collapsed"
    assert ft.determinants(trace)[-1].min() > 1e-4
    fig = ft.singularity_figure(trace, None, reference=base)
    assert any(d.name == ft.DEFAULT_LABELS["baseline_run"] for d in fig.data)
    assert not any("collapsed" in a.text for a in fig.layout.annotations)


def test_infinite_log_likelihood_is_drawn_as_an_arrow():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 5.0], [5.0, 5.0]])
    from emviz.em import Params

    p = Params([0.5, 0.5], [[0.3, 0.3], [5.0, 5.0]], [np.eye(2), np.eye(2) * 0.5])
    trace = run_em(X, p, "full", 0.0, 20, 0.0)
    assert trace.stop_reason == "collapsed"
    fig = ft.singularity_figure(trace)
    if not np.isfinite(trace.log_likelihood[-1]):
        assert any(a.text == "ℓ = +∞" for a in fig.layout.annotations)


@pytest.fixture(scope="module")
def vb_runs():
    X = make_preset("well_separated").X[::2]
    out = {}
    for alpha in (0.001, 1000.0):
        prior = default_prior(X, 8, weight_concentration=alpha)
        init, resp = vb_initialize(X, 8, "kmeans++", 0, prior, 0.0)
        out[alpha] = run_vb(X, init, prior, 200, 1e-6, 0.0, init_resp=resp)
    return out


def test_vb_figures_show_the_engine_values_and_pruning(vb_runs):
    small, large = vb_runs[0.001], vb_runs[1000.0]
    assert small.active_components()[-1] < large.active_components()[-1]
    fig = ft.vb_weights_figure(small, 2, 1e-2)
    assert len(fig.data) == 8
    np.testing.assert_allclose(np.asarray(fig.data[0].y, float),
                               np.maximum(small.expected_weights[:, 0], 1e-12))
    dashed = [d.line.dash for d in fig.data]
    assert dashed.count("solid") == small.active_components()[-1]
    elbo = np.asarray(ft.vb_elbo_figure(small).data[0].y, float)
    np.testing.assert_array_equal(elbo, small.elbo)
    assert np.all(np.diff(elbo) >= -small.rounding_tolerance())


def test_surviving_params_keep_indices_and_renormalise(vb_runs):
    tr = vb_runs[0.001]
    params, kept = ft.surviving_params(tr.final.to_params(), tr.expected_weights[-1], 1e-2)
    assert params.n_components == len(kept) == tr.active_components()[-1]
    assert params.weights.sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(params.means, tr.final.means[kept])


def test_coins_table_and_charts_match_the_paper():
    h, t = parse_sets(TOSSES_DEFAULT)
    soft, hard = run_coins(h, t), run_coins(h, t, hard=True)
    df = ft.coins_table(TOSSES_DEFAULT, soft.e_steps[0])
    lab = ft.DEFAULT_LABELS
    assert df[lab["p_a"]].iloc[0] == pytest.approx(0.45, abs=0.005)
    assert df[lab["heads"]].iloc[:5].tolist() == [5, 9, 8, 4, 7]
    total = df.iloc[-1]
    assert total[lab["heads_a"]] == pytest.approx(21.3, abs=0.05)  # figure 1b
    assert total[lab["tails_a"]] == pytest.approx(8.6, abs=0.05)
    assert total[lab["heads_b"]] == pytest.approx(11.7, abs=0.05)
    assert total[lab["tails_b"]] == pytest.approx(8.4, abs=0.05)
    fig = ft.coins_theta_figure({"soft": soft, "hard": hard}, 10, (0.8, 0.45))
    ya = np.asarray(fig.data[0].y, float)
    yb = np.asarray(fig.data[1].y, float)
    assert ya[10] == pytest.approx(0.80, abs=0.005) and yb[10] == pytest.approx(0.52, abs=0.005)
    assert [d.line.dash for d in fig.data] == ["solid", "solid", "dash", "dash"]
    post = ft.coins_posterior_figure(soft.e_steps[0])
    np.testing.assert_allclose(np.asarray(post.data[0].x, float) + np.asarray(post.data[1].x,
                               float), 1.0)


def test_labels_translate_every_string():
    X = make_preset("well_separated").X[:60]
    trace = run_em(X, initialize(X, 2, "random_from_data", 0, "full", 0.0), "full", 0.0, 3)
    labels = {k: f"<{k}>" for k in ft.DEFAULT_LABELS}
    labels["baseline_note"] = "<{baseline}>"
    fig = ft.bound_bars_figure(ft.bound_history(X, trace, 2), labels=labels)
    assert fig.data[0].name == "<elbo>" and fig.layout.xaxis.title.text == "<half_step>"


# --- hiding the future ------------------------------------------------------------------------
def _xs(fig) -> list[np.ndarray]:
    out = []
    for tr in fig.data:
        x = tr.x
        if isinstance(x, dict):
            x = np.frombuffer(__import__("base64").b64decode(x["bdata"]), x["dtype"])
        out.append(np.asarray(x, dtype=float))
    return out


def test_hidden_future_draws_only_up_to_the_position_over_the_whole_run():
    from emviz.coins import CoinState

    trap = make_preset("singularity_trap", 0).X
    k, method, seed = SINGULARITY_TRAP_COLLAPSE
    trace = run_em(trap, initialize(trap, k, method, seed, "full", 0.0), "full", 0.0, 150, 1e-6)
    assert trace.stop_reason == "collapsed" and trace.n_iter > 3
    X = make_preset("well_separated", 0).X
    prior = default_prior(X, 6, weight_concentration=0.01)
    init, resp = vb_initialize(X, 6, "kmeans++", 0, prior, 0.0)
    vb = run_vb(X, init, prior, 50, 1e-6, 0.0, init_resp=resp)
    h, tl = parse_sets(TOSSES_DEFAULT)
    coins = {"soft": run_coins(h, tl, CoinState(0.6, 0.5), 10)}
    figures = {
        "singularity": lambda hide: ft.singularity_figure(trace, 2, hide_future=hide),
        "vb_elbo": lambda hide: ft.vb_elbo_figure(vb, 2, hide_future=hide),
        "vb_weights": lambda hide: ft.vb_weights_figure(vb, 2, hide_future=hide),
        "coins": lambda hide: ft.coins_theta_figure(coins, 2, (0.8, 0.45), hide_future=hide),
    }
    for name, build in figures.items():
        shown, hidden = build(False), build(True)
        assert max(x.max() for x in _xs(shown)) > 2, name  # the whole run is drawn
        assert max(x.max() for x in _xs(hidden)) == 2, name  # nothing after the position
        axis = "xaxis2" if name == "singularity" else "xaxis"
        assert hidden.layout[axis].range[1] >= max(x.max() for x in _xs(shown)), name
    # The collapse is not announced before it happens.
    def announced(fig) -> bool:
        return any("collapsed" in (a.text or "") for a in fig.layout.annotations)

    assert announced(figures["singularity"](False)) and not announced(figures["singularity"](True))
    assert announced(ft.singularity_figure(trace, trace.n_iter, hide_future=True))
