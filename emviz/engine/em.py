"""Expectation-Maximisation for Gaussian mixtures, as immutable steps.

Everything here is pure: a step takes parameters and returns new parameters, never
mutating the old ones, so a run is a :class:`Trace` (a tuple of :class:`Params`) that a
user interface can index to scrub back and forth in time.

The maths (Bishop, PRML §9.2) with responsibilities ``r_nk`` and ``N_k = Σ_n r_nk``:

* E-step: ``r_nk = π_k N(x_n; μ_k, Σ_k) / Σ_j π_j N(x_n; μ_j, Σ_j)`` (log-sum-exp).
* M-step: ``μ_k = Σ_n r_nk x_n / N_k``, ``Σ_k = Σ_n r_nk (x_n-μ_k)(x_n-μ_k)ᵀ / N_k``,
  ``π_k = N_k / N``; the covariance types and ``reg_covar`` follow scikit-learn exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol

import numpy as np

from emviz._messages import Message, error
from emviz._validation import (
    SAFE_EXPONENT,
    Seed,
    check_choice,
    check_covariances,
    check_data,
    check_float,
    check_instance,
    check_int,
    check_positive_int,
    check_resp,
    check_seed,
    spread_exponent,
)
from emviz.engine.loop import run_loop
from emviz.engine.work import StopCheck
from emviz.errors import DataError, ParameterError
from emviz.model.gaussian import EPS as _EPS
from emviz.model.gaussian import log_gaussian_density, logsumexp_rows, precision_cholesky
from emviz.model.params import (
    INIT_METHODS,
    Params,
    _check_covariance_type,
)

#: A component whose smallest covariance eigenvalue falls below this fraction of the data's
#: mean per-feature variance (a standard deviation 10⁻⁶ of the data's) counts as collapsed.
COLLAPSE_RTOL = 1e-12







class EStep(NamedTuple):
    """Result of an E-step.

    Attributes
    ----------
    resp : array of shape (n_samples, n_components)
        Responsibilities; each row sums to 1.
    log_resp : array of shape (n_samples, n_components)
    point_log_likelihood : array of shape (n_samples,)
        ``ln p(x_n | θ)``.
    log_likelihood : float
        Total log-likelihood ``Σ_n ln p(x_n | θ)`` (natural log).
    """

    resp: np.ndarray
    log_resp: np.ndarray
    point_log_likelihood: np.ndarray
    log_likelihood: float




def _check_reg_covar(reg_covar: float) -> float:
    # Above 1e300 a covariance plus reg_covar overflows float64.
    return check_float(reg_covar, "reg_covar", 0.0, maximum=1e300)


_check_resp = check_resp


# --------------------------------------------------------------------------------------
# E-step
# --------------------------------------------------------------------------------------
def weighted_log_prob(X: np.ndarray, params: Params) -> np.ndarray:
    """``ln π_k + ln N(x_n; μ_k, Σ_k)`` for every point and component.

    Returns
    -------
    array of shape (n_samples, n_components)

    Raises
    ------
    CollapseError
        If a covariance is not positive definite.
    """
    check_instance(params, "params", Params)
    X = check_data(X, params.n_features)
    prec_chol = precision_cholesky(params.covariances)
    with np.errstate(divide="ignore"):
        log_w = np.log(params.weights)
    return log_gaussian_density(X, params.means, prec_chol) + log_w


def e_step(X: Any, params: Params) -> EStep:
    """E-step: responsibilities of ``params`` for every point, and the log-likelihood.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    params : Params

    Returns
    -------
    EStep
    """
    wlp = weighted_log_prob(X, params)
    point_ll = logsumexp_rows(wlp)
    log_resp = wlp - point_ll[:, None]
    return EStep(np.exp(log_resp), log_resp, point_ll, float(point_ll.sum()))


# --------------------------------------------------------------------------------------
# M-step: one small function per covariance type (scikit-learn's formulas)
# --------------------------------------------------------------------------------------
CovarianceEstimator = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float], np.ndarray]


def _add_reg(cov: np.ndarray, reg_covar: float) -> np.ndarray:
    d = cov.shape[-1]
    idx = np.arange(d)
    cov[..., idx, idx] += reg_covar
    return cov


def _covariances_full(resp, X, nk, means, reg_covar):
    n_components, n_features = means.shape
    cov = np.empty((n_components, n_features, n_features))
    for k in range(n_components):
        diff = X - means[k]
        cov[k] = (resp[:, k] * diff.T) @ diff / nk[k]
    return _add_reg(cov, reg_covar)


def _covariances_tied(resp, X, nk, means, reg_covar):
    avg_x2 = X.T @ X
    avg_means2 = (nk * means.T) @ means
    cov = _add_reg((avg_x2 - avg_means2) / nk.sum(), reg_covar)
    return np.repeat(cov[None], means.shape[0], axis=0)


def _variances_diag(resp, X, nk, means, reg_covar):
    avg_x2 = resp.T @ (X * X) / nk[:, None]
    avg_x_means = means * (resp.T @ X) / nk[:, None]
    return avg_x2 - 2 * avg_x_means + means**2 + reg_covar


def _covariances_diag(resp, X, nk, means, reg_covar):
    var = _variances_diag(resp, X, nk, means, reg_covar)
    return var[:, :, None] * np.eye(means.shape[1])


def _covariances_spherical(resp, X, nk, means, reg_covar):
    var = _variances_diag(resp, X, nk, means, reg_covar).mean(axis=1)
    return var[:, None, None] * np.eye(means.shape[1])


COVARIANCE_ESTIMATORS: dict[str, CovarianceEstimator] = {
    "full": _covariances_full,
    "tied": _covariances_tied,
    "diag": _covariances_diag,
    "spherical": _covariances_spherical,
}


def m_step(X: Any, resp: Any, covariance_type: str = "full", reg_covar: float = 1e-6) -> Params:
    """M-step: the parameters that maximise the expected complete-data log-likelihood.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp : array-like of shape (n_samples, n_components)
        Responsibilities (rows sum to 1); hard one-hot assignments are allowed.
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float, default 1e-6
        Added to the diagonal of every covariance (scikit-learn's convention). 0 gives
        exact EM.

    Returns
    -------
    Params

    Raises
    ------
    CollapseError
        If a resulting covariance is not positive definite (possible with reg_covar = 0).
    """
    X = check_data(X)
    resp = _check_resp(resp, X.shape[0])
    params = _m_step_unchecked(
        X, resp, _check_covariance_type(covariance_type), _check_reg_covar(reg_covar)
    )
    precision_cholesky(params.covariances)  # raises CollapseError with advice if singular
    return params


def _m_step_unchecked(X: np.ndarray, resp: np.ndarray, cov_type: str, reg: float) -> Params:
    """The M-step on validated input, without the positive-definiteness check.

    :func:`run_em` records a collapsed (singular) state rather than losing it, so the
    singularity can be shown; its log-likelihood is +inf.
    """
    nk = resp.sum(axis=0) + 10 * _EPS
    means = resp.T @ X / nk[:, None]
    covariances = COVARIANCE_ESTIMATORS[cov_type](resp, X, nk, means, reg)
    # Symmetrise exactly: rounding in the products can leave 1e-17 asymmetries.
    covariances = 0.5 * (covariances + np.swapaxes(covariances, 1, 2))
    return Params.trusted(nk / nk.sum(), means, covariances)


# --------------------------------------------------------------------------------------
# Iteration kernels: a dense reference path and (for small D) a fused fast path
# --------------------------------------------------------------------------------------
class EMKernel(Protocol):
    """What :func:`run_em` needs from an implementation of one EM iteration on fixed data."""

    def iterate(
        self, params: Params, covariance_type: str, reg_covar: float
    ) -> tuple[float, Params]:
        """E-step on ``params`` then M-step: (total log-likelihood of ``params``, new params).

        Raises :class:`~emviz.errors.CollapseError` only when ``params`` itself is singular;
        a singular M-step *result* is returned, so that :func:`run_em` can record it.
        """
        ...

    def log_likelihood(self, params: Params) -> float:
        """Total log-likelihood of ``params``."""
        ...

    @property
    def mean_variance(self) -> float:
        """The data's mean per-feature variance, ``X.var(axis=0).mean()`` (to rounding)."""
        ...


@dataclass(frozen=True)
class DenseKernel:
    """Reference kernel: the public :func:`e_step` and :func:`m_step`, composed."""

    X: np.ndarray

    def iterate(
        self, params: Params, covariance_type: str, reg_covar: float
    ) -> tuple[float, Params]:
        est = e_step(self.X, params)
        return est.log_likelihood, _m_step_unchecked(self.X, est.resp, covariance_type, reg_covar)

    def log_likelihood(self, params: Params) -> float:
        return e_step(self.X, params).log_likelihood

    @property
    def mean_variance(self) -> float:
        return float(self.X.var(axis=0).mean())


def _kernel_for(X: np.ndarray, kernel: str) -> EMKernel:
    from emviz.engine import _fused

    factories: dict[str, Callable[[np.ndarray], EMKernel]] = {
        "dense": DenseKernel,
        "fused": _fused.FusedKernel,
    }
    if kernel == "auto":
        kernel = "fused" if _fused.supports(X) else "dense"
    check_choice(kernel, "kernel", tuple(factories))
    return factories[kernel](X)


class _EMLoopKernel:
    """:func:`run_em`'s kernel for :func:`emviz.engine.loop.em_loop`: an :class:`EMKernel`'s
    iterations, and the collapse test on every state."""

    def __init__(self, engine: EMKernel, covariance_type: str, reg_covar: float,
                 floor: float) -> None:
        self._iterate = engine.iterate
        self.objective = engine.log_likelihood
        self._cov_type, self._reg, self._floor = covariance_type, reg_covar, floor
        #: Eigenvalues of every state tested, the start first; reg_slack reuses them.
        self.eigenvalues: list[np.ndarray] = []

    def e_step(self, params: Params) -> tuple[float, Params]:
        # The engine's E- and M-steps are one pass over the data: the M-step's result
        # travels as the E-step's output.
        return self._iterate(params, self._cov_type, self._reg)

    def m_step(self, params: Params, new: Params) -> Params:
        return new

    def collapsed(self, params: Params) -> int | None:
        eig = np.linalg.eigvalsh(params.covariances)
        self.eigenvalues.append(eig)
        if eig[:, 0].min() > self._floor:  # the common case, in one comparison
            return None
        return _collapsed_component(params, self._floor, eig)


# --------------------------------------------------------------------------------------
# Running EM: a trace of immutable states
# --------------------------------------------------------------------------------------
class HalfStep(NamedTuple):
    """What to draw at one position of the half-step timeline.

    Attributes
    ----------
    kind : {"init", "E", "M"}
    iteration : int
        The EM iteration this half-step belongs to (0 for the initial state).
    params : Params
        The parameters to draw (ellipses, densities).
    resp_params : Params or None
        The parameters whose responsibilities colour the points; None before the first
        E-step. After an E-step they equal ``params``; after an M-step they are the
        previous parameters (the new ellipses, coloured by the responsibilities that made them).
    """

    kind: str
    iteration: int
    params: Params
    resp_params: Params | None


@dataclass(frozen=True, eq=False)
class Trace:
    """A complete EM run.

    Attributes
    ----------
    params : tuple of Params
        ``params[0]`` is the initialisation, ``params[i]`` the parameters after ``i`` full
        iterations (E then M).
    log_likelihood : array of shape (n_iter + 1,)
        ``log_likelihood[i]`` is the total log-likelihood of ``params[i]``. A final state
        whose covariance is exactly singular has log-likelihood ``+inf``: the likelihood
        singularity itself.
    converged : bool
    n_iter : int
    stop_reason : {"converged", "max_iter", "collapsed"}
    collapsed_component : int or None
        The component that collapsed when ``stop_reason == "collapsed"``.
    reg_slack : array of shape (n_iter + 1,)
        ``reg_slack[i]`` bounds how much the log-likelihood may legitimately *decrease* from
        ``i-1`` to ``i`` because ``reg_covar`` makes the M-step inexact (0 when reg_covar = 0).
    covariance_type, reg_covar, tol, max_iter, n_samples
        The settings of the run.
    """

    params: tuple[Params, ...]
    log_likelihood: np.ndarray
    converged: bool
    n_iter: int
    stop_reason: str
    collapsed_component: int | None
    reg_slack: np.ndarray
    covariance_type: str
    reg_covar: float
    tol: float
    max_iter: int
    n_samples: int
    notes: tuple[str, ...] = field(default=())

    @property
    def final(self) -> Params:
        return self.params[-1]

    @property
    def mean_log_likelihood(self) -> np.ndarray:
        """Per-point average log-likelihood, scikit-learn's ``score``; shape (n_iter + 1,)."""
        return self.log_likelihood / self.n_samples

    @property
    def n_half_steps(self) -> int:
        """Positions on the half-step timeline: init, then E and M for each iteration."""
        return 2 * self.n_iter + 1

    def half_step(self, h: int) -> HalfStep:
        """The state at half-step ``h`` (0 = init, 2i-1 = E of iteration i, 2i = M of i)."""
        if not 0 <= h < self.n_half_steps:
            raise error(ParameterError, "em.half_step", last=self.n_half_steps - 1, h=h)
        if h == 0:
            return HalfStep("init", 0, self.params[0], None)
        it = (h + 1) // 2
        if h % 2 == 1:
            return HalfStep("E", it, self.params[it - 1], self.params[it - 1])
        return HalfStep("M", it, self.params[it], self.params[it - 1])

    def rounding_tolerance(self) -> float:
        """Float64 noise allowed when comparing successive total log-likelihoods."""
        finite = self.log_likelihood[np.isfinite(self.log_likelihood)]
        scale = max(float(np.max(np.abs(finite))) if finite.size else 0.0, float(self.n_samples))
        return 1e-10 * scale

    def decreases(self) -> list[LikelihoodDecrease]:
        """Every iteration at which the log-likelihood went down, and whether reg_covar explains it.

        With exact EM (reg_covar = 0) the log-likelihood never decreases; an unexplained
        decrease is a bug. With reg_covar > 0 the M-step is not the exact maximiser and the
        decrease is bounded by :attr:`reg_slack` (see :func:`reg_covar_slack`).
        """
        out = []
        ll, tol = self.log_likelihood, self.rounding_tolerance()
        for i in range(1, len(ll)):
            drop = ll[i - 1] - ll[i]
            if np.isfinite(drop) and drop > 0:
                allowed = float(self.reg_slack[i]) + tol
                out.append(LikelihoodDecrease(i, float(drop), allowed, bool(drop <= allowed)))
        return out


class LikelihoodDecrease(NamedTuple):
    """One decrease of the log-likelihood between iterations ``iteration-1`` and ``iteration``."""

    iteration: int
    amount: float
    allowed: float
    explained: bool


def reg_covar_slack(
    params: Params,
    covariance_type: str,
    reg_covar: float,
    n_samples: int,
    eigenvalues: np.ndarray | None = None,
) -> float:
    """Upper bound on the log-likelihood decrease an M-step with ``reg_covar`` can cause.

    For fixed responsibilities, the covariance part of the expected complete-data
    log-likelihood is ``-½ N_k (ln|Σ| + tr(Σ⁻¹S_k))``, maximised at ``Σ = S_k``. Using
    ``S_k + εI`` instead loses exactly ``½ N_k Σ_i f(ε/λ_i)`` with ``f(u) = ln(1+u) − u/(1+u)``
    over the eigenvalues ``λ_i`` of ``S_k`` (the diagonal for "diag", the mean variance with
    multiplicity D for "spherical", weight N for "tied"). Since EM's log-likelihood gain is at
    least the gain in that objective, a decrease larger than this bound is a bug.

    ``eigenvalues`` (shape (K, D), ascending) may be passed when already computed.

    Returns
    -------
    float
        0 when ``reg_covar`` is 0; ``inf`` if an unregularised eigenvalue is not positive.
    """
    eig = None if eigenvalues is None else np.asarray(eigenvalues)[None]
    return float(
        _reg_covar_slacks(
            params.weights[None], params.covariances[None], covariance_type, reg_covar,
            n_samples, eig,
        )[0]
    )


def _reg_covar_slacks(
    weights: np.ndarray,
    covariances: np.ndarray,
    covariance_type: str,
    reg_covar: float,
    n_samples: int,
    eigenvalues: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`reg_covar_slack` of S parameter sets at once, from stacked arrays.

    ``weights`` (S, K), ``covariances`` (S, K, D, D), ``eigenvalues`` (S, K, D) ascending or
    None; returns shape (S,).
    """
    if reg_covar == 0:
        return np.zeros(weights.shape[0])
    cov = covariances
    d = cov.shape[-1]
    eigh = (lambda c: np.linalg.eigvalsh(c)) if eigenvalues is None else (lambda c: eigenvalues)
    nk = weights * n_samples
    diag = np.diagonal(cov, axis1=-2, axis2=-1)  # a view: free
    eig_fns = {
        "full": lambda: (eigh(cov), nk),
        "tied": lambda: (eigh(cov)[:, :1], np.full((cov.shape[0], 1), float(n_samples))),
        "diag": lambda: (diag, nk),
        "spherical": lambda: (np.repeat(diag.mean(axis=-1, keepdims=True), d, axis=-1), nk),
    }
    eig, weight = eig_fns[covariance_type]()
    lam = eig - reg_covar
    with np.errstate(divide="ignore", invalid="ignore"):
        u = reg_covar / lam
        terms = weight[..., None] * (np.log1p(u) - u / (1 + u))
    out = 0.5 * np.sum(terms, axis=(1, 2))
    out[np.any(lam <= 0, axis=(1, 2))] = np.inf
    return out


def _collapsed_component(
    params: Params, floor: float, eigenvalues: np.ndarray | None = None
) -> int | None:
    eig = np.linalg.eigvalsh(params.covariances) if eigenvalues is None else eigenvalues
    min_eig = eig[:, 0]
    if min_eig.min() > floor:  # the common case, in one comparison (False on NaN)
        return None
    bad = np.flatnonzero(~(min_eig > floor))
    return int(bad[0]) if bad.size else None


def run_em(
    X: Any,
    init: Params,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    max_iter: int = 100,
    tol: float = 1e-6,
    kernel: str = "auto",
    should_stop: StopCheck | None = None,
) -> Trace:
    """Run EM from ``init`` and keep every intermediate state.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    init : Params
        Starting parameters (see :func:`initialize`).
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float, default 1e-6
        Added to covariance diagonals; 0 gives exact EM, whose log-likelihood never decreases.
    max_iter : int, default 100
    tol : float, default 1e-6
        Stop when the change in *mean per-point* log-likelihood between successive
        parameters is below ``tol`` (scikit-learn's rule). ``tol=0`` runs exactly ``max_iter``
        iterations unless a component collapses.
    kernel : {"auto", "dense", "fused"}
        "fused" is the fast path for up to 3 features; "dense" is the reference. Both give
        the same numbers to ~1e-12.
    should_stop : callable () -> bool, optional
        Checked before every iteration (see :mod:`emviz.engine.work`); True abandons the run.

    Returns
    -------
    Trace
        Never raises on a singular covariance: the run stops with
        ``stop_reason="collapsed"`` and names the component.

    Raises
    ------
    emviz.errors.Cancelled
        When ``should_stop`` returned True.
    """
    check_instance(init, "init", Params)
    X = check_data(X, init.n_features)
    cov_type = _check_covariance_type(covariance_type)
    user_reg = reg = _check_reg_covar(reg_covar)
    max_iter = check_int(max_iter, "max_iter", 0)
    tol = check_float(tol, "tol", 0.0)
    check_choice(kernel, "kernel", ("auto", "dense", "fused"))
    check_covariances(init.covariances, "init.covariances", allow_singular=True)
    notes = _reg_covar_notes(X, reg)
    # Far from unit scale, work in units of a power of two (exact) and map back at the end.
    exponent = scale_exponent(X, reg)
    X, init, reg = _to_working_units(X, init, reg, exponent)
    n = X.shape[0]
    engine = _kernel_for(X, kernel)
    floor = COLLAPSE_RTOL * max(engine.mean_variance, np.finfo(float).tiny)

    loop = _EMLoopKernel(engine, cov_type, reg, floor)
    run = run_loop(loop, init, n, int(max_iter), tol, should_stop)
    params, lls, stop, collapsed = run.states, run.objectives, run.stop_reason, \
        run.collapsed_component
    eigs = loop.eigenvalues[1:]  # those of params[1:], for reg_slack
    slack = np.zeros(len(params))
    if eigs and reg > 0:
        # One vectorised pass over the whole run instead of small NumPy calls per iteration.
        later = params[1:]
        slack[1:] = _reg_covar_slacks(
            np.stack([p.weights for p in later]),
            np.stack([p.covariances for p in later]),
            cov_type,
            reg,
            n,
            np.stack(eigs),
        )
    ll_arr = np.asarray(lls, dtype=np.float64)
    ll_arr.flags.writeable = False
    slack_arr = slack
    slack_arr.flags.writeable = False
    return _from_working_units(Trace(
        params=tuple(params),
        log_likelihood=ll_arr,
        converged=stop == "converged",
        n_iter=len(params) - 1,
        stop_reason=stop,
        collapsed_component=collapsed if stop == "collapsed" else None,
        reg_slack=slack_arr,
        covariance_type=cov_type,
        reg_covar=user_reg,
        tol=float(tol),
        max_iter=int(max_iter),
        n_samples=n,
        notes=notes,
    ), exponent)


# --------------------------------------------------------------------------------------
# Scale: data far from unit size are fitted in units of a power of two
# --------------------------------------------------------------------------------------
#: reg_covar above this fraction of the smallest per-feature variance dominates the fit.
REG_COVAR_RATIO = 0.01


def scale_exponent(X: np.ndarray, reg_covar: float = 0.0) -> int:
    """The power of two ``e`` the engine divides ``X`` by before fitting (0: none).

    Dividing by a power of two is exact in floating point, so a fit in those units, mapped
    back, is the fit of the data as given. ``e`` is non-zero only when the size of the
    covariances to come (the largest spread of a feature, or ``sqrt(reg_covar)`` if larger)
    lies outside ``2**±SAFE_EXPONENT``.
    """
    e = spread_exponent(X)
    if reg_covar > 0:
        e = max(e, math.frexp(math.sqrt(reg_covar))[1])
    return e if abs(e) > SAFE_EXPONENT else 0


def scale_params(params: Params, exponent: int) -> Params:
    """``params`` of data multiplied by ``2**exponent`` (exact)."""
    if exponent == 0:
        return params
    return Params.trusted(params.weights, np.ldexp(params.means, exponent),
                          np.ldexp(params.covariances, 2 * exponent))


def _to_working_units(
    X: np.ndarray, init: Params, reg: float, exponent: int
) -> tuple[np.ndarray, Params, float]:
    if exponent == 0:
        return X, init, reg
    return np.ldexp(X, -exponent), scale_params(init, -exponent), math.ldexp(reg, -2 * exponent)


def _from_working_units(trace: Trace, exponent: int) -> Trace:
    """The trace of a run in units of ``2**exponent``, in the data's own units.

    Densities scale by ``2**(-exponent·D)`` per point: the Jacobian of the change of units.
    """
    if exponent == 0:
        return trace
    d = trace.params[0].n_features
    shift = trace.n_samples * d * exponent * math.log(2.0)
    ll = trace.log_likelihood - shift
    ll.flags.writeable = False
    return replace(trace, params=tuple(scale_params(p, exponent) for p in trace.params),
                   log_likelihood=ll)


def _reg_covar_notes(X: np.ndarray, reg: float) -> tuple[str, ...]:
    """A note when reg_covar is not small against the data's per-feature variances.

    Constant features are left out: there reg_covar is what keeps a covariance invertible.
    """
    if reg == 0:
        return ()
    e = scale_exponent(X)
    var = np.ldexp(np.ldexp(X, -e).var(axis=0), 2 * e) if e else X.var(axis=0)
    positive = np.flatnonzero(var > 0)
    if positive.size == 0:
        return ()
    j = int(positive[np.argmin(var[positive])])
    smallest = float(var[j])
    if reg <= REG_COVAR_RATIO * smallest:
        return ()
    return (Message("check.reg_covar_large", reg_covar=reg, ratio=reg / smallest,
                    variance=smallest, feature=j + 1, limit=REG_COVAR_RATIO * smallest),)


# --------------------------------------------------------------------------------------
# Initialisation: one function per method, each giving starting responsibilities
# --------------------------------------------------------------------------------------
def _one_hot_nearest(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    d2 = (X * X).sum(1)[:, None] - 2 * X @ centers.T + (centers * centers).sum(1)[None, :]
    resp = np.zeros((X.shape[0], centers.shape[0]))
    resp[np.arange(X.shape[0]), np.argmin(d2, axis=1)] = 1.0
    return resp


def _resp_random(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    resp = rng.uniform(size=(X.shape[0], k))
    return resp / resp.sum(axis=1, keepdims=True)


def _resp_random_from_data(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    # Unlike scikit-learn (which gives each component one point and a reg_covar-sized
    # covariance), every point joins its nearest sampled centre: a usable start even at
    # reg_covar = 0.
    return _one_hot_nearest(X, X[rng.choice(X.shape[0], size=k, replace=False)])


def _resp_kmeans_pp(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    from emviz.engine.kmeans import kmeans_plusplus

    return _one_hot_nearest(X, kmeans_plusplus(X, k, seed=rng))


def _resp_kmeans(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    from emviz.engine.kmeans import kmeans_run

    labels = kmeans_run(X, k, init="kmeans++", seed=rng).final_labels
    resp = np.zeros((X.shape[0], k))
    resp[np.arange(X.shape[0]), labels] = 1.0
    return resp


INIT_RESPONSIBILITIES: dict[str, Callable[[np.ndarray, int, np.random.Generator], np.ndarray]] = {
    "random": _resp_random,
    "random_from_data": _resp_random_from_data,
    "kmeans++": _resp_kmeans_pp,
    "kmeans": _resp_kmeans,
}


def initialize(
    X: Any,
    n_components: int,
    method: str = "kmeans++",
    seed: Seed = 0,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
) -> Params:
    """Starting parameters: initial responsibilities from ``method``, then one M-step.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int
    method : {"random", "random_from_data", "kmeans++", "kmeans"}
        "random": uniform random responsibilities; "random_from_data": K distinct data points
        as centres, each point assigned to the nearest; "kmeans++": k-means++ seeding, each
        point to the nearest seed; "kmeans": k-means++ seeding then Lloyd's algorithm to
        convergence, with the final hard labels.
    seed : int or numpy.random.Generator
        Deterministic: the same seed gives the same parameters.
    covariance_type, reg_covar
        As in :func:`m_step`.

    Raises
    ------
    DataError
        If there are fewer points than components.
    CollapseError
        If the start is already singular (e.g. a component gets one point and reg_covar = 0).
    """
    X = check_data(X)
    check_choice(method, "method", INIT_METHODS)
    k = check_positive_int(n_components, "n_components")
    seed = check_seed(seed)
    cov_type = _check_covariance_type(covariance_type)
    reg = _check_reg_covar(reg_covar)
    if X.shape[0] < k:
        raise error(DataError, "check.fewer_points_than_k", k=k, n=X.shape[0])
    if X.shape[0] > 1 and not np.any(np.ptp(X, axis=0) > 0):
        raise error(DataError, "em.all_identical", n=X.shape[0], point=X[0].tolist())
    n_distinct = len(np.unique(X, axis=0)) if X.shape[0] <= 200_000 else X.shape[0]
    if n_distinct < k:
        raise error(DataError, "em.fewer_distinct_than_k", k=k, n_distinct=n_distinct)
    rng = np.random.default_rng(seed)
    # Far from unit scale, in units of a power of two (exact), as run_em does.
    exponent = scale_exponent(X, reg)
    Xw = np.ldexp(X, -exponent) if exponent else X
    resp = INIT_RESPONSIBILITIES[method](Xw, k, rng)
    return scale_params(m_step(Xw, resp, cov_type, math.ldexp(reg, -2 * exponent)), exponent)


# --------------------------------------------------------------------------------------
# Model scores
# --------------------------------------------------------------------------------------
_COV_PARAMS: dict[str, Callable[[int, int], int]] = {
    "full": lambda k, d: k * d * (d + 1) // 2,
    "tied": lambda k, d: d * (d + 1) // 2,
    "diag": lambda k, d: k * d,
    "spherical": lambda k, d: k,
}


def n_parameters(n_components: int, n_features: int, covariance_type: str) -> int:
    """Free parameters of a mixture: means + (K-1) weights + covariance terms."""
    n_components = check_positive_int(n_components, "n_components")
    n_features = check_positive_int(n_features, "n_features")
    cov = _COV_PARAMS[_check_covariance_type(covariance_type)](n_components, n_features)
    return int(cov + n_components * n_features + n_components - 1)


def bic(X: Any, params: Params, covariance_type: str) -> float:
    """Bayesian information criterion ``-2 ln L + p ln N`` (lower is better)."""
    check_instance(params, "params", Params)
    X = check_data(X, params.n_features)
    ll = e_step(X, params).log_likelihood
    p = n_parameters(params.n_components, params.n_features, covariance_type)
    return float(-2 * ll + p * np.log(X.shape[0]))


def aic(X: Any, params: Params, covariance_type: str) -> float:
    """Akaike information criterion ``-2 ln L + 2p`` (lower is better)."""
    check_instance(params, "params", Params)
    X = check_data(X, params.n_features)
    ll = e_step(X, params).log_likelihood
    p = n_parameters(params.n_components, params.n_features, covariance_type)
    return float(-2 * ll + 2 * p)


# --------------------------------------------------------------------------------------
# The lower bound: ln p(X|θ) = L(q, θ) + KL(q ‖ p(Z|X, θ))
# --------------------------------------------------------------------------------------
class BoundTerms(NamedTuple):
    """The decomposition behind EM (Bishop PRML eq. 9.70–9.72).

    Attributes
    ----------
    log_likelihood : float
        ``ln p(X|θ)``.
    elbo : float
        ``L(q, θ) = Q + H``.
    kl : float
        ``KL(q ‖ p(Z|X, θ))``, computed directly (not as a difference), ≥ 0.
    expected_complete : float
        ``Q = Σ_n Σ_k q_nk ln[π_k N(x_n; μ_k, Σ_k)]``.
    entropy : float
        ``H(q) = −Σ_n Σ_k q_nk ln q_nk``.
    """

    log_likelihood: float
    elbo: float
    kl: float
    expected_complete: float
    entropy: float


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log(np.where(x > 0, y, 1.0)), 0.0)


def bound_terms(X: Any, params: Params, resp: Any) -> BoundTerms:
    """Evaluate ``ln p(X|θ) = L(q, θ) + KL(q ‖ p(Z|X,θ))`` for any ``q`` (= ``resp``).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    params : Params
        θ.
    resp : array-like of shape (n_samples, n_components)
        q; rows sum to 1. After an E-step on ``params`` it equals the posterior and KL = 0.
    """
    check_instance(params, "params", Params)
    X = check_data(X, params.n_features)
    q = _check_resp(resp, X.shape[0])
    wlp = weighted_log_prob(X, params)
    point_ll = logsumexp_rows(wlp)
    log_post = wlp - point_ll[:, None]
    with np.errstate(invalid="ignore"):
        q_complete = float(np.sum(np.where(q > 0, q * wlp, 0.0)))
    entropy = float(-np.sum(_xlogy(q, q)))
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = float(np.sum(np.where(q > 0, q * (np.log(np.where(q > 0, q, 1.0)) - log_post), 0.0)))
    return BoundTerms(float(point_ll.sum()), q_complete + entropy, kl, q_complete, entropy)
