"""Engine time of a basin map (a script, not a test).

    .venv/bin/python benchmarks/bench_basins.py [--rounds 3] [--cells 40] [--no-sklearn]

The target: a 40 x 40 basin map at N = 1,000, K = 3, full covariances, in under 5 s of
engine time. This script times :func:`emviz.engine.basins.basin_map` the way the initialisation lab
calls it: the start of a k-means++ restart (seed 0), component 1's starting mean swept over
the grid, reg_covar = 1e-6, max_iter = 200, tol = 1e-6 (the lab's settings), and the optima
matched against 50 restarts of the same model (run once beforehand, not timed: the lab has
them already). Each figure is the median of ``--rounds`` runs, wall clock and CPU time of
this process, with the mean and largest number of EM iterations per cell (the work grows
with them).

Beside it, in the same run, scikit-learn does the same work: one
``GaussianMixture(..., weights_init, means_init, precisions_init).fit`` per cell, from that
cell's start (:meth:`emviz.engine.basins.BasinMap.start_at`), with the same reg_covar, max_iter and
tol (the same stopping rule: change in mean per-point log-likelihood), under one BLAS thread
as emviz's engine runs. It is timed once (it takes far longer). The script reports the
ratios, wall and CPU (on a loaded machine the CPU ratio is the steadier one), and in how
many cells the two final log-likelihoods agree (relative difference below 1e-6), a check
that both did the same work. Matching the fits to optima is part of emviz's figure only.

Data, 2-D, three components:
- ``synthetic``: the app's custom synthetic default (1,000 points, separation 3, rotated);
- ``overlapping``: the same at separation 1.5, whose runs need about twice the iterations.

Nothing is asserted; the figures go into docs/performance.md with the command.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emviz import initialize, make_mixture  # noqa: E402
from emviz.engine.basins import basin_map  # noqa: E402
from emviz.engine.restarts import run_restarts  # noqa: E402

TARGET_S = 5.0
MODEL = {"covariance_type": "full", "reg_covar": 1e-6, "max_iter": 200, "tol": 1e-6}
DATA = {"synthetic": 3.0, "overlapping": 1.5}


def sklearn_fits(X: np.ndarray, bmap) -> tuple[float, float, int]:
    """Wall and CPU seconds of one scikit-learn fit per cell from its start; cells that agree."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture
    from threadpoolctl import threadpool_limits

    n_y, n_x = bmap.shape
    lls = np.full((n_y, n_x), np.nan)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w0, c0 = time.perf_counter(), time.process_time()
        for row in range(n_y):
            for col in range(n_x):
                start = bmap.start_at(row, col)
                gm = GaussianMixture(
                    start.n_components, covariance_type="full", reg_covar=MODEL["reg_covar"],
                    max_iter=MODEL["max_iter"], tol=MODEL["tol"],
                    init_params="random_from_data",  # unused: the three *_init below win
                    weights_init=start.weights, means_init=start.means,
                    precisions_init=np.linalg.inv(start.covariances), random_state=0)
                try:
                    gm.fit(X)
                except ValueError:  # an ill-defined covariance: scikit-learn stops there
                    continue
                lls[row, col] = gm.score(X) * X.shape[0]
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    agree = np.abs(lls - bmap.log_likelihood) <= 1e-6 * np.abs(bmap.log_likelihood)
    return wall, cpu, int(agree.sum())


def measure(name: str, separation: float, cells: int, rounds: int, sklearn: bool) -> dict:
    X = make_mixture(2, 3, 1000, separation=separation, shape="rotated", seed=0).X
    known = run_restarts(X, 3, 50, ("kmeans++",), **MODEL)
    start = initialize(X, 3, "kmeans++", 0, "full", MODEL["reg_covar"])
    basin_map(X, start, 0, grid=4, known=known, **MODEL)  # warm up imports and caches
    walls, cpus = [], []
    for _ in range(rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        bmap = basin_map(X, start, 0, grid=cells, known=known, **MODEL)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    reached = sum(b.n_cells > 0 for b in bmap.basins)
    row = {"data": name, "N": X.shape[0], "cells": f"{cells} × {cells}",
           "wall": statistics.median(walls), "cpu": statistics.median(cpus),
           "iters": float(np.mean(bmap.n_iter)), "max_iters": int(bmap.n_iter.max()),
           "optima": reached, "sk_wall": float("nan"), "sk_cpu": float("nan"),
           "agree": "-"}
    if sklearn:
        row["sk_wall"], row["sk_cpu"], agree = sklearn_fits(X, bmap)
        row["agree"] = f"{agree} / {bmap.labels.size}"
    return row


def sk(value: float, unit: str = "") -> str:
    """A scikit-learn figure to one decimal, or "-" when it was skipped."""
    return "-" if np.isnan(value) else f"{value:.1f}{unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cells", type=int, default=40)
    parser.add_argument("--no-sklearn", action="store_true",
                        help="skip the scikit-learn comparison (about a minute per data set)")
    args = parser.parse_args()
    rows = [measure(name, sep, args.cells, args.rounds, not args.no_sklearn)
            for name, sep in DATA.items()]
    print(f"basin map, K = 3, full, median of {args.rounds} rounds; target {TARGET_S:g} s")
    print("| data | N | grid | wall s | CPU s | verdict (< 5 s) | mean iterations per cell "
          "| most iterations | optima reached | scikit-learn wall s | scikit-learn CPU s "
          "| scikit-learn / emviz, wall | ... CPU | cells agreeing |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        verdict = "met" if r["wall"] < TARGET_S else "NOT met"
        print(f"| {r['data']} | {r['N']:,} | {r['cells']} | {r['wall']:.2f} | {r['cpu']:.2f} "
              f"| {verdict} | {r['iters']:.1f} | {r['max_iters']} | {r['optima']} "
              f"| {sk(r['sk_wall'])} | {sk(r['sk_cpu'])} | {sk(r['sk_wall'] / r['wall'], '×')} "
              f"| {sk(r['sk_cpu'] / r['cpu'], '×')} | {r['agree']} |")
    with open("/proc/loadavg", encoding="ascii") as f:
        print(f"load average at the end: {f.read().split()[0]}")


if __name__ == "__main__":
    main()
