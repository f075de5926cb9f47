"""Covariance geometry for drawing: intervals, ellipses, ellipsoids, densities and colours.

Every function is pure NumPy (no plotting library): it takes parameters and returns arrays
that :mod:`emviz.figures.mixture` turns into traces.

A coverage level ``c`` maps to the Mahalanobis radius ``r`` with ``P(χ²_D ≤ r²) = c``; the
set ``{x : (x-μ)ᵀ Σ⁻¹ (x-μ) ≤ r²}`` then holds probability ``c`` of ``N(μ, Σ)``. With
``Σ = V Λ Vᵀ`` (eigh) that set is the image of the radius-``r`` ball under
``u ↦ μ + V Λ^½ u``, which is how ellipses and ellipsoids are drawn here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import stats

from emviz._messages import error
from emviz._validation import check_int
from emviz.errors import ParameterError
from emviz.model.gaussian import LOG_2PI

#: Colour for points before the first E-step (no responsibilities yet).
UNASSIGNED_RGB = np.array([150, 150, 150], dtype=np.uint8)


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------
def _check_coverage(coverage: float) -> float:
    c = float(coverage)
    if not 0.0 < c < 1.0:
        raise error(ParameterError, "geometry.coverage", value=coverage)
    return c


def _check_mean_cov(mean: Any, cov: Any, dim: int) -> tuple[np.ndarray, np.ndarray]:
    m = np.asarray(mean, dtype=np.float64).reshape(-1)
    c = np.asarray(cov, dtype=np.float64)
    if m.shape != (dim,) or c.shape != (dim, dim):
        raise error(ParameterError, "geometry.mean_cov_shape", dim=dim, mean=m.shape,
                    cov=c.shape)
    return m, c


def _sqrt_factor(cov: np.ndarray) -> np.ndarray:
    """``A = V Λ^½`` with ``A Aᵀ = Σ``; tiny negative eigenvalues (rounding) clip to 0.

    Parameters
    ----------
    cov : array of shape (..., D, D)

    Returns
    -------
    array of shape (..., D, D)
    """
    vals, vecs = np.linalg.eigh(cov)
    # a proper rotation (det +1), so mapped meshes keep their outward face orientation
    flip = np.where(np.linalg.det(vecs) < 0, -1.0, 1.0)
    vecs = vecs.copy()
    vecs[..., :, 0] *= flip[..., None]
    return vecs * np.sqrt(np.clip(vals, 0.0, None))[..., None, :]


# --------------------------------------------------------------------------------------
# Coverage radii and intervals
# --------------------------------------------------------------------------------------
@lru_cache(maxsize=256)
def chi2_radius(coverage: float, dim: int) -> float:
    """Mahalanobis radius enclosing ``coverage`` of the mass of a ``dim``-D Gaussian.

    Parameters
    ----------
    coverage : float
        Probability in (0, 1), e.g. 0.95.
    dim : int
        Dimension D ≥ 1 (the χ² degrees of freedom).

    Returns
    -------
    float
        ``sqrt(chi2.ppf(coverage, dim))``; e.g. 1.96 for (0.95, 1) and 2.448 for (0.95, 2).
    """
    c = _check_coverage(coverage)
    dim = check_int(dim, "dim", 1)
    return float(np.sqrt(stats.chi2.ppf(c, int(dim))))


def interval_1d(mean: float, var: float, coverage: float = 0.95) -> tuple[float, float]:
    """Central interval holding ``coverage`` of the mass of ``N(mean, var)``.

    Parameters
    ----------
    mean, var : float
        Mean and variance (not standard deviation).
    coverage : float

    Returns
    -------
    (lo, hi) : tuple of float
    """
    if not var >= 0:
        raise error(ParameterError, "geometry.variance", value=var)
    half = chi2_radius(coverage, 1) * float(np.sqrt(var))
    return float(mean) - half, float(mean) + half


# --------------------------------------------------------------------------------------
# Ellipses (2D) and ellipsoids (3D)
# --------------------------------------------------------------------------------------
@lru_cache(maxsize=32)
def _unit_circle(n_points: int) -> np.ndarray:
    t = np.linspace(0.0, 2.0 * np.pi, n_points)
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)
    circle[-1] = circle[0]  # exactly closed
    circle.flags.writeable = False
    return circle


def ellipse_points(mean: Any, cov: Any, coverage: float = 0.95, n_points: int = 100) -> np.ndarray:
    """Closed polygon tracing the ``coverage`` ellipse of a 2D Gaussian.

    Parameters
    ----------
    mean : array of shape (2,)
    cov : array of shape (2, 2)
        Symmetric positive semi-definite.
    coverage : float
        Probability mass inside the ellipse.
    n_points : int
        Vertices, including the first one repeated at the end.

    Returns
    -------
    array of shape (n_points, 2)
        Every row satisfies ``(x-μ)ᵀ Σ⁻¹ (x-μ) = chi2_radius(coverage, 2)²``.
    """
    m, c = _check_mean_cov(mean, cov, 2)
    return ellipses_points(m[None], c[None], coverage, n_points)[0]


def ellipses_points(
    means: Any, covs: Any, coverage: float = 0.95, n_points: int = 100
) -> np.ndarray:
    """Vectorised :func:`ellipse_points` for K components at once.

    Parameters
    ----------
    means : array of shape (K, 2)
    covs : array of shape (K, 2, 2)
    coverage : float
    n_points : int

    Returns
    -------
    array of shape (K, n_points, 2)
    """
    n_points = check_int(n_points, "n_points", 4)
    means = np.asarray(means, dtype=np.float64)
    covs = np.asarray(covs, dtype=np.float64)
    r = chi2_radius(coverage, 2)
    a = _sqrt_factor(covs)  # (K, 2, 2)
    return means[:, None, :] + r * _unit_circle(int(n_points)) @ np.swapaxes(a, 1, 2)


@lru_cache(maxsize=16)
def _unit_sphere(resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """UV sphere: ``resolution`` latitude bands, ``2·resolution`` longitudes, two poles."""
    n_lat, n_lon = resolution, 2 * resolution
    theta = np.linspace(0.0, np.pi, n_lat + 1)[1:-1]  # interior latitudes
    phi = np.linspace(0.0, 2.0 * np.pi, n_lon, endpoint=False)
    st, ct = np.sin(theta)[:, None], np.cos(theta)[:, None]
    ring = np.stack(
        [st * np.cos(phi), st * np.sin(phi), np.broadcast_to(ct, (n_lat - 1, n_lon))], axis=-1
    ).reshape(-1, 3)
    verts = np.vstack([[0.0, 0.0, 1.0], ring, [0.0, 0.0, -1.0]])
    south = len(verts) - 1

    def idx(i, j):
        return 1 + i * n_lon + (j % n_lon)

    j = np.arange(n_lon)
    faces = [np.stack([np.zeros(n_lon, int), idx(0, j), idx(0, j + 1)], axis=1)]
    for i in range(n_lat - 2):
        a, b, c, d = idx(i, j), idx(i, j + 1), idx(i + 1, j), idx(i + 1, j + 1)
        faces += [np.stack([a, c, b], axis=1), np.stack([b, c, d], axis=1)]
    last = n_lat - 2
    faces.append(np.stack([np.full(n_lon, south), idx(last, j + 1), idx(last, j)], axis=1))
    f = np.vstack(faces).astype(np.int32)
    verts.flags.writeable = False
    f.flags.writeable = False
    return verts, f


def ellipsoid_mesh(
    mean: Any, cov: Any, coverage: float = 0.95, resolution: int = 16
) -> tuple[np.ndarray, np.ndarray]:
    """Triangulated surface of the ``coverage`` ellipsoid of a 3D Gaussian.

    A UV sphere is mapped through ``r · V Λ^½`` (eigh of the covariance) and shifted by
    the mean; the face list is shared by every ellipsoid of the same ``resolution``.

    Parameters
    ----------
    mean : array of shape (3,)
    cov : array of shape (3, 3)
    coverage : float
    resolution : int
        Latitude bands (≥ 3); the sphere has ``2·resolution`` longitudes.

    Returns
    -------
    vertices : array of shape (V, 3)
        ``V = (resolution-1)·2·resolution + 2``; each satisfies
        ``(x-μ)ᵀ Σ⁻¹ (x-μ) = chi2_radius(coverage, 3)²``.
    faces : int32 array of shape (F, 3)
        Vertex indices of the triangles, ``F = 4·resolution·(resolution-1)``.
    """
    resolution = check_int(resolution, "resolution", 3)
    m, c = _check_mean_cov(mean, cov, 3)
    sphere, faces = _unit_sphere(int(resolution))
    verts = m + chi2_radius(coverage, 3) * sphere @ _sqrt_factor(c).T
    return verts, faces


def principal_sections(
    mean: Any, cov: Any, coverage: float = 0.95, n_points: int = 48
) -> np.ndarray:
    """The three principal cross-sections of a 3D coverage ellipsoid, as a wireframe.

    Parameters
    ----------
    mean : array of shape (3,)
    cov : array of shape (3, 3)
    coverage : float
    n_points : int
        Vertices per closed ellipse.

    Returns
    -------
    array of shape (3 * (n_points + 1), 3)
        Three closed ellipses separated by rows of NaN (a line trace breaks there).
    """
    m, c = _check_mean_cov(mean, cov, 3)
    a = chi2_radius(coverage, 3) * _sqrt_factor(c)
    circ = _unit_circle(int(n_points))
    out = np.full((3, n_points + 1, 3), np.nan)
    for s, (i, j) in enumerate(((0, 1), (1, 2), (0, 2))):
        out[s, :n_points] = m + circ[:, :1] * a[:, i] + circ[:, 1:] * a[:, j]
    return out.reshape(-1, 3)


# --------------------------------------------------------------------------------------
# 1D densities
# --------------------------------------------------------------------------------------
def mixture_density_1d(grid: Any, params: Any) -> tuple[np.ndarray, np.ndarray]:
    """Weighted component densities and the mixture density of a 1D mixture on a grid.

    Computed in log space (``ln π_k − ½ ln 2πσ² − (x-μ)²/2σ²``) and exponentiated once.

    Parameters
    ----------
    grid : array of shape (G,)
    params : Params
        A mixture with one feature.

    Returns
    -------
    components : array of shape (K, G)
        ``π_k N(x_g; μ_k, σ_k²)``.
    mixture : array of shape (G,)
        Their sum ``p(x_g)``.
    """
    if params.n_features != 1:
        raise error(ParameterError, "geometry.density_1d_features", d=params.n_features)
    x = np.asarray(grid, dtype=np.float64).reshape(-1)
    mu = params.means[:, 0]
    var = params.covariances[:, 0, 0]
    if np.any(var <= 0):
        raise error(ParameterError, "geometry.density_1d_variances")
    with np.errstate(divide="ignore"):
        log_w = np.log(params.weights)
    log_comp = (
        log_w[:, None]
        - 0.5 * (LOG_2PI + np.log(var))[:, None]
        - 0.5 * (x[None, :] - mu[:, None]) ** 2 / var[:, None]
    )
    comp = np.exp(log_comp)
    return comp, comp.sum(axis=0)


def responsibility_bands_1d(grid: Any, params: Any) -> np.ndarray:
    """Responsibilities ``r_k(x) = π_k N(x) / p(x)`` as functions of x on a grid.

    Parameters
    ----------
    grid : array of shape (G,)
    params : Params
        A mixture with one feature.

    Returns
    -------
    array of shape (K, G)
        Columns sum to 1 (log-sum-exp, so far tails stay finite).
    """
    x = np.asarray(grid, dtype=np.float64).reshape(-1)
    mu = params.means[:, 0]
    var = params.covariances[:, 0, 0]
    with np.errstate(divide="ignore"):
        log_w = np.log(params.weights)
    lc = log_w[:, None] - 0.5 * np.log(var)[:, None] - 0.5 * (x - mu[:, None]) ** 2 / var[:, None]
    lc -= lc.max(axis=0, keepdims=True)
    r = np.exp(lc)
    return r / r.sum(axis=0, keepdims=True)


# --------------------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------------------
def hex_to_rgb(colors: Any) -> np.ndarray:
    """``"#RRGGBB"`` strings to an array of shape (n, 3) of uint8."""
    try:
        return np.array(
            [[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in colors], dtype=np.uint8
        ).reshape(-1, 3)
    except (ValueError, TypeError, IndexError) as exc:
        raise error(ParameterError, "geometry.colours", value=colors) from exc


def cycle_palette(palette_rgb: Any, n_components: int) -> np.ndarray:
    """The first ``n_components`` colours of a palette, cycling when it is too short.

    Returns
    -------
    array of shape (n_components, 3) of uint8
    """
    pal = np.asarray(palette_rgb, dtype=np.uint8).reshape(-1, 3)
    return pal[np.arange(n_components) % len(pal)]


def blend_colors(resp: Any, palette_rgb: Any) -> np.ndarray:
    """Soft colouring: each point's colour is the responsibility-weighted mean of the palette.

    Parameters
    ----------
    resp : array of shape (n, K)
        Rows sum to 1 (one-hot rows give the palette colour exactly).
    palette_rgb : array of shape (K', 3) of uint8
        Component colours; cycled if ``K' < K``.

    Returns
    -------
    array of shape (n, 3) of uint8
    """
    r = np.asarray(resp, dtype=np.float32)
    if r.ndim != 2:
        raise error(ParameterError, "geometry.resp_shape", shape=r.shape)
    pal = cycle_palette(palette_rgb, r.shape[1]).astype(np.float32)
    return np.clip(np.rint(r @ pal), 0, 255).astype(np.uint8)


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def rgb_strings(rgb: Any) -> np.ndarray:
    """Vectorised ``"#rrggbb"`` strings (what Plotly accepts as per-point colours).

    Parameters
    ----------
    rgb : array of shape (n, 3) of uint8

    Returns
    -------
    array of shape (n,) of dtype ``<U7``
    """
    c = np.asarray(rgb, dtype=np.uint8).reshape(-1, 3)
    out = np.empty((len(c), 7), dtype=np.uint8)
    out[:, 0] = ord("#")
    out[:, 1::2] = _HEX_DIGITS[c >> 4]
    out[:, 2::2] = _HEX_DIGITS[c & 15]
    return out.view("S7").reshape(-1).astype("U7")


def quantized_blend(resp: Any, max_codes: int = 255) -> tuple[np.ndarray, np.ndarray]:
    """Compress soft responsibilities into one small integer code per point.

    Each point keeps its two most responsible components ``a, b`` and the share
    ``t = r_b / (r_a + r_b)`` rounded to 0, ¼ or ½; the code indexes a table of weight
    vectors. Colouring the table with :func:`blend_colors` approximates the full soft
    blend with one byte per point, which is what an animation frame can afford. When K is
    so large that the pair table would exceed ``max_codes``, only hard labels are kept.

    Parameters
    ----------
    resp : array of shape (n, K)
    max_codes : int
        Largest table allowed (255 keeps codes in uint8).

    Returns
    -------
    codes : array of shape (n,) of uint8 (uint16 if K > 255)
    table : array of shape (M, K)
        Weight vectors; row ``k < K`` is the one-hot vector of component k.
    """
    r = np.asarray(resp, dtype=np.float64)
    k = r.shape[1]
    dtype = np.uint8 if k <= 255 else np.uint16
    eye = np.eye(k)
    n_pairs = k * (k - 1) // 2
    if k == 1 or k + 3 * n_pairs > max_codes:
        return np.argmax(r, axis=1).astype(dtype), eye
    # top two per row by a pass over the (few) columns: far faster than argsort/argmax
    # along a short axis
    cols = np.ascontiguousarray(r.T)
    ra, rb = cols[0].copy(), np.full(len(r), -1.0)
    a, b = np.zeros(len(r), dtype=np.intp), np.zeros(len(r), dtype=np.intp)
    for j in range(1, k):
        c = cols[j]
        first, second = c > ra, c > rb
        b = np.where(first, a, np.where(second, j, b))
        rb = np.where(first, ra, np.where(second, c, rb))
        a = np.where(first, j, a)
        ra = np.where(first, c, ra)
    level = np.rint(4.0 * rb / np.maximum(ra + rb, 1e-300)).astype(int)  # 0, 1 or 2
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    # pair (lo, hi) with lo < hi → 0..n_pairs-1; level 1 leans to a, level 2 is half-half
    iu_lo, iu_hi = np.triu_indices(k, 1)
    pair_index = np.full((k, k), -1)
    pair_index[iu_lo, iu_hi] = np.arange(n_pairs)
    p = pair_index[lo, hi]
    lean = np.where(a == lo, 0, 1)  # which end the 75 % weight sits on
    codes = np.where(level == 0, a, np.where(level == 2, k + p, k + n_pairs + 2 * p + lean)).astype(
        dtype
    )
    half = 0.5 * (eye[iu_lo] + eye[iu_hi])
    lean_lo = 0.75 * eye[iu_lo] + 0.25 * eye[iu_hi]
    lean_hi = 0.25 * eye[iu_lo] + 0.75 * eye[iu_hi]
    leaning = np.stack([lean_lo, lean_hi], axis=1).reshape(-1, k)
    return codes, np.vstack([eye, half, leaning])


# --------------------------------------------------------------------------------------
# Summaries for tables
# --------------------------------------------------------------------------------------
def _angle_2d(vecs: np.ndarray) -> dict[str, float]:
    major = vecs[:, -1]
    angle = float(np.degrees(np.arctan2(major[1], major[0])))
    # an axis has no direction: fold into (-90, 90]
    if angle <= -90.0:
        angle += 180.0
    elif angle > 90.0:
        angle -= 180.0
    return {"angle_deg": angle}


_EXTRA_SUMMARY: dict[int, Callable[[np.ndarray], dict[str, float]]] = {2: _angle_2d}


def covariance_summary(cov: Any) -> dict[str, Any]:
    """Human-readable shape of a covariance matrix.

    Parameters
    ----------
    cov : array of shape (D, D)

    Returns
    -------
    dict
        ``"principal_sd"``: array of shape (D,), standard deviations along the principal
        axes, largest first; ``"principal_axes"``: array of shape (D, D), the matching unit
        vectors as columns; ``"determinant"``: float; ``"condition"``: ratio of the largest
        to the smallest principal variance; and for D = 2, ``"angle_deg"``: angle of the major
        axis from the x-axis in degrees, in (-90, 90].
    """
    c = np.asarray(cov, dtype=np.float64)
    if c.ndim != 2 or c.shape[0] != c.shape[1]:
        raise error(ParameterError, "geometry.square", shape=c.shape)
    vals, vecs = np.linalg.eigh(c)
    vals = np.clip(vals, 0.0, None)
    out: dict[str, Any] = {
        "principal_sd": np.sqrt(vals[::-1]),
        "principal_axes": vecs[:, ::-1],
        "determinant": float(np.linalg.det(c)),
        "condition": float(vals[-1] / vals[0]) if vals[0] > 0 else float("inf"),
    }
    out.update(_EXTRA_SUMMARY.get(c.shape[0], lambda _v: {})(vecs))
    return out
