"""Cost of the analyst's actions: Choose K (K = 1..10), the labelled CSV of a large upload.

Run: ``.venv/bin/python benchmarks/bench_analyst.py [n_rows]`` (default 1,000,000 rows for the
CSV). Prints seconds per action; they are the server's share of a click.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import emviz
from emviz.data.rawcsv import labelled_text, raw_records
from emviz.engine.fitted import Preprocessing

ASSETS = Path(__file__).resolve().parents[1] / "assets"


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def choose_k(name: str, standardise: bool, pca_dim: int | None, cov: str) -> None:
    tbl = emviz.load_csv(ASSETS / name)
    sel = tbl.select(list(tbl.numeric_columns if pca_dim else tbl.numeric_columns[:2]))
    _, X = Preprocessing.fit(sel.X, sel.columns, standardise, pca_dim)
    s = _seconds(lambda: emviz.model_selection(X, range(1, 11), (cov,), "kmeans++", 1, 0,
                                               1e-6, 100, 1e-3))
    print(f"choose K  {name:<17} {X.shape[0]:>5} x {X.shape[1]}  {cov:<5} {s:6.2f} s")


def labelled_csv(n: int) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    raw = ("a,b,c\n" + "\n".join(f"{a:.6f},{b:.6f},{c:.6f}" for a, b, c in X) + "\n").encode()
    tbl = emviz.load_csv(raw)
    resp = rng.dirichlet(np.ones(3), size=n)
    records = None

    def split() -> None:
        nonlocal records
        records = raw_records(raw)

    s1 = _seconds(split)
    s2 = _seconds(lambda: labelled_text(records, tbl, np.arange(n), resp))
    print(f"labelled CSV  {n:,} rows ({len(raw) / 1e6:.1f} MB): split {s1:.2f} s, "
          f"write {s2:.2f} s")


if __name__ == "__main__":
    choose_k("old_faithful.csv", False, None, "full")
    choose_k("wine.csv", True, 2, "full")
    choose_k("iris.csv", False, None, "diag")
    labelled_csv(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
