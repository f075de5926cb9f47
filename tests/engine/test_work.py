"""The engine's long loops stop when their ``should_stop`` check says so, and the work budget's
arithmetic (emviz.engine.work)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from emviz import initialize, run_em
from emviz.engine import work as wk
from emviz.engine.restarts import run_restarts
from emviz.engine.selection import model_selection
from emviz.engine.work import checkpoint, iterations_within, over_budget, work_units
from emviz.errors import Cancelled
from tests.builders import blobs

#: Three round clusters (std 1) with centres 4 apart.
CENTRES = [[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]]


class StopAfter:
    """A stop check that says "stop" from its ``n``-th call on, counting its calls."""

    def __init__(self, n: int) -> None:
        self.n, self.calls = n, 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.calls >= self.n


# ---- arithmetic -------------------------------------------------------------------------------
def test_work_units_multiply_points_components_iterations_and_runs():
    assert work_units(1_000_000, 10, 100) == wk.WORK_BUDGET
    assert work_units(600, 3, 100, 4 * 50) == 600 * 3 * 100 * 200
    assert work_units(10, 2, 0) == 20  # no iteration still scores the start once


def test_over_budget_is_strictly_above_and_reads_the_budget_at_call_time(monkeypatch):
    assert not over_budget(wk.WORK_BUDGET) and over_budget(wk.WORK_BUDGET + 1)
    monkeypatch.setattr(wk, "WORK_BUDGET", 100)
    assert over_budget(101) and not over_budget(100)
    assert over_budget(50, budget=10)


@pytest.mark.parametrize(("n", "k", "runs"), [(1_000_000, 20, 1), (600, 3, 200), (10**9, 10, 5)])
def test_iterations_within_is_the_most_that_fits_and_at_least_one(n, k, runs):
    it = iterations_within(n, k, runs)
    assert it >= 1
    if it > 1:
        assert not over_budget(work_units(n, k, it, runs))
        assert over_budget(work_units(n, k, it + 1, runs))
    else:
        assert work_units(n, k, 2, runs) > wk.WORK_BUDGET


def test_checkpoint_raises_only_when_asked():
    checkpoint(None)
    checkpoint(lambda: False)
    with pytest.raises(Cancelled, match="stopped on request"):
        checkpoint(lambda: True)


def test_a_cancelled_fit_reaches_the_page_and_is_never_cached(monkeypatch):
    # Pages turn engine errors into cached messages; a cancelled run must not become one.
    from emviz.ui import cache, jobs
    from emviz.ui.state import ModelSpec, PresetSpec

    monkeypatch.setattr(jobs, "should_stop", lambda: True)
    with pytest.raises(Cancelled):
        cache.fit(PresetSpec("overlapping", 0), ModelSpec(n_components=3))


# ---- run_em -----------------------------------------------------------------------------------
def test_run_em_checks_once_per_iteration_and_stops_at_the_check():
    X = blobs(600, centres=CENTRES)
    init = initialize(X, 3, seed=1)
    stop = StopAfter(6)
    with pytest.raises(Cancelled):
        run_em(X, init, max_iter=1000, tol=0.0, should_stop=stop)
    assert stop.calls == 6  # five iterations ran, the sixth never started


@pytest.mark.parametrize("should_stop", [None, lambda: False])
def test_run_em_with_a_check_that_never_fires_is_the_same_run(should_stop):
    X = blobs(600, centres=CENTRES)
    init = initialize(X, 3, seed=1)
    plain = run_em(X, init, max_iter=50)
    checked = run_em(X, init, max_iter=50, should_stop=should_stop)
    assert checked.n_iter == plain.n_iter
    np.testing.assert_array_equal(checked.log_likelihood, plain.log_likelihood)


def test_run_em_stops_within_a_second_of_the_check_turning_true():
    # A long run (tol = 0 over many iterations of 200,000 points, K = 10): the check turns true
    # 0.3 s in; the call must return within about one iteration of that.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 3))
    init = initialize(X, 10, method="random", seed=0)
    flip = time.perf_counter() + 0.3
    with pytest.raises(Cancelled):
        run_em(X, init, max_iter=100_000, tol=0.0,
               should_stop=lambda: time.perf_counter() > flip)
    assert time.perf_counter() - flip < 1.0


# ---- restarts and model selection -------------------------------------------------------------
@pytest.mark.parametrize("use_batch", [True, False])
def test_run_restarts_stops_inside_its_restarts(use_batch):
    X = blobs(600, centres=CENTRES)
    stop = StopAfter(4)
    with pytest.raises(Cancelled):
        run_restarts(X, 3, 50, ("kmeans++", "random"), max_iter=500, tol=0.0,
                     use_batch=use_batch, should_stop=stop)
    assert stop.calls == 4  # stopped at the first check that fired, long before 100 runs


@pytest.mark.parametrize("use_batch", [True, False])
def test_run_restarts_with_a_silent_check_is_unchanged(use_batch):
    X = blobs(300, centres=CENTRES)
    a = run_restarts(X, 3, 5, ("kmeans++",), use_batch=use_batch)
    b = run_restarts(X, 3, 5, ("kmeans++",), use_batch=use_batch, should_stop=lambda: False)
    assert [r.log_likelihood for r in a.restarts] == [r.log_likelihood for r in b.restarts]


def test_model_selection_stops_inside_its_sweep():
    X = blobs(600, centres=CENTRES)
    stop = StopAfter(10)
    done = []
    with pytest.raises(Cancelled):
        model_selection(X, range(1, 11), ("full", "diag"), max_iter=500, tol=0.0,
                        progress=lambda d, total: done.append(d), should_stop=stop)
    assert stop.calls == 10
    assert len(done) < 20  # the sweep never reached its last cell


def test_model_selection_with_a_silent_check_is_unchanged():
    X = blobs(300, centres=CENTRES)
    a = model_selection(X, range(1, 4), ("full",))
    b = model_selection(X, range(1, 4), ("full",), should_stop=lambda: False)
    np.testing.assert_array_equal(a.bic, b.bic)
