"""Pure tests of the lab figure builders and of the engine facts the labs teach."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.data.synthetic import make_preset
from emviz.engine.em import aic, bic, initialize, run_em
from emviz.engine.kmeans import assign_labels, kmeans_run, soft_kmeans_resp, soft_kmeans_run
from emviz.engine.restarts import run_restarts, same_optimum
from emviz.engine.selection import model_selection
from emviz.errors import ParameterError
from emviz.figures import labs as fl
from emviz.figures.mixture import FigureOptions
from emviz.model.params import Params
from tests.builders import IRIS_FLAT_OPTIMUM, IRIS_TRUSTED_OPTIMUM

RNG = np.random.default_rng(0)
X2 = np.vstack([RNG.normal(0, 1, (60, 2)), RNG.normal(6, 1, (60, 2)),
                RNG.normal([0, 7], 1, (60, 2))])


@pytest.fixture(scope="module")
def restarts():
    return run_restarts(X2, 3, 8, methods=("random", "kmeans++"), tol=1e-4)


# --- Voronoi geometry ------------------------------------------------------------------------
@pytest.mark.parametrize("k", [2, 3, 5])
def test_voronoi_cells_are_the_nearest_centre_regions(k):
    centres = np.random.default_rng(k).uniform(-3, 3, (k, 2))
    box = ((-5.0, 5.0), (-4.0, 6.0))
    cells = fl.voronoi_cells(centres, box)
    def shoelace(c):
        x, y = c[:, 0], c[:, 1]
        return 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))

    area = sum(shoelace(c) for c in cells if len(c) >= 3)
    assert area == pytest.approx(10 * 10)  # the cells tile the box
    for j, cell in enumerate(cells):  # the centroid of each cell is nearest its own centre
        assert assign_labels(cell.mean(axis=0)[None], centres)[0] == j


def test_voronoi_duplicate_centre_owns_nothing_and_bad_shape_raises():
    cells = fl.voronoi_cells([[0, 0], [0, 0], [2, 0]], ((-1, 3), (-1, 1)))
    assert len(cells[1]) == 0 and len(cells[0]) >= 3
    with pytest.raises(ParameterError):
        fl.voronoi_cells(np.zeros((3, 3)), ((0, 1), (0, 1)))
    assert fl.voronoi_edges_1d([[2.0], [0.0], [2.0]]).tolist() == [1.0]


# --- k-means panels --------------------------------------------------------------------------
@pytest.mark.parametrize("d", [1, 2, 3])
def test_kmeans_figure_hard_colours_in_every_dimension(d):
    X = RNG.normal(size=(90, d))
    tr = kmeans_run(X, 3, seed=0)
    fig = fl.kmeans_figure(X, tr.final_centers, tr.final_labels, FigureOptions(presenter=True))
    names = [tr_.name for tr_ in fig.data]
    if d == 2:
        assert names.count("Voronoi boundary") >= 2 and "centres" in names
    if d == 1:
        assert len(fig.layout.shapes) == 2


def test_kmeans_figure_checks_labels_and_translates():
    with pytest.raises(ParameterError):
        fl.kmeans_figure(X2, X2[:3], np.zeros(5, int))
    fig = fl.kmeans_figure(X2, X2[:3], assign_labels(X2, X2[:3]), text={"centres": "中心"})
    assert "中心" in [t.name for t in fig.data]


def test_soft_kmeans_and_limit_figures():
    c = X2[[0, 70, 130]]
    fig = fl.soft_kmeans_figure(X2, c, 0.5, soft_kmeans_resp(X2, c, 0.5))
    assert len(fig.data) > 3
    with pytest.raises(ParameterError):
        fl.soft_kmeans_figure(X2, c, 0.0, None)
    lim = fl.kmeans_limit_figure([0.1, 1, 2], [1, 0.9, 0.5], [1, 0.8, 0.6], current=1.0)
    assert len(lim.data) == 2 and lim.layout.xaxis.type == "log"


# --- soft k-means limit ---------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_soft_kmeans_assignments_equal_kmeans_as_sigma_goes_to_zero(seed):
    X = make_preset("unequal_sizes", seed).X
    c0 = X[np.random.default_rng(seed).choice(len(X), 3, replace=False)]
    hard = kmeans_run(X, 3, init=c0).final_labels
    soft = soft_kmeans_run(X, c0, 1e-3)
    resp = soft_kmeans_resp(X, soft.final_centers, 1e-3)
    assert np.array_equal(resp.argmax(axis=1), hard)
    assert resp.max(axis=1).min() == pytest.approx(1.0)
    wide = soft_kmeans_resp(X, soft.final_centers, 10.0)
    assert wide.max(axis=1).mean() < 0.6  # large σ: shared, not hard


# --- restarts ---------------------------------------------------------------------------------
def test_restarts_histogram_marks_ninit_pick(restarts):
    fig = fl.restarts_histogram(restarts, text={"ninit_pick": "PICK"})
    assert [t.type for t in fig.data] == ["histogram", "histogram"]
    assert any("PICK" in a.text for a in fig.layout.annotations)
    assert sum(len(t.x) for t in fig.data) == len(restarts.restarts)


def test_restarts_histogram_labels_run_into_the_side_with_room():
    """Iris, K = 3, all 4 columns (the lab's preset): the best trustworthy optimum −180.19 sits
    near the left edge; its label must run rightwards, not past the y axis where it was cut."""
    from pathlib import Path

    from emviz.data.csv import load_csv

    table = load_csv((Path(__file__).resolve().parents[2] / "assets" / "iris.csv").read_bytes())
    X = table.select(list(table.numeric_columns)).X
    res = run_restarts(X, 3, 6, ("kmeans++",), "full", 1e-6, 200, 1e-6, seed=570)
    assert res.best.log_likelihood == pytest.approx(IRIS_FLAT_OPTIMUM, abs=0.01)
    assert res.recommended.log_likelihood == pytest.approx(IRIS_TRUSTED_OPTIMUM, abs=0.01)
    fig = fl.restarts_histogram(res)
    lo, hi = fig.layout.xaxis.range
    lines = [s.x0 for s in fig.layout.shapes]
    anns = list(fig.layout.annotations)
    assert len(anns) == len(lines) == 2
    for line, ann in zip(lines, anns, strict=True):
        room_right = (hi - line) / (hi - lo)
        if ann.xanchor == "left":  # text to the right of its line, where there is more room
            assert room_right >= 0.5 and ann.x > line
        else:
            assert ann.xanchor == "right" and room_right <= 0.5 and ann.x < line
        assert lo < ann.x < hi
    rec = next(a for a in anns if f"best trustworthy: {IRIS_TRUSTED_OPTIMUM:.2f}" in a.text)
    assert rec.xanchor == "left"
    pick = next(a for a in anns if f"n_init keeps: {IRIS_FLAT_OPTIMUM:.2f}" in a.text)
    assert pick.xanchor == "right"


def test_optima_gallery_one_panel_per_optimum(restarts):
    fig = fl.optima_gallery(X2, restarts, max_optima=4)
    shown = min(4, len(restarts.optima))
    assert len(fig.layout.annotations) == shown
    assert "★" in fig.layout.annotations[restarts.best_index].text
    means = [t for t in fig.data if t.customdata is not None]
    assert sorted({int(t.customdata[0]) for t in means}) == list(range(shown))


def test_gallery_draws_marginals_above_two_features():
    X4 = np.hstack([X2, RNG.normal(size=(len(X2), 2))])
    res = run_restarts(X4, 2, 3, tol=1e-3)
    fig = fl.optima_gallery(X4, res, dims=(2, 3))
    assert len(fig.data) >= 3


def test_method_stats_table(restarts):
    table = fl.method_stats_table(restarts)
    assert list(table["init method"]) == ["random", "kmeans++"]
    assert table["restarts"].tolist() == [8, 8]
    assert table["reach n_init pick"].between(0, 1).all()


# --- basin map ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bmap(restarts):
    from emviz.engine.basins import basin_map

    start = initialize(X2, 3, "kmeans++", 1, "full", 1e-6)
    return basin_map(X2, start, 1, "full", 1e-6, 100, 1e-4, grid=(16, 12), known=restarts)


def _decoded(value):
    import base64

    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"])
        shape = value.get("shape")
        if isinstance(shape, str):
            shape = tuple(int(n) for n in shape.split(","))
        return flat.reshape(shape) if shape else flat
    return np.asarray(value)


def test_basin_figure_colours_each_cell_by_its_optimum(bmap):
    fig = fl.basin_figure(X2, bmap, text={"basin_cells": "starts"}).to_plotly_json()
    heat = fig["data"][0]
    slots = _decoded(heat["z"]).astype(float)
    assert heat["type"] == "heatmap" and slots.shape == (12, 16)
    shown = fl.shown_basins(bmap)
    for j, i in enumerate(shown):  # a colour slot per shown optimum, in number order
        np.testing.assert_array_equal(slots == j, bmap.labels == i)
    others = ~np.isin(bmap.labels, shown)
    assert np.all(slots[others] == len(shown))  # the rest share the last (grey) slot
    scale = heat["colorscale"]
    assert scale[-1][1] == fl.BASIN_OTHER_HEX and scale[0][1] == fl.BASIN_PALETTE[0]
    names = [d.get("name") for d in fig["data"]]
    legend = [n for n in names if n and n.startswith("#")]
    assert len(legend) == len(shown)
    assert legend[0].startswith(f"#{shown[0] + 1} · ln L = ")
    cells = next(d for d in fig["data"] if d.get("name") == "starts")
    custom = _decoded(cells["customdata"]).reshape(-1, 5)
    assert custom.shape == (12 * 16, 5)
    np.testing.assert_array_equal(custom[:, 2].reshape(12, 16), bmap.labels + 1)
    np.testing.assert_array_equal(_decoded(cells["x"]).reshape(12, 16)[0], bmap.xs)
    np.testing.assert_array_equal(_decoded(cells["y"]).reshape(12, 16)[:, 0], bmap.ys)


def test_basin_figure_hatches_exactly_the_near_degenerate_cells(bmap):
    fig = fl.basin_figure(X2, bmap).to_plotly_json()
    flagged = np.array([b.suspicious for b in bmap.basins])[bmap.labels]
    assert flagged.any() and not flagged.all()  # this map has both kinds
    (hatch,) = [d for d in fig["data"] if d.get("name") == fl.TEXT["basin_hatch"]]
    assert len(_decoded(hatch["x"])) == flagged.sum()
    for i in fl.shown_basins(bmap):
        name = fl.basin_names(bmap)[i]
        assert name.endswith(" · ⚠") == bmap.basins[i].suspicious
        assert (" · new" in name) == (not bmap.basins[i].from_restarts)


def test_basin_figure_draws_the_start_and_numbers_regions(bmap):
    fig = fl.basin_figure(X2, bmap, FigureOptions(column_names=("a", "b"))).to_plotly_json()
    fixed = next(d for d in fig["data"] if d.get("name") == "fixed starting means")
    np.testing.assert_array_equal(_decoded(fixed["x"]), bmap.start.means[[0, 2], 0])
    swept = next(d for d in fig["data"] if d.get("name") == "component 2's own start")
    assert _decoded(swept["x"])[0] == bmap.start.means[1, 0]
    labels = {a["text"].split()[0] for a in fig["layout"]["annotations"]}
    assert labels == {f"#{i + 1}" for i in fl.shown_basins(bmap)}
    assert fig["layout"]["xaxis"]["title"]["text"] == "a"
    assert fig["layout"]["clickmode"] == "event+select"


def test_shown_basins_are_the_largest_in_number_order(bmap):
    top = fl.shown_basins(bmap, 2)
    cells = [b.n_cells for b in bmap.basins]
    assert top == sorted(top) and len(top) == min(2, sum(c > 0 for c in cells))
    assert min(cells[i] for i in top) >= max(
        [c for i, c in enumerate(cells) if i not in top] or [0])


def test_basin_figure_refuses_data_that_is_not_2d(bmap):
    with pytest.raises(ParameterError):
        fl.basin_figure(X2[:, :1], bmap)


def test_dedup_treats_relabelled_optimum_as_the_same():
    tr = run_em(X2, initialize(X2, 3, "kmeans++", 0), "full", 1e-6, 200, 1e-8)
    p = tr.final
    swapped = p.relabel([2, 0, 1])
    ll = float(tr.log_likelihood[-1])
    assert same_optimum(p, ll, swapped, ll, X2.std(axis=0))


# --- model selection ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def grid():
    return model_selection(X2, range(1, 5), n_init=1, tol=1e-4)


def test_selection_figure_best_and_true_k(grid):
    fig = fl.selection_figure(grid, "bic", true_k=3, options=FigureOptions(presenter=True))
    assert [t.name for t in fig.data][:4] == ["full", "tied", "diag", "spherical"]
    star = fig.data[-1]
    assert star.marker.symbol == "star" and star.x[0] == grid.best_bic.n_components
    assert fig.layout.shapes[0].x0 == 3
    aic_fig = fl.selection_figure(grid, "aic")
    assert aic_fig.data[-1].y[0] == pytest.approx(grid.best_aic.aic)
    with pytest.raises(ParameterError):
        fl.selection_figure(grid, "hqc")


def test_selection_figure_stars_the_recommended_cell_and_hollows_the_passed_over_best():
    from emviz.data.csv import load_csv
    from emviz.ui.cache import ASSETS

    table = load_csv(ASSETS / "old_faithful.csv")
    X = table.select(list(table.numeric_columns)).X
    # random_from_data starts on Old Faithful's whole-minute waiting times: the lowest BIC
    # comes from a component flattened onto a few of them.
    res = model_selection(X, range(1, 11), init="random_from_data", reg_covar=1e-6, tol=1e-4)
    best, rec = res.best("bic"), res.recommended("bic")
    assert best is not rec and best.suspicious
    fig = fl.selection_figure(res, "bic")
    star, hollow = fig.data[-1], fig.data[-2]
    assert star.marker.symbol == "star"
    assert (star.x[0], star.y[0]) == (rec.n_components, pytest.approx(rec.bic))
    assert star.name == f"recommended: K = {rec.n_components}, {rec.covariance_type}"
    assert hollow.marker.symbol == "star-open"
    assert (hollow.x[0], hollow.y[0]) == (best.n_components, pytest.approx(best.bic))
    cell = f"K = {best.n_components}, {best.covariance_type}"
    assert hollow.name == f"lowest BIC, passed over: {cell}"
    hover = hollow.hovertemplate.replace("<br>", " ")
    assert "lowest BIC, but component" in hover and "is flat" in hover
    assert list(hollow.customdata[0]) == [best.n_components, best.covariance_type]
    # The UI passes the reason translated; the words drawn are its own.
    fig = fl.selection_figure(res, "bic", passed_over="理由", text={"sel_passed": "採らない {k}"})
    assert fig.data[-2].name == f"採らない {best.n_components}"
    assert "理由" in fig.data[-2].hovertemplate
    # When the best is also the recommended cell, one filled star and no hollow one.
    same = model_selection(X, range(1, 5), reg_covar=1e-6, tol=1e-4)
    assert same.best("bic") is same.recommended("bic")
    symbols = [t.marker.symbol for t in fl.selection_figure(same, "bic").data]
    assert symbols.count("star") == 1 and "star-open" not in symbols
    assert fl.selection_figure(same, "bic").data[-1].name.startswith("best: K = 3")


def test_selection_table_matches_grid(grid):
    table = fl.selection_table(grid, "bic")
    assert table.shape == (4, 4)
    assert table.loc[grid.best_bic.n_components, grid.best_bic.covariance_type] == pytest.approx(
        np.nanmin(grid.bic))


@pytest.mark.parametrize("cov", ["full", "tied", "diag", "spherical"])
def test_bic_aic_equal_scikit_learn(cov):
    sklearn = pytest.importorskip("sklearn.mixture")
    gm = sklearn.GaussianMixture(3, covariance_type=cov, random_state=0).fit(X2)
    full = {"full": lambda c: c, "tied": lambda c: np.repeat(c[None], 3, 0),
            "diag": lambda c: np.array([np.diag(v) for v in c]),
            "spherical": lambda c: np.array([v * np.eye(2) for v in c])}
    covs = full[cov](gm.covariances_)
    p = Params(gm.weights_, gm.means_, covs)
    assert bic(X2, p, cov) == pytest.approx(gm.bic(X2), rel=1e-10)
    assert aic(X2, p, cov) == pytest.approx(gm.aic(X2), rel=1e-10)
