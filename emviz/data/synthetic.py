"""Synthetic Gaussian mixtures with known truth, teaching presets, and data helpers.

Every generator is deterministic for a given seed and returns a frozen :class:`Dataset`
holding the data, the true component of every point and the true :class:`~emviz.engine.em.Params`,
so the UI can compare what EM finds with what generated the data.

:func:`make_mixture` conventions
    * **Scale:** every component's *largest* standard deviation is 1, so ``separation`` is
      measured in standard deviations: the two closest means are exactly ``separation`` apart.
    * **Means:** dart throwing (uniform proposals in a box, rejecting any closer than
      ``separation`` to an accepted mean), then scaled about their centroid so the closest
      pair is exactly ``separation`` apart, then centred on the origin.
    * **Weights:** equal by default; ``weights=`` gives them explicitly; ``imbalance=r``
      makes them geometric, ``π_k ∝ (1 − r)^k`` (0 = equal, 0.5 halves each next one).
    * **Sample counts:** exact largest-remainder rounding of ``n_samples · π`` (not a
      multinomial draw), so the counts are as close to the weights as integers allow and
      always sum to ``n_samples``. Points are shuffled so no component comes first.

Also here: :func:`adjusted_rand_index` (agreement between two labelings),
:func:`display_subset` (which points to draw when there are too many), and
:func:`standardize` / :func:`pca_project` (for uploaded data with more than three columns).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from emviz._messages import Message, error
from emviz._validation import (
    MAX_COMPONENTS,
    MAX_DIM,
    MAX_SAMPLES,
    Seed,
    check_choice,
    check_data,
    check_float,
    check_int,
    check_seed,
)
from emviz.errors import DataError, ParameterError
from emviz.model.params import COVARIANCE_TYPES, INIT_METHODS, Params

SHAPES: tuple[str, ...] = ("spherical", "axis-aligned", "rotated")

#: How each shape is named in a data set's description (translatable).
_SHAPE_NAMES: dict[str, Message] = {
    "spherical": Message("data.shape_spherical"),
    "axis-aligned": Message("data.shape_axis_aligned"),
    "rotated": Message("data.shape_rotated"),
}

#: Variance ratio between the longest and the shortest axis of a "rotated" component.
ROTATED_VARIANCE_RATIO = 10.0


# --------------------------------------------------------------------------------------
# The record
# --------------------------------------------------------------------------------------
def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class Dataset:
    """A data set with (optionally) known truth.

    Attributes
    ----------
    X : array of shape (n_samples, n_features)
        float64, read-only.
    labels : array of shape (n_samples,)
        int64 true component of each point; -1 for outliers or when unknown.
    params : Params or None
        The mixture that generated ``X`` (None for real data).
    name : str
    description : str
        One or two sentences a teacher can read aloud: what this data demonstrates.
    columns : tuple of str
        Axis names, one per feature.
    suggested_k : int
    suggested_covariance_type : {"full", "tied", "diag", "spherical"}
    suggested_init : str or None
        An init method (see :data:`emviz.engine.em.INIT_METHODS`) that, with seed 0, shows what the
        description promises; None leaves the user's choice alone.
    """

    X: np.ndarray
    labels: np.ndarray
    params: Params | None
    name: str
    description: str
    columns: tuple[str, ...]
    suggested_k: int
    suggested_covariance_type: str = "full"
    suggested_init: str | None = None

    def __post_init__(self) -> None:
        X = np.array(self.X, dtype=np.float64, copy=True)
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
            raise error(DataError, "data.dataset_x_shape", shape=X.shape)
        labels = np.array(self.labels, dtype=np.int64, copy=True)
        if labels.shape != (X.shape[0],):
            raise error(DataError, "data.dataset_labels_shape", n=X.shape[0],
                        shape=labels.shape)
        if len(self.columns) != X.shape[1]:
            raise error(DataError, "data.dataset_columns", d=X.shape[1], got=len(self.columns))
        if self.params is not None and self.params.n_features != X.shape[1]:
            raise error(DataError, "data.dataset_params", params=self.params.n_features,
                        d=X.shape[1])
        check_choice(self.suggested_covariance_type, "suggested_covariance_type",
                     COVARIANCE_TYPES)
        if self.suggested_init is not None and self.suggested_init not in INIT_METHODS:
            raise error(ParameterError, "data.suggested_init", allowed=INIT_METHODS,
                        value=self.suggested_init)
        object.__setattr__(self, "X", _readonly(X))
        object.__setattr__(self, "labels", _readonly(labels))
        object.__setattr__(self, "columns", tuple(str(c) for c in self.columns))

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])


def default_columns(n_features: int) -> tuple[str, ...]:
    """``("x1", "x2", ...)``."""
    return tuple(f"x{i + 1}" for i in range(n_features))


# --------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------
def _positive_int(value: Any, name: str, minimum: int = 1, maximum: int | None = None) -> int:
    return check_int(value, name, minimum, maximum)


def _check_weights(weights: Any, imbalance: float, k: int) -> np.ndarray:
    imb = float(imbalance)
    if not np.isfinite(imb) or not 0.0 <= imb < 1.0:
        raise error(ParameterError, "data.imbalance", value=imbalance)
    if weights is None:
        w = (1.0 - imb) ** np.arange(k)
        return w / w.sum()
    if imb != 0.0:
        raise error(ParameterError, "data.weights_and_imbalance")
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (k,) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise error(ParameterError, "data.weights_values", k=k, value=weights)
    if abs(w.sum() - 1.0) > 1e-8:
        raise error(ParameterError, "data.weights_sum", total=float(w.sum()))
    return w / w.sum()


# --------------------------------------------------------------------------------------
# Building blocks: one covariance maker per shape, mean placement, counts, sampling
# --------------------------------------------------------------------------------------
def _random_rotation(d: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(d, d)))
    return q * np.sign(np.diagonal(r))  # sign fix: Haar-distributed


def _cov_spherical(d: int, k: int, rng: np.random.Generator) -> np.ndarray:
    return np.repeat(np.eye(d)[None], k, axis=0)


def _cov_axis_aligned(d: int, k: int, rng: np.random.Generator) -> np.ndarray:
    sd = rng.uniform(0.3, 1.0, size=(k, d))
    sd /= sd.max(axis=1, keepdims=True)
    return np.stack([np.diag(s**2) for s in sd])


def _cov_rotated(d: int, k: int, rng: np.random.Generator) -> np.ndarray:
    var = np.geomspace(1.0, 1.0 / ROTATED_VARIANCE_RATIO, d) if d > 1 else np.ones(1)
    covs = []
    for _ in range(k):
        rot = _random_rotation(d, rng)
        cov = (rot * var) @ rot.T
        covs.append(0.5 * (cov + cov.T))
    return np.stack(covs)


COVARIANCE_MAKERS: dict[str, Callable[[int, int, np.random.Generator], np.ndarray]] = {
    "spherical": _cov_spherical,
    "axis-aligned": _cov_axis_aligned,
    "rotated": _cov_rotated,
}


def _min_pairwise_distance(points: np.ndarray) -> float:
    if len(points) < 2:
        return float("inf")
    d2 = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)
    return float(np.sqrt(d2[np.triu_indices(len(points), 1)].min()))


def _dart_throw(k: int, d: int, min_dist: float, side: float, rng) -> np.ndarray | None:
    accepted: list[np.ndarray] = []
    for _ in range(200 * k):
        p = rng.uniform(0.0, side, size=d)
        if all(np.sum((p - q) ** 2) >= min_dist**2 for q in accepted):
            accepted.append(p)
            if len(accepted) == k:
                return np.array(accepted)
    return None


def place_means(
    n_components: int, n_features: int, separation: float, rng: np.random.Generator
) -> np.ndarray:
    """Random means whose closest pair is exactly ``separation`` apart, centred on 0.

    Returns
    -------
    means : array of shape (n_components, n_features)
    """
    if n_components == 1:
        return np.zeros((1, n_features))
    side = separation * max(2.0, 2.0 * n_components ** (1.0 / n_features))
    means = None
    while means is None:
        means = _dart_throw(n_components, n_features, separation, side, rng)
        side *= 1.25
    centred = means - means.mean(axis=0)
    return centred * (separation / _min_pairwise_distance(centred))


def exact_counts(weights: np.ndarray, n_samples: int) -> np.ndarray:
    """Largest-remainder rounding of ``n_samples · weights``; the counts sum to ``n_samples``."""
    raw = np.asarray(weights, dtype=np.float64) * n_samples
    counts = np.floor(raw).astype(np.int64)
    short = n_samples - int(counts.sum())
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def sample_mixture(
    params: Params, n_samples: int, seed: Seed = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw points from a mixture, with exact (largest-remainder) counts per component.

    Parameters
    ----------
    params : Params
    n_samples : int
    seed : int or numpy.random.Generator

    Returns
    -------
    X : array of shape (n_samples, n_features)
        Shuffled.
    labels : array of shape (n_samples,)
        The component each point was drawn from.
    """
    n = _positive_int(n_samples, "n_samples")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    counts = exact_counts(params.weights, n)
    chol = np.linalg.cholesky(params.covariances)
    parts = [
        params.means[k] + rng.standard_normal((c, params.n_features)) @ chol[k].T
        for k, c in enumerate(counts)
    ]
    labels = np.repeat(np.arange(params.n_components), counts)
    order = rng.permutation(n)
    return np.concatenate(parts)[order], labels[order]


# --------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------
def make_mixture(
    dim: int,
    n_components: int,
    n_samples: int,
    separation: float = 3.0,
    shape: str = "spherical",
    weights: Sequence[float] | np.ndarray | None = None,
    imbalance: float = 0.0,
    seed: Seed = 0,
) -> Dataset:
    """A random Gaussian mixture and a sample from it.

    Parameters
    ----------
    dim : int
        Number of features, >= 1.
    n_components : int
    n_samples : int
        Must be at least ``n_components``.
    separation : float, default 3.0
        Distance between the two closest means, in units of the largest component standard
        deviation (which is 1). About 2 overlaps visibly; 5 or more is clearly separated.
    shape : {"spherical", "axis-aligned", "rotated"}
        "spherical": identity covariances; "axis-aligned": diagonal, per-axis standard
        deviations drawn from [0.3, 1]; "rotated": randomly rotated, variances from 1 down to
        1/10 (an elongated ellipse).
    weights : array-like of shape (n_components,), optional
        Mixing proportions (non-negative, summing to 1). Default: equal, or see ``imbalance``.
    imbalance : float in [0, 1), default 0
        Geometric weights ``π_k ∝ (1 − imbalance)^k``. Not combinable with ``weights``.
    seed : int or numpy.random.Generator

    Returns
    -------
    Dataset
        With the true ``params`` and ``labels``; ``suggested_k = n_components``.

    Raises
    ------
    ParameterError
        For an invalid argument (the message says what was expected and what was received).
    """
    d = _positive_int(dim, "dim", maximum=MAX_DIM)
    k = _positive_int(n_components, "n_components", maximum=MAX_COMPONENTS)
    n = _positive_int(n_samples, "n_samples", maximum=MAX_SAMPLES)
    if n < k:
        raise error(ParameterError, "data.too_few_samples", k=k, n=n)
    sep = check_float(separation, "separation", 1e-6, maximum=1e6)
    check_choice(shape, "shape", SHAPES)
    seed = check_seed(seed)
    w = _check_weights(weights, imbalance, k)
    rng = np.random.default_rng(seed)
    params = Params(w, place_means(k, d, sep, rng), COVARIANCE_MAKERS[shape](d, k, rng))
    X, labels = sample_mixture(params, n, rng)
    return Dataset(
        X=X,
        labels=labels,
        params=params,
        name="mixture",
        description=Message("data.mixture", k=k, shape=_SHAPE_NAMES[shape], d=d, separation=sep),
        columns=default_columns(d),
        suggested_k=k,
        suggested_covariance_type="spherical" if shape == "spherical" else "full",
    )


def _dataset_from_params(
    params: Params, n_samples: int, seed: Seed, name: str, description: str, cov_type: str
) -> Dataset:
    X, labels = sample_mixture(params, n_samples, seed)
    return Dataset(
        X, labels, params, name, description, default_columns(params.n_features),
        params.n_components, cov_type,
    )


# --------------------------------------------------------------------------------------
# Teaching presets
# --------------------------------------------------------------------------------------
def _rotation_2d(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def _preset_well_separated(seed: Seed) -> Dataset:
    ds = make_mixture(2, 3, 450, separation=7.0, shape="axis-aligned", seed=seed)
    return replace(
        ds,
        name="well_separated",
        description=Message("data.preset_well_separated"),
        suggested_covariance_type="full",
    )


def _preset_overlapping(seed: Seed) -> Dataset:
    ds = make_mixture(2, 3, 600, separation=2.0, shape="rotated", seed=seed)
    return replace(
        ds,
        name="overlapping",
        description=Message("data.preset_overlapping"),
    )


def _preset_elongated(seed: Seed) -> Dataset:
    # Standard deviations 3 along, 0.25 across; neighbours 2 apart across (8 sd) and
    # staggered by 3 along, so k-means' round cells cut every stripe.
    rot = _rotation_2d(np.pi / 6)
    along, across = rot[:, 0], rot[:, 1]
    cov = rot @ np.diag([3.0**2, 0.25**2]) @ rot.T
    params = Params(
        np.full(3, 1 / 3),
        np.array([j * (2.0 * across + 3.0 * along) for j in (-1, 0, 1)]),
        np.repeat(0.5 * (cov + cov.T)[None], 3, axis=0),
    )
    return _dataset_from_params(
        params, 600, seed, "elongated", Message("data.preset_elongated"), "full",
    )


def _preset_unequal_sizes(seed: Seed) -> Dataset:
    params = Params(
        np.array([0.8, 0.1, 0.1]),
        np.array([[0.0, 0.0], [5.2, 1.85], [2.45, -4.9]]),  # 2.75 big-cluster sd out
        np.array([4.0 * np.eye(2), 0.09 * np.eye(2), 0.09 * np.eye(2)]),
    )
    return _dataset_from_params(
        params, 750, seed, "unequal_sizes", Message("data.preset_unequal_sizes"), "full",
    )


def _preset_three_peaks_1d(seed: Seed) -> Dataset:
    params = Params(
        np.array([0.4, 0.35, 0.25]),
        np.array([[-4.0], [0.0], [3.5]]),
        np.array([[[1.0]], [[0.25]], [[0.64]]]),
    )
    return _dataset_from_params(
        params, 600, seed, "three_peaks_1d", Message("data.preset_three_peaks_1d"), "full",
    )


def _preset_six_clusters_3d(seed: Seed) -> Dataset:
    ds = make_mixture(3, 6, 1200, separation=5.0, shape="rotated", seed=seed)
    # k-means++ seeds: from K random data points (random_from_data, seed 0) EM ends with one
    # ellipsoid over two clusters (ARI 0.63); k-means++ finds all six for data seeds 0-5.
    return replace(
        ds,
        name="six_clusters_3d",
        description=Message("data.preset_six_clusters_3d"),
        suggested_init="kmeans++",
    )


#: (K, init method, init seed) that make ``run_em`` collapse onto the repeated point with full
#: covariances and reg_covar = 0 (checked in the tests for data seeds 0-3; with data seed 0 it
#: happens at iteration 19).
SINGULARITY_TRAP_COLLAPSE = (4, "kmeans++", 0)
SINGULARITY_TRAP_DUPLICATES = 15


def _preset_singularity_trap(seed: Seed) -> Dataset:
    base = make_mixture(2, 3, 180, separation=5.0, shape="spherical", seed=seed)
    assert base.params is not None, "make_mixture records the parameters it samples from"
    point = base.params.means[0] + np.array([1.5, 1.5])  # at the edge of cluster 0
    X = np.concatenate([base.X, np.repeat(point[None], SINGULARITY_TRAP_DUPLICATES, axis=0)])
    labels = np.concatenate([base.labels, np.full(SINGULARITY_TRAP_DUPLICATES, -1)])
    k, method, init_seed = SINGULARITY_TRAP_COLLAPSE
    return Dataset(
        X, labels, base.params, "singularity_trap",
        Message("data.preset_singularity_trap", n_repeats=SINGULARITY_TRAP_DUPLICATES, k=k,
                method=method, seed=init_seed),
        base.columns, 3, "full",
    )


def _preset_kmeans_agrees(seed: Seed) -> Dataset:
    ds = make_mixture(2, 4, 800, separation=7.0, shape="spherical", seed=seed)
    return replace(
        ds,
        name="kmeans_agrees",
        description=Message("data.preset_kmeans_agrees"),
        suggested_covariance_type="spherical",
    )


PRESETS: dict[str, Callable[[Seed], Dataset]] = {
    "well_separated": _preset_well_separated,
    "overlapping": _preset_overlapping,
    "elongated": _preset_elongated,
    "unequal_sizes": _preset_unequal_sizes,
    "three_peaks_1d": _preset_three_peaks_1d,
    "six_clusters_3d": _preset_six_clusters_3d,
    "singularity_trap": _preset_singularity_trap,
    "kmeans_agrees": _preset_kmeans_agrees,
}


def make_preset(name: str, seed: Seed = 0) -> Dataset:
    """A named teaching data set (see :data:`PRESETS`), deterministic for a given seed."""
    check_choice(name, "preset", tuple(PRESETS))
    seed = check_seed(seed)
    return PRESETS[name](seed)


# --------------------------------------------------------------------------------------
# Comparing labelings
# --------------------------------------------------------------------------------------
def _check_labelings(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    try:
        a, b = np.asarray(a), np.asarray(b)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise error(DataError, "check.not_rectangular", name="labels", type="list",
                    reason=str(exc)) from exc
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise error(DataError, "data.labelings", a=a.shape, b=b.shape)
    return a, b


def adjusted_rand_index(labels_true: Any, labels_pred: Any) -> float:
    """Adjusted Rand index (Hubert & Arabie, 1985): 1 for identical partitions, ~0 for random.

    Invariant to renaming the clusters. Equals scikit-learn's ``adjusted_rand_score``.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)
        Any hashable-as-numpy labels (ints or strings).

    Returns
    -------
    float
    """
    a, b = _check_labelings(labels_true, labels_pred)
    _, ia = np.unique(a, return_inverse=True)
    _, ib = np.unique(b, return_inverse=True)
    nb = int(ib.max()) + 1
    cont = np.bincount(ia.ravel() * nb + ib.ravel(), minlength=(int(ia.max()) + 1) * nb)
    # Pair counts as Python ints: products reach N⁴, beyond int64 for large N.
    n = a.size
    sum_sq = int(np.sum(cont.astype(np.int64) ** 2))
    rows_sq = int(np.sum(np.bincount(ia.ravel()).astype(np.int64) ** 2))
    cols_sq = int(np.sum(np.bincount(ib.ravel()).astype(np.int64) ** 2))
    tp = sum_sq - n
    fp = cols_sq - sum_sq
    fn = rows_sq - sum_sq
    tn = n * n - fp - fn - sum_sq
    if fn == 0 and fp == 0:
        return 1.0
    return float(2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)))


# --------------------------------------------------------------------------------------
# Helpers for drawing and for uploaded data
# --------------------------------------------------------------------------------------
def display_subset(n_samples: int, max_points: int = 20000, seed: Seed = 0) -> np.ndarray:
    """Indices of the points to draw: all of them, or a deterministic random subset.

    Parameters
    ----------
    n_samples : int
    max_points : int, default 20000
    seed : int or numpy.random.Generator

    Returns
    -------
    indices : array of shape (min(n_samples, max_points),)
        Sorted, so the subset keeps the data order.
    """
    n = _positive_int(n_samples, "n_samples", minimum=0, maximum=100 * MAX_SAMPLES)
    m = _positive_int(max_points, "max_points", maximum=MAX_SAMPLES)
    seed = check_seed(seed)
    if n <= m:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=m, replace=False))


def _check_matrix(X: Any) -> np.ndarray:
    return check_data(X)


def standardize(X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre each column and divide by its standard deviation.

    A constant column gets scale 1 (it becomes all zeros) instead of a division by zero.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    Z : array of shape (n_samples, n_features)
    mean : array of shape (n_features,)
    scale : array of shape (n_features,)
        ``X = Z * scale + mean``.
    """
    X = _check_matrix(X)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    return (X - mean) / scale, mean, scale


def pca_project(X: Any, n_components: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Project onto the leading principal components (SVD of the centred data).

    Signs are deterministic: in each component the entry of largest magnitude is positive
    (scikit-learn's ``svd_flip`` convention).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int
        1 <= n_components <= min(n_samples, n_features).

    Returns
    -------
    Z : array of shape (n_samples, n_components)
        The projected (centred) data.
    components : array of shape (n_components, n_features)
        Orthonormal principal axes, one per row.
    explained_variance_ratio : array of shape (n_components,)
        Fraction of the total variance along each axis.
    """
    X = _check_matrix(X)
    limit = min(X.shape)
    k = _positive_int(n_components, "n_components")
    if k > limit:
        raise error(ParameterError, "data.pca_components", limit=limit, k=k)
    Xc = X - X.mean(axis=0)
    _, s, vt = np.linalg.svd(Xc, full_matrices=False)
    signs = np.sign(vt[np.arange(vt.shape[0]), np.argmax(np.abs(vt), axis=1)])
    vt = vt * np.where(signs == 0, 1.0, signs)[:, None]
    var = s**2
    total = var.sum()
    ratio = var / total if total > 0 else np.zeros_like(var)
    components = vt[:k].copy()
    return Xc @ components.T, components, ratio[:k].copy()
