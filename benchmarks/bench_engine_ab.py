"""A/B timing of the engine's fits: two source trees, side by side, in one run.

    .venv/bin/python benchmarks/bench_engine_ab.py BASE_DIR [NEW_DIR] [--rounds 5] [--quick]

``BASE_DIR`` and ``NEW_DIR`` (default: this checkout) are folders holding an ``emviz``
package, e.g. ``git archive main emviz | tar -x -C /tmp/base``. Each round starts one fresh
process per tree, the order alternating between rounds so drift in the machine's load falls
on both; each process times every case (best of a few repeats, CPU time of the process:
steadier than wall time on a shared machine, and every case runs on one BLAS thread). The
table gives each tree's median over the rounds and the ratio NEW / BASE (below 1: faster).

Cases: the fits that iterate EM, at sizes where the loop's own per-iteration bookkeeping is
a visible part of the time (small N) and where it is not.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The timed side: runs inside a child process whose sys.path starts with one tree.
CHILD = r'''
import json, sys, time
sys.path.insert(0, sys.argv[1])
quick = sys.argv[2] == "1"
import numpy as np
from threadpoolctl import threadpool_limits
from emviz.engine.em import initialize, run_em
from emviz.engine.remedies import run_em_map, run_em_reseed
from emviz.engine.vbgmm import default_prior, run_vb, vb_initialize
from emviz.engine.restarts import run_restarts
from emviz.engine.basins import basin_map

def blobs(n, d=2, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    X = centres[np.arange(n) % 3] + rng.normal(size=(n, 2))
    if d > 2:
        X = np.column_stack([X, rng.normal(size=(n, d - 2))])
    return X

X1k, X10k, X4 = blobs(1000), blobs(10_000), blobs(150, 4)
i1k, i10k, i4 = initialize(X1k, 3, seed=1), initialize(X10k, 3, seed=1), initialize(X4, 3, seed=1)
prior = default_prior(X1k[:500], 5)
vb0 = vb_initialize(X1k[:500], 5, seed=1, prior=prior)[0]
restarts = 50 if quick else 200
cells = 10 if quick else 20

CASES = {
    "run_em fused N=1e3 K=3, 100 it": lambda: run_em(X1k, i1k, max_iter=100, tol=0),
    "run_em fused N=1e4 K=3, 100 it": lambda: run_em(X10k, i10k, max_iter=100, tol=0),
    "run_em dense D=4 N=150, 100 it": lambda: run_em(X4, i4, max_iter=100, tol=0),
    "run_em_reseed N=1e3, 50 it": lambda: run_em_reseed(X1k, i1k, max_iter=50, tol=0),
    "run_em_map N=1e3, 50 it": lambda: run_em_map(X1k, i1k, max_iter=50, tol=0),
    "run_vb N=500 K=5, 100 it": lambda: run_vb(X1k[:500], vb0, prior, max_iter=100, tol=0),
    f"run_restarts N=1e3 K=3 x{restarts}": lambda: run_restarts(X1k, 3, restarts),
    f"run_restarts D=4 N=150 x{restarts}": lambda: run_restarts(X4, 3, restarts),
    f"basin_map N=1e3 {cells}x{cells}": lambda: basin_map(X1k, i1k, 0, grid=cells),
}
out = {}
with threadpool_limits(1):
    for name, fn in CASES.items():
        fn()  # warm up
        times = []
        for _ in range(2 if quick else 3):
            t = time.process_time()
            fn()
            times.append(time.process_time() - t)
        out[name] = min(times)
print(json.dumps(out))
'''


def run_tree(tree: Path, quick: bool) -> dict[str, float]:
    res = subprocess.run([sys.executable, "-c", CHILD, str(tree), "1" if quick else "0"],
                         capture_output=True, text=True)
    if res.returncode:
        raise SystemExit(f"timing {tree} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base", type=Path)
    ap.add_argument("new", type=Path, nargs="?", default=ROOT)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    trees = {"base": args.base.resolve(), "new": args.new.resolve()}
    runs: dict[str, list[dict[str, float]]] = {"base": [], "new": []}
    for r in range(args.rounds):
        order = ("base", "new") if r % 2 == 0 else ("new", "base")
        for side in order:
            runs[side].append(run_tree(trees[side], args.quick))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"| case | base ms | new ms | new / base |  ({args.rounds} rounds, CPU time)")
    print("|---|---|---|---|")
    for name in runs["base"][0]:
        b = statistics.median(x[name] for x in runs["base"]) * 1e3
        n = statistics.median(x[name] for x in runs["new"]) * 1e3
        print(f"| {name} | {b:.1f} | {n:.1f} | {n / b:.3f} |")


if __name__ == "__main__":
    main()
