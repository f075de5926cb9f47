"""The one EM loop: its stop rules on a kernel written here, and proof that every fit in the
engine stops by them (changing the loop's convergence test changes every fit)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from emviz.engine import loop as loop_module
from emviz.engine.basins import basin_map
from emviz.engine.coins import run_coins
from emviz.engine.em import DenseKernel, initialize, run_em
from emviz.engine.loop import PENDING, em_loop, run_loop
from emviz.engine.remedies import run_em_map, run_em_reseed
from emviz.engine.restarts import run_restarts
from emviz.engine.vbgmm import default_prior, run_vb, vb_initialize
from emviz.errors import Cancelled, CollapseError, ParameterError

ENGINE = Path(__file__).resolve().parents[2] / "emviz" / "engine"


class ScriptedKernel:
    """A state is an integer (the number of M-steps taken); its objective is read from a
    script, so each stop rule can be met exactly when a test wants it."""

    def __init__(self, objectives, singular=(), m_fails=(), collapsed=(), reseed_at=()):
        self.script = list(objectives)
        self.singular, self.m_fails = set(singular), set(m_fails)
        self.collapsed_states, self.reseed_at = set(collapsed), set(reseed_at)
        self.calls: list[tuple[str, int]] = []

    def _value(self, state: int) -> float:
        if state in self.singular:
            raise CollapseError(1, "scripted")
        return self.script[state]

    def e_step(self, state: int):
        self.calls.append(("E", state))
        return self._value(state), f"resp of {state}"

    def m_step(self, state: int, e: str) -> int:
        assert e == f"resp of {state}"
        self.calls.append(("M", state))
        if state + 1 in self.m_fails:
            raise CollapseError(2, "scripted")
        return state + 1

    def objective(self, state: int) -> float:
        self.calls.append(("objective", state))
        return self._value(state)

    def collapsed(self, state: int) -> int | None:
        return 0 if state in self.collapsed_states else None


def run(kernel, max_iter=10, tol=0.1, n=10, **kw):
    return run_loop(kernel, 0, n, max_iter, tol, **kw)


def test_stops_when_the_per_sample_change_is_below_tol():
    # Changes per sample: 1.0, 0.5, 0.2, 0.05 -> converged on state 4, before its M-step.
    res = run(ScriptedKernel([0.0, 10.0, 15.0, 17.0, 17.5, 99.0]))
    assert (res.stop_reason, res.n_iter, res.converged) == ("converged", 4, True)
    assert res.states == [0, 1, 2, 3, 4]
    assert res.objectives == [0.0, 10.0, 15.0, 17.0, 17.5]
    assert res.collapsed_component is None


def test_max_iter_evaluates_the_last_state_without_testing_it():
    kernel = ScriptedKernel([0.0, 10.0, 20.0, 20.0])
    res = run(kernel, max_iter=2)
    assert (res.stop_reason, res.n_iter, res.objectives) == ("max_iter", 2, [0.0, 10.0, 20.0])
    assert kernel.calls[-1] == ("objective", 2)  # no M-step after the last state
    # test_last: the last state's objective may still meet tol.
    res = run(ScriptedKernel([0.0, 10.0, 10.5]), max_iter=2, test_last=True)
    assert (res.stop_reason, res.n_iter) == ("converged", 2)


def test_tol_zero_runs_exactly_max_iter_and_max_iter_zero_only_scores_the_start():
    res = run(ScriptedKernel([5.0] * 8), max_iter=7, tol=0.0)
    assert (res.stop_reason, res.n_iter, len(res.objectives)) == ("max_iter", 7, 8)
    res = run(ScriptedKernel([5.0]), max_iter=0)
    assert (res.stop_reason, res.n_iter, res.objectives) == ("max_iter", 0, [5.0])


def test_a_collapsed_state_ends_the_run_on_it_and_is_scored():
    res = run(ScriptedKernel([0.0, 10.0, 30.0, 60.0], collapsed={2}))
    assert (res.stop_reason, res.n_iter, res.collapsed_component) == ("collapsed", 2, 0)
    assert res.objectives == [0.0, 10.0, 30.0]
    res = run(ScriptedKernel([0.0, 10.0], collapsed={0}))  # a collapsed start: no iteration
    assert (res.stop_reason, res.n_iter, res.objectives) == ("collapsed", 0, [0.0])


def test_a_singular_state_has_objective_inf():
    res = run(ScriptedKernel([0.0, 10.0, 30.0], singular={2}, collapsed={2}))
    assert res.objectives == [0.0, 10.0, np.inf] and res.collapsed_component == 1
    res = run(ScriptedKernel([0.0], singular={0}))
    assert (res.stop_reason, res.n_iter, res.objectives) == ("collapsed", 0, [np.inf])


def test_a_failed_m_step_stops_on_the_state_before_it():
    res = run(ScriptedKernel([0.0, 10.0, 30.0, 60.0], m_fails={3}))
    assert (res.stop_reason, res.n_iter, res.collapsed_component) == ("collapsed", 2, 2)
    assert res.states == [0, 1, 2] and res.objectives == [0.0, 10.0, 30.0]


def test_a_state_replaced_after_the_m_step_is_not_declared_converged():
    class Reseeding(ScriptedKernel):
        def after_m(self, state, e, iteration):
            assert iteration == state  # the E-steps taken so far
            return state, state in self.reseed_at

    flat = [0.0, 10.0, 10.0, 10.0, 10.0]
    assert run(Reseeding(flat)).n_iter == 2
    res = run(Reseeding(flat, reseed_at={2}))
    assert (res.stop_reason, res.n_iter) == ("converged", 3)


def test_should_stop_cancels_before_an_iteration():
    asked = []

    def should_stop():
        asked.append(1)
        return len(asked) > 3

    with pytest.raises(Cancelled):
        run(ScriptedKernel([float(i) * 100 for i in range(20)]), should_stop=should_stop)
    assert len(asked) == 4


class Deferring(ScriptedKernel):
    """The same script, but the steps are computed by whoever drives the loop."""

    def e_step(self, state):
        return PENDING

    def objective(self, state):
        return PENDING


def test_a_driven_loop_is_the_same_loop():
    script = [0.0, 10.0, 15.0, 17.0, 17.5, 99.0]
    loop = em_loop(Deferring(script), 0, 10, 10, 0.1)
    state = next(loop)
    sent = []
    with pytest.raises(StopIteration) as done:
        while True:
            sent.append(state)
            state = loop.send((script[state], f"resp of {state}"))
    res, alone = done.value.value, run(ScriptedKernel(script))
    assert (res.states, res.objectives, res.n_iter, res.stop_reason) == (
        alone.states, alone.objectives, alone.n_iter, alone.stop_reason)
    assert sent == [0, 1, 2, 3, 4]
    with pytest.raises(ParameterError, match="Deferring"):
        run_loop(Deferring(script), 0, 10, 10, 0.1)


def test_run_em_is_the_loop_over_its_kernel():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + 4])
    init = initialize(X, 2, seed=3)
    trace = run_em(X, init, "full", 1e-6, 50, 1e-6, kernel="dense")
    dense = DenseKernel(X)

    class Plain:
        def e_step(self, p):
            return dense.iterate(p, "full", 1e-6)

        def m_step(self, p, new):
            return new

        objective = staticmethod(dense.log_likelihood)

    res = run_loop(Plain(), init, X.shape[0], 50, 1e-6)
    assert (res.n_iter, res.stop_reason) == (trace.n_iter, trace.stop_reason)
    np.testing.assert_array_equal(res.objectives, trace.log_likelihood)


def _stopping_after_two(objectives, n_samples, tol):
    return len(objectives) >= 3


def test_every_fit_stops_by_the_one_loop(monkeypatch):
    """Replace the loop's convergence test by "after two M-steps": every fit obeys it,
    so none has a stop rule of its own."""
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(size=(50, 2)), rng.normal(size=(50, 2)) + 3])
    init = initialize(X, 2, seed=0)
    monkeypatch.setattr(loop_module, "_settled", _stopping_after_two)
    prior = default_prior(X, 3)
    vb0 = vb_initialize(X, 3, seed=0, prior=prior)[0]
    traces = {
        "run_em dense": run_em(X, init, tol=0, kernel="dense"),
        "run_em fused": run_em(X, init, tol=0, kernel="fused"),
        "reseed": run_em_reseed(X, init, tol=0),
        "map": run_em_map(X, init, tol=0),
        "vb": run_vb(X, vb0, prior, tol=0),
    }
    for name, tr in traces.items():
        assert (tr.n_iter, tr.stop_reason) == (2, "converged"), name
    assert len(run_coins([5, 9, 8, 4, 7], [5, 1, 2, 6, 3], n_iter=10).states) == 3
    res = run_restarts(X, 2, 6, tol=0)
    assert {(r.n_iter, r.stop_reason) for r in res.restarts} == {(2, "converged")}
    bmap = basin_map(X, init, 0, tol=0, grid=3)
    assert set(bmap.n_iter.ravel().tolist()) == {2}
    assert set(bmap.stop_reason.ravel().tolist()) == {"converged"}


def _convergence_tests(tree: ast.AST) -> list[int]:
    """Lines comparing something built with ``abs`` against ``tol``: an objective's change."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if not any(isinstance(s, ast.Name) and s.id == "tol" for s in sides):
            continue
        calls = (c for s in sides for c in ast.walk(s) if isinstance(c, ast.Call))
        if any(ast.unparse(c.func) in ("abs", "np.abs", "numpy.abs") for c in calls):
            found.append(node.lineno)
    return found


def test_the_convergence_test_is_written_once():
    where = {p.name: lines for p in sorted(ENGINE.glob("*.py"))
             if (lines := _convergence_tests(ast.parse(p.read_text(encoding="utf-8"))))}
    assert list(where) == ["loop.py"] and len(where["loop.py"]) == 1, where
    # The detector finds the rule as the fits used to write it.
    assert _convergence_tests(ast.parse("if abs(ll - prev) / n < tol: pass"))
    assert _convergence_tests(ast.parse("conv = ~at_max & (np.abs(ll - prev) / n < tol)"))
