"""Model selection: BIC and AIC over the number of components and the covariance type.

For every cell (K, covariance type) of the grid, EM is run from ``n_init`` seeded starts and
the highest log-likelihood is kept (as scikit-learn's ``n_init`` does). The criteria follow
:func:`emviz.engine.em.bic` and :func:`emviz.engine.em.aic`, which are scikit-learn's conventions:

* ``BIC = −2 ln L + p ln N`` and ``AIC = −2 ln L + 2p``, lower is better;
* ``p = K·D`` means ``+ (K − 1)`` weights ``+`` covariance terms (``K·D(D+1)/2`` full,
  ``D(D+1)/2`` tied, ``K·D`` diag, ``K`` spherical); see :func:`emviz.engine.em.n_parameters`.

A cell never raises. Its :attr:`SelectionCell.status` says what happened:

* ``"converged"``: EM met the tolerance;
* ``"max_iter"``: EM stopped at ``max_iter`` (scored anyway; the message says so);
* ``"collapsed"``: every start collapsed (a singular covariance, only possible with a tiny
  ``reg_covar``); not scored, since the likelihood is unbounded;
* ``"skipped"``: the cell is impossible, e.g. more components than distinct points.

Cells with a near-degenerate component (see :func:`emviz.engine.restarts.degeneracy_reasons`) are
scored like any other (that *is* what BIC does) but carry ``suspicious=True`` and a reason:
a low BIC may come from a component sitting on a handful of points.

Best and recommended
--------------------
Per criterion the result keeps two cells:

* the **best** (:meth:`SelectionResult.best`): the scored cell with the lowest criterion,
  whatever it is made of;
* the **recommended** (:meth:`SelectionResult.recommended`): the cell to trust, picked by
  the rule the restarts lab uses for its optima (:func:`emviz.engine.restarts.recommend`): the
  lowest-scoring cell that is not near-degenerate and converged, or, if no such cell
  converged, the lowest-scoring one that is not near-degenerate (its ``converged`` is then
  False). When the two differ, :meth:`SelectionResult.passed_over` says why the best was
  passed over ("lowest BIC, but component 5 is flat: ...").

On Old Faithful (K = 1..9, the four covariance types, ``reg_covar = 1e-6``, ``tol = 1e-6``)
five starts per cell make diag K = 5 the best by BIC: it stopped at ``max_iter`` with a
component flattened onto points that share a waiting time. The recommended cell is tied
K = 3 (ln L ≈ −1126.3), mclust's published choice for these data (its EEE model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from emviz._messages import Joined, Message, error
from emviz._validation import (
    MAX_RUNS,
    check_callable,
    check_choice,
    check_int,
    check_moderate_scale,
    check_seed,
    check_sequence,
)
from emviz.engine.em import (
    Trace,
    _check_covariance_type,
    _check_reg_covar,
    check_data,
    initialize,
    n_parameters,
    run_em,
)
from emviz.engine.restarts import degeneracy_reasons, passed_over_reason, recommend
from emviz.engine.work import StopCheck, checkpoint
from emviz.errors import CollapseError, DataError, ParameterError
from emviz.model.params import COVARIANCE_TYPES, INIT_METHODS, Params

ProgressCallback = Callable[[int, int], None]

#: Statuses of a cell that carry a fitted, scored model.
SCORED_STATUSES: tuple[str, ...] = ("converged", "max_iter")


@dataclass(frozen=True, eq=False)
class SelectionCell:
    """One (K, covariance type) cell of the grid.

    Attributes
    ----------
    n_components : int
    covariance_type : str
    status : {"converged", "max_iter", "collapsed", "skipped"}
        See the module docstring.
    message : str
        A sentence for the reader ("" when converged normally): an
        :class:`emviz._messages.Message` (English ``str``, translatable by its ``code``).
    params : Params or None
        Fitted parameters of the kept start (None when skipped, or when every start was
        singular from the outset).
    log_likelihood : float
        Total log-likelihood of ``params`` (nan when there are none; may be inf if collapsed).
    bic, aic : float
        nan unless the cell is scored (:attr:`scored`).
    n_parameters : int
        Free parameters p.
    n_iter : int
        EM iterations of the kept start.
    seed : int or None
        Seed of the kept start: ``initialize(X, K, init, seed, covariance_type, reg_covar)``.
    suspicious : bool
        A component looks near-degenerate; ``reason`` says which and why.
    reason : str
        The near-degeneracy reasons joined by "; " (an :class:`emviz._messages.Joined`, so
        a UI translates each part it can); "" when not suspicious.
    """

    n_components: int
    covariance_type: str
    status: str
    message: str
    params: Params | None
    log_likelihood: float
    bic: float
    aic: float
    n_parameters: int
    n_iter: int
    seed: int | None
    suspicious: bool = False
    reason: str = ""

    @property
    def scored(self) -> bool:
        """Whether the cell has a finite BIC/AIC (converged or stopped at max_iter)."""
        return self.status in SCORED_STATUSES

    @property
    def converged(self) -> bool:
        """Whether EM met the tolerance (False for every other status)."""
        return self.status == "converged"


@dataclass(frozen=True, eq=False)
class SelectionResult:
    """The whole grid.

    Attributes
    ----------
    k_values : tuple of int
    covariance_types : tuple of str
    cells : tuple of SelectionCell
        Row-major: all covariance types for ``k_values[0]``, then ``k_values[1]``, ...
    bic, aic : array of shape (len(k_values), len(covariance_types))
        nan where a cell is not scored.
    best_bic, best_aic : SelectionCell or None
        The scored cell with the lowest criterion (None if no cell is scored). Ties go to
        the smaller K, then to the earlier covariance type.
    recommended_bic, recommended_aic : SelectionCell or None
        The cell to trust by that criterion (module docstring, "Best and recommended"); None
        if every scored cell is near-degenerate. Same ties as the best.
    n_samples : int
    """

    k_values: tuple[int, ...]
    covariance_types: tuple[str, ...]
    cells: tuple[SelectionCell, ...]
    bic: np.ndarray
    aic: np.ndarray
    best_bic: SelectionCell | None
    best_aic: SelectionCell | None
    recommended_bic: SelectionCell | None
    recommended_aic: SelectionCell | None
    n_samples: int

    def best(self, criterion: str) -> SelectionCell | None:
        """The scored cell with the lowest ``criterion`` ("bic" or "aic"), trustworthy or not.

        Raises
        ------
        ParameterError
            For a criterion other than "bic" or "aic".
        """
        return {"bic": self.best_bic, "aic": self.best_aic}[_check_criterion(criterion)]

    def recommended(self, criterion: str) -> SelectionCell | None:
        """The cell to trust by ``criterion`` ("bic" or "aic"); None if none can be.

        The lowest-scoring cell that is not near-degenerate and converged, or, when no such
        cell converged, the lowest-scoring one that is not near-degenerate (its
        :attr:`SelectionCell.converged` is then False): :func:`emviz.engine.restarts.recommend`.

        Raises
        ------
        ParameterError
            For a criterion other than "bic" or "aic".
        """
        return {"bic": self.recommended_bic,
                "aic": self.recommended_aic}[_check_criterion(criterion)]

    def passed_over(self, criterion: str) -> str:
        """Why the best cell by ``criterion`` is not the recommended one ("" when it is).

        Returns
        -------
        str
            A :class:`~emviz._messages.Message` (code ``selection.passed_over``), e.g. "lowest
            BIC, but component 5 is flat: ...": the best cell's near-degeneracy clauses, with
            components numbered from 1, and whether it stopped at max_iter
            (:func:`emviz.engine.restarts.passed_over_reason`).

        Raises
        ------
        ParameterError
            For a criterion other than "bic" or "aic".
        """
        best = self.best(criterion)
        reason = passed_over_reason(best, self.recommended(criterion))
        if not reason:
            return ""
        return Message("selection.passed_over", crit=criterion.upper(), reason=reason)

    def cell(self, n_components: int, covariance_type: str) -> SelectionCell:
        """The cell for ``(n_components, covariance_type)``."""
        try:
            i = self.k_values.index(n_components)
            j = self.covariance_types.index(covariance_type)
        except ValueError as exc:
            raise error(ParameterError, "selection.no_cell", k=n_components,
                        covariance_type=covariance_type, k_values=self.k_values,
                        types=self.covariance_types) from exc
        return self.cells[i * len(self.covariance_types) + j]


#: The criteria a result is ranked by (lower is better for both).
CRITERIA: tuple[str, ...] = ("bic", "aic")


def _check_criterion(criterion: str) -> str:
    return check_choice(criterion, "criterion", CRITERIA)


def _check_k_values(k_range: Iterable[int]) -> tuple[int, ...]:
    ks = check_sequence(k_range, "k_range") if not isinstance(k_range, range) else tuple(
        k_range)
    bad = [k for k in ks if not isinstance(k, int | np.integer) or k < 1]
    if bad:
        raise error(ParameterError, "selection.k_range_bad", value=list(ks), bad=bad)
    if not ks:
        raise error(ParameterError, "selection.k_range_empty")
    if len(set(ks)) != len(ks):
        raise error(ParameterError, "selection.k_range_repeats", value=list(ks))
    return tuple(int(k) for k in ks)


def _check_types(covariance_types: Sequence[str] | str) -> tuple[str, ...]:
    types = ((covariance_types,) if isinstance(covariance_types, str)
             else check_sequence(covariance_types, "covariance_types"))
    if not types:
        raise error(ParameterError, "selection.no_types", allowed=COVARIANCE_TYPES)
    for t in types:
        _check_covariance_type(t)
    if len(set(types)) != len(types):
        raise error(ParameterError, "selection.types_repeat", value=types)
    return types


def _fit_cell(
    X: np.ndarray,
    k: int,
    cov_type: str,
    init: str,
    seeds: range,
    reg_covar: float,
    max_iter: int,
    tol: float,
    tick: Callable[[], None],
    should_stop: StopCheck | None = None,
) -> SelectionCell:
    n, d = X.shape
    p = n_parameters(k, d, cov_type)
    best: tuple[float, Trace, int] | None = None  # the best non-collapsed start
    collapsed: tuple[Trace | None, int, Message] | None = None  # the last collapsed start
    skipped_message = ""
    for s in seeds:
        checkpoint(should_stop)
        try:
            start = initialize(X, k, init, s, cov_type, reg_covar)
        except DataError as exc:  # impossible cell (K > distinct points): no start works
            skipped_message = str(exc)
            for _ in range(len(seeds) - seeds.index(s)):
                tick()
            break
        except CollapseError as exc:
            collapsed = (None, s, Message("selection.start_singular", component=exc.component))
            tick()
            continue
        tr = run_em(X, start, cov_type, reg_covar, max_iter, tol, should_stop=should_stop)
        ll = float(tr.log_likelihood[-1])
        if tr.stop_reason == "collapsed":
            collapsed = (tr, s, Message("selection.collapsed_at",
                                        component=(tr.collapsed_component or 0) + 1,
                                        n_iter=tr.n_iter))
        elif best is None or ll > best[0]:
            best = (ll, tr, s)
        tick()

    if skipped_message:
        return SelectionCell(k, cov_type, "skipped", skipped_message, None, float("nan"),
                             float("nan"), float("nan"), p, 0, None)
    if best is None:
        assert collapsed is not None, "no skip and no best start: every start collapsed"
        last, s, why = collapsed
        return SelectionCell(
            k, cov_type, "collapsed",
            Message("selection.collapsed", why=why),
            None if last is None else last.final,
            float("nan") if last is None else float(last.log_likelihood[-1]),
            float("nan"), float("nan"), p, 0 if last is None else last.n_iter, s,
        )
    ll, tr, s = best
    message = "" if tr.converged else Message("selection.max_iter", max_iter=max_iter)
    reasons = degeneracy_reasons(tr.final, n, reg_covar)
    return SelectionCell(
        k, cov_type, "converged" if tr.converged else "max_iter", message, tr.final, ll,
        float(-2.0 * ll + p * np.log(n)), float(-2.0 * ll + 2.0 * p), p, tr.n_iter, s,
        bool(reasons), Joined(reasons, "; ") if reasons else "",
    )


def _ranked(scores: np.ndarray, cells: tuple[SelectionCell, ...]) -> list[SelectionCell]:
    """The scored cells, lowest score first; ties keep grid order (smaller K, earlier type)."""
    flat = scores.ravel()
    order = np.argsort(flat, kind="stable")
    return [cells[i] for i in order if np.isfinite(flat[i])]


def _best_and_recommended(
    scores: np.ndarray, cells: tuple[SelectionCell, ...]
) -> tuple[SelectionCell | None, SelectionCell | None]:
    ranked = _ranked(scores, cells)
    pick = recommend(ranked)
    return (ranked[0] if ranked else None), (None if pick is None else ranked[pick])


def model_selection(
    X: Any,
    k_range: Iterable[int] = range(1, 11),
    covariance_types: Sequence[str] = COVARIANCE_TYPES,
    init: str = "kmeans++",
    n_init: int = 1,
    seed: int = 0,
    reg_covar: float = 1e-6,
    max_iter: int = 200,
    tol: float = 1e-6,
    progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> SelectionResult:
    """Fit every (K, covariance type) and score it with BIC and AIC.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    k_range : iterable of int, default range(1, 11)
        Numbers of components to try.
    covariance_types : sequence of str, default all four
    init : {"random", "random_from_data", "kmeans++", "kmeans"}
    n_init : int, default 1
        Starts per cell, with seeds ``seed, seed + 1, ...``; the highest log-likelihood
        (among starts that did not collapse) is kept.
    seed, reg_covar, max_iter, tol
        As in :func:`emviz.engine.em.initialize` and :func:`emviz.engine.em.run_em`.
    progress : callable (done, total) -> None, optional
        Called after every start; ``total = len(k_range) * len(covariance_types) * n_init``.
    should_stop : callable () -> bool, optional
        Checked before every start and every iteration (see :mod:`emviz.engine.work`); True
        abandons the whole sweep with :class:`emviz.errors.Cancelled`.

    Returns
    -------
    SelectionResult
        Every cell, and per criterion the best cell and the recommended one (module
        docstring, "Best and recommended").

    Raises
    ------
    ParameterError
        For bad options (unknown type or init, non-positive K, n_init < 1). A cell that
        collapses or is impossible is recorded, never raised.
    """
    X = check_data(X)
    ks = _check_k_values(k_range)
    types = _check_types(covariance_types)
    reg = _check_reg_covar(reg_covar)
    check_choice(init, "init", INIT_METHODS)
    n_init = check_int(n_init, "n_init", 1, MAX_RUNS)
    checked = check_seed(seed)
    if isinstance(checked, np.random.Generator):  # start r uses seed + r: needs a number
        raise error(ParameterError, "check.seed", name="seed", value=checked)
    seed = checked
    check_callable(progress, "progress")
    check_moderate_scale(X, "model_selection")
    seeds = range(int(seed), int(seed) + int(n_init))
    total = len(ks) * len(types) * len(seeds)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    cells = tuple(
        _fit_cell(X, k, t, init, seeds, reg, max_iter, tol, tick, should_stop)
        for k in ks for t in types
    )
    shape = (len(ks), len(types))
    bic = np.array([c.bic for c in cells]).reshape(shape)
    aic = np.array([c.aic for c in cells]).reshape(shape)
    bic.flags.writeable = False
    aic.flags.writeable = False
    best_bic, recommended_bic = _best_and_recommended(bic, cells)
    best_aic, recommended_aic = _best_and_recommended(aic, cells)
    return SelectionResult(
        k_values=ks,
        covariance_types=types,
        cells=cells,
        bic=bic,
        aic=aic,
        best_bic=best_bic,
        best_aic=best_aic,
        recommended_bic=recommended_bic,
        recommended_aic=recommended_aic,
        n_samples=int(X.shape[0]),
    )
