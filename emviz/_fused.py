"""Fused EM iterations for data with 1–3 features.

One EM iteration needs, per component ``k``, the log-density of every point and then the
sufficient statistics ``N_k = Σ r_nk``, ``Σ r_nk x_n`` and ``Σ r_nk x_n x_nᵀ``. For D ≤ 3
both are matrix products against per-point feature rows ``f(x) = [1, x_i, x_i x_j (i ≤ j)]``
(3, 6 or 10 columns):

* E-step: ``ln π_k + ln N(x; μ_k, Σ_k) = f(x) · w_k``, where ``w_k`` holds the coefficients
  of the expanded quadratic form, from a closed-form inverse and determinant of ``Σ_k``.
* M-step: ``respᵀ @ f`` is ``[N_k, Σ r x, Σ r x xᵀ]`` for every component at once.

The data are centred on their mean and divided by one power of two (exact in floating
point, and the same for every column so the spherical/diagonal/tied structure survives),
which keeps the expanded quadratic well conditioned. The points are processed in cache-
sized blocks with reused buffers and one BLAS thread. The M-step then applies scikit-learn's
estimators *exactly*, including the ``10·eps`` added to ``N_k``, rewritten in the centred
coordinates: e.g. scikit-learn's diagonal variance ``Σ r x²/n_k − μ²`` in user units equals
``Σ r y²/n_k − ν² + 10·eps·c²/n_k`` for ``y = x − c``, ``ν = μ − c``. Parameters enter and
leave in the user's units. :class:`~emviz.em.DenseKernel` is the reference these numbers
are tested against.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import numpy as np

from .em import Params
from .errors import CollapseError

MAX_FEATURES = 3

#: Points per block: a (K, block) float64 array stays in L2 cache for K ≤ 10.
BLOCK_SIZE = 8192

#: Log-responsibilities are floored here before ``exp``: e^-700 ≈ 1e-304 is still a normal
#: float64, so no subnormal numbers reach the M-step product (they are 10–100× slower).
LOG_RESP_FLOOR = -700.0

#: OpenBLAS runs a GEMM single-threaded below m·n·k = 65536·4; above it, two threads on a
#: busy 2-core machine cost a fixed ~8 ms per call, so the hot loop pins BLAS to one thread.
_BLAS_THREADING_MNK = 2**17

_EPS = float(np.finfo(np.float64).eps)
_LOG_2PI = math.log(2.0 * math.pi)


def supports(X: Any) -> bool:
    """Whether :class:`FusedKernel` handles ``X``: a 2-D array with 1 to 3 columns."""
    shape = np.shape(X)
    return len(shape) == 2 and shape[0] >= 1 and 1 <= shape[1] <= MAX_FEATURES


# --------------------------------------------------------------------------------------
# Closed-form inverse and determinant of stacks of 1×1, 2×2 and 3×3 symmetric matrices
# --------------------------------------------------------------------------------------
# Each returns (inverse of shape (K, D, D), determinant (K,), leading principal minors
# (K, D)). Only the lower triangle is read, as np.linalg.cholesky does.
def _inv_det_1(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    det = a[:, 0, 0].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = (1.0 / det)[:, None, None]
    return inv, det, det[:, None]


def _inv_det_2(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a00, a10, a11 = a[:, 0, 0], a[:, 1, 0], a[:, 1, 1]
    det = a00 * a11 - a10 * a10
    adj = np.stack([a11, -a10, -a10, a00], axis=1).reshape(-1, 2, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = adj / det[:, None, None]
    return inv, det, np.stack([a00, det], axis=1)


def _inv_det_3(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a00, a10, a11 = a[:, 0, 0], a[:, 1, 0], a[:, 1, 1]
    a20, a21, a22 = a[:, 2, 0], a[:, 2, 1], a[:, 2, 2]
    c00 = a11 * a22 - a21 * a21
    c01 = a20 * a21 - a10 * a22
    c02 = a10 * a21 - a20 * a11
    c11 = a00 * a22 - a20 * a20
    c12 = a10 * a20 - a00 * a21
    c22 = a00 * a11 - a10 * a10
    det = a00 * c00 + a10 * c01 + a20 * c02
    adj = np.stack([c00, c01, c02, c01, c11, c12, c02, c12, c22], axis=1).reshape(-1, 3, 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = adj / det[:, None, None]
    return inv, det, np.stack([a00, c22, det], axis=1)


_INV_DET: dict[int, Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]] = {
    1: _inv_det_1,
    2: _inv_det_2,
    3: _inv_det_3,
}


def _first_not_positive_definite(minors: np.ndarray) -> int | None:
    """Index of the first matrix whose leading minors are not all positive and finite."""
    bad = ~np.all(minors > 0.0, axis=1) | ~np.all(np.isfinite(minors), axis=1)
    return int(np.argmax(bad)) if bad.any() else None


# --------------------------------------------------------------------------------------
# M-step estimators in centred, scaled coordinates (scikit-learn's formulas, rewritten)
# --------------------------------------------------------------------------------------
# scikit-learn's n_k = N_k + 10·eps makes its estimates depend on where the origin is; with
# the data mean c (scaled units: cz), m_k = Σ r z / n_k and δ_k = 10·eps / n_k, its mean
# is μ_k = c + ν_k with ν_k = m_k − δ_k cz. Each estimator below is scikit-learn's,
# expanded in those terms so that an empty component (N_k = 0, δ_k = 1) gives its
# estimate without cancellation: mean 0 and variance reg_covar, exactly.
#
# Arguments: share (K,) = N_k / n_k = 1 − δ_k; nk (K,); m (K, D); t2 (K, D, D) = Σ r z zᵀ;
# delta (K,); cz (D,). Each returns covariances of shape (K, D, D), in scaled units, without
# reg_covar.
_FusedEstimator = Callable[
    [np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray
]


def _covariances_full(share, nk, m, t2, delta, cz):
    # Σ r (x − μ)(x − μ)ᵀ / n_k with x − μ = z − ν.
    nu = m - delta[:, None] * cz
    cross = nu[:, :, None] * m[:, None, :]
    outer = nu[:, :, None] * nu[:, None, :]
    return t2 / nk[:, None, None] - cross - np.swapaxes(cross, 1, 2) + share[:, None, None] * outer


def _covariances_tied(share, nk, m, t2, delta, cz):
    # (XᵀX − Σ n_k μ μᵀ) / Σ n_k, with XᵀX = Σ_k Σ_n r_nk x xᵀ (rows of resp sum to 1).
    mc = m[:, :, None] * cz[None, None, :]
    per_k = (
        nk[:, None, None] * (m[:, :, None] * m[:, None, :])
        - (10 * _EPS) * (mc + np.swapaxes(mc, 1, 2) + share[:, None, None] * np.outer(cz, cz))
    )
    cov = (t2.sum(axis=0) - per_k.sum(axis=0)) / nk.sum()
    return np.broadcast_to(cov, t2.shape)


def _variances_diag(share, nk, m, t2, delta, cz):
    # Σ r x²/n_k − 2 μ Σ r x/n_k + μ², in user units.
    t2d = np.diagonal(t2, axis1=1, axis2=2)
    d = delta[:, None]
    return t2d / nk[:, None] - m * m + d * (2.0 * m * cz + share[:, None] * (cz * cz))


def _covariances_diag(share, nk, m, t2, delta, cz):
    var = _variances_diag(share, nk, m, t2, delta, cz)
    return var[:, :, None] * np.eye(var.shape[1])


def _covariances_spherical(share, nk, m, t2, delta, cz):
    var = _variances_diag(share, nk, m, t2, delta, cz)
    return var.mean(axis=1)[:, None, None] * np.eye(var.shape[1])


FUSED_ESTIMATORS: dict[str, _FusedEstimator] = {
    "full": _covariances_full,
    "tied": _covariances_tied,
    "diag": _covariances_diag,
    "spherical": _covariances_spherical,
}


# --------------------------------------------------------------------------------------
# The kernel
# --------------------------------------------------------------------------------------
_THREADPOOL_CONTROLLER: Any = None


def _one_blas_thread() -> Any:
    global _THREADPOOL_CONTROLLER
    if _THREADPOOL_CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _THREADPOOL_CONTROLLER = ThreadpoolController()
    return _THREADPOOL_CONTROLLER.limit(limits=1, user_api="blas")


class FusedKernel:
    """EM iterations on fixed data with 1–3 features, through blocked matrix products.

    Implements :class:`emviz.em.EMKernel`; parameters go in and come out in the user's units
    and equal :class:`~emviz.em.DenseKernel`'s to rounding.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Finite float64 data with 1 ≤ n_features ≤ 3 (as returned by
        :func:`emviz.em.check_data`). Only derived features are kept, not ``X`` itself.

    Notes
    -----
    Holds per-block scratch buffers that every call reuses: one kernel must not be used
    from two threads at once (a run of :func:`emviz.em.run_em` creates its own).
    """

    def __init__(self, X: np.ndarray) -> None:
        X = np.asarray(X, dtype=np.float64)
        if not supports(X):
            raise ValueError(
                f"FusedKernel handles 2-D data with 1 to {MAX_FEATURES} columns, but got shape "
                f"{X.shape}; use DenseKernel."
            )
        n, d = X.shape
        self.n_samples, self.n_features = n, d
        self.center = X.mean(axis=0)
        y = X - self.center
        rms = math.sqrt(float(np.mean(y * y)))
        # A power of two, so that scaling and unscaling are exact.
        self.scale = 2.0 ** round(math.log2(rms)) if rms > 0 and math.isfinite(rms) else 1.0
        z = y / self.scale
        self._iu = np.triu_indices(d)
        self.n_coef = 1 + d + len(self._iu[0])
        self._blocks = [self._features(z[i : i + BLOCK_SIZE]) for i in range(0, n, BLOCK_SIZE)]
        self._block_len = max(b.shape[1] for b in self._blocks)
        self._scratch: dict[int, tuple[np.ndarray, ...]] = {}

    def _features(self, z: np.ndarray) -> np.ndarray:
        """Feature rows ``[1, z_i, z_i z_j (i ≤ j)]`` of a block, shape (n_coef, len(z))."""
        i, j = self._iu
        f = np.empty((self.n_coef, z.shape[0]))
        f[0] = 1.0
        f[1 : 1 + self.n_features] = z.T
        f[1 + self.n_features :] = z.T[i] * z.T[j]
        return f

    # ------------------------------------------------------------------ parameters
    def _coefficients(self, params: Params) -> np.ndarray:
        """E-step coefficient rows ``w_k`` (K, n_coef) for the scaled features.

        Raises
        ------
        CollapseError
            If a covariance is not positive definite.
        """
        d, s = self.n_features, self.scale
        if params.n_features != d:
            raise ValueError(f"Params have {params.n_features} features, but the data {d}.")
        mu = (params.means - self.center) / s
        prec, det, minors = _INV_DET[d](params.covariances / (s * s))
        bad = _first_not_positive_definite(minors)
        if bad is not None:
            raise CollapseError(bad, "non-positive leading minor of the covariance")
        pmu = np.einsum("kij,kj->ki", prec, mu)
        with np.errstate(divide="ignore"):
            log_w = np.log(params.weights)
        const = (
            log_w
            - 0.5 * np.log(det)
            - d * math.log(s)
            - 0.5 * d * _LOG_2PI
            - 0.5 * np.einsum("ki,ki->k", pmu, mu)
        )
        i, j = self._iu
        quad = np.where(i == j, -0.5, -1.0) * prec[:, i, j]
        return np.concatenate([const[:, None], pmu, quad], axis=1)

    def _buffers(self, k: int) -> tuple[np.ndarray, ...]:
        if k not in self._scratch:
            b = self._block_len
            self._scratch = {
                k: (
                    np.empty((k, b)),
                    np.empty(b),
                    np.empty(b),
                    np.empty((len(self._blocks), k, self.n_coef)),
                )
            }
        return self._scratch[k]

    # ------------------------------------------------------------------ the hot loop
    def _pass(self, coef: np.ndarray, with_stats: bool) -> tuple[float, np.ndarray | None]:
        """One pass over the blocks: total log-likelihood and (optionally) ``respᵀ @ f``."""
        k = coef.shape[0]
        log_p, top, total, stats = self._buffers(k)
        threaded = k * self.n_coef * self._block_len >= _BLAS_THREADING_MNK
        ll = 0.0
        with _one_blas_thread() if threaded else nullcontext():
            for b, feats in enumerate(self._blocks):
                m = feats.shape[1]
                lp, mx, sm = log_p[:, :m], top[:m], total[:m]
                np.matmul(coef, feats, out=lp)
                np.max(lp, axis=0, out=mx)
                np.subtract(lp, mx, out=lp)
                np.maximum(lp, LOG_RESP_FLOOR, out=lp)
                np.exp(lp, out=lp)
                np.sum(lp, axis=0, out=sm)
                ll += float(mx.sum())
                if with_stats:
                    np.reciprocal(sm, out=mx)
                    np.multiply(lp, mx, out=lp)
                    np.matmul(lp, feats.T, out=stats[b])
                np.log(sm, out=sm)
                ll += float(sm.sum())
        return ll, (stats.sum(axis=0) if with_stats else None)

    # ------------------------------------------------------------------ EMKernel
    def log_likelihood(self, params: Params) -> float:
        """Total log-likelihood ``Σ_n ln p(x_n | params)``.

        Raises
        ------
        CollapseError
            If a covariance is not positive definite.
        """
        return self._pass(self._coefficients(params), with_stats=False)[0]

    def iterate(
        self, params: Params, covariance_type: str, reg_covar: float
    ) -> tuple[float, Params]:
        """E-step on ``params``, then the M-step.

        Returns
        -------
        log_likelihood : float
            Total log-likelihood of ``params``.
        new : Params
            The M-step's parameters (user units; full covariances, symmetric).

        Raises
        ------
        CollapseError
            If a covariance of ``params`` or of the result is not positive definite.
        """
        ll, stats = self._pass(self._coefficients(params), with_stats=True)
        d, s, c = self.n_features, self.scale, self.center
        i, j = self._iu
        nk = stats[:, 0] + 10 * _EPS
        share, delta = stats[:, 0] / nk, (10 * _EPS) / nk
        m = stats[:, 1 : 1 + d] / nk[:, None]
        t2 = np.empty((nk.shape[0], d, d))
        t2[:, i, j] = stats[:, 1 + d :]
        t2[:, j, i] = stats[:, 1 + d :]
        cov = FUSED_ESTIMATORS[covariance_type](share, nk, m, t2, delta, c / s) * (s * s)
        cov = cov + reg_covar * np.eye(d)
        cov = 0.5 * (cov + np.swapaxes(cov, 1, 2))
        bad = _first_not_positive_definite(_INV_DET[d](cov)[2])
        if bad is not None:
            raise CollapseError(bad, "non-positive leading minor after the M-step")
        return ll, Params(nk / nk.sum(), share[:, None] * c + s * m, cov)
