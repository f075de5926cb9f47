"""Tests of the EM engine: parity with scikit-learn, invariants, monotonicity, collapse."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

import emviz
from emviz import (
    COVARIANCE_TYPES,
    INIT_METHODS,
    CollapseError,
    DataError,
    ParameterError,
    Params,
    aic,
    bic,
    bound_terms,
    e_step,
    initialize,
    m_step,
    reg_covar_slack,
    run_em,
)
from emviz.model.gaussian import log_gaussian_density, precision_cholesky
from tests.builders import blobs


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------
def sklearn_precisions(params: Params, covariance_type: str) -> np.ndarray:
    compact = params.compact_covariances(covariance_type)
    invert = {
        "full": np.linalg.inv,
        "tied": np.linalg.inv,
        "diag": lambda c: 1.0 / c,
        "spherical": lambda c: 1.0 / c,
    }
    return invert[covariance_type](compact)


def sklearn_fit(X, init: Params, covariance_type: str, n_iter: int, reg_covar: float):
    gm = GaussianMixture(
        n_components=init.n_components,
        covariance_type=covariance_type,
        weights_init=init.weights,
        means_init=init.means,
        precisions_init=sklearn_precisions(init, covariance_type),
        max_iter=n_iter,
        tol=0.0,
        reg_covar=reg_covar,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return gm.fit(X)


def rel_err(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


# --------------------------------------------------------------------------------------
# Parity with scikit-learn
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("dim", [1, 2, 3, 5])
@pytest.mark.parametrize("n_iter", [1, 5, 50])
@pytest.mark.parametrize("kernel", ["auto", "dense"])
def test_matches_sklearn(covariance_type, dim, n_iter, kernel):
    X = blobs(450, dim, seed=dim, anisotropy=0.6)
    rng = np.random.default_rng(100 + dim)
    init = m_step(X, rng.dirichlet(np.ones(3), size=len(X)), covariance_type, 1e-6)
    trace = run_em(X, init, covariance_type, 1e-6, max_iter=n_iter, tol=0, kernel=kernel)
    gm = sklearn_fit(X, init, covariance_type, n_iter, 1e-6)
    assert trace.n_iter == n_iter and trace.stop_reason == "max_iter"
    final = trace.final
    assert rel_err(final.weights, gm.weights_) <= 1e-8
    assert rel_err(final.means, gm.means_) <= 1e-8
    assert rel_err(final.compact_covariances(covariance_type), gm.covariances_) <= 1e-8
    assert trace.log_likelihood[-1] == pytest.approx(gm.score(X) * len(X), rel=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_e_step_matches_sklearn_responsibilities(covariance_type):
    X = blobs(300, 2, seed=3, anisotropy=0.6)
    init = initialize(X, 3, "kmeans++", seed=1, covariance_type=covariance_type)
    gm = sklearn_fit(X, init, covariance_type, 1, 1e-6)
    # gm holds the parameters after one iteration; compare the E-step on those.
    params = Params(
        gm.weights_,
        gm.means_,
        run_em(X, init, covariance_type, max_iter=1, tol=0).final.covariances,
    )
    est = e_step(X, params)
    np.testing.assert_allclose(est.resp, gm.predict_proba(X), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(est.point_log_likelihood, gm.score_samples(X), rtol=1e-10)


def test_log_density_matches_scipy():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(50, 3)) * [1, 10, 0.1] + 5
    means = rng.normal(size=(4, 3))
    covs = np.stack([np.cov(rng.normal(size=(3, 20)) * [[1], [5], [0.2]]) for _ in range(4)])
    got = log_gaussian_density(X, means, precision_cholesky(covs))
    want = np.column_stack([multivariate_normal(means[k], covs[k]).logpdf(X) for k in range(4)])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_bic_aic_match_sklearn():
    X = blobs(360, 2, seed=11, anisotropy=0.6)
    for covariance_type in COVARIANCE_TYPES:
        init = initialize(X, 3, "kmeans", seed=0, covariance_type=covariance_type)
        gm = sklearn_fit(X, init, covariance_type, 10, 1e-6)
        params = Params(gm.weights_, gm.means_, _full_from_sklearn(gm, covariance_type, 2))
        assert bic(X, params, covariance_type) == pytest.approx(gm.bic(X), rel=1e-10)
        assert aic(X, params, covariance_type) == pytest.approx(gm.aic(X), rel=1e-10)
        assert emviz.n_parameters(3, 2, covariance_type) == gm._n_parameters()


def _full_from_sklearn(gm, covariance_type: str, dim: int) -> np.ndarray:
    k, c = gm.n_components, gm.covariances_
    to_full = {
        "full": lambda: c,
        "tied": lambda: np.repeat(c[None], k, axis=0),
        "diag": lambda: c[:, :, None] * np.eye(dim),
        "spherical": lambda: c[:, None, None] * np.eye(dim),
    }
    return to_full[covariance_type]()


# --------------------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("method", INIT_METHODS)
def test_invariants_along_trace(covariance_type, method):
    X = blobs(240, 2, seed=5, anisotropy=0.6)
    init = initialize(X, 4, method, seed=2, covariance_type=covariance_type)
    trace = run_em(X, init, covariance_type, 1e-6, max_iter=30)
    for p in trace.params:
        assert p.weights.sum() == pytest.approx(1.0, abs=1e-12)
        assert np.all(p.weights >= 0)
        np.testing.assert_array_equal(p.covariances, np.swapaxes(p.covariances, 1, 2))
        assert np.all(np.linalg.eigvalsh(p.covariances) > 0)
        resp = e_step(X, p).resp
        np.testing.assert_allclose(resp.sum(axis=1), 1.0, atol=1e-12)
    assert len(trace.log_likelihood) == len(trace.params) == trace.n_iter + 1


def test_params_are_immutable():
    X = blobs(90, 2, seed=0, anisotropy=0.6)
    p = initialize(X, 2, seed=0)
    with pytest.raises(ValueError):
        p.means[0, 0] = 1.0
    with pytest.raises(AttributeError):
        p.means = np.zeros((2, 2))  # type: ignore[misc]


def test_params_round_trip_and_validation():
    p = initialize(blobs(90, 3, seed=0, anisotropy=0.6), 3, seed=4)
    q = Params.from_dict(p.to_dict())
    np.testing.assert_array_equal(q.covariances, p.covariances)
    with pytest.raises(ParameterError, match="should have shape"):
        Params([0.5, 0.5], [[0.0, 0.0]], np.eye(2)[None])
    with pytest.raises(ParameterError, match="sum to 1"):
        Params([0.2, 0.2], [[0.0], [1.0]], [[[1.0]], [[1.0]]])
    with pytest.raises(ParameterError, match="missing"):
        Params.from_dict({"weights": [1.0]})


def test_run_em_does_not_mutate_init():
    X = blobs(150, 2, seed=1, anisotropy=0.6)
    init = initialize(X, 3, seed=0)
    before = init.means.copy()
    run_em(X, init, max_iter=5)
    np.testing.assert_array_equal(init.means, before)


@pytest.mark.parametrize("method", INIT_METHODS)
def test_initialize_is_deterministic(method):
    X = blobs(180, 2, seed=9, anisotropy=0.6)
    a = initialize(X, 3, method, seed=13)
    b = initialize(X, 3, method, seed=13)
    np.testing.assert_array_equal(a.means, b.means)
    np.testing.assert_array_equal(a.covariances, b.covariances)


def test_float32_input_is_upcast_not_downcast():
    X = blobs(150, 2, seed=1, anisotropy=0.6).astype(np.float32)
    trace = run_em(X, initialize(X, 2, seed=0), max_iter=3)
    assert trace.final.means.dtype == np.float64


# --------------------------------------------------------------------------------------
# The log-likelihood never decreases under exact EM
# --------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    dim=st.sampled_from([1, 2, 3, 4]),
    k=st.integers(1, 5),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    method=st.sampled_from(INIT_METHODS),
    kernel=st.sampled_from(["auto", "dense"]),
)
def test_log_likelihood_never_decreases_exact_em(seed, dim, k, covariance_type, method, kernel):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 200))
    X = rng.normal(size=(n, dim)) * rng.uniform(0.1, 10, size=dim) + rng.normal(size=dim) * 5
    X[: n // 2] += 3.0  # some structure
    try:
        init = initialize(X, k, method, seed=seed, covariance_type=covariance_type, reg_covar=0.0)
    except CollapseError:
        return  # a degenerate start on random data is legitimate, and is reported
    trace = run_em(X, init, covariance_type, reg_covar=0.0, max_iter=40, tol=0, kernel=kernel)
    ll = trace.log_likelihood[np.isfinite(trace.log_likelihood)]
    assert np.all(np.diff(ll) >= -trace.rounding_tolerance()), np.diff(ll).min()
    assert all(d.explained for d in trace.decreases())


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_reg_covar_decreases_are_within_slack(covariance_type):
    # Tiny clusters with a large reg_covar make the M-step visibly inexact.
    X = blobs(180, 2, seed=2, anisotropy=0.6) * 0.05
    init = initialize(X, 4, "kmeans++", seed=0, covariance_type=covariance_type, reg_covar=0.05)
    trace = run_em(X, init, covariance_type, reg_covar=0.05, max_iter=60, tol=0)
    assert np.all(trace.reg_slack[1:] > 0)
    assert all(d.explained for d in trace.decreases())


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_trace_slack_equals_reg_covar_slack_of_each_state(covariance_type):
    # run_em computes the slack of the whole run in one vectorised call after the loop.
    X = blobs(240, 2, seed=3, anisotropy=0.6) * 0.05
    init = initialize(X, 3, "kmeans++", seed=1, covariance_type=covariance_type, reg_covar=0.05)
    trace = run_em(X, init, covariance_type, reg_covar=0.05, max_iter=8, tol=0)
    n = X.shape[0]
    want = [0.0] + [reg_covar_slack(p, covariance_type, 0.05, n) for p in trace.params[1:]]
    np.testing.assert_allclose(trace.reg_slack, want, rtol=1e-12, atol=0)


def test_slack_formula_is_exact_for_one_component():
    # One component: the inexact M-step loses exactly the slack in Q, and Q = ll here.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2)) @ np.array([[1.0, 0.5], [0.0, 0.3]])
    reg = 0.1
    exact = m_step(X, np.ones((200, 1)), "full", 0.0)
    regd = m_step(X, np.ones((200, 1)), "full", reg)
    loss = e_step(X, exact).log_likelihood - e_step(X, regd).log_likelihood
    assert reg_covar_slack(regd, "full", reg, 200) == pytest.approx(loss, rel=1e-9)


# --------------------------------------------------------------------------------------
# Convergence and stopping
# --------------------------------------------------------------------------------------
def test_tol_zero_runs_exactly_max_iter():
    X = blobs(150, 2, seed=4, anisotropy=0.6)
    trace = run_em(X, initialize(X, 3, seed=0), max_iter=17, tol=0)
    assert trace.n_iter == 17 and not trace.converged and trace.stop_reason == "max_iter"


def test_converges_with_sklearn_rule():
    X = blobs(300, 2, seed=4, anisotropy=0.6)
    trace = run_em(X, initialize(X, 3, seed=0), max_iter=500, tol=1e-6)
    assert trace.converged and trace.stop_reason == "converged"
    assert abs(trace.mean_log_likelihood[-1] - trace.mean_log_likelihood[-2]) < 1e-6
    assert np.all(np.abs(np.diff(trace.mean_log_likelihood[:-1])) >= 1e-6)


def test_half_steps_index_the_trace():
    X = blobs(150, 2, seed=4, anisotropy=0.6)
    trace = run_em(X, initialize(X, 3, seed=0), max_iter=4, tol=0)
    assert trace.n_half_steps == 9
    h0, h1, h2 = trace.half_step(0), trace.half_step(1), trace.half_step(2)
    assert (h0.kind, h0.resp_params) == ("init", None)
    assert h1.kind == "E" and h1.params is trace.params[0] and h1.resp_params is trace.params[0]
    assert h2.kind == "M" and h2.params is trace.params[1] and h2.resp_params is trace.params[0]
    with pytest.raises(ParameterError):
        trace.half_step(9)


# --------------------------------------------------------------------------------------
# Collapse, degenerate data, bad input
# --------------------------------------------------------------------------------------
def _trap_data() -> np.ndarray:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    return np.vstack([X, np.repeat([[4.0, 4.0]], 12, axis=0)])


@pytest.mark.parametrize("kernel", ["auto", "dense"])
def test_collapse_stops_run_and_names_component(kernel):
    X = _trap_data()
    # A component sitting on the duplicated point with a tiny covariance.
    init = Params([0.5, 0.5], [[0.0, 0.0], [4.0, 4.0]], [np.eye(2), np.eye(2) * 1e-3])
    trace = run_em(X, init, "full", reg_covar=0.0, max_iter=50, tol=0, kernel=kernel)
    assert trace.stop_reason == "collapsed" and trace.collapsed_component == 1
    assert not trace.converged
    assert trace.n_iter < 50
    # With a floor the same start does not collapse.
    safe = run_em(X, init, "full", reg_covar=1e-3, max_iter=50, tol=0, kernel=kernel)
    assert safe.stop_reason == "max_iter"


def test_m_step_raises_typed_error_with_advice():
    X = _trap_data()
    resp = np.zeros((len(X), 2))
    resp[:60, 0] = 1
    resp[60:, 1] = 1
    with pytest.raises(CollapseError, match="Increase reg_covar") as info:
        m_step(X, resp, "full", reg_covar=0.0)
    assert info.value.component == 1


def test_empty_component_gives_no_nan():
    X = blobs(120, 2, seed=1, anisotropy=0.6)
    resp = np.zeros((len(X), 3))
    resp[:, :2] = 0.5
    p = m_step(X, resp, "full", reg_covar=1e-6)
    assert np.all(np.isfinite(p.means)) and p.weights[2] < 1e-15
    trace = run_em(X, p, "full", 1e-6, max_iter=5, tol=0)
    assert all(np.all(np.isfinite(q.means)) for q in trace.params)
    assert np.all(np.isfinite(trace.log_likelihood))


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.array([1.0, 2.0, 3.0]), "reshape"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), "finite numbers; got 1 NaN"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), "finite numbers; got 0 NaN and 1 inf"),
        (np.empty((0, 2)), "at least 1 row"),
        (np.array([["a", "b"]]), "real numbers"),
    ],
)
def test_bad_data_messages(X, match):
    with pytest.raises(DataError, match=match):
        initialize(X, 1)


def test_more_components_than_points():
    with pytest.raises(DataError, match="need at least 5 points"):
        initialize(np.arange(6.0).reshape(3, 2), 5)
    with pytest.raises(DataError, match="distinct points"):
        initialize(np.vstack([np.ones((9, 2)), np.zeros((1, 2))]), 3)
    with pytest.raises(DataError, match="identical"):
        initialize(np.ones((10, 2)), 1)


def test_bad_options_messages():
    X = blobs(60, 2, seed=0, anisotropy=0.6)
    with pytest.raises(ParameterError, match="covariance_type should be one of"):
        m_step(X, np.ones((len(X), 1)), "banana")
    with pytest.raises(ParameterError, match="method should be one of"):
        initialize(X, 2, method="magic")
    with pytest.raises(ParameterError, match="reg_covar"):
        run_em(X, initialize(X, 2), reg_covar=-1)
    with pytest.raises(DataError, match="columns"):
        run_em(blobs(60, 3, seed=0, anisotropy=0.6), initialize(X, 2))


# --------------------------------------------------------------------------------------
# The lower bound decomposition
# --------------------------------------------------------------------------------------
def test_bound_terms_add_up_and_kl_vanishes_after_e_step():
    X = blobs(180, 2, seed=8, anisotropy=0.6)
    trace = run_em(X, initialize(X, 3, "random", seed=1), max_iter=6, tol=0)
    for i in range(1, trace.n_iter + 1):
        q_old = e_step(X, trace.params[i - 1]).resp
        after_e = bound_terms(X, trace.params[i - 1], q_old)
        assert after_e.kl == pytest.approx(0.0, abs=1e-8)
        assert after_e.elbo == pytest.approx(after_e.log_likelihood, rel=1e-12)
        after_m = bound_terms(X, trace.params[i], q_old)
        assert after_m.log_likelihood == pytest.approx(after_m.elbo + after_m.kl, rel=1e-12)
        assert after_m.kl >= 0
        assert after_m.elbo >= after_e.elbo - 1e-9 * abs(after_e.elbo)  # M-step raises L


def test_bound_terms_direct_formulas():
    X = blobs(90, 2, seed=2, anisotropy=0.6)
    p = initialize(X, 2, seed=0)
    rng = np.random.default_rng(1)
    q = rng.dirichlet(np.ones(2), size=len(X))
    terms = bound_terms(X, p, q)
    dens = np.column_stack(
        [p.weights[k] * multivariate_normal(p.means[k], p.covariances[k]).pdf(X) for k in range(2)]
    )
    post = dens / dens.sum(1, keepdims=True)
    assert terms.expected_complete == pytest.approx(np.sum(q * np.log(dens)), rel=1e-12)
    assert terms.entropy == pytest.approx(-np.sum(q * np.log(q)), rel=1e-12)
    assert terms.kl == pytest.approx(np.sum(q * np.log(q / post)), rel=1e-9)
    assert terms.log_likelihood == pytest.approx(np.sum(np.log(dens.sum(1))), rel=1e-12)


def test_exact_collapse_is_recorded_with_infinite_likelihood():
    # Component 1 owns only the 12 duplicated points after one E-step, so the M-step gives
    # it an exactly zero covariance: that state is kept, with ln p = +inf.
    X = _trap_data()
    init = Params([0.5, 0.5], [[0.0, 0.0], [4.0, 4.0]], [np.eye(2), np.eye(2) * 1e-6])
    trace = run_em(X, init, "full", reg_covar=0.0, max_iter=50, tol=0, kernel="dense")
    assert trace.stop_reason == "collapsed" and trace.collapsed_component == 1
    assert np.linalg.det(trace.final.covariances[1]) < 1e-20
    assert trace.log_likelihood[-1] == np.inf
    assert np.all(np.isfinite(trace.log_likelihood[:-1]))


def test_exact_collapse_is_recorded_by_the_fused_kernel_too():
    X = _trap_data()
    init = Params([0.5, 0.5], [[0.0, 0.0], [4.0, 4.0]], [np.eye(2), np.eye(2) * 1e-6])
    dense = run_em(X, init, "full", reg_covar=0.0, max_iter=50, tol=0, kernel="dense")
    fused = run_em(X, init, "full", reg_covar=0.0, max_iter=50, tol=0, kernel="fused")
    assert fused.stop_reason == "collapsed" and fused.collapsed_component == 1
    assert fused.n_iter == dense.n_iter and fused.log_likelihood[-1] == np.inf


def test_trusted_params_are_read_only():
    p = Params.trusted(np.array([1.0]), np.zeros((1, 2)), np.eye(2)[None].copy())
    with pytest.raises(ValueError):
        p.covariances[0, 0, 0] = 2.0


def test_collapse_error_numbers_components_from_one_like_the_legends():
    from emviz.errors import CollapseError

    exc = CollapseError(0, "Cholesky factorisation failed")
    assert exc.component == 0  # the index, for code
    assert str(exc).startswith("Component 1 collapsed")  # the number people see
    assert exc.params == {"component": 1}
    assert "(Cholesky factorisation failed)" in str(exc)
