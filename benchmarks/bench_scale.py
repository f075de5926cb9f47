"""A million rows, end to end (a script, not a test).

    .venv/bin/python benchmarks/bench_scale.py [--rows 1000000] [--no-browser]

The target: a 1,000,000-row, 3-column CSV (about 60 MB) uploads, parses and runs 100 EM
iterations with K = 5 in well under 30 s, with the server's peak memory under 2 GB. This
script measures it three ways:

1. **Engine, in this process**, stage by stage, the way the app's cache does it: a 5-component
   3-D mixture is written to CSV bytes in memory, then parse (``load_csv``) -> prepare
   (``Table.select`` of x, y, z and the 20,000 drawn points) -> init (``initialize(K=5)``,
   the app's default ``random_from_data``) -> EM (``run_em(max_iter=100, tol=0)``) -> first
   figure (the init drawn over 20,000 points, as JSON) -> last figure (E-step on the drawn
   points, figure, JSON). Peak memory is this process's ``ru_maxrss`` (it includes the
   generator's arrays and the CSV bytes).
2. **The app's script, in this process** (``AppTest``, no browser): K = 5, tol = 0, upload
   the bytes (EM on x, y), add z (EM in 3-D), press Run, press Back (a rerun with everything
   cached). Each row is the wall time of one script run and the CPU time of its thread.
3. **Through the real server.** ``streamlit run app.py`` on loopback, driven by Debian's
   Chromium: set K = 5 and tol = 0, upload the CSV (from a temporary file: Playwright caps
   in-memory uploads at 50 MB) through the file uploader, wait for the
   chart (EM on the first two columns), add the third column (EM again, in 3-D), press
   Run (jump to iteration 100). Each row gives the wall time and the server's CPU time (the
   rest is Chromium: sending 60 MB, drawing 20,000 points without a GPU, and waiting for a
   core on a loaded machine). The server's peak RSS is ``VmHWM`` from ``/proc/PID/status``.

Nothing here is asserted; the numbers go into the issue note. Typical run: about 2 minutes.
"""

from __future__ import annotations

import argparse
import io
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emviz.data.csv import load_csv  # noqa: E402
from emviz.data.synthetic import display_subset  # noqa: E402
from emviz.engine.em import e_step, initialize, run_em  # noqa: E402
from emviz.figures.mixture import FigureOptions, mixture_figure  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
APP = '[data-testid="stApp"]'
CHART = '[data-testid="stPlotlyChart"] .main-svg'
K = 5
ITERATIONS = 100
INIT = "random_from_data"  # the app's default
MAX_DISPLAY = 20_000  # emviz.ui.cache.MAX_DISPLAY (not imported: that imports streamlit)


# --- the server (shared with load_classroom.py) -------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log: Path, timeout_s: float = 90, script: str = "app.py",
                 cwd: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """``streamlit run <script>`` (in ``cwd``: the app by default) on a free loopback port;
    returns (process, base URL)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"Streamlit exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc, url
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"Streamlit not healthy after {timeout_s} s; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def proc_status_mb(pid: int, field: str = "VmHWM") -> float:
    """``VmHWM`` (peak resident set) or ``VmRSS`` of a process, in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far, from /proc/PID/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # the command name may contain spaces
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / _CLK_TCK


_CLK_TCK = __import__("os").sysconf("SC_CLK_TCK")


def wait_for_app(page, timeout_ms: float = 300_000, start_ms: float = 1500) -> None:
    """Wait for the rerun a click or upload started to finish (see tests/e2e/conftest.py)."""
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', state="attached",
                           timeout=timeout_ms)
    if start_ms:
        try:
            page.wait_for_selector(f'{APP}:not([data-test-script-state="notRunning"])',
                                   state="attached", timeout=start_ms)
        except Exception:
            pass
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', state="attached",
                           timeout=timeout_ms)


# --- data -----------------------------------------------------------------------------------
def make_csv(n_rows: int) -> bytes:
    """A 5-component 3-D mixture as CSV bytes with full-precision floats (~60 MB at 1e6)."""
    import pandas as pd

    from emviz.data.synthetic import make_mixture

    X = make_mixture(3, K, n_rows, seed=0).X
    buf = io.StringIO()
    pd.DataFrame(X, columns=["x", "y", "z"]).to_csv(buf, index=False)
    return buf.getvalue().encode("ascii")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- part 1: the engine ---------------------------------------------------------------------
def _figure_json(X_display, params, resp) -> str:
    import plotly.io

    fig = mixture_figure(X_display, params, resp, options=FigureOptions(uirevision="bench"))
    return plotly.io.to_json(fig.to_dict(), validate=False)


def bench_engine(raw: bytes) -> list[tuple[str, float, float]]:
    rows: list[tuple[str, float, float]] = []

    def stage(name, fn):
        t = time.perf_counter()
        out = fn()
        rows.append((name, time.perf_counter() - t, peak_mb()))
        return out

    table = stage("parse: load_csv", lambda: load_csv(raw))

    def prepare():
        X = np.ascontiguousarray(table.select(list(table.numeric_columns)).X)
        return X, np.asarray(display_subset(len(X), max_points=MAX_DISPLAY, seed=0))

    X, shown = stage("prepare: select x, y, z + drawn subset", prepare)
    init = stage(f"init: initialize(K={K}, {INIT})", lambda: initialize(X, K, INIT, seed=0))
    trace = stage(f"EM: run_em(max_iter={ITERATIONS}, tol=0)",
                  lambda: run_em(X, init, max_iter=ITERATIONS, tol=0.0))
    assert trace.n_iter == ITERATIONS, trace.stop_reason
    X_display = X[shown]
    stage(f"first figure: init over {len(shown):,} points, JSON",
          lambda: _figure_json(X_display, init, None))
    stage("last figure: E-step on the drawn points, figure, JSON",
          lambda: _figure_json(X_display, trace.final,
                               e_step(X_display, trace.final).resp.astype(np.float32)))
    return rows


# --- part 2: the app's script (AppTest) -----------------------------------------------------
def bench_apptest(raw: bytes) -> list[tuple[str, float, float]]:
    """The script runs a server would do, timed in this process (no browser, no upload I/O)."""
    import threading

    from streamlit.testing.v1 import AppTest

    cpu: list[float] = []
    run = threading.Thread.run

    def timed_run(self):  # the script runs in its own thread: time that thread's CPU
        t = time.thread_time()
        try:
            run(self)
        finally:
            cpu.append(time.thread_time() - t)

    rows: list[tuple[str, float, float]] = []
    threading.Thread.run = timed_run
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600).run()
        at.number_input(key="model_k").set_value(K).run()
        at.select_slider(key="model_tol").set_value(0.0).run()
        at.radio(key="data_source").set_value("Upload CSV").run()

        def stage(name, action):
            cpu.clear()
            t = time.perf_counter()
            action().run()
            wall = time.perf_counter() - t
            if at.exception:
                raise SystemExit(f"{name}: {at.exception[0].value}")
            rows.append((f"{name} (CPU {sum(cpu):.2f} s)", wall, peak_mb()))

        stage(f"upload {len(raw) / 1e6:.0f} MB -> chart (x, y; K={K}, {ITERATIONS} its)",
              lambda: at.file_uploader(key="csv_upload").upload("big.csv", raw, "text/csv"))
        stage(f"add column z -> 3-D chart (K={K}, {ITERATIONS} its)",
              lambda: at.multiselect(key="tbl_columns").set_value(["x", "y", "z"]))
        stage("Run -> last iteration drawn", lambda: at.button(key="btn_run").click())
        stage("Back one half-step (everything cached)", lambda: at.button(key="btn_back").click())
    finally:
        threading.Thread.run = run
    return rows


# --- part 3: the real server ----------------------------------------------------------------
def bench_server(raw: bytes, log: Path) -> list[tuple[str, float, float]]:
    from playwright.sync_api import expect, sync_playwright

    proc, url = start_server(log)
    rows: list[tuple[str, float, float]] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.set_default_timeout(300_000)

            def timed(name, action, done):
                cpu, t = proc_cpu_s(proc.pid), time.perf_counter()
                action()
                done()
                wall = time.perf_counter() - t
                cpu = proc_cpu_s(proc.pid) - cpu  # the server's share; the rest is the browser
                rows.append((f"{name} (server CPU {cpu:.1f} s)", wall,
                             proc_status_mb(proc.pid)))

            timed("open the app -> first chart (synthetic)", lambda: page.goto(url),
                  lambda: (wait_for_app(page, start_ms=0), page.wait_for_selector(CHART)))
            k_box = page.get_by_label("K (n_components)")
            k_box.fill(str(K))
            k_box.press("Enter")
            wait_for_app(page)
            thumb = page.get_by_test_id("stSlider").filter(has_text="tol").get_by_role("slider")
            thumb.focus()
            thumb.press("Home")  # the first option: tol = 0, run every iteration
            wait_for_app(page)
            page.get_by_text("Upload CSV", exact=True).click()
            wait_for_app(page)
            # Playwright refuses in-memory buffers over 50 MB: hand the browser a temp file.
            tmp = tempfile.NamedTemporaryFile(prefix="emviz-bench-", suffix=".csv")
            tmp.write(raw)
            tmp.flush()
            files = tmp.name
            uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')

            def chart_for(columns: str):
                def done():
                    wait_for_app(page)
                    expect(page.get_by_text(f"columns: {columns}").first).to_be_visible(
                        timeout=300_000)
                    page.wait_for_selector(CHART)
                return done

            timed(f"upload {len(raw) / 1e6:.0f} MB -> chart (x, y; K={K}, {ITERATIONS} its)",
                  lambda: uploader.set_input_files(files), chart_for("x, y"))

            def add_z():
                box = page.get_by_test_id("stMultiSelect").filter(has_text="Columns to cluster")
                box.locator("input").click()
                page.get_by_role("option", name="z", exact=True).click()
                page.keyboard.press("Escape")

            timed(f"add column z -> 3-D chart (K={K}, {ITERATIONS} its)", add_z,
                  chart_for("x, y, z"))

            def run_to_end():
                page.get_by_role("button", name="Run", exact=True).click()

            timed("Run -> last iteration drawn", run_to_end,
                  lambda: (wait_for_app(page), expect(
                      page.get_by_text(f"Iteration {ITERATIONS} ·").first).to_be_visible()))
            problems = page.locator('[data-testid="stException"]').count()
            rows.append(("exceptions shown", float(problems), proc_status_mb(proc.pid)))
            browser.close()
            tmp.close()
    finally:
        rows.append(("server peak RSS (VmHWM)", float("nan"), proc_status_mb(proc.pid)))
        stop_server(proc)
    return rows


def print_table(title: str, rows: list[tuple[str, float, float]], total: bool) -> None:
    print(f"\n{title}")
    print(f"| {'stage':<62} | {'seconds':>8} | {'peak MB':>8} |")
    print(f"|{'-' * 64}|{'-' * 10}|{'-' * 10}|")
    for name, secs, mb in rows:
        s = "" if secs != secs else f"{secs:8.2f}"  # NaN: no time for this row
        print(f"| {name:<62} | {s:>8} | {mb:8.0f} |")
    if total:
        print(f"| {'total':<62} | {sum(r[1] for r in rows):8.2f} | {rows[-1][2]:8.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-apptest", action="store_true", help="skip the in-process app run")
    parser.add_argument("--no-browser", action="store_true", help="skip the real server")
    args = parser.parse_args()

    t = time.perf_counter()
    raw = make_csv(args.rows)
    print(f"CSV: {args.rows:,} rows x 3 columns, {len(raw) / 1e6:.1f} MB, generated in "
          f"{time.perf_counter() - t:.1f} s (in memory); peak so far {peak_mb():.0f} MB; "
          f"load average {loadavg()}")
    print_table("Engine (this process; peak = ru_maxrss, includes the generator)",
                bench_engine(raw), total=True)
    if not args.no_apptest:
        print_table("The app's script (AppTest in this process; seconds = wall; "
                    "peak = ru_maxrss)", bench_apptest(raw), total=False)
    if not args.no_browser:
        log = ROOT / "artifacts" / "bench-scale-server.log"
        log.parent.mkdir(exist_ok=True)
        print_table("Through the server (Chromium + streamlit run; MB = server VmHWM)",
                    bench_server(raw, log), total=False)
    print(f"\nload average at the end: {loadavg()}")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
