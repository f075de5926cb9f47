"""Step in the browser on the singularity, variational Bayes and two-coins labs, beside the
design they replace (a script, not a test).

    .venv/bin/python benchmarks/bench_labs_browser_theory.py [--repeats 12] [--old-repeats 6]
                                                             [--baseline 71767f5]

Two Streamlit servers in one run, driven by Debian's Chromium at each lab's default data:

* **this checkout**: the lab steps in the browser. A Step is timed in the page, as
  ``benchmarks/bench_browser.py`` times Explore's: ``click()`` on the stepper's Step button →
  its ``data-rendered`` attribute increments (every chart, number and table of the new
  position drawn) → one more animation frame (the frame that shows it). Also from Python
  (Playwright's click → the same), which adds the round trip to the browser;
* **the baseline** (``git worktree add --detach`` of ``--baseline``, the commit before the
  labs stepped in the browser, in a temporary directory): one iteration forward the way that
  design did it (the iteration slider's → key on the singularity and VB labs, the Step
  button on the coins lab), which reruns the page → every chart of the lab redrawn (each
  ``st.plotly_chart`` replaced) and the run finished → one more frame. Timed from Python.

The verdict is the new design's in-page median against 80 ms. Machines shared with other
work give noisy figures: compare the two columns of one run, not figures from another day.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import (  # a sibling script: the server, the browser and the repo root
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    start_server,
    stop_server,
    wait_for_app,
)

#: The labs: url path -> how the baseline moved one iteration ("slider": its key; "button").
LABS = {
    "singularity": ("slider", "Iteration"),
    "vbgmm": ("slider", "Iteration"),
    "coins": ("button", "Step (E+M)"),
}
TARGET_MS = 80.0
ROOT_SEL = '[data-testid="emvizStepper"]'
CHARTS = '[data-testid="stPlotlyChart"] .js-plotly-plot'
VIEWPORT = {"width": 1400, "height": 1600}

#: One Step timed in the page: the click, every part of the position drawn, one frame.
IN_PAGE_STEP = """async () => {
  const root = document.querySelector('[data-testid="emvizStepper"]');
  const button = root.querySelector('button[data-act="step"]');
  const before = Number(root.dataset.rendered);
  const drawn = new Promise((resolve) => {
    const seen = new MutationObserver(() => {
      if (Number(root.dataset.rendered) > before) { seen.disconnect(); resolve(); }
    });
    seen.observe(root, { attributes: true, attributeFilter: ['data-rendered'] });
  });
  const t0 = performance.now();
  button.click();
  await drawn;
  await new Promise((r) => requestAnimationFrame(() => r()));
  return performance.now() - t0;
}"""


def _frame(page: Page) -> None:
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(true)))")


def _rendered(page: Page) -> int:
    return int(page.evaluate(f"() => document.querySelector('{ROOT_SEL}').dataset.rendered"))


def _open_new(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.locator(f"{ROOT_SEL}[data-rendered] .main-svg").first.wait_for(timeout=300_000)


def _to_start(page: Page) -> None:
    page.locator("body").press("Home")
    page.wait_for_function(
        f"() => document.querySelector('{ROOT_SEL}').dataset.position === '0'", timeout=30_000)
    page.wait_for_timeout(300)


def _steps_left(page: Page) -> int:
    return int(page.evaluate(
        f"() => {{ const r = document.querySelector('{ROOT_SEL}');"
        " return Number(r.dataset.n) - 1 - Number(r.dataset.position); }"))


def new_design(page: Page, url: str, repeats: int) -> tuple[list[float], list[float]]:
    """Step in the browser: in-page times, then Playwright-click times (ms)."""
    _open_new(page, url)
    _to_start(page)
    page.evaluate(IN_PAGE_STEP)  # warm: Plotly's first update of each chart
    in_page, outside = [], []
    for _ in range(repeats):
        if _steps_left(page) < 1:
            _to_start(page)
        in_page.append(page.evaluate(IN_PAGE_STEP))
        page.wait_for_timeout(150)
    _to_start(page)
    button = page.locator(ROOT_SEL).get_by_role("button", name="Step", exact=True)
    for _ in range(repeats):
        if _steps_left(page) < 1:
            _to_start(page)
        before = _rendered(page)
        t0 = time.perf_counter()
        button.click()
        page.wait_for_function(
            f"() => Number(document.querySelector('{ROOT_SEL}').dataset.rendered) > {before}",
            polling="raf", timeout=30_000)
        _frame(page)
        outside.append((time.perf_counter() - t0) * 1000)
        page.wait_for_timeout(150)
    return in_page, outside


def _mark_charts(page: Page) -> None:
    page.evaluate(f"() => {{ window.__old = Array.from(document.querySelectorAll('{CHARTS}'),"
                  " gd => gd._fullData); }")


def _charts_replaced(page: Page) -> None:
    """Every chart of the lab redrawn by the rerun, and the run finished."""
    page.wait_for_function(
        f"""() => {{
            const app = document.querySelector('[data-testid="stApp"]');
            if (app.dataset.testScriptState !== 'notRunning') return false;
            const now = Array.from(document.querySelectorAll('{CHARTS}'));
            return now.length > 0 && now.every(gd => gd._fullData
                && !window.__old.includes(gd._fullData));
        }}""", polling="raf", timeout=120_000)
    _frame(page)


def old_design(page: Page, url: str, how: str, label: str, repeats: int) -> list[float]:
    """One iteration forward by a rerun: slider key or Step button (ms)."""
    page.goto(url)
    wait_for_app(page)
    page.locator(f"{CHARTS} .main-svg").first.wait_for(timeout=300_000)
    times = []
    if how == "slider":
        thumb = page.get_by_test_id("stSlider").filter(has_text=label).get_by_role("slider")
        thumb.focus()
        thumb.press("Home")
        wait_for_app(page)
        act = lambda: thumb.press("ArrowRight")  # noqa: E731
    else:
        button = page.get_by_role("button", name=label, exact=True)
        act = button.click
    for i in range(repeats + 1):  # the first one warms the caches
        _mark_charts(page)
        t0 = time.perf_counter()
        act()
        _charts_replaced(page)
        if i:
            times.append((time.perf_counter() - t0) * 1000)
        page.wait_for_timeout(200)
    return times


def _summary(times: list[float]) -> str:
    if not times:
        return "—"
    return (f"{statistics.median(times):7.0f} ms  ({min(times):.0f}–{max(times):.0f}, "
            f"n = {len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=12)
    parser.add_argument("--old-repeats", type=int, default=6)
    parser.add_argument("--baseline", default="71767f5",
                        help="the commit whose labs rerun the page per step")
    args = parser.parse_args()

    logs = ROOT / "artifacts"
    logs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="emviz-baseline-") as tmp:
        old_tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old_tree),
                        args.baseline], check=True, capture_output=True)
        new_proc = old_proc = None
        try:
            new_proc, new_url = start_server(logs / "bench-labs-theory-new.log")
            old_proc, old_url = start_server(logs / "bench-labs-theory-old.log", cwd=old_tree)
            results = {}
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport=VIEWPORT)
                # first visits pay the imports; not timed
                _open_new(page, f"{new_url}/coins")
                page.goto(f"{old_url}/coins")
                wait_for_app(page)
                for lab, (how, label) in LABS.items():
                    in_page, outside = new_design(page, f"{new_url}/{lab}", args.repeats)
                    old = old_design(page, f"{old_url}/{lab}", how, label, args.old_repeats)
                    results[lab] = (in_page, outside, old)
                browser.close()
        finally:
            for proc in (new_proc, old_proc):
                if proc is not None:
                    stop_server(proc)
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(old_tree)], check=False, capture_output=True)

    print(f"Step → drawn + one frame, default data, baseline {args.baseline} "
          f"(target <= {TARGET_MS:.0f} ms in the page)")
    print(f"{'lab':<12} {'in the browser (in page)':<32} {'(from Playwright)':<32} "
          f"{'rerun per step (baseline)':<32} verdict")
    for lab, (in_page, outside, old) in results.items():
        med = statistics.median(in_page)
        verdict = "ok" if med <= TARGET_MS else "over"
        ratio = statistics.median(old) / med if old and med else float("nan")
        print(f"{lab:<12} {_summary(in_page):<32} {_summary(outside):<32} {_summary(old):<32} "
              f"{verdict} ({ratio:.0f}× faster)")


if __name__ == "__main__":
    main()
