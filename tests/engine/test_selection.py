"""Tests of emviz.engine.selection: BIC/AIC equal scikit-learn's, the grid, and cells that fail."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

from emviz import COVARIANCE_TYPES, ParameterError, Params, aic, bic, initialize, run_em
from emviz._messages import Joined
from emviz.data.csv import load_csv
from emviz.engine.restarts import passed_over_reason, recommend, run_restarts
from emviz.engine.selection import model_selection
from tests.builders import blobs

OLD_FAITHFUL = Path(__file__).resolve().parents[2] / "assets" / "old_faithful.csv"
#: mclust's BIC choice for Old Faithful: EEE (scikit-learn's tied) with 3 components.
MCLUST_EEE3_LOG_LIKELIHOOD = -1126.33


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------
#: A 3-component mixture in 2-D: unequal sizes and shapes, well separated.
THREE = {
    "centres": [[0.0, 0.0], [7.0, 1.0], [2.0, 7.0]],
    "shapes": [[[1.0, 0.0], [0.0, 1.0]], [[1.2, 0.5], [0.0, 0.6]], [[0.7, 0.0], [-0.3, 0.9]]],
    "weights": (3, 2, 1),
}


def sklearn_model(params: Params, covariance_type: str) -> GaussianMixture:
    """A fitted-looking GaussianMixture holding exactly ``params``."""
    gm = GaussianMixture(params.n_components, covariance_type=covariance_type)
    cov = params.compact_covariances(covariance_type)
    gm.weights_, gm.means_, gm.covariances_ = params.weights, params.means, cov
    gm.precisions_cholesky_ = _compute_precision_cholesky(cov, covariance_type)
    gm.converged_, gm.n_iter_, gm.lower_bound_ = True, 1, 0.0
    gm.n_features_in_ = params.n_features
    return gm


def old_faithful() -> np.ndarray:
    """The app's own sample: 272 eruptions, (eruption minutes, waiting minutes)."""
    table = load_csv(OLD_FAITHFUL)
    return table.select(list(table.numeric_columns)).X


@dataclass(frozen=True)
class FakeFit:
    """Just what emviz.engine.restarts.recommend reads."""

    suspicious: bool
    converged: bool
    reason: str = ""


# --------------------------------------------------------------------------------------
# Agreement with scikit-learn
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_scores_equal_scikit_learn_for_the_same_parameters(covariance_type):
    X = blobs(300, **THREE)
    res = model_selection(X, range(1, 5), (covariance_type,), max_iter=50)
    for cell in res.cells:
        assert cell.scored
        gm = sklearn_model(cell.params, covariance_type)
        assert cell.bic == pytest.approx(gm.bic(X), rel=1e-10, abs=1e-8)
        assert cell.aic == pytest.approx(gm.aic(X), rel=1e-10, abs=1e-8)
        # And emviz.engine.em's own bic/aic agree with the grid.
        assert cell.bic == pytest.approx(bic(X, cell.params, covariance_type), rel=1e-10)
        assert cell.aic == pytest.approx(aic(X, cell.params, covariance_type), rel=1e-10)


def test_cell_is_reproducible_from_its_seed():
    X = blobs(300, **THREE)
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
    X = blobs(450, **THREE)
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
# Best and recommended: the restarts lab's rule (emviz.engine.restarts.recommend)
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=[1, 5], ids=["n_init=1", "n_init=5"])
def faithful_grid(request):
    X = old_faithful()
    assert X.shape == (272, 2)
    return request.param, model_selection(X, range(1, 10), COVARIANCE_TYPES, n_init=request.param,
                                          reg_covar=1e-6)


def test_old_faithful_recommends_mclust_eee_three(faithful_grid):
    _, res = faithful_grid
    rec = res.recommended("bic")
    assert (rec.n_components, rec.covariance_type) == (3, "tied")
    assert rec.log_likelihood == pytest.approx(MCLUST_EEE3_LOG_LIKELIHOOD, abs=0.05)
    assert rec.converged and not rec.suspicious
    assert rec is res.recommended_bic and res.best("bic") is res.best_bic
    # No scored cell that is trustworthy and converged has a lower BIC.
    trusted = [c for c in res.cells if c.scored and c.converged and not c.suspicious]
    assert rec.bic == min(c.bic for c in trusted)


def test_old_faithful_passes_over_a_flat_best_with_five_starts(faithful_grid):
    n_init, res = faithful_grid
    best, rec = res.best("bic"), res.recommended("bic")
    assert best.bic == np.nanmin(res.bic)
    if n_init == 1:  # one start per cell: the best is the recommended cell, nothing to say
        assert best is rec and res.passed_over("bic") == ""
        return
    # More starts find a lower BIC through a component flattened onto points that share a
    # waiting time (whole minutes): scored, still there, but passed over, with its reason.
    assert (best.n_components, best.covariance_type) == (5, "diag")
    assert best is not rec and best.suspicious and best.bic < rec.bic - 50
    why = res.passed_over("bic")
    assert why.code == "selection.passed_over" and why.params["crit"] == "BIC"
    assert why.startswith("lowest BIC, but component ")
    parts = why.params["reason"].parts
    assert parts[:len(best.reason.parts)] == best.reason.parts
    flat = [m for m in parts if getattr(m, "code", "") == "restarts.reason_flat"]
    assert flat, why
    for m in flat:  # numbered from 1: "component k" is index k - 1 of the parameters
        k = m.params["component"]
        assert 1 <= k <= best.n_components and f"component {k} is flat" in why
        thinnest = np.linalg.eigvalsh(best.params.covariances[k - 1])[0]
        assert thinnest == pytest.approx(1e-6, rel=1e-3)
    if not best.converged:
        assert parts[-1].code == "restarts.reason_not_converged"


def test_recommended_aic_follows_the_same_rule(faithful_grid):
    _, res = faithful_grid
    best, rec = res.best("aic"), res.recommended("aic")
    assert best.aic == np.nanmin(res.aic)
    ranked = sorted((c for c in res.cells if c.scored), key=lambda c: c.aic)
    assert rec is ranked[recommend(ranked)]
    assert (res.passed_over("aic") == "") == (best is rec)


def test_recommend_prefers_trustworthy_then_converged():
    ok, unfinished, flat = FakeFit(False, True), FakeFit(False, False), FakeFit(True, True)
    assert recommend([flat, unfinished, ok]) == 2
    assert recommend([ok, flat]) == 0
    assert recommend([flat, unfinished, FakeFit(True, False)]) == 1  # says it did not converge
    assert recommend([flat, FakeFit(True, False, "x")]) is None
    assert recommend([]) is None


def test_passed_over_reason_keeps_the_clauses_and_adds_max_iter():
    reason = Joined(["component 2 is flat: ...", "component 2 holds only ≈3 points"], "; ")
    best = FakeFit(True, False, reason)
    why = passed_over_reason(best, FakeFit(False, True))
    assert why.parts[:2] == reason.parts and why.parts[2].code == "restarts.reason_not_converged"
    assert passed_over_reason(best, best) == "" and passed_over_reason(None, None) == ""
    unfinished = passed_over_reason(FakeFit(False, False), FakeFit(False, True))
    assert [p.code for p in unfinished.parts] == ["restarts.reason_not_converged"]


def test_restarts_use_the_same_rule():
    # Three iterations: no restart converges, so the best trustworthy optimum is recommended
    # and says it did not converge (the rule's fallback).
    res = run_restarts(blobs(300, **THREE), 3, 6, covariance_type="diag", max_iter=3, seed=0)
    assert not any(o.converged for o in res.optima)
    assert res.recommended_index == recommend(res.optima)
    assert res.recommended is not None and not res.recommended.converged
    assert res.passed_over == passed_over_reason(res.best, res.recommended)


@pytest.mark.parametrize("criterion", ["hqc", "BIC", ""])
def test_unknown_criterion_raises_with_a_code(criterion):
    res = model_selection(blobs(30, **THREE), (1,), ("full",), max_iter=5)
    for method in (res.best, res.recommended, res.passed_over):
        with pytest.raises(ParameterError) as info:
            method(criterion)
        assert info.value.code == "check.choice"


# --------------------------------------------------------------------------------------
# Cells that cannot be fitted are recorded, not raised
# --------------------------------------------------------------------------------------
def test_k_larger_than_n_is_skipped_with_a_message():
    X = blobs(8, **THREE)
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
    stopped = model_selection(blobs(60, **THREE), (2,), ("full",), max_iter=1).cells[0]
    assert stopped.status == "max_iter" and stopped.message.code == "selection.max_iter"
    assert stopped.message.params == {"max_iter": 1}


def test_degenerate_cells_are_flagged():
    # Heavily rounded data: with many components some sit on coplanar points.
    rng = np.random.default_rng(1)
    X = np.round(blobs(150, seed=1, **THREE) + 0.01 * rng.normal(size=(150, 2)), 0)
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
        model_selection(blobs(30, **THREE), **kwargs)
    assert info.value.code is not None, "an option error without a message code"


def test_unknown_cell_raises_with_a_code():
    res = model_selection(blobs(30, **THREE), (1,), ("full",), max_iter=5)
    with pytest.raises(ParameterError) as info:
        res.cell(2, "full")
    assert info.value.code == "selection.no_cell" and "No cell for K = 2" in str(info.value)
