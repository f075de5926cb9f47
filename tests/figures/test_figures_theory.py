"""Pure tests of emviz.figures.theory: the numbers drawn are the engine's, and they add up."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from emviz.data.synthetic import SINGULARITY_TRAP_COLLAPSE, make_mixture, make_preset
from emviz.engine.coins import TOSSES_DEFAULT, parse_sets, run_coins
from emviz.engine.em import bound_terms, e_step, initialize, run_em
from emviz.engine.remedies import REMEDIES
from emviz.engine.vbgmm import default_prior, run_vb, vb_initialize
from emviz.figures import mixture as F
from emviz.figures import theory as ft
from emviz.figures.mixture import FigureOptions


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


def test_determinant_figure_shows_det_going_to_zero_and_marks_the_collapse(trap):
    X, init = trap
    trace = REMEDIES["none"](X, init, "full", 150, 1e-6)
    assert trace.stop_reason == "collapsed"
    dets = ft.determinants(trace)
    k = trace.collapsed_component
    assert dets[-1, k] < 1e-3 * dets[0, k]
    fig = ft.determinant_figure(trace)
    assert fig.layout.yaxis.type == "log"
    # The collapsed final state's det is 0 up to rounding (possibly negative): the log axis
    # shows it at the smallest positive float.
    floor = np.finfo(float).tiny
    np.testing.assert_allclose(np.asarray(fig.data[k].y, float), np.maximum(dets[:, k], floor))
    assert [d.name for d in fig.data[:4]] == [f"k = {j + 1}" for j in range(4)]
    assert any("collapsed" in a.text for a in fig.layout.annotations)
    assert fig.data[-1].name == "collapse" and list(fig.data[-1].x) == [trace.n_iter]


@pytest.mark.parametrize("remedy", ["reg_covar", "reseed", "map"])
def test_each_remedy_keeps_every_det_away_from_zero(trap, remedy):
    X, init = trap
    base = REMEDIES["none"](X, init, "full", 150, 1e-6)
    trace = REMEDIES[remedy](X, init, "full", 150, 1e-6)
    assert trace.stop_reason != "collapsed"
    assert ft.determinants(trace)[-1].min() > 1e-4
    fig = ft.singularity_loglik_figure(trace, reference=base)
    assert [d.name for d in fig.data] == [ft.DEFAULT_LABELS["baseline_run"],
                                          ft.DEFAULT_LABELS["loglik"]]
    np.testing.assert_allclose(np.asarray(fig.data[1].y, float), trace.log_likelihood)
    assert not any("collapsed" in a.text for a in ft.determinant_figure(trace).layout.annotations)


def test_infinite_log_likelihood_is_drawn_as_an_arrow():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 5.0], [5.0, 5.0]])
    from emviz.model.params import Params

    p = Params([0.5, 0.5], [[0.3, 0.3], [5.0, 5.0]], [np.eye(2), np.eye(2) * 0.5])
    trace = run_em(X, p, "full", 0.0, 20, 0.0)
    assert trace.stop_reason == "collapsed"
    fig = ft.singularity_loglik_figure(trace)
    if not np.isfinite(trace.log_likelihood[-1]):
        assert any(a.text == "ℓ = +∞" for a in fig.layout.annotations)
        assert len(fig.data[0].x) == trace.n_iter  # the infinite state is not on the line


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
    fig = ft.vb_weights_figure(small, 1e-2)
    assert len(fig.data) == 8
    assert [d.name for d in fig.data] == [f"k = {j + 1}" for j in range(8)]
    np.testing.assert_allclose(np.asarray(fig.data[0].y, float),
                               np.maximum(small.expected_weights[:, 0], 1e-12))
    dashed = [d.line.dash for d in fig.data]
    assert dashed.count("solid") == small.active_components()[-1]
    elbo = np.asarray(ft.vb_elbo_figure(small).data[0].y, float)
    np.testing.assert_array_equal(elbo, small.elbo)
    assert np.all(np.diff(elbo) >= -small.rounding_tolerance())


def test_weights_are_coloured_from_the_palette_given_ten_distinct_colours(vb_runs):
    options = FigureOptions(palette=ft.OKABE_ITO_TEN_HEX)
    X = make_preset("well_separated").X[::3]
    prior = default_prior(X, 10, weight_concentration=0.01)
    init, resp = vb_initialize(X, 10, "kmeans++", 0, prior, 0.0)
    trace = run_vb(X, init, prior, 20, 1e-6, 0.0, init_resp=resp)
    colours = [d.line.color for d in ft.vb_weights_figure(trace, 1e-2, options).data]
    assert colours == list(ft.OKABE_ITO_TEN_HEX) and len(set(colours)) == 10


# --- the ten colours: distinct for everyone -----------------------------------------------------
#: Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
CVD = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def _lab(hex_colour: str, seen_by: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a colour as seen through a simulation matrix."""
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(seen_by @ linear, 0, 1)
    f = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(f > 0.008856, np.cbrt(f), 7.787 * f + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _de2000(p: np.ndarray, q: np.ndarray) -> float:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = p, q
    cb = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(cb**7 / (cb**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    lb, cbp = (l1 + l2) / 2, (c1 + c2) / 2
    hb = h1 + h2 if c1 * c2 == 0 else ((h1 + h2) / 2 + (180 if abs(h1 - h2) > 180 else 0))
    t = (1 - 0.17 * np.cos(np.radians(hb - 30)) + 0.24 * np.cos(np.radians(2 * hb))
         + 0.32 * np.cos(np.radians(3 * hb + 6)) - 0.20 * np.cos(np.radians(4 * hb - 63)))
    rt = (-np.sin(np.radians(60 * np.exp(-(((hb - 275) / 25) ** 2))))
          * 2 * np.sqrt(cbp**7 / (cbp**7 + 25.0**7)))
    sl = 1 + 0.015 * (lb - 50) ** 2 / np.sqrt(20 + (lb - 50) ** 2)
    sc, sh = 1 + 0.045 * cbp, 1 + 0.015 * cbp * t
    return float(np.sqrt(((l2 - l1) / sl) ** 2 + ((c2 - c1) / sc) ** 2 + (d_h / sh) ** 2
                         + rt * ((c2 - c1) / sc) * (d_h / sh)))


def test_de2000_matches_the_published_test_pairs():
    # Sharma, Wu & Dalal (2005), table 1, pairs 1, 7 and 17
    assert _de2000(np.array([50, 2.6772, -79.7751]),
                   np.array([50, 0, -82.7485])) == pytest.approx(2.0425, abs=1e-4)
    assert _de2000(np.array([50, 0, 0]), np.array([50, -1, 2])) == pytest.approx(2.3669, abs=1e-4)
    assert _de2000(np.array([50, 2.5, 0]), np.array([73, 25, -18])) == pytest.approx(27.1492,
                                                                                    abs=1e-4)


@pytest.mark.parametrize("vision", list(CVD))
def test_the_ten_colours_stay_apart_for_colour_blind_readers(vision):
    seen = CVD[vision]
    colours = [_lab(c, seen) for c in ft.OKABE_ITO_TEN_HEX]
    gap = min(_de2000(p, q) for p, q in itertools.combinations(colours, 2))
    okabe_ito = min(_de2000(p, q) for p, q in itertools.combinations(colours[:8], 2))
    added = min(_de2000(colours[i], colours[j]) for i in (8, 9) for j in range(10) if i != j)
    assert gap == pytest.approx(okabe_ito)  # the two added colours take nothing away
    assert added > 15  # and each is far from every other one
    grey = _lab(F.UNASSIGNED_HEX, seen)  # nor near the grey of unassigned points
    assert min(_de2000(grey, colours[i]) for i in (8, 9)) > 15


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
    fig = ft.coins_theta_figure({"soft": soft, "hard": hard}, (0.8, 0.45))
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
