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
which keeps the expanded quadratic well conditioned; components for which it would still lose
digits (far-off, tiny or thin ones, see ``LOSS_MAX``) are evaluated about their own mean,
through the Cholesky factor of their covariance. The points are processed in blocks
with reused buffers and one BLAS thread; with many blocks, one Python thread per CPU takes
blocks from a queue (see ``FusedKernel._pass``). From the second iteration of a run on, the
log-sum-exp over components is shifted by the previous iteration's ``ln p(x_n)``, which the
E-step product subtracts itself, so no per-point maximum is needed (see
``FusedKernel._pass``). With few components the parameter-side algebra (closed-form
inverses, coefficient rows, the full-covariance M-step) runs on Python floats, where NumPy's
fixed cost per call would dominate. The M-step then applies scikit-learn's
estimators *exactly*, including the ``10·eps`` added to ``N_k``, rewritten in the centred
coordinates: e.g. scikit-learn's diagonal variance ``Σ r x²/n_k − μ²`` in user units equals
``Σ r y²/n_k − ν² + 10·eps·c²/n_k`` for ``y = x − c``, ``ν = μ − c``. Parameters enter and
leave in the user's units. :class:`~emviz.engine.em.DenseKernel` is the reference these numbers
are tested against.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import nullcontext
from typing import Any, Literal, NamedTuple, overload

import numpy as np

from emviz._messages import error
from emviz.errors import CollapseError, ParameterError
from emviz.model.gaussian import EPS as _EPS
from emviz.model.gaussian import LOG_2PI as _LOG_2PI
from emviz.model.params import Params

MAX_FEATURES = 3

#: Points per block: a power of two near BLOCK_ELEMENTS / (K + 2F + 1), between MIN_BLOCK
#: and MAX_BLOCK (see :func:`block_size`), i.e. ~2 MB of block arrays, within L2 + L3. On the
#: 2-core Xeon (1 MB L2) this measured faster than L2-sized blocks, whose ~12 NumPy calls of
#: fixed cost per block then dominate.
BLOCK_ELEMENTS = 262144
MIN_BLOCK, MAX_BLOCK = 1024, 32768

#: The shifted log-sum-exp (see ``FusedKernel._pass``) is kept for a block when every
#: ``Σ_k exp(ln p_nk − c_n)`` lies within ``e^±LOG_SAFE``; otherwise the block is redone.
LOG_SAFE = 300.0

#: Log-responsibilities are floored here before ``exp``: e^-700 ≈ 1e-304 is still a normal
#: float64, so no subnormal numbers reach the M-step product (they are 10–100× slower).
LOG_RESP_FLOOR = -700.0

#: Bound on the digits the shared product may lose for a component: about log10(LOSS_MAX),
#: i.e. an absolute error near LOSS_MAX·eps ≈ 2e-12 in a log-density whose quadratic part is
#: O(1) where the component matters, well inside the 1e-10 per point that the
#: log-likelihood's rounding tolerance allows (``Trace.rounding_tolerance``).
#:
#: The expanded form ``f(z)·w_k`` adds up terms ``P_ij z_i z_j`` (``P = Σ⁻¹``, ``z`` about the
#: data mean) that can be far larger than the quadratic form they sum to. At the points near
#: the component, ``z ≈ μ + y`` with ``|y_i| ≈ σ_i = √Σ_ii``, their sizes add up to about
#: ``loss = |μ|ᵀ|P||μ| + Σ_ij |P_ij| σ_i σ_j``, and the error to about ``loss·eps``:
#:
#: * location: ``|μ|ᵀ|P||μ| ≥ κ = μᵀPμ``, the Mahalanobis² distance of the data mean from the
#:   component; large for a tiny or far-off component, e.g. one shrunk onto a point;
#: * shape: ``Σ_ij |P_ij| σ_i σ_j = Σ_ij |C⁻¹_ij|`` for the correlation matrix ``C``; D for
#:   uncorrelated features, and up to ``D·e/h`` for the Hadamard ratio ``h = det C``: large for
#:   a thin component, lying on nearly coplanar or collinear points. The closed-form adjugate
#:   and determinant lose as many digits, and the M-step's ``Σ r z zᵀ/n_k − m mᵀ`` as many in
#:   the thin direction.
#:
#: A component with ``loss > LOSS_MAX`` is computed about its own mean, through the Cholesky
#: factor of its covariance (see :class:`_Plan`). On random problems the measured error of the
#: shared product stays within a few times ``loss·eps``.
LOSS_MAX = 1e4

#: Up to this many components, the E-step coefficients (and, for full covariances, the
#: M-step) are computed on Python floats: each NumPy call on a (K, T) array costs ~1 µs
#: whatever K, each Python float operation ~50 ns. Measured break-even: K ≈ 16 for the
#: coefficients, K ≈ 6 for the M-step.
SCALAR_MAX_COMPONENTS = 16
SCALAR_MAX_COMPONENTS_M_STEP = 6

#: OpenBLAS runs a GEMM single-threaded below m·n·k = 65536·4; above it, two threads on a
#: busy 2-core machine cost a fixed ~8 ms per call, so the hot loop pins BLAS to one thread.
_BLAS_THREADING_MNK = 2**17



def supports(X: Any) -> bool:
    """Whether :class:`FusedKernel` handles ``X``: a 2-D array with 1 to 3 columns."""
    shape = np.shape(X)
    return len(shape) == 2 and shape[0] >= 1 and 1 <= shape[1] <= MAX_FEATURES


# --------------------------------------------------------------------------------------
# Symmetric D×D matrices as packed rows of their upper triangle, (i, j) for i ≤ j
# --------------------------------------------------------------------------------------
class _Layout(NamedTuple):
    """Index tables for one dimension D (everything on the parameter side is packed)."""

    d: int
    i: np.ndarray  # (T,) row of each packed entry, T = D(D+1)/2
    j: np.ndarray  # (T,) column of each packed entry
    diag: np.ndarray  # (D,) packed positions of the diagonal
    full: np.ndarray  # (D, D) packed position of every entry: unpacking is one gather
    quad: np.ndarray  # (T,) coefficient of Σ⁻¹_ij in -½ zᵀΣ⁻¹z: -½ on the diagonal, else -1
    lower: np.ndarray  # (T,) flat position of (j, i) in a D×D matrix: packing reads the lower
    unpack: np.ndarray  # (D·D,) packed position of every flat entry
    is_diag: np.ndarray  # (T,) 1.0 on the diagonal, else 0.0
    pairs: np.ndarray  # (T,) 1.0 on the diagonal, else 2.0: (i, j) stands for (j, i) too

    @classmethod
    def build(cls, d: int) -> _Layout:
        i, j = np.triu_indices(d)
        full = np.empty((d, d), dtype=np.intp)
        full[i, j] = full[j, i] = np.arange(i.size)
        return cls(
            d=d,
            i=i,
            j=j,
            diag=full[np.arange(d), np.arange(d)],
            full=full,
            quad=np.where(i == j, -0.5, -1.0),
            lower=j * d + i,
            unpack=full.ravel(),
            is_diag=(i == j).astype(np.float64),
            pairs=np.where(i == j, 1.0, 2.0),
        )


_LAYOUTS = {d: _Layout.build(d) for d in range(1, MAX_FEATURES + 1)}
_NONE = np.zeros(0, dtype=np.intp)
_NO_SHIFT = {d: np.zeros((0, d)) for d in range(1, MAX_FEATURES + 1)}
_NO_BASE = np.zeros(0)
_NO_WHITEN = {d: np.zeros((0, d, d)) for d in range(1, MAX_FEATURES + 1)}


# Closed-form adjugate, determinant and leading principal minors of packed 1×1, 2×2 and
# 3×3 matrices, each of shape (K, T) -> ((K, T), (K,), (K, D)).
def _adjugate_1(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.ones_like(p), p[:, 0], p


_SIGN_2 = np.array([1.0, -1.0, 1.0])


def _adjugate_2(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    adj = p[:, ::-1] * _SIGN_2  # [a11, -a01, a00]
    det = p[:, 0] * adj[:, 0] + p[:, 1] * adj[:, 1]
    lead = np.empty((p.shape[0], 2))
    lead[:, 0], lead[:, 1] = p[:, 0], det
    return adj, det, lead


# Cofactor c_ij = a[L1] a[L2] − a[R1] a[R2], packed order (00, 01, 02, 11, 12, 22).
_COFACTOR_3 = (
    np.array([3, 2, 1, 0, 1, 0]),
    np.array([5, 4, 4, 5, 2, 3]),
    np.array([4, 1, 2, 2, 0, 1]),
    np.array([4, 5, 3, 2, 4, 1]),
)


def _adjugate_3(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    l1, l2, r1, r2 = _COFACTOR_3
    adj = p[:, l1] * p[:, l2] - p[:, r1] * p[:, r2]
    det = p[:, 0] * adj[:, 0] + p[:, 1] * adj[:, 1] + p[:, 2] * adj[:, 2]
    lead = np.empty((p.shape[0], 3))
    lead[:, 0], lead[:, 1], lead[:, 2] = p[:, 0], adj[:, 5], det
    return adj, det, lead


_ADJUGATE: dict[int, Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]] = {
    1: _adjugate_1,
    2: _adjugate_2,
    3: _adjugate_3,
}


# The E-step terms of one component on Python floats. Arguments: the packed covariance in
# user units, the centred scaled mean and s²; returns (whether every leading principal minor
# is positive and finite (False on NaN), det Σ in user units, Σ⁻¹μ and the quadratic
# coefficients, both scaled, κ = μᵀΣ⁻¹μ, and the digit loss of the expanded form (see
# LOSS_MAX)). Precisions are (adj·s²)/det, as in _rows_vector; |P_ij| σ_i σ_j is
# |adj_ij| √(Σ_ii Σ_jj) / det, free of s.
_ScalarTerms = tuple[bool, float, list[float], list[float], float, float]


def _scalar_terms_1(c: list[float], mu: list[float], s2: float) -> _ScalarTerms:
    (a,) = c
    if not 0.0 < a < math.inf:
        return False, a, [], [], 0.0, 0.0
    (m,) = mu
    p = s2 / a
    pm = p * m
    return True, a, [pm], [-0.5 * p], pm * m, pm * m + 1.0


def _scalar_terms_2(c: list[float], mu: list[float], s2: float) -> _ScalarTerms:
    a, b, d = c
    m0, m1 = mu
    det = a * d + b * -b
    if not (0.0 < a < math.inf and 0.0 < det < math.inf):
        return False, det, [], [], 0.0, 0.0
    p00, p01, p11 = d * s2 / det, -b * s2 / det, a * s2 / det
    pm0, pm1 = p00 * m0 + p01 * m1, p01 * m0 + p11 * m1
    quad = [-0.5 * p00, -p01, -0.5 * p11]
    location = p00 * m0 * m0 + p11 * m1 * m1 + 2.0 * abs(p01 * m0 * m1)
    shape = 2.0 * (a * d + abs(b) * math.sqrt(a * d)) / det
    return True, det, [pm0, pm1], quad, pm0 * m0 + pm1 * m1, location + shape


def _scalar_terms_3(c: list[float], mu: list[float], s2: float) -> _ScalarTerms:
    a, b, e, d, f, g = c  # packed (00, 01, 02, 11, 12, 22)
    m0, m1, m2 = mu
    c00, c01, c02 = d * g - f * f, e * f - b * g, b * f - e * d
    c11, c12, c22 = a * g - e * e, b * e - a * f, a * d - b * b
    det = a * c00 + b * c01 + e * c02
    if not (0.0 < a < math.inf and 0.0 < c22 < math.inf and 0.0 < det < math.inf):
        return False, det, [], [], 0.0, 0.0
    p00, p01, p02 = c00 * s2 / det, c01 * s2 / det, c02 * s2 / det
    p11, p12, p22 = c11 * s2 / det, c12 * s2 / det, c22 * s2 / det
    pm0 = p00 * m0 + p01 * m1 + p02 * m2
    pm1 = p01 * m0 + p11 * m1 + p12 * m2
    pm2 = p02 * m0 + p12 * m1 + p22 * m2
    quad = [-0.5 * p00, -p01, -p02, -0.5 * p11, -p12, -0.5 * p22]
    kappa = pm0 * m0 + pm1 * m1 + pm2 * m2
    location = (
        p00 * m0 * m0
        + p11 * m1 * m1
        + p22 * m2 * m2
        + 2.0 * (abs(p01 * m0 * m1) + abs(p02 * m0 * m2) + abs(p12 * m1 * m2))
    )
    off = abs(c01) * math.sqrt(a * d) + abs(c02) * math.sqrt(a * g) + abs(c12) * math.sqrt(d * g)
    shape = (c00 * a + c11 * d + c22 * g + 2.0 * off) / det
    return True, det, [pm0, pm1, pm2], quad, kappa, location + shape


_SCALAR_TERMS: dict[int, Callable[[list[float], list[float], float], _ScalarTerms]] = {
    1: _scalar_terms_1,
    2: _scalar_terms_2,
    3: _scalar_terms_3,
}


def _as_list(a: Any) -> Any:
    """``a.tolist()`` for an array; nested lists pass through."""
    return a.tolist() if isinstance(a, np.ndarray) else a


def _check_positive_definite(lead: np.ndarray, when: str) -> None:
    """Raise CollapseError for the first matrix with a leading minor ≤ 0 (or NaN/inf)."""
    if lead.min() > 0.0 and lead.max() < math.inf:  # False on NaN
        return
    ok = ((lead > 0.0) & (lead < math.inf)).all(axis=1)
    raise CollapseError(int(np.argmin(ok)), f"non-positive leading minor {when}")


# --------------------------------------------------------------------------------------
# M-step estimators in centred, scaled coordinates (scikit-learn's formulas, rewritten)
# --------------------------------------------------------------------------------------
class _Moments(NamedTuple):
    """Sufficient statistics of one E-step, about a pivot ``p_k`` per component.

    Coordinates are scaled (``x/s``); ``y = x/s − p_k``. The pivot is the data mean for
    components computed by the shared product, and the component's previous mean for the
    far-off, tiny or thin ones (see :data:`LOSS_MAX`), so nothing below cancels.

    scikit-learn's ``n_k = N_k + 10·eps`` makes its estimates depend on where the user's
    origin is. With ``m_k = Σ r y / n_k`` and ``δ_k = 10·eps / n_k``, its mean is
    ``μ_k = p_k + β_k``, ``β_k = m_k − δ_k p_k``. The estimators below are scikit-learn's,
    expanded in these terms, so that an empty component (``N_k = 0``, ``δ_k = 1``) gets its
    estimate without cancellation (mean 0 and variance reg_covar, exactly) and off-centre
    data lose no digits.
    """

    nk: np.ndarray  # (K,) N_k + 10·eps
    inv_nk: np.ndarray  # (K,)
    share: np.ndarray  # (K,) N_k / n_k = 1 − δ_k
    delta: np.ndarray  # (K,) 10·eps / n_k
    m: np.ndarray  # (K, D) Σ r y / n_k
    t2: np.ndarray  # (K, T) Σ r y yᵀ, packed
    p: np.ndarray  # (K, D) pivots, relative to the user's origin
    layout: _Layout

    @property
    def means(self) -> np.ndarray:
        """``μ_k = p_k + β_k = share·p_k + m_k`` (scaled units); exactly 0 when empty."""
        return self.share[:, None] * self.p + self.m


# Each returns packed covariances of shape (K, T) in scaled units, without reg_covar.
def _covariances_full(s: _Moments) -> np.ndarray:
    # Σ r (x − μ)(x − μ)ᵀ / n_k with x − μ = y − β and Σ r y = n_k m.
    i, j = s.layout.i, s.layout.j
    beta = s.m - s.delta[:, None] * s.p
    cross = beta[:, i] * s.m[:, j] + s.m[:, i] * beta[:, j]
    return s.t2 * s.inv_nk[:, None] - cross + s.share[:, None] * (beta[:, i] * beta[:, j])


def _covariances_tied(s: _Moments) -> np.ndarray:
    # (XᵀX − Σ_k n_k μ μᵀ) / Σ n_k, with XᵀX = Σ_k Σ_n r_nk x xᵀ (rows of resp sum to 1).
    i, j, m, p = s.layout.i, s.layout.j, s.m, s.p
    per_k = s.nk[:, None] * (m[:, i] * m[:, j]) - (10 * _EPS) * (
        m[:, i] * p[:, j] + p[:, i] * m[:, j] + s.share[:, None] * (p[:, i] * p[:, j])
    )
    cov = (s.t2.sum(axis=0) - per_k.sum(axis=0)) / s.nk.sum()
    return np.repeat(cov[None, :], s.t2.shape[0], axis=0)


def _variances_diag(s: _Moments) -> np.ndarray:
    # Σ r x²/n_k − 2 μ Σ r x/n_k + μ², in user units; shape (K, D).
    m, p = s.m, s.p
    t2d = s.t2[:, s.layout.diag] * s.inv_nk[:, None]
    return t2d - m * m + s.delta[:, None] * (2.0 * m * p + s.share[:, None] * (p * p))


def _covariances_diag(s: _Moments) -> np.ndarray:
    packed = np.zeros_like(s.t2)
    packed[:, s.layout.diag] = _variances_diag(s)
    return packed


def _covariances_spherical(s: _Moments) -> np.ndarray:
    packed = np.zeros_like(s.t2)
    packed[:, s.layout.diag] = _variances_diag(s).mean(axis=1, keepdims=True)
    return packed


FUSED_ESTIMATORS: dict[str, Callable[[_Moments], np.ndarray]] = {
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


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: CPUs this process may run on; a pass uses up to this many threads (see :func:`_workers`).
CPUS = _cpus()

#: Threads are used only with at least this many blocks per thread: starting a pool thread
#: and joining it costs ~0.1 ms, a block 0.1–1 ms.
MIN_BLOCKS_PER_WORKER = 4

_POOL: ThreadPoolExecutor | None = None


def _workers(n_blocks: int) -> int:
    """Threads for a pass over ``n_blocks`` blocks: one per CPU, each with enough blocks."""
    return max(1, min(CPUS, n_blocks // MIN_BLOCKS_PER_WORKER))


class _BlockQueue:
    """Hands out block indices 0, 1, … once each, to whichever thread asks next.

    Not fixed halves: on a shared machine one CPU is often busy (or taken by the hypervisor),
    and a thread that falls behind then does fewer blocks instead of holding up the pass.
    """

    def __init__(self, n_blocks: int) -> None:
        self._next = 0
        self._n = n_blocks
        self._lock = threading.Lock()

    def take(self) -> int | None:
        with self._lock:
            b = self._next
            if b >= self._n:
                return None
            self._next = b + 1
            return b


def _pool() -> ThreadPoolExecutor:
    """The process-wide pool that runs every pass's blocks beyond the calling thread's."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(CPUS - 1, 1), thread_name_prefix="emviz")
    return _POOL


def block_size(n_components: int, n_coef: int) -> int:
    """Points per block: a power of two with (K + 2F + 1)·B ≈ :data:`BLOCK_ELEMENTS`.

    A block touches K rows of log-densities, F + 1 feature rows and F scaled feature rows.
    """
    rows = n_components + 2 * n_coef + 1
    b = 1 << max(int(BLOCK_ELEMENTS // rows).bit_length() - 1, 0)
    return min(max(b, MIN_BLOCK), MAX_BLOCK)


class _Plan(NamedTuple):
    """What one pass over the blocks computes, derived from the parameters.

    Components whose shared-product rows would lose digits (``loss_k > LOSS_MAX``) are
    recomputed in their own coordinates ``y = z − a_k`` (``a_k`` their mean), through the
    Cholesky factor ``L_k`` of their scaled covariance: ``ln π_k − Σ ln L_ii − ½‖L_k⁻¹y‖²``
    (plus the constants). A sum of squares does not cancel, and the whitening ``L_k⁻¹y`` loses
    only about half the digits the expanded form ``yᵀΣ⁻¹y`` would (``‖L⁻¹‖² = ‖Σ⁻¹‖``), as
    the dense kernel's Cholesky route does; the log-determinant from the diagonal of ``L_k``
    is accurate however thin the component.
    """

    coef: np.ndarray  # (K, F + 1) rows for the features [1, z, z zᵀ, shift]; last column −1
    pivoted: np.ndarray  # (P,) indices of the components done about their own pivot
    shift: np.ndarray  # (P, D) pivot a_k relative to the data mean (scaled)
    pivot_base: np.ndarray  # (P,) ln π_k + ln N's constant terms, from the Cholesky diagonal
    whiten: np.ndarray  # (P, D, D) L_k⁻¹ of the scaled covariance
    shifted: bool  # whether the shift row holds the previous pass's ln p(x_n) (see _pass)


class _Scratch(NamedTuple):
    """Per-block work buffers, reused by every pass (sized for one block of B points)."""

    log_p: np.ndarray  # (K, B): log-densities, then responsibilities
    floor: np.ndarray  # (B,): LOG_RESP_FLOOR (a row broadcast: ~3× faster than a scalar)
    total: np.ndarray  # (B,): Σ_k exp(…)
    log_total: np.ndarray  # (B,): its log
    inverse: np.ndarray  # (B,): 1 / Σ_k exp(…)
    scaled: np.ndarray  # (F, B): features / Σ_k exp(…)
    pivot_feats: np.ndarray  # (P, F, B): features of y = z − a_k for pivoted components
    white: np.ndarray  # (D, B): L_k⁻¹ y of one pivoted component
    resp: np.ndarray  # (B,): one pivoted component's responsibilities


class FusedKernel:
    """EM iterations on fixed data with 1–3 features, through blocked matrix products.

    Implements :class:`emviz.engine.em.EMKernel`; parameters go in and come out in the user's units
    and equal :class:`~emviz.engine.em.DenseKernel`'s to rounding.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Finite float64 data with 1 ≤ n_features ≤ 3 (as returned by
        :func:`emviz.engine.em.check_data`). Only derived features are kept, not ``X`` itself.

    Notes
    -----
    Holds the feature rows, a per-point row that carries the last pass's ``ln p(x_n)`` and
    per-block scratch buffers, all reused by every call: one kernel must not be used from two
    threads at once (a run of :func:`emviz.engine.em.run_em` creates its own).
    """

    def __init__(self, X: np.ndarray) -> None:
        X = np.asarray(X, dtype=np.float64)
        if not supports(X):
            raise error(ParameterError, "em.fused_shape", max_features=MAX_FEATURES,
                        shape=X.shape)
        n, d = X.shape
        self.n_samples, self.n_features = n, d
        self._layout = lay = _LAYOUTS[d]
        self.n_coef = f = 1 + d + lay.i.size
        # Rows [1, z, z_i z_j (i ≤ j), shift] of every point: one (F + 1, N) array, so that a
        # block is a column slice whatever the block size. Working on the transposed rows
        # also keeps NumPy off its slow axis-0 reductions of a narrow (N, D) array.
        feats = np.empty((f + 1, n))
        feats[0] = 1.0
        z = feats[1 : 1 + d]
        np.copyto(z, X.T)
        self.center = np.add.reduce(z, axis=1) / n
        z -= self.center[:, None]
        #: ``X.var(axis=0).mean()``, the data's mean per-feature variance.
        self.mean_variance = float(np.einsum("ij,ij->", z, z)) / z.size
        rms = math.sqrt(self.mean_variance)
        # A power of two, so that scaling and unscaling are exact.
        self.scale = 2.0 ** round(math.log2(rms)) if rms > 0 and math.isfinite(rms) else 1.0
        z *= 1.0 / self.scale
        for row, (a, b) in enumerate(zip(lay.i.tolist(), lay.j.tolist(), strict=True)):
            np.multiply(z[a], z[b], out=feats[1 + d + row])
        feats[f] = 0.0
        self._feats = feats
        self.center_scaled = self.center / self.scale
        self._log_norm = -d * math.log(self.scale) - 0.5 * d * _LOG_2PI
        self._neg_half = np.full(d, -0.5)
        self._scratch: list[_Scratch] = []  # one per worker of a pass
        self._stats = np.empty((0, 0, 0))  # (n_blocks, K, F): respᵀ @ features per block
        self._last_output: tuple[Params, _Plan] | None = None

    # ------------------------------------------------------------------ parameters
    def _plan(self, params: Params) -> _Plan:
        """E-step coefficient rows for the scaled features (see :meth:`_make_plan`).

        The plan of this kernel's own previous output was made by :meth:`iterate` already,
        and its pass may use the shifted log-sum-exp (see :meth:`_pass`).

        Raises
        ------
        CollapseError
            If a covariance is not positive definite.
        """
        cached, self._last_output = self._last_output, None
        if cached is not None and cached[0] is params:
            return cached[1]
        if params.n_features != self.n_features:
            raise error(ParameterError, "em.params_features", d=self.n_features,
                        got=params.n_features)
        # The lower triangle, as np.linalg.cholesky reads it.
        packed = params.covariances.reshape(params.n_components, -1)[:, self._layout.lower]
        return self._make_plan(
            params.weights, params.means, packed, "in the covariance", shifted=False
        )

    def _make_plan(
        self,
        weights: np.ndarray | list[float],
        means: np.ndarray | list[list[float]],
        packed: np.ndarray | list[list[float]],
        when: str,
        shifted: bool,
    ) -> _Plan:
        """Coefficient rows ``w_k`` with ``f(z)·w_k = ln π_k + ln N(x; μ_k, Σ_k)``.

        In user units: the expanded quadratic form in scaled coordinates, plus ``-D ln s``
        for the change of variables. ``packed`` holds the covariances' upper triangles
        (user units); all three may be NumPy arrays or nested lists of floats. Up to
        :data:`SCALAR_MAX_COMPONENTS` components the closed-form 1×1,
        2×2 and 3×3 algebra runs on Python floats (a few µs, where each of the ~40 NumPy
        calls on (K, T) arrays would cost about 1 µs); above, on NumPy arrays.

        Raises
        ------
        CollapseError
            If a covariance is not positive definite.
        """
        loss: list[float] | np.ndarray
        mu: list[list[float]] | np.ndarray
        if len(weights) <= SCALAR_MAX_COMPONENTS:
            rows, loss, mu = self._rows_scalar(
                _as_list(weights), _as_list(means), _as_list(packed), when
            )
            coef = np.array(rows)
        else:  # lists come only from the scalar M-step, which has fewer components
            coef, loss, mu = self._rows_vector(
                np.asarray(weights), np.asarray(means), np.asarray(packed), when
            )
        d = self.n_features
        if not max(loss) > LOSS_MAX:
            return _Plan(coef, _NONE, _NO_SHIFT[d], _NO_BASE, _NO_WHITEN[d], shifted)
        pivoted = np.flatnonzero(np.asarray(loss) > LOSS_MAX)
        base, whiten = self._whitening(
            np.asarray(weights)[pivoted], np.asarray(packed)[pivoted], pivoted, when
        )
        return _Plan(coef, pivoted, np.asarray(mu)[pivoted], base, whiten, shifted)

    def _whitening(
        self, weights: np.ndarray, packed: np.ndarray, pivoted: np.ndarray, when: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Constant terms and ``L⁻¹`` of the pivoted components (see :class:`_Plan`).

        ``packed`` holds their covariances (user units); the factor is of ``Σ/s²``, exact
        since ``s`` is a power of two.

        Raises
        ------
        CollapseError
            If a covariance is too close to singular for its Cholesky factor.
        """
        lay, d = self._layout, self.n_features
        cov = packed[:, lay.unpack].reshape(-1, d, d) * (1.0 / (self.scale * self.scale))
        # Every leading minor was positive, but a nearly singular covariance can still fail
        # here by rounding: that component has collapsed.
        try:
            chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:  # one by one, to name the component
            chol = np.empty_like(cov)
            for row, (c, one) in enumerate(zip(pivoted.tolist(), cov, strict=True)):
                try:
                    chol[row] = np.linalg.cholesky(one)
                except np.linalg.LinAlgError:
                    raise CollapseError(c, f"non-positive pivot {when}") from None
        diag = np.diagonal(chol, axis1=1, axis2=2)
        ok = np.all((diag > 0.0) & (diag < math.inf), axis=1)  # False on NaN
        if not ok.all():
            raise CollapseError(int(pivoted[np.argmin(ok)]), f"non-positive pivot {when}")
        eye = np.broadcast_to(np.eye(d), chol.shape)
        whiten = np.linalg.solve(chol, eye)
        with np.errstate(divide="ignore"):
            log_w = np.log(weights)
        base = log_w - np.add.reduce(np.log(diag), axis=1) + self._log_norm
        return base, whiten

    def _rows_scalar(
        self, weights: list[float], means: list[list[float]], packed: list[list[float]], when: str
    ) -> tuple[list[list[float]], list[float], list[list[float]]]:
        """:meth:`_make_plan` on Python floats: (rows, digit loss of the rows (see
        :data:`LOSS_MAX`), centred scaled means)."""
        d, s = self.n_features, self.scale
        s2, log_s2d, log_norm, inv_s = s * s, 2 * d * math.log(s), self._log_norm, 1.0 / s
        terms, cz = _SCALAR_TERMS[d], self.center_scaled.tolist()
        rows, losses, mus = [], [], []
        for c, (w, mean, cov) in enumerate(
            zip(weights, means, packed, strict=True)
        ):
            mu = [m * inv_s - z for m, z in zip(mean, cz, strict=True)]
            ok, det, prec_mu, quad, kappa, loss = terms(cov, mu, s2)
            if not ok:
                raise CollapseError(c, f"non-positive leading minor {when}")
            # Σ/s² has determinant |Σ|/s^(2D); s is a power of two.
            base = (math.log(w) if w > 0.0 else -math.inf) - 0.5 * (math.log(det) - log_s2d)
            base += log_norm
            rows.append([base - 0.5 * kappa, *prec_mu, *quad, -1.0])
            losses.append(loss)
            mus.append(mu)
        return rows, losses, mus

    def _rows_vector(
        self, weights: np.ndarray, means: np.ndarray, packed: np.ndarray, when: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`_make_plan` on NumPy arrays: (coef, digit loss of the rows (see
        :data:`LOSS_MAX`), centred scaled means)."""
        lay = self._layout
        k, d, f = weights.shape[0], lay.d, self.n_coef
        adj, det, lead = _ADJUGATE[d](packed)
        _check_positive_definite(lead, when)
        prec = adj * (self.scale * self.scale) / det[:, None]
        log_det = np.log(det) - 2 * d * math.log(self.scale)
        mu = means * (1.0 / self.scale) - self.center_scaled
        coef = np.empty((k, f + 1))
        prec_mu = coef[:, 1 : 1 + d]
        np.add.reduce(prec[:, lay.unpack].reshape(k, d, d) * mu[:, None, :], axis=2, out=prec_mu)
        kappa = np.add.reduce(prec_mu * mu, axis=1)  # Mahalanobis² of the data mean from μ_k
        with np.errstate(divide="ignore"):
            log_w = np.log(weights)
        base = log_w - 0.5 * log_det + self._log_norm
        coef[:, 0] = base - 0.5 * kappa
        np.multiply(prec, lay.quad, out=coef[:, 1 + d : f])
        coef[:, f] = -1.0
        abs_mu, sd = np.abs(mu), np.sqrt(packed[:, lay.diag])  # see LOSS_MAX
        location = np.abs(prec) * (abs_mu[:, lay.i] * abs_mu[:, lay.j])
        shape = np.abs(adj) * (sd[:, lay.i] * sd[:, lay.j]) / det[:, None]
        loss = np.add.reduce((location + shape) * lay.pairs, axis=1)
        return coef, loss, mu

    def _buffers(self, k: int, n_pivoted: int, workers: int) -> list[_Scratch]:
        """Scratch buffers for ``workers`` threads, and the per-block statistics array."""
        b, f = min(block_size(k, self.n_coef), self.n_samples), self.n_coef
        if self._stats.shape[1:] != (k, f):
            self._stats = np.empty((-(-self.n_samples // b), k, f))
        bufs = self._scratch
        if bufs and (bufs[0].log_p.shape[0] != k or bufs[0].pivot_feats.shape[0] < n_pivoted):
            bufs.clear()
        while len(bufs) < workers:
            bufs.append(
                _Scratch(
                    log_p=np.empty((k, b)),
                    floor=np.full(b, LOG_RESP_FLOOR),
                    total=np.empty(b),
                    log_total=np.empty(b),
                    inverse=np.empty(b),
                    scaled=np.empty((f, b)),
                    pivot_feats=np.empty((n_pivoted, f, b)),
                    white=np.empty((self.n_features, b)),
                    resp=np.empty(b),
                )
            )
        return bufs[:workers]

    # ------------------------------------------------------------------ the hot loop
    @overload
    def _pass(self, plan: _Plan, with_stats: Literal[True]) -> tuple[float, np.ndarray]: ...

    @overload
    def _pass(self, plan: _Plan, with_stats: Literal[False]) -> tuple[float, None]: ...

    def _pass(self, plan: _Plan, with_stats: bool) -> tuple[float, np.ndarray | None]:
        """One pass over the blocks: total log-likelihood and (optionally) ``respᵀ @ f``.

        Per block of B points, all in place in (K, B) buffers: log-densities by one product,
        the log-sum-exp over components, responsibilities, and their product with the
        features. The division by Σ_k is applied to whichever of the (K, B) responsibilities
        or the (F, B) features is smaller. Returns the statistics of pivoted components
        about their pivots.

        The log-sum-exp needs a per-point shift ``c_n`` so that ``exp(ln p_nk − c_n)``
        neither overflows nor underflows. The exact choice is ``max_k ln p_nk``, which costs
        two passes over the (K, B) array. Every pass leaves ``ln p(x_n)`` of its parameters
        in the shift row of the features, so when the parameters are this kernel's previous
        output (as in :func:`emviz.engine.em.run_em`), the product itself subtracts last
        iteration's ``ln p(x_n)`` (a feature row with coefficient −1): what is left is near
        ``ln r_nk ≤ 0``. A block whose ``Σ_k`` leaves ``[e^-LOG_SAFE, e^LOG_SAFE]`` (a
        shift far off) is redone with the exact shift, so the result is the same to
        rounding. Log-densities more than ``-LOG_RESP_FLOOR`` below the shift are floored,
        which changes responsibilities below ``e^-(LOG_RESP_FLOOR + LOG_SAFE)`` relative.

        With many blocks and more than one CPU, :func:`_workers` threads take blocks from one
        queue (NumPy and BLAS release the GIL for the block-sized calls). Every block's
        results land in their own slots and are summed in block order, so the result is
        bit-identical whatever the number of threads and whichever thread did which block.
        """
        k = plan.coef.shape[0]
        b_len = min(block_size(k, self.n_coef), self.n_samples)
        n_blocks = -(-self.n_samples // b_len)
        workers = _workers(n_blocks)
        bufs = self._buffers(k, plan.pivoted.size, workers)
        block_ll = [0.0] * n_blocks
        threaded = k * (self.n_coef + 1) * b_len >= _BLAS_THREADING_MNK
        with _one_blas_thread() if threaded or workers > 1 else nullcontext():
            take = _BlockQueue(n_blocks).take
            futures = [
                _pool().submit(self._blocks, plan, with_stats, take, buf, block_ll)
                for buf in bufs[1:]
            ]
            try:
                self._blocks(plan, with_stats, take, bufs[0], block_ll)
            finally:
                # A worker still queued behind another pass (the pool is shared, e.g. by a
                # server's sessions) has nothing left to do; one that started must finish
                # before the next pass reuses its buffers.
                for future in futures:
                    future.cancel()
                wait(futures)
            for future in futures:
                if not future.cancelled():
                    future.result()
        ll = 0.0
        for value in block_ll:  # in block order, as a single thread adds them
            ll += value
        return ll, (np.add.reduce(self._stats, axis=0) if with_stats else None)

    def _blocks(
        self,
        plan: _Plan,
        with_stats: bool,
        take: Callable[[], int | None],
        buf: _Scratch,
        block_ll: list[float],
    ) -> None:
        """:meth:`_pass` over the blocks ``take`` hands out, with one thread's buffers."""
        coef = plan.coef
        k, f = coef.shape[0], self.n_coef
        n = self.n_samples
        b_len = buf.log_p.shape[1]
        pivot_feats = buf.pivot_feats[: plan.pivoted.size]
        pivots = list(
            zip(
                plan.pivoted.tolist(),
                plan.shift,
                plan.pivot_base.tolist(),
                plan.whiten,
                pivot_feats,
                strict=True,
            )
        )
        exact_coef = coef[:, :f]
        scale_features = f < k
        feats, stats = self._feats, self._stats
        with np.errstate(over="ignore"):
            while (b := take()) is not None:
                start = b * b_len
                m = min(b_len, n - start)
                fb = feats[:, start : start + m]
                lp, sm, log_sm = buf.log_p[:, :m], buf.total[:m], buf.log_total[:m]
                if not (plan.shifted and self._shifted_block(coef, pivots, fb, lp, buf, m)):
                    self._exact_block(exact_coef, pivots, fb, lp, buf, m)
                point_ll = fb[f]
                np.add(point_ll, log_sm, out=point_ll)
                block_ll[b] = float(np.add.reduce(point_ll))
                if not with_stats:
                    continue
                inv = np.reciprocal(sm, out=buf.inverse[:m])
                if scale_features:
                    g = buf.scaled[:, :m]
                    np.multiply(fb[:f], inv, out=g)
                else:
                    g = fb[:f]
                    np.multiply(lp, inv, out=lp)
                np.matmul(lp, g.T, out=stats[b])
                for c, *_, pf in pivots:
                    r = lp[c]
                    if scale_features:
                        r = np.multiply(r, inv, out=buf.resp[:m])
                    np.matmul(pf[:, :m], r, out=stats[b, c])

    def _pivot_rows(
        self, pivots: list, fb: np.ndarray, lp: np.ndarray, buf: _Scratch, m: int
    ) -> None:
        """Log-densities of the pivoted components, each about its own pivot through its
        Cholesky factor (see :class:`_Plan`); leaves their features ``f(y)`` for the M-step."""
        lay, d = self._layout, self.n_features
        white, neg_half = buf.white[:, :m], self._neg_half
        for c, shift, base, whiten, pf in pivots:
            fy = pf[:, :m]
            fy[0] = 1.0
            y = fy[1 : 1 + d]
            np.subtract(fb[1 : 1 + d], shift[:, None], out=y)
            np.multiply(fy[1 + lay.i], fy[1 + lay.j], out=fy[1 + d :])
            np.matmul(whiten, y, out=white)
            np.multiply(white, white, out=white)
            row = lp[c]
            np.matmul(neg_half, white, out=row)  # −½‖L⁻¹y‖²
            np.add(row, base, out=row)

    def _shifted_block(
        self, coef: np.ndarray, pivots: list, fb: np.ndarray, lp: np.ndarray, buf: _Scratch, m: int
    ) -> bool:
        """``exp(ln p_nk − c_n)`` with the shift row as ``c_n``; False if it is too far off."""
        np.matmul(coef, fb, out=lp)
        if pivots:
            self._pivot_rows(pivots, fb, lp, buf, m)
            for c, *_ in pivots:
                np.subtract(lp[c], fb[-1], out=lp[c])
        np.maximum(lp, buf.floor[:m], out=lp)
        np.exp(lp, out=lp)
        sm, log_sm = buf.total[:m], buf.log_total[:m]
        np.add.reduce(lp, axis=0, out=sm)
        np.log(sm, out=log_sm)
        return bool(
            np.minimum.reduce(log_sm) >= -LOG_SAFE and np.maximum.reduce(log_sm) <= LOG_SAFE
        )

    def _exact_block(
        self, coef: np.ndarray, pivots: list, fb: np.ndarray, lp: np.ndarray, buf: _Scratch, m: int
    ) -> None:
        """``exp(ln p_nk − max_k ln p_nk)``, leaving the maximum in the shift row."""
        np.matmul(coef, fb[:-1], out=lp)
        if pivots:
            self._pivot_rows(pivots, fb, lp, buf, m)
        top = fb[-1]
        np.maximum.reduce(lp, axis=0, out=top)
        np.subtract(lp, top, out=lp)
        np.maximum(lp, buf.floor[:m], out=lp)
        np.exp(lp, out=lp)
        sm = buf.total[:m]
        np.add.reduce(lp, axis=0, out=sm)
        np.log(sm, out=buf.log_total[:m])

    # ------------------------------------------------------------------ M-step
    def _pivots(self, plan: _Plan) -> np.ndarray:
        """Pivot ``p_k`` of every component (scaled units, relative to the user's origin)."""
        pivot = np.empty((plan.coef.shape[0], self.n_features))
        pivot[:] = self.center_scaled
        if plan.pivoted.size:
            pivot[plan.pivoted] += plan.shift
        return pivot

    def _m_step_vector(
        self, stats: np.ndarray, plan: _Plan, covariance_type: str, reg_covar: float
    ) -> tuple[Params, np.ndarray]:
        """scikit-learn's M-step from ``respᵀ @ f``: (new parameters, packed covariances)."""
        lay, s = self._layout, self.scale
        n = stats[:, 0]
        nk = n + 10 * _EPS
        inv_nk = 1.0 / nk
        moments = _Moments(
            nk=nk,
            inv_nk=inv_nk,
            share=n * inv_nk,
            delta=(10 * _EPS) * inv_nk,
            m=stats[:, 1 : 1 + lay.d] * inv_nk[:, None],
            t2=stats[:, 1 + lay.d :],
            p=self._pivots(plan),
            layout=lay,
        )
        cov = FUSED_ESTIMATORS[covariance_type](moments) * (s * s)
        cov += reg_covar * lay.is_diag
        # Unpacking the triangle makes every covariance exactly symmetric.
        full = cov[:, lay.unpack].reshape(nk.size, lay.d, lay.d)
        return Params.trusted(nk / np.add.reduce(nk), s * moments.means, full), cov

    def _m_step_full_scalar(
        self, stats: np.ndarray, plan: _Plan, reg_covar: float
    ) -> tuple[Params, list[list[float]]]:
        """:meth:`_m_step_vector` for full covariances on Python floats, the same arithmetic
        as :func:`_covariances_full` in the same order (for few components, where NumPy's
        per-call cost dominates)."""
        lay, s = self._layout, self.scale
        d, s2, eps10 = lay.d, s * s, 10 * _EPS
        pairs = list(zip(lay.i.tolist(), lay.j.tolist(), strict=True))
        regs = [reg_covar if i == j else 0.0 for i, j in pairs]
        full_idx = lay.full.tolist()
        pivots = self._pivots(plan).tolist() if plan.pivoted.size else None
        cz = self.center_scaled.tolist()
        nks, means, packed, fulls = [], [], [], []
        for c, row in enumerate(stats.tolist()):
            n = row[0]
            nk = n + eps10
            inv = 1.0 / nk
            share, delta = n * inv, eps10 * inv
            p = cz if pivots is None else pivots[c]
            m = [row[1 + i] * inv for i in range(d)]
            beta = [m[i] - delta * p[i] for i in range(d)]
            cov = [
                (
                    row[1 + d + t] * inv
                    - (beta[i] * m[j] + m[i] * beta[j])
                    + share * (beta[i] * beta[j])
                )
                * s2
                + regs[t]
                for t, (i, j) in enumerate(pairs)
            ]
            nks.append(nk)
            means.append([s * (share * p[i] + m[i]) for i in range(d)])
            packed.append(cov)
            fulls.append([[cov[t] for t in r] for r in full_idx])
        total = sum(nks)
        new = Params.trusted(
            np.array([nk / total for nk in nks]), np.array(means), np.array(fulls)
        )
        return new, packed

    # ------------------------------------------------------------------ EMKernel
    def log_likelihood(self, params: Params) -> float:
        """Total log-likelihood ``Σ_n ln p(x_n | params)``.

        Raises
        ------
        CollapseError
            If a covariance is not positive definite.
        """
        return self._pass(self._plan(params), with_stats=False)[0]

    def iterate(
        self, params: Params, covariance_type: str, reg_covar: float
    ) -> tuple[float, Params]:
        """E-step on ``params``, then the M-step.

        Returns
        -------
        log_likelihood : float
            Total log-likelihood of ``params``.
        new : Params
            The M-step's parameters (user units; full covariances, exactly symmetric).

        Raises
        ------
        CollapseError
            If a covariance of ``params`` is not positive definite. A singular *result*
            is returned, so that run_em can record the collapse.
        """
        plan = self._plan(params)
        ll, stats = self._pass(plan, with_stats=True)
        cov: list[list[float]] | np.ndarray
        if covariance_type == "full" and stats.shape[0] <= SCALAR_MAX_COMPONENTS_M_STEP:
            new, cov = self._m_step_full_scalar(stats, plan, reg_covar)
        else:
            new, cov = self._m_step_vector(stats, plan, covariance_type, reg_covar)
        try:
            # run_em passes `new` straight back: plan its E-step now (Params are immutable,
            # so identity is enough), with the shifted log-sum-exp.
            plan = self._make_plan(new.weights, new.means, cov, "after the M-step", True)
        except CollapseError:
            # Returned, not raised: run_em records the singular state (ln p = +inf).
            return ll, new
        self._last_output = (new, plan)
        return ll, new
