"""Temporary stand-ins for ``emviz.data`` and ``emviz.figures`` (same signatures).

Only used while those modules are being written; see ``backend.py``. Kept minimal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from emviz.em import Params, Trace

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f", "#bcbd22", "#17becf")


@dataclass(frozen=True, eq=False)
class Dataset:
    X: np.ndarray
    labels: np.ndarray
    params: Params
    name: str
    description: str
    columns: tuple[str, ...]
    suggested_k: int
    suggested_covariance_type: str = "full"


def make_mixture(dim=2, n_components=3, n_samples=1000, separation=3.0, shape="rotated",
                 weights=None, seed=0):
    rng = np.random.default_rng(seed)
    k = n_components
    w = np.full(k, 1 / k) if weights is None else np.asarray(weights) / np.sum(weights)
    ang = np.linspace(0, 2 * np.pi, k, endpoint=False)
    means = np.zeros((k, dim))
    means[:, 0] = separation * np.cos(ang) * (k > 1)
    if dim > 1:
        means[:, 1] = separation * np.sin(ang)
    if dim > 2:
        means[:, 2] = separation * np.cos(2 * ang) / 2
    covs = np.repeat(np.eye(dim)[None], k, axis=0)
    if shape != "spherical" and dim > 1:
        covs[:, 0, 0] = 2.0
    if shape == "rotated" and dim > 1:
        for j in range(k):
            t = rng.uniform(0, np.pi)
            r = np.eye(dim)
            r[:2, :2] = [[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]
            covs[j] = r @ covs[j] @ r.T
    labels = rng.choice(k, size=n_samples, p=w)
    X = np.empty((n_samples, dim))
    for j in range(k):
        idx = labels == j
        X[idx] = rng.multivariate_normal(means[j], covs[j], size=int(idx.sum()))
    params = Params(w, means, covs)
    cols = tuple(f"x{i + 1}" for i in range(dim))
    return Dataset(X, labels, params, "custom", f"{k} Gaussians in {dim}D", cols, k)


PRESETS = {
    "well_separated": dict(dim=2, n_components=3, separation=5.0, shape="spherical"),
    "overlapping": dict(dim=2, n_components=3, separation=2.0, shape="rotated"),
    "elongated": dict(dim=2, n_components=3, separation=3.0, shape="rotated"),
    "unequal_sizes": dict(dim=2, n_components=3, separation=4.0, weights=(0.7, 0.2, 0.1)),
    "three_peaks_1d": dict(dim=1, n_components=3, separation=4.0),
    "six_clusters_3d": dict(dim=3, n_components=6, separation=5.0),
    "singularity_trap": dict(dim=2, n_components=4, separation=3.0),
    "kmeans_agrees": dict(dim=2, n_components=3, separation=6.0, shape="spherical"),
}


def make_preset(name, seed=0):
    return make_mixture(n_samples=600, seed=seed, **PRESETS[name])


def adjusted_rand_index(true, pred):
    _, a = np.unique(np.asarray(true), return_inverse=True)
    _, b = np.unique(np.asarray(pred), return_inverse=True)
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a, b), 1)

    def c2(x):
        return (x * (x - 1) / 2).sum()

    n = len(a)
    index, sa, sb = c2(table), c2(table.sum(1)), c2(table.sum(0))
    expected = sa * sb / (n * (n - 1) / 2)
    denom = 0.5 * (sa + sb) - expected
    return 1.0 if denom == 0 else float((index - expected) / denom)


def display_subset(n, max_points=20000, seed=0):
    if n <= max_points:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))


def standardize(X):
    sd = X.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    return (X - X.mean(axis=0)) / sd, X.mean(axis=0), sd


def pca_project(X, n):
    Xc = X - X.mean(axis=0)
    _, s, vt = np.linalg.svd(Xc, full_matrices=False)
    return Xc @ vt[:n].T, vt[:n], (s[:n] ** 2) / (s**2).sum()


@dataclass(frozen=True)
class FigureOptions:
    coverages: tuple[float, ...] = (0.5, 0.95)
    presenter: bool = False
    show_truth: bool = True
    column_names: tuple[str, ...] | None = None
    height: int = 560
    title: str = ""
    max_points_note: str | None = None
    uirevision: str = "emviz"


def _colors(resp, k):
    if resp is None:
        return "#9aa0a6"
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in COLORS[:k]], float)
    mix = np.asarray(resp) @ rgb
    return [f"rgb({r:.0f},{g:.0f},{b:.0f})" for r, g, b in mix]


def _ellipse(mean, cov, scale):
    t = np.linspace(0, 2 * np.pi, 100)
    vals, vecs = np.linalg.eigh(cov[:2, :2])
    pts = vecs @ (np.sqrt(np.maximum(vals, 0))[:, None] * np.vstack([np.cos(t), np.sin(t)]))
    return mean[0] + scale * pts[0], mean[1] + scale * pts[1]


def mixture_figure(X, params, resp, truth=None, options=None):
    options = options or FigureOptions()
    fig = go.Figure()
    d, k = X.shape[1], params.n_components
    if d == 1:
        fig.add_histogram(x=X[:, 0], histnorm="probability density", name="data",
                          marker_color="#c7cdd4")
    elif d == 2:
        fig.add_scattergl(x=X[:, 0], y=X[:, 1], mode="markers", name="points",
                          marker=dict(size=4, color=_colors(resp, k)))
        for j in range(k):
            for scale, dash in ((1.18, "solid"), (2.45, "dot")):
                ex, ey = _ellipse(params.means[j], params.covariances[j], scale)
                fig.add_scatter(x=ex, y=ey, mode="lines", showlegend=False,
                                line=dict(color=COLORS[j % 10], dash=dash))
        fig.add_scatter(x=params.means[:, 0], y=params.means[:, 1], mode="markers",
                        name="means", marker=dict(symbol="x", size=12, color="black"))
    else:
        fig.add_scatter3d(x=X[:, 0], y=X[:, 1], z=X[:, 2], mode="markers", name="points",
                          marker=dict(size=2, color=_colors(resp, k)))
    fig.update_layout(height=options.height, title=options.title,
                      margin=dict(l=10, r=10, t=40, b=10))
    return fig


def animation_figure(X, trace, resps, truth=None, options=None, frame_ms=120):
    return mixture_figure(X, trace.params[-1], resps[-1], truth, options)


def loglik_figure(trace: Trace, position_half_step: int, options=None):
    it = np.arange(len(trace.log_likelihood))
    fig = go.Figure(go.Scatter(x=it, y=trace.log_likelihood, mode="lines+markers"))
    fig.add_vline(x=(position_half_step + 1) // 2)
    fig.update_layout(height=260, margin=dict(l=10, r=10, t=30, b=10), title="log-likelihood")
    return fig


def params_table(params: Params, covariance_type: str) -> pd.DataFrame:
    return pd.DataFrame({
        "π": params.weights,
        "μ": [np.array2string(m, precision=3) for m in params.means],
        "Σ": [np.array2string(c, precision=3) for c in params.covariances],
    })
