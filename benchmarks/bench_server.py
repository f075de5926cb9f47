"""What one upload costs the server, and whether it gives it back (a script, not a test).

    .venv/bin/python benchmarks/bench_server.py [--mb 150] [--uploads 3] [--wait 240] [--cycles 2]
                                                [--no-browser] [--cpu-after-close [--after S]]
                                                [--shapes MB [MB ...]]

Reports, in one run:

1. **Loading, in a fresh process each** (``load_csv`` on bytes already in memory, the way
   the app gets them): wall time and peak memory above what the process held before the
   call (``VmHWM`` after resetting it through ``/proc/self/clear_refs``), for a 10 MB CSV
   of one line (2.6 million fields: refused before parsing) and an ordinary CSV of
   ``--mb`` MB (full-precision floats in 3 columns, the shape ``bench_scale.py`` uses).
   The ratio to the file's size is the figure ``emviz.data.csv.MEMORY_MULTIPLE`` bounds.
2. **The server over a session's life** (``streamlit run app.py`` on loopback, Debian's
   Chromium): its resident memory (``VmRSS``) with no session, after one session has drawn
   the default chart (the imports), after each of ``--uploads`` browser sessions has
   uploaded the ordinary CSV and drawn its chart (one tab each, all kept open), then after
   every tab is closed, sampled until ``--wait`` seconds have passed; ``--cycles`` times
   over, so that a second round shows whether what stays grows. ``VmHWM`` is the peak.
3. With ``--shapes MB [MB ...]``: the loader on every shape its cost model
   (``emviz.data.csv._COSTS``) was fitted on, at those sizes, with the budget lifted: the peak
   as a multiple of the file's size next to the model's estimate for each path.
4. With ``--cpu-after-close``: for each heavy link (:data:`HEAVY_LINKS`: 10^6 points in
   3-D with K = 20 on Explore with 1000 iterations and tol = 0, and on the Initialisation lab
   with 500 restarts of 4 methods), on a fresh server: the tab is closed while the server
   computes for it, then the server's CPU seconds over the next ``--after`` seconds, and
   when it last computed. Also what the page did with the link (lowered to the work budget,
   asked to confirm). The target is under 2 s.

Nothing here is asserted. Timings depend on the machine's load: compare figures from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import (  # a sibling script: the server, the browser and the repo root
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    loadavg,
    make_csv,
    proc_cpu_s,
    proc_status_mb,
    start_server,
    stop_server,
    wait_for_app,
)

CHART = '[data-testid="stPlotlyChart"] .main-svg'
UPLOADER = '[data-testid="stFileUploader"] input[type="file"]'
ROWS_PER_MB = 1_000_000 / 60  # make_csv writes about 60 bytes per row


# --- 1. loading, in a fresh process -----------------------------------------------------------
_LOAD_CHILD = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from emviz.data.csv import load_csv

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

raw = open(sys.argv[2], "rb").read()
load_csv(b"a,b\n1,2\n3,4\n")  # imports and first-call set-up, outside the measurement
if len(sys.argv) > 3:  # measure past the budget (the cost model's calibration)
    import emviz.data.csv
    emviz.data.csv.MEMORY_MULTIPLE = 10**6
before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # VmHWM := VmRSS
t = time.perf_counter()
try:
    table = load_csv(raw)
    outcome = f"loaded: {table.n_rows:,} rows x {len(table.columns)} columns"
except Exception as exc:
    outcome = f"refused: {type(exc).__name__}: {str(exc)[:110]}..."
seconds = time.perf_counter() - t
from emviz.data.csv import _COSTS, _decode, _detect_delimiter
from emviz.data._csvshape import shape_of
text = _decode(raw)[0]
shape = shape_of(text, _detect_delimiter(text, [])[0])
estimate = {path: cost._replace(fixed=0).need(shape, len(raw)) / 1024**2
            for path, cost in _COSTS.items()}
print(json.dumps({"seconds": seconds, "peak_mb": status("VmHWM") - before,
                  "size_mb": len(raw) / 1024**2, "outcome": outcome, "estimate_mb": estimate}))
"""


def one_line_csv(mb: float = 10) -> bytes:
    """``mb`` MB of numbers on a single line (about 2.6 million fields at 10 MB)."""
    n = int(mb * 1024**2)
    return ",".join(str(i % 1000) for i in range(n // 4 + 1)).encode()[:n]


def ordinary_csv(mb: float) -> bytes:
    return make_csv(int(mb * ROWS_PER_MB))


def load_in_child(raw: bytes, unbounded: bool = False) -> dict:
    """Time and peak memory of ``load_csv(raw)`` in a new Python process (``unbounded``:
    with the memory budget lifted, to measure what a refused file would have cost)."""
    with tempfile.NamedTemporaryFile(prefix="emviz-bench-", suffix=".csv") as tmp:
        tmp.write(raw)
        tmp.flush()
        out = subprocess.run([sys.executable, "-c", _LOAD_CHILD, str(ROOT), tmp.name,
                              *(["unbounded"] if unbounded else [])],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rows(mb: float, bytes_per_row: int) -> int:
    return int(mb * 1024**2 / bytes_per_row)


def _floats(n: int, k: int, digits: int | None = None) -> list[list[str]]:
    import numpy as np

    X = np.random.default_rng(0).normal(size=(n, k))
    return X.round(digits).astype(str).tolist() if digits is not None else \
        [[repr(v) for v in row] for row in X.tolist()]


def _join(header: str, rows) -> bytes:
    return (header + "\n" + "\n".join(rows) + "\n").encode()


#: The shapes the loader's cost model (emviz.data.csv._COSTS) was fitted on: name -> maker(MB).
SHAPES = {
    "3 full-precision floats": lambda mb: ordinary_csv(mb),
    "4 floats, every 7th cell NA": lambda mb: _join("a,b,c,d", (
        ",".join("NA" if (i % 7 == 0 and j == 1) else v for j, v in enumerate(r))
        for i, r in enumerate(_floats(_rows(mb, 26), 4, 3)))),
    "2 floats + a label of 3 values": lambda mb: _join("a,b,species", (
        f"{a},{b},{('setosa', 'versicolor', 'virginica')[i % 3]}"
        for i, (a, b) in enumerate(_floats(_rows(mb, 22), 2, 3)))),
    "an id per row + 2 floats": lambda mb: _join("id,a,b", (
        f"id{i:08d},{a},{b}" for i, (a, b) in enumerate(_floats(_rows(mb, 24), 2, 3)))),
    "R's write.csv (quoted names, labels)": lambda mb: _join('"","a","b","grp"', (
        f'"{i + 1}",{a},{b},"{("x", "y")[i % 2]}"'
        for i, (a, b) in enumerate(_floats(_rows(mb, 28), 2, 3)))),
    "10,000 columns of 1.5": lambda mb: _join(",".join(f"c{i}" for i in range(10_000)), (
        ",".join(["1.5"] * 10_000) for _ in range(_rows(mb, 40_000)))),
    "2 one-digit integer columns": lambda mb: _join("x,y", ("1,2" for _ in range(_rows(mb, 4)))),
    "quoted text holding commas (cell by cell)": lambda mb: _join("a,b,c", (
        f'{a},{b},"x, y"' for a, b in _floats(_rows(mb, 22), 2, 3))),
    "short rows (cell by cell)": lambda mb: _join("a,b,c", (
        f"{a},{b}" for a, b in _floats(_rows(mb, 13), 2, 3))),
}


def bench_shapes(mb: float) -> list[tuple[str, dict]]:
    """Every shape of :data:`SHAPES` at ``mb`` MB, loaded with the budget lifted."""
    return [(name, load_in_child(make(mb), unbounded=True)) for name, make in SHAPES.items()]


def bench_loading(mb: float) -> list[tuple[str, dict]]:
    return [("10 MB, one line of ~2.6 million fields", load_in_child(one_line_csv(10))),
            (f"{mb:g} MB, 3 float columns", load_in_child(ordinary_csv(mb)))]


# --- 2. the server over sessions that upload and close ------------------------------------------
def rss(pid: int) -> float:
    return proc_status_mb(pid, "VmRSS")


def _open(browser, url: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = ctx.new_page()
    page.set_default_timeout(600_000)
    page.goto(url)
    wait_for_app(page, start_ms=0)
    return ctx, page


def bench_sessions(raw: bytes, uploads: int, wait_s: float, cycles: int, log: Path,
                   ) -> list[tuple[str, float, float]]:
    """(moment, seconds since the tabs closed or NaN, server RSS MB) rows.

    Each cycle opens ``uploads`` tabs that upload ``raw`` (all open at once), closes them,
    and samples the server for ``wait_s`` seconds; a second cycle shows whether what stays
    after the first one grows.
    """
    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, float, float]] = []
    proc, url = start_server(log)
    nan = float("nan")
    try:
        time.sleep(2)
        rows.append(("server started, no session", nan, rss(proc.pid)))
        with sync_playwright() as pw, tempfile.NamedTemporaryFile(
                prefix="emviz-bench-", suffix=".csv") as tmp:
            tmp.write(raw)
            tmp.flush()
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            first, page = _open(browser, url)
            page.wait_for_selector(CHART)
            first.close()
            time.sleep(3)
            rows.append(("one session drew the default chart, then closed", nan,
                         rss(proc.pid)))
            for cycle in range(1, cycles + 1):
                contexts = []
                for i in range(uploads):
                    ctx, page = _open(browser, url)
                    page.get_by_text("Upload CSV", exact=True).click()
                    wait_for_app(page)
                    t = time.perf_counter()
                    page.locator(UPLOADER).set_input_files(tmp.name)
                    wait_for_app(page)
                    page.wait_for_selector(CHART)
                    contexts.append(ctx)
                    rows.append((f"cycle {cycle}, tab {i + 1}: uploaded {len(raw) / 1e6:.0f} "
                                 f"MB, chart drawn ({time.perf_counter() - t:.0f} s)", nan,
                                 rss(proc.pid)))
                rows.append((f"cycle {cycle}: peak so far (VmHWM)", nan,
                             proc_status_mb(proc.pid, "VmHWM")))
                for ctx in contexts:
                    ctx.close()
                closed = time.monotonic()
                for at in (5, 30, 60, 120, 150, 180, 240, 300, 420, 600):
                    if at > wait_s:
                        break
                    time.sleep(max(0.0, closed + at - time.monotonic()))
                    rows.append((f"cycle {cycle}: every tab closed", at, rss(proc.pid)))
            browser.close()
    finally:
        stop_server(proc)
    return rows


# --- 3. CPU after a heavy link's tab closes -----------------------------------------------------
_HEAVY_DATA = "src=synthetic&scenario=custom&dim=3&truek=10&n=1000000&k=20&cov=full"
#: name -> path and query of a link that asks for far more work than one click may start.
HEAVY_LINKS = {
    "Explore: 10^6 points in 3-D, K = 20, 1000 iterations, tol = 0":
        f"/explore?{_HEAVY_DATA}&iters=1000&tol=0",
    "Initialisation: the same data, 500 restarts x 4 methods":
        f"/restarts?{_HEAVY_DATA}&rs_m=500&rs_method=all%20four",
}
#: What the page shows while the server computes for it (Explore's fit, the restarts), or
#: when it asks before computing.
_BUSY = "text=/Running EM|EM restarts:|Run anyway/"
#: Seconds of server CPU (beyond the page's own set-up) that say the heavy work has begun.
_STARTED_CPU_S = 2.0


def bench_cpu_after_close(log: Path, after_s: float = 30, busy_s: float = 3,
                          ) -> list[tuple[str, dict]]:
    """For each of :data:`HEAVY_LINKS`, on a fresh server: open the link in a tab, wait until
    the server is computing for it (the page shows its spinner or progress bar, then
    ``busy_s`` seconds more; or the page settles without computing, when it asks first),
    close the tab, and measure the server's CPU seconds in the next ``after_s`` seconds and
    how long it kept computing (the last 0.5 s sample in which it used > 0.1 s of CPU).
    """
    from playwright.sync_api import sync_playwright

    out = []
    for name, link in HEAVY_LINKS.items():
        proc, url = start_server(log)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                opened_cpu = proc_cpu_s(proc.pid)
                page.goto(url + link)
                page.wait_for_selector(_BUSY, timeout=180_000)
                asked = page.get_by_text("Run anyway").count() > 0
                busy = not asked
                if busy:
                    time.sleep(busy_s)
                clamped = page.get_by_text("This link asked for").count() > 0
                open_cpu = proc_cpu_s(proc.pid) - opened_cpu
                browser.close()
            closed = time.monotonic()
            start = last = proc_cpu_s(proc.pid)
            stopped_after = 0.0
            while time.monotonic() - closed < after_s:
                time.sleep(0.5)
                now = proc_cpu_s(proc.pid)
                if now - last > 0.1:
                    stopped_after = time.monotonic() - closed
                last = now
            out.append((name, {"cpu_after_s": last - start, "busy_until_s": stopped_after,
                               "cpu_open_s": open_cpu, "computing_at_close": busy,
                               "clamped": clamped, "asked": asked}))
        finally:
            stop_server(proc)
    return out


# --- report ----------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=150, help="size of the ordinary CSV")
    parser.add_argument("--uploads", type=int, default=3)
    parser.add_argument("--wait", type=float, default=240,
                        help="seconds to keep sampling the server after the tabs close")
    parser.add_argument("--cycles", type=int, default=2,
                        help="rounds of uploading tabs that then close")
    parser.add_argument("--no-browser", action="store_true", help="loading only")
    parser.add_argument("--cpu-after-close", action="store_true",
                        help="measure the server's CPU after heavy links' tabs close")
    parser.add_argument("--after", type=float, default=30,
                        help="seconds to watch the server's CPU after a tab closes")
    parser.add_argument("--shapes", type=float, nargs="*", metavar="MB",
                        help="also load every calibration shape at these sizes, budget lifted")
    args = parser.parse_args()

    print(f"load average at the start: {loadavg()}")
    print("\nLoading (load_csv in a fresh process; peak = VmHWM above the bytes already held)")
    print(f"| {'file':<40} | {'seconds':>8} | {'peak MB':>8} | {'x size':>6} | outcome")
    print(f"|{'-' * 42}|{'-' * 10}|{'-' * 10}|{'-' * 8}|---------")
    for name, r in bench_loading(args.mb):
        print(f"| {name:<40} | {r['seconds']:8.2f} | {r['peak_mb']:8.0f} | "
              f"{r['peak_mb'] / r['size_mb']:6.1f} | {r['outcome']}")
    for mb in args.shapes or ():
        print(f"\nCalibration shapes at {mb:g} MB (budget lifted; estimate = emviz.data.csv._COSTS "
              "without its fixed part)")
        print(f"| {'shape':<42} | {'MB':>5} | {'seconds':>7} | {'peak MB':>7} | {'x size':>6} "
              f"| {'C reader est.':>13} | {'cell by cell est.':>17} |")
        print(f"|{'-' * 44}|{'-' * 7}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 15}|{'-' * 19}|")
        for name, r in bench_shapes(mb):
            est = r["estimate_mb"]
            print(f"| {name:<42} | {r['size_mb']:5.1f} | {r['seconds']:7.2f} | "
                  f"{r['peak_mb']:7.0f} | {r['peak_mb'] / r['size_mb']:6.1f} | "
                  f"{est['fast'] / r['size_mb']:12.1f}x | {est['slow'] / r['size_mb']:16.1f}x |")
    log = ROOT / "artifacts" / "bench-server.log"
    log.parent.mkdir(exist_ok=True)
    if not args.no_browser:
        print(f"\nServer memory (streamlit run app.py; {args.uploads} tabs upload "
              f"{args.mb:g} MB each, then close)")
        print(f"| {'moment':<58} | {'s after':>7} | {'RSS MB':>7} |")
        print(f"|{'-' * 60}|{'-' * 9}|{'-' * 9}|")
        for moment, at, mb in bench_sessions(ordinary_csv(args.mb), args.uploads, args.wait,
                                             args.cycles, log):
            shown = "" if at != at else f"{at:7.0f}"  # NaN: not after the close
            print(f"| {moment:<58} | {shown:>7} | {mb:7.0f} |")
    if args.cpu_after_close:
        print(f"\nServer CPU after a heavy link's tab is closed (fresh server per link; "
              f"{args.after:g} s watched; target < 2 s)")
        print(f"| {'link':<62} | {'page':<46} | {'CPU open s':>10} | {'CPU after s':>11} "
              f"| {'busy until s':>12} |")
        print(f"|{'-' * 64}|{'-' * 48}|{'-' * 12}|{'-' * 13}|{'-' * 14}|")
        for name, r in bench_cpu_after_close(log, after_s=args.after):
            page = ", ".join(w for w, on in (
                ("link lowered to the budget", r["clamped"]), ("asks to confirm", r["asked"]),
                ("computing at close", r["computing_at_close"])) if on) or "-"
            print(f"| {name:<62} | {page:<46} | {r['cpu_open_s']:10.1f} | "
                  f"{r['cpu_after_s']:11.2f} | {r['busy_until_s']:12.1f} |")
    else:
        print("\nCPU after a heavy link's tab closes: not measured (--cpu-after-close).")
    print(f"\nload average at the end: {loadavg()}")


if __name__ == "__main__":
    if os.environ.get("PYTHONHASHSEED") is None:
        os.environ["PYTHONHASHSEED"] = "0"
    main()
