"""Tests for emviz.engine.vbgmm: variational Bayes for Gaussian mixtures (Bishop PRML §10.2).

Three ways, as for EM: a reference implementation (scikit-learn's BayesianGaussianMixture,
driven from our own start), direct formulas and Monte Carlo on tiny data (scipy densities),
and invariants (the ELBO never decreases; surplus components die off with a small α_0).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import digamma, gammaln
from sklearn.mixture import BayesianGaussianMixture
from threadpoolctl import threadpool_limits

from emviz.engine.vbgmm import (
    WEIGHT_PRIOR_TYPES,
    VBParams,
    VBPrior,
    default_prior,
    elbo,
    elbo_terms,
    run_vb,
    vb_e_step,
    vb_initialize,
    vb_m_step,
)
from emviz.errors import DataError, ParameterError
from emviz.model.params import Params
from tests.builders import blobs

#: Agreement with scikit-learn, relative to each array's largest magnitude. Measured: ≤ 1e-14
#: for every fitted array after 1, 5 and 50 iterations (D = 1, 2, 3, both weight priors).
SKLEARN_RTOL = 1e-10


@pytest.fixture(autouse=True)
def _single_threaded_blas():
    # Tiny matrices: multi-threaded BLAS only adds thread hand-offs (10x slower on a busy box).
    with threadpool_limits(1):
        yield


# --- Builders -----------------------------------------------------------------------------------
#: Clusters stretched and rotated at random.
ROTATED = {"std": 0.3, "anisotropy": 1.0}
#: Three well-separated round clusters of 100 points each in 2-D (with ``std=0.5``).
SEPARATED = {"centres": [(0.0, 0.0), (6.0, 0.0), (3.0, 6.0)], "std": 0.5}


class _FromResp(BayesianGaussianMixture):
    """scikit-learn's estimator, started from given responsibilities instead of its own init."""

    def _initialize_parameters(self, X, random_state, xp=None):
        self._initialize(X, self.start_resp_)


def fit_sklearn(X, resp, prior: VBPrior, n_iter: int, reg_covar: float) -> BayesianGaussianMixture:
    est = _FromResp(
        n_components=resp.shape[1],
        covariance_type="full",
        weight_concentration_prior_type=prior.weight_concentration_prior_type,
        weight_concentration_prior=prior.weight_concentration,
        mean_precision_prior=prior.mean_precision,
        mean_prior=prior.mean,
        degrees_of_freedom_prior=prior.degrees_of_freedom,
        covariance_prior=prior.covariance,
        reg_covar=reg_covar,
        max_iter=n_iter,
        tol=0.0,
        n_init=1,
    )
    est.start_resp_ = np.asarray(resp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: tol=0 never "converges"
        est.fit(X)
    return est


def assert_close(actual, expected, rtol=SKLEARN_RTOL):
    expected = np.asarray(expected, dtype=float)
    scale = max(float(np.abs(expected).max()), 1e-300)
    err = float(np.abs(np.asarray(actual) - expected).max()) / scale
    assert err <= rtol, f"relative error {err:.2e} > {rtol:.0e}"


# --- (1) The ELBO never decreases --------------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n_components=st.integers(1, 6),
    n_features=st.sampled_from([1, 2, 3]),
    prior_type=st.sampled_from(WEIGHT_PRIOR_TYPES),
    alpha0=st.sampled_from([None, 0.01, 1.0, 100.0]),
    beta0=st.sampled_from([None, 0.1, 10.0]),
    log_scale=st.floats(-2, 2),
    reg_covar=st.sampled_from([0.0, 1e-6]),
    method=st.sampled_from(["kmeans++", "random"]),
)
def test_elbo_never_decreases(
    seed, n_components, n_features, prior_type, alpha0, beta0, log_scale, reg_covar, method
):
    X = blobs(120, n_features, seed=seed, scale=10.0**log_scale, **ROTATED)
    prior = default_prior(
        X,
        n_components,
        weight_concentration=alpha0,
        mean_precision=beta0,
        weight_concentration_prior_type=prior_type,
    )
    init, resp = vb_initialize(X, n_components, method, seed, prior, reg_covar)
    trace = run_vb(X, init, prior, max_iter=40, tol=0.0, reg_covar=reg_covar, init_resp=resp)
    assert trace.n_iter == 40
    tol = trace.rounding_tolerance()
    if reg_covar == 0:
        # Exact coordinate ascent: every half-step (after M ≤ after the next E ≤ after the
        # next M) is non-decreasing up to rounding.
        assert np.all(np.diff(trace.elbo_half_steps()) >= -tol)
        assert trace.decreases() == [] or all(d.amount <= tol for d in trace.decreases())
    else:
        # reg_covar makes the M-step inexact; every decrease is within the proven bound.
        assert all(d.explained for d in trace.decreases())
        # Position 2i → 2i+1 is an E-step (exact); 2i+1 → 2i+2 is the M-step making params[i+1].
        slack = np.zeros(2 * trace.n_iter)
        slack[1::2] = trace.reg_slack[1:]
        assert np.all(np.diff(trace.elbo_half_steps()) >= -(slack + tol))


def test_reg_covar_can_lower_the_elbo_on_small_scale_data_within_the_bound():
    # Found by the property test: data with variance ~1e-4 and ε = 1e-6. The drop is real
    # (ε is 1% of the variance) and explained; with ε = 0 it disappears.
    X = blobs(120, 1, seed=7, scale=0.01, **ROTATED)
    prior = default_prior(X, 2)
    init, _ = vb_initialize(X, 2, prior=prior, reg_covar=1e-6)
    trace = run_vb(X, init, prior, max_iter=40, tol=0.0, reg_covar=1e-6)
    drops = trace.decreases()
    assert drops and max(d.amount for d in drops) > 1e-5
    assert all(d.explained for d in drops)
    exact = run_vb(X, init, prior, max_iter=40, tol=0.0, reg_covar=0.0)
    assert np.all(np.diff(exact.elbo) >= -exact.rounding_tolerance())
    assert np.all(exact.reg_slack == 0)


def test_elbo_equals_the_exact_evidence_for_one_component():
    # K = 1 has no latent Z and q(μ, Λ) is a full Normal-Wishart, which contains the exact
    # posterior; so after one M-step the bound is tight: ELBO = ln p(X), known in closed form
    # (Murphy 2007, "Conjugate Bayesian analysis of the Gaussian distribution", eq. 266).
    X = blobs(50, 2, 1, seed=3, **ROTATED)
    prior = default_prior(X, 1)
    init, _ = vb_initialize(X, 1, prior=prior, reg_covar=0.0)
    trace = run_vb(X, init, prior, max_iter=3, tol=0.0, reg_covar=0.0)
    n, d = X.shape
    b0, nu0, m0, s0 = prior.mean_precision, prior.degrees_of_freedom, prior.mean, prior.covariance
    xbar = X.mean(0)
    sn = s0 + (X - xbar).T @ (X - xbar) + b0 * n / (b0 + n) * np.outer(xbar - m0, xbar - m0)
    nun = nu0 + n

    def log_gamma_d(a):
        return 0.25 * d * (d - 1) * np.log(np.pi) + sum(gammaln(a - 0.5 * j) for j in range(d))

    log_evidence = (
        -0.5 * n * d * np.log(np.pi)
        + log_gamma_d(nun / 2)
        - log_gamma_d(nu0 / 2)
        + 0.5 * nu0 * np.linalg.slogdet(s0)[1]
        - 0.5 * nun * np.linalg.slogdet(sn)[1]
        + 0.5 * d * np.log(b0 / (b0 + n))
    )
    np.testing.assert_allclose(trace.elbo, log_evidence, rtol=1e-12)


# --- (2) Agreement with scikit-learn from the same start ---------------------------------------
@pytest.mark.parametrize("prior_type", WEIGHT_PRIOR_TYPES)
@pytest.mark.parametrize("n_features", [1, 2, 3])
@pytest.mark.parametrize("reg_covar", [1e-6, 0.0])
def test_matches_sklearn_after_1_5_50_iterations(prior_type, n_features, reg_covar):
    X = blobs(120, n_features, seed=n_features, **ROTATED)
    k = 5
    prior = default_prior(X, k, weight_concentration_prior_type=prior_type)
    init, resp = vb_initialize(X, k, "kmeans++", seed=1, prior=prior, reg_covar=reg_covar)
    trace = run_vb(X, init, prior, max_iter=50, tol=0.0, reg_covar=reg_covar, init_resp=resp)
    offsets = []
    for n_iter in (1, 5, 50):
        est = fit_sklearn(X, resp, prior, n_iter, reg_covar)
        ours = trace.params[n_iter]
        conc = est.weight_concentration_
        if prior_type == "dirichlet_process":
            assert_close(ours.weight_concentration, conc[0])
            assert_close(ours.weight_concentration_b, conc[1])
        else:
            assert ours.weight_concentration_b is None
            assert_close(ours.weight_concentration, conc)
        assert_close(ours.mean_precision, est.mean_precision_)
        assert_close(ours.means, est.means_)
        assert_close(ours.degrees_of_freedom, est.degrees_of_freedom_)
        assert_close(ours.expected_covariances(), est.covariances_)
        assert_close(ours.precisions, est.precisions_)
        assert_close(ours.expected_weights(), est.weights_)
        # The E-step on the fitted posterior is scikit-learn's predict_proba.
        assert_close(vb_e_step(X, ours).resp, est.predict_proba(X))
        # scikit-learn's bound drops constants; ours is the full Bishop form.
        offsets.append(trace.elbo_after_m[n_iter] - est.lower_bound_)
        if n_iter == 50:
            per_iter = trace.elbo_after_m[1:] - np.asarray(est.lower_bounds_)
            offsets.extend(per_iter)
    if reg_covar == 0.0:
        # Exact M-steps: the two bounds differ by a constant (prior, N, D, K only).
        assert np.ptp(offsets) <= 1e-10 * np.abs(trace.elbo).max()


# --- (3) Pruning --------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["kmeans++", "random"])
@pytest.mark.parametrize("prior_type", WEIGHT_PRIOR_TYPES)
def test_small_concentration_prunes_surplus_components(method, prior_type):
    X = blobs(300, **SEPARATED)
    prior = default_prior(
        X, 10, weight_concentration=0.01, weight_concentration_prior_type=prior_type
    )
    init, _ = vb_initialize(X, 10, method, seed=0, prior=prior)
    trace = run_vb(X, init, prior, max_iter=300)
    assert trace.converged
    active = trace.active_components(1e-2)
    assert active[0] == 10
    assert active[-1] <= 4
    # Measured: exactly the three true clusters survive, each with weight ≈ 1/3.
    assert active[-1] == 3
    np.testing.assert_allclose(np.sort(trace.expected_weights[-1])[-3:], 1 / 3, atol=0.01)


def test_large_concentration_keeps_many_more_components():
    X = blobs(300, **SEPARATED)
    prior = default_prior(X, 10, weight_concentration=1000.0)
    init, _ = vb_initialize(X, 10, "kmeans++", seed=0, prior=prior)
    trace = run_vb(X, init, prior, max_iter=300)
    assert trace.converged
    # Measured: 1000 pseudo-counts per component outweigh 300 points; all 10 stay at ≈ 0.1.
    assert trace.active_components(1e-2)[-1] == 10
    np.testing.assert_allclose(trace.expected_weights[-1], 0.1, atol=0.01)


# --- (4) Formulas against direct computation on tiny data ---------------------------------------
@pytest.fixture
def tiny():
    """6 points in 2-D, K = 2, a hand-written prior and soft responsibilities."""
    X = np.array([[0.0, 0.2], [0.4, -0.1], [-0.3, 0.1], [3.0, 2.9], [2.6, 3.3], [3.2, 3.1]])
    rng = np.random.default_rng(7)
    r = rng.dirichlet([1.0, 1.0], size=6)
    prior = VBPrior(0.5, 2.0, [1.0, 1.0], 3.5, [[1.5, 0.3], [0.3, 0.8]])
    return X, r, prior


def naive_m_step(X, r, prior):
    """Bishop eq. 10.58–10.63 in loops, with Bishop's W_k."""
    nk = r.sum(0)
    out = {"alpha": [], "beta": [], "m": [], "nu": [], "W": []}
    for k in range(r.shape[1]):
        xbar = (r[:, k] @ X) / nk[k]
        sk = sum(r[n, k] * np.outer(X[n] - xbar, X[n] - xbar) for n in range(len(X))) / nk[k]
        beta = prior.mean_precision + nk[k]
        diff = xbar - prior.mean
        w_inv = (
            prior.covariance
            + nk[k] * sk
            + prior.mean_precision * nk[k] / beta * np.outer(diff, diff)
        )
        out["alpha"].append(prior.weight_concentration + nk[k])
        out["beta"].append(beta)
        out["m"].append((prior.mean_precision * prior.mean + nk[k] * xbar) / beta)
        out["nu"].append(prior.degrees_of_freedom + nk[k])
        out["W"].append(np.linalg.inv(w_inv))
    return {k: np.array(v) for k, v in out.items()}


def test_m_step_matches_bishop_formulas(tiny):
    X, r, prior = tiny
    vb = vb_m_step(X, r, prior, reg_covar=0.0)
    ref = naive_m_step(X, r, prior)
    np.testing.assert_allclose(vb.weight_concentration, ref["alpha"], rtol=1e-13)
    np.testing.assert_allclose(vb.mean_precision, ref["beta"], rtol=1e-13)
    np.testing.assert_allclose(vb.means, ref["m"], rtol=1e-13)
    np.testing.assert_allclose(vb.degrees_of_freedom, ref["nu"], rtol=1e-13)
    np.testing.assert_allclose(vb.W, ref["W"], rtol=1e-12)
    np.testing.assert_allclose(
        vb.expected_covariances(), np.linalg.inv(ref["nu"][:, None, None] * ref["W"]), rtol=1e-12
    )
    np.testing.assert_allclose(vb.expected_weights(), ref["alpha"] / ref["alpha"].sum())


def test_dirichlet_process_weights_are_stick_breaking(tiny):
    X, r, _ = tiny
    dp = VBPrior(0.5, 2.0, [1.0, 1.0], 3.5, [[1.5, 0.3], [0.3, 0.8]], "dirichlet_process")
    vb = vb_m_step(X, r, dp, reg_covar=0.0)
    nk = r.sum(0)
    np.testing.assert_allclose(vb.weight_concentration, 1 + nk)
    np.testing.assert_allclose(vb.weight_concentration_b, [0.5 + nk[1], 0.5])
    a, b = vb.weight_concentration, vb.weight_concentration_b
    ev = a / (a + b)
    raw = np.array([ev[0], (1 - ev[0]) * ev[1]])
    np.testing.assert_allclose(vb.expected_weights(), raw / raw.sum())
    e_log_v = digamma(a) - digamma(a + b)
    e_log_1mv = digamma(b) - digamma(a + b)
    np.testing.assert_allclose(vb.expected_log_weights(), [e_log_v[0], e_log_1mv[0] + e_log_v[1]])


def test_e_step_matches_bishop_formulas(tiny):
    X, r, prior = tiny
    vb = vb_m_step(X, r, prior, reg_covar=0.0)
    d = X.shape[1]
    log_rho = np.empty((len(X), 2))
    e_log_dets = []
    for k in range(2):
        a, nu, beta, w, m = (
            vb.weight_concentration,
            vb.degrees_of_freedom[k],
            vb.mean_precision[k],
            vb.W[k],
            vb.means[k],
        )
        e_log_pi = digamma(a[k]) - digamma(a.sum())
        e_log_det = sum(digamma((nu + 1 - i) / 2) for i in range(1, d + 1)) + d * np.log(2)
        e_log_det += np.log(np.linalg.det(w))
        e_log_dets.append(e_log_det)
        for n, x in enumerate(X):
            e_quad = d / beta + nu * (x - m) @ w @ (x - m)
            log_rho[n, k] = e_log_pi + 0.5 * e_log_det - d / 2 * np.log(2 * np.pi) - 0.5 * e_quad
    np.testing.assert_allclose(vb.expected_log_det_precision(), e_log_dets, rtol=1e-13)
    rho = np.exp(log_rho)
    resp, log_resp = vb_e_step(X, vb)
    np.testing.assert_allclose(resp, rho / rho.sum(1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(resp.sum(1), 1.0)
    np.testing.assert_allclose(np.exp(log_resp), resp)


def test_expectations_against_monte_carlo(tiny):
    # E[ln|Λ|] and E[(x−μ)ᵀΛ(x−μ)] under q(μ, Λ), by sampling with scipy.
    X, r, prior = tiny
    vb = vb_m_step(X, r, prior, reg_covar=0.0)
    rng = np.random.default_rng(11)
    k, s = 0, 40_000
    lam = stats.wishart(df=vb.degrees_of_freedom[k], scale=vb.W[k]).rvs(size=s, random_state=rng)
    log_det = np.linalg.slogdet(lam)[1]
    se = log_det.std() / np.sqrt(s)
    assert abs(log_det.mean() - vb.expected_log_det_precision()[k]) < 5 * se
    # μ | Λ ~ N(m, (βΛ)⁻¹): μ = m + L⁻ᵀ z / √β with Λ = L Lᵀ.
    chol = np.linalg.cholesky(lam)
    z = rng.normal(size=(s, 2, 1))
    mu = vb.means[k] + np.linalg.solve(np.swapaxes(chol, 1, 2), z)[..., 0] / np.sqrt(
        vb.mean_precision[k]
    )
    x = X[4]
    diff = x - mu
    quad = np.einsum("si,sij,sj->s", diff, lam, diff)
    expected = 2 / vb.mean_precision[k] + vb.degrees_of_freedom[k] * (
        (x - vb.means[k]) @ vb.W[k] @ (x - vb.means[k])
    )
    assert abs(quad.mean() - expected) < 5 * quad.std() / np.sqrt(s)


def test_elbo_terms_match_closed_forms(tiny):
    X, r, prior = tiny
    vb = vb_m_step(X, r, prior, reg_covar=0.0)
    t = elbo_terms(X, vb, r, prior)
    d = 2
    # (10.71) in Bishop's N_k, x̄_k, S_k form.
    nk = r.sum(0)
    e_log_det = vb.expected_log_det_precision()
    data = 0.0
    for k in range(2):
        xbar = r[:, k] @ X / nk[k]
        sk = sum(r[n, k] * np.outer(X[n] - xbar, X[n] - xbar) for n in range(6)) / nk[k]
        w, nu, dm = vb.W[k], vb.degrees_of_freedom[k], xbar - vb.means[k]
        data += (
            0.5
            * nk[k]
            * (
                e_log_det[k]
                - d / vb.mean_precision[k]
                - nu * np.trace(sk @ w)
                - nu * dm @ w @ dm
                - d * np.log(2 * np.pi)
            )
        )
    assert t.expected_log_likelihood == pytest.approx(data, rel=1e-12)
    # (10.76) is minus the entropy of q(π) = Dir(α).
    assert -t.log_q_weights == pytest.approx(stats.dirichlet(vb.weight_concentration).entropy())
    # (10.77): −E[ln q(μ,Λ)] = Σ_k H[W(W_k, ν_k)] + E_Λ H[N(m_k, (β_k Λ_k)⁻¹)].
    h = sum(
        stats.wishart(df=vb.degrees_of_freedom[k], scale=vb.W[k]).entropy()
        + d / 2 * (1 + np.log(2 * np.pi))
        - d / 2 * np.log(vb.mean_precision[k])
        - 0.5 * e_log_det[k]
        for k in range(2)
    )
    assert -t.log_q_means_precisions == pytest.approx(h, rel=1e-12)
    assert -t.log_q_assignments == pytest.approx(-np.sum(r * np.log(r)))
    parts = (
        t.expected_log_likelihood
        + t.log_p_assignments
        + t.log_p_weights
        + t.log_p_means_precisions
        - t.log_q_assignments
        - t.log_q_weights
        - t.log_q_means_precisions
    )
    assert t.elbo == pytest.approx(parts, rel=1e-14)
    assert t.elbo == elbo(X, vb, r, prior)
    assert t.kl_weights >= 0 and t.kl_means_precisions >= 0


def mvn_logpdf(x, mean, cov):
    """Batched Gaussian log-density (broadcasting over leading axes of x, mean, cov)."""
    diff = np.asarray(x - mean)
    d = diff.shape[-1]
    sol = np.linalg.solve(cov, diff[..., None])[..., 0]
    return -0.5 * (d * np.log(2 * np.pi) + np.linalg.slogdet(cov)[1] + np.sum(diff * sol, -1))


def wishart_logpdf(lam, df, scale):
    """Batched Wishart log-density of lam (n, D, D); scipy's loops over samples (slow)."""
    d = scale.shape[-1]
    log_gamma_d = 0.25 * d * (d - 1) * np.log(np.pi) + sum(
        gammaln(0.5 * (df - j)) for j in range(d)
    )
    return (
        0.5 * (df - d - 1) * np.linalg.slogdet(lam)[1]
        - 0.5 * np.einsum("ij,nji->n", np.linalg.inv(scale), lam)
        - 0.5 * df * d * np.log(2)
        - 0.5 * df * np.linalg.slogdet(scale)[1]
        - log_gamma_d
    )


def test_wishart_logpdf_helper_is_scipys():
    scale = np.array([[1.0, 0.2], [0.2, 0.5]])
    lam = stats.wishart(df=4.5, scale=scale).rvs(size=5, random_state=0)
    np.testing.assert_allclose(
        wishart_logpdf(lam, 4.5, scale),
        stats.wishart(df=4.5, scale=scale).logpdf(lam.transpose(1, 2, 0)),
        rtol=1e-12,
    )


def test_mvn_logpdf_helper_is_scipys():
    cov = np.array([[2.0, 0.3], [0.3, 0.5]])
    x = np.array([[0.1, -1.0], [2.0, 0.4]])
    np.testing.assert_allclose(
        mvn_logpdf(x, np.array([0.5, 0.2]), cov),
        stats.multivariate_normal([0.5, 0.2], cov).logpdf(x),
        rtol=1e-13,
    )


@pytest.mark.parametrize("prior_type", WEIGHT_PRIOR_TYPES)
@pytest.mark.parametrize("matched", [True, False])
def test_elbo_against_monte_carlo_with_scipy_densities(tiny, prior_type, matched):
    """E_q[ln p(X, Z, π, μ, Λ) − ln q(Z, π, μ, Λ)] by sampling q with scipy.

    Dirichlet and Beta densities are scipy's; Gaussian and Wishart ones are batched helpers
    checked against scipy above.

    matched: q(π, μ, Λ) is the M-step of q(Z). Then ln p(X, Z, θ) − ln q(θ) averaged over
    q(Z) is the same for every θ (q* ∝ exp E_Z ln p), so every sample equals the ELBO exactly.
    Unmatched: q(θ) comes from other responsibilities, and the mean converges to the ELBO.
    """
    X, r, prior_dd = tiny
    prior = VBPrior(
        prior_dd.weight_concentration,
        prior_dd.mean_precision,
        prior_dd.mean,
        prior_dd.degrees_of_freedom,
        prior_dd.covariance,
        prior_type,
    )
    r_theta = r if matched else np.random.default_rng(1).dirichlet([0.5, 0.5], size=len(X))
    vb = vb_m_step(X, r_theta, prior, reg_covar=0.0)
    rng = np.random.default_rng(5)
    s, kk = (200 if matched else 8_000), 2
    total = -np.sum(r * np.log(r)) * np.ones(s)
    if prior_type == "dirichlet_distribution":
        pi = stats.dirichlet(vb.weight_concentration).rvs(size=s, random_state=rng)
        total += stats.dirichlet(np.full(kk, prior.weight_concentration)).logpdf(pi.T)
        total -= stats.dirichlet(vb.weight_concentration).logpdf(pi.T)
    else:
        a, b = vb.weight_concentration, vb.weight_concentration_b
        v = stats.beta(a, b).rvs(size=(s, kk), random_state=rng)
        pi = v * np.concatenate([np.ones((s, 1)), np.cumprod(1 - v, axis=1)[:, :-1]], axis=1)
        total += stats.beta(1.0, prior.weight_concentration).logpdf(v).sum(1)
        total -= stats.beta(a, b).logpdf(v).sum(1)
    total += r.sum(0) @ np.log(pi).T
    for k in range(kk):
        q_lam = stats.wishart(df=vb.degrees_of_freedom[k], scale=vb.W[k])
        lam = q_lam.rvs(size=s, random_state=rng)
        cov_x = np.linalg.inv(lam)
        cov_mu_q = cov_x / vb.mean_precision[k]
        mu = vb.means[k] + (np.linalg.cholesky(cov_mu_q) @ rng.normal(size=(s, 2, 1)))[..., 0]
        total += r[:, k] @ mvn_logpdf(X[:, None, :], mu, cov_x)
        total += mvn_logpdf(mu, prior.mean, cov_x / prior.mean_precision)
        total -= mvn_logpdf(mu, vb.means[k], cov_mu_q)
        total += wishart_logpdf(lam, prior.degrees_of_freedom, prior.W)
        total -= wishart_logpdf(lam, vb.degrees_of_freedom[k], vb.W[k])
    bound = elbo(X, vb, r, prior)
    if matched:
        np.testing.assert_allclose(total, bound, rtol=1e-10)
    else:
        se = total.std() / np.sqrt(s)
        assert 1e-3 < se < 0.2  # a real Monte Carlo check, and a sharp one
        assert abs(total.mean() - bound) < 5 * se


# --- Records, runs and errors --------------------------------------------------------------------
def test_records_are_frozen_and_convert_to_params():
    X = blobs(300, **SEPARATED)
    init, resp = vb_initialize(X, 4)
    assert not resp.flags.writeable
    for arr in (init.weight_concentration, init.means, init.covariances):
        assert not arr.flags.writeable
    with pytest.raises(AttributeError):
        init.means = init.means  # type: ignore[misc]
    p = init.to_params()
    assert isinstance(p, Params)
    np.testing.assert_allclose(p.weights, init.expected_weights())
    np.testing.assert_allclose(p.covariances, init.expected_covariances())


def test_default_prior_is_sklearns():
    X = blobs(120, 3, seed=0, **ROTATED)
    prior = default_prior(X, 4)
    assert prior.weight_concentration == 0.25
    assert prior.mean_precision == 1.0
    assert prior.degrees_of_freedom == 3.0
    np.testing.assert_allclose(prior.mean, X.mean(0))
    np.testing.assert_allclose(prior.covariance, np.cov(X.T))
    est = BayesianGaussianMixture(n_components=4, max_iter=1)
    est._check_parameters(X)
    assert est.weight_concentration_prior_ == prior.weight_concentration
    np.testing.assert_allclose(est.covariance_prior_, prior.covariance)


def test_run_stops_on_tol_and_keeps_history():
    X = blobs(300, **SEPARATED)
    prior = default_prior(X, 6, weight_concentration=0.01)
    init, resp = vb_initialize(X, 6, prior=prior)
    trace = run_vb(X, init, prior, max_iter=500, tol=1e-6, init_resp=resp)
    assert trace.converged and trace.stop_reason == "converged"
    n = trace.n_iter
    assert len(trace.params) == n + 1 == len(trace.elbo) == len(trace.elbo_after_m)
    assert trace.expected_weights.shape == (n + 1, 6)
    assert trace.active_mask().shape == (n + 1, 6)
    assert abs(trace.elbo[-1] - trace.elbo[-2]) / X.shape[0] < 1e-6
    assert trace.params[0] is init
    assert len(trace.to_params()) == n + 1
    zero = run_vb(X, init, prior, max_iter=0)
    assert zero.n_iter == 0 and zero.stop_reason == "max_iter" and len(zero.elbo) == 1
    assert np.isnan(zero.elbo_after_m[0])


def test_errors_say_what_was_expected():
    X = blobs(120, 2, seed=0, **ROTATED)
    with pytest.raises(ParameterError, match="degrees_of_freedom should be greater than"):
        default_prior(X, 3, degrees_of_freedom=0.5)
    with pytest.raises(ParameterError, match="covariance should be positive definite"):
        default_prior(X, 3, covariance=[[1.0, 1.0], [1.0, 1.0]])
    with pytest.raises(ParameterError, match="weight_concentration should be a finite number > 0"):
        default_prior(X, 3, weight_concentration=0.0)
    with pytest.raises(ParameterError, match="weight_concentration_prior_type should be one of"):
        default_prior(X, 3, weight_concentration_prior_type="pitman_yor")
    with pytest.raises(DataError, match="at least 2 points"):
        default_prior(X[:1], 1)
    with pytest.raises(DataError, match="need at least 5 distinct points"):
        vb_initialize(np.tile([1.0, 2.0], (10, 1)), 5)
    with pytest.raises(ParameterError, match="method should be one of"):
        vb_initialize(X, 2, method="spectral")
    init, _ = vb_initialize(X, 2)
    dp = default_prior(X, 2, weight_concentration_prior_type="dirichlet_process")
    with pytest.raises(ParameterError, match="same weight prior"):
        run_vb(X, init, dp)
    with pytest.raises(ParameterError, match="same number of features"):
        run_vb(X, init, default_prior(blobs(120, 3, seed=0, **ROTATED), 2))
    with pytest.raises(ParameterError, match=r"VBParams\.means should have shape"):
        VBParams([1.0], [1.0], [1.0, 2.0], [3.0], [[[1.0]]])
