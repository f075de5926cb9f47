"""Tests for emviz.data.synthetic: generators with known truth, teaching presets, ARI, PCA
helpers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from emviz.data.synthetic import (
    PRESETS,
    SINGULARITY_TRAP_COLLAPSE,
    Dataset,
    adjusted_rand_index,
    display_subset,
    exact_counts,
    make_mixture,
    make_preset,
    pca_project,
    place_means,
    sample_mixture,
    standardize,
)
from emviz.engine.em import e_step, initialize, run_em
from emviz.errors import DataError, ParameterError
from emviz.model.params import COVARIANCE_TYPES, Params


def min_pairwise_distance(points):
    d = np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2))
    return d[np.triu_indices(len(points), 1)].min()


# --- make_mixture -----------------------------------------------------------------------------
@pytest.mark.parametrize("shape", ["spherical", "axis-aligned", "rotated"])
@pytest.mark.parametrize(("dim", "k"), [(1, 3), (2, 4), (3, 2), (6, 5)])
def test_make_mixture_shapes_and_truth(shape, dim, k):
    ds = make_mixture(dim, k, 500, separation=4.0, shape=shape, seed=1)
    assert ds.X.shape == (500, dim) and ds.X.dtype == np.float64
    assert ds.labels.shape == (500,) and ds.labels.dtype == np.int64
    assert set(np.unique(ds.labels)) == set(range(k))
    assert isinstance(ds.params, Params)
    assert ds.params.means.shape == (k, dim)
    assert ds.params.covariances.shape == (k, dim, dim)
    assert ds.columns == tuple(f"x{i + 1}" for i in range(dim))
    assert ds.suggested_k == k and ds.suggested_covariance_type in COVARIANCE_TYPES
    eig = np.linalg.eigvalsh(ds.params.covariances)
    assert np.all(eig > 0)
    np.testing.assert_allclose(eig.max(axis=1), 1.0)  # largest standard deviation is 1


def test_shape_covariance_structure():
    sph = make_mixture(3, 3, 30, shape="spherical", seed=0).params.covariances
    np.testing.assert_allclose(sph, np.repeat(np.eye(3)[None], 3, axis=0))
    diag = make_mixture(3, 3, 30, shape="axis-aligned", seed=0).params.covariances
    np.testing.assert_array_equal(diag, diag * np.eye(3))
    rot = make_mixture(3, 3, 30, shape="rotated", seed=0).params.covariances
    eig = np.linalg.eigvalsh(rot)
    np.testing.assert_allclose(eig.max(axis=1) / eig.min(axis=1), 10.0)
    assert np.abs(rot - rot * np.eye(3)).max() > 0.05  # really rotated


def test_make_mixture_is_deterministic_per_seed():
    a = make_mixture(2, 3, 200, shape="rotated", seed=5)
    b = make_mixture(2, 3, 200, shape="rotated", seed=5)
    c = make_mixture(2, 3, 200, shape="rotated", seed=6)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.params.means, b.params.means)
    assert not np.array_equal(a.X, c.X)


def test_labels_match_the_generating_component():
    # Far-apart tight components: each point is far more likely under its own component.
    ds = make_mixture(2, 5, 1000, separation=12.0, shape="rotated", seed=3)
    posterior = e_step(ds.X, ds.params).resp.argmax(axis=1)
    np.testing.assert_array_equal(posterior, ds.labels)


def test_sample_moments_match_truth_for_large_n():
    ds = make_mixture(3, 3, 60_000, separation=4.0, shape="rotated", weights=[0.5, 0.3, 0.2])
    for k in range(3):
        pts = ds.X[ds.labels == k]
        np.testing.assert_allclose(pts.mean(axis=0), ds.params.means[k], atol=0.03)
        np.testing.assert_allclose(np.cov(pts.T), ds.params.covariances[k], atol=0.04)
    np.testing.assert_array_equal(np.bincount(ds.labels), [30_000, 18_000, 12_000])


@pytest.mark.parametrize("separation", [1.0, 3.0, 8.0])
@pytest.mark.parametrize(("dim", "k"), [(1, 4), (2, 6), (3, 8), (10, 3)])
def test_separation_is_honoured(separation, dim, k):
    ds = make_mixture(dim, k, 5 * k, separation=separation, seed=2)
    assert min_pairwise_distance(ds.params.means) == pytest.approx(separation, rel=1e-12)
    np.testing.assert_allclose(ds.params.means.mean(axis=0), 0.0, atol=1e-12)


def test_place_means_single_component_is_at_origin():
    means = place_means(1, 3, 5.0, np.random.default_rng(0))
    np.testing.assert_array_equal(means, np.zeros((1, 3)))


def test_weights_and_imbalance():
    ds = make_mixture(2, 3, 700, imbalance=0.5, seed=0)
    np.testing.assert_allclose(ds.params.weights, np.array([4, 2, 1]) / 7)
    np.testing.assert_array_equal(np.bincount(ds.labels), [400, 200, 100])
    equal = make_mixture(2, 4, 10, seed=0)
    np.testing.assert_allclose(equal.params.weights, 0.25)
    np.testing.assert_array_equal(np.bincount(equal.labels), [3, 3, 2, 2])


def test_exact_counts_sum_and_round():
    counts = exact_counts(np.array([0.5, 0.25, 0.125, 0.125]), 10)
    assert counts.sum() == 10 and np.all(np.abs(counts - np.array([5, 2.5, 1.25, 1.25])) < 1)
    rng = np.random.default_rng(0)
    for _ in range(50):
        w = rng.dirichlet(np.ones(5))
        n = int(rng.integers(1, 1000))
        c = exact_counts(w, n)
        assert c.sum() == n and np.all(np.abs(c - w * n) < 1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dim": 0}, r"dim should be an integer in \[1, 1000\]"),
        ({"dim": 2.5}, "dim"),
        ({"n_components": 0}, "n_components"),
        ({"n_samples": 2}, "at least n_components = 3"),
        ({"separation": 0.0}, "separation"),
        ({"separation": np.nan}, "separation"),
        ({"shape": "banana"}, "shape should be one of"),
        ({"weights": [0.5, 0.5]}, "3 non-negative numbers"),
        ({"weights": [0.5, 0.6, -0.1]}, "non-negative"),
        ({"weights": [0.2, 0.2, 0.2]}, "sum to 1"),
        ({"imbalance": 1.0}, r"imbalance should be in \[0, 1\)"),
        ({"weights": [0.2, 0.3, 0.5], "imbalance": 0.3}, "not both"),
    ],
)
def test_make_mixture_validates_arguments(kwargs, match):
    args = {"dim": 2, "n_components": 3, "n_samples": 100, **kwargs}
    with pytest.raises(ParameterError, match=match):
        make_mixture(**args)


def test_sample_mixture_accepts_a_generator_and_is_shuffled():
    params = Params([0.5, 0.5], [[0.0], [10.0]], [[[1.0]], [[1.0]]])
    X, labels = sample_mixture(params, 100, np.random.default_rng(0))
    X2, _ = sample_mixture(params, 100, 0)
    np.testing.assert_array_equal(X, X2)
    assert 0 < labels[:50].sum() < 50  # not sorted by component


def test_dataset_is_frozen_and_validated():
    ds = make_mixture(2, 2, 20)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.name = "x"  # type: ignore[misc]
    with pytest.raises(ValueError):
        ds.X[0, 0] = 1.0
    with pytest.raises(DataError, match="labels"):
        Dataset(np.zeros((3, 2)), np.zeros(4), None, "n", "d", ("a", "b"), 1)
    with pytest.raises(DataError, match="columns"):
        Dataset(np.zeros((3, 2)), np.zeros(3), None, "n", "d", ("a",), 1)
    with pytest.raises(ParameterError, match="suggested_covariance_type"):
        Dataset(np.zeros((3, 2)), np.zeros(3), None, "n", "d", ("a", "b"), 1, "round")


# --- Presets ------------------------------------------------------------------------------------
EXPECTED_PRESETS = {  # name: (n_features, true number of components)
    "well_separated": (2, 3),
    "overlapping": (2, 3),
    "elongated": (2, 3),
    "unequal_sizes": (2, 3),
    "three_peaks_1d": (1, 3),
    "six_clusters_3d": (3, 6),
    "singularity_trap": (2, 3),
    "kmeans_agrees": (2, 4),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_PRESETS))
def test_presets_have_the_promised_shape(name):
    d, k = EXPECTED_PRESETS[name]
    ds = make_preset(name)
    assert ds.name == name
    assert ds.n_features == d and ds.X.shape[1] == d
    assert ds.params.n_components == k and ds.suggested_k == k
    assert len(ds.columns) == d
    assert ds.description.strip() and len(ds.description) < 400
    assert set(np.unique(ds.labels)) - {-1} == set(range(k))
    np.testing.assert_array_equal(ds.X, PRESETS[name](0).X)
    assert not np.array_equal(ds.X, make_preset(name, seed=1).X)


def test_all_presets_are_listed_and_unknown_names_are_rejected():
    assert set(PRESETS) == set(EXPECTED_PRESETS)
    with pytest.raises(ParameterError, match="preset should be one of"):
        make_preset("spirals")


# The dense kernel is EM's reference implementation; the tests here are about the data.
def _kmeans_and_gmm_ari(ds):
    k = ds.suggested_k
    with threadpool_limits(1):  # OpenMP threads crawl on busy shared runners
        km = KMeans(k, n_init=10, random_state=0).fit(ds.X).labels_
    trace = run_em(ds.X, initialize(ds.X, k, "kmeans", seed=0), "full", kernel="dense")
    gmm = e_step(ds.X, trace.final).resp.argmax(axis=1)
    return adjusted_rand_score(ds.labels, km), adjusted_rand_score(ds.labels, gmm)


@pytest.mark.parametrize("name", ["elongated", "unequal_sizes"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_fails_where_a_full_covariance_mixture_succeeds(name, seed):
    km_ari, gmm_ari = _kmeans_and_gmm_ari(make_preset(name, seed))
    assert km_ari < 0.4
    assert gmm_ari > 0.95
    assert gmm_ari - km_ari > 0.5


@pytest.mark.parametrize("name", ["kmeans_agrees", "well_separated"])
def test_kmeans_and_mixture_agree_on_easy_presets(name):
    km_ari, gmm_ari = _kmeans_and_gmm_ari(make_preset(name))
    assert km_ari > 0.99 and gmm_ari > 0.99


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_singularity_trap_collapses_without_reg_covar(seed):
    ds = make_preset("singularity_trap", seed)
    repeated = ds.X[ds.labels == -1]
    assert len(repeated) == 15 and np.all(repeated == repeated[0])
    k, method, init_seed = SINGULARITY_TRAP_COLLAPSE
    init = initialize(ds.X, k, method, seed=init_seed, covariance_type="full", reg_covar=0.0)
    trace = run_em(ds.X, init, "full", reg_covar=0.0, max_iter=200, kernel="dense")
    assert trace.stop_reason == "collapsed"
    c = trace.collapsed_component
    np.testing.assert_allclose(trace.final.means[c], repeated[0], atol=0.1)
    assert f"seed {init_seed}" in ds.description and f"K = {k}" in ds.description


def test_singularity_trap_is_safe_with_reg_covar():
    ds = make_preset("singularity_trap")
    k, method, init_seed = SINGULARITY_TRAP_COLLAPSE
    init = initialize(ds.X, k, method, seed=init_seed, reg_covar=1e-6)
    trace = run_em(ds.X, init, "full", reg_covar=1e-6, max_iter=200, kernel="dense")
    assert trace.stop_reason != "collapsed"


# --- Adjusted Rand index ------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_ari_equals_sklearn_on_random_labelings(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    a = rng.integers(0, rng.integers(1, 8), size=n)
    b = rng.integers(0, rng.integers(1, 8), size=n)
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_score(a, b), abs=1e-12)
    noisy = np.where(rng.random(n) < 0.2, b, a)  # correlated labelings
    assert adjusted_rand_index(a, noisy) == pytest.approx(adjusted_rand_score(a, noisy), abs=1e-12)


def test_ari_edge_cases():
    assert adjusted_rand_index([0, 0, 1, 1], [5, 5, 2, 2]) == 1.0  # renaming does not matter
    assert adjusted_rand_index([0, 0, 0], [1, 1, 1]) == 1.0
    assert adjusted_rand_index([0, 1, 2], [0, 1, 2]) == 1.0
    assert adjusted_rand_index(["a", "b", "b"], [1, 0, 0]) == 1.0
    a, b = [0, 0, 1, 1], [0, 1, 0, 1]
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_score(a, b))
    big = np.arange(200_000) % 7  # pair counts overflow int64 products: must stay exact
    assert adjusted_rand_index(big, big[::-1]) == pytest.approx(adjusted_rand_score(big, big[::-1]))
    with pytest.raises(DataError, match="same non-zero length"):
        adjusted_rand_index([0, 1], [0, 1, 2])


# --- display_subset, standardize, pca_project ---------------------------------------------------
def test_display_subset():
    np.testing.assert_array_equal(display_subset(50, max_points=100), np.arange(50))
    idx = display_subset(1_000_000, max_points=20_000, seed=3)
    assert idx.shape == (20_000,) and np.all(np.diff(idx) > 0) and idx[-1] < 1_000_000
    np.testing.assert_array_equal(idx, display_subset(1_000_000, max_points=20_000, seed=3))
    assert not np.array_equal(idx, display_subset(1_000_000, max_points=20_000, seed=4))
    assert display_subset(0).shape == (0,)
    with pytest.raises(ParameterError):
        display_subset(10, max_points=0)


def test_standardize():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=[5.0, -3.0, 0.0], scale=[2.0, 0.1, 1.0], size=(500, 3))
    X[:, 2] = 7.0  # a constant column
    Z, mean, scale = standardize(X)
    np.testing.assert_allclose(Z[:, :2].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1.0)
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    np.testing.assert_allclose(Z * scale + mean, X)
    with pytest.raises(DataError):
        standardize(np.array([[1.0, np.inf]]))


@pytest.mark.parametrize(("n", "d", "k"), [(300, 5, 2), (200, 8, 3), (50, 4, 4), (6, 10, 6)])
def test_pca_matches_sklearn_up_to_sign(n, d, k):
    rng = np.random.default_rng(n + d)
    X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d)
    Z, comps, ratio = pca_project(X, k)
    ref = PCA(n_components=k, svd_solver="full").fit(X)
    signs = np.sign((comps * ref.components_).sum(axis=1))
    np.testing.assert_allclose(comps, ref.components_ * signs[:, None], atol=1e-10)
    np.testing.assert_allclose(Z, ref.transform(X) * signs, atol=1e-9)
    np.testing.assert_allclose(ratio, ref.explained_variance_ratio_, rtol=1e-10)
    np.testing.assert_allclose(comps @ comps.T, np.eye(k), atol=1e-12)


def test_pca_signs_are_deterministic():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 4)) * [3.0, 2.0, 1.0, 0.5]
    _, comps, _ = pca_project(X, 3)
    _, comps_neg, _ = pca_project(-X, 3)
    np.testing.assert_allclose(comps, comps_neg)
    assert np.all(comps[np.arange(3), np.abs(comps).argmax(axis=1)] > 0)


def test_pca_validates_n_components():
    with pytest.raises(ParameterError, match="at most min"):
        pca_project(np.zeros((5, 3)), 4)
    with pytest.raises(ParameterError):
        pca_project(np.zeros((5, 3)), 0)
