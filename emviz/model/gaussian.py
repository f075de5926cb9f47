"""Gaussian log-densities in log space, through Cholesky factors of the precision.

The conventions follow scikit-learn's ``sklearn/mixture/_gaussian_mixture.py``: a covariance
``Σ = L Lᵀ`` is factored once, the precision's Cholesky factor ``U = L⁻ᵀ`` (upper triangular,
``Σ⁻¹ = U Uᵀ``) is what the densities use, and ``log|Σ⁻¹|^½ = Σ log diag(U)``.
"""

from __future__ import annotations

import numpy as np

from emviz.errors import CollapseError

LOG_2PI = float(np.log(2.0 * np.pi))
#: Machine epsilon of float64.
EPS = float(np.finfo(np.float64).eps)


def precision_cholesky(covariances: np.ndarray) -> np.ndarray:
    """Cholesky factors of the precisions of a stack of covariances.

    Parameters
    ----------
    covariances : array of shape (n_components, n_features, n_features)

    Returns
    -------
    prec_chol : array of shape (n_components, n_features, n_features)
        Upper-triangular ``U_k`` with ``Σ_k⁻¹ = U_k U_kᵀ``.

    Raises
    ------
    CollapseError
        If a covariance is not positive definite; names the first such component.
    """
    cov = np.asarray(covariances, dtype=np.float64)
    n_components, n_features, _ = cov.shape
    eye = np.eye(n_features)
    out = np.empty_like(cov)
    for k in range(n_components):
        try:
            chol = np.linalg.cholesky(cov[k])
        except np.linalg.LinAlgError as exc:
            raise CollapseError(k, "Cholesky factorisation failed") from exc
        diag = np.diagonal(chol)
        if not np.all(np.isfinite(chol)) or np.any(diag <= 0.0):
            raise CollapseError(k, "non-positive pivot in the Cholesky factor")
        out[k] = np.linalg.solve(chol, eye).T
    return out


def log_det_precision_cholesky(prec_chol: np.ndarray) -> np.ndarray:
    """``log|Σ_k|^(-1/2)`` for each component, from the precision Cholesky factors.

    Parameters
    ----------
    prec_chol : array of shape (n_components, n_features, n_features)

    Returns
    -------
    array of shape (n_components,)
    """
    return np.sum(np.log(np.diagonal(prec_chol, axis1=1, axis2=2)), axis=1)


def log_gaussian_density(X: np.ndarray, means: np.ndarray, prec_chol: np.ndarray) -> np.ndarray:
    """Log-density of every point under every component, ``ln N(x_n; μ_k, Σ_k)``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    means : array of shape (n_components, n_features)
    prec_chol : array of shape (n_components, n_features, n_features)
        From :func:`precision_cholesky`.

    Returns
    -------
    array of shape (n_samples, n_components)
    """
    n_samples, n_features = X.shape
    n_components = means.shape[0]
    log_det = log_det_precision_cholesky(prec_chol)
    out = np.empty((n_samples, n_components))
    for k in range(n_components):
        y = X @ prec_chol[k] - means[k] @ prec_chol[k]
        out[:, k] = np.einsum("ij,ij->i", y, y)
    return -0.5 * (n_features * LOG_2PI + out) + log_det


def logsumexp_rows(a: np.ndarray) -> np.ndarray:
    """Row-wise ``log Σ_k exp(a_nk)``, stable for large magnitudes.

    Parameters
    ----------
    a : array of shape (n_samples, n_components)

    Returns
    -------
    array of shape (n_samples,)
    """
    amax = np.max(a, axis=1)
    amax = np.where(np.isfinite(amax), amax, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(a - amax[:, None]), axis=1)) + amax
