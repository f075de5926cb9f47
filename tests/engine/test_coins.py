"""Tests for emviz.engine.coins: the two-coins example of Do & Batzoglou (2008), number for
number."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from emviz.engine.coins import (
    LABELS_DEFAULT,
    TOSSES_DEFAULT,
    CoinState,
    coin_e_step,
    coin_m_step,
    complete_data_mle,
    hard_e_step,
    parse_sets,
    run_coins,
)
from emviz.errors import DataError, ParameterError


@pytest.fixture
def counts():
    return parse_sets(TOSSES_DEFAULT)


# --- Parsing ------------------------------------------------------------------------------------
def test_parse_default_sets(counts):
    heads, tails = counts
    np.testing.assert_array_equal(heads, [5, 9, 8, 4, 7])
    np.testing.assert_array_equal(tails, [5, 1, 2, 6, 3])


def test_parse_is_case_and_space_insensitive():
    heads, tails = parse_sets(["h t T h", "HHH"])
    np.testing.assert_array_equal(heads, [2, 3])
    np.testing.assert_array_equal(tails, [2, 0])


@pytest.mark.parametrize(
    ("sets", "match"),
    [
        (["HTX"], r"Set 1 should contain only H and T, but got 'HTX' \(unexpected 'X'\)"),
        (["HT", "  "], r"Set 2 should contain at least one toss"),
        ([], r"at least one set"),
        ("HTTH", r"a list of strings"),
        (["HT", 3], r"Set 2 should be a string"),
    ],
)
def test_parse_rejects_bad_input(sets, match):
    with pytest.raises(DataError, match=match):
        parse_sets(sets)


# --- The paper's numbers -------------------------------------------------------------------------
def test_complete_data_mle_matches_figure_1a(counts):
    state = complete_data_mle(*counts, LABELS_DEFAULT)
    assert state.theta_a == pytest.approx(24 / 30)
    assert state.theta_b == pytest.approx(9 / 20)


def test_first_e_step_matches_figure_1b(counts):
    e = coin_e_step(*counts, CoinState(0.6, 0.5))
    assert round(e.p_a[0], 2) == 0.45
    np.testing.assert_allclose(e.p_a + e.p_b, 1.0)
    # Set 1 row of the figure's table: ≈ 2.2 H, 2.2 T for A and 2.8 H, 2.8 T for B.
    assert [round(float(v[0]), 1) for v in (e.heads_a, e.tails_a, e.heads_b, e.tails_b)] == [
        2.2,
        2.2,
        2.8,
        2.8,
    ]
    totals = {k: round(v, 1) for k, v in e.totals.items()}
    assert totals == {"heads_a": 21.3, "tails_a": 8.6, "heads_b": 11.7, "tails_b": 8.4}
    first = coin_m_step(e)
    assert (round(first.theta_a, 2), round(first.theta_b, 2)) == (0.71, 0.58)


def test_ten_iterations_reach_published_estimates(counts):
    trace = run_coins(*counts)
    assert trace.n_iter == 10
    assert (round(trace.final.theta_a, 2), round(trace.final.theta_b, 2)) == (0.80, 0.52)


def test_e_step_against_binomial_pmf(counts):
    heads, tails = counts
    state = CoinState(0.3, 0.85)
    e = coin_e_step(heads, tails, state, prior_a=0.3)
    n = heads + tails
    la = 0.3 * binom.pmf(heads, n, state.theta_a)
    lb = 0.7 * binom.pmf(heads, n, state.theta_b)
    np.testing.assert_allclose(e.p_a, la / (la + lb), rtol=1e-12)
    # Ordered sequences: the binomial coefficient is not part of the likelihood.
    from scipy.special import comb

    expected_ll = np.sum(np.log((la + lb) / comb(n, heads)))
    assert e.log_likelihood == pytest.approx(expected_ll, rel=1e-12)


def test_e_step_is_stable_for_long_sets():
    heads, tails = np.array([4000, 100]), np.array([6000, 9900])
    e = coin_e_step(heads, tails, CoinState(0.4, 0.01))
    assert np.all(np.isfinite(e.p_a)) and np.isfinite(e.log_likelihood)
    np.testing.assert_allclose(e.p_a, [1.0, 0.0], atol=1e-300)


# --- Invariants ----------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(
    sets=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=8)
    .map(lambda xs: [(h, t) for h, t in xs if h + t > 0])
    .filter(bool),
    theta_a=st.floats(0.01, 0.99),
    theta_b=st.floats(0.01, 0.99),
)
def test_soft_em_never_decreases_log_likelihood(sets, theta_a, theta_b):
    heads, tails = np.array(sets).T
    trace = run_coins(heads, tails, CoinState(theta_a, theta_b), n_iter=15)
    scale = max(1.0, float(np.abs(trace.log_likelihood).max()))
    assert np.all(np.diff(trace.log_likelihood) >= -1e-12 * scale)


def test_hard_em_converges_to_complete_data_fixed_point(counts):
    # What hard EM actually does here: the first hard E-step already finds the true labels
    # (B, A, A, B, A), so one M-step lands on the complete-data MLE (0.80, 0.45) and stays.
    # Soft EM goes on to a different fixed point, with a higher observed-data likelihood.
    trace = run_coins(*counts, hard=True)
    np.testing.assert_array_equal(trace.e_steps[0].p_a, [0, 1, 1, 0, 1])
    np.testing.assert_allclose(trace.thetas[1:], [[0.8, 0.45]] * 10, rtol=1e-12)
    assert np.all(np.diff(trace.complete_log_likelihood) >= -1e-12)
    soft = run_coins(*counts, n_iter=200)
    assert soft.final.theta_b == pytest.approx(0.5196, abs=1e-4)
    assert soft.log_likelihood[-1] > trace.log_likelihood[-1]


def test_hard_e_step_ties_go_to_a():
    e = hard_e_step([3, 2], [3, 2], CoinState(0.5, 0.5))
    np.testing.assert_array_equal(e.p_a, [1, 1])
    np.testing.assert_array_equal(e.p_b, [0, 0])


def test_m_step_keeps_theta_of_a_coin_with_no_tosses():
    e = hard_e_step([9, 8], [1, 2], CoinState(0.9, 0.1))
    assert coin_m_step(e) == CoinState(17 / 20, 0.1)


def test_steps_do_not_mutate_inputs(counts):
    heads, tails = counts
    h0, t0 = heads.copy(), tails.copy()
    run_coins(heads, tails, n_iter=3)
    np.testing.assert_array_equal(heads, h0)
    np.testing.assert_array_equal(tails, t0)


# --- Errors --------------------------------------------------------------------------------------
def test_bad_states_and_labels(counts):
    with pytest.raises(ParameterError, match=r"theta_a should be a probability in \[0, 1\]"):
        CoinState(1.2, 0.5)
    with pytest.raises(ParameterError, match="impossible under both coins"):
        coin_e_step(*counts, CoinState(1.0, 1.0))
    with pytest.raises(ParameterError, match="prior_a"):
        coin_e_step(*counts, CoinState(0.6, 0.5), prior_a=1.0)
    with pytest.raises(DataError, match="'A' or 'B', but got 'C'"):
        complete_data_mle(*counts, ["A", "B", "C", "A", "B"])
    with pytest.raises(DataError, match="no set is labelled B"):
        complete_data_mle(*counts, ["A"] * 5)
    with pytest.raises(DataError, match="one entry per set"):
        complete_data_mle(*counts, ["A", "B"])
