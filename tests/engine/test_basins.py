"""Tests of emviz.engine.basins: which starts lead EM to which optimum."""

from __future__ import annotations

import numpy as np
import pytest

from emviz import Cancelled, DataError, ParameterError, Params, initialize, run_em
from emviz.engine.basins import GRID, PAD, basin_map
from emviz.engine.restarts import degeneracy_reasons, run_restarts, same_optimum

CENTRES = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
MODEL = {"covariance_type": "full", "reg_covar": 1e-6, "max_iter": 200, "tol": 1e-6}


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------
def separated(n: int = 600, seed: int = 0) -> np.ndarray:
    """Three well-separated round clusters of unit spread at CENTRES."""
    rng = np.random.default_rng(seed)
    return CENTRES[np.arange(n) % 3] + rng.normal(size=(n, 2))


def true_start(k: int = 3) -> Params:
    """Equal weights, unit covariances, the means at the true centres."""
    return Params(np.full(k, 1.0 / k), CENTRES[:k].copy(), np.repeat(np.eye(2)[None], k, 0))


def nearest_cell(bmap, point) -> tuple[int, int]:
    return int(np.argmin(np.abs(bmap.ys - point[1]))), int(np.argmin(np.abs(bmap.xs - point[0])))


@pytest.fixture(scope="module")
def known_map():
    """Sweep component 1 (at (0, 0)) of the true start over a 20 x 20 grid, with restarts."""
    X = separated()
    res = run_restarts(X, 3, 10, ("kmeans++",), **MODEL)
    return X, res, basin_map(X, true_start(), 0, grid=20, known=res, **MODEL)


# --------------------------------------------------------------------------------------
# The map on data whose basins are known
# --------------------------------------------------------------------------------------
def test_starts_near_the_missing_cluster_find_the_three_clusters(known_map):
    _, res, bmap = known_map
    assert len(res.optima) == 1 and not res.optima[0].suspicious  # every restart agrees
    best = bmap.basins[0]
    assert best.from_restarts and best.log_likelihood == res.optima[0].log_likelihood
    assert not best.suspicious and best.converged
    # Component 1 starting anywhere in the lower-left quadrant, around the cluster the other
    # two components leave free, ends at the three true clusters.
    quadrant = (bmap.xs[None, :] < 4) & (bmap.ys[:, None] < 4)
    assert np.all(bmap.labels[quadrant] == 0)
    gaps = np.linalg.norm(best.params.means[:, None] - CENTRES[None], axis=2)
    assert np.all(gaps.min(axis=0) < 0.3) and np.all(gaps.min(axis=1) < 0.3)


def test_a_start_far_from_every_point_ends_with_a_starved_component_flagged(known_map):
    X, _, bmap = known_map
    row, col = nearest_cell(bmap, (X[:, 0].max(), X[:, 1].max()))  # the top-right corner
    b = bmap.basins[bmap.labels[row, col]]
    assert b.suspicious and not b.from_restarts
    assert "restarts.reason_few_points" in {m.code for m in b.reason.parts}
    assert b.params.weights.min() * X.shape[0] < 5  # that component holds a point or two


def test_every_cell_ends_where_run_em_from_its_start_ends(known_map):
    X, _, bmap = known_map
    for row, col in [(0, 0), (3, 17), (10, 10), (19, 4), (19, 19)]:
        tr = run_em(X, bmap.start_at(row, col), **MODEL)
        assert bmap.log_likelihood[row, col] == pytest.approx(tr.log_likelihood[-1], rel=1e-11)
        assert (bmap.n_iter[row, col], bmap.stop_reason[row, col]) == (tr.n_iter,
                                                                       tr.stop_reason)
        b = bmap.basins[bmap.labels[row, col]]
        assert same_optimum(b.params, b.log_likelihood, tr.final, tr.log_likelihood[-1],
                            X.std(axis=0), n_samples=X.shape[0])


def test_the_grid_spans_the_padded_data_and_only_the_swept_mean_moves(known_map):
    X, _, bmap = known_map
    span = X.max(axis=0) - X.min(axis=0)
    np.testing.assert_allclose([bmap.xs[0], bmap.xs[-1]],
                               [X[:, 0].min() - PAD * span[0], X[:, 0].max() + PAD * span[0]])
    np.testing.assert_allclose([bmap.ys[0], bmap.ys[-1]],
                               [X[:, 1].min() - PAD * span[1], X[:, 1].max() + PAD * span[1]])
    assert bmap.shape == bmap.labels.shape == (20, 20)
    start = bmap.start_at(4, 7)
    assert tuple(start.means[0]) == (bmap.xs[7], bmap.ys[4])
    np.testing.assert_array_equal(start.means[1:], true_start().means[1:])
    np.testing.assert_array_equal(start.covariances, true_start().covariances)
    assert sum(b.n_cells for b in bmap.basins) == (bmap.labels >= 0).sum() == 400


def test_optima_only_the_map_found_follow_the_restarts_best_first(known_map):
    _, res, bmap = known_map
    new = bmap.basins[len(res.optima):]
    assert new and all(not b.from_restarts for b in new)
    lls = [b.log_likelihood for b in new]
    assert lls == sorted(lls, reverse=True)
    assert all(b.from_restarts for b in bmap.basins[:len(res.optima)])


def test_a_rectangular_grid_and_given_bounds():
    X = separated(300)
    bmap = basin_map(X, true_start(), 2, grid=(6, 4), bounds=((-2, 2), (6, 10)), **MODEL)
    assert bmap.shape == (4, 6)
    np.testing.assert_allclose(bmap.xs, np.linspace(-2, 2, 6))
    np.testing.assert_allclose(bmap.ys, np.linspace(6, 10, 4))
    # Component 3 starting near its own cluster (0, 8): the true clusters, everywhere here.
    assert len({int(v) for v in bmap.labels.ravel()}) == 1


def test_default_grid_is_40_by_40():
    X = separated(150)
    bmap = basin_map(X, true_start(), 1, max_iter=3)
    assert bmap.shape == (GRID, GRID) == (40, 40)
    assert set(np.unique(bmap.stop_reason)) <= {"converged", "max_iter", "collapsed"}


# --------------------------------------------------------------------------------------
# Relabelling
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("order", [(1, 2, 0), (2, 0, 1), (0, 2, 1)])
def test_relabelling_the_start_changes_nothing(known_map, order):
    X, res, bmap = known_map
    start = true_start()
    permuted = Params(start.weights[list(order)], start.means[list(order)],
                      start.covariances[list(order)])
    swept = order.index(0)  # where component 1 went
    other = basin_map(X, permuted, swept, grid=20, known=res, **MODEL)
    np.testing.assert_array_equal(other.labels, bmap.labels)
    # Near-degenerate runs take dozens of iterations; the order of the sums differs.
    np.testing.assert_allclose(other.log_likelihood, bmap.log_likelihood, rtol=1e-9)
    assert [b.n_cells for b in other.basins] == [b.n_cells for b in bmap.basins]


def test_cells_reaching_a_restarts_optimum_get_its_number_whatever_the_labels():
    """The restarts' optima come first and keep their index, however the cells' runs
    number their components."""
    X = separated(450, seed=3)
    res = run_restarts(X, 3, 12, ("random",), seed=5, **MODEL)
    start = initialize(X, 3, "random", 5, "full", 1e-6)
    bmap = basin_map(X, start, 2, grid=12, known=res, **MODEL)
    assert [b.log_likelihood for b in bmap.basins[:len(res.optima)]] == [
        o.log_likelihood for o in res.optima]
    scale = X.std(axis=0)
    for row, col in [(0, 0), (6, 6), (11, 3)]:
        label = int(bmap.labels[row, col])
        tr = run_em(X, bmap.start_at(row, col), **MODEL)
        if label < len(res.optima):
            o = res.optima[label]
            assert same_optimum(o.params, o.log_likelihood, tr.final, tr.log_likelihood[-1],
                                scale, n_samples=X.shape[0])
        for j, o in enumerate(res.optima):  # never an earlier restarts' optimum it matches
            if j < label:
                assert not same_optimum(o.params, o.log_likelihood, tr.final,
                                        tr.log_likelihood[-1], scale, n_samples=X.shape[0])


def test_empty_components_do_not_split_an_optimum():
    """Two fits that differ only in where an empty component's mean was left are one optimum
    (the likelihood does not depend on it); a component holding a point is compared in full."""
    X = separated(300)
    p = true_start(3)
    means_a, means_b = p.means.copy(), p.means.copy()
    means_a[2], means_b[2] = (30.0, 30.0), (-30.0, 5.0)
    w = np.array([0.5, 0.5 - 1e-9, 1e-9])
    a, b = Params(w, means_a, p.covariances), Params(w, means_b, p.covariances)
    s = X.std(axis=0)
    assert same_optimum(a, -1000.0, b, -1000.0, s, n_samples=300)
    assert not same_optimum(a, -1000.0, b, -1000.0, s)  # without N: compared in full
    w1 = np.array([0.5, 0.5 - 1 / 300, 1 / 300])  # one point: its place matters
    assert not same_optimum(Params(w1, means_a, p.covariances), -1000.0,
                            Params(w1, means_b, p.covariances), -1000.0, s, n_samples=300)


# --------------------------------------------------------------------------------------
# Degenerate optima
# --------------------------------------------------------------------------------------
def test_each_optimum_carries_the_restarts_verdict_on_degeneracy():
    """Two round clouds and four copies of one point. Some starts of component 2 end in a
    sound fit of the two clouds; others leave it a handful of points (⚠). Every optimum of
    the map is flagged exactly when the restarts' rule flags it."""
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(size=(150, 2)), rng.normal(size=(150, 2)) + np.array([6.0, 0.0]),
                   np.repeat([[3.0, 6.0]], 4, axis=0)])
    start = Params(np.array([0.5, 0.5]), np.array([[0.0, 0.0], [6.0, 0.0]]),
                   np.repeat(0.25 * np.eye(2)[None], 2, axis=0))
    bmap = basin_map(X, start, 1, grid=15, **MODEL)
    flags = [b.suspicious for b in bmap.basins]
    assert any(flags) and not all(flags)
    for b in bmap.basins:
        reasons = degeneracy_reasons(b.params, X.shape[0], MODEL["reg_covar"])
        assert b.suspicious == bool(reasons)
        assert [m.code for m in getattr(b.reason, "parts", [])] == [m.code for m in reasons]
    on_cloud = bmap.basins[bmap.labels[nearest_cell(bmap, (6.0, 0.0))]]
    assert not on_cloud.suspicious and on_cloud.reason == ""
    assert on_cloud.log_likelihood == max(b.log_likelihood for b in bmap.basins)
    corner = bmap.basins[bmap.labels[-1, 0]]  # far above the first cloud
    assert corner.suspicious
    assert "restarts.reason_few_points" in {m.code for m in corner.reason.parts}


def test_collapsed_runs_are_marked_and_kept_apart_from_finished_ones():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(size=(200, 2)), np.repeat([[6.0, 6.0]], 3, axis=0)])
    start = Params(np.array([0.5, 0.5]), np.array([[0.0, 0.0], [1.0, 1.0]]),
                   np.repeat(0.25 * np.eye(2)[None], 2, axis=0))
    bmap = basin_map(X, start, 1, grid=12, covariance_type="full", reg_covar=0.0,
                     max_iter=200, tol=1e-6)
    collapsed = bmap.stop_reason == "collapsed"
    assert collapsed.any() and (~collapsed).any()
    for label in np.unique(bmap.labels[collapsed]):
        b = bmap.basins[label]
        assert b.suspicious and "restarts.reason_collapsed" in {m.code for m in b.reason.parts}
        assert not np.any((bmap.labels == label) & ~collapsed)


# --------------------------------------------------------------------------------------
# Progress and cancelling
# --------------------------------------------------------------------------------------
def test_progress_is_reported_after_every_cell():
    calls = []
    basin_map(separated(150), true_start(), 0, grid=(5, 3), max_iter=20,
              progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 15) for i in range(1, 16)]


def test_should_stop_cancels_with_a_typed_error():
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 3

    with pytest.raises(Cancelled) as info:
        basin_map(separated(150), true_start(), 0, grid=10, should_stop=stop, **MODEL)
    assert info.value.code == "restarts.cancelled" and len(asked) == 4


def test_a_progress_callback_may_stop_the_work_by_raising():
    class Enough(Exception):
        pass

    def progress(done: int, total: int) -> None:
        if done == 7:
            raise Enough

    with pytest.raises(Enough):
        basin_map(separated(150), true_start(), 0, grid=10, progress=progress, **MODEL)


# --------------------------------------------------------------------------------------
# Bad arguments
# --------------------------------------------------------------------------------------
X2 = separated(60)
S3 = true_start()
S_SINGULAR = Params(S3.weights, S3.means, np.repeat(np.zeros((2, 2))[None], 3, 0))


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"X": np.column_stack([X2, X2[:, 0]])}, ParameterError, "basins.dimensions"),
        ({"start": Params(np.ones(1), np.zeros((1, 2)), np.eye(2)[None])}, ParameterError,
         "basins.n_components"),
        ({"start": Params(np.full(5, 0.2), np.zeros((5, 2)),
                          np.repeat(np.eye(2)[None], 5, 0))}, ParameterError,
         "basins.n_components"),
        ({"start": "kmeans++"}, ParameterError, "basins.start_type"),
        ({"start": S_SINGULAR}, ParameterError, "basins.start_singular"),
        ({"component": 3}, ParameterError, "basins.component"),
        ({"component": -1}, ParameterError, "basins.component"),
        ({"component": True}, ParameterError, "basins.component"),
        ({"grid": 1}, ParameterError, "basins.grid"),
        ({"grid": 201}, ParameterError, "basins.grid"),
        ({"grid": "40"}, ParameterError, "basins.grid"),
        ({"grid": (40,)}, ParameterError, "basins.grid"),
        ({"grid": 40.0}, ParameterError, "basins.grid"),
        ({"pad": -0.1}, ParameterError, "basins.pad"),
        ({"pad": float("nan")}, ParameterError, "basins.pad"),
        ({"bounds": ((1, 0), (0, 1))}, ParameterError, "basins.bounds"),
        ({"bounds": ((0, 1),)}, ParameterError, "basins.bounds"),
        ({"bounds": "everywhere"}, ParameterError, "basins.bounds"),
        ({"known": [1, 2]}, ParameterError, "basins.known_type"),
        ({"covariance_type": "round"}, ParameterError, "check.choice"),
        ({"reg_covar": -1.0}, ParameterError, "check.number_between"),
        ({"max_iter": -1}, ParameterError, "check.int_at_least"),
        ({"tol": float("inf")}, ParameterError, "check.number_at_least"),
        ({"X": np.array([[0.0, np.nan], [1.0, 1.0]])}, DataError, "check.data_not_finite"),
    ],
)
def test_bad_arguments_raise_typed_errors_that_say_what_was_expected(kwargs, error, code):
    args = {"X": X2, "start": S3, "component": 0, "grid": 4, **kwargs}
    with pytest.raises(error) as info:
        basin_map(**args)
    assert info.value.code == code
    text = str(info.value)
    assert "but" in text or "Expected" in text or "should" in text


def test_restarts_of_another_model_are_refused():
    res = run_restarts(X2, 3, 2, ("kmeans++",), "diag", 1e-6, 20, 1e-3)
    with pytest.raises(ParameterError) as info:
        basin_map(X2, S3, 0, grid=4, known=res, **MODEL)
    assert info.value.code == "basins.known_model"
    assert "'diag'" in str(info.value) and "'full'" in str(info.value)


def test_a_cell_off_the_map_is_refused(known_map):
    with pytest.raises(ParameterError, match="not on the map"):
        known_map[2].start_at(20, 0)
