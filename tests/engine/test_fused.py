"""The fused EM kernel (emviz/engine/_fused.py) against the dense reference, scikit-learn, and an
extended-precision evaluation of scikit-learn's formulas; plus its invariants."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

from emviz.engine import _fused as fused
from emviz.engine._fused import FusedKernel, supports
from emviz.engine.em import DenseKernel, e_step, initialize, run_em
from emviz.errors import CollapseError
from emviz.model.params import COVARIANCE_TYPES, Params
from tests.builders import blobs

TOL = 1e-10
_EPS = float(np.finfo(np.float64).eps)


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    # Two BLAS threads on a busy 2-core runner cost milliseconds per small product.
    with threadpool_limits(1):
        yield


# --- Builders -----------------------------------------------------------------------------
#: Clusters with random shapes, rows in random order (as a file has them, so every block of the
#: fused kernel sees several clusters).
CLUSTERS = {"anisotropy": 0.3, "shuffle": True}


def start(X: np.ndarray, k: int, cov_type: str, seed: int) -> Params:
    return initialize(X, k, "kmeans++", seed=seed, covariance_type=cov_type, reg_covar=1e-6)


def far_off(p: Params) -> Params:
    """``p`` with its last component moved 400 away: computed about its own pivot."""
    return Params(p.weights, np.r_[p.means[:-1], p.means[-1:] + 400.0], p.covariances)


def assert_params_close(got: Params, want: Params, tol: float, what: str = "") -> None:
    """Relative agreement in each quantity's natural scale.

    Means are compared relative to ``|μ| + σ`` per feature, covariance entries relative to
    ``sqrt(Σ_ii Σ_jj)`` (so a column in 1e-3 is held to 1e-3-sized errors), weights
    relative to themselves.
    """
    sd = np.sqrt(np.diagonal(want.covariances, axis1=1, axis2=2))
    checks = {
        "weights": (got.weights, want.weights, want.weights),
        "means": (got.means, want.means, np.abs(want.means) + sd),
        "covariances": (got.covariances, want.covariances, sd[:, :, None] * sd[:, None, :]),
    }
    for name, (a, b, scale) in checks.items():
        err = float(np.max(np.abs(a - b) / scale))
        assert err <= tol, f"{what}{name}: relative difference {err:.2e} > {tol:.0e}"


def assert_ll_close(got: float, want: float, tol: float, what: str = "") -> None:
    err = abs(got - want) / max(abs(want), 1.0)
    assert err <= tol, f"{what}log-likelihood: relative difference {err:.2e} > {tol:.0e}"


# --- An extended-precision reference ------------------------------------------------------
# scikit-learn's own M-step formulas cancel badly on off-centre data (Σ r x²/n_k − μ² at
# x ≈ 1e4 loses 8 digits), so there DenseKernel (which uses them in float64) is no reference.
# This one does the E-step in long double, where nothing cancels, and the M-step in exact
# rational arithmetic on the float64 responsibilities.
def _as_ints(a: np.ndarray) -> tuple[np.ndarray, int]:
    """``a == ints * 2**exp`` exactly, with ``ints`` an object array of Python ints."""
    mant, expo = np.frexp(a)
    ints = (mant * 2.0**53).astype(np.int64)
    expo = expo - 53
    low = int(expo[ints != 0].min()) if np.any(ints != 0) else 0
    shift = np.frompyfunc(lambda i, s: int(i) << int(s), 2, 1)
    return shift(ints, expo - low), low


def _exact_m_step(X: np.ndarray, resp: np.ndarray, cov_type: str, reg: float) -> Params:
    (xi, ex), (ri, er) = _as_ints(X), _as_ints(resp)
    d, k = X.shape[1], resp.shape[1]

    def frac(num: int, expo: int) -> Fraction:
        return Fraction(num) * Fraction(2) ** expo

    nk = [frac(v, er) + 10 * Fraction(_EPS) for v in ri.sum(axis=0)]
    s1 = ri.T @ xi
    s2 = np.einsum("nk,ni,nj->kij", ri, xi, xi)
    means = [[frac(s1[c, i], er + ex) / nk[c] for i in range(d)] for c in range(k)]
    ex2 = er + 2 * ex

    def full(c: int, i: int, j: int) -> Fraction:
        m, s = means[c], frac
        return (
            s(s2[c, i, j], ex2) - m[i] * s(s1[c, j], er + ex) - m[j] * s(s1[c, i], er + ex)
        ) / nk[c] + m[i] * m[j] * (nk[c] - 10 * Fraction(_EPS)) / nk[c]

    def diag(c: int, i: int) -> Fraction:
        m = means[c]
        return (
            frac(s2[c, i, i], ex2) / nk[c]
            - 2 * m[i] * frac(s1[c, i], er + ex) / nk[c]
            + m[i] * m[i]
        )

    cov = np.zeros((k, d, d), dtype=object)
    if cov_type == "full":
        for c in range(k):
            for i in range(d):
                for j in range(d):
                    cov[c, i, j] = full(c, i, j)
    elif cov_type == "tied":
        # XᵀX written as Σ_k Σ_n r_nk x xᵀ: equal in exact arithmetic, where rows of resp
        # sum to 1; otherwise their float64 rounding (1e-16) is amplified by |x|²/σ².
        tot = sum(nk)
        for i in range(d):
            for j in range(d):
                xtx = sum(frac(s2[c, i, j], ex2) for c in range(k))
                v = xtx - sum(nk[c] * means[c][i] * means[c][j] for c in range(k))
                cov[:, i, j] = v / tot
    else:
        for c in range(k):
            var = [diag(c, i) for i in range(d)]
            if cov_type == "spherical":
                var = [sum(var) / d] * d
            for i in range(d):
                cov[c, i, i] = var[i]
    for i in range(d):
        cov[:, i, i] += Fraction(reg)
    cov_f = np.array([[[float(v) for v in row] for row in mat] for mat in cov])
    w = np.array([float(v / sum(nk)) for v in nk])
    return Params(w / w.sum(), np.array([[float(v) for v in m] for m in means]), cov_f)


def _long_double_e_step(X: np.ndarray, params: Params) -> tuple[float, np.ndarray]:
    ld = np.longdouble
    x = X.astype(ld)
    n, d = X.shape
    lp = np.empty((n, params.n_components), dtype=ld)
    for c in range(params.n_components):
        cov = params.covariances[c].astype(ld)
        chol = np.zeros((d, d), dtype=ld)
        for i in range(d):
            for j in range(i + 1):
                s = cov[i, j] - sum(chol[i, m] * chol[j, m] for m in range(j))
                chol[i, j] = np.sqrt(s) if i == j else s / chol[j, j]
        diff = x - params.means[c].astype(ld)
        y = np.empty_like(diff)
        for i in range(d):
            y[:, i] = (diff[:, i] - sum(chol[i, m] * y[:, m] for m in range(i))) / chol[i, i]
        lp[:, c] = (
            np.log(ld(params.weights[c]))
            - 0.5 * (d * np.log(2 * np.pi * ld(1)) + (y * y).sum(axis=1))
            - np.log(np.diagonal(chol)).sum()
        )
    top = lp.max(axis=1, keepdims=True)
    point_ll = np.log(np.exp(lp - top).sum(axis=1)) + top[:, 0]
    return float(point_ll.sum()), np.exp(lp - point_ll[:, None]).astype(np.float64)


def reference_iterate(
    X: np.ndarray, params: Params, cov_type: str, reg: float
) -> tuple[float, Params]:
    ll, resp = _long_double_e_step(X, params)
    return ll, _exact_m_step(X, resp, cov_type, reg)


# --- supports -----------------------------------------------------------------------------
@pytest.mark.parametrize("d", [1, 2, 3])
def test_supports_small_dimensions(d):
    assert supports(np.zeros((5, d)))


@pytest.mark.parametrize("shape", [(5, 4), (5,), (5, 0), (0, 2)])
def test_supports_rejects_other_shapes(shape):
    assert not supports(np.zeros(shape))


# --- Exactness against the dense kernel ---------------------------------------------------
def _compare_runs(X, init, cov_type, check_at=(1, 5, 50), reg=1e-6, tol=TOL):
    dense, fused = DenseKernel(X), FusedKernel(X)
    pd = pf = init
    for it in range(1, max(check_at) + 1):
        ll_d, pd = dense.iterate(pd, cov_type, reg)
        ll_f, pf = fused.iterate(pf, cov_type, reg)
        if it in check_at:
            tag = f"iteration {it}: "
            assert_ll_close(ll_f, ll_d, tol, tag)
            assert_params_close(pf, pd, tol, tag)
    assert_ll_close(fused.log_likelihood(pf), dense.log_likelihood(pd), tol, "final: ")


@pytest.mark.parametrize("k", [1, 3, 10])
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("cov_type", COVARIANCE_TYPES)
def test_matches_dense(cov_type, d, k):
    X = blobs(200, d, k, seed=d + k, **CLUSTERS)
    _compare_runs(X, start(X, k, cov_type, seed=d + k), cov_type)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("cov_type", COVARIANCE_TYPES)
def test_matches_dense_other_seeds(cov_type, seed):
    X = blobs(200, 2, 4, seed=seed, **CLUSTERS)
    _compare_runs(X, start(X, 4, cov_type, seed), cov_type, check_at=(1, 5))


@pytest.mark.parametrize("k", [1, 3, 10])
@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("cov_type", COVARIANCE_TYPES)
def test_matches_dense_columns_of_very_different_scales(cov_type, d, k):
    X = blobs(300, d, k, seed=3, scale=np.logspace(-3, 3, d), **CLUSTERS)
    _compare_runs(X, start(X, k, cov_type, 3), cov_type)


@pytest.mark.parametrize("k", [1, 3, 10])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_matches_dense_off_centre_full(d, k):
    # Full covariances are the one type whose scikit-learn formula centres the data itself.
    X = blobs(200, d, k, seed=4, offset=1e4, **CLUSTERS)
    _compare_runs(X, start(X, k, "full", 4), "full")


@pytest.mark.parametrize("k", [3, 10])
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("cov_type", COVARIANCE_TYPES)
def test_matches_exact_reference_off_centre(cov_type, d, k):
    """Data around 1e4 with spread ~1, against scikit-learn's formulas in high precision.

    DenseKernel errs by ~1e-8 here for tied/diag/spherical (float64 cancellation in
    Σ r x²/n_k − μ², shared with scikit-learn); the fused kernel centres first.
    """
    X = blobs(150, d, k, seed=5, offset=1e4, **CLUSTERS)
    pf = pr = start(X, k, cov_type, 5)
    fused = FusedKernel(X)
    for it in range(1, 6):
        ll_f, pf = fused.iterate(pf, cov_type, 1e-6)
        ll_r, pr = reference_iterate(X, pr, cov_type, 1e-6)
        if it in (1, 5):
            assert_ll_close(ll_f, ll_r, TOL, f"iteration {it}: ")
            assert_params_close(pf, pr, TOL, f"iteration {it}: ")


@pytest.mark.parametrize("cov_type", ["full", "diag", "spherical"])  # a tied one can't shrink
def test_component_on_one_point_is_exact(cov_type):
    """A component shrunk onto one point (covariance = reg_covar) far from the data mean.

    The shared expanded quadratic would lose ~14 digits for it (κ ~ 1e14), so the kernel
    computes it about its own mean. DenseKernel's diag/spherical formula loses them too
    (it errs by ~1e-2 here).
    """
    X = blobs(200, 3, 10, seed=0, scale=np.logspace(-3, 3, 3), **CLUSTERS)
    p = start(X, 10, cov_type, 0)
    fused = FusedKernel(X)
    assert fused._plan(p).pivoted.size >= 1
    pf = pr = p
    for it in range(1, 4):
        ll_f, pf = fused.iterate(pf, cov_type, 1e-6)
        ll_r, pr = reference_iterate(X, pr, cov_type, 1e-6)
        assert_ll_close(ll_f, ll_r, TOL, f"iteration {it}: ")
        assert_params_close(pf, pr, TOL, f"iteration {it}: ")


@pytest.mark.parametrize("cov_type", COVARIANCE_TYPES)
def test_reference_agrees_with_dense_on_centred_data(cov_type):
    # The extended-precision reference is itself checked where float64 is accurate.
    X = blobs(120, 2, 3, seed=6, **CLUSTERS)
    p = start(X, 3, cov_type, 6)
    ll_r, pr = reference_iterate(X, p, cov_type, 1e-6)
    ll_d, pd = DenseKernel(X).iterate(p, cov_type, 1e-6)
    assert_ll_close(ll_r, ll_d, 1e-13)
    assert_params_close(pr, pd, 1e-12)


# --- Against scikit-learn, through run_em ---------------------------------------------------
def sklearn_fit(X, init: Params, cov_type: str, n_iter: int, reg: float):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture

    precisions = np.linalg.inv(init.covariances)
    precisions_init = {
        "full": precisions,
        "tied": precisions[0],
        "diag": 1.0 / np.diagonal(init.covariances, axis1=1, axis2=2),
        "spherical": 1.0 / init.compact_covariances("spherical"),
    }[cov_type]
    gm = GaussianMixture(
        init.n_components,
        covariance_type=cov_type,
        reg_covar=reg,
        max_iter=n_iter,
        tol=0,
        init_params="random_from_data",
        weights_init=init.weights,
        means_init=init.means,
        precisions_init=precisions_init,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return gm.fit(X)


@pytest.mark.parametrize("k", [1, 3, 10])
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("cov_type", COVARIANCE_TYPES)
def test_run_em_fused_matches_scikit_learn(cov_type, d, k):
    X = blobs(300, d, k, seed=7, **CLUSTERS)
    init = start(X, k, cov_type, 7)
    trace = run_em(X, init, cov_type, reg_covar=1e-6, max_iter=10, tol=0, kernel="fused")
    assert trace.n_iter == 10
    gm = sklearn_fit(X, init, cov_type, 10, 1e-6)
    got = trace.final
    np.testing.assert_allclose(got.weights, gm.weights_, rtol=1e-8)
    np.testing.assert_allclose(got.means, gm.means_, rtol=1e-8, atol=1e-8 * np.abs(X).max())
    np.testing.assert_allclose(got.compact_covariances(cov_type), gm.covariances_, rtol=1e-8)
    assert_ll_close(trace.log_likelihood[-1] / len(X), gm.score(X), 1e-8)


# --- Edge cases -----------------------------------------------------------------------------
@pytest.mark.parametrize("d", [1, 2, 3])
def test_empty_component_matches_dense(d):
    # Component 2 sits far from every point: its responsibilities underflow to ~0, so
    # scikit-learn's formulas give mean 0 (user units) and covariance reg_covar·I.
    X = blobs(200, d, 2, seed=8, offset=50.0, **CLUSTERS)
    base = start(X, 2, "full", 8)
    far = Params(
        np.r_[base.weights * (1 - 1e-3), 1e-3],
        np.vstack([base.means, np.full(d, 1e4)]),
        np.concatenate([base.covariances, 1e-2 * np.eye(d)[None]]),
    )
    for cov_type in COVARIANCE_TYPES:
        ll_d, pd = DenseKernel(X).iterate(far, cov_type, 1e-6)
        ll_f, pf = FusedKernel(X).iterate(far, cov_type, 1e-6)
        assert np.all(np.isfinite(pf.means)) and np.all(np.isfinite(pf.covariances))
        assert_ll_close(ll_f, ll_d, TOL)
        np.testing.assert_allclose(pf.means, pd.means, rtol=TOL, atol=1e-12)
        np.testing.assert_allclose(pf.covariances, pd.covariances, rtol=TOL, atol=1e-18)
        np.testing.assert_allclose(pf.weights, pd.weights, rtol=TOL, atol=1e-18)
    assert np.allclose(pd.means[2], 0.0, atol=1e-12)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_singular_covariance_raises_collapse_error(d):
    X = blobs(50, d, 2, seed=9, **CLUSTERS)
    p = start(X, 2, "full", 9)
    cov = p.covariances.copy()
    cov[1] = 0.0  # singular (and symmetric): component 1 collapsed
    bad = Params(p.weights, p.means, cov)
    kernel = FusedKernel(X)
    with pytest.raises(CollapseError) as fused_err:
        kernel.iterate(bad, "full", 0.0)
    assert fused_err.value.component == 1
    with pytest.raises(CollapseError):
        kernel.log_likelihood(bad)
    with pytest.raises(CollapseError) as dense_err:
        DenseKernel(X).iterate(bad, "full", 0.0)
    assert dense_err.value.component == fused_err.value.component


def test_indefinite_covariance_raises_collapse_error():
    X = blobs(50, 2, 2, seed=10, **CLUSTERS)
    p = start(X, 2, "full", 10)
    cov = p.covariances.copy()
    cov[0] = [[1.0, 2.0], [2.0, 1.0]]  # positive diagonal, negative determinant
    with pytest.raises(CollapseError) as err:
        FusedKernel(X).log_likelihood(Params(p.weights, p.means, cov))
    assert err.value.component == 0


def test_run_em_collapse_stops_like_dense():
    # Two identical points and a component that can shrink onto them at reg_covar = 0.
    X = np.r_[np.zeros((2, 2)), np.random.default_rng(11).normal(size=(30, 2)) + 5.0]
    init = Params([0.5, 0.5], [[0.0, 0.0], [5.0, 5.0]], [np.eye(2) * 0.5, np.eye(2)])
    runs = {
        kernel: run_em(X, init, "full", reg_covar=0.0, max_iter=200, tol=0, kernel=kernel)
        for kernel in ("dense", "fused")
    }
    assert runs["fused"].stop_reason == runs["dense"].stop_reason == "collapsed"
    assert runs["fused"].collapsed_component == runs["dense"].collapsed_component == 0
    assert runs["fused"].n_iter == runs["dense"].n_iter


def test_log_likelihood_matches_e_step():
    X = blobs(5000, 3, 4, seed=12, scale=[1.0, 10.0, 0.1], **CLUSTERS)
    p = start(X, 4, "full", 12)
    assert_ll_close(FusedKernel(X).log_likelihood(p), e_step(X, p).log_likelihood, 1e-12)


def test_several_blocks_and_a_ragged_last_block():
    X = blobs(2 * 8192 + 17, 2, 3, seed=13, **CLUSTERS)
    p = start(X, 3, "full", 13)
    ll_d, pd = DenseKernel(X).iterate(p, "full", 1e-6)
    ll_f, pf = FusedKernel(X).iterate(p, "full", 1e-6)
    assert_ll_close(ll_f, ll_d, TOL)
    assert_params_close(pf, pd, TOL)


def test_chained_iterations_match_dense_over_many_blocks():
    # From the second iteration on, the kernel subtracts the previous ln p(x_n) inside the
    # product (the shifted log-sum-exp) instead of the per-point maximum.
    X = blobs(3 * 8192 + 5, 2, 4, seed=15, **CLUSTERS)
    p = start(X, 4, "full", 15)
    dense, fused = DenseKernel(X), FusedKernel(X)
    pd = pf = p
    for _ in range(4):
        ll_d, pd = dense.iterate(pd, "full", 1e-6)
        ll_f, pf = fused.iterate(pf, "full", 1e-6)
        assert_ll_close(ll_f, ll_d, TOL)
        assert_params_close(pf, pd, TOL)
    assert_ll_close(fused.log_likelihood(pf), dense.log_likelihood(pd), TOL)


@pytest.mark.parametrize("offset", [1e4, -1e4, np.inf, np.nan])
def test_a_far_off_shift_falls_back_to_the_exact_log_sum_exp(offset):
    # A shift that would overflow or underflow exp() (or is not a number) is detected per
    # block, and the block is redone with the per-point maximum.
    X = blobs(20_000, 3, 3, seed=16, **CLUSTERS)
    p = start(X, 3, "full", 16)
    kernel = FusedKernel(X)
    _, p1 = kernel.iterate(p, "full", 1e-6)
    kernel._feats[-1, 5000:5100] += offset
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ll_f, pf = kernel.iterate(p1, "full", 1e-6)
    ll_d, pd = DenseKernel(X).iterate(p1, "full", 1e-6)
    assert_ll_close(ll_f, ll_d, TOL)
    assert_params_close(pf, pd, TOL)


@pytest.mark.parametrize(("d", "k"), [(1, 3), (2, 5), (3, 20)])
def test_threads_change_nothing_bit_for_bit(monkeypatch, d, k):
    # Threads take blocks from one queue; every block's results land in their
    # own slots and are summed in block order, so 1, 2 or 3 threads give identical bits,
    # also with a pivoted (far-off) component and a block redone with the exact shift.
    n_coef = 1 + d + d * (d + 1) // 2
    n_blocks = 3 * fused.MIN_BLOCKS_PER_WORKER + 1
    X = blobs(fused.block_size(k, n_coef) * (n_blocks - 1) + 77, d, k, seed=40 + d, **CLUSTERS)
    p = start(X, k, "full", 40 + d)
    p = far_off(p)
    results = {}
    for cpus in (1, 2, 3):
        monkeypatch.setattr(fused, "CPUS", cpus)
        assert fused._workers(n_blocks) == cpus
        kernel = FusedKernel(X)
        params, lls = p, []
        for it in range(4):
            if it == 3:  # far off in the last run of blocks: that block is redone exactly
                kernel._feats[-1, -500:] += 1e4
            ll, params = kernel.iterate(params, "full", 1e-6)
            lls.append(ll)
        lls.append(kernel.log_likelihood(params))
        results[cpus] = (lls, params)
    want_ll, want = results[1]
    assert np.all(np.isfinite(want_ll))
    for cpus in (2, 3):
        got_ll, got = results[cpus]
        assert got_ll == want_ll, cpus
        for name in ("weights", "means", "covariances"):
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)


def test_passes_of_concurrent_runs_share_the_pool(monkeypatch):
    # A server runs several sessions' fits at once; they share one worker pool. Each run
    # still gets its own bits, and a pass never waits on a worker queued behind another
    # run's (it is cancelled once the caller has taken every block itself).
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(fused, "CPUS", 2)
    n_blocks = 4 * fused.MIN_BLOCKS_PER_WORKER
    data = [blobs(fused.block_size(3, 6) * n_blocks, 2, 3, seed=50 + i, **CLUSTERS)
            for i in range(3)]

    def run(X):
        kernel, params, lls = FusedKernel(X), start(X, 3, "full", 50), []
        for _ in range(3):
            ll, params = kernel.iterate(params, "full", 1e-6)
            lls.append(ll)
        return lls, params.means

    alone = [run(X) for X in data]
    with ThreadPoolExecutor(max_workers=3) as sessions:
        together = list(sessions.map(run, data))
    for (ll_a, means_a), (ll_t, means_t) in zip(alone, together, strict=True):
        assert ll_a == ll_t
        np.testing.assert_array_equal(means_a, means_t)


def test_few_blocks_stay_on_one_thread(monkeypatch):
    # Starting a pool thread and joining it costs ~0.1 ms: small data never pays for it.
    monkeypatch.setattr(fused, "CPUS", 2)
    assert fused._workers(2 * fused.MIN_BLOCKS_PER_WORKER - 1) == 1
    assert fused._workers(2 * fused.MIN_BLOCKS_PER_WORKER) == 2


@pytest.mark.parametrize("d", [1, 2, 3])
def test_scalar_and_vector_parameter_algebra_agree(d):
    # Up to SCALAR_MAX_COMPONENTS components the coefficient rows are built on Python
    # floats, above on NumPy arrays: both must give the same plan, pivots included.
    X = blobs(3000, d, 5, seed=20 + d, offset=50.0, **CLUSTERS)
    p = start(X, 5, "full", 20 + d)
    far = far_off(p)
    kernel = FusedKernel(X)
    for params in (p, far):
        packed = params.covariances.reshape(5, -1)[:, kernel._layout.lower]
        args = (params.weights, params.means, packed, "in the covariance")
        scalar, vector = kernel._rows_scalar(*args), kernel._rows_vector(*args)
        for got, want in zip(scalar, vector, strict=True):
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-13, atol=1e-13)
    assert kernel._plan(far).pivoted.tolist() == [4]


@pytest.mark.parametrize("d", [1, 2, 3])
def test_scalar_and_vector_full_m_steps_agree(d):
    # For full covariances and few components the M-step runs on Python floats.
    X = blobs(3000, d, 4, seed=30 + d, offset=50.0, **CLUSTERS)
    p = start(X, 4, "full", 30 + d)
    far = far_off(p)
    kernel = FusedKernel(X)
    for params in (p, far):
        plan = kernel._plan(params)
        _, stats = kernel._pass(plan, with_stats=True)
        got, got_cov = kernel._m_step_full_scalar(stats, plan, 1e-6)
        want, want_cov = kernel._m_step_vector(stats, plan, "full", 1e-6)
        np.testing.assert_array_equal(np.asarray(got_cov), want_cov)
        np.testing.assert_array_equal(got.means, want.means)
        np.testing.assert_array_equal(got.covariances, want.covariances)
        np.testing.assert_allclose(got.weights, want.weights, rtol=1e-15)


def test_many_components_use_the_vector_algebra():
    X = blobs(4000, 2, 20, seed=21, **CLUSTERS)
    p = start(X, 20, "full", 21)
    ll_d, pd = DenseKernel(X).iterate(p, "full", 1e-6)
    ll_f, pf = FusedKernel(X).iterate(p, "full", 1e-6)
    assert_ll_close(ll_f, ll_d, TOL)
    assert_params_close(pf, pd, TOL)


def test_iterate_does_not_mutate_or_alias():
    X = blobs(100, 2, 2, seed=14, **CLUSTERS)
    p = start(X, 2, "diag", 14)
    before = p.to_dict()
    kernel = FusedKernel(X)
    _, a = kernel.iterate(p, "diag", 1e-6)
    _, b = kernel.iterate(p, "diag", 1e-6)
    assert p.to_dict() == before
    assert a.to_dict() == b.to_dict()
    assert not np.shares_memory(a.covariances, b.covariances)


# --- Thin components ------------------------------------------------------------------------
def thin_mixture(d: int, thinness: float, cov_type: str, seed: int) -> tuple[np.ndarray, Params]:
    """Two clusters of 60 points on nearly parallel hyperplanes, and their sample moments.

    The first cluster (or, for tied covariances, each cluster) has variance ``thinness``
    across the diagonal direction (1, …, 1) and 1 along the others, so its correlation matrix
    has a condition number of about ``1/thinness``. The clusters sit away from the data's
    origin (5 in every feature), as a file's columns do.
    """
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(np.c_[np.ones(d), np.eye(d)[:, : d - 1]])  # first column ∝ (1, …, 1)
    sd = np.r_[np.sqrt(thinness), np.ones(d - 1)]
    thin = (rng.normal(size=(60, d)) * sd) @ basis.T
    other = rng.normal(size=(60, d)) * (sd if cov_type == "tied" else 1.0)
    other = (other @ basis.T if cov_type == "tied" else other) + 3.0 * basis[:, 1]
    X = np.r_[thin, other] + 5.0
    covs = [np.cov(c.T, bias=True) for c in (thin, other)]
    if cov_type == "tied":
        covs = [(covs[0] + covs[1]) / 2] * 2
    return X, Params([0.5, 0.5], [thin.mean(0) + 5.0, other.mean(0) + 5.0], covs)


@pytest.mark.parametrize("thinness", [1e-4, 1e-6, 1e-8, 1e-10, 1e-12])
@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("cov_type", ["full", "tied"])
def test_thin_components_log_likelihood_matches_dense(cov_type, d, thinness):
    """A thin component's precision has entries ~1/thinness that cancel to an O(1)
    quadratic form: the expanded form (and a closed-form adjugate and determinant) lose
    about log10(1/thinness) digits, up to 6e-7 of the log-likelihood here. Through its
    Cholesky factor the kernel agrees with the dense route to 1e-11 (both err by the
    problem's own conditioning, up to ~4e-9 against an exact evaluation at 1e-12)."""
    X, p = thin_mixture(d, thinness, cov_type, seed=d)
    ll_d = e_step(X, p).log_likelihood
    scale = max(abs(ll_d), len(X))
    assert abs(FusedKernel(X).log_likelihood(p) - ll_d) <= 1e-11 * scale
    ll_f, pf = FusedKernel(X).iterate(p, cov_type, 0.0)
    _, pd = DenseKernel(X).iterate(p, cov_type, 0.0)
    assert abs(ll_f - ll_d) <= 1e-11 * scale
    assert_params_close(pf, pd, 1e-9)


# A tied covariance thinner than 1e-8 puts every point on a thin plane: there the float64
# Cholesky factor of the covariance itself (the dense kernel's too) errs by more than the
# exactness bound below.
@pytest.mark.parametrize(
    ("cov_type", "thinness"),
    [("full", 1e-6), ("full", 1e-8), ("full", 1e-10), ("tied", 1e-6), ("tied", 1e-8)],
)
@pytest.mark.parametrize("d", [2, 3])
def test_thin_components_never_decrease_the_log_likelihood(cov_type, d, thinness):
    X, p = thin_mixture(d, thinness, cov_type, seed=10 + d)
    assert FusedKernel(X)._plan(p).pivoted.size >= 1
    trace = run_em(X, p, cov_type, reg_covar=0.0, max_iter=15, tol=0, kernel="fused")
    assert trace.n_iter == 15
    assert np.all(np.diff(trace.log_likelihood) >= -trace.rounding_tolerance())
    # Each state's log-likelihood, not only their order, is right: within a quarter of the
    # rounding tolerance of an exact evaluation, so no decrease beyond it can be rounding. (A
    # dense run is no reference for the states: either M-step estimates the thin variance
    # only to about eps/thinness relative, so two runs drift apart by more than this.)
    exact = [_long_double_e_step(X, state)[0] for state in trace.params]
    np.testing.assert_allclose(
        trace.log_likelihood, exact, rtol=0, atol=trace.rounding_tolerance() / 4
    )


@pytest.mark.parametrize("bad", [-1.0, np.nan])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_collapse_in_the_cholesky_route_names_the_component(d, bad):
    # A covariance that passed the closed-form minors but has no Cholesky factor (by
    # rounding, when nearly singular) is a collapse of that component, not a LinAlgError.
    X = blobs(200, d, 3, seed=60, **CLUSTERS)
    kernel = FusedKernel(X)
    p = start(X, 3, "full", 60)
    packed = p.covariances.reshape(3, -1)[:, kernel._layout.lower]
    packed[2] = bad * packed[2]
    with pytest.raises(CollapseError) as err:
        kernel._whitening(p.weights, packed, np.arange(3), "in the covariance")
    assert err.value.component == 2


# --- Invariants on random problems ----------------------------------------------------------
@settings(max_examples=25)
# Thin components, each on three nearly coplanar points. The first (eigenvalues ~[6e-3, 1e-2,
# 2e-8]) made the expanded quadratic form lose 8 digits, and the log-likelihood fall by 3e-8;
# the other two shrink until they collapse, and their log-likelihoods fell by 17 and 3.7.
@example(n=20, d=3, k=3, cov_type="full", seed=98)
@example(n=22, d=3, k=3, cov_type="full", seed=38334)
@example(n=27, d=3, k=3, cov_type="full", seed=59448)
@given(
    n=st.integers(20, 150),
    d=st.integers(1, 3),
    k=st.integers(1, 4),
    cov_type=st.sampled_from(COVARIANCE_TYPES),
    seed=st.integers(0, 2**16),
)
def test_log_likelihood_never_decreases_without_reg(n, d, k, cov_type, seed):
    X = blobs(n, d, k, seed=seed, **CLUSTERS)
    init = initialize(X, k, "random", seed=seed, covariance_type=cov_type, reg_covar=1e-3)
    trace = run_em(X, init, cov_type, reg_covar=0.0, max_iter=15, tol=0, kernel="fused")
    ll = trace.log_likelihood[np.isfinite(trace.log_likelihood)]
    assert np.all(np.diff(ll) >= -trace.rounding_tolerance())
    for p in trace.params:
        assert np.all(np.isfinite(p.means)) and np.all(np.isfinite(p.covariances))
        assert np.allclose(p.covariances, np.swapaxes(p.covariances, 1, 2), rtol=0, atol=0)
