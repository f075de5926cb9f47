"""Tests for emviz.figures.mixture: trace structure, colours, animation frames and payload,
tables."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

from emviz.data.synthetic import make_preset
from emviz.engine.em import Trace, e_step, initialize, run_em
from emviz.errors import ParameterError
from emviz.figures import geometry as geo
from emviz.figures import mixture as F
from emviz.model.params import Params
from emviz.numbers import parse_sig, parse_sig_array


# --- builders ----------------------------------------------------------------------------
def _mixture_data(d: int, k: int = 3, n: int = 300, seed: int = 0) -> tuple[np.ndarray, Params]:
    rng = np.random.default_rng(seed)
    means = rng.normal(0.0, 4.0, size=(k, d))
    a = rng.normal(size=(k, d, d))
    covs = a @ np.swapaxes(a, 1, 2) * 0.3 + 0.3 * np.eye(d)
    weights = rng.dirichlet(np.full(k, 5.0))
    z = rng.choice(k, size=n, p=weights)
    chol = np.linalg.cholesky(covs)
    X = means[z] + np.einsum("nij,nj->ni", chol[z], rng.normal(size=(n, d)))
    return X, Params(weights, means, covs)


def _fit(X: np.ndarray, k: int = 3, max_iter: int = 20, tol: float = 1e-6) -> Trace:
    init = initialize(X, k, method="random_from_data", seed=1)
    return run_em(X, init, max_iter=max_iter, tol=tol)


@pytest.fixture(scope="module", params=[1, 2, 3])
def fitted(request):
    d = request.param
    X, truth = _mixture_data(d)
    trace = _fit(X)
    return X, truth, trace


def _names(fig) -> list[str]:
    return [t.name for t in fig.data]


def _decode(v) -> np.ndarray:
    """A trace array as NumPy, whether plotly kept an array or a base64 typed-array spec."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray(v)


# --- mixture_figure -------------------------------------------------------------------------
@pytest.mark.parametrize("with_resp", [False, True])
@pytest.mark.parametrize("with_truth", [False, True])
def test_mixture_figure_traces(fitted, with_resp, with_truth):
    X, truth, trace = fitted
    d, k = X.shape[1], 3
    params = trace.final
    resp = e_step(X, params).resp if with_resp else None
    fig = F.mixture_figure(X, params, resp, truth=truth if with_truth else None)
    names = _names(fig)
    for j in range(k):
        assert F.component_label(j, params.weights[j]) in names
    legend_names = [t.name for t in fig.data if t.showlegend is not False]
    assert len([nm for nm in legend_names if nm.startswith("k = ")]) == k
    truth_traces = [nm for nm in names if nm.startswith("truth")]
    assert len(truth_traces) == (1 if with_truth else 0)
    expected = {
        1: 1 + with_truth + k + 2 + (k + 1),  # hist, truth, comps, mixture, means, bands
        2: 1 + with_truth + 1 + k + 1 + 1,  # points, truth, halo, ellipses, means, legend
        3: 1 + with_truth + k + 1 + 1,  # points, truth, meshes, means, legend
    }[d]
    assert len(fig.data) == expected
    # component k is drawn in palette colour k
    comp = [
        t for t in fig.data if t.name and t.name.startswith("k = ") and t.showlegend is not False
    ]
    for j, t in enumerate(comp):
        color = t.color if d == 3 else t.line.color
        assert color == F.OKABE_ITO_HEX[j]
    assert fig.layout.uirevision == "emviz"


def test_points_soft_colours_and_grey_before_e_step():
    X, _ = _mixture_data(2, n=200)
    params = _fit(X).final
    resp = e_step(X, params).resp
    fig = F.mixture_figure(X, params, resp)
    marker = fig.data[0].marker
    codes = _decode(marker.color)
    assert codes.dtype == np.uint8  # base64 bytes, not a JSON list of colour strings
    stops = [hexcode for _, hexcode in marker.colorscale]
    assert (marker.cmin, marker.cmax) == (0, len(stops) - 1)
    # each point's colour is the palette blend of its quantised responsibilities...
    qcodes, table = geo.quantized_blend(resp)
    np.testing.assert_array_equal(codes, qcodes)
    shown = geo.hex_to_rgb(np.asarray(stops)[codes]).astype(float)
    np.testing.assert_array_equal(shown, geo.blend_colors(table[codes], F.OKABE_ITO_RGB[:3]))
    # ... close to the exact soft blend (only the top two components are mixed)
    exact = geo.blend_colors(resp, F.OKABE_ITO_RGB[:3]).astype(float)
    spread = float(np.ptp(F.OKABE_ITO_RGB[:3].astype(float), axis=0).max())
    assert np.abs(shown - exact).max() <= 0.25 * spread + 1
    hard = resp.max(axis=1) > 0.999
    np.testing.assert_array_equal(shown[hard], exact[hard])
    grey = F.mixture_figure(X, params, None)
    assert grey.data[0].marker.color == F.UNASSIGNED_HEX


def test_webgl_above_threshold_and_svg_below():
    X, _ = _mixture_data(2, n=F.WEBGL_THRESHOLD + 1)
    params = _fit(X, max_iter=2).final
    assert F.mixture_figure(X, params, None).data[0].type == "scattergl"
    assert F.mixture_figure(X[:500], params, None).data[0].type == "scatter"
    # overlays use the same renderer, or WebGL points would cover the ellipses
    assert {t.type for t in F.mixture_figure(X, params, None).data[:-1]} == {"scattergl"}


def test_palette_cycles_beyond_eight_components():
    X, _ = _mixture_data(2, k=10, n=400)
    params = _fit(X, k=10, max_iter=3).final
    fig = F.mixture_figure(X, params, e_step(X, params).resp)
    ellipses = [t for t in fig.data if t.name and t.name.startswith("k = ")]
    assert [t.line.color for t in ellipses] == [F.OKABE_ITO_HEX[j % 8] for j in range(10)]


def test_data_only_figure_and_options():
    X, _ = _mixture_data(2)
    opts = F.FigureOptions(
        presenter=True,
        column_names=("height", "weight"),
        title="T",
        max_points_note="showing 300 of 3,000 points",
    )
    fig = F.mixture_figure(X, None, None, options=opts)
    assert len(fig.data) == 1
    assert fig.layout.xaxis.title.text == "height" and fig.layout.yaxis.title.text == "weight"
    assert fig.layout.font.size >= 20 and fig.layout.xaxis.title.font.size >= 18
    assert any(a.text == "showing 300 of 3,000 points" for a in fig.layout.annotations)


def test_presenter_mode_is_bigger():
    X, _ = _mixture_data(2)
    params = _fit(X, max_iter=2).final
    normal = F.mixture_figure(X, params, None)
    big = F.mixture_figure(X, params, None, options=F.FigureOptions(presenter=True))
    ell = [t for t in big.data if t.name and t.name.startswith("k = ")]
    assert all(t.line.width >= 3 for t in ell)
    assert big.data[0].marker.size > normal.data[0].marker.size


def test_truth_hidden_when_show_truth_false():
    X, truth = _mixture_data(2)
    fig = F.mixture_figure(X, _fit(X).final, None, truth, F.FigureOptions(show_truth=False))
    assert not any(nm and nm.startswith("truth") for nm in _names(fig))


def test_more_than_three_features_is_a_clear_error():
    X = np.zeros((10, 4))
    with pytest.raises(ParameterError, match="1, 2 or 3 features"):
        F.mixture_figure(X, None, None)


def test_resp_shape_mismatch_is_an_error():
    X, _ = _mixture_data(2)
    with pytest.raises(ParameterError, match="resp"):
        F.mixture_figure(X, _fit(X).final, np.ones((5, 3)) / 3)


def test_1d_densities_match_geometry():
    X, truth = _mixture_data(1)
    params = _fit(X).final
    fig = F.mixture_figure(X, params, e_step(X, params).resp, truth)
    mix = next(t for t in fig.data if t.name == "mixture p(x)")
    _, expected = geo.mixture_density_1d(np.asarray(mix.x, dtype=np.float64), params)
    np.testing.assert_allclose(np.asarray(mix.y), expected, rtol=1e-5)
    bands = [t for t in fig.data if getattr(t, "yaxis", None) == "y2"]
    total = np.sum([np.asarray(b.y) for b in bands], axis=0)
    assert np.all((np.abs(total - 1) < 1e-5) | (total == 0))  # stacked bands fill [0, 1]


@pytest.mark.bench
def test_mixture_figure_build_time():
    """20,000 2D points, K = 10: far under the 50 ms target on an idle machine."""
    import time

    X, _ = _mixture_data(2, k=10, n=20_000)
    params = _fit(X[:2000], k=10, max_iter=3).final
    resp = e_step(X, params).resp
    F.mixture_figure(X, params, resp)  # warm caches (imports, chi² radii)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        F.mixture_figure(X, params, resp)
        times.append(time.perf_counter() - t0)
    assert min(times) < 0.5  # generous: shared CI runners are often heavily loaded


# --- animation_figure -----------------------------------------------------------------------
def test_animation_frames_and_controls(fitted):
    X, truth, trace = fitted
    resps = [e_step(X, p).resp for p in trace.params]
    fig = F.animation_figure(X, trace, resps, truth=truth)
    assert len(fig.frames) == 2 * trace.n_iter + 1
    assert [f.name for f in fig.frames] == [f"h{h}" for h in range(trace.n_half_steps)]
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps[:4]] == ["init", "it 1 · E", "it 1 · M", "it 2 · E"]
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert "▶ Play" in labels and "❚❚ Pause" in labels and "2×" in labels
    # E frames recolour, M frames move shapes; both chain to the previous frame
    e_frame, m_frame = fig.frames[1], fig.frames[2]
    assert e_frame.baseframe == "h0" and m_frame.baseframe == "h1"
    assert fig.frames[0].baseframe is None
    assert set(e_frame.traces).isdisjoint(m_frame.traces)
    assert set(fig.frames[0].traces) == set(e_frame.traces) | set(m_frame.traces)
    for f in fig.frames:
        for idx, tr in zip(f.traces, f.data, strict=True):
            assert tr.type == fig.data[idx].type


def test_animation_frame_content_matches_half_steps():
    X, _ = _mixture_data(2, n=300)
    trace = _fit(X, max_iter=5, tol=0)
    resps = [e_step(X, p).resp for p in trace.params]
    fig = F.animation_figure(X, trace, resps)
    k = 3
    # E frame of iteration 2 carries the quantised responsibilities of params[1]
    codes = _decode(fig.frames[3].data[0].marker.color)
    np.testing.assert_array_equal(codes, geo.quantized_blend(resps[1])[0])
    # the initial frame is all grey (the last colour of the scale)
    grey = _decode(fig.frames[0].data[-1].marker.color)
    assert np.all(grey == fig.data[0].marker.cmax)
    # M frame of iteration 2 carries the means of params[2]
    means = fig.frames[4].data[-1]
    np.testing.assert_allclose(_decode(means.x), trace.params[2].means[:, 0], rtol=1e-6)
    assert fig.frames[4].data[1].name == F.component_label(0, trace.params[2].weights[0])
    assert len(fig.frames[4].data) == k + 2


def test_animation_payload_budget():
    """N = 10,000 2D points, K = 3, 100 iterations: the JSON stays within 3 MB."""
    X, _ = _mixture_data(2, k=3, n=10_000, seed=3)
    trace = _fit(X, max_iter=100, tol=0)
    assert trace.n_iter == 100
    resps = [e_step(X, p).resp for p in trace.params]
    fig = F.animation_figure(X, trace, resps)
    size = len(fig.to_json())
    assert len(fig.frames) == 201
    assert size <= 3_000_000, f"animation JSON is {size / 1e6:.2f} MB"
    json.loads(fig.to_json())  # valid JSON


def test_animation_rejects_short_resps():
    X, _ = _mixture_data(2)
    trace = _fit(X, max_iter=3, tol=0)
    with pytest.raises(ParameterError, match="resps"):
        F.animation_figure(X, trace, [])


# --- loglik_figure --------------------------------------------------------------------------
def _trace_with_decreases() -> Trace:
    p = Params([1.0], [[0.0]], [[[1.0]]])
    ll = np.array([-100.0, -90.0, -90.5, -85.0, -95.0, -94.0])
    slack = np.array([0.0, 0.0, 1.0, 0.0, 0.001, 0.0])  # it 2 explained, it 4 not
    return Trace(
        params=(p,) * 6,
        log_likelihood=ll,
        converged=False,
        n_iter=5,
        stop_reason="max_iter",
        collapsed_component=None,
        reg_slack=slack,
        covariance_type="full",
        reg_covar=1e-6,
        tol=1e-3,
        max_iter=5,
        n_samples=10,
    )


def test_loglik_marks_decreases():
    trace = _trace_with_decreases()
    assert [d.explained for d in trace.decreases()] == [True, False]
    fig = F.loglik_figure(trace, position=3)
    amber = next(t for t in fig.data if t.name == "decrease explained by reg_covar")
    red = next(t for t in fig.data if t.name == "unexplained decrease")
    assert list(amber.x) == [2] and amber.marker.color == F.AMBER_HEX
    assert list(red.x) == [4] and red.marker.color == F.RED_HEX
    assert "reg_covar" in amber.text[0] and "bug" in red.text[0]
    assert fig.layout.shapes[0].x0 == 1.5  # half-step 3 sits at iteration 1.5
    assert any("max_iter = 5" in a.text for a in fig.layout.annotations)


def test_loglik_stop_reasons():
    X, _ = _mixture_data(2)
    trace = _fit(X, max_iter=200)
    assert trace.stop_reason == "converged"
    fig = F.loglik_figure(trace, position=trace.n_half_steps - 1)
    assert any(
        a.text.startswith(f"converged at iteration {trace.n_iter}") for a in fig.layout.annotations
    )
    assert len(fig.data[0].x) == trace.n_iter + 1
    base = _trace_with_decreases()
    collapsed = Trace(**{**base.__dict__, "stop_reason": "collapsed", "collapsed_component": 1})
    fig = F.loglik_figure(collapsed, None)
    assert any("component k = 2 collapsed" in a.text for a in fig.layout.annotations)
    with pytest.raises(ParameterError, match="position"):
        F.loglik_figure(base, position=99)


# --- params_table -----------------------------------------------------------------------------
@pytest.mark.parametrize("d", [1, 2, 3])
def test_params_table_values(d):
    X, _ = _mixture_data(d)
    params = _fit(X).final
    resp = e_step(X, params).resp
    table = F.params_table(params, "full", resp=resp)
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == ["k", "π", "μ", "Σ", "det Σ", "N_k"]
    assert list(table["k"]) == [1, 2, 3]
    read = np.vectorize(parse_sig)
    np.testing.assert_allclose(read(table["π"]), params.weights, rtol=5e-4)
    for j in range(3):
        mu = parse_sig_array(table["μ"][j])
        np.testing.assert_allclose(mu, params.means[j], rtol=5e-4, atol=1e-12)
        sigma = parse_sig_array(table["Σ"][j])
        np.testing.assert_allclose(sigma, params.covariances[j], rtol=5e-4, atol=1e-12)
    np.testing.assert_allclose(read(table["det Σ"]), np.linalg.det(params.covariances),
                               rtol=5e-4)
    np.testing.assert_allclose(read(table["N_k"]), resp.sum(axis=0), rtol=5e-4)


def test_params_table_reads_well_at_any_scale():
    """1D data in the tens of thousands: no e+04, no [[...]] around a variance, no 4-decimal
    float padding on a determinant."""
    p = Params([0.4, 0.6], [[19062.3], [25010.0]], [[[6.767e7]], [[1.2e-5]]])
    table = F.params_table(p, "full")
    assert list(table["μ"]) == ["19\u202f060", "25\u202f010"]
    assert list(table["Σ"]) == ["6.767×10⁷", "1.2×10⁻⁵"]
    for cov in ("diag", "spherical"):  # a variance, whatever the covariance type
        assert list(F.params_table(p, cov)["Σ"]) == ["6.767×10⁷", "1.2×10⁻⁵"]
    assert list(table["det Σ"]) == ["6.767×10⁷", "1.2×10⁻⁵"]
    for column in ("π", "μ", "Σ", "det Σ"):
        for text in table[column]:
            assert "e+" not in text and "e-" not in text and ".0000" not in text


def test_params_table_covariance_types():
    p = Params([0.5, 0.5], [[0.0, 1.0], [2.0, 3.0]], [np.diag([1.0, 2.0]), np.eye(2) * 0.5])
    assert F.params_table(p, "diag")["Σ"][0] == "diag[1, 2]"
    assert F.params_table(p, "spherical")["Σ"][1] == "0.5·I"
    assert "N_k" not in F.params_table(p, "full").columns
    with pytest.raises(ParameterError, match="covariance_type"):
        F.params_table(p, "banana")


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("cov", ["full", "tied", "diag", "spherical"])
def test_params_rows_are_the_tables_text(d, cov):
    X, _ = _mixture_data(d)
    init = initialize(X, 3, method="random_from_data", seed=1, covariance_type=cov)
    params = run_em(X, init, cov, max_iter=20).final
    resp = e_step(X, params).resp
    for r in (None, resp):
        table = F.params_table(params, cov, resp=r)
        columns, rows = F.params_rows(params, cov, resp=r)
        assert columns == list(table.columns)
        assert rows == [[str(v) for v in row] for row in table.itertuples(index=False)]
    with pytest.raises(ParameterError, match="covariance_type"):
        F.params_rows(params, "banana")


def test_loglik_axis_is_readable_on_a_flat_curve():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    trace = run_em(X, initialize(X, 2, seed=0), max_iter=0)
    fig = F.loglik_figure(trace, 0)
    y = fig.layout.yaxis
    assert y.tickformat == ",.7~g"
    assert y.range[1] - y.range[0] == pytest.approx(2.0)
    assert y.range[0] < trace.log_likelihood[0] < y.range[1]


def test_figure_words_default_to_english_and_follow_options_text():
    X = np.random.default_rng(3).normal(size=(30, 1))
    params = initialize(X, 2, seed=0)
    english = F.mixture_figure(X, params, None)
    assert english.layout.yaxis.title.text == "density"
    assert F.half_step_label(3) == "it 2 · E" and F.half_step_label(0) == "init"
    words = {"density": "密度", "half_step": "反復 {it} · {step}"}
    opts = F.FigureOptions(text=tuple(words.items()))
    assert F.mixture_figure(X, params, None, options=opts).layout.yaxis.title.text == "密度"
    assert F.half_step_label(3, F.figure_text(opts)) == "反復 2 · E"
    assert F.figure_text(opts)["mixture"] == "mixture p(x)"  # untranslated keys stay English
    assert F.figure_text(None) is F.TEXT


# --- 1D histogram bins and density ticks ---------------------------------------------------
def test_histogram_bins_resolve_the_narrow_peak_of_three_peaks():
    """The narrow peak (sd 0.5) gets a bin no wider than its sd; the old rule ('auto' clipped
    to 12..80) gave 12 bins over the whole range, about 2 sd each."""
    data = make_preset("three_peaks_1d", seed=0)
    edges = F.histogram_edges(data.X[:, 0])
    assert np.all(np.diff(edges) > 0)
    assert edges[0] == data.X.min() and edges[-1] == data.X.max()
    assert np.diff(edges)[0] <= 0.5
    assert F.MIN_BINS_1D <= len(edges) - 1 <= F.MAX_BINS_1D


def test_histogram_bins_follow_the_user_within_bounds():
    x = np.random.default_rng(0).normal(size=500)
    assert len(F.histogram_edges(x, 37)) - 1 == 37
    assert len(F.histogram_edges(x, 3)) - 1 == F.MIN_BINS_1D
    assert len(F.histogram_edges(x, 5000)) - 1 == F.MAX_BINS_1D
    assert len(F.histogram_edges(np.ones(7))) - 1 == F.MIN_BINS_1D  # constant data
    wide = F.histogram_edges(np.random.default_rng(1).normal(size=100_000))
    assert len(wide) - 1 <= F.MAX_BINS_1D


def test_1d_figure_uses_the_chosen_bins_and_plain_density_ticks():
    data = make_preset("three_peaks_1d", seed=0)
    params = initialize(data.X, 3, seed=0)
    for bins in (None, 64):
        fig = F.mixture_figure(data.X, params, None, options=F.FigureOptions(bins_1d=bins))
        histogram = fig.data[0]
        assert len(_decode(histogram.x)) == len(F.histogram_edges(data.X[:, 0], bins)) - 1
    # No SI prefixes on any axis: a density tick "250μ" reads as a mean μ.
    template = fig.layout.template.layout
    assert template.xaxis.exponentformat == template.yaxis.exponentformat == "power"
    assert template.scene.zaxis.exponentformat == "power"


def test_1d_mean_hover_is_written_by_sig():
    X = np.concatenate([np.random.default_rng(0).normal(19_000, 50, 300),
                        np.random.default_rng(1).normal(25_000, 50, 300)])[:, None]
    params = initialize(X, 2, seed=0)
    fig = F.mixture_figure(X, params, None)
    means = next(t for t in fig.data if t.name == "means")
    assert means.hovertemplate.startswith("μ = %{customdata}")
    assert all("e+" not in c and "\u202f" in c for c in means.customdata)


# --- equal axis scales only for comparable spreads -------------------------------------------
def test_axes_share_a_scale_only_when_spreads_are_within_3x():
    import emviz

    rng = np.random.default_rng(0)
    near = np.column_stack([rng.normal(0, 1, 300), rng.normal(0, 2.5, 300)])
    far = np.column_stack([rng.normal(3.5, 1.1, 300), rng.normal(70, 13.6, 300)])
    for X, equal in ((near, True), (far, False)):
        params = emviz.run_em(X, emviz.initialize(X, 2, "kmeans++", 0), "full").final
        layout = F.mixture_figure(X, params).to_dict()["layout"]
        assert ("scaleanchor" in layout["yaxis"]) == equal
        X3 = np.column_stack([X, X[:, 0] + rng.normal(0, 1.0, 300)])
        p3 = emviz.run_em(X3, emviz.initialize(X3, 2, "kmeans++", 0), "full").final
        scene = F.mixture_figure(X3, p3).to_dict()["layout"]["scene"]
        assert scene["aspectmode"] == ("data" if equal else "cube")
