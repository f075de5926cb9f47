"""Tests of emviz.engine.remedies: each remedy prevents the collapse that plain EM falls into."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import invgamma, invwishart, multivariate_normal

from emviz import COVARIANCE_TYPES, ParameterError, Params, e_step, initialize, run_em
from emviz.engine.remedies import (
    REMEDIES,
    REMEDY_DESCRIPTIONS,
    MapPrior,
    log_posterior,
    log_prior,
    m_step_map,
    map_prior,
    run_em_map,
    run_em_reseed,
)
from emviz.errors import DataError


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------
def trap() -> tuple[np.ndarray, Params, str]:
    """Trap data and a start from which plain EM with reg_covar = 0 collapses."""
    try:
        from emviz.data.synthetic import SINGULARITY_TRAP_COLLAPSE, make_preset
    except ImportError:
        rng = np.random.default_rng(0)
        X = np.vstack([rng.normal(size=(60, 2)), np.repeat([[4.0, 4.0]], 15, axis=0)])
        # A component on the duplicated point with a small covariance (as in test_em.py).
        init = Params([0.5, 0.5], [[0.0, 0.0], [4.0, 4.0]], [np.eye(2), np.eye(2) * 1e-3])
        return X, init, "hand-made"
    X = make_preset("singularity_trap").X
    k, method, seed = SINGULARITY_TRAP_COLLAPSE
    return X, initialize(X, k, method, seed, "full", reg_covar=0.0), "preset"


def min_eigenvalues(params: Params) -> np.ndarray:
    return np.linalg.eigvalsh(params.covariances)[:, 0]


def expected_complete(X: np.ndarray, resp: np.ndarray, params: Params) -> float:
    """Q(θ) = Σ_n Σ_k r_nk [ln π_k + ln N(x_n; μ_k, Σ_k)], computed with SciPy."""
    total = 0.0
    for k in range(params.n_components):
        logpdf = multivariate_normal(params.means[k], params.covariances[k]).logpdf(X)
        total += float(np.sum(resp[:, k] * (np.log(params.weights[k]) + logpdf)))
    return total


# --------------------------------------------------------------------------------------
# The trap and the three remedies
# --------------------------------------------------------------------------------------
def test_plain_em_collapses_on_the_trap():
    X, init, _ = trap()
    tr = REMEDIES["none"](X, init, "full", 100, 1e-6)
    assert tr.stop_reason == "collapsed"
    # The collapsing component's variance fell by orders of magnitude before EM was stopped
    # (the step after this one was singular, or below run_em's threshold).
    c = tr.collapsed_component
    shrinking = [min_eigenvalues(p)[c] for p in tr.params[-4:]]
    assert np.all(np.diff(shrinking) < 0)
    assert shrinking[-1] < 1e-4 * X.var(axis=0).mean()
    assert np.all(np.diff(tr.log_likelihood[-4:]) > 0)  # the likelihood shoots up


@pytest.mark.parametrize("name", ["reg_covar", "reseed", "map"])
def test_each_remedy_prevents_the_collapse(name):
    X, init, _ = trap()
    v = X.var(axis=0).mean()
    tr = REMEDIES[name](X, init, "full", 100, 1e-6)
    assert tr.stop_reason in ("converged", "max_iter")
    for p in tr.params:  # every state positive definite, no variance near 0
        assert np.all(np.linalg.eigvalsh(p.covariances) > 0)
        assert min_eigenvalues(p).min() > 1e-6 * v
    assert min_eigenvalues(tr.final).min() > 1e-4 * v
    dets = np.linalg.det(tr.final.covariances)
    assert dets.min() > (1e-4 * v) ** X.shape[1]
    assert np.all(np.isfinite(tr.log_likelihood))
    assert name in REMEDY_DESCRIPTIONS


def test_reseed_records_events_and_marks_them_in_the_slack():
    X, init, _ = trap()
    tr = run_em_reseed(X, init, "full", reg_covar=0.0, max_iter=100, tol=1e-6, seed=0)
    events = [n for n in tr.notes if "re-seeded" in n]
    assert events, "the trap should trigger at least one re-seed"
    assert "component" in events[0] and "data point" in events[0]
    assert np.isinf(tr.reg_slack).sum() == len(events)
    assert all(d.explained for d in tr.decreases())
    # Deterministic per seed.
    again = run_em_reseed(X, init, "full", reg_covar=0.0, max_iter=100, tol=1e-6, seed=0)
    assert again.notes == tr.notes
    np.testing.assert_array_equal(again.log_likelihood, tr.log_likelihood)


def test_reseed_takes_weight_proportionally():
    X, init, _ = trap()
    tr = run_em_reseed(X, init, "full", max_iter=100, tol=1e-6)
    i = int(np.flatnonzero(np.isinf(tr.reg_slack))[0])
    k = init.n_components
    assert np.any(np.isclose(tr.params[i].weights, 1 / (2 * k)))
    assert tr.params[i].weights.sum() == pytest.approx(1.0)


def test_reseed_rejects_degenerate_data():
    X = np.column_stack([np.arange(20.0), np.ones(20)])
    init = initialize(X + np.random.default_rng(0).normal(size=X.shape), 2)
    with pytest.raises(DataError, match="line or plane"):
        run_em_reseed(X, init)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_map_does_not_collapse_for_any_covariance_type(covariance_type):
    X, init, _ = trap()
    tr = run_em_map(X, init, covariance_type, max_iter=60, tol=1e-6)
    assert tr.stop_reason in ("converged", "max_iter")
    assert min_eigenvalues(tr.final).min() > 1e-4 * X.var(axis=0).mean()
    assert "Fraley & Raftery" in tr.notes[0]


# --------------------------------------------------------------------------------------
# The MAP M-step
# --------------------------------------------------------------------------------------
def test_log_prior_matches_scipy():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 3))
    prior = map_prior(X, 2)
    resp = rng.dirichlet([1, 1], size=50)
    p = m_step_map(X, resp, "full", prior=prior)
    expected = sum(
        invwishart(df=prior.dof, scale=prior.scale).logpdf(p.covariances[k])
        + multivariate_normal(prior.mean, p.covariances[k] / prior.shrinkage).logpdf(p.means[k])
        for k in range(2)
    )
    assert log_prior(p, prior, "full") == pytest.approx(expected, rel=1e-10)

    q = m_step_map(X, resp, "diag", prior=prior)
    var = np.diagonal(q.covariances, axis1=1, axis2=2)
    expected = np.sum(invgamma(a=prior.dof / 2, scale=np.diag(prior.scale) / 2).logpdf(var))
    expected += sum(multivariate_normal(prior.mean, q.covariances[k] / prior.shrinkage)
                    .logpdf(q.means[k]) for k in range(2))
    assert log_prior(q, prior, "diag") == pytest.approx(expected, rel=1e-10)

    s = m_step_map(X, resp, "spherical", prior=prior)
    var = s.covariances[:, 0, 0]
    rate = np.trace(prior.scale) / 3 / 2
    expected = np.sum(invgamma(a=prior.dof / 2, scale=rate).logpdf(var))
    expected += sum(multivariate_normal(prior.mean, s.covariances[k] / prior.shrinkage)
                    .logpdf(s.means[k]) for k in range(2))
    assert log_prior(s, prior, "spherical") == pytest.approx(expected, rel=1e-10)


def test_map_formula_full_by_hand():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 2)) * [1.0, 3.0]
    resp = rng.dirichlet([2, 1], size=30)
    prior = MapPrior(mean=[0.5, -1.0], shrinkage=0.3, dof=5.0, scale=[[2.0, 0.3], [0.3, 1.0]])
    p = m_step_map(X, resp, "full", prior=prior)
    for k in range(2):
        r = resp[:, k]
        nk = r.sum()
        xbar = r @ X / nk
        w = (r[:, None] * (X - xbar)).T @ (X - xbar)
        off = xbar - prior.mean
        b = prior.scale + w + prior.shrinkage * nk / (prior.shrinkage + nk) * np.outer(off, off)
        np.testing.assert_allclose(p.covariances[k], b / (prior.dof + nk + 2 + 2), rtol=1e-12)
        np.testing.assert_allclose(
            p.means[k], (nk * xbar + prior.shrinkage * prior.mean) / (nk + prior.shrinkage),
            rtol=1e-12)
    np.testing.assert_allclose(p.weights, resp.sum(axis=0) / 30, rtol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_map_m_step_maximises_q_plus_log_prior(covariance_type):
    """Perturbing the MAP parameters (within the type's structure) never raises Q + ln p(θ)."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 2)) @ [[1.0, 0.4], [0.0, 0.7]]
    resp = rng.dirichlet([1, 1, 1], size=40)
    prior = map_prior(X, 3)
    p = m_step_map(X, resp, covariance_type, prior=prior)

    def objective(q: Params) -> float:
        return expected_complete(X, resp, q) + log_prior(q, prior, covariance_type)

    best = objective(p)
    structure = {
        "full": lambda c: c,
        "tied": lambda c: np.repeat(c[:1], 3, axis=0),
        "diag": lambda c: c * np.eye(2),
        "spherical": lambda c: np.trace(c, axis1=1, axis2=2)[:, None, None] / 2 * np.eye(2),
    }[covariance_type]
    for _ in range(20):
        e = rng.normal(size=(3, 2, 2)) * 1e-3
        cov = structure(p.covariances + (e + np.swapaxes(e, 1, 2)))
        q = Params(p.weights, p.means + rng.normal(size=(3, 2)) * 1e-3, cov)
        assert objective(q) <= best + 1e-9


def test_empty_component_gets_the_prior():
    X = np.random.default_rng(6).normal(size=(25, 2))
    resp = np.zeros((25, 2))
    resp[:, 0] = 1.0
    prior = map_prior(X, 2)
    p = m_step_map(X, resp, prior=prior)
    np.testing.assert_allclose(p.means[1], prior.mean)
    np.testing.assert_allclose(p.covariances[1], prior.scale / (prior.dof + 0 + 2 + 2))
    assert p.weights[1] == 0.0


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(8, 60),
    d=st.integers(1, 3),
    k=st.integers(1, 4),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    duplicates=st.integers(0, 10),
)
def test_map_log_posterior_never_decreases(seed, n, d, k, covariance_type, duplicates):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, size=d)
    X = np.vstack([X, np.repeat(X[:1], duplicates, axis=0)])  # a trap, sometimes
    if len(np.unique(X, axis=0)) < k:
        k = 1
    init = initialize(X, k, "random", seed, covariance_type, reg_covar=1e-3)
    tr = run_em_map(X, init, covariance_type, max_iter=15, tol=0.0)
    prior = map_prior(X, k)
    lp = np.array([tr.log_likelihood[i] + log_prior(p, prior, covariance_type)
                   for i, p in enumerate(tr.params)])
    assert np.all(np.diff(lp) >= -1e-9 * np.maximum(1.0, np.abs(lp[1:])))
    assert all(d.explained for d in tr.decreases())
    assert lp[-1] == pytest.approx(log_posterior(X, tr.final, prior, covariance_type))
    assert np.all(min_eigenvalues(tr.final) > 0)


def test_bad_prior_raises_with_advice():
    X = np.random.default_rng(7).normal(size=(20, 2))
    with pytest.raises(ParameterError, match="exceed D"):
        map_prior(X, 2, prior_strength=0.5)
    with pytest.raises(ParameterError, match="positive definite"):
        map_prior(X, 2, prior_scale=np.zeros((2, 2)))
    with pytest.raises(ParameterError, match="shape"):
        map_prior(X, 2, prior_scale=np.eye(3))
    with pytest.raises(ParameterError, match="positive number"):
        map_prior(X, 2, prior_shrinkage=0.0)


def test_remedies_accept_options():
    X, init, _ = trap()
    floor = REMEDIES["reg_covar"](X, init, "full", 20, 1e-6, reg_covar=0.5)
    assert floor.reg_covar == 0.5
    assert min_eigenvalues(floor.final).min() >= 0.5
    strong = REMEDIES["map"](X, init, "full", 20, 1e-6, prior_strength=50.0)
    assert "ν_P = 50" in strong.notes[0]
    weak = REMEDIES["map"](X, init, "full", 20, 1e-6)
    assert "ν_P = 4" in weak.notes[0]  # D + 2
    plain = run_em(X, init, "full", 0.0, 100, 1e-6)
    assert REMEDIES["none"](X, init, "full", 100, 1e-6).n_iter == plain.n_iter
    assert e_step(X, weak.final).log_likelihood == pytest.approx(weak.log_likelihood[-1])
