"""k-means (Lloyd's algorithm), k-means++ seeding, and soft k-means as the bridge to EM.

Everything is pure and deterministic for a given seed: a run returns a frozen
:class:`KMeansTrace` holding every intermediate state, so a UI can scrub through it.

Lloyd's algorithm alternates two steps (Bishop, PRML §9.1):

* assignment: each point joins its nearest centre (ties go to the lowest index);
* update: each centre moves to the mean of its points.

Neither step can increase the inertia ``Σ_n ‖x_n − μ_{z_n}‖²``, so it never increases.

**Empty-cluster policy (scipy's):** a cluster that receives no points in an assignment step
keeps its previous centre unchanged in the following update. Each such event is recorded in
:attr:`KMeansTrace.empty_clusters` as ``(iteration, cluster)``, where ``iteration`` is the
update that found it empty (``centers[iteration][cluster] == centers[iteration - 1][cluster]``).
The policy keeps the inertia non-increasing and makes the failure visible instead of hiding it
(scikit-learn instead relocates the centre to a far-away point). The same policy applies to
:func:`soft_kmeans_run` when a cluster's total responsibility underflows to zero.

Soft k-means is EM for a mixture with equal weights and fixed covariances ``σ²I``: only the
means are learned. As ``σ → 0`` the responsibilities become one-hot on the nearest centre and
soft k-means becomes Lloyd's algorithm; that is the "k-means is a limit of EM" demo.

Distances are computed in row chunks (``_CHUNK_ELEMENTS`` values at a time) on data shifted
by its mean (which removes most cancellation in ``‖x‖² − 2x·μ + ‖μ‖²``), so a million points
need no N × N or N × K × D temporaries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from emviz._messages import error
from emviz._validation import (
    MAX_MAGNITUDE,
    MIN_MAGNITUDE,
    as_float_array,
    check_data,
    check_float,
    check_int,
    check_positive_int,
    check_seed,
)
from emviz.errors import DataError, ParameterError
from emviz.model.gaussian import logsumexp_rows

#: Upper bound on the number of float64 values in one chunk's distance matrix.
_CHUNK_ELEMENTS = 1 << 18

SeedLike = int | np.random.Generator | None


# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------
def _rng(seed: SeedLike) -> np.random.Generator:
    seed = check_seed(seed)
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def _check_X(X: Any) -> np.ndarray:
    return check_data(X)


def _check_n_clusters(n_clusters: Any, n_samples: int) -> int:
    k = check_positive_int(n_clusters, "n_clusters")
    if k > n_samples:
        raise error(DataError, "kmeans.fewer_points_than_k", k=k, n=n_samples)
    return k


def _check_iter_tol(max_iter: Any, tol: Any) -> tuple[int, float]:
    return check_int(max_iter, "max_iter", 0), check_float(tol, "tol", 0.0)


def _check_centers(centers: Any, n_features: int, name: str = "init") -> np.ndarray:
    c = np.array(as_float_array(centers, name), copy=True)
    if c.ndim != 2 or c.shape[0] < 1 or c.shape[1] != n_features:
        raise error(ParameterError, "kmeans.centres_shape", name=name, d=n_features,
                    shape=c.shape)
    if not np.all(np.isfinite(c)):
        raise error(ParameterError, "kmeans.centres_finite", name=name)
    big = float(np.abs(c).max())
    if big > MAX_MAGNITUDE:  # squared distances would overflow
        raise error(ParameterError, "check.number_between", name=f"{name} centres",
                    minimum=-MAX_MAGNITUDE, maximum=MAX_MAGNITUDE, value=big)
    return c


# --------------------------------------------------------------------------------------
# Chunked distances
# --------------------------------------------------------------------------------------
def _chunks(n_samples: int, n_cols: int) -> Iterator[slice]:
    step = max(1, _CHUNK_ELEMENTS // max(n_cols, 1))
    for start in range(0, n_samples, step):
        yield slice(start, min(start + step, n_samples))


def _sq_dist(X: np.ndarray, centers: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Squared distances of the rows of ``X`` (one chunk) to ``centers``.

    Returns shape (n_centers, n_rows): with the long axis last every broadcast below runs
    over contiguous memory (an (n_rows, K) layout is ~5x slower for small K).
    """
    xs_t = np.ascontiguousarray((X - shift).T)
    cs = centers - shift
    d2 = cs @ xs_t
    d2 *= -2.0
    d2 += np.einsum("ij,ij->i", cs, cs)[:, None]
    d2 += np.einsum("ij,ij->j", xs_t, xs_t)[None, :]
    return np.maximum(d2, 0.0, out=d2)


def _label_dtype(n_clusters: int) -> np.dtype:
    return np.min_scalar_type(max(n_clusters - 1, 0))


def assign_labels(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest centre for every point (ties go to the lowest index).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    centers : array of shape (n_clusters, n_features)

    Returns
    -------
    labels : array of shape (n_samples,)
        In the smallest unsigned integer dtype that holds ``n_clusters - 1``.
    """
    shift = X.mean(axis=0)
    labels = np.empty(X.shape[0], dtype=_label_dtype(centers.shape[0]))
    for sl in _chunks(X.shape[0], centers.shape[0]):
        labels[sl] = np.argmin(_sq_dist(X[sl], centers, shift).T, axis=1)
    return labels


def inertia(X: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> float:
    """``Σ_n ‖x_n − centers[labels[n]]‖²``, computed from exact differences."""
    total = 0.0
    for sl in _chunks(X.shape[0], X.shape[1]):
        diff = X[sl] - centers[labels[sl]]
        total += float(np.einsum("ij,ij->", diff, diff))
    return total


# --------------------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------------------
def _min_sq_dist_to(X: np.ndarray, candidates: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Squared distance of every point to each candidate; shape (n_candidates, n_samples)."""
    out = np.empty((candidates.shape[0], X.shape[0]))
    for sl in _chunks(X.shape[0], candidates.shape[0]):
        out[:, sl] = _sq_dist(X[sl], candidates, shift)
    return out


def kmeans_plusplus(X: Any, n_clusters: int, seed: SeedLike = 0) -> np.ndarray:
    """Greedy k-means++ seeding, as scikit-learn does it.

    The first centre is a uniformly random point. Each further centre is the best of
    ``2 + ⌊ln K⌋`` candidates drawn with probability proportional to the squared distance to
    the nearest centre so far: the one that most lowers the total squared distance.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_clusters : int
    seed : int or numpy.random.Generator
        A Generator is used (and advanced) as is; anything else seeds ``default_rng``.

    Returns
    -------
    centers : array of shape (n_clusters, n_features)
        Rows of ``X`` (copies).

    Raises
    ------
    DataError
        If there are fewer points than clusters.
    """
    X = _check_X(X)
    n = X.shape[0]
    k = _check_n_clusters(n_clusters, n)
    rng = _rng(seed)
    n_trials = 2 + int(np.log(k))
    shift = X.mean(axis=0)
    idx = [int(rng.integers(n))]
    closest = _min_sq_dist_to(X, X[idx], shift)[0]
    potential = float(closest.sum())
    for _ in range(1, k):
        cumulative = np.cumsum(closest)
        targets = rng.uniform(size=n_trials) * potential
        cand = np.minimum(np.searchsorted(cumulative, targets), n - 1)
        dist = np.minimum(closest, _min_sq_dist_to(X, X[cand], shift))
        pots = dist.sum(axis=1)
        best = int(np.argmin(pots))
        idx.append(int(cand[best]))
        closest, potential = dist[best], float(pots[best])
    return X[idx].copy()


def _init_random(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` data points with distinct values, in the order of a random permutation."""
    n = X.shape[0]
    order = rng.permutation(n)
    m = min(n, 2 * k)
    while True:
        _, first = np.unique(X[order[:m]], axis=0, return_index=True)
        if first.size >= k or m == n:
            break
        m = min(n, 4 * m)
    if first.size < k:
        raise error(DataError, "kmeans.random_distinct", k=k, n_distinct=first.size)
    return X[order[np.sort(first)[:k]]].copy()


_INIT_METHODS: dict[str, Callable[[np.ndarray, int, np.random.Generator], np.ndarray]] = {
    "kmeans++": lambda X, k, rng: kmeans_plusplus(X, k, seed=rng),
    "random": _init_random,
}


def initial_centers(
    X: Any, n_clusters: int, init: Any = "kmeans++", seed: SeedLike = 0
) -> np.ndarray:
    """Starting centres for :func:`kmeans_run`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_clusters : int
    init : {"kmeans++", "random"} or array-like of shape (n_clusters, n_features)
        "random": K distinct data points chosen uniformly; an array is used as given.
    seed : int or numpy.random.Generator

    Returns
    -------
    centers : array of shape (n_clusters, n_features)
    """
    X = _check_X(X)
    k = _check_n_clusters(n_clusters, X.shape[0])
    if isinstance(init, str):
        if init not in _INIT_METHODS:
            raise error(ParameterError, "kmeans.init", allowed=tuple(_INIT_METHODS), value=init)
        return _INIT_METHODS[init](X, k, _rng(seed))
    centers = _check_centers(init, X.shape[1])
    if centers.shape[0] != k:
        raise error(ParameterError, "kmeans.init_shape", k=k, d=X.shape[1],
                    shape=centers.shape)
    return centers


# --------------------------------------------------------------------------------------
# Lloyd's algorithm
# --------------------------------------------------------------------------------------
def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class KMeansTrace:
    """A complete run of Lloyd's algorithm.

    Attributes
    ----------
    centers : array of shape (n_iter + 1, n_clusters, n_features)
        ``centers[0]`` are the initial centres, ``centers[i]`` the centres after ``i`` updates.
    labels : array of shape (n_iter + 1, n_samples)
        ``labels[i]`` assigns every point to its nearest ``centers[i]``; smallest unsigned
        integer dtype that holds ``n_clusters - 1``.
    inertia : array of shape (n_iter + 1,)
        ``inertia[i] = Σ_n ‖x_n − centers[i][labels[i][n]]‖²``; never increases.
    n_iter : int
    converged : bool
        True if the labels stopped changing or no centre moved more than ``tol``.
    empty_clusters : tuple of (int, int)
        ``(iteration, cluster)`` for every update in which a cluster had no points and kept
        its previous centre.
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: np.ndarray
    n_iter: int
    converged: bool
    empty_clusters: tuple[tuple[int, int], ...] = field(default=())

    @property
    def final_centers(self) -> np.ndarray:
        return self.centers[-1]

    @property
    def final_labels(self) -> np.ndarray:
        return self.labels[-1]

    @property
    def final_inertia(self) -> float:
        return float(self.inertia[-1])

    @property
    def n_clusters(self) -> int:
        return int(self.centers.shape[1])


def _update_centers(
    X: np.ndarray, labels: np.ndarray, previous: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Means of each cluster; an empty cluster keeps its previous centre.

    Returns the new centres and the indices of the empty clusters.
    """
    k = previous.shape[0]
    counts = np.bincount(labels, minlength=k)
    sums = np.stack([np.bincount(labels, weights=col, minlength=k) for col in X.T], axis=1)
    empty = np.flatnonzero(counts == 0)
    centers = sums / np.maximum(counts, 1)[:, None]
    centers[empty] = previous[empty]
    return centers, empty


def kmeans_run(
    X: Any,
    n_clusters: int,
    init: Any = "kmeans++",
    seed: SeedLike = 0,
    max_iter: int = 100,
    tol: float = 0.0,
) -> KMeansTrace:
    """Run Lloyd's algorithm and keep every intermediate state.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_clusters : int
    init : {"kmeans++", "random"} or array-like of shape (n_clusters, n_features)
        Pass an array to start k-means and EM from the same centres.
    seed : int or numpy.random.Generator
        Used by the "kmeans++" and "random" initialisations.
    max_iter : int, default 100
    tol : float, default 0.0
        Also stop when no centre moves more than ``tol`` (Euclidean) in one update.

    Returns
    -------
    KMeansTrace

    Raises
    ------
    DataError
        If there are fewer points than clusters.
    """
    X = _check_X(X)
    max_iter, tol = _check_iter_tol(max_iter, tol)
    centers = [initial_centers(X, n_clusters, init, seed)]
    labels = [assign_labels(X, centers[0])]
    inertias = [inertia(X, centers[0], labels[0])]
    events: list[tuple[int, int]] = []
    converged = False
    for it in range(1, max_iter + 1):
        new_centers, empty = _update_centers(X, labels[-1], centers[-1])
        events.extend((it, int(j)) for j in empty)
        new_labels = assign_labels(X, new_centers)
        shift = float(np.sqrt(((new_centers - centers[-1]) ** 2).sum(axis=1).max()))
        converged = bool(np.array_equal(new_labels, labels[-1]) or shift <= tol)
        centers.append(new_centers)
        labels.append(new_labels)
        inertias.append(inertia(X, new_centers, new_labels))
        if converged:
            break
    return KMeansTrace(
        centers=_frozen(np.stack(centers)),
        labels=_frozen(np.stack(labels)),
        inertia=_frozen(np.asarray(inertias)),
        n_iter=len(centers) - 1,
        converged=converged,
        empty_clusters=tuple(events),
    )


# --------------------------------------------------------------------------------------
# Soft k-means: EM with equal weights and fixed covariance σ²I
# --------------------------------------------------------------------------------------
def _check_sigma(sigma: Any) -> float:
    return check_float(sigma, "sigma", MIN_MAGNITUDE, maximum=MAX_MAGNITUDE)


def _log_resp(X: np.ndarray, centers: np.ndarray, sigma: float) -> np.ndarray:
    shift = X.mean(axis=0)
    out = np.empty((X.shape[0], centers.shape[0]))
    for sl in _chunks(X.shape[0], centers.shape[0]):
        a = _sq_dist(X[sl], centers, shift).T / (-2.0 * sigma * sigma)
        out[sl] = a - logsumexp_rows(a)[:, None]
    return out


def soft_kmeans_resp(X: Any, centers: Any, sigma: float) -> np.ndarray:
    """Responsibilities of EM for equal weights and covariances ``σ²I``.

    ``r_nk = exp(−‖x_n − μ_k‖² / 2σ²) / Σ_j exp(−‖x_n − μ_j‖² / 2σ²)``, computed in log space,
    so even tiny ``σ`` gives exact one-hot rows instead of NaN.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_clusters, n_features)
    sigma : float
        Standard deviation shared by every component, > 0.

    Returns
    -------
    resp : array of shape (n_samples, n_clusters)
        Rows sum to 1; ``argmax`` along rows equals :func:`assign_labels` (ties to the lowest
        index).
    """
    X = _check_X(X)
    c = _check_centers(centers, X.shape[1], "soft k-means")
    return np.exp(_log_resp(X, c, _check_sigma(sigma)))


@dataclass(frozen=True, eq=False)
class SoftKMeansTrace:
    """A run of soft k-means (EM that only learns the means).

    Attributes
    ----------
    centers : array of shape (n_iter + 1, n_clusters, n_features)
        ``centers[0]`` the initial centres, ``centers[i]`` after ``i`` EM iterations.
    sigma : float
    n_iter : int
    converged : bool
        True if an update would move no centre more than ``tol``; that last update is not
        recorded (the convention of :func:`emviz.engine.em.run_em`).
    empty_clusters : tuple of (int, int)
        ``(iteration, cluster)`` where the cluster's total responsibility was 0 and it kept
        its previous centre.
    """

    centers: np.ndarray
    sigma: float
    n_iter: int
    converged: bool
    empty_clusters: tuple[tuple[int, int], ...] = field(default=())

    @property
    def final_centers(self) -> np.ndarray:
        return self.centers[-1]


def _soft_update(
    X: np.ndarray, resp: np.ndarray, previous: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    nk = resp.sum(axis=0)
    empty = np.flatnonzero(nk == 0)
    centers = (resp.T @ X) / np.where(nk > 0, nk, 1.0)[:, None]
    centers[empty] = previous[empty]
    return centers, empty


def soft_kmeans_run(
    X: Any, init_centers: Any, sigma: float, max_iter: int = 100, tol: float = 0.0
) -> SoftKMeansTrace:
    """EM with equal weights and fixed covariances ``σ²I``: only the means move.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    init_centers : array-like of shape (n_clusters, n_features)
    sigma : float
        Fixed component standard deviation. As ``σ → 0`` this becomes Lloyd's algorithm.
    max_iter : int, default 100
    tol : float, default 0.0
        Stop when no centre would move more than ``tol``.

    Returns
    -------
    SoftKMeansTrace
    """
    X = _check_X(X)
    c0 = _check_centers(init_centers, X.shape[1], "init")
    _check_n_clusters(c0.shape[0], X.shape[0])
    sig = _check_sigma(sigma)
    max_iter, tol = _check_iter_tol(max_iter, tol)
    events: list[tuple[int, int]] = []
    centers, converged = [c0], False
    for it in range(1, max_iter + 1):
        resp = np.exp(_log_resp(X, centers[-1], sig))
        new, empty = _soft_update(X, resp, centers[-1])
        if float(np.sqrt(((new - centers[-1]) ** 2).sum(axis=1).max())) <= tol:
            converged = True
            break
        events.extend((it, int(j)) for j in empty)
        centers.append(new)
    return SoftKMeansTrace(
        centers=_frozen(np.stack(centers)),
        sigma=sig,
        n_iter=len(centers) - 1,
        converged=converged,
        empty_clusters=tuple(events),
    )
