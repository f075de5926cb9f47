"""The one EM loop: every iterative fit in the engine runs through :func:`em_loop`.

A fit is a *kernel* (its E-step, M-step and objective, see :class:`LoopKernel`) plus the
loop's stop rules, which are the same for every fit:

* each iteration evaluates the objective of the current state (the E-step: log-likelihood,
  log-posterior or ELBO) and stops as "converged" when it moved by less than ``tol`` per
  sample since the previous state; otherwise it takes the M-step;
* after ``max_iter`` M-steps the run stops as "max_iter" and the objective of the last state
  is evaluated too (not tested for convergence unless ``test_last``);
* a state the kernel's ``collapsed`` hook flags (the start, or the result of an M-step) ends
  the run as "collapsed" on that state;
* an E-step that raises :class:`~emviz.errors.CollapseError` ends the run as "collapsed"; the
  singular state's objective is then ``+inf`` (the likelihood singularity);
* an M-step that raises :class:`~emviz.errors.CollapseError` ends the run as "collapsed" on
  the state before it;
* an ``after_m`` hook may replace the M-step's result (re-seeding a collapsed component). A
  replaced state is not an EM step, so the run is not declared converged on it.

Kernels whose arithmetic runs many fits at once (the batched restarts) answer :data:`PENDING`
from ``e_step`` or ``objective``: the loop then yields the state, and whoever drives it sends
back what the kernel would have returned. A fit on its own is driven by :func:`run_loop`; its
kernel never defers, so the generator runs to its end without yielding.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Final, Generic, Protocol, TypeVar

from emviz._messages import error
from emviz.engine.work import StopCheck, checkpoint
from emviz.errors import CollapseError, ParameterError

S = TypeVar("S")
E = TypeVar("E")


class _Pending:
    """The type of :data:`PENDING`."""

    def __repr__(self) -> str:
        return "PENDING"


#: Returned by a kernel's ``e_step`` or ``objective`` when a driver computes it for many
#: fits at once: the loop yields the state and waits for the value to be sent.
PENDING: Final = _Pending()

#: What a loop yields (a state whose E-step or objective is pending), what it is sent back
#: (``(objective, M-step input)``; the second is ignored for a final objective) and what it
#: returns.
Loop = Generator[S, tuple[float, Any], "LoopResult[S]"]


class LoopKernel(Protocol[S, E]):
    """One iterative fit on fixed data, as :func:`em_loop` needs it.

    Kernels may also define two hooks and a flag, looked up once per run:

    ``collapsed(state) -> int | None``
        Called on the start and on every new state; a component index ends the run
        ("collapsed") on that state.
    ``after_m(state, e, iteration) -> (state, replaced)``
        Called on every M-step result before it is kept; ``replaced=True`` says the state
        was changed outside EM, so the next objective is not tested for convergence.
    ``deferred = True``
        ``e_step`` always answers :data:`PENDING`, so the loop need not call it.

    A kernel may record values of its own per call (a prior term, an eigen-decomposition):
    it is built for one run.
    """

    def e_step(self, state: S) -> tuple[float, E] | _Pending:
        """The objective of ``state`` and what the M-step needs from the E-step.

        Raises :class:`~emviz.errors.CollapseError` when ``state`` is singular.
        """
        ...

    def m_step(self, state: S, e: E) -> S:
        """The next state. May raise :class:`~emviz.errors.CollapseError` (the run then
        stops on ``state``)."""
        ...

    def objective(self, state: S) -> float | _Pending:
        """The objective of the last state of a run (no M-step follows)."""
        ...


@dataclass(frozen=True, eq=False)
class LoopResult(Generic[S]):
    """How a run of :func:`em_loop` ended.

    Attributes
    ----------
    states : list
        Every state, the start first (only the last one when the loop ran with
        ``history=False``).
    objectives : list of float
        The objective of every state (``objectives[i]`` of the ``i``-th).
    n_iter : int
        M-steps taken (``len(objectives) - 1``).
    stop_reason : {"converged", "max_iter", "collapsed"}
    collapsed_component : int or None
        The component named when the run collapsed (None if the kernel named none).
    """

    states: list[S]
    objectives: list[float]
    n_iter: int
    stop_reason: str
    collapsed_component: int | None

    @property
    def final(self) -> S:
        return self.states[-1]

    @property
    def converged(self) -> bool:
        return self.stop_reason == "converged"


def _settled(objectives: list[float], n_samples: int, tol: float) -> bool:
    """The convergence test: the last objective moved by less than ``tol`` per sample."""
    return len(objectives) >= 2 and abs(objectives[-1] - objectives[-2]) / n_samples < tol


def _no_collapse(state: Any) -> None:
    return None


def em_loop(
    kernel: LoopKernel[S, Any],
    init: S,
    n_samples: int,
    max_iter: int,
    tol: float,
    should_stop: StopCheck | None = None,
    history: bool = True,
    test_last: bool = False,
) -> Loop[S]:
    """Iterate ``kernel`` from ``init`` until one of the stop rules (module docstring) holds.

    Parameters
    ----------
    kernel : LoopKernel
    init : state
        The start.
    n_samples : int
        The objective's change is compared to ``tol`` per sample.
    max_iter : int
        Most M-steps.
    tol : float
        0 runs exactly ``max_iter`` iterations (unless the run collapses).
    should_stop : callable () -> bool, optional
        Asked before every iteration (see :mod:`emviz.engine.work`).
    history : bool, default True
        False keeps only the last state (for drivers that want the result, not the path).
    test_last : bool, default False
        Also test the last state's objective, after ``max_iter`` M-steps, for convergence.

    Yields
    ------
    state
        Only when the kernel answered :data:`PENDING`; send back ``(objective, e)``.

    Returns
    -------
    LoopResult
        As the generator's return value (see :func:`run_loop`).

    Raises
    ------
    emviz.errors.Cancelled
        When ``should_stop`` returned True.
    """
    settled = _settled
    collapsed_of = getattr(kernel, "collapsed", _no_collapse)
    after_m = getattr(kernel, "after_m", None)
    e_step, m_step = kernel.e_step, kernel.m_step
    deferred = getattr(kernel, "deferred", False)
    state, states = init, [init]
    objectives: list[float] = []
    n_iter, replaced = 0, False
    stop, collapsed = "max_iter", collapsed_of(init)
    if collapsed is not None:
        stop = "collapsed"
    else:
        for _ in range(max_iter):
            if should_stop is not None:
                checkpoint(should_stop)
            try:
                step = PENDING if deferred else e_step(state)
                if isinstance(step, _Pending):  # isinstance, so the type checker narrows
                    step = yield state
            except CollapseError as exc:  # the state itself is singular
                stop, collapsed = "collapsed", exc.component
                break
            objective, e = step
            objectives.append(objective)
            if not replaced and settled(objectives, n_samples, tol):
                stop = "converged"
                break
            try:
                new = m_step(state, e)
            except CollapseError as exc:  # no usable next state: stop on this one
                stop, collapsed = "collapsed", exc.component
                break
            if after_m is not None:
                new, replaced = after_m(new, e, len(objectives))
            n_iter += 1
            state = new
            if history:
                states.append(new)
            collapsed = collapsed_of(new)
            if collapsed is not None:
                stop = "collapsed"
                break
    if not history:
        states = [state]
    if len(objectives) <= n_iter:  # the last state's objective is not known yet
        try:
            value = kernel.objective(state)
            if isinstance(value, _Pending):
                value = (yield state)[0]
        except CollapseError as exc:
            stop, collapsed = "collapsed", exc.component
            value = float("inf")  # a singular component on a point: unbounded likelihood
        objectives.append(value)
        if test_last and stop == "max_iter" and not replaced and settled(objectives, n_samples,
                                                                          tol):
            stop = "converged"
    return LoopResult(states, objectives, n_iter, stop,
                      collapsed if stop == "collapsed" else None)


def run_loop(
    kernel: LoopKernel[S, Any],
    init: S,
    n_samples: int,
    max_iter: int,
    tol: float,
    should_stop: StopCheck | None = None,
    test_last: bool = False,
) -> LoopResult[S]:
    """Run :func:`em_loop` for a kernel that computes its own steps (never :data:`PENDING`)."""
    loop = em_loop(kernel, init, n_samples, max_iter, tol, should_stop, True, test_last)
    try:
        next(loop)
    except StopIteration as done:
        return done.value
    loop.close()
    raise error(ParameterError, "loop.deferred", kernel=type(kernel).__name__)
