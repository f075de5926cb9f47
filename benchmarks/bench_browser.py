"""Browser timings of the Explore view (a script, not a test).

    .venv/bin/python benchmarks/bench_browser.py [--repeats 10]

Starts the app with Streamlit, drives it in Debian's Chromium (Playwright, sync API) and
prints the figures issue 3 asks for:

* first chart: navigation start -> the first Plotly chart drawn (target <= 4 s);
* step latency: "Step" click -> the chart redrawn with new data, at N = 10,000 in 2D
  (median of ``--repeats``; target <= 300 ms). The data is uploaded as a CSV;
* Play: ``plotly_animatingframe`` events per second while the animation plays, at 1× and
  at the fastest speed button (target >= 20 fps);
* the animated figure's JSON size for 100 iterations at N = 10,000 (target <= 3 MB),
  built exactly as the app builds it.

``bench_browser_floor.py`` times the same things on minimal Streamlit + Plotly pages in the
same browser: what no app can beat there.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import (  # a sibling script: the server, the browser and the repo root
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    start_server,
    stop_server,
)

CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'
N_POINTS = 10_000


def wait_idle(page: Page, timeout: float = 120_000) -> None:
    """Wait for a rerun to start (if one is coming) and to finish."""
    app = '[data-testid="stApp"]'
    try:
        page.wait_for_selector(f'{app}:not([data-test-script-state="notRunning"])',
                               state="attached", timeout=1000)
    except Exception:
        pass
    page.wait_for_selector(f'{app}[data-test-script-state="notRunning"]', state="attached",
                           timeout=timeout)


def blobs_csv(path: Path, n: int = N_POINTS) -> Path:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [4.0, 1.0], [1.5, 4.0]])
    X = centres[rng.integers(0, 3, n)] + rng.normal(0, 1, (n, 2))
    np.savetxt(path, X, delimiter=",", header="x,y", comments="", fmt="%.5f")
    return path


def first_chart(page: Page, url: str) -> float:
    t0 = time.perf_counter()
    page.goto(url)
    page.locator(f"{CHART} .main-svg").first.wait_for(timeout=120_000)
    return time.perf_counter() - t0


def first_charts(browser: Browser, url: str, tabs: int = 3) -> tuple[float, list[float], Page]:
    """A first visit (it warms the server and the HTTP cache), then ``tabs`` fresh tabs.

    Returns the first visit's time, each fresh tab's time, and the last tab (still open).
    One tab alone swings by seconds between runs, hence several.
    """
    viewport = {"width": 1400, "height": 1100}
    page = browser.new_page(viewport=viewport)
    cold = first_chart(page, url)
    warm = []
    for _ in range(tabs):
        page.close()
        page = browser.new_page(viewport=viewport)
        warm.append(first_chart(page, url))
    wait_idle(page)
    return cold, warm, page


def step_latency(page: Page, repeats: int, button: str = "Step") -> list[float]:
    """``button`` click -> the first chart redrawn with new data (its ``_fullData`` replaced)."""
    times = []
    for _ in range(repeats):
        page.evaluate(f"() => {{ window.__old = document.querySelector('{CHART}')._fullData; }}")
        t0 = time.perf_counter()
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_function(
            f"() => {{ const gd = document.querySelector('{CHART}');"
            " return gd && gd._fullData && gd._fullData !== window.__old; }",
            polling="raf", timeout=30_000)
        times.append(time.perf_counter() - t0)
        wait_idle(page)
    return times


def play_fps(page: Page, button: str, seconds: float = 3.0) -> float:
    page.evaluate(
        f"""() => {{
            const gd = document.querySelector('{CHART}');
            window.__frames = [];
            if (!gd.__counting) {{
                gd.on('plotly_animatingframe', () => window.__frames.push(performance.now()));
                gd.__counting = true;
            }}
        }}"""
    )
    page.locator(f"{CHART} .updatemenu-button", has_text=button).first.click()
    page.wait_for_timeout(seconds * 1000)
    stamps = page.evaluate("() => window.__frames")
    page.locator(f"{CHART} .updatemenu-button", has_text="Pause").first.click()
    if len(stamps) < 2:
        return 0.0
    return (len(stamps) - 1) / ((stamps[-1] - stamps[0]) / 1000)


def animation_json_mb() -> tuple[float, int]:
    """Size of the app's own animated figure for 100 iterations at N = 10,000."""
    from emviz.em import e_step, initialize, run_em
    from emviz.ui import backend as be
    from emviz.ui.cache import FRAME_MS

    with tempfile.TemporaryDirectory() as tmp:
        X = np.loadtxt(blobs_csv(Path(tmp) / "b.csv"), delimiter=",", skiprows=1)
    trace = run_em(X, initialize(X, 3, "random_from_data", 0), max_iter=100, tol=0)
    resps = [e_step(X, p).resp.astype(np.float32) for p in trace.params]
    fig = be.animation_figure(X, trace, resps, options=be.FigureOptions(), frame_ms=FRAME_MS)
    return len(fig.to_json()) / 1e6, trace.n_iter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()

    log = ROOT / "artifacts" / "bench-browser-server.log"
    log.parent.mkdir(exist_ok=True)
    proc, url = start_server(log)
    url += "/"
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # The first visit pays the Python imports; later visitors see the fresh tabs' time.
            cold, warm, page = first_charts(browser, url)

            page.get_by_text("Upload CSV", exact=True).click()
            wait_idle(page)
            page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                blobs_csv(Path(tmp) / "blobs_10k.csv"))
            wait_idle(page)
            page.locator(f"{CHART} .main-svg").first.wait_for(timeout=120_000)
            # tol = 0: always 100 iterations, so there are enough steps to time.
            tol = page.get_by_test_id("stSlider").filter(has_text="tol").get_by_role("slider")
            tol.focus()
            for _ in range(6):
                tol.press("ArrowLeft")
                wait_idle(page)
            page.get_by_role("button", name="Step", exact=True).click()  # warm the caches
            wait_idle(page)
            steps = step_latency(page, args.repeats)

            page.get_by_text("Animate", exact=True).click()
            wait_idle(page)
            page.locator(f"{CHART} .main-svg").first.wait_for(timeout=120_000)
            fps_1x = play_fps(page, "▶ Play")
            fps_max = play_fps(page, "4×")
            browser.close()
    finally:
        stop_server(proc)

    size_mb, n_iter = animation_json_mb()
    med = statistics.median(steps) * 1000
    print(f"first chart, cold server (imports included): {cold:6.2f} s")
    print(f"first chart, warm server:                    {statistics.median(warm):6.2f} s median "
          f"of {len(warm)} tabs (min {min(warm):.2f}, max {max(warm):.2f})   (target <= 4 s)")
    print(f"Step -> redrawn chart, N = {N_POINTS:,} 2D:      median {med:6.0f} ms over "
          f"{len(steps)} (min {min(steps) * 1000:.0f}, max {max(steps) * 1000:.0f})"
          "   (target <= 300 ms)")
    print(f"Play, 1× button:                             {fps_1x:6.1f} fps   (target >= 20)")
    print(f"Play, 4× button (fastest):                   {fps_max:6.1f} fps")
    print(f"animated figure JSON, {n_iter} iterations, N = {N_POINTS:,}: {size_mb:6.2f} MB"
          "   (target <= 3 MB)")


if __name__ == "__main__":
    main()
