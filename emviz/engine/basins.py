"""Basins of attraction: which starts lead EM to which optimum.

Restarts (:mod:`emviz.engine.restarts`) show that the start decides where EM ends, but not *which*
starts lead where. A basin map answers that in two dimensions: hold every component of a
start fixed except one, move that component's starting mean over a grid of positions, run
EM from each, and label each grid cell by the distinct optimum its run reached.

What is swept, and what stays fixed
-----------------------------------
The caller gives the whole start (a :class:`~emviz.engine.em.Params`, e.g.
``initialize(X, K, method, seed, covariance_type, reg_covar)``: the start of one restart of
the restarts lab) and the index of the component to sweep. In every cell the start is that
``Params`` with one change: ``means[component]`` is the cell's centre. The swept component
keeps its starting weight and covariance, and every other component keeps its whole start,
so the map shows what the *position* of one starting mean decides. The cell that contains
the original mean therefore reaches (up to the cell's offset) where that restart went.

The grid spans the data's range on each axis, widened by ``pad`` times the span on both
sides, with cell centres evenly spaced from edge to edge (``numpy.linspace``).

Runs and their optima
---------------------
Each cell ends where ``run_em(X, map.start_at(row, col), covariance_type, reg_covar,
max_iter, tol)`` ends: the runs go through the restarts' batched EM (the same arithmetic,
stop rules and collapse rules; see :mod:`emviz.engine.restarts`, "Batched EM"). Cells are matched
to optima as restarts are (:func:`emviz.engine.restarts.same_optimum`: log-likelihoods within
``ll_rtol`` and parameters within ``param_atol`` after relabelling, collapsed runs only with
collapsed runs). Given the restarts of the same data and model (``known``), a cell that
reaches one of *their* optima gets that optimum's index, so the map and the restarts'
gallery number optima alike; optima the restarts never reached follow, best first. Each
optimum carries the restarts' near-degenerate verdict (:func:`emviz.engine.restarts.
degeneracy_reasons`, or a collapse).

Progress and cancelling
-----------------------
``progress(done, total)`` is called after each finished cell; ``should_stop()`` is asked
before every pass of the batched EM, and when it answers True :func:`basin_map` raises
:class:`~emviz.errors.Cancelled`. A ``progress`` callback may also raise to stop the work:
the exception propagates unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from emviz._messages import Joined, Message, error
from emviz._validation import check_callable, check_float, check_int
from emviz.engine.em import _check_covariance_type, _check_reg_covar, check_data
from emviz.engine.restarts import (
    LL_RTOL,
    PARAM_ATOL,
    RestartsResult,
    _em_pool,
    _Features,
    _min_eigenvalues,
    _one_blas_thread,
    _Outcome,
    _Starts,
    degeneracy_reasons,
    pool_size,
    same_optimum,
)
from emviz.errors import ParameterError
from emviz.model.params import Params

#: The map is drawn for two features only (the plane the starting mean moves in).
N_FEATURES = 2
#: Most components a map sweeps one of (more make the map hard to read and slow to fill).
MAX_COMPONENTS = 4
#: Cells along each axis by default, and the limits on a caller's choice.
GRID = 40
MIN_GRID, MAX_GRID = 2, 200
#: The grid extends past the data's range by this fraction of the span on each side.
PAD = 0.05

ProgressCallback = Callable[[int, int], None]
StopCheck = Callable[[], bool]


@dataclass(frozen=True, eq=False)
class Basin:
    """A distinct optimum reached from the map's starts (or by the restarts).

    Attributes
    ----------
    params : Params
        The optimum's parameters: the restarts' record of it when it is one of theirs,
        otherwise those of the best cell that reached it.
    log_likelihood : float
    n_cells : int
        How many cells of the map reached it (0 for a restarts' optimum no cell reached).
    from_restarts : bool
        One of the restarts' optima (its index in :attr:`BasinMap.basins` is its index in
        :attr:`~emviz.engine.restarts.RestartsResult.optima`).
    converged : bool
        Whether at least one run that reached it met the tolerance.
    suspicious : bool
        Near-degenerate or collapsed (see :mod:`emviz.engine.restarts`).
    reason : str
        Why it is suspicious ("" when it is not): catalog clauses joined by "; " in a
        :class:`~emviz._messages.Joined`, so a UI can translate them.
    """

    params: Params
    log_likelihood: float
    n_cells: int
    from_restarts: bool
    converged: bool
    suspicious: bool
    reason: str


@dataclass(frozen=True, eq=False)
class BasinMap:
    """Where EM ends from each start on a grid of one component's starting mean.

    Attributes
    ----------
    xs : array of shape (n_x,)
        Cell centres along the first feature.
    ys : array of shape (n_y,)
        Cell centres along the second feature.
    labels : int array of shape (n_y, n_x)
        ``labels[row, col]`` is the index into :attr:`basins` of the optimum reached from the
        start with ``means[component] = (xs[col], ys[row])``; -1 where the run has no
        optimum to name (a log-likelihood that is nan).
    log_likelihood : array of shape (n_y, n_x)
        Final log-likelihood of each cell's run.
    n_iter : int array of shape (n_y, n_x)
    stop_reason : str array of shape (n_y, n_x)
        ``"converged"``, ``"max_iter"`` or ``"collapsed"``, as :func:`emviz.engine.em.run_em` says.
    basins : tuple of Basin
        The restarts' optima first, in their order (when ``known`` was given), then optima
        only the map found, best first.
    start : Params
        The fixed start; ``start.means[component]`` is the caller's, not any cell's.
    component : int
        Index of the swept component.
    covariance_type : str
    reg_covar : float
    max_iter : int
    tol : float
    """

    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray
    log_likelihood: np.ndarray
    n_iter: np.ndarray
    stop_reason: np.ndarray
    basins: tuple[Basin, ...]
    start: Params
    component: int
    covariance_type: str
    reg_covar: float
    max_iter: int
    tol: float

    @property
    def shape(self) -> tuple[int, int]:
        """(n_y, n_x): rows along the second feature, columns along the first."""
        return (self.ys.size, self.xs.size)

    def start_at(self, row: int, col: int) -> Params:
        """The start of cell (``row``, ``col``): :attr:`start` with the swept mean there."""
        if not (0 <= row < self.ys.size and 0 <= col < self.xs.size):
            raise error(ParameterError, "basins.cell", row=row, col=col, n_y=self.ys.size,
                        n_x=self.xs.size)
        means = np.array(self.start.means)
        means[self.component] = (self.xs[col], self.ys[row])
        return Params.trusted(np.array(self.start.weights), means,
                              np.array(self.start.covariances))

    def cells_of(self, basin: int) -> np.ndarray:
        """Boolean mask (n_y, n_x) of the cells that reached ``basins[basin]``."""
        return self.labels == basin


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------
def _check_grid(grid: Any) -> tuple[int, int]:
    sizes = ((grid, grid) if isinstance(grid, int | np.integer)
             else tuple(grid) if isinstance(grid, tuple | list) else ())
    ok = (len(sizes) == 2 and all(isinstance(s, int | np.integer) and not isinstance(s, bool)
                                  and MIN_GRID <= s <= MAX_GRID for s in sizes))
    if not ok:
        raise error(ParameterError, "basins.grid", low=MIN_GRID, high=MAX_GRID, value=grid)
    return int(sizes[0]), int(sizes[1])


def _check_start(X: np.ndarray, start: Any, component: Any) -> tuple[Params, int]:
    if not isinstance(start, Params):
        raise error(ParameterError, "basins.start_type", type=type(start).__name__)
    if X.shape[1] != N_FEATURES or start.n_features != N_FEATURES:
        raise error(ParameterError, "basins.dimensions", d=X.shape[1],
                    d_start=start.n_features)
    k = start.n_components
    if not 2 <= k <= MAX_COMPONENTS:
        raise error(ParameterError, "basins.n_components", high=MAX_COMPONENTS, value=k)
    if (not isinstance(component, int | np.integer) or isinstance(component, bool)
            or not 0 <= component < k):
        raise error(ParameterError, "basins.component", k=k, value=component)
    if not np.all(np.isfinite(start.means)) or not np.all(_min_eigenvalues(start.covariances) > 0):
        raise error(ParameterError, "basins.start_singular")
    return start, int(component)


def _check_bounds(X: np.ndarray, bounds: Any, pad: Any) -> np.ndarray:
    """(2, 2) array of (low, high) per feature."""
    if bounds is None:
        p = float(pad) if isinstance(pad, int | float | np.floating | np.integer) else np.nan
        if not (np.isfinite(p) and p >= 0):
            raise error(ParameterError, "basins.pad", value=pad)
        lo, hi = X.min(axis=0), X.max(axis=0)
        span = np.where(hi > lo, hi - lo, np.maximum(np.abs(lo), 1.0))
        return np.column_stack([lo - p * span, hi + p * span])
    try:
        b = np.asarray(bounds, dtype=np.float64)
    except (TypeError, ValueError):
        b = np.full((0,), np.nan)
    if b.shape != (2, 2) or not np.all(np.isfinite(b)) or not np.all(b[:, 1] > b[:, 0]):
        raise error(ParameterError, "basins.bounds", value=bounds)
    return b


def _check_known(known: Any, k: int, covariance_type: str, reg_covar: float) -> None:
    if known is None:
        return
    if not isinstance(known, RestartsResult):
        raise error(ParameterError, "basins.known_type", type=type(known).__name__)
    theirs = (known.n_components, known.covariance_type, known.reg_covar)
    if theirs != (k, covariance_type, reg_covar):
        raise error(ParameterError, "basins.known_model", k=k, covariance_type=covariance_type,
                    reg_covar=reg_covar, known=theirs)


# --------------------------------------------------------------------------------------
# Matching cells to optima
# --------------------------------------------------------------------------------------
@dataclass
class _Group:
    params: Params
    log_likelihood: float
    collapsed: bool
    from_restarts: bool
    converged: bool
    suspicious: bool | None = None
    reason: str = ""
    n_cells: int = 0


def _known_groups(known: RestartsResult | None) -> list[_Group]:
    if known is None:
        return []
    return [_Group(o.params, o.log_likelihood,
                   known.restarts[o.restarts[0]].stop_reason == "collapsed", True, o.converged,
                   o.suspicious, o.reason) for o in known.optima]


def _assign(outcomes: list[_Outcome], groups: list[_Group], scale: np.ndarray,
            ll_rtol: float, param_atol: float, n_samples: int) -> np.ndarray:
    """Label each outcome by the first group whose leader it matches (best outcome first);
    an outcome that matches none leads a new group. Mutates ``groups``; returns labels."""
    labels = np.full(len(outcomes), -1, dtype=np.intp)
    ll = np.array([o.log_likelihood for o in outcomes])
    order = [i for i in np.argsort(-ll, kind="stable") if not np.isnan(ll[i])]
    for i in order:
        o = outcomes[i]
        collapsed = o.stop_reason == "collapsed"
        g_idx = next((j for j, g in enumerate(groups)
                      if g.collapsed == collapsed and same_optimum(
                          g.params, g.log_likelihood, o.params, o.log_likelihood, scale,
                          ll_rtol, param_atol, n_samples)), None)
        if g_idx is None:
            groups.append(_Group(o.params, o.log_likelihood, collapsed, False, False))
            g_idx = len(groups) - 1
        g = groups[g_idx]
        labels[i] = g_idx
        g.n_cells += 1
        g.converged = g.converged or o.converged
    return labels


def _verdict(g: _Group, n_samples: int, reg_covar: float) -> tuple[bool, str]:
    """The restarts' near-degenerate rule for an optimum only the map found."""
    reasons: list[Message] = [Message("restarts.reason_collapsed")] if g.collapsed else []
    reasons += degeneracy_reasons(g.params, n_samples, reg_covar)
    return bool(reasons), (Joined(reasons, "; ") if reasons else "")


# --------------------------------------------------------------------------------------
# The map
# --------------------------------------------------------------------------------------
def basin_map(
    X: Any,
    start: Params,
    component: int,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    max_iter: int = 100,
    tol: float = 1e-6,
    grid: int | tuple[int, int] = GRID,
    bounds: Any = None,
    pad: float = PAD,
    known: RestartsResult | None = None,
    progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
    ll_rtol: float = LL_RTOL,
    param_atol: float = PARAM_ATOL,
) -> BasinMap:
    """Run EM from every cell of a grid of one component's starting mean; label the optima.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
    start : Params
        The fixed start (2 features, 2 to :data:`MAX_COMPONENTS` components, positive-definite
        covariances); every cell changes only ``means[component]``.
    component : int
        Index (from 0) of the component whose starting mean is swept.
    covariance_type, reg_covar, max_iter, tol
        As in :func:`emviz.engine.em.run_em`.
    grid : int or (int, int), default 40
        Cells along each axis, or (n_x, n_y); each between 2 and 200.
    bounds : array-like of shape (2, 2), optional
        ((x_low, x_high), (y_low, y_high)) of the cell centres. Default: the data's range,
        widened by ``pad`` times the span on each side.
    pad : float, default 0.05
    known : RestartsResult, optional
        Restarts on the same data with the same K, covariance type and reg_covar; their
        optima come first in :attr:`BasinMap.basins`, with the same indices.
    progress : callable (done, total) -> None, optional
        Called after every finished cell; ``total = n_x * n_y``.
    should_stop : callable () -> bool, optional
        Asked before every pass of the batched EM; True stops the work with
        :class:`~emviz.errors.Cancelled`.
    ll_rtol, param_atol : float
        Tolerances of :func:`emviz.engine.restarts.same_optimum`.

    Returns
    -------
    BasinMap

    Raises
    ------
    ParameterError
        For data or a start that is not 2-D, K outside 2..4, a component index out of
        range, a singular start, a bad grid, bounds or pad, a ``known`` of another model, or
        a bad covariance type, reg_covar, max_iter or tol.
    DataError
        For data that is not a finite 2-D array.
    Cancelled
        When ``should_stop`` answered True.
    """
    X = check_data(X)
    start, component = _check_start(X, start, component)
    cov_type = _check_covariance_type(covariance_type)
    reg = _check_reg_covar(reg_covar)
    max_iter = check_int(max_iter, "max_iter", 0)
    tol = check_float(tol, "tol", 0.0)
    check_callable(progress, "progress")
    check_callable(should_stop, "should_stop")
    ll_rtol = check_float(ll_rtol, "ll_rtol", 0.0)
    param_atol = check_float(param_atol, "param_atol", 0.0)
    nx, ny = _check_grid(grid)
    box = _check_bounds(X, bounds, pad)
    k = start.n_components
    _check_known(known, k, cov_type, reg)

    xs = np.linspace(box[0, 0], box[0, 1], nx)
    ys = np.linspace(box[1, 0], box[1, 1], ny)
    total = nx * ny
    feats = _Features(X, reg)
    # The start in the batch's centred, scaled units; only the swept mean changes per cell.
    w0 = np.asarray(start.weights, dtype=np.float64)
    nu0 = (np.asarray(start.means) - feats.center) / feats.scale
    cov0 = np.asarray(start.covariances) / (feats.scale * feats.scale)
    cells = np.column_stack([np.tile(xs, ny), np.repeat(ys, nx)])  # row-major: (row, col)
    cells_nu = (cells - feats.center) / feats.scale
    handed = 0

    def supply(m: int) -> _Starts | None:
        nonlocal handed
        if handed >= total:
            return None
        chunk = np.arange(handed, min(handed + m, total))
        handed = int(chunk[-1]) + 1
        nu = np.repeat(nu0[None], chunk.size, axis=0)
        nu[:, component] = cells_nu[chunk]
        return _Starts(chunk, np.repeat(w0[None], chunk.size, axis=0), nu,
                       np.repeat(cov0[None], chunk.size, axis=0))

    outcomes: list[_Outcome | None] = [None] * total
    done = 0

    def finish(i: int, outcome: _Outcome) -> None:
        nonlocal done
        outcomes[i] = outcome
        done += 1
        if progress is not None:
            progress(done, total)

    with _one_blas_thread():
        _em_pool(feats, supply, cov_type, int(max_iter), float(tol), finish,
                 pool_size(k, X.shape[0]), should_stop)
    finished = [o for o in outcomes if o is not None]
    assert len(finished) == total, "the pool reports every cell exactly once"

    scale = X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    groups = _known_groups(known)
    n_known = len(groups)
    labels = _assign(finished, groups, scale, ll_rtol, param_atol, X.shape[0])
    # Optima only the map found, best first after the restarts' ones.
    found = sorted(range(n_known, len(groups)), key=lambda g: -groups[g].log_likelihood)
    renumber = np.arange(len(groups))
    renumber[found] = np.arange(n_known, len(groups))
    labels = np.where(labels >= 0, renumber[np.maximum(labels, 0)], -1) if groups else labels
    ordered = groups[:n_known] + [groups[g] for g in found]
    basins = []
    for g in ordered:
        suspicious, reason = ((g.suspicious, g.reason) if g.from_restarts
                              else _verdict(g, X.shape[0], reg))
        basins.append(Basin(g.params, g.log_likelihood, g.n_cells, g.from_restarts,
                            g.converged, bool(suspicious), reason))
    return BasinMap(
        xs=xs,
        ys=ys,
        labels=labels.reshape(ny, nx),
        log_likelihood=np.array([o.log_likelihood for o in finished]).reshape(ny, nx),
        n_iter=np.array([o.n_iter for o in finished], dtype=np.intp).reshape(ny, nx),
        stop_reason=np.array([o.stop_reason for o in finished]).reshape(ny, nx),
        basins=tuple(basins),
        start=start,
        component=component,
        covariance_type=cov_type,
        reg_covar=reg,
        max_iter=int(max_iter),
        tol=float(tol),
    )

