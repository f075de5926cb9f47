"""Step on the labs that step in the browser, beside the design they replace, in one run
(a script, not a test).

    .venv/bin/python benchmarks/bench_labs_browser.py [--repeats 8] [--baseline 71767f5]
                                                      [--labs kmeans,elbo,...] [--breakdown]
                                                      [--no-old]

Serves two copies of the app at once, on two loopback ports: this checkout (the labs step in
the browser) and ``--baseline`` checked out into a temporary ``git worktree add --detach``
(today's design: each Step a Streamlit rerun that redraws the lab's charts), run by the same
interpreter. One headless Debian Chromium opens each lab at its default data in both and
alternates Steps between them, so that a change in the machine's load hits both alike.

A Step is timed in the page, so Playwright's own round trips are not counted:

* **the stepper**: its Step button clicked → its ``data-rendered`` counter increments (every
  chart, number, table and line of the new position drawn) → one animation frame. Each Step
  must land on a later position (checked: a Step that does not is an error);
* **today's design**: the lab's own control (a button clicked, or a slider's → key: the
  Iteration slider on the singularity and VB labs), from the event's time stamp → every
  chart that follows the position redrawn (Plotly's ``_fullData`` replaced) and the rerun
  finished → the first frame at which both hold.

Prints the median and the spread of each, and a verdict against the target (Step ≤ 80 ms,
the stepper's median). Adding a lab is one entry in :data:`LABS`. A shared machine gives
noisy figures: compare the two columns of one run, not figures from different days.

``--breakdown`` also prints where the stepper's Step time goes in the page: it wraps
``Plotly.update``, ``restyle``, ``animate`` and ``relayout`` (per chart) and the stepper's own
drawing methods (its internals, not a contract: a renamed method is reported as missing,
not fatal), and gives the median milliseconds per Step of each.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_browser import old_checkout, wait_idle  # sibling scripts
from bench_scale import CHROMIUM, CHROMIUM_ARGS, ROOT, start_server, stop_server

TARGET_MS = 80.0
#: Today's design: the last commit before the labs stepped in the browser.
BASELINE = "71767f5"
VIEWPORT = {"width": 1400, "height": 1400}
LOAD_TIMEOUT_MS = 240_000
STEPPER = '[data-testid="emvizStepper"]'
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'


@dataclass(frozen=True)
class Baseline:
    """How today's design took one Step on a lab.

    Attributes
    ----------
    how : str
        ``"button"``: click the main area's button labelled ``label``; ``"slider"``: focus
        the thumb of the slider labelled ``label`` (moved to its start first) and press →.
    label : str
        The control's English label.
    charts : int or None
        How many of the page's charts (the first ones) follow the position; None: all.
    """

    how: str
    label: str
    charts: int | None = None


#: One entry per lab that steps in the browser: url path -> how today's design stepped it.
LABS: dict[str, Baseline] = {
    "kmeans": Baseline("button", "Step", charts=2),  # the soft k-means charts below stay
    "elbo": Baseline("button", "Step (E+M)"),
    "singularity": Baseline("slider", "Iteration"),
    "vbgmm": Baseline("slider", "Iteration"),
    "coins": Baseline("button", "Step (E+M)"),
}

#: One Step of the stepper, timed in the page: click, every part drawn, one frame.
NEW_STEP = """async () => {
  const root = document.querySelector('[data-testid="emvizStepper"]');
  const before = Number(root.dataset.rendered);
  const drawn = new Promise((resolve) => {
    const seen = new MutationObserver(() => {
      if (Number(root.dataset.rendered) > before) { seen.disconnect(); resolve(); }
    });
    seen.observe(root, { attributes: true, attributeFilter: ['data-rendered'] });
  });
  const from = Number(root.dataset.position);
  const first = window.__parts ? window.__parts.length : 0;
  const t0 = performance.now();
  root.querySelector('button[data-act="step"]').click();
  await drawn;
  await new Promise((r) => requestAnimationFrame(() => r()));
  const ms = performance.now() - t0;
  const parts = window.__parts ? window.__parts.slice(first) : [];
  return { ms, from, to: Number(root.dataset.position), parts };
}"""

#: ``--breakdown``: wraps Plotly's calls (labelled with the chart's id) and the stepper's
#: drawing methods; ``window.__parts`` collects [label, ms] of every call, and
#: :data:`NEW_STEP` returns those of its Step.
BREAKDOWN = """() => {
  const s = window.__emvizActive;
  const seen = window.__parts = [];
  const wrap = (obj, name, label, perChart) => {
    if (!obj || typeof obj[name] !== 'function') { seen.push([label + ' (missing)', 0]); return; }
    const f = obj[name].bind(obj);
    obj[name] = (...args) => {
      const t = performance.now();
      const out = f(...args);
      const chart = perChart ? args[0]?.closest?.('[data-chart]')?.dataset?.chart : null;
      const part = label + (chart ? ` [${chart}]` : '');
      if (out && typeof out.then === 'function') {
        return out.then((v) => { seen.push([part, performance.now() - t]); return v; });
      }
      seen.push([part, performance.now() - t]);
      return out;
    };
  };
  for (const m of ['update', 'restyle', 'animate', 'relayout']) {
    wrap(window.Plotly, m, 'Plotly.' + m, true);
  }
  const drawing = ['renderOnce', 'chartUpdate', 'drawCanvas', 'drawMarks', 'drawTable',
    'drawStatus'];
  for (const m of drawing) {
    wrap(s, m, 'stepper.' + m, false);
  }
}"""

#: Arms a timer for today's design: from the next click or key press anywhere (its event's
#: time stamp) to the first frame at which the first ``n`` charts (all: null) are redrawn
#: and the rerun has finished; ``window.__bench.ms`` then holds the milliseconds.
ARM_OLD = """([n]) => {
  const charts = () => {
    const all = Array.from(document.querySelectorAll('CHART'));
    return n === null ? all : all.slice(0, n);
  };
  const app = document.querySelector('[data-testid="stApp"]');
  const b = window.__bench = { t0: null, ms: null, old: charts().map((gd) => gd._fullData) };
  const count = b.old.length;
  const start = (e) => { if (b.t0 === null) b.t0 = e.timeStamp; };
  document.addEventListener('click', start, { capture: true, once: true });
  document.addEventListener('keydown', start, { capture: true, once: true });
  const done = () => {
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    const now = charts();
    return now.length >= count && now.every((gd) => gd._fullData && !b.old.includes(gd._fullData));
  };
  const loop = () => {
    if (b.t0 !== null && done()) {
      b.ms = performance.now() - b.t0;
      document.removeEventListener('click', start, { capture: true });
      document.removeEventListener('keydown', start, { capture: true });
      return;
    }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
}""".replace("CHART", CHART)


def _frame(page: Page) -> None:
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r(true)))")


# --------------------------------------------------------------------------------------
# The stepper
# --------------------------------------------------------------------------------------
def open_new(page: Page, url: str) -> None:
    page.goto(url)
    page.locator(f"{STEPPER}[data-rendered] .main-svg").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_idle(page)


def _steps_left(page: Page) -> int:
    return int(page.evaluate(
        f"() => {{ const r = document.querySelector('{STEPPER}');"
        " return Number(r.dataset.n) - 1 - Number(r.dataset.position); }"))


def new_step(page: Page, parts: list | None = None) -> float:
    """One Step of the stepper (back to the start first at the end of the run), in ms;
    ``parts`` gets the Step's wrapped calls (:data:`BREAKDOWN`), if any."""
    if _steps_left(page) < 1:
        page.locator("body").press("Home")
        page.wait_for_function(
            f"() => document.querySelector('{STEPPER}').dataset.position === '0'",
            timeout=30_000)
        _frame(page)
        page.wait_for_timeout(400)  # what waits for a pause (deferred channels) is drawn
    step = page.evaluate(NEW_STEP)
    if step["to"] <= step["from"]:
        raise RuntimeError(f"Step went from position {step['from']} to {step['to']}; "
                           "expected a later one")
    if parts is not None:
        parts.append(step["parts"])
    return float(step["ms"])


def parts_per_step(steps: list[list]) -> dict[str, float]:
    """Median milliseconds per Step of each part :data:`BREAKDOWN` wrapped (a part called
    several times in a Step counts their sum; a Step without it, 0)."""
    labels = {label for step in steps for label, _ in step}
    per_step = {label: [sum(ms for part, ms in step if part == label) for step in steps]
                for label in labels}
    return {label: statistics.median(ms) for label, ms in per_step.items()}


# --------------------------------------------------------------------------------------
# Today's design
# --------------------------------------------------------------------------------------
def open_old(page: Page, url: str, lab: Baseline) -> None:
    page.goto(url)
    page.locator(f"{CHART} .main-svg").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_idle(page)
    if lab.how == "slider":  # from the slider's start, so that → has somewhere to go
        thumb = _slider(page, lab.label)
        thumb.focus()
        thumb.press("Home")
        wait_idle(page)


def _slider(page: Page, label: str):
    return page.get_by_test_id("stSlider").filter(has_text=label).get_by_role("slider").first


#: How today's design takes one Step, per :attr:`Baseline.how`.
OLD_ACTS = {
    "button": lambda page, label: page.get_by_test_id("stMain").get_by_role(
        "button", name=label, exact=True).first.click(),
    "slider": lambda page, label: _slider(page, label).press("ArrowRight"),
}


def old_step(page: Page, lab: Baseline) -> float:
    """One Step of today's design, timed in the page (ms)."""
    page.evaluate(ARM_OLD, [lab.charts])
    OLD_ACTS[lab.how](page, lab.label)
    page.wait_for_function("() => window.__bench.ms !== null", timeout=120_000)
    ms = float(page.evaluate("() => window.__bench.ms"))
    wait_idle(page)
    return ms


# --------------------------------------------------------------------------------------
# One run, and its report
# --------------------------------------------------------------------------------------
def measure(browser, urls: dict[str, str], path: str, lab: Baseline, repeats: int,
            parts: dict[str, float] | None = None) -> dict[str, list[float]]:
    """``repeats`` Steps in each design served (after one each to warm up), alternated;
    with ``parts`` (a dict), also fills it with :func:`parts_per_step` of the stepper."""
    traced: list[list] = []
    opens = {"new": open_new, "old": lambda page, url: open_old(page, url, lab)}
    steps = {"new": lambda page: new_step(page, traced if parts is not None else None),
             "old": lambda page: old_step(page, lab)}
    pages: dict[str, Page] = {}
    for design, url in urls.items():
        pages[design] = browser.new_context(viewport=VIEWPORT).new_page()
        opens[design](pages[design], f"{url}/{path}")
    times: dict[str, list[float]] = {design: [] for design in pages}
    for i in range(repeats + 1):
        for design, page in pages.items():
            page.bring_to_front()
            if i == 0 and design == "new" and parts is not None:
                page.evaluate(BREAKDOWN)
            ms = steps[design](page)
            if i:
                times[design].append(ms)
            page.wait_for_timeout(150)
    if parts is not None:
        parts.update(parts_per_step(traced[1:]))  # the warm-up Step left out
    for page in pages.values():
        page.context.close()
    return times


def _ms(times: list[float]) -> str:
    if not times:
        return "not measured"
    return (f"median {statistics.median(times):6.1f} ms  (min {min(times):.1f}, "
            f"max {max(times):.1f}, n = {len(times)})")


def report(results: dict[str, dict[str, list[float]]], baseline: str) -> list[str]:
    """Lines to print: per lab, both designs and the verdict; then how many labs meet it."""
    lines, met = [], 0
    today = f"today's design ({baseline})"
    for path, times in results.items():
        new, old = times.get("new", []), times.get("old", [])
        ok = bool(new) and statistics.median(new) <= TARGET_MS
        met += ok
        ratio = (f"; {statistics.median(old) / statistics.median(new):.1f}x faster than "
                 "today's design" if new and old else "")
        lines += [f"/{path}: Step, click -> the frame that shows the next position",
                  f"  {'in the browser (stepper)':<28}{_ms(new)}",
                  f"  {today:<28}{_ms(old)}",
                  f"  target <= {TARGET_MS:.0f} ms: "
                  f"{('met' if ok else 'NOT met') if new else 'not measured'}{ratio}", ""]
    lines.append(f"{met} of {len(results)} labs meet Step <= {TARGET_MS:.0f} ms")
    return lines


def breakdown_lines(parts: dict[str, dict[str, float]]) -> list[str]:
    """Per lab, each wrapped part's milliseconds per Step, the largest first."""
    lines = []
    for path, by_part in parts.items():
        lines.append(f"/{path}: where a Step's time goes in the page (ms per Step)")
        for label, ms in sorted(by_part.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {label:<36}{ms:7.1f}")
        lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--baseline", default=BASELINE,
                        help="the commit whose labs rerun the page per Step")
    parser.add_argument("--labs", default=",".join(LABS), help="url paths, comma-separated")
    parser.add_argument("--no-old", action="store_true",
                        help="measure the stepper only (no verdict against today's design)")
    parser.add_argument("--breakdown", action="store_true",
                        help="also print where the stepper's Step time goes in the page")
    args = parser.parse_args()
    chosen = {path: LABS[path] for path in args.labs.split(",")}

    logs = ROOT / "artifacts"
    logs.mkdir(exist_ok=True)
    results: dict[str, dict[str, list[float]]] = {}
    parts: dict[str, dict[str, float]] = {}
    with contextlib.ExitStack() as stack:
        proc, url = start_server(logs / "bench-labs-new.log")
        stack.callback(stop_server, proc)
        urls = {"new": url}
        where = None if args.no_old else stack.enter_context(old_checkout(args.baseline))
        if where is not None:
            old_proc, old_url = start_server(logs / "bench-labs-old.log", cwd=where)
            stack.callback(stop_server, old_proc)
            urls["old"] = old_url
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for path, lab in chosen.items():
                if args.breakdown:
                    parts[path] = {}
                results[path] = measure(browser, urls, path, lab, args.repeats,
                                        parts.get(path))
                print(f"/{path}: measured", flush=True)
            browser.close()
    print()
    if parts:
        print("\n".join(breakdown_lines(parts)))
    print("\n".join(report(results, args.baseline)))


if __name__ == "__main__":
    main()
