"""Tests for emviz.figures.geometry: coverage (Monte Carlo), exact radii, densities, colours."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from emviz.errors import ParameterError
from emviz.figures import geometry as g
from emviz.model.params import Params

COV2 = np.array([[2.0, 0.9], [0.9, 0.7]])
COV3 = np.array([[2.0, 0.5, -0.3], [0.5, 1.0, 0.2], [-0.3, 0.2, 0.4]])


def _mahalanobis_sq(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    d = x - mean
    return np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d)


# --- radii and intervals ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("coverage", "dim", "expected"),
    [(0.95, 1, 1.959963984540054), (0.5, 2, np.sqrt(2 * np.log(2))), (0.95, 2, 2.447746830680816)],
)
def test_chi2_radius_known_values(coverage, dim, expected):
    assert g.chi2_radius(coverage, dim) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5])
def test_chi2_radius_rejects_bad_coverage(bad):
    with pytest.raises(ParameterError, match="coverage"):
        g.chi2_radius(bad, 2)


def test_interval_1d_matches_norm_ppf():
    lo, hi = g.interval_1d(1.0, 4.0, 0.9)
    assert lo == pytest.approx(stats.norm.ppf(0.05, 1.0, 2.0), rel=1e-12)
    assert hi == pytest.approx(stats.norm.ppf(0.95, 1.0, 2.0), rel=1e-12)


# --- exact radii --------------------------------------------------------------------------
@pytest.mark.parametrize("coverage", [0.5, 0.95])
def test_ellipse_points_lie_on_mahalanobis_radius(coverage):
    mean = np.array([1.5, -2.0])
    pts = g.ellipse_points(mean, COV2, coverage, n_points=100)
    assert pts.shape == (100, 2)
    np.testing.assert_array_equal(pts[0], pts[-1])
    r2 = g.chi2_radius(coverage, 2) ** 2
    np.testing.assert_allclose(_mahalanobis_sq(pts, mean, COV2), r2, atol=1e-10, rtol=0)


def test_ellipses_points_batch_equals_single():
    means = np.array([[0.0, 0.0], [3.0, 1.0]])
    covs = np.stack([COV2, np.eye(2) * 0.3])
    batch = g.ellipses_points(means, covs, 0.95, 50)
    for k in range(2):
        np.testing.assert_allclose(batch[k], g.ellipse_points(means[k], covs[k], 0.95, 50))


@pytest.mark.parametrize("resolution", [3, 8, 16])
def test_ellipsoid_vertices_lie_on_mahalanobis_radius(resolution):
    mean = np.array([1.0, 2.0, -1.0])
    verts, faces = g.ellipsoid_mesh(mean, COV3, 0.95, resolution)
    assert faces.dtype == np.int32
    assert verts.shape == ((resolution - 1) * 2 * resolution + 2, 3)
    assert faces.shape == (4 * resolution * (resolution - 1), 3)
    assert faces.min() == 0 and faces.max() == len(verts) - 1
    r2 = g.chi2_radius(0.95, 3) ** 2
    np.testing.assert_allclose(_mahalanobis_sq(verts, mean, COV3), r2, atol=1e-10, rtol=0)


def test_ellipsoid_mesh_is_closed_and_outward():
    verts, faces = g.ellipsoid_mesh(np.zeros(3), COV3, 0.9, 10)
    # closed 2-manifold: every edge is shared by exactly two triangles
    edges = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    _, counts = np.unique(edges, axis=0, return_counts=True)
    assert np.all(counts == 2)
    tri = verts[faces]
    normal = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    assert np.all(np.einsum("ij,ij->i", normal, tri.mean(axis=1)) > 0)


def test_principal_sections_on_radius():
    mean = np.array([0.5, 0.0, 1.0])
    wire = g.principal_sections(mean, COV3, 0.95, 24)
    pts = wire[~np.isnan(wire).any(axis=1)]
    assert len(pts) == 3 * 24
    np.testing.assert_allclose(
        _mahalanobis_sq(pts, mean, COV3), g.chi2_radius(0.95, 3) ** 2, atol=1e-10
    )


# --- coverage by Monte Carlo ---------------------------------------------------------------
def _inside_polygon(pts: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Even-odd ray casting, vectorised over points."""
    x, y = pts[:, 0:1], pts[:, 1:2]
    x0, y0, x1, y1 = poly[:-1, 0], poly[:-1, 1], poly[1:, 0], poly[1:, 1]
    crosses = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return np.sum(crosses & (x < x_at), axis=1) % 2 == 1


@pytest.mark.parametrize("coverage", [0.5, 0.95])
def test_ellipse_coverage_monte_carlo(coverage):
    rng = np.random.default_rng(1)
    mean = np.array([2.0, -1.0])
    x = rng.multivariate_normal(mean, COV2, size=40_000)
    poly = g.ellipse_points(mean, COV2, coverage, n_points=400)
    assert abs(_inside_polygon(x, poly).mean() - coverage) < 0.01


@pytest.mark.parametrize(("coverage", "dim"), [(0.5, 1), (0.95, 1), (0.5, 3), (0.95, 3)])
def test_radius_coverage_monte_carlo(coverage, dim):
    rng = np.random.default_rng(2)
    cov = {1: np.array([[0.7]]), 3: COV3}[dim]
    x = rng.multivariate_normal(np.zeros(dim), cov, size=100_000)
    inside = _mahalanobis_sq(x, np.zeros(dim), cov) <= g.chi2_radius(coverage, dim) ** 2
    assert abs(inside.mean() - coverage) < 0.01


def test_interval_coverage_monte_carlo():
    rng = np.random.default_rng(3)
    x = rng.normal(1.0, 0.5, size=100_000)
    lo, hi = g.interval_1d(1.0, 0.25, 0.95)
    assert abs(np.mean((x >= lo) & (x <= hi)) - 0.95) < 0.01


# --- densities -----------------------------------------------------------------------------
PARAMS_1D = Params([0.3, 0.7], [[-1.0], [2.0]], [[[0.25]], [[1.5]]])


def test_mixture_density_1d_equals_scipy_and_integrates_to_one():
    grid = np.linspace(-12, 14, 20_001)
    comp, mix = g.mixture_density_1d(grid, PARAMS_1D)
    assert comp.shape == (2, grid.size) and mix.shape == (grid.size,)
    for k in range(2):
        expected = PARAMS_1D.weights[k] * stats.norm.pdf(
            grid, PARAMS_1D.means[k, 0], np.sqrt(PARAMS_1D.covariances[k, 0, 0])
        )
        np.testing.assert_allclose(comp[k], expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(mix, comp.sum(axis=0))
    assert np.trapezoid(mix, grid) == pytest.approx(1.0, abs=1e-6)
    assert np.trapezoid(comp[0], grid) == pytest.approx(0.3, abs=1e-6)


def test_mixture_density_1d_rejects_2d_params():
    p = Params([1.0], [[0.0, 0.0]], [np.eye(2)])
    with pytest.raises(ParameterError, match="1-feature"):
        g.mixture_density_1d(np.zeros(3), p)


def test_responsibility_bands_sum_to_one_and_match_ratio():
    grid = np.linspace(-50, 50, 301)
    bands = g.responsibility_bands_1d(grid, PARAMS_1D)
    np.testing.assert_allclose(bands.sum(axis=0), 1.0)
    comp, mix = g.mixture_density_1d(grid[100:200], PARAMS_1D)
    np.testing.assert_allclose(bands[:, 100:200], comp / mix, rtol=1e-10)


# --- colours ---------------------------------------------------------------------------------
PALETTE = np.array([[230, 159, 0], [86, 180, 233], [0, 158, 115]], dtype=np.uint8)


def test_blend_one_hot_gives_palette_exactly():
    resp = np.eye(3)[[0, 2, 1, 1, 0]]
    out = g.blend_colors(resp, PALETTE)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, PALETTE[[0, 2, 1, 1, 0]])


def test_blend_mixes_and_cycles_palette():
    out = g.blend_colors(np.array([[0.5, 0.5, 0.0]]), PALETTE)
    np.testing.assert_array_equal(out[0], np.rint((PALETTE[0].astype(float) + PALETTE[1]) / 2))
    # K = 4 with a 3-colour palette: component 3 reuses colour 0
    np.testing.assert_array_equal(g.blend_colors(np.eye(4)[[3]], PALETTE)[0], PALETTE[0])


def test_rgb_strings_and_hex_round_trip():
    s = g.rgb_strings(PALETTE)
    assert list(s) == ["#e69f00", "#56b4e9", "#009e73"]
    np.testing.assert_array_equal(g.hex_to_rgb(s), PALETTE)


def test_quantized_blend_codes_index_nearest_table_rows():
    rng = np.random.default_rng(4)
    resp = rng.dirichlet(np.full(4, 0.3), size=2000)
    codes, table = g.quantized_blend(resp)
    assert codes.dtype == np.uint8 and table.shape == (4 + 3 * 6, 4)
    np.testing.assert_allclose(table.sum(axis=1), 1.0)
    top = np.argmax(resp, axis=1)
    weights = table[codes]
    # the argmax component always carries the largest (possibly tied) weight
    np.testing.assert_array_equal(weights[np.arange(len(top)), top], weights.max(axis=1))
    confident = resp.max(axis=1) > 0.95
    np.testing.assert_array_equal(codes[confident], top[confident])
    # too many components for pair codes → hard labels
    codes_hard, table_hard = g.quantized_blend(np.eye(20)[[3, 19]])
    np.testing.assert_array_equal(codes_hard, [3, 19])
    assert table_hard.shape == (20, 20)


def test_covariance_summary_2d():
    s = g.covariance_summary(np.array([[4.0, 0.0], [0.0, 1.0]]))
    np.testing.assert_allclose(s["principal_sd"], [2.0, 1.0])
    assert s["determinant"] == pytest.approx(4.0)
    assert s["angle_deg"] == pytest.approx(0.0, abs=1e-12)
    rot = g.covariance_summary(np.array([[1.0, 0.9], [0.9, 1.0]]))
    assert rot["angle_deg"] == pytest.approx(45.0)
    assert "angle_deg" not in g.covariance_summary(COV3)
    assert g.covariance_summary(COV3)["determinant"] == pytest.approx(np.linalg.det(COV3))
