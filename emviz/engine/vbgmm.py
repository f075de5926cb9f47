"""Variational Bayes for Gaussian mixtures (Bishop, PRML §10.2), as immutable steps.

The same stepping interface as :mod:`emviz.engine.em`: a variational E-step gives responsibilities,
a variational M-step gives a new frozen :class:`VBParams`, and :func:`run_vb` keeps every
state in a :class:`VBTrace` so a UI can scrub through the run and watch surplus components die.

Model: ``π ~ Dir(α_0)`` (or a stick-breaking Dirichlet process with concentration ``α_0``) and,
for each component, ``μ_k, Λ_k ~ N(μ_k | m_0, (β_0 Λ_k)⁻¹) W(Λ_k | W_0, ν_0)``. The factorised
posterior ``q(Z) q(π) Π_k q(μ_k, Λ_k)`` has the same forms with parameters
``α_k, β_k, m_k, W_k, ν_k`` (Bishop eq. 10.58–10.63).

Storage follows scikit-learn's ``BayesianGaussianMixture(covariance_type="full")`` so results
compare one to one: ``VBParams.covariances`` is ``(ν_k W_k)⁻¹ = W_k⁻¹ / ν_k`` (scikit-learn's
``covariances_``; the inverse of the expected precision ``E[Λ_k] = ν_k W_k``), and
``VBPrior.covariance`` is ``W_0⁻¹`` (scikit-learn's ``covariance_prior``). Bishop's ``W_k`` is
available as :attr:`VBParams.W`.

As in scikit-learn, the M-step adds ``reg_covar`` to the diagonal of each ``S_k`` and
``10·eps`` to each ``N_k``. With ``reg_covar = 0`` the M-step is the exact coordinate-ascent
update and the ELBO can never decrease. With ``reg_covar = ε > 0`` the M-step uses
``W_k⁻¹ + N_k ε I`` instead of the optimal ``W_k⁻¹``, which can lower the ELBO by at most
``Σ_k ν_k/2 Σ_i f(N_k ε / a_ki)``, ``f(u) = ln(1+u) − u/(1+u)``, over the eigenvalues ``a_ki``
of the optimal ``W_k⁻¹`` (:func:`vb_reg_slack`); that is only visible when ε is not small
against the data's variances. VB needs no floor at all: unlike EM it cannot collapse, because
``W_0⁻¹`` keeps every ``W_k⁻¹`` positive definite, so ``reg_covar = 0`` is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from scipy.special import betaln, digamma, gammaln, xlogy

from emviz._messages import Message, error
from emviz._validation import (
    Seed,
    check_choice,
    check_float,
    check_instance,
    check_int,
    check_moderate_scale,
    check_positive_int,
    check_seed,
)
from emviz.engine.em import (
    COVARIANCE_ESTIMATORS,
    INIT_RESPONSIBILITIES,
    LikelihoodDecrease,
    _check_resp,
    check_data,
)
from emviz.engine.loop import run_loop
from emviz.errors import DataError, ParameterError
from emviz.model.gaussian import EPS as _EPS
from emviz.model.gaussian import LOG_2PI, logsumexp_rows, precision_cholesky
from emviz.model.params import Params

#: The two weight priors, scikit-learn's names: a finite symmetric Dirichlet, or a
#: Dirichlet process truncated at K (stick-breaking, Blei & Jordan 2006).
WEIGHT_PRIOR_TYPES: tuple[str, ...] = ("dirichlet_distribution", "dirichlet_process")
STOP_REASONS: tuple[str, ...] = ("converged", "max_iter", "collapsed")

_LOG_2 = float(np.log(2.0))
_LOG_PI = float(np.log(np.pi))


# --------------------------------------------------------------------------------------
# Frozen records
# --------------------------------------------------------------------------------------
def _frozen(value: Any, name: str, shape: tuple[int | None, ...]) -> np.ndarray:
    arr = np.array(value, dtype=np.float64, copy=True)
    if arr.ndim != len(shape) or any(
        s is not None and s != a for s, a in zip(shape, arr.shape, strict=True)
    ):
        want = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
        raise error(ParameterError, "vbgmm.shape", name=name, want=want, shape=arr.shape)
    if not np.all(np.isfinite(arr)):
        raise error(ParameterError, "vbgmm.finite", name=name)
    arr.flags.writeable = False
    return arr


def _check_spd(cov: np.ndarray, name: str, advice: str) -> None:
    scale = max(float(np.abs(cov).max()), 1e-300)
    if float(np.abs(cov - cov.T).max()) / scale > 1e-8:
        raise error(ParameterError, "vbgmm.not_symmetric", name=name, advice=advice)
    try:
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError as exc:
        raise error(ParameterError, "vbgmm.not_positive_definite", name=name,
                    eigenvalue=float(np.linalg.eigvalsh(cov)[0]), advice=advice) from exc


@dataclass(frozen=True, eq=False)
class VBPrior:
    """Hyperparameters of the Bayesian Gaussian mixture (scikit-learn's names).

    Parameters
    ----------
    weight_concentration : float
        ``α_0 > 0``. Dirichlet: every component's prior count. Dirichlet process: the
        concentration ``γ`` of the stick-breaking ``Beta(1, γ)``. Small values let surplus
        components die off; large values keep them.
    mean_precision : float
        ``β_0 > 0``: how many pseudo-points the prior on each mean is worth.
    mean : array of shape (n_features,)
        ``m_0``, the prior mean of every component mean.
    degrees_of_freedom : float
        ``ν_0 > n_features - 1`` of the Wishart prior.
    covariance : array of shape (n_features, n_features)
        ``W_0⁻¹``, symmetric positive definite (scikit-learn's ``covariance_prior``).
    weight_concentration_prior_type : {"dirichlet_distribution", "dirichlet_process"}
    """

    weight_concentration: float
    mean_precision: float
    mean: np.ndarray
    degrees_of_freedom: float
    covariance: np.ndarray
    weight_concentration_prior_type: str = "dirichlet_distribution"

    def __post_init__(self) -> None:
        for name in ("weight_concentration", "mean_precision"):
            value = float(getattr(self, name))
            if not (np.isfinite(value) and value > 0):
                raise error(ParameterError, "vbgmm.prior_positive", name=name,
                            value=getattr(self, name))
            object.__setattr__(self, name, value)
        mean = _frozen(self.mean, "VBPrior.mean", (None,))
        d = mean.shape[0]
        if d < 1:
            raise error(ParameterError, "vbgmm.prior_mean_empty")
        cov = _frozen(self.covariance, "VBPrior.covariance", (d, d))
        _check_spd(
            cov,
            "VBPrior.covariance",
            Message("vbgmm.prior_covariance_advice"),
        )
        nu = float(self.degrees_of_freedom)
        if not (np.isfinite(nu) and nu > d - 1):
            raise error(ParameterError, "vbgmm.prior_dof", limit=d - 1,
                        value=self.degrees_of_freedom)
        check_choice(self.weight_concentration_prior_type, "weight_concentration_prior_type",
                     WEIGHT_PRIOR_TYPES)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "covariance", cov)
        object.__setattr__(self, "degrees_of_freedom", nu)

    @property
    def n_features(self) -> int:
        return int(self.mean.shape[0])

    @property
    def W(self) -> np.ndarray:
        """Bishop's ``W_0`` (the inverse of :attr:`covariance`); shape (n_features, n_features)."""
        return np.linalg.inv(self.covariance)


def default_prior(
    X: Any,
    n_components: int,
    weight_concentration: float | None = None,
    mean_precision: float | None = None,
    mean: Any = None,
    degrees_of_freedom: float | None = None,
    covariance: Any = None,
    weight_concentration_prior_type: str = "dirichlet_distribution",
) -> VBPrior:
    """scikit-learn's default hyperparameters for ``X``; any of them can be overridden.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int
    weight_concentration : float, optional
        Default ``1 / n_components``.
    mean_precision : float, optional
        Default 1.
    mean : array-like of shape (n_features,), optional
        Default: the mean of ``X``.
    degrees_of_freedom : float, optional
        Default ``n_features``.
    covariance : array-like of shape (n_features, n_features), optional
        Default: the empirical covariance of ``X`` (``np.cov``, ``ddof=1``).
    weight_concentration_prior_type : {"dirichlet_distribution", "dirichlet_process"}

    Returns
    -------
    VBPrior

    Raises
    ------
    DataError
        If the default covariance is needed and ``X`` has fewer than 2 points.
    ParameterError
        If a value is invalid, e.g. the data's covariance is singular.
    """
    X = check_data(X)
    k = _check_n_components(n_components)
    n, d = X.shape
    if covariance is None:
        if n < 2:
            raise error(DataError, "vbgmm.default_prior_points", n=n)
        covariance = np.atleast_2d(np.cov(X.T))
    return VBPrior(
        weight_concentration=1.0 / k if weight_concentration is None else weight_concentration,
        mean_precision=1.0 if mean_precision is None else mean_precision,
        mean=X.mean(axis=0) if mean is None else mean,
        degrees_of_freedom=float(d) if degrees_of_freedom is None else degrees_of_freedom,
        covariance=covariance,
        weight_concentration_prior_type=weight_concentration_prior_type,
    )


@dataclass(frozen=True, eq=False)
class VBParams:
    """Parameters of the variational posterior ``q(π) Π_k q(μ_k, Λ_k)``.

    Parameters
    ----------
    weight_concentration : array of shape (n_components,)
        Dirichlet: ``α_k``. Dirichlet process: the first parameters ``a_k`` of the
        stick-breaking ``Beta(a_k, b_k)``.
    mean_precision : array of shape (n_components,)
        ``β_k``.
    means : array of shape (n_components, n_features)
        ``m_k``.
    degrees_of_freedom : array of shape (n_components,)
        ``ν_k``.
    covariances : array of shape (n_components, n_features, n_features)
        ``(ν_k W_k)⁻¹``, scikit-learn's ``covariances_``; symmetric positive definite.
    weight_concentration_b : array of shape (n_components,), optional
        Dirichlet process only: the second Beta parameters ``b_k``. ``None`` means a
        Dirichlet distribution.
    """

    weight_concentration: np.ndarray
    mean_precision: np.ndarray
    means: np.ndarray
    degrees_of_freedom: np.ndarray
    covariances: np.ndarray
    weight_concentration_b: np.ndarray | None = None

    def __post_init__(self) -> None:
        means = _frozen(self.means, "VBParams.means", (None, None))
        k, d = means.shape
        if k < 1 or d < 1:
            raise error(ParameterError, "vbgmm.params_empty", shape=means.shape)
        fields = {"means": means}
        for name in ("weight_concentration", "mean_precision", "degrees_of_freedom"):
            arr = _frozen(getattr(self, name), f"VBParams.{name}", (k,))
            if np.any(arr <= 0):
                raise error(ParameterError, "vbgmm.params_positive", name=name, value=arr)
            fields[name] = arr
        if np.any(fields["degrees_of_freedom"] <= d - 1):
            raise error(ParameterError, "vbgmm.params_dof", limit=d - 1,
                        value=fields["degrees_of_freedom"])
        cov = _frozen(self.covariances, "VBParams.covariances", (k, d, d))
        fields["covariances"] = cov
        if self.weight_concentration_b is not None:
            b = _frozen(self.weight_concentration_b, "VBParams.weight_concentration_b", (k,))
            if np.any(b <= 0):
                raise error(ParameterError, "vbgmm.params_b", value=b)
            fields["weight_concentration_b"] = b
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    # Shapes and Bishop's names --------------------------------------------------------
    @property
    def n_components(self) -> int:
        return int(self.means.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.means.shape[1])

    @property
    def weight_concentration_prior_type(self) -> str:
        if self.weight_concentration_b is None:
            return "dirichlet_distribution"
        return "dirichlet_process"

    @property
    def W(self) -> np.ndarray:
        """Bishop's ``W_k = (ν_k · covariances_k)⁻¹``; shape (n_components, D, D)."""
        return np.linalg.inv(self.degrees_of_freedom[:, None, None] * self.covariances)

    @property
    def precisions(self) -> np.ndarray:
        """``E[Λ_k] = ν_k W_k``, scikit-learn's ``precisions_``; shape (n_components, D, D)."""
        return np.linalg.inv(self.covariances)

    # Expectations under q ------------------------------------------------------------
    def expected_weights(self) -> np.ndarray:
        """``E[π_k]``; array of shape (n_components,), summing to 1.

        Dirichlet: ``α_k / Σ_j α_j``. Dirichlet process: ``E[v_k] Π_{j<k} E[1 - v_j]``,
        renormalised over the K components (scikit-learn's ``weights_``).
        """
        return _EXPECTED_WEIGHTS[self.weight_concentration_prior_type](self)

    def expected_log_weights(self) -> np.ndarray:
        """``E[ln π_k]``; array of shape (n_components,).

        Dirichlet: ``ψ(α_k) − ψ(Σ_j α_j)``. Dirichlet process:
        ``E[ln v_k] + Σ_{j<k} E[ln(1 − v_j)]``.
        """
        return _EXPECTED_LOG_WEIGHTS[self.weight_concentration_prior_type](self)

    def expected_covariances(self) -> np.ndarray:
        """``(ν_k W_k)⁻¹ = E[Λ_k]⁻¹``; array of shape (n_components, D, D)."""
        return self.covariances.copy()

    def expected_log_det_precision(self) -> np.ndarray:
        """``E[ln|Λ_k|] = Σ_i ψ((ν_k + 1 − i)/2) + D ln 2 + ln|W_k|``; shape (n_components,)."""
        return _expected_log_det(self, _log_det_cov(self.covariances))

    def to_params(self) -> Params:
        """A point estimate for the EM figures: expected weights, ``m_k``, expected covariances."""
        return Params(self.expected_weights(), self.means, self.covariances)


def _sticks(vb: VBParams) -> tuple[np.ndarray, np.ndarray]:
    """``(a_k, b_k)`` of a Dirichlet process; the dispatch tables call this only for one."""
    b = vb.weight_concentration_b
    assert b is not None, "a Dirichlet distribution has no second Beta parameters"
    return vb.weight_concentration, b


def _dd_weights(vb: VBParams) -> np.ndarray:
    a = vb.weight_concentration
    return a / a.sum()


def _dp_weights(vb: VBParams) -> np.ndarray:
    a, b = _sticks(vb)
    stick_left = np.concatenate(([1.0], np.cumprod(b / (a + b))[:-1]))
    w = a / (a + b) * stick_left
    return w / w.sum()


def _dd_log_weights(vb: VBParams) -> np.ndarray:
    a = vb.weight_concentration
    return digamma(a) - digamma(a.sum())


def _dp_log_weights(vb: VBParams) -> np.ndarray:
    a, b = _sticks(vb)
    dsum = digamma(a + b)
    log_rest = digamma(b) - dsum
    return digamma(a) - dsum + np.concatenate(([0.0], np.cumsum(log_rest)[:-1]))


_EXPECTED_WEIGHTS: dict[str, Callable[[VBParams], np.ndarray]] = {
    "dirichlet_distribution": _dd_weights,
    "dirichlet_process": _dp_weights,
}
_EXPECTED_LOG_WEIGHTS: dict[str, Callable[[VBParams], np.ndarray]] = {
    "dirichlet_distribution": _dd_log_weights,
    "dirichlet_process": _dp_log_weights,
}


def _precision_cholesky(cov: np.ndarray) -> np.ndarray:
    """Batched :func:`emviz.model.gaussian.precision_cholesky` (one LAPACK call for all K).

    Falls back to the per-component version to name the component that is not positive
    definite in the :class:`~emviz.errors.CollapseError`.
    """
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return precision_cholesky(cov)
    diag = np.diagonal(chol, axis1=1, axis2=2)
    if not np.all(np.isfinite(chol)) or np.any(diag <= 0.0):
        return precision_cholesky(cov)
    eye = np.broadcast_to(np.eye(cov.shape[-1]), cov.shape)
    return np.swapaxes(np.linalg.solve(chol, eye), 1, 2)


def _log_det_cov(cov: np.ndarray) -> np.ndarray:
    """``ln|C_k|`` through Cholesky; raises CollapseError when not positive definite."""
    prec_chol = _precision_cholesky(cov)
    return -2.0 * np.sum(np.log(np.diagonal(prec_chol, axis1=1, axis2=2)), axis=1)


def _expected_log_det(vb: VBParams, log_det_cov: np.ndarray) -> np.ndarray:
    d = vb.n_features
    nu = vb.degrees_of_freedom
    # ln|W_k| = −ln|ν_k C_k| = −ln|C_k| − D ln ν_k
    log_det_w = -log_det_cov - d * np.log(nu)
    psi = digamma(0.5 * (nu[None, :] - np.arange(d)[:, None])).sum(axis=0)
    return psi + d * _LOG_2 + log_det_w


def _log_wishart_norm(log_det_w: np.ndarray, nu: np.ndarray, d: int) -> np.ndarray:
    """``ln B(W, ν)`` of Bishop eq. B.79, per component."""
    return (
        -0.5 * nu * log_det_w
        - 0.5 * nu * d * _LOG_2
        - 0.25 * d * (d - 1) * _LOG_PI
        - gammaln(0.5 * (nu[None, :] - np.arange(d)[:, None])).sum(axis=0)
    )


# --------------------------------------------------------------------------------------
# Variational E-step
# --------------------------------------------------------------------------------------
class VBEStep(NamedTuple):
    """Responsibilities ``r_nk = q(z_n = k)``.

    Attributes
    ----------
    resp : array of shape (n_samples, n_components)
        Rows sum to 1.
    log_resp : array of shape (n_samples, n_components)
    """

    resp: np.ndarray
    log_resp: np.ndarray


class _Expectations(NamedTuple):
    """Everything the E-step and the ELBO need from one state, computed once."""

    maha: np.ndarray  # (N, K): ν_k (x_n − m_k)ᵀ W_k (x_n − m_k)
    log_det_cov: np.ndarray  # (K,): ln|C_k|, C_k = (ν_k W_k)⁻¹
    e_log_det: np.ndarray  # (K,): E[ln|Λ_k|]
    e_log_pi: np.ndarray  # (K,): E[ln π_k]
    precisions: np.ndarray  # (K, D, D): ν_k W_k


def _expectations(X: np.ndarray, vb: VBParams) -> _Expectations:
    # ν_k W_k = C_k⁻¹, so the Mahalanobis distance under the expected covariance C_k is
    # exactly the data part of E[(x − μ_k)ᵀ Λ_k (x − μ_k)].
    prec_chol = _precision_cholesky(vb.covariances)
    y = (X[:, None, :] - vb.means[None, :, :])[:, :, None, :] @ prec_chol[None]
    maha = np.einsum("nkij,nkij->nk", y, y)
    log_det_cov = -2.0 * np.sum(np.log(np.diagonal(prec_chol, axis1=1, axis2=2)), axis=1)
    precisions = prec_chol @ np.swapaxes(prec_chol, 1, 2)
    return _Expectations(
        maha,
        log_det_cov,
        _expected_log_det(vb, log_det_cov),
        vb.expected_log_weights(),
        precisions,
    )


def _log_rho(vb: VBParams, ex: _Expectations) -> np.ndarray:
    d = vb.n_features
    e_quad = d / vb.mean_precision + ex.maha
    return ex.e_log_pi + 0.5 * ex.e_log_det - 0.5 * d * LOG_2PI - 0.5 * e_quad


def _normalise(log_rho_: np.ndarray) -> VBEStep:
    log_resp = log_rho_ - logsumexp_rows(log_rho_)[:, None]
    return VBEStep(np.exp(log_resp), log_resp)


def log_rho(X: Any, vbparams: VBParams) -> np.ndarray:
    """Unnormalised log-responsibilities ``ln ρ_nk`` (Bishop eq. 10.46).

    ``ln ρ_nk = E[ln π_k] + ½E[ln|Λ_k|] − (D/2) ln 2π − ½(D/β_k + ν_k (x_n−m_k)ᵀW_k(x_n−m_k))``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    vbparams : VBParams

    Returns
    -------
    array of shape (n_samples, n_components)
    """
    X = check_data(X, vbparams.n_features)
    return _log_rho(vbparams, _expectations(X, vbparams))


def vb_e_step(X: Any, vbparams: VBParams) -> VBEStep:
    """Variational E-step: ``r_nk = ρ_nk / Σ_j ρ_nj``, in log space.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    vbparams : VBParams

    Returns
    -------
    VBEStep
        ``(resp, log_resp)``, each of shape (n_samples, n_components).
    """
    return _normalise(log_rho(X, vbparams))


# --------------------------------------------------------------------------------------
# Variational M-step
# --------------------------------------------------------------------------------------
def _dd_concentration(nk: np.ndarray, alpha0: float) -> tuple[np.ndarray, None]:
    return alpha0 + nk, None


def _dp_concentration(nk: np.ndarray, alpha0: float) -> tuple[np.ndarray, np.ndarray]:
    # b_k = α_0 + Σ_{j>k} N_j: the counts of the components after k on the stick.
    tail = np.concatenate((np.cumsum(nk[::-1])[-2::-1], [0.0]))
    return 1.0 + nk, alpha0 + tail


_CONCENTRATION_UPDATES: dict[
    str, Callable[[np.ndarray, float], tuple[np.ndarray, np.ndarray | None]]
] = {
    "dirichlet_distribution": _dd_concentration,
    "dirichlet_process": _dp_concentration,
}


def _check_reg_covar(reg_covar: float) -> float:
    return check_float(reg_covar, "reg_covar", 0.0, maximum=1e300)


def vb_m_step(X: Any, resp: Any, prior: VBPrior, reg_covar: float = 1e-6) -> VBParams:
    """Variational M-step (Bishop eq. 10.58–10.63).

    With ``N_k = Σ_n r_nk``, ``x̄_k`` and ``S_k`` the responsibility-weighted mean and
    covariance: ``α_k = α_0 + N_k``, ``β_k = β_0 + N_k``, ``m_k = (β_0 m_0 + N_k x̄_k)/β_k``,
    ``W_k⁻¹ = W_0⁻¹ + N_k S_k + β_0 N_k/(β_0 + N_k) (x̄_k − m_0)(x̄_k − m_0)ᵀ``,
    ``ν_k = ν_0 + N_k``. For a Dirichlet process the weights get ``a_k = 1 + N_k`` and
    ``b_k = α_0 + Σ_{j>k} N_j`` instead of ``α_k``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp : array-like of shape (n_samples, n_components)
        Responsibilities; rows sum to 1.
    prior : VBPrior
    reg_covar : float, default 1e-6
        Added to the diagonal of every ``S_k`` and ``10·eps`` to every ``N_k``, as scikit-learn
        does. 0 gives the exact update (the ELBO then never decreases); see
        :func:`vb_reg_slack` for what ε > 0 can cost.

    Returns
    -------
    VBParams
    """
    X = check_data(X, prior.n_features)
    resp = _check_resp(resp, X.shape[0])
    reg = _check_reg_covar(reg_covar)
    nk = resp.sum(axis=0) + 10 * _EPS
    xk = resp.T @ X / nk[:, None]
    sk = COVARIANCE_ESTIMATORS["full"](resp, X, nk, xk, reg)

    alpha, alpha_b = _CONCENTRATION_UPDATES[prior.weight_concentration_prior_type](
        nk, prior.weight_concentration
    )
    beta0 = prior.mean_precision
    beta = beta0 + nk
    means = (beta0 * prior.mean + nk[:, None] * xk) / beta[:, None]
    nu = prior.degrees_of_freedom + nk
    diff = xk - prior.mean
    w_inv = (
        prior.covariance
        + nk[:, None, None] * sk
        + (nk * beta0 / beta)[:, None, None] * diff[:, :, None] * diff[:, None, :]
    )
    cov = w_inv / nu[:, None, None]
    cov = 0.5 * (cov + np.swapaxes(cov, 1, 2))
    _precision_cholesky(cov)  # CollapseError with advice if not positive definite
    return VBParams(alpha, beta, means, nu, cov, alpha_b)


def vb_reg_slack(vbparams: VBParams, prior: VBPrior, reg_covar: float) -> float:
    """Upper bound on how much the M-step that made ``vbparams`` may have lowered the ELBO.

    For fixed responsibilities the ELBO depends on ``W_k`` only through
    ``ν_k/2 (ln|W_k| − tr(A_k W_k))``, maximised at ``W_k = A_k⁻¹`` (the ``reg_covar = 0``
    update). Using ``(A_k + N_k ε I)⁻¹`` instead loses exactly ``ν_k/2 Σ_i f(N_k ε / a_ki)``,
    ``f(u) = ln(1+u) − u/(1+u)``, over the eigenvalues ``a_ki`` of ``A_k``; the E-step is exact,
    so an ELBO decrease larger than this is a bug.

    Parameters
    ----------
    vbparams : VBParams
        Output of :func:`vb_m_step` with ``prior`` and ``reg_covar``.
    prior : VBPrior
    reg_covar : float

    Returns
    -------
    float
        0 when ``reg_covar`` is 0.
    """
    if reg_covar == 0:
        return 0.0
    nu = vbparams.degrees_of_freedom
    nk = nu - prior.degrees_of_freedom
    delta = nk * reg_covar
    eig = np.linalg.eigvalsh(nu[:, None, None] * vbparams.covariances) - delta[:, None]
    if np.any(eig <= 0):
        return float("inf")
    u = delta[:, None] / eig
    return float(np.sum(0.5 * nu[:, None] * (np.log1p(u) - u / (1 + u))))


# --------------------------------------------------------------------------------------
# The evidence lower bound
# --------------------------------------------------------------------------------------
class ELBOTerms(NamedTuple):
    """The seven expectations of Bishop eq. 10.70 (each under q), and their total.

    ``elbo = expected_log_likelihood + log_p_assignments + log_p_weights
    + log_p_means_precisions − log_q_assignments − log_q_weights − log_q_means_precisions``.

    Attributes
    ----------
    elbo : float
        ``L(q)``, a lower bound on the log evidence ``ln p(X)``.
    expected_log_likelihood : float
        ``E[ln p(X | Z, μ, Λ)]`` (eq. 10.71).
    log_p_assignments : float
        ``E[ln p(Z | π)] = Σ_n Σ_k r_nk E[ln π_k]`` (eq. 10.72).
    log_p_weights : float
        ``E[ln p(π)]`` (eq. 10.73; for a Dirichlet process, ``E[ln p(v)]`` of the sticks).
    log_p_means_precisions : float
        ``E[ln p(μ, Λ)]`` (eq. 10.74).
    log_q_assignments : float
        ``E[ln q(Z)] = Σ_n Σ_k r_nk ln r_nk`` (eq. 10.75).
    log_q_weights : float
        ``E[ln q(π)]`` (eq. 10.76), i.e. minus the entropy of ``q(π)``.
    log_q_means_precisions : float
        ``E[ln q(μ, Λ)]`` (eq. 10.77), i.e. minus the entropy of ``q(μ, Λ)``.
    """

    elbo: float
    expected_log_likelihood: float
    log_p_assignments: float
    log_p_weights: float
    log_p_means_precisions: float
    log_q_assignments: float
    log_q_weights: float
    log_q_means_precisions: float

    @property
    def kl_assignments(self) -> float:
        """``E_q(π)[KL(q(Z) ‖ p(Z | π))]`` ≥ 0."""
        return self.log_q_assignments - self.log_p_assignments

    @property
    def kl_weights(self) -> float:
        """``KL(q(π) ‖ p(π))`` ≥ 0."""
        return self.log_q_weights - self.log_p_weights

    @property
    def kl_means_precisions(self) -> float:
        """``KL(q(μ, Λ) ‖ p(μ, Λ))`` ≥ 0."""
        return self.log_q_means_precisions - self.log_p_means_precisions


def _dd_weight_terms(vb: VBParams, alpha0: float) -> tuple[float, float]:
    """``E[ln p(π)]`` and ``E[ln q(π)]`` for a Dirichlet (eq. 10.73, 10.76)."""
    a = vb.weight_concentration
    k = vb.n_components
    e_log_pi = _dd_log_weights(vb)
    log_c0 = gammaln(k * alpha0) - k * gammaln(alpha0)
    log_c = gammaln(a.sum()) - gammaln(a).sum()
    return (
        float(log_c0 + (alpha0 - 1.0) * e_log_pi.sum()),
        float(log_c + np.sum((a - 1.0) * e_log_pi)),
    )


def _dp_weight_terms(vb: VBParams, alpha0: float) -> tuple[float, float]:
    """``E[ln p(v)]`` and ``E[ln q(v)]`` of the sticks ``v_k ~ Beta(1, α_0)``."""
    a, b = _sticks(vb)
    dsum = digamma(a + b)
    e_log_v, e_log_1mv = digamma(a) - dsum, digamma(b) - dsum
    log_p = np.sum(np.log(alpha0) + (alpha0 - 1.0) * e_log_1mv)
    log_q = np.sum(-betaln(a, b) + (a - 1.0) * e_log_v + (b - 1.0) * e_log_1mv)
    return float(log_p), float(log_q)


_WEIGHT_TERMS: dict[str, Callable[[VBParams, float], tuple[float, float]]] = {
    "dirichlet_distribution": _dd_weight_terms,
    "dirichlet_process": _dp_weight_terms,
}


def _check_compatible(vb: VBParams, prior: VBPrior) -> None:
    check_instance(vb, "vbparams", VBParams)
    check_instance(prior, "prior", VBPrior)
    if vb.n_features != prior.n_features:
        raise error(ParameterError, "vbgmm.features_differ", params=vb.n_features,
                    prior=prior.n_features)
    if vb.weight_concentration_prior_type != prior.weight_concentration_prior_type:
        raise error(ParameterError, "vbgmm.weight_prior_differs",
                    params=vb.weight_concentration_prior_type,
                    prior=prior.weight_concentration_prior_type)


def elbo_terms(X: Any, vbparams: VBParams, resp: Any, prior: VBPrior) -> ELBOTerms:
    """The ELBO ``L(q)`` of Bishop eq. 10.70–10.77, term by term, for any ``q``.

    ``q(Z)`` is ``resp`` and ``q(π, μ, Λ)`` is ``vbparams``; they need not come from each
    other. All constants are kept, so ``L`` is a true lower bound on ``ln p(X)``. The data
    term is computed point by point (``Σ_n Σ_k r_nk E[ln N(x_n | μ_k, Λ_k⁻¹)]``), which equals
    Bishop's eq. 10.71 written with ``N_k``, ``x̄_k`` and the *unregularised* ``S_k``.

    scikit-learn's ``lower_bound_`` is a shortened form that drops constants and terms that
    cancel only when ``vbparams`` is the M-step of ``resp``; this function is the full form
    (it differs from scikit-learn's by a constant that depends only on the prior, N, D and K,
    when ``reg_covar = 0``).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    vbparams : VBParams
    resp : array-like of shape (n_samples, n_components)
    prior : VBPrior

    Returns
    -------
    ELBOTerms
    """
    _check_compatible(vbparams, prior)
    X = check_data(X, vbparams.n_features)
    r = _check_resp(resp, X.shape[0])
    if r.shape[1] != vbparams.n_components:
        raise error(ParameterError, "vbgmm.resp_columns", k=vbparams.n_components,
                    got=r.shape[1])
    return _elbo_terms(vbparams, r, prior, _expectations(X, vbparams))


def _elbo_terms(vb: VBParams, r: np.ndarray, prior: VBPrior, ex: _Expectations) -> ELBOTerms:
    d, k = vb.n_features, vb.n_components
    beta, nu, m = vb.mean_precision, vb.degrees_of_freedom, vb.means
    beta0, nu0, m0 = prior.mean_precision, prior.degrees_of_freedom, prior.mean
    maha, e_log_det, e_log_pi, prec = ex.maha, ex.e_log_det, ex.e_log_pi, ex.precisions
    log_det_w = -ex.log_det_cov - d * np.log(nu)

    # (10.71) Σ_n Σ_k r_nk E[ln N(x_n | μ_k, Λ_k⁻¹)]
    e_log_gauss = 0.5 * (e_log_det - d * LOG_2PI - d / beta - maha)
    expected_ll = float(np.sum(r * e_log_gauss))
    # (10.72) and (10.75)
    log_p_z = float(np.sum(r * e_log_pi))
    log_q_z = float(np.sum(xlogy(r, r)))
    # (10.73) and (10.76)
    log_p_pi, log_q_pi = _WEIGHT_TERMS[prior.weight_concentration_prior_type](
        vb, prior.weight_concentration
    )
    # (10.74): β_0 ν_k (m_k−m_0)ᵀW_k(m_k−m_0) and ν_k Tr(W_0⁻¹ W_k) through ν_k W_k.
    dm = m - m0
    quad_m = np.einsum("ki,kij,kj->k", dm, prec, dm)
    trace_term = np.einsum("ij,kji->k", prior.covariance, prec)
    log_det_w0 = -np.linalg.slogdet(prior.covariance)[1]
    log_b0 = _log_wishart_norm(np.array([log_det_w0]), np.array([nu0]), d)[0]
    log_p_mu_lam = float(
        0.5
        * np.sum(d * np.log(beta0 / (2 * np.pi)) + e_log_det - d * beta0 / beta - beta0 * quad_m)
        + k * log_b0
        + 0.5 * (nu0 - d - 1) * e_log_det.sum()
        - 0.5 * trace_term.sum()
    )
    # (10.77) with H[q(Λ_k)] = −ln B(W_k, ν_k) − (ν_k−D−1)/2 E[ln|Λ_k|] + ν_k D/2
    log_b = _log_wishart_norm(log_det_w, nu, d)
    entropy_w = -log_b - 0.5 * (nu - d - 1) * e_log_det + 0.5 * nu * d
    log_q_mu_lam = float(
        np.sum(0.5 * e_log_det + 0.5 * d * np.log(beta / (2 * np.pi)) - 0.5 * d - entropy_w)
    )
    total = expected_ll + log_p_z + log_p_pi + log_p_mu_lam - log_q_z - log_q_pi - log_q_mu_lam
    return ELBOTerms(
        float(total), expected_ll, log_p_z, log_p_pi, log_p_mu_lam, log_q_z, log_q_pi, log_q_mu_lam
    )


def elbo(X: Any, vbparams: VBParams, resp: Any, prior: VBPrior) -> float:
    """The full ELBO of Bishop eq. 10.70 (see :func:`elbo_terms`)."""
    return elbo_terms(X, vbparams, resp, prior).elbo


# --------------------------------------------------------------------------------------
# Initialisation and runs
# --------------------------------------------------------------------------------------
def _check_n_components(n_components: Any) -> int:
    return check_positive_int(n_components, "n_components")


def vb_initialize(
    X: Any,
    n_components: int,
    method: str = "kmeans++",
    seed: Seed = 0,
    prior: VBPrior | None = None,
    reg_covar: float = 1e-6,
) -> tuple[VBParams, np.ndarray]:
    """Starting posterior: EM's initial responsibilities for ``method``, then one M-step.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int
    method : {"random", "random_from_data", "kmeans++", "kmeans"}
        As in :func:`emviz.engine.em.initialize`.
    seed : int or numpy.random.Generator
    prior : VBPrior, optional
        Default :func:`default_prior` ``(X, n_components)``.
    reg_covar : float, default 1e-6

    Returns
    -------
    vbparams : VBParams
    resp : array of shape (n_samples, n_components)
        The responsibilities the start was built from (pass to :func:`run_vb` as
        ``init_resp`` to get the ELBO of the start itself).

    Raises
    ------
    DataError
        If there are fewer (distinct) points than components.
    """
    X = check_data(X)
    check_choice(method, "method", tuple(INIT_RESPONSIBILITIES))
    seed = check_seed(seed)
    k = _check_n_components(n_components)
    n_distinct = len(np.unique(X, axis=0)) if X.shape[0] <= 200_000 else X.shape[0]
    if n_distinct < k:
        raise error(DataError, "vbgmm.fewer_distinct_than_k", k=k, n_distinct=n_distinct)
    prior = default_prior(X, k) if prior is None else prior
    resp = INIT_RESPONSIBILITIES[method](X, k, np.random.default_rng(seed))
    resp.flags.writeable = False
    return vb_m_step(X, resp, prior, reg_covar), resp


@dataclass(frozen=True, eq=False)
class VBTrace:
    """A complete variational Bayes run.

    Attributes
    ----------
    params : tuple of VBParams
        ``params[0]`` is the start; ``params[i]`` the posterior after ``i`` iterations
        (E-step then M-step).
    elbo : array of shape (n_iter + 1,)
        ``elbo[i] = L(E-step of params[i], params[i])``: the bound of ``params[i]`` with the
        best ``q(Z)``, the VB analogue of EM's log-likelihood per state. Never decreases
        (exactly so with ``reg_covar = 0``; otherwise by at most :attr:`reg_slack`).
    elbo_after_m : array of shape (n_iter + 1,)
        ``L(resp that made params[i], params[i])``, the value right after each M-step (the
        one scikit-learn reports, up to its dropped constant). Entry 0 is NaN unless
        ``init_resp`` was given. Interleaved with :attr:`elbo` it is the half-step sequence
        ``elbo_after_m[i] ≤ elbo[i] ≤ elbo_after_m[i + 1]``.
    expected_weights : array of shape (n_iter + 1, n_components)
    converged : bool
    n_iter : int
    stop_reason : {"converged", "max_iter", "collapsed"}
    prior : VBPrior
    reg_covar, tol, max_iter, n_samples
        The settings of the run.
    reg_slack : array of shape (n_iter + 1,)
        ``reg_slack[i]`` bounds the ELBO decrease ``reg_covar`` can cause from ``i - 1`` to
        ``i`` (:func:`vb_reg_slack`); all zeros when ``reg_covar = 0``.
    collapsed_component : int or None
        Only set when a covariance stopped being positive definite (numerical trouble; VB
        itself cannot collapse).
    """

    params: tuple[VBParams, ...]
    elbo: np.ndarray
    elbo_after_m: np.ndarray
    expected_weights: np.ndarray
    converged: bool
    n_iter: int
    stop_reason: str
    prior: VBPrior
    reg_covar: float
    tol: float
    max_iter: int
    n_samples: int
    reg_slack: np.ndarray
    collapsed_component: int | None = None

    @property
    def final(self) -> VBParams:
        return self.params[-1]

    def to_params(self) -> tuple[Params, ...]:
        """Every state as EM :class:`~emviz.engine.em.Params` for the shared figures."""
        return tuple(p.to_params() for p in self.params)

    def active_mask(self, threshold: float = 1e-2) -> np.ndarray:
        """Which components have expected weight above ``threshold``; bool (n_iter + 1, K)."""
        return self.expected_weights > threshold

    def active_components(self, threshold: float = 1e-2) -> np.ndarray:
        """How many components have expected weight above ``threshold``; int (n_iter + 1,)."""
        return self.active_mask(threshold).sum(axis=1)

    def elbo_half_steps(self) -> np.ndarray:
        """``[after M_0, after E_1, after M_1, ...]``: the bound at every half-step.

        Array of shape (2 n_iter + 1,) when ``elbo_after_m[0]`` is known; a non-decreasing
        sequence. Position ``2i`` is after the M-step that made ``params[i]``; ``2i + 1`` is
        after the E-step on ``params[i]``.
        """
        out = np.empty(2 * self.n_iter + 1)
        out[0::2] = self.elbo_after_m
        out[1::2] = self.elbo[:-1]
        return out

    def rounding_tolerance(self) -> float:
        """Float64 noise allowed when comparing successive ELBO values."""
        finite = self.elbo[np.isfinite(self.elbo)]
        scale = max(float(np.max(np.abs(finite))) if finite.size else 0.0, float(self.n_samples))
        return 1e-10 * scale

    def decreases(self) -> list[LikelihoodDecrease]:
        """Every iteration at which :attr:`elbo` went down, and whether reg_covar explains it."""
        out = []
        tol = self.rounding_tolerance()
        for i in range(1, len(self.elbo)):
            drop = float(self.elbo[i - 1] - self.elbo[i])
            if drop > 0:
                allowed = float(self.reg_slack[i]) + tol
                out.append(LikelihoodDecrease(i, drop, allowed, drop <= allowed))
        return out


class _VBKernel:
    """:func:`run_vb`'s kernel for :func:`emviz.engine.loop.em_loop`; the objective is the ELBO.

    One _expectations pass per state serves its post-M bound, its E-step and its post-E
    bound: the kernel keeps the pass of the state the loop works on (only that one, as the
    arrays are N × K).
    """

    def __init__(self, X: np.ndarray, prior: VBPrior, reg_covar: float, init: VBParams,
                 init_resp: np.ndarray | None) -> None:
        self._X, self._prior, self._reg = X, prior, reg_covar
        ex = _expectations(X, init)
        self._current = (init, ex)
        #: L(resp that made the state, state) of every state kept, the start first.
        self.elbo_after_m = [float("nan") if init_resp is None
                             else _elbo_terms(init, init_resp, prior, ex).elbo]

    def _expectations(self, vb: VBParams) -> _Expectations:
        if self._current[0] is not vb:
            self._current = (vb, _expectations(self._X, vb))
        return self._current[1]

    def e_step(self, vb: VBParams) -> tuple[float, np.ndarray]:
        ex = self._expectations(vb)
        resp = _normalise(_log_rho(vb, ex)).resp
        return _elbo_terms(vb, resp, self._prior, ex).elbo, resp

    def m_step(self, vb: VBParams, resp: np.ndarray) -> VBParams:
        new = vb_m_step(self._X, resp, self._prior, self._reg)
        ex = _expectations(self._X, new)
        after_m = _elbo_terms(new, resp, self._prior, ex).elbo
        self._current = (new, ex)
        self.elbo_after_m.append(after_m)
        return new

    def objective(self, vb: VBParams) -> float:
        return self.e_step(vb)[0]


def run_vb(
    X: Any,
    init: VBParams,
    prior: VBPrior,
    max_iter: int = 100,
    tol: float = 1e-6,
    reg_covar: float = 1e-6,
    init_resp: Any = None,
) -> VBTrace:
    """Run variational Bayes from ``init`` and keep every intermediate state.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    init : VBParams
        Starting posterior (see :func:`vb_initialize`).
    prior : VBPrior
    max_iter : int, default 100
    tol : float, default 1e-6
        Stop when the change in the *per-point* ELBO (``elbo / n_samples``) between
        successive states is below ``tol``, the rule :func:`emviz.engine.em.run_em` uses.
        (scikit-learn's ``BayesianGaussianMixture`` compares the total bound.) ``tol = 0``
        runs exactly ``max_iter`` iterations.
    reg_covar : float, default 1e-6
    init_resp : array-like of shape (n_samples, n_components), optional
        The responsibilities ``init`` came from, to fill ``elbo_after_m[0]``.

    Returns
    -------
    VBTrace
    """
    _check_compatible(init, prior)
    X = check_data(X, init.n_features)
    reg = _check_reg_covar(reg_covar)
    max_iter = check_int(max_iter, "max_iter", 0)
    tol = check_float(tol, "tol", 0.0)
    check_moderate_scale(X, "run_vb")
    n = X.shape[0]

    if init_resp is not None:
        init_resp = _check_resp(init_resp, n)
        if init_resp.shape[1] != init.n_components:
            raise error(ParameterError, "vbgmm.init_resp_columns", k=init.n_components,
                        got=init_resp.shape[1])

    kernel = _VBKernel(X, prior, reg, init, init_resp)
    # A bound that settles exactly at max_iter counts as converged (test_last), unlike run_em.
    run = run_loop(kernel, init, n, int(max_iter), tol, test_last=True)
    params, after_m = run.states, kernel.elbo_after_m
    bounds, stop, collapsed = run.objectives, run.stop_reason, run.collapsed_component
    ks = np.array([p.expected_weights() for p in params])
    slack = [0.0] + [vb_reg_slack(p, prior, reg) for p in params[1:]]
    arrays = [
        np.asarray(bounds, dtype=np.float64),
        np.asarray(after_m, dtype=np.float64),
        ks,
        np.asarray(slack, dtype=np.float64),
    ]
    for arr in arrays:
        arr.flags.writeable = False
    return VBTrace(
        params=tuple(params),
        elbo=arrays[0],
        elbo_after_m=arrays[1],
        expected_weights=arrays[2],
        converged=stop == "converged",
        n_iter=len(params) - 1,
        stop_reason=stop,
        prior=prior,
        reg_covar=reg,
        tol=float(tol),
        max_iter=int(max_iter),
        n_samples=n,
        reg_slack=arrays[3],
        collapsed_component=collapsed,
    )
