"""Tests for emviz.engine.kmeans: scikit-learn parity, naive references, invariants, edge cases."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from emviz.engine import kmeans as km
from emviz.engine.em import e_step
from emviz.engine.kmeans import (
    assign_labels,
    kmeans_plusplus,
    kmeans_run,
    soft_kmeans_resp,
    soft_kmeans_run,
)
from emviz.errors import DataError, ParameterError
from emviz.model.params import Params
from tests.builders import blobs


# --- Naive references ------------------------------------------------------------------------
def naive_sq_dist(X, centers):
    return ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)


def naive_labels(X, centers):
    return np.argmin(naive_sq_dist(X, centers), axis=1)


def naive_inertia(X, centers, labels):
    return float(((X - centers[labels]) ** 2).sum())


DATASETS = {
    "blobs_2d": lambda: blobs(600, 2, 4, seed=0),
    "blobs_1d": lambda: blobs(600, 1, 3, seed=1),
    "blobs_3d_overlap": lambda: blobs(600, 3, 5, seed=2, std=2.5),
    "blobs_5d": lambda: blobs(900, 5, 6, seed=3),
    "anisotropic": lambda: blobs(600, 2, 4, seed=4) @ np.array([[0.6, -0.6], [-0.4, 0.8]]),
    "offset_far_from_origin": lambda: blobs(600, 2, 4, seed=5, offset=1e4),
}


# --- scikit-learn parity ---------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("k", [2, 4])
def test_matches_sklearn_lloyd_from_same_centres(name, k):
    X = DATASETS[name]()
    init = kmeans_plusplus(X, k, seed=7)
    trace = kmeans_run(X, k, init=init, max_iter=300)
    with threadpool_limits(1):  # OpenMP threads crawl on busy shared runners
        ref = KMeans(k, init=init, n_init=1, algorithm="lloyd", tol=0.0, max_iter=300).fit(X)
    assert trace.converged
    assert not trace.empty_clusters
    np.testing.assert_array_equal(trace.final_labels, ref.labels_)
    np.testing.assert_allclose(trace.final_centers, ref.cluster_centers_, rtol=0, atol=1e-8)
    assert trace.final_inertia == pytest.approx(ref.inertia_, rel=1e-10)


# --- Trace structure and invariants ---------------------------------------------------------
def test_trace_shapes_dtypes_and_consistency():
    X = blobs(300, 3, 4, seed=0)
    trace = kmeans_run(X, 4, seed=1)
    n1 = trace.n_iter + 1
    assert trace.centers.shape == (n1, 4, 3)
    assert trace.labels.shape == (n1, 300)
    assert trace.labels.dtype == np.uint8
    assert trace.inertia.shape == (n1,)
    for i in range(n1):
        np.testing.assert_array_equal(trace.labels[i], naive_labels(X, trace.centers[i]))
        assert trace.inertia[i] == pytest.approx(
            naive_inertia(X, trace.centers[i], trace.labels[i]), rel=1e-12
        )
    for i in range(trace.n_iter):  # centers[i+1] is the mean of the points of labels[i]
        for k in range(4):
            np.testing.assert_allclose(
                trace.centers[i + 1, k], X[trace.labels[i] == k].mean(axis=0), atol=1e-12
            )
    assert trace.final_inertia == trace.inertia[-1]
    assert trace.final_centers is not None and trace.final_labels.shape == (300,)


def test_trace_is_frozen():
    trace = kmeans_run(blobs(50, 2, 4, seed=0), 3, seed=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        trace.n_iter = 0  # type: ignore[misc]
    for arr in (trace.centers, trace.labels, trace.inertia):
        with pytest.raises(ValueError):
            arr[0] = 0


def test_labels_dtype_grows_with_k():
    X = np.random.default_rng(0).normal(size=(400, 2))
    assert kmeans_run(X, 256, init="random", max_iter=1).labels.dtype == np.uint8
    assert kmeans_run(X, 257, init="random", max_iter=1).labels.dtype == np.uint16


@settings(max_examples=40)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(5, 80),
    d=st.integers(1, 4),
    k=st.integers(1, 6),
    init=st.sampled_from(["kmeans++", "random"]),
    integer_grid=st.booleans(),
)
def test_inertia_never_increases(seed, n, d, k, init, integer_grid):
    rng = np.random.default_rng(seed)
    # Integer grids create many exact distance ties and duplicated points.
    X = rng.integers(0, 4, size=(n, d)).astype(float) if integer_grid else rng.normal(size=(n, d))
    k = min(k, len(np.unique(X, axis=0)))
    trace = kmeans_run(X, k, init=init, seed=seed, max_iter=50)
    steps = np.diff(trace.inertia)
    assert np.all(steps <= 1e-12 * max(1.0, trace.inertia[0])), trace.inertia


def test_converged_stops_when_labels_repeat():
    X = blobs(600, 2, 4, seed=0)
    trace = kmeans_run(X, 4, seed=0, max_iter=300)
    assert trace.converged
    np.testing.assert_array_equal(trace.labels[-1], trace.labels[-2])
    assert not np.array_equal(trace.labels[-2], trace.labels[-3]) or trace.n_iter == 1


def test_tol_stops_early_and_max_iter_bounds():
    X = blobs(600, 2, 4, seed=2, std=3.0)
    init = X[:4].copy()
    assert kmeans_run(X, 4, init=init, tol=1e6).n_iter == 1
    capped = kmeans_run(X, 4, init=init, max_iter=2)
    assert capped.n_iter == 2 and not capped.converged
    zero = kmeans_run(X, 4, init=init, max_iter=0)
    assert zero.n_iter == 0 and zero.centers.shape == (1, 4, 2)


def test_deterministic_for_a_seed_and_generator_accepted():
    X = blobs(400, 2, 4, seed=3)
    a, b = kmeans_run(X, 5, seed=11), kmeans_run(X, 5, seed=11)
    np.testing.assert_array_equal(a.centers, b.centers)
    np.testing.assert_array_equal(a.labels, b.labels)
    c = kmeans_run(X, 5, seed=np.random.default_rng(11))
    np.testing.assert_array_equal(a.centers, c.centers)


def test_chunked_assignment_equals_unchunked(monkeypatch):
    X = blobs(1000, 3, 6, seed=4, std=2.0)
    full = kmeans_run(X, 6, seed=2)
    monkeypatch.setattr(km, "_CHUNK_ELEMENTS", 37)
    chunked = kmeans_run(X, 6, seed=2)
    np.testing.assert_array_equal(full.labels, chunked.labels)
    np.testing.assert_allclose(full.centers, chunked.centers, atol=1e-12)
    np.testing.assert_allclose(full.inertia, chunked.inertia, rtol=1e-12)


# --- Ties and empty clusters ------------------------------------------------------------------
def test_ties_go_to_the_lowest_index():
    X = np.array([[0.0], [1.0], [2.0]])
    np.testing.assert_array_equal(assign_labels(X, np.array([[0.0], [2.0]])), [0, 0, 1])
    np.testing.assert_array_equal(assign_labels(X, np.array([[2.0], [0.0]])), [1, 0, 0])
    same = np.array([[1.0], [1.0]])  # duplicated centres: the second never wins
    np.testing.assert_array_equal(assign_labels(X, same), [0, 0, 0])


def test_empty_cluster_keeps_its_centre_and_is_recorded():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    init = np.array([[-1.0, 0.0], [1.0, 0.0], [100.0, 100.0]])  # the far centre gets no points
    trace = kmeans_run(X, 3, init=init, max_iter=50)
    assert (1, 2) in trace.empty_clusters
    assert {c for _, c in trace.empty_clusters} == {2}
    far = np.tile([100.0, 100.0], (trace.n_iter + 1, 1))
    np.testing.assert_array_equal(trace.centers[:, 2], far)
    assert not np.any(trace.labels == 2)
    assert np.all(np.diff(trace.inertia) <= 1e-12 * trace.inertia[0])


def test_cluster_that_empties_mid_run_is_recorded():
    # Cluster 2 owns {3, 6, 6} at first; after the update its neighbours move in and claim
    # those points (exact ties go to the lower index), so it is empty at update 2.
    X = np.array([[0.0], [2.0], [3.0], [6.0], [6.0], [7.0]])
    init = np.array([[2.0], [11.0], [3.0]])
    trace = kmeans_run(X, 3, init=init, max_iter=10)
    np.testing.assert_array_equal(trace.labels[0], [0, 0, 2, 2, 2, 1])
    np.testing.assert_array_equal(trace.labels[1], [0, 0, 0, 1, 1, 1])
    assert trace.empty_clusters == ((2, 2),)
    np.testing.assert_array_equal(trace.centers[1:, 2, 0], [5.0] * trace.n_iter)
    assert trace.converged and np.all(np.diff(trace.inertia) <= 0)


# --- k-means++ ---------------------------------------------------------------------------------
def test_kmeans_plusplus_is_deterministic_and_picks_data_rows():
    X = blobs(500, 3, 4, seed=5)
    a = kmeans_plusplus(X, 6, seed=3)
    np.testing.assert_array_equal(a, kmeans_plusplus(X, 6, seed=3))
    np.testing.assert_array_equal(a, kmeans_plusplus(X, 6, seed=np.random.default_rng(3)))
    assert not np.array_equal(a, kmeans_plusplus(X, 6, seed=4))
    assert a.shape == (6, 3)
    assert all((X == row).all(axis=1).any() for row in a)


def test_kmeans_plusplus_spreads_over_far_apart_groups():
    rng = np.random.default_rng(0)
    corners = np.array([[0, 0], [100, 0], [0, 100], [100, 100], [50, 300]], dtype=float)
    X = np.concatenate([c + rng.normal(scale=0.5, size=(200, 2)) for c in corners])
    for seed in range(5):
        centers = kmeans_plusplus(X, 5, seed=seed)
        nearest = naive_labels(centers, corners)
        assert sorted(nearest) == [0, 1, 2, 3, 4]


def test_kmeans_plusplus_handles_duplicated_points():
    X = np.repeat(np.array([[0.0, 0.0], [5.0, 5.0]]), 50, axis=0)
    centers = kmeans_plusplus(X, 3, seed=0)  # only two distinct points: a repeat is allowed
    assert {tuple(c) for c in centers} == {(0.0, 0.0), (5.0, 5.0)}


def test_kmeans_plusplus_large_n_is_chunked(monkeypatch):
    X = np.random.default_rng(1).normal(size=(3000, 2))
    ref = kmeans_plusplus(X, 4, seed=9)
    monkeypatch.setattr(km, "_CHUNK_ELEMENTS", 100)
    np.testing.assert_array_equal(ref, kmeans_plusplus(X, 4, seed=9))


# --- random init and validation ---------------------------------------------------------------
def test_random_init_picks_distinct_points_even_with_duplicates():
    X = np.concatenate([np.zeros((500, 2)), np.arange(6, dtype=float).reshape(3, 2)])
    trace = kmeans_run(X, 4, init="random", seed=5, max_iter=0)
    assert len(np.unique(trace.centers[0], axis=0)) == 4
    np.testing.assert_array_equal(
        trace.centers[0], kmeans_run(X, 4, init="random", seed=5, max_iter=0).centers[0]
    )
    with pytest.raises(DataError, match="distinct"):
        kmeans_run(X, 5, init="random")


def test_k_larger_than_n_is_a_clear_data_error():
    X = np.zeros((3, 2))
    with pytest.raises(DataError) as info:
        kmeans_run(X, 5)
    msg = str(info.value)
    assert "K = 5" in msg and "3" in msg and "Lower K" in msg
    with pytest.raises(DataError):
        kmeans_plusplus(X, 4)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_clusters": 0}, "positive integer"),
        ({"n_clusters": 2.5}, "positive integer"),
        ({"init": "farthest"}, "init should be one of"),
        ({"init": np.zeros((3, 2))}, r"shape \(2, 2\)"),
        ({"init": np.zeros((2, 3))}, "shape"),
        ({"max_iter": -1}, "max_iter"),
        ({"tol": -1.0}, "tol"),
    ],
)
def test_bad_arguments_raise_parameter_error(kwargs, match):
    args = {"n_clusters": 2, **kwargs}
    with pytest.raises(ParameterError, match=match):
        kmeans_run(np.random.default_rng(0).normal(size=(10, 2)), **args)


def test_bad_data_raises_data_error():
    with pytest.raises(DataError):
        kmeans_run(np.array([[0.0, np.nan], [1.0, 1.0]]), 1)
    with pytest.raises(DataError):
        kmeans_run(np.zeros(5), 1)


# --- Soft k-means: the limit of EM ------------------------------------------------------------
def test_soft_resp_equals_em_e_step_with_equal_spherical_components():
    X = blobs(200, 3, 4, seed=6)
    centers = X[:4]
    sigma = 1.7
    params = Params(np.full(4, 0.25), centers, np.repeat(sigma**2 * np.eye(3)[None], 4, axis=0))
    resp = soft_kmeans_resp(X, centers, sigma)
    np.testing.assert_allclose(resp, e_step(X, params).resp, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0)


def test_soft_resp_is_finite_and_one_hot_for_tiny_sigma():
    X = blobs(600, 2, 4, seed=7)
    centers = X[:3]
    resp = soft_kmeans_resp(X, centers, 1e-6)
    assert np.all(np.isfinite(resp))
    np.testing.assert_array_equal(resp.argmax(axis=1), naive_labels(X, centers))
    assert np.all(resp.max(axis=1) == 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_soft_kmeans_becomes_lloyd_as_sigma_goes_to_zero(seed):
    X = blobs(500, 2, 4, seed=seed, std=1.5)
    init = kmeans_plusplus(X, 4, seed=seed)
    hard = kmeans_run(X, 4, init=init, max_iter=200)
    soft = soft_kmeans_run(X, init, sigma=1e-3 * X.std(), max_iter=200)
    assert soft.converged and hard.converged
    assert soft.n_iter == hard.n_iter
    np.testing.assert_allclose(soft.centers, hard.centers, rtol=0, atol=1e-8)
    for i in range(hard.n_iter + 1):
        labels = soft_kmeans_resp(X, soft.centers[i], soft.sigma).argmax(axis=1)
        np.testing.assert_array_equal(labels, hard.labels[i])


def test_soft_kmeans_with_huge_sigma_pulls_all_centres_to_the_mean():
    X = blobs(600, 2, 4, seed=8)
    trace = soft_kmeans_run(X, X[:3], sigma=1e6, max_iter=5)
    np.testing.assert_allclose(trace.centers[1], np.tile(X.mean(axis=0), (3, 1)), atol=1e-6)


def test_soft_kmeans_trace_structure_and_validation():
    X = blobs(100, 2, 4, seed=9)
    trace = soft_kmeans_run(X, X[:3], sigma=1.0, max_iter=4)
    assert trace.centers.shape == (trace.n_iter + 1, 3, 2)
    np.testing.assert_array_equal(trace.centers[0], X[:3])
    np.testing.assert_array_equal(trace.final_centers, trace.centers[-1])
    for bad in (0.0, -1.0, np.inf):
        with pytest.raises(ParameterError, match="sigma"):
            soft_kmeans_run(X, X[:3], sigma=bad)
    with pytest.raises(ParameterError, match="shape"):
        soft_kmeans_resp(X, np.zeros((3, 5)), 1.0)


def test_soft_kmeans_empty_cluster_keeps_its_centre():
    X = np.random.default_rng(0).normal(size=(50, 2))
    init = np.array([[0.0, 0.0], [1e3, 1e3]])
    trace = soft_kmeans_run(X, init, sigma=0.1, max_iter=3)
    np.testing.assert_array_equal(trace.centers[:, 1], np.tile([1e3, 1e3], (trace.n_iter + 1, 1)))
    assert (1, 1) in trace.empty_clusters
