"""What the same headless Chromium can do at best: Streamlit + Plotly pages with nothing of emviz.

    .venv/bin/python benchmarks/bench_browser_floor.py [--repeats 8]

``bench_browser.py`` times Explore (the browser-side stepper, beside the design that made a
Streamlit rerun of every Step). This script times the same kinds of thing on minimal pages,
served by the same Streamlit and drawn by the same Chromium (software WebGL, no GPU), so
the figures can be read side by side:

* first chart: navigation start -> the first frame showing a Plotly chart, for a page that
  is one 100-point chart and nothing else (median over fresh tabs of one browser, after a
  first visit that warms the server and the HTTP cache, as ``bench_browser.py`` measures);
* a rerun: a button click -> its new text shown, on a page with a button and a line of text;
* a chart update: a button click -> the chart redrawn with new data, for 100 points (SVG),
  100 points (WebGL, ``scattergl``) and 10,000 points (WebGL), every point recoloured on each
  click, as a Step recolours them by responsibility. Timed in the page, from the click
  event to the first frame with the new chart (``bench_browser.timed_click``).

What a design that reruns the script on every Step cannot beat is the rerun plus the chart
update; the stepper does neither.

The pages are written to a temporary directory; the server is loopback only and stopped at
the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_browser import (  # a sibling script, not a package
    CHART,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    first_charts,
    start_server,
    step_latency,
    stop_server,
    wait_idle,
)

#: One page serves every case: ``?case=`` picks what it shows.
PAGE = '''
import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(layout="wide")
case = st.query_params.get("case", "chart")
clicks = st.session_state.setdefault("clicks", 0)
if st.button("Go"):
    clicks = st.session_state["clicks"] = clicks + 1
if case == "rerun":
    st.write(f"clicks: {clicks}")
else:
    n = {"chart": 100, "svg100": 100, "gl100": 100, "gl10k": 10_000}[case]
    rng = np.random.default_rng(0)
    xy = rng.normal(size=(2, n))
    colour = np.random.default_rng(clicks).integers(0, 256, n).astype(np.uint8)
    trace = go.Scattergl if case.startswith("gl") else go.Scatter
    fig = go.Figure(trace(x=xy[0], y=xy[1], mode="markers",
                          marker={"color": colour, "colorscale": "Viridis", "size": 5}))
    fig.update_layout(height=560, uirevision="keep")
    st.plotly_chart(fig, key="chart")
'''

UPDATE_CASES = ("svg100", "gl100", "gl10k")


def rerun_latency(page: Page, repeats: int) -> list[float]:
    times = []
    for i in range(1, repeats + 1):
        t0 = time.perf_counter()
        page.get_by_role("button", name="Go").click()
        page.get_by_text(f"clicks: {i}", exact=True).wait_for(timeout=30_000)
        times.append(time.perf_counter() - t0)
        wait_idle(page)
    return times


def _summary(times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return (f"median {statistics.median(ms):6.0f} ms  (min {min(ms):.0f}, max {max(ms):.0f}, "
            f"n = {len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=8)
    args = parser.parse_args()

    log = ROOT / "artifacts" / "bench-browser-floor-server.log"
    log.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "floor.py").write_text(PAGE, encoding="utf-8")
        proc, base = start_server(log, script="floor.py", cwd=Path(tmp))
        base += "/"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                _, firsts, page = first_charts(browser, base, tabs=max(3, args.repeats // 2))
                results = {}
                page.goto(base + "?case=rerun")
                page.get_by_text("clicks: 0", exact=True).wait_for(timeout=60_000)
                wait_idle(page)
                results["rerun"] = rerun_latency(page, args.repeats)
                for case in UPDATE_CASES:
                    page.goto(base + f"?case={case}")
                    page.locator(f"{CHART} .main-svg").first.wait_for(timeout=120_000)
                    wait_idle(page)
                    step_latency(page, 1, button="Go")  # the first update also loads WebGL
                    results[case] = step_latency(page, args.repeats, button="Go")
                browser.close()
        finally:
            stop_server(proc)

    print("Minimal Streamlit + Plotly pages in this Chromium (the floor under bench_browser.py):")
    print(f"first chart, a page that is one 100-point chart: median "
          f"{statistics.median(firsts):5.2f} s (min {min(firsts):.2f}, max {max(firsts):.2f}, "
          f"n = {len(firsts)})")
    print(f"click -> rerun shown (a button and a text):        {_summary(results['rerun'])}")
    labels = {"svg100": "100 points, SVG", "gl100": "100 points, WebGL",
              "gl10k": "10,000 points, WebGL"}
    for case in UPDATE_CASES:
        print(f"click -> chart redrawn, {labels[case]:<22}  {_summary(results[case])}")


if __name__ == "__main__":
    main()
