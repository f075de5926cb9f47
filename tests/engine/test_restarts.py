"""Tests of emviz.engine.restarts: reproducible restarts, deduplication of optima, degeneracy
flags."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris

from emviz import DataError, ParameterError, Params, initialize, run_em
from emviz.engine.restarts import (
    PARAM_ATOL,
    degeneracy_reasons,
    match_components,
    run_restarts,
    same_optimum,
)
from tests.builders import IRIS_FLAT_OPTIMUM, IRIS_FLAT_OPTIMUM_SEED, IRIS_TRUSTED_OPTIMUM, blobs

ASSETS = Path(__file__).resolve().parents[2] / "assets"


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------
#: Three well-separated round clusters in 2-D: every sensible start finds one optimum.
SEPARATED = {"centres": [[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]]}
#: Three overlapping round clusters: restarts need ~60 iterations and find several optima.
OVERLAPPING = {"centres": [[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]]}


def faithful() -> np.ndarray:
    """Old Faithful (eruptions, waiting) from assets/, or skip."""
    path = next((p for p in (ASSETS / "faithful.csv", ASSETS / "old_faithful.csv") if p.exists()),
                None)
    if path is None:
        pytest.skip("assets/faithful.csv (Old Faithful from pydataset) is not in the repo yet")
    try:
        from emviz.data.csv import load_csv

        table = load_csv(path)
        cols = [next(c for c in table.numeric_columns if c.lower().startswith(prefix))
                for prefix in ("eruptions", "waiting")]
        return table.select(cols).X
    except ImportError:
        import pandas as pd

        frame = pd.read_csv(path)
        cols = [next(c for c in frame.columns if c.lower().startswith(prefix))
                for prefix in ("eruptions", "waiting")]
        return frame[cols].to_numpy(dtype=float)


# --------------------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------------------
def test_each_restart_is_run_em_from_initialize_at_its_seed():
    X = blobs(300, **OVERLAPPING)
    res = run_restarts(X, 3, 4, methods=("kmeans++", "random"), seed=10, max_iter=30)
    assert [(r.method, r.seed) for r in res.restarts] == [
        (m, s) for m in ("kmeans++", "random") for s in range(10, 14)
    ]
    for r in res.restarts[::3]:
        tr = run_em(X, initialize(X, 3, r.method, r.seed), "full", 1e-6, 30, 1e-6)
        assert r.log_likelihood == pytest.approx(tr.log_likelihood[-1], rel=1e-12)
        assert r.n_iter == tr.n_iter and r.stop_reason == tr.stop_reason
        np.testing.assert_allclose(r.params.means, tr.final.means, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("dim", [1, 2, 3])
def test_batched_restarts_end_where_run_em_ends(covariance_type, dim):
    X = blobs(150, seed=dim, **OVERLAPPING)[:, :dim] if dim < 3 else np.column_stack(
        [blobs(150, seed=3, **OVERLAPPING), np.random.default_rng(3).normal(size=150)])
    kwargs = {"methods": ("kmeans++", "random"), "covariance_type": covariance_type,
              "max_iter": 40, "seed": 1}
    fast = run_restarts(X, 3, 3, use_batch=True, **kwargs)
    slow = run_restarts(X, 3, 3, use_batch=False, **kwargs)
    for a, b in zip(fast.restarts, slow.restarts, strict=True):
        assert (a.method, a.seed, a.n_iter, a.stop_reason) == (b.method, b.seed, b.n_iter,
                                                               b.stop_reason)
        assert a.log_likelihood == pytest.approx(b.log_likelihood, rel=1e-11)
        np.testing.assert_allclose(a.params.covariances, b.params.covariances,
                                   rtol=1e-7, atol=1e-10)
    assert [o.count for o in fast.optima] == [o.count for o in slow.optima]


@pytest.mark.parametrize("loader", ["iris", "wine"])
def test_batched_restarts_match_run_em_on_real_data(loader):
    from sklearn import datasets

    X = getattr(datasets, f"load_{loader}")().data  # D = 4 and D = 13, unscaled columns
    kwargs = {"methods": ("kmeans++", "random_from_data"), "seed": 568}
    fast = run_restarts(X, 3, 4, use_batch=True, **kwargs)
    slow = run_restarts(X, 3, 4, use_batch=False, **kwargs)
    for a, b in zip(fast.restarts, slow.restarts, strict=True):
        assert (a.n_iter, a.stop_reason) == (b.n_iter, b.stop_reason)
        assert a.log_likelihood == pytest.approx(b.log_likelihood, rel=1e-9)


def test_batched_collapse_matches_run_em_up_to_one_iteration():
    try:
        from emviz.data.synthetic import make_preset

        X = make_preset("singularity_trap").X
    except ImportError:
        rng = np.random.default_rng(0)
        X = np.vstack([rng.normal(size=(60, 2)), np.repeat([[4.0, 4.0]], 15, axis=0)])
    fast = run_restarts(X, 4, 6, reg_covar=0.0, use_batch=True)
    slow = run_restarts(X, 4, 6, reg_covar=0.0, use_batch=False)
    for a, b in zip(fast.restarts, slow.restarts, strict=True):
        assert a.stop_reason == b.stop_reason
        assert abs(a.n_iter - b.n_iter) <= 1


def test_a_small_pool_refilled_as_restarts_stop_ends_where_run_em_ends(monkeypatch):
    """Restarts advance a few at a time; each stopped one hands its place to the next start,
    whatever iteration the others are at."""
    import emviz.engine.restarts as rs

    X = blobs(200, seed=4, **OVERLAPPING)
    monkeypatch.setattr(rs, "pool_size", lambda k, n: 2)
    res = run_restarts(X, 3, 7, methods=("random", "kmeans++"), max_iter=60, tol=1e-3, seed=2)
    iters = {r.n_iter for r in res.restarts}
    assert len(iters) > 2  # they stop at different iterations, so the pool is refilled
    for r in res.restarts:
        tr = run_em(X, initialize(X, 3, r.method, r.seed), "full", 1e-6, 60, 1e-3)
        assert (r.n_iter, r.stop_reason) == (tr.n_iter, tr.stop_reason)
        assert r.log_likelihood == pytest.approx(tr.log_likelihood[-1], rel=1e-11)


@pytest.mark.parametrize("use_batch", [True, False])
def test_should_stop_cancels_the_restarts(use_batch):
    from emviz import Cancelled

    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 2

    with pytest.raises(Cancelled):
        run_restarts(blobs(200, **OVERLAPPING), 3, 20, use_batch=use_batch, should_stop=stop)
    assert len(asked) == 3


def test_deterministic_per_seed():
    X = load_iris().data
    a = run_restarts(X, 3, 5, methods=("random_from_data",), seed=3)
    b = run_restarts(X, 3, 5, methods=("random_from_data",), seed=3)
    assert [r.log_likelihood for r in a.restarts] == [r.log_likelihood for r in b.restarts]
    assert [(o.log_likelihood, o.seeds) for o in a.optima] == [
        (o.log_likelihood, o.seeds) for o in b.optima
    ]


def test_progress_is_reported_after_every_restart():
    calls = []
    run_restarts(blobs(200, **SEPARATED), 3, 3, methods=("kmeans++", "kmeans"),
                 progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 6) for i in range(1, 7)]


# --------------------------------------------------------------------------------------
# Deduplication
# --------------------------------------------------------------------------------------
def test_permuted_solutions_are_one_optimum():
    X = blobs(600, **SEPARATED)
    p = run_em(X, initialize(X, 3, "kmeans", 0), "full", 1e-6, 100, 1e-6).final
    ll = run_em(X, p, max_iter=0).log_likelihood[-1]
    q = p.relabel([2, 0, 1])
    order, worst = match_components(p, q, X.std(axis=0))
    assert worst == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_array_equal(q.relabel(order).means, p.means)
    assert same_optimum(p, ll, q, ll, X.std(axis=0))

    # Through run_restarts: starts that label the clusters differently still count once.
    res = run_restarts(X, 3, 8, seed=0)
    assert len(res.optima) == 1 and res.optima[0].count == 8
    firsts = {tuple(np.argsort(r.params.means[:, 0] + 3 * r.params.means[:, 1]))
              for r in res.restarts}
    assert len(firsts) > 1, "the test needs restarts with different component orders"
    assert all(r.optimum == 0 for r in res.restarts)
    assert res.best_index == res.recommended_index == 0


def test_two_permuted_runs_give_count_two():
    X = blobs(600, **SEPARATED)
    res = run_restarts(X, 3, 2, seed=0)
    a, b = (r.params for r in res.restarts)
    if np.allclose(a.means, b.means, atol=1e-3):
        pytest.skip("both starts happened to use the same labelling")
    assert len(res.optima) == 1 and res.optima[0].count == 2
    assert sorted(res.optima[0].seeds) == [0, 1]


def test_different_optima_stay_separate():
    X = blobs(600, **SEPARATED)
    p = run_em(X, initialize(X, 3, "kmeans", 0), "full", 1e-6, 100, 1e-6).final
    s = X.std(axis=0)
    # Same log-likelihood (forced) but a component moved by 10 data standard deviations.
    moved = Params(p.weights, p.means + np.array([[10 * s[0], 0], [0, 0], [0, 0]]),
                   p.covariances)
    assert not same_optimum(p, -100.0, moved, -100.0, s)
    # Same parameters but log-likelihoods apart by more than the tolerance.
    assert not same_optimum(p, -100.0, p, -101.0, s)
    # Small parameter differences within the tolerance are the same optimum.
    nudged = Params(p.weights, p.means + 0.5 * PARAM_ATOL * s, p.covariances)
    assert same_optimum(p, -100.0, nudged, -100.0 * (1 + 1e-6), s)


def test_genuinely_different_optima_on_iris_are_distinct_and_sorted():
    X = load_iris().data
    res = run_restarts(X, 3, 12, methods=("random_from_data",), seed=568)
    lls = [o.log_likelihood for o in res.optima]
    assert lls == sorted(lls, reverse=True)
    assert len(res.optima) >= 3
    assert np.all(np.abs(np.diff(lls)) > 1e-3)
    assert sum(o.count for o in res.optima) == 12
    for i, r in enumerate(res.restarts):
        assert i in res.optima[r.optimum].restarts


# --------------------------------------------------------------------------------------
# Suspicious optima
# --------------------------------------------------------------------------------------
def test_iris_degenerate_optimum_is_flagged_and_not_recommended():
    # One k-means++ seed reaches the flat optimum through a component of ~29 coplanar flowers
    # (thinnest variance exactly reg_covar); the other seeds mostly reach the trusted one.
    X = load_iris().data
    res = run_restarts(X, 3, 12, methods=("kmeans++",), seed=568, reg_covar=1e-6)
    top = res.optima[0]
    assert top.log_likelihood == pytest.approx(IRIS_FLAT_OPTIMUM, abs=0.01)
    assert IRIS_FLAT_OPTIMUM_SEED in top.seeds
    assert top.suspicious and "flat" in top.reason
    # The flat component, named as the legend names it (index k is "component k + 1").
    eig = np.linalg.eigvalsh(top.params.covariances)
    flat = int(np.argmin(eig[:, 0] / eig[:, -1]))
    assert f"component {flat + 1} is flat" in top.reason
    assert [m.params["component"] for m in top.reason.parts
            if m.code == "restarts.reason_flat"] == [flat + 1]
    assert res.best_index == 0  # what n_init would keep
    rec = res.recommended
    assert rec.log_likelihood == pytest.approx(IRIS_TRUSTED_OPTIMUM, abs=0.01)
    assert not rec.suspicious and rec.reason == ""
    assert res.method_stats["kmeans++"].fraction_best == rec.count / 12
    assert res.method_stats["kmeans++"].fraction_top == pytest.approx(1 / 12)


def test_degeneracy_criteria():
    X = blobs(300, **SEPARATED)
    p = run_em(X, initialize(X, 3, "kmeans", 0), "full", 1e-6, 100, 1e-6).final
    assert degeneracy_reasons(p, 300, 1e-6) == []
    # A component with ~3 points.
    w = np.array([0.49, 0.5, 0.01])
    few = Params(w, p.means, p.covariances)
    assert any("holds only" in r for r in degeneracy_reasons(few, 300, 1e-6))
    # A component with a tiny volume (det 1e-8 times the others).
    cov = p.covariances.copy()
    cov[1] *= 1e-4
    tiny = Params(p.weights, p.means, cov)
    assert any("determinant" in r for r in degeneracy_reasons(tiny, 300, 1e-6))
    # A flat component: one variance equals the floor.
    cov = p.covariances.copy()
    cov[0] = np.diag([1.0, 1e-3])
    flat = Params(p.weights, p.means, cov)
    assert any("flat" in r for r in degeneracy_reasons(flat, 300, 1e-3))


@pytest.mark.parametrize("k", (0, 1, 2))
def test_reasons_number_components_from_one_like_the_legends(k):
    """Index k of the params is "component k + 1" in the text (the legends' numbering)."""
    X = blobs(300, **SEPARATED)
    p = run_em(X, initialize(X, 3, "kmeans", 0), "full", 1e-6, 100, 1e-6).final
    w = np.full(3, 0.495)
    w[k] = 0.01
    cov = p.covariances.copy()
    cov[k] = np.diag([1.0, 1e-3]) * 1e-4  # tiny and sitting on the floor 1e-7
    reasons = degeneracy_reasons(Params(w / w.sum(), p.means, cov), 300, 1e-7)
    assert {r.code for r in reasons} == {"restarts.reason_few_points",
                                         "restarts.reason_tiny_volume", "restarts.reason_flat"}
    for r in reasons:
        assert r.params["component"] == k + 1
        assert r.startswith(f"component {k + 1} ") or r.startswith(f"component {k + 1}'s ")
        assert f"component {k}" not in r.replace(f"component {k + 1}", "")
    assert f"component {k + 1} is flat" in "; ".join(reasons)


def test_collapsed_runs_are_suspicious_and_not_kept_as_best():
    try:
        from emviz.data.synthetic import SINGULARITY_TRAP_COLLAPSE, make_preset

        X = make_preset("singularity_trap").X
        k, method, seed = SINGULARITY_TRAP_COLLAPSE
    except ImportError:
        rng = np.random.default_rng(0)
        X = np.vstack([rng.normal(size=(60, 2)), np.repeat([[4.0, 4.0]], 12, axis=0)])
        k, method, seed = 2, "kmeans++", 0
    res = run_restarts(X, k, 6, methods=(method,), seed=seed, reg_covar=0.0)
    collapsed = [r for r in res.restarts if r.stop_reason == "collapsed"]
    if not collapsed:
        pytest.skip("no restart collapsed on this data")
    for r in collapsed:
        opt = res.optima[r.optimum]
        assert opt.suspicious and "collapsed" in opt.reason
        assert r.optimum != res.best_index
    assert res.method_stats[method].n_collapsed == len(collapsed)


# --------------------------------------------------------------------------------------
# Classic data and speed
# --------------------------------------------------------------------------------------
def test_old_faithful_best_optimum():
    X = faithful()
    assert X.shape == (272, 2)
    res = run_restarts(X, 2, 5, seed=0)
    assert res.best.log_likelihood == pytest.approx(-1130.264, abs=1e-3)
    assert res.recommended_index == res.best_index == 0
    assert res.optima[0].count == 5


@pytest.mark.bench
def test_200_restarts_are_fast():
    X = blobs(1000, **OVERLAPPING)
    run_restarts(X, 3, 5)  # warm up imports and caches
    start = time.process_time()
    res = run_restarts(X, 3, 200)
    cpu = time.process_time() - start
    assert len(res.restarts) == 200
    assert cpu < 3.0, f"200 restarts took {cpu:.2f} s of CPU time"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"methods": ("nope",)}, ParameterError),
        ({"methods": ()}, ParameterError),
        ({"n_restarts": 0}, ParameterError),
        ({"covariance_type": "round"}, ParameterError),
        ({"n_components": 0}, ParameterError),
        ({"n_components": 7}, DataError),
    ],
)
def test_bad_input_raises_typed_errors(kwargs, error):
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 2.0], [3.0, 1.0]])
    args = {"n_components": 2, "n_restarts": 2, **kwargs}
    with pytest.raises(error):
        run_restarts(X, **args)
