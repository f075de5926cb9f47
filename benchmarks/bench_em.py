"""EM iteration speed: emviz's fused kernel against scikit-learn, side by side.

For each grid point (full covariances, float64, the same start for both) this measures, in
interleaved rounds within one process:

* emviz kernel: ``FusedKernel.iterate`` called directly (``kernel="auto"`` picks it for
  D ≤ 3), ms per iteration, each round chained from the same start as run_em chains it (the
  first iteration of a round takes the exact log-sum-exp, later ones the shifted one);
* emviz run_em: ``run_em(..., kernel="auto", tol=0, max_iter=m)`` wall time / m, which adds
  input checks, building the kernel, run_em's per-iteration bookkeeping and the final
  E-step for the last state's log-likelihood;
* scikit-learn: ``GaussianMixture(..., max_iter=m, tol=0, weights_init, means_init,
  precisions_init).fit`` wall time / m, with one BLAS thread and with the default, taking
  the faster (its fit also pays one initial M-step and a final E-step; nothing is
  subtracted);

* NumPy floor: the six NumPy calls per block that any blocked NumPy EM of this shape needs
  (see :func:`time_floor`), on one block of features kept in cache, with the kernel's block
  size and threads: a lower bound on what a pure-NumPy kernel can reach on this machine;

and reports medians, their ratio, the largest relative difference between emviz's and
scikit-learn's parameters after the same number of iterations, and the distance of emviz's
kernel and of the NumPy floor from a memory-bandwidth bound (read X once, write and read the
N×K responsibilities, at 20 GB/s).

Fair steady states. After a BLAS call that used several threads, OpenBLAS's worker
threads busy-wait for new work for ``THREAD_TIMEOUT`` (2**28 cycles by default, ~0.13 s at
2 GHz) before they sleep. Measured here (N=1e3, D=2, K=3): right after scikit-learn's
default-threads fit one worker thread burns 0.13 s of CPU in the following idle second (none
after a one-thread fit, none with ``OPENBLAS_THREAD_TIMEOUT=4``, unchanged with
``OMP_WAIT_POLICY=passive``, so it is OpenBLAS, not scikit-learn's OpenMP). emviz's kernel
never uses the pool at these sizes, yet the spinning worker competes with it for the CPU: on
2 cores with one other busy process, emviz's kernel took 0.81 ms/iter (median of 8) when timed
right after that fit against 0.43–0.64 ms after a pause or a one-thread fit; with the other
core idle there was no difference. The former loop timed emviz right after scikit-learn's
default-threads fit in every round, so emviz's figure carried scikit-learn's leftover spin.

So every timed block (each emviz and each scikit-learn measurement) now starts from quiet
thread pools: :func:`quiesce` polls until the process's other threads have used no CPU for
50 ms (read from ``/proc/self/task``; a fixed pause where that is unavailable), so neither
side pays for the other's workers. This matters only when the machine is loaded: with the
other core idle, the former and this loop gave the same N=1e3 ratios. Most of the swing seen
between runs at N=1e3 is preemption by other processes of ~15 ms blocks, hence more rounds
there. scikit-learn still gets its best of one thread and the
default, and its workers still spin during its own fit (its steady state); emviz's figures
still include all of its work. Rounds alternate which side goes first, so drift in the
machine's load falls on both sides alike.

Usage::

    python benchmarks/bench_em.py               # full grid, ~5 minutes on 2 cores
    python benchmarks/bench_em.py --quick       # small grid, a smoke test for CI
    python benchmarks/bench_em.py --out FILE.md # also write the table as Markdown
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emviz.engine._fused import FusedKernel, _BlockQueue, _pool, _workers, block_size, supports
from emviz.engine.em import initialize, run_em
from emviz.model.params import Params

REG_COVAR = 1e-6
BANDWIDTH = 20e9  # bytes per second
TARGET_HEADLINE, TARGET_GRID, TARGET_BOUND = 20.0, 5.0, 6.0
ACCURACY = 1e-8
HEADLINE = (100_000, 2, 5)


class Setting(NamedTuple):
    """How long to measure one grid point."""

    rounds: int
    emviz_iters: int
    sklearn_iters: int


def setting_for(n: int, quick: bool) -> Setting:
    if quick:
        return Setting(rounds=2, emviz_iters=5, sklearn_iters=3)
    if n <= 1_000:
        # An emviz block here is ~15 ms, the length of a scheduler slice: one preemption by
        # another process on the shared machine moves a block by tens of percent (0.22 to
        # 1.0 ms/iter within one process), so more rounds steady the median.
        return Setting(rounds=15, emviz_iters=50, sklearn_iters=20)
    if n <= 10_000:
        return Setting(rounds=5, emviz_iters=20, sklearn_iters=10)
    if n <= 100_000:
        return Setting(rounds=3, emviz_iters=10, sklearn_iters=5)
    # run_em's wall time includes building the kernel and a final E-step for the last
    # state's log-likelihood, together about one iteration at N = 1e6: over 10 iterations
    # they add ~10% to its ms/iter (over 5, ~20%). scikit-learn's fit likewise includes an
    # initial M-step and a final E-step; nothing is subtracted from either.
    return Setting(rounds=2, emviz_iters=10, sklearn_iters=3)


class Row(NamedTuple):
    n: int
    d: int
    k: int
    kernel_ms: float
    run_em_ms: float
    sklearn_ms: float
    sklearn_threads: str
    max_rel_diff: float
    bound_ms: float
    floor_ms: float

    @property
    def speedup(self) -> float:
        return self.sklearn_ms / self.kernel_ms

    @property
    def speedup_run_em(self) -> float:
        return self.sklearn_ms / self.run_em_ms

    @property
    def over_bound(self) -> float:
        return self.kernel_ms / self.bound_ms

    @property
    def floor_over_bound(self) -> float:
        return self.floor_ms / self.bound_ms


# --- Problems ---------------------------------------------------------------------------------
def blobs(n: int, d: int, k: int, seed: int = 0) -> np.ndarray:
    """``n`` points from ``k`` Gaussian clusters with random shapes (as in the tests)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-4.0, 4.0, size=(k, d)) * k ** (1.0 / d)
    labels = rng.integers(0, k, size=n)
    shapes = rng.normal(size=(k, d, d)) * 0.3 + np.eye(d)
    return centres[labels] + np.einsum("nij,nj->ni", shapes[labels], rng.normal(size=(n, d)))


def start(X: np.ndarray, k: int) -> Params:
    # k-means++ responsibilities on a subsample, then one M-step: a realistic start.
    sample = X[:20_000]
    return initialize(sample, k, "kmeans++", seed=0, covariance_type="full", reg_covar=REG_COVAR)


# --- Quiet thread pools -----------------------------------------------------------------------
QUIET_WINDOW = 0.05  # s: other threads must use no CPU for this long
QUIET_MAX = 2.0  # s: give up waiting after this long (a thread busy for another reason)
QUIET_FALLBACK = 0.3  # s: fixed pause where /proc/self/task is unavailable (> 0.13 s spin)


def _other_threads_cpu() -> float | None:
    """CPU seconds used so far by this process's threads other than the calling one."""
    try:
        me = str(threading.get_native_id())
        total = 0
        for tid in os.listdir("/proc/self/task"):
            if tid == me:
                continue
            with open(f"/proc/self/task/{tid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def quiesce() -> None:
    """Return once this process's other threads (BLAS/OpenMP workers) have stopped spinning.

    See the module docstring. Waits ~0.2 s after a default-threads scikit-learn fit, one
    window (50 ms) otherwise.
    """
    before = _other_threads_cpu()
    if before is None:
        time.sleep(QUIET_FALLBACK)
        return
    # Poll busily rather than sleep: after a 50 ms sleep emviz's next N=1e3 block ran ~3-9%
    # slower (median of 20–25) than back to back, a cold start neither side has in steady use;
    # busy-polled, it ran as fast as back to back (0.325–0.329 ms/iter).
    now = time.perf_counter()
    deadline = now + QUIET_MAX
    while now < deadline:
        window_end = now + QUIET_WINDOW
        while now < window_end:
            now = time.perf_counter()
        after = _other_threads_cpu()
        if after is None or after == before:
            return
        before = after


# --- The three contenders -------------------------------------------------------------------------
def time_kernel(kernel: FusedKernel, init: Params, iters: int) -> float:
    params = init
    t0 = time.perf_counter()
    for _ in range(iters):
        _, params = kernel.iterate(params, "full", REG_COVAR)
    return (time.perf_counter() - t0) / iters


def time_run_em(X: np.ndarray, init: Params, iters: int) -> float:
    t0 = time.perf_counter()
    trace = run_em(X, init, "full", reg_covar=REG_COVAR, max_iter=iters, tol=0, kernel="auto")
    elapsed = time.perf_counter() - t0
    assert trace.n_iter == iters, f"run_em stopped early: {trace.stop_reason}"
    return elapsed / iters


def time_floor(n: int, d: int, k: int, iters: int) -> float:
    """Seconds per iteration of the NumPy calls a blocked EM cannot do without.

    Per block of B points (the kernel's :func:`~emviz.engine._fused.block_size`): the E-step
    product ``(K, F+1) @ (F+1, B)``, ``exp`` of the K×B log-densities, their sum over
    components, its ``log`` (for the log-likelihood), one division to normalise the
    smaller of the K×B responsibilities or the F×B features, and the M-step product.
    Nothing else: no floor before ``exp``, no range check, no per-point log-likelihood
    kept, no parameter algebra. The same block of features is reused, so it stays in cache
    and no memory traffic is counted at all. Blocks are shared by the kernel's threads
    (:func:`~emviz.engine._fused._workers`) through its queue and pool, under one BLAS thread.
    """
    f = 1 + d + d * (d + 1) // 2
    b = min(block_size(k, f), n)
    n_blocks = -(-n // b)
    rng = np.random.default_rng(0)
    feats = rng.random((f + 1, b))
    coef = -0.01 * rng.random((k, f + 1))
    scale_features = f < k

    def blocks(take: Callable[[], int | None]) -> None:
        lp, total, log_total = np.empty((k, b)), np.empty(b), np.empty(b)
        scaled, stats = np.empty((f, b)), np.empty((k, f))
        while take() is not None:
            np.matmul(coef, feats, out=lp)
            np.exp(lp, out=lp)
            np.add.reduce(lp, axis=0, out=total)
            np.log(total, out=log_total)
            if scale_features:
                np.divide(feats[:f], total, out=scaled)
                np.matmul(lp, scaled.T, out=stats)
            else:
                np.divide(lp, total, out=lp)
                np.matmul(lp, feats[:f].T, out=stats)

    workers = _workers(n_blocks)
    with threadpool_limits(1):
        t0 = time.perf_counter()
        for _ in range(iters):
            take = _BlockQueue(n_blocks).take
            futures = [_pool().submit(blocks, take) for _ in range(workers - 1)]
            blocks(take)
            for future in futures:
                future.result()
        return (time.perf_counter() - t0) / iters


def sklearn_model(init: Params, iters: int):
    from sklearn.mixture import GaussianMixture

    return GaussianMixture(
        init.n_components,
        covariance_type="full",
        reg_covar=REG_COVAR,
        max_iter=iters,
        tol=0,
        init_params="random_from_data",  # overridden by the three *_init below; cheapest
        weights_init=init.weights,
        means_init=init.means,
        precisions_init=np.linalg.inv(init.covariances),
        random_state=0,
    )


def time_sklearn(X: np.ndarray, init: Params, iters: int, one_thread: bool):
    from sklearn.exceptions import ConvergenceWarning

    model = sklearn_model(init, iters)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with threadpool_limits(1) if one_thread else _no_limit():
            t0 = time.perf_counter()
            model.fit(X)
            elapsed = time.perf_counter() - t0
    return elapsed / iters, model


class _no_limit:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def max_relative_difference(p: Params, model) -> float:
    """Largest difference in each quantity's natural scale (as in tests/engine/test_fused.py).

    Weights relative to themselves, means relative to ``|μ| + σ``, covariance entries
    relative to ``sqrt(Σ_ii Σ_jj)``.
    """
    cov = model.covariances_
    sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    diffs = [
        np.abs(p.weights - model.weights_) / model.weights_,
        np.abs(p.means - model.means_) / (np.abs(model.means_) + sd),
        np.abs(p.covariances - cov) / (sd[:, :, None] * sd[:, None, :]),
    ]
    return float(max(d.max() for d in diffs))


# --- One grid point -------------------------------------------------------------------------------
def measure(n: int, d: int, k: int, quick: bool, log: Callable[[str], None]) -> Row:
    X = blobs(n, d, k, seed=n + 10 * d + k)
    assert supports(X)
    init = start(X, k)
    cfg = setting_for(n, quick)
    kernel = FusedKernel(X)
    time_kernel(kernel, init, 1)  # warm-up: buffers, BLAS, first-call costs
    times: dict[str, list[float]] = {
        "kernel": [], "run_em": [], "floor": [], "sk1": [], "skN": []
    }
    model = None

    def emviz_blocks() -> None:
        quiesce()
        times["kernel"].append(time_kernel(kernel, init, cfg.emviz_iters))
        quiesce()
        times["run_em"].append(time_run_em(X, init, cfg.emviz_iters))
        quiesce()
        times["floor"].append(time_floor(n, d, k, cfg.emviz_iters))

    def sklearn_blocks() -> None:
        nonlocal model
        quiesce()
        t, model = time_sklearn(X, init, cfg.sklearn_iters, one_thread=True)
        times["sk1"].append(t)
        quiesce()
        t, _ = time_sklearn(X, init, cfg.sklearn_iters, one_thread=False)
        times["skN"].append(t)

    for i in range(cfg.rounds):
        # Alternate which side goes first, so load drift within a round falls on both.
        for block in (
            (emviz_blocks, sklearn_blocks) if i % 2 == 0 else (sklearn_blocks, emviz_blocks)
        ):
            block()
    med = {name: statistics.median(v) * 1e3 for name, v in times.items()}
    sk_threads = "1" if med["sk1"] <= med["skN"] else "default"
    trace = run_em(X, init, "full", REG_COVAR, max_iter=cfg.sklearn_iters, tol=0, kernel="auto")
    bytes_per_iter = n * d * 8 + 2 * n * k * 8
    row = Row(
        n=n,
        d=d,
        k=k,
        kernel_ms=med["kernel"],
        run_em_ms=med["run_em"],
        sklearn_ms=min(med["sk1"], med["skN"]),
        sklearn_threads=sk_threads,
        max_rel_diff=max_relative_difference(trace.final, model),
        bound_ms=bytes_per_iter / BANDWIDTH * 1e3,
        floor_ms=med["floor"],
    )
    log(format_row(row))
    return row


# --- Output ---------------------------------------------------------------------------------------
HEADER = (
    "| N | D | K | emviz kernel ms/iter | emviz run_em ms/iter | scikit-learn ms/iter (threads) "
    "| speed-up (kernel) | speed-up (run_em) | max rel. diff vs sklearn | bound ms | × bound "
    "| NumPy floor ms | floor × bound |"
)
RULE = "|" + "---|" * 13


def format_row(r: Row) -> str:
    return (
        f"| {r.n:.0e} | {r.d} | {r.k} | {r.kernel_ms:.3f} | {r.run_em_ms:.3f} "
        f"| {r.sklearn_ms:.2f} ({r.sklearn_threads}) | {r.speedup:.1f}× | {r.speedup_run_em:.1f}× "
        f"| {r.max_rel_diff:.1e} | {r.bound_ms:.3f} | {r.over_bound:.1f} "
        f"| {r.floor_ms:.3f} | {r.floor_over_bound:.1f} |"
    )


def verdicts(rows: list[Row]) -> list[str]:
    out = []
    head = [r for r in rows if (r.n, r.d, r.k) == HEADLINE]
    if head:
        r = head[0]
        out.append(
            f"- headline N=1e5, D=2, K=5: {r.speedup:.1f}× faster than scikit-learn (kernel; "
            f"run_em {r.speedup_run_em:.1f}×), target ≥ {TARGET_HEADLINE:.0f}×: "
            f"{'met' if r.speedup >= TARGET_HEADLINE else 'NOT met'}"
        )
    grid = [r for r in rows if (r.n, r.d, r.k) != HEADLINE] or rows
    worst = min(grid, key=lambda r: r.speedup)
    worst_run = min(grid, key=lambda r: r.speedup_run_em)
    out.append(
        f"- every grid point ≥ {TARGET_GRID:.0f}×: slowest is {worst.speedup:.1f}× at "
        f"N={worst.n:.0e}, D={worst.d}, K={worst.k} (kernel): "
        f"{'met' if worst.speedup >= TARGET_GRID else 'NOT met'}; through run_em the slowest is "
        f"{worst_run.speedup_run_em:.1f}× at N={worst_run.n:.0e}, D={worst_run.d}, "
        f"K={worst_run.k}"
    )
    big = [r for r in rows if r.n >= 1_000_000]
    if big:
        far = max(big, key=lambda r: r.over_bound)
        out.append(
            f"- within {TARGET_BOUND:.0f}× of the bandwidth bound at N=1e6: worst is "
            f"{far.over_bound:.1f}× at D={far.d}, K={far.k}: "
            f"{'met' if far.over_bound <= TARGET_BOUND else 'NOT met'}"
        )
        floor = max(big, key=lambda r: r.floor_over_bound)
        over = [f"D={r.d} K={r.k}" for r in big if r.floor_over_bound > TARGET_BOUND]
        reach = (
            f"even the floor exceeds {TARGET_BOUND:.0f}× at {', '.join(over)}, out of reach "
            "of a NumPy kernel on this machine"
            if over
            else f"the floor does not rule out {TARGET_BOUND:.0f}×"
        )
        out.append(
            f"- the NumPy floor (six calls per block, in cache, same threads) at N=1e6 is "
            f"{min(r.floor_over_bound for r in big):.1f}–{floor.floor_over_bound:.1f}× the "
            f"bound, worst at D={floor.d}, K={floor.k}: {reach}"
        )
    acc = max(r.max_rel_diff for r in rows)
    out.append(
        f"- max relative difference vs scikit-learn: {acc:.1e} "
        f"(≤ {ACCURACY:.0e}: {'met' if acc <= ACCURACY else 'NOT met'})"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small grid, few rounds (CI smoke)")
    ap.add_argument("--out", type=Path, help="also write the table as Markdown to this file")
    args = ap.parse_args(argv)

    if args.quick:
        grid = [(n, d, 3) for n in (1_000, 5_000) for d in (1, 2)]
    else:
        sizes = (1_000, 10_000, 100_000, 1_000_000)
        grid = [(n, d, k) for n in sizes for d in (1, 2, 3) for k in (3, 10)]
        grid.append(HEADLINE)

    print(HEADER)
    print(RULE, flush=True)
    t0 = time.perf_counter()
    rows = [measure(n, d, k, args.quick, lambda s: print(s, flush=True)) for n, d, k in grid]
    print(
        f"\n({len(rows)} grid points in {time.perf_counter() - t0:.0f} s; medians of "
        "interleaved rounds; full covariances, float64, reg_covar=1e-6)"
    )
    summary = verdicts(rows)
    print("\nTargets:")
    print("\n".join(summary))
    if args.out:
        md = "\n".join([HEADER, RULE, *map(format_row, rows), "", "Targets:", *summary, ""])
        args.out.write_text(md, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
