"""How much work a request asks for, and how long loops keep going when nobody waits.

Two things keep one request from holding the server:

* **A stop check.** The engine's long loops (:func:`emviz.engine.em.run_em`,
  :func:`emviz.engine.restarts.run_restarts`, :func:`emviz.engine.selection.model_selection`, and
  any later one such as a basin map) take an optional ``should_stop`` callable with no
  arguments and call :func:`checkpoint` with it once per iteration, restart or cell. When it
  returns True the loop raises :class:`emviz.errors.Cancelled` and the work is abandoned:
  nothing half-done is returned. Pages that turn engine errors into cached messages let
  ``Cancelled`` through, so nothing half-done is cached either. The engine does not know *why*
  it should stop; the UI decides (its browser session has gone, see ``emviz.ui.jobs``).
* **A work budget.** :func:`work_units` counts points × components × iterations × runs,
  the number of point–component updates a request may do at most. A page compares it with
  :data:`WORK_BUDGET` before it starts and asks before going above it;
  :func:`iterations_within` says how far a request can go inside the budget (what a shared
  link is clamped to).

This module is pure: no Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable

from emviz._messages import error
from emviz.errors import Cancelled

__all__ = [
    "WORK_BUDGET",
    "Cancelled",
    "StopCheck",
    "budget_now",
    "checkpoint",
    "iterations_within",
    "over_budget",
    "work_units",
]

#: A function the engine calls between steps; True means "stop now".
StopCheck = Callable[[], bool]

#: Point–component updates one click may start without asking (about 10-60 s of one core:
#: EM costs 5-50 ns per point, component and iteration here). A million points with 10
#: components for 100 iterations is exactly this much.
WORK_BUDGET = 1_000_000_000


def checkpoint(should_stop: StopCheck | None) -> None:
    """Raise :class:`emviz.errors.Cancelled` if ``should_stop`` is given and returns True.

    Parameters
    ----------
    should_stop : callable () -> bool, optional
        None means the work always runs to its end.
    """
    if should_stop is not None and should_stop():
        raise error(Cancelled, "work.cancelled")


def work_units(n_points: int, n_components: int, n_iterations: int, n_runs: int = 1) -> int:
    """Points × components × iterations × runs: the size of a request.

    Parameters
    ----------
    n_points, n_components, n_iterations : int
        The data's size, K (summed over the Ks of a sweep), and the most iterations a run
        may take.
    n_runs : int, default 1
        Runs of that size (restarts × init methods, starts per cell × covariance types).

    Returns
    -------
    int
    """
    return int(n_points) * int(n_components) * max(int(n_iterations), 1) * max(int(n_runs), 1)


def budget_now(budget: int | None = None) -> int:
    """``budget``, or :data:`WORK_BUDGET` as it is now (read at call time, so a deployment or
    a test can set it)."""
    return int(WORK_BUDGET if budget is None else budget)


def over_budget(units: int, budget: int | None = None) -> bool:
    """Whether a request of ``units`` must be confirmed before it runs (default budget:
    :data:`WORK_BUDGET`)."""
    return int(units) > budget_now(budget)


def iterations_within(n_points: int, n_components: int, n_runs: int = 1,
                      budget: int | None = None) -> int:
    """The most iterations per run that keep a request within ``budget`` (at least 1).

    Parameters
    ----------
    n_points, n_components, n_runs : int
        As in :func:`work_units`.
    budget : int, default :data:`WORK_BUDGET`

    Returns
    -------
    int
    """
    per_iteration = max(int(n_points) * int(n_components) * max(int(n_runs), 1), 1)
    return max(budget_now(budget) // per_iteration, 1)
