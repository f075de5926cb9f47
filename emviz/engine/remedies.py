"""Remedies for the singularity of EM: a covariance floor, re-seeding, and a MAP M-step.

With ``reg_covar = 0`` a component can shrink onto one point (or a few duplicated points):
``det Σ_k → 0`` and the log-likelihood grows without bound (THEORY.md, "Singularity").
:func:`emviz.engine.em.run_em` detects this and stops with ``stop_reason="collapsed"``. Three
remedies keep EM away from it; each returns an ordinary :class:`~emviz.engine.em.Trace`, so the UI
can scrub through it like any run. :data:`REMEDIES` maps a name to each.

1. **Covariance floor** (``"reg_covar"``): :func:`emviz.engine.em.run_em` with ``reg_covar > 0``
   (scikit-learn's remedy). No new code: see :func:`run_em_floor` for the default floor.
2. **Re-seeding** (``"reseed"``, :func:`run_em_reseed`): after each M-step, a component whose
   covariance collapsed is moved elsewhere and restarted broad.
3. **MAP estimation** (``"map"``, :func:`run_em_map`, :func:`m_step_map`): a conjugate prior on
   the means and covariances, whose posterior mode can never be singular.

MAP M-step (Fraley & Raftery 2007)
----------------------------------
C. Fraley and A. E. Raftery, "Bayesian regularization for normal mixture estimation and
model-based clustering", *Journal of Classification* 24:155–181 (2007), the prior used by R's
mclust (``priorControl()``). With ``N_k = Σ_n r_nk``, ``x̄_k = Σ_n r_nk x_n / N_k`` and the
scatter ``W_k = Σ_n r_nk (x_n − x̄_k)(x_n − x̄_k)ᵀ = N_k S_k``, the prior is

* ``μ_k | Σ_k ~ N(μ_P, Σ_k / κ_P)`` (``prior_mean``, ``prior_shrinkage``);
* full: ``Σ_k ~ inverse-Wishart(ν_P, Λ_P)``, density ∝ ``|Σ|^{-(ν_P+D+1)/2} exp(−½ tr Λ_P Σ⁻¹)``
  (``prior_strength`` = ``ν_P``, ``prior_scale`` = ``Λ_P``);
* a flat (Dirichlet(1, …, 1)) prior on the weights, so ``π_k = N_k / N`` as in EM.

Maximising ``Q(θ, θ_old) + ln p(θ)`` gives (F&R 2007, Table 2, model "VVV")::

    μ_k = (N_k x̄_k + κ_P μ_P) / (N_k + κ_P)
    B_k = Λ_P + W_k + κ_P N_k / (κ_P + N_k) · (x̄_k − μ_P)(x̄_k − μ_P)ᵀ
    Σ_k = B_k / (ν_P + N_k + D + 2)

The denominator counts the powers of ``|Σ_k|^{-1/2}``: ``N_k`` from the data, ``ν_P + D + 1``
from the inverse-Wishart and 1 from the normal prior on ``μ_k``. Since ``B_k ⪰ Λ_P ≻ 0``,
``Σ_k`` is positive definite even for an empty component or one sitting on a single point.
The other covariance types use the same prior restricted to their structure; the
denominators follow from the same count:

* tied (F&R "EEE"): one inverse-Wishart, K normal priors:
  ``Σ = (Λ_P + Σ_k [W_k + κ_P N_k/(κ_P+N_k) (x̄_k−μ_P)(x̄_k−μ_P)ᵀ]) / (ν_P + N + D + K + 1)``;
* diag (F&R "VVI"): an inverse-gamma ``IG(ν_P/2, Λ_P,jj/2)`` per variance:
  ``σ²_kj = (Λ_P,jj + W_k,jj + κ_P N_k/(κ_P+N_k) (x̄_kj−μ_P,j)²) / (ν_P + N_k + 3)``;
* spherical (F&R "VII"): ``σ²_k ~ IG(ν_P/2, ς²/2)`` with ``ς² = tr(Λ_P)/D``:
  ``σ²_k = (ς² + tr W_k + κ_P N_k/(κ_P+N_k) ‖x̄_k−μ_P‖²) / (ν_P + (N_k + 1) D + 2)``.

Defaults (mclust's ``defaultPrior``): ``μ_P`` = the data mean, ``κ_P = 0.01``,
``ν_P = D + 2``, ``Λ_P = cov(X) / K^{2/D}`` (the data covariance shrunk to the volume one of K
equal clusters would have). EM with this M-step is a (generalised) EM for the posterior: the
log-posterior ``ln p(X|θ) + ln p(θ)`` never decreases (:func:`log_posterior`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import gammaln, multigammaln

from emviz._messages import error
from emviz._validation import (
    Seed,
    check_float,
    check_instance,
    check_int,
    check_moderate_scale,
    check_positive_int,
    check_seed,
)
from emviz.engine.em import (
    COVARIANCE_ESTIMATORS,
    Trace,
    _check_covariance_type,
    _check_reg_covar,
    _check_resp,
    check_data,
    e_step,
    reg_covar_slack,
    run_em,
)
from emviz.engine.loop import run_loop
from emviz.errors import CollapseError, DataError, ParameterError
from emviz.model.gaussian import EPS as _EPS
from emviz.model.gaussian import LOG_2PI, precision_cholesky
from emviz.model.params import Params

#: Default floor of :func:`run_em_floor`, relative to the data's mean per-feature variance.
DEFAULT_FLOOR_RATIO = 1e-3
#: Default mean shrinkage κ_P of the MAP prior (mclust's).
DEFAULT_SHRINKAGE = 0.01



# --------------------------------------------------------------------------------------
# Shared checks
# --------------------------------------------------------------------------------------
def _check_run(max_iter: Any, tol: Any) -> tuple[int, float]:
    return check_int(max_iter, "max_iter", 0), check_float(tol, "tol", 0.0)


def _mean_variance(X: np.ndarray) -> float:
    return float(X.var(axis=0).mean())


def _frozen(values: list[float]) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    arr.flags.writeable = False
    return arr


# --------------------------------------------------------------------------------------
# Remedy 1: a covariance floor
# --------------------------------------------------------------------------------------
def run_em_floor(
    X: Any,
    init: Params,
    covariance_type: str = "full",
    max_iter: int = 100,
    tol: float = 1e-6,
    reg_covar: float | None = None,
) -> Trace:
    """:func:`emviz.engine.em.run_em` with a covariance floor.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    init : Params
    covariance_type, max_iter, tol
        As in :func:`emviz.engine.em.run_em`.
    reg_covar : float, optional
        Added to every covariance diagonal. Default: ``1e-3`` times the data's mean per-feature
        variance (:data:`DEFAULT_FLOOR_RATIO`), a floor that is visible at the data's scale;
        scikit-learn's absolute 1e-6 still lets a component shrink to a dot (det ≈ 1e-12).
    """
    check_instance(init, "init", Params)
    X = check_data(X, init.n_features)
    reg = DEFAULT_FLOOR_RATIO * _mean_variance(X) if reg_covar is None else reg_covar
    return run_em(X, init, covariance_type, reg, max_iter, tol)


# --------------------------------------------------------------------------------------
# Remedy 2: re-seeding a collapsed component
# --------------------------------------------------------------------------------------
def _covariance_like_data(data_cov: np.ndarray, covariance_type: str) -> np.ndarray:
    """The data covariance with the structure of ``covariance_type`` (shape (D, D))."""
    shapes = {
        "full": lambda c: c,
        "tied": lambda c: c,
        "diag": lambda c: np.diag(np.diag(c)),
        "spherical": lambda c: np.eye(c.shape[0]) * np.trace(c) / c.shape[0],
    }
    return shapes[covariance_type](data_cov)


def _raw_m_step(
    X: np.ndarray, resp: np.ndarray, covariance_type: str, reg_covar: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`emviz.engine.em.m_step` without the positive-definiteness check (weights, means,
    covs)."""
    nk = resp.sum(axis=0) + 10 * _EPS
    means = resp.T @ X / nk[:, None]
    cov = COVARIANCE_ESTIMATORS[covariance_type](resp, X, nk, means, reg_covar)
    cov = 0.5 * (cov + np.swapaxes(cov, 1, 2))
    return nk / nk.sum(), means, cov


def _reseed_point(
    X: np.ndarray,
    resp_j: np.ndarray,
    healthy_means: np.ndarray,
    inv_scale: np.ndarray,
    rng: np.random.Generator,
) -> int:
    """Index of the point a collapsed component restarts at.

    Drawn with probability ∝ squared (standardised) distance to the nearest healthy mean, as in
    k-means++, among the points the collapsed component did *not* own (``resp_j ≤ ½``), so it
    is not put straight back on the points it collapsed onto.
    """
    candidates = np.flatnonzero(resp_j <= 0.5)
    if candidates.size == 0:
        candidates = np.arange(X.shape[0])
    if healthy_means.shape[0] == 0:
        return int(rng.choice(candidates))
    z = (X[candidates, None, :] - healthy_means[None, :, :]) * inv_scale
    d2 = np.min(np.sum(z * z, axis=2), axis=1)
    total = d2.sum()
    if not total > 0:
        return int(rng.choice(candidates))
    return int(rng.choice(candidates, p=d2 / total))


class _ReseedKernel:
    """:func:`run_em_reseed`'s kernel: plain EM whose every M-step result is repaired."""

    def __init__(
        self, X: np.ndarray, covariance_type: str, reg_covar: float,
        repair: Callable[..., tuple[Params, bool]],
    ) -> None:
        self._X, self._cov_type, self._reg, self._repair = X, covariance_type, reg_covar, repair
        #: reg_slack of every kept state: inf after a re-seed (not an EM step).
        self.slack: list[float] = [0.0]

    def e_step(self, params: Params) -> tuple[float, np.ndarray]:
        est = e_step(self._X, params)
        return est.log_likelihood, est.resp

    def m_step(self, params: Params, resp: np.ndarray) -> Params:
        # Unchecked: a collapsed covariance is what after_m repairs.
        return Params.trusted(*_raw_m_step(self._X, resp, self._cov_type, self._reg))

    def after_m(self, new: Params, resp: np.ndarray, iteration: int) -> tuple[Params, bool]:
        repaired, reseeded = self._repair(new.weights, new.means, new.covariances, resp,
                                          f"iteration {iteration}")
        self.slack.append(float("inf") if reseeded else
                          reg_covar_slack(repaired, self._cov_type, self._reg,
                                          self._X.shape[0]))
        return repaired, reseeded

    def objective(self, params: Params) -> float:
        return e_step(self._X, params).log_likelihood


def run_em_reseed(
    X: Any,
    init: Params,
    covariance_type: str = "full",
    reg_covar: float = 0.0,
    max_iter: int = 100,
    tol: float = 1e-6,
    seed: Seed = 0,
    min_variance_ratio: float = 1e-6,
) -> Trace:
    """EM that re-seeds any component whose covariance collapses.

    After every M-step, a component counts as collapsed if its covariance is not finite or its
    smallest eigenvalue is at most ``min_variance_ratio`` times the data's mean per-feature
    variance (default 1e-6: a standard deviation 1/1000 of the data's, long before floating
    point breaks down). Each collapsed component is re-seeded:

    * **mean:** a data point drawn with probability ∝ its squared standardised distance to the
      nearest healthy mean (k-means++ style), among points the component did not own;
    * **covariance:** the data covariance (restricted to the covariance type) plus
      ``reg_covar``; for "tied" the shared covariance is reset to it;
    * **weight:** ``1 / (2K)``, taken from the healthy components in proportion to their
      weights (the collapsed component's old weight is returned to them first).

    Every event is recorded in :attr:`Trace.notes`. A re-seed is not an EM step, so the
    log-likelihood may fall across it: ``reg_slack`` is ``inf`` there (any decrease is
    explained), and the run cannot be declared converged on that step.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    init : Params
        A collapsed component in ``init`` is re-seeded before the first iteration (so
        ``params[0]`` then differs from ``init``; a note says so).
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float, default 0.0
        Exact EM by default: re-seeding alone prevents the collapse.
    max_iter : int, default 100
    tol : float, default 1e-6
        As in :func:`emviz.engine.em.run_em`.
    seed : int or numpy.random.Generator, default 0
        Seeds the random choice of re-seed points; deterministic.
    min_variance_ratio : float, default 1e-6

    Returns
    -------
    Trace
        ``stop_reason`` is "converged" or "max_iter"; "collapsed" only if a covariance kept
        above a ``min_variance_ratio`` near 0 is still numerically singular.

    Raises
    ------
    DataError
        If the data themselves are (nearly) degenerate (their covariance has an eigenvalue at
        or below the threshold), so a re-seeded component would collapse at once.
    """
    check_instance(init, "init", Params)
    X = check_data(X, init.n_features)
    check_moderate_scale(X, "remedies")
    cov_type = _check_covariance_type(covariance_type)
    reg = _check_reg_covar(reg_covar)
    max_iter, tol = _check_run(max_iter, tol)
    seed = check_seed(seed)
    min_variance_ratio = check_float(min_variance_ratio, "min_variance_ratio", 0.0,
                                     positive=True)
    n, d = X.shape
    k = init.n_components
    floor = min_variance_ratio * _mean_variance(X)
    data_cov = np.atleast_2d(np.cov(X, rowvar=False, bias=True))
    if not np.linalg.eigvalsh(data_cov)[0] > floor:
        raise error(DataError, "remedies.reseed_flat",
                    eigenvalue=float(np.linalg.eigvalsh(data_cov)[0]), floor=floor)
    reset_cov = _covariance_like_data(data_cov, cov_type) + reg * np.eye(d)
    inv_scale = 1.0 / np.sqrt(np.diag(data_cov))
    share = 1.0 / (2 * k)
    rng = np.random.default_rng(seed)
    notes: list[str] = []

    def repair(
        weights: np.ndarray, means: np.ndarray, cov: np.ndarray, resp: np.ndarray | None,
        when: str,
    ) -> tuple[Params, bool]:  # (the state to keep, whether it was re-seeded)
        with np.errstate(invalid="ignore"):
            finite = np.all(np.isfinite(cov), axis=(1, 2))
            min_eig = np.full(k, -np.inf)
            min_eig[finite] = np.linalg.eigvalsh(cov[finite])[:, 0]
        bad = np.flatnonzero(~(min_eig > floor))
        if bad.size == 0:
            return Params(weights, means, cov), False
        weights, means, cov = weights.copy(), means.copy(), cov.copy()
        healthy = np.setdiff1d(np.arange(k), bad)
        if cov_type == "tied":  # one shared matrix: reset it, keep the means
            cov[:] = reset_cov
            notes.append(
                f"{when}: the shared (tied) covariance collapsed (smallest variance "
                f"{min_eig[0]:.3g} ≤ {floor:.3g}); reset to the data covariance."
            )
            return Params(weights, means, cov), True
        for j in bad:
            owned = resp[:, j] if resp is not None else np.zeros(n)
            idx = _reseed_point(X, owned, means[healthy], inv_scale, rng)
            means[j] = X[idx]
            cov[j] = reset_cov
            notes.append(
                f"{when}: component {j} collapsed (smallest variance {min_eig[j]:.3g} ≤ "
                f"{floor:.3g}, weight {weights[j]:.3g}); re-seeded at data point {idx} "
                f"{tuple(np.round(X[idx], 4).tolist())} with the data covariance and weight "
                f"{share:.3g}."
            )
        if healthy.size:
            weights[healthy] *= (1.0 - share * bad.size) / weights[healthy].sum()
            weights[bad] = share
        else:
            weights[:] = 1.0 / k
        return Params(weights / weights.sum(), means, cov), True

    first, _ = repair(init.weights, init.means, init.covariances, None, "start")
    kernel = _ReseedKernel(X, cov_type, reg, repair)
    run = run_loop(kernel, first, n, max_iter, tol)
    params, lls, stop = run.states, run.objectives, run.stop_reason
    slack = kernel.slack
    if notes:
        notes.append(f"{len(notes)} re-seed(s) in all; the threshold was {floor:.3g}.")
    return Trace(
        params=tuple(params),
        log_likelihood=_frozen(lls),
        converged=stop == "converged",
        n_iter=len(params) - 1,
        stop_reason=stop,
        collapsed_component=run.collapsed_component,
        reg_slack=_frozen(slack),
        covariance_type=cov_type,
        reg_covar=reg,
        tol=tol,
        max_iter=max_iter,
        n_samples=n,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------
# Remedy 3: MAP with a conjugate prior (Fraley & Raftery 2007)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class MapPrior:
    """The conjugate prior of the MAP M-step (module docstring).

    Attributes
    ----------
    mean : array of shape (n_features,)
        ``μ_P``.
    shrinkage : float
        ``κ_P > 0``: how many pseudo-points pull each mean towards ``μ_P``.
    dof : float
        ``ν_P > D − 1``: degrees of freedom (pseudo-points) of the covariance prior.
    scale : array of shape (n_features, n_features)
        ``Λ_P``, symmetric positive definite.
    """

    mean: np.ndarray
    shrinkage: float
    dof: float
    scale: np.ndarray

    def __post_init__(self) -> None:
        mean = np.array(self.mean, dtype=np.float64).reshape(-1)
        scale = np.array(self.scale, dtype=np.float64)
        d = mean.shape[0]
        if scale.shape != (d, d):
            raise error(ParameterError, "remedies.prior_scale_shape", d=d, shape=scale.shape)
        if not (np.isfinite(self.shrinkage) and self.shrinkage > 0):
            raise error(ParameterError, "remedies.prior_shrinkage", value=self.shrinkage)
        if not (np.isfinite(self.dof) and self.dof > d - 1):
            raise error(ParameterError, "remedies.prior_strength", limit=d - 1, value=self.dof)
        scale = 0.5 * (scale + scale.T)
        try:
            precision_cholesky(scale[None])
        except CollapseError as exc:
            raise error(ParameterError, "remedies.prior_scale_singular") from exc
        for name, value in (("mean", mean), ("scale", scale)):
            value.flags.writeable = False
            object.__setattr__(self, name, value)
        object.__setattr__(self, "shrinkage", float(self.shrinkage))
        object.__setattr__(self, "dof", float(self.dof))


def map_prior(
    X: Any,
    n_components: int,
    prior_strength: float | None = None,
    prior_scale: Any = None,
    prior_shrinkage: float = DEFAULT_SHRINKAGE,
    prior_mean: Any = None,
) -> MapPrior:
    """The prior with mclust's defaults for data ``X`` and K components.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int
    prior_strength : float, optional
        ``ν_P``; default ``D + 2``. Larger values pull every covariance harder towards
        ``Λ_P / (ν_P + D + 1)``.
    prior_scale : array-like of shape (n_features, n_features), optional
        ``Λ_P``; default ``cov(X) / K^{2/D}``.
    prior_shrinkage : float, default 0.01
        ``κ_P``.
    prior_mean : array-like of shape (n_features,), optional
        ``μ_P``; default the data mean.
    """
    X = check_data(X)
    d = X.shape[1]
    k = check_positive_int(n_components, "n_components")
    if prior_scale is None:
        if X.shape[0] < 2:
            raise error(DataError, "check.prior_points", n=X.shape[0])
        prior_scale = np.atleast_2d(np.cov(X, rowvar=False, bias=False)) / k ** (2.0 / d)
    return MapPrior(
        mean=X.mean(axis=0) if prior_mean is None else prior_mean,
        shrinkage=prior_shrinkage,
        dof=d + 2.0 if prior_strength is None else prior_strength,
        scale=prior_scale,
    )


class _Stats:
    """Per-component sufficient statistics of the M-step."""

    def __init__(self, X: np.ndarray, resp: np.ndarray, prior: MapPrior) -> None:
        self.n = resp.sum(axis=0)
        safe = np.where(self.n > 0, self.n, 1.0)
        xbar = resp.T @ X / safe[:, None]
        self.xbar = np.where(self.n[:, None] > 0, xbar, prior.mean)
        k, d = resp.shape[1], X.shape[1]
        self.scatter = np.empty((k, d, d))  # W_k
        for j in range(k):
            diff = X - self.xbar[j]
            self.scatter[j] = (resp[:, j] * diff.T) @ diff
        kappa = prior.shrinkage
        off = self.xbar - prior.mean
        #: κ N_k / (κ + N_k) (x̄_k − μ_P)(x̄_k − μ_P)ᵀ
        self.shrink = (kappa * self.n / (kappa + self.n))[:, None, None] * (
            off[:, :, None] * off[:, None, :]
        )
        self.means = (self.n[:, None] * self.xbar + kappa * prior.mean) / (self.n + kappa)[:, None]


def _map_full(s: _Stats, prior: MapPrior) -> np.ndarray:
    d = prior.scale.shape[0]
    b = prior.scale + s.scatter + s.shrink
    return b / (prior.dof + s.n + d + 2)[:, None, None]


def _map_tied(s: _Stats, prior: MapPrior) -> np.ndarray:
    d, k = prior.scale.shape[0], s.n.shape[0]
    b = prior.scale + (s.scatter + s.shrink).sum(axis=0)
    cov = b / (prior.dof + s.n.sum() + d + k + 1)
    return np.repeat(cov[None], k, axis=0)


def _map_diag(s: _Stats, prior: MapPrior) -> np.ndarray:
    b = np.diag(prior.scale) + np.diagonal(s.scatter + s.shrink, axis1=1, axis2=2)
    var = b / (prior.dof + s.n + 3)[:, None]
    return var[:, :, None] * np.eye(var.shape[1])


def _map_spherical(s: _Stats, prior: MapPrior) -> np.ndarray:
    d = prior.scale.shape[0]
    b = np.trace(prior.scale) / d + np.trace(s.scatter + s.shrink, axis1=1, axis2=2)
    var = b / (prior.dof + (s.n + 1) * d + 2)
    return var[:, None, None] * np.eye(d)


MAP_ESTIMATORS: dict[str, Callable[[_Stats, MapPrior], np.ndarray]] = {
    "full": _map_full,
    "tied": _map_tied,
    "diag": _map_diag,
    "spherical": _map_spherical,
}


def m_step_map(
    X: Any,
    resp: Any,
    covariance_type: str = "full",
    prior_strength: float | None = None,
    prior_scale: Any = None,
    prior_shrinkage: float = DEFAULT_SHRINKAGE,
    prior_mean: Any = None,
    prior: MapPrior | None = None,
) -> Params:
    """MAP M-step: maximise ``Q(θ, θ_old) + ln p(θ)`` under the conjugate prior.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp : array-like of shape (n_samples, n_components)
        Responsibilities (rows sum to 1).
    covariance_type : {"full", "tied", "diag", "spherical"}
    prior_strength, prior_scale, prior_shrinkage, prior_mean
        See :func:`map_prior` (defaults: mclust's). Ignored when ``prior`` is given.
    prior : MapPrior, optional
        A ready prior (what :func:`run_em_map` passes, so it is built once).

    Returns
    -------
    Params
        Always positive definite; an empty component gets ``μ_P`` and ``Λ_P``'s mode.
    """
    X = check_data(X)
    resp = _check_resp(resp, X.shape[0])
    cov_type = _check_covariance_type(covariance_type)
    if prior is None:
        prior = map_prior(X, resp.shape[1], prior_strength, prior_scale, prior_shrinkage,
                          prior_mean)
    elif prior.mean.shape[0] != X.shape[1]:
        raise error(ParameterError, "remedies.prior_features", prior=prior.mean.shape[0],
                    data=X.shape[1])
    stats = _Stats(X, resp, prior)
    cov = MAP_ESTIMATORS[cov_type](stats, prior)
    cov = 0.5 * (cov + np.swapaxes(cov, 1, 2))
    return Params(stats.n / stats.n.sum(), stats.means, cov)


def _log_inv_wishart(cov: np.ndarray, dof: float, scale: np.ndarray) -> np.ndarray:
    """``ln IW(Σ_k | ν, Λ)`` for a stack of covariances; shape (n_components,)."""
    d = scale.shape[0]
    _, logdet_scale = np.linalg.slogdet(scale)
    _, logdet = np.linalg.slogdet(cov)
    trace = np.einsum("ij,kji->k", scale, np.linalg.inv(cov))
    return (0.5 * dof * logdet_scale - 0.5 * dof * d * math.log(2.0)
            - multigammaln(0.5 * dof, d) - 0.5 * (dof + d + 1) * logdet - 0.5 * trace)


def _log_inv_gamma(var: np.ndarray, shape: float, rate: Any) -> np.ndarray:
    """``ln IG(σ² | a, b)`` elementwise."""
    return shape * np.log(rate) - gammaln(shape) - (shape + 1) * np.log(var) - rate / var


def _log_normal_means(params: Params, prior: MapPrior) -> np.ndarray:
    """``ln N(μ_k | μ_P, Σ_k / κ)`` per component; shape (n_components,)."""
    d = params.n_features
    cov = params.covariances / prior.shrinkage
    _, logdet = np.linalg.slogdet(cov)
    diff = params.means - prior.mean
    maha = np.einsum("ki,ki->k", diff, np.linalg.solve(cov, diff[:, :, None])[:, :, 0])
    return -0.5 * (d * LOG_2PI + logdet + maha)


def _log_prior_full(params: Params, prior: MapPrior) -> float:
    return float(np.sum(_log_inv_wishart(params.covariances, prior.dof, prior.scale)))


def _log_prior_tied(params: Params, prior: MapPrior) -> float:
    return float(_log_inv_wishart(params.covariances[:1], prior.dof, prior.scale)[0])


def _log_prior_diag(params: Params, prior: MapPrior) -> float:
    var = np.diagonal(params.covariances, axis1=1, axis2=2)
    return float(np.sum(_log_inv_gamma(var, 0.5 * prior.dof, 0.5 * np.diag(prior.scale))))


def _log_prior_spherical(params: Params, prior: MapPrior) -> float:
    var = np.diagonal(params.covariances, axis1=1, axis2=2).mean(axis=1)
    d = params.n_features
    rate = 0.5 * np.trace(prior.scale) / d
    return float(np.sum(_log_inv_gamma(var, 0.5 * prior.dof, rate)))


_LOG_PRIOR_COV: dict[str, Callable[[Params, MapPrior], float]] = {
    "full": _log_prior_full,
    "tied": _log_prior_tied,
    "diag": _log_prior_diag,
    "spherical": _log_prior_spherical,
}


def log_prior(params: Params, prior: MapPrior, covariance_type: str = "full") -> float:
    """``ln p(θ)`` of the conjugate prior, normalised (weights: flat Dirichlet, constant 0).

    Parameters
    ----------
    params : Params
    prior : MapPrior
    covariance_type : {"full", "tied", "diag", "spherical"}
        Which covariance prior applies (inverse-Wishart per component, one shared
        inverse-Wishart, inverse-gamma per variance, inverse-gamma per component).

    Returns
    -------
    float
    """
    cov_type = _check_covariance_type(covariance_type)
    return float(np.sum(_log_normal_means(params, prior))) + _LOG_PRIOR_COV[cov_type](
        params, prior
    )


def log_posterior(X: Any, params: Params, prior: MapPrior, covariance_type: str = "full") -> float:
    """Unnormalised log-posterior ``ln p(X|θ) + ln p(θ)``, the quantity MAP-EM increases."""
    return e_step(X, params).log_likelihood + log_prior(params, prior, covariance_type)


class _MapKernel:
    """:func:`run_em_map`'s kernel: the objective is the log-posterior, whose two terms it
    keeps for every state evaluated."""

    def __init__(self, X: np.ndarray, covariance_type: str, prior: MapPrior) -> None:
        self._X, self._cov_type, self._prior = X, covariance_type, prior
        self.log_likelihoods: list[float] = []
        self.log_priors: list[float] = []

    def e_step(self, params: Params) -> tuple[float, np.ndarray]:
        est = e_step(self._X, params)
        self.log_likelihoods.append(est.log_likelihood)
        self.log_priors.append(log_prior(params, self._prior, self._cov_type))
        return self.log_likelihoods[-1] + self.log_priors[-1], est.resp

    def m_step(self, params: Params, resp: np.ndarray) -> Params:
        return m_step_map(self._X, resp, self._cov_type, prior=self._prior)

    def objective(self, params: Params) -> float:
        return self.e_step(params)[0]


def run_em_map(
    X: Any,
    init: Params,
    covariance_type: str = "full",
    max_iter: int = 100,
    tol: float = 1e-6,
    prior_strength: float | None = None,
    prior_scale: Any = None,
    prior_shrinkage: float = DEFAULT_SHRINKAGE,
    prior_mean: Any = None,
    prior: MapPrior | None = None,
) -> Trace:
    """EM with the MAP M-step (:func:`m_step_map`): never collapses.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    init : Params
    covariance_type : {"full", "tied", "diag", "spherical"}
    max_iter : int, default 100
    tol : float, default 1e-6
        Stop when the change in the *mean per-point log-posterior* falls below ``tol``.
    prior_strength, prior_scale, prior_shrinkage, prior_mean, prior
        The prior, as in :func:`m_step_map`; the default is built from ``X`` and K.

    Returns
    -------
    Trace
        ``log_likelihood`` holds ``ln p(X|θ_i)`` as in every Trace; add
        ``log_prior(params[i], prior, covariance_type)`` for the log-posterior, which never
        decreases. The likelihood alone may fall while the prior rises: ``reg_slack[i]`` holds
        the rise of the log prior at step ``i``, which bounds that fall. ``reg_covar`` is 0
        (the prior replaces the floor); ``notes`` describe the prior. ``stop_reason`` is
        "collapsed" only if ``init`` itself is singular.
    """
    check_instance(init, "init", Params)
    X = check_data(X, init.n_features)
    check_moderate_scale(X, "remedies")
    cov_type = _check_covariance_type(covariance_type)
    max_iter, tol = _check_run(max_iter, tol)
    if prior is None:
        prior = map_prior(X, init.n_components, prior_strength, prior_scale, prior_shrinkage,
                          prior_mean)
    n = X.shape[0]
    kernel = _MapKernel(X, cov_type, prior)
    run = run_loop(kernel, init, n, max_iter, tol)
    params, stop, collapsed = run.states, run.stop_reason, run.collapsed_component
    lls, lps = kernel.log_likelihoods, kernel.log_priors
    if stop == "collapsed":  # only a singular init can collapse: nothing was evaluated
        lls, lps = [float("inf")], [0.0]
    slack = [0.0] + [max(0.0, b - a) for a, b in itertools.pairwise(lps)]
    notes = (
        f"MAP M-step (Fraley & Raftery 2007): κ_P = {prior.shrinkage:.3g}, "
        f"ν_P = {prior.dof:.3g}, Λ_P diagonal = {np.round(np.diag(prior.scale), 4).tolist()}.",
        f"log-posterior at the end: {lls[-1] + lps[-1]:.6g} "
        f"(log-likelihood {lls[-1]:.6g} + log prior {lps[-1]:.6g}).",
    )
    return Trace(
        params=tuple(params),
        log_likelihood=_frozen(lls),
        converged=stop == "converged",
        n_iter=len(params) - 1,
        stop_reason=stop,
        collapsed_component=collapsed,
        reg_slack=_frozen(slack),
        covariance_type=cov_type,
        reg_covar=0.0,
        tol=tol,
        max_iter=max_iter,
        n_samples=n,
        notes=notes,
    )


# --------------------------------------------------------------------------------------
# The UI's menu
# --------------------------------------------------------------------------------------
Remedy = Callable[..., Trace]


def _no_remedy(X, init, covariance_type, max_iter, tol, **options) -> Trace:
    return run_em(X, init, covariance_type, 0.0, max_iter, tol, **options)


def _floor(X, init, covariance_type, max_iter, tol, **options) -> Trace:
    return run_em_floor(X, init, covariance_type, max_iter, tol, **options)


def _reseed(X, init, covariance_type, max_iter, tol, **options) -> Trace:
    return run_em_reseed(X, init, covariance_type, max_iter=max_iter, tol=tol, **options)


def _map(X, init, covariance_type, max_iter, tol, **options) -> Trace:
    return run_em_map(X, init, covariance_type, max_iter, tol, **options)


#: name -> callable(X, init, covariance_type, max_iter, tol, **options) -> Trace.
#: Options: "none" (plain EM, reg_covar = 0; the baseline that collapses): ``kernel``;
#: "reg_covar": ``reg_covar``; "reseed": ``reg_covar``, ``seed``, ``min_variance_ratio``;
#: "map": ``prior_strength``, ``prior_scale``, ``prior_shrinkage``, ``prior_mean``, ``prior``.
REMEDIES: dict[str, Remedy] = {
    "none": _no_remedy,
    "reg_covar": _floor,
    "reseed": _reseed,
    "map": _map,
}

#: One line per remedy, for a UI legend.
REMEDY_DESCRIPTIONS: dict[str, str] = {
    "none": "Plain EM with reg_covar = 0: nothing stops a component shrinking onto a point.",
    "reg_covar": "Add a floor to every covariance diagonal, so no variance can reach zero.",
    "reseed": "When a component collapses, restart it at a far-away point with a broad "
    "covariance.",
    "map": "Put a conjugate prior on the covariances: the posterior mode is never singular.",
}

__all__ = [
    "DEFAULT_FLOOR_RATIO",
    "DEFAULT_SHRINKAGE",
    "MAP_ESTIMATORS",
    "REMEDIES",
    "REMEDY_DESCRIPTIONS",
    "MapPrior",
    "log_posterior",
    "log_prior",
    "m_step_map",
    "map_prior",
    "run_em_floor",
    "run_em_map",
    "run_em_reseed",
]
