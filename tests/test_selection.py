"""Tests of emviz.selection: BIC/AIC equal scikit-learn's, the grid, and cells that fail."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

from emviz import COVARIANCE_TYPES, ParameterError, Params, aic, bic, initialize, run_em
from emviz.selection import model_selection


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------
def three_clusters(n: int = 450, seed: int = 0) -> np.ndarray:
    """A 3-component mixture in 2-D: unequal sizes and shapes, well separated."""
    rng = np.random.default_rng(seed)
    sizes = (n // 2, n // 3, n - n // 2 - n // 3)
    centres = ([0.0, 0.0], [7.0, 1.0], [2.0, 7.0])
    shapes = ([[1.0, 0.0], [0.0, 1.0]], [[1.2, 0.5], [0.0, 0.6]], [[0.7, 0.0], [-0.3, 0.9]])
    return np.vstack([rng.normal(size=(m, 2)) @ np.array(a) + c
                      for m, c, a in zip(sizes, centres, shapes, strict=True)])


def sklearn_model(params: Params, covariance_type: str) -> GaussianMixture:
    """A fitted-looking GaussianMixture holding exactly ``params``."""
    gm = GaussianMixture(params.n_components, covariance_type=covariance_type)
    cov = params.compact_covariances(covariance_type)
    gm.weights_, gm.means_, gm.covariances_ = params.weights, params.means, cov
    gm.precisions_cholesky_ = _compute_precision_cholesky(cov, covariance_type)
    gm.converged_, gm.n_iter_, gm.lower_bound_ = True, 1, 0.0
    gm.n_features_in_ = params.n_features
    return gm


# --------------------------------------------------------------------------------------
# Agreement with scikit-learn
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_scores_equal_scikit_learn_for_the_same_parameters(covariance_type):
    X = three_clusters(300)
    res = model_selection(X, range(1, 5), (covariance_type,), max_iter=50)
    for cell in res.cells:
        assert cell.scored
        gm = sklearn_model(cell.params, covariance_type)
        assert cell.bic == pytest.approx(gm.bic(X), rel=1e-10, abs=1e-8)
        assert cell.aic == pytest.approx(gm.aic(X), rel=1e-10, abs=1e-8)
        # And emviz.em's own bic/aic agree with the grid.
        assert cell.bic == pytest.approx(bic(X, cell.params, covariance_type), rel=1e-10)
        assert cell.aic == pytest.approx(aic(X, cell.params, covariance_type), rel=1e-10)


def test_cell_is_reproducible_from_its_seed():
    X = three_clusters(300)
    res = model_selection(X, (2, 3), ("diag",), n_init=3, seed=5, max_iter=100)
    for cell in res.cells:
        assert cell.seed in (5, 6, 7)
        tr = run_em(X, initialize(X, cell.n_components, "kmeans++", cell.seed, "diag"),
                    "diag", 1e-6, 100, 1e-6)
        assert tr.log_likelihood[-1] == cell.log_likelihood
        np.testing.assert_array_equal(tr.final.means, cell.params.means)


# --------------------------------------------------------------------------------------
# Choosing K
# --------------------------------------------------------------------------------------
def test_bic_picks_three_on_a_three_cluster_mixture():
    X = three_clusters(450)
    calls = []
    res = model_selection(X, range(1, 6), n_init=2, max_iter=100,
                          progress=lambda d, t: calls.append((d, t)))
    assert calls == [(i, 5 * 4 * 2) for i in range(1, 41)]
    assert res.bic.shape == res.aic.shape == (5, 4)
    assert res.best_bic.n_components == 3
    assert int(np.nanargmin(res.bic[:, res.covariance_types.index("full")])) + 1 == 3
    assert res.best_bic.bic == np.nanmin(res.bic)
    assert res.best_aic.aic == np.nanmin(res.aic)
    assert res.best_aic.n_components >= 3  # AIC penalises less; it never picks fewer here
    assert res.cell(3, "full") is res.cells[2 * 4 + 0]


# --------------------------------------------------------------------------------------
# Cells that cannot be fitted are recorded, not raised
# --------------------------------------------------------------------------------------
def test_k_larger_than_n_is_skipped_with_a_message():
    X = three_clusters(8)
    res = model_selection(X, (1, 2, 9, 12), ("full", "spherical"), reg_covar=1e-3)
    for k in (9, 12):
        for t in ("full", "spherical"):
            cell = res.cell(k, t)
            assert cell.status == "skipped" and cell.params is None
            assert "need at least" in cell.message and np.isnan(cell.bic)
    assert res.cell(1, "full").scored
    assert res.best_bic.n_components in (1, 2)


def test_collapsed_cell_is_recorded_not_raised():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(40, 2)), np.repeat([[6.0, 6.0]], 10, axis=0)])
    res = model_selection(X, (1, 2, 3, 4), ("full",), init="random_from_data", n_init=1,
                          seed=2, reg_covar=0.0)
    statuses = {c.status for c in res.cells}
    assert statuses <= {"converged", "max_iter", "collapsed"}
    for c in res.cells:
        if c.status == "collapsed":
            assert np.isnan(c.bic) and "collapsed" in c.message
    collapsed = [c for c in res.cells if c.status == "collapsed"]
    if not collapsed:
        pytest.skip("no cell collapsed on this data")
    assert res.best_bic.status in ("converged", "max_iter")


def test_cell_messages_carry_codes_for_translation():
    on_three_points = np.repeat([[0.0, 0.0], [5.0, 5.0], [0.0, 5.0]], 10, axis=0)
    res = model_selection(on_three_points, (3, 4), ("full",), reg_covar=0.0)
    collapsed, skipped = res.cells
    assert collapsed.status == "collapsed" and collapsed.message.code == "selection.collapsed"
    assert collapsed.message.params["why"].code == "selection.start_singular"
    assert "Every start collapsed" in collapsed.message
    assert skipped.status == "skipped" and skipped.message.code == "em.fewer_distinct_than_k"
    stopped = model_selection(three_clusters(60), (2,), ("full",), max_iter=1).cells[0]
    assert stopped.status == "max_iter" and stopped.message.code == "selection.max_iter"
    assert stopped.message.params == {"max_iter": 1}


def test_degenerate_cells_are_flagged():
    # Heavily rounded data: with many components some sit on coplanar points.
    rng = np.random.default_rng(1)
    X = np.round(three_clusters(150, seed=1) + 0.01 * rng.normal(size=(150, 2)), 0)
    res = model_selection(X, (8, 10), ("full",), reg_covar=1e-6, max_iter=50)
    assert any(c.suspicious and c.reason for c in res.cells)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"k_range": (0, 1)},
        {"k_range": ()},
        {"k_range": (2, 2)},
        {"covariance_types": ("round",)},
        {"init": "nope"},
        {"n_init": 0},
        {"reg_covar": -1.0},
    ],
)
def test_bad_options_raise(kwargs):
    with pytest.raises(ParameterError) as info:
        model_selection(three_clusters(30), **kwargs)
    assert info.value.code is not None, "an option error without a message code"


def test_unknown_cell_raises_with_a_code():
    res = model_selection(three_clusters(30), (1,), ("full",), max_iter=5)
    with pytest.raises(ParameterError) as info:
        res.cell(2, "full")
    assert info.value.code == "selection.no_cell" and "No cell for K = 2" in str(info.value)
