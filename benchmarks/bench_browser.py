"""Explore in the browser: the stepper beside the design it replaced (a script, not a test).

    .venv/bin/python benchmarks/bench_browser.py [--repeats 10] [--tabs 3] [--old-rev bf70460]
                                                 [--no-old] [--breakdown]

Serves the app twice, on two loopback ports: this checkout (the browser-side stepper) and
``--old-rev`` checked out into a temporary ``git worktree`` (today's design: a Streamlit
rerun per Step, an "Animate" mode made of Plotly frames), run by the same interpreter. One
Debian Chromium (Playwright, sync API) drives both, the two designs' measurements
interleaved so that a change in the machine's load hits both alike. Measured:

* **Step**: the click on "Step" -> the chart, the log-likelihood curve, the parameter table
  and the status line all show the next iteration, at 600 points (the default preset) and
  10,000 points in 2D (``--repeats`` steps, median). Timed in the page, from the click
  event's time stamp to the first animation frame at which everything is updated, so
  Playwright's own round trips are not counted. The stepper: its ``data-rendered`` counter
  increased (both charts updated, the point canvas painted, table and status written),
  then one frame. Today's design: both ``st.plotly_chart`` charts replaced (new
  ``_fullData``), the status line reading the new half-step and the table's title too.
* **Play at 4x**: the stepper, half-steps per second from the positions it advanced over
  ``--play-seconds`` (4x is paced at 20 half-steps per second); today's design, Plotly's
  ``plotly_animatingframe`` events per second after its fastest button (4x).
* **First chart**: navigation start -> the first chart drawn (the stepper: drawn with its
  points; today: the first Plotly chart's SVG), on the default page. A first visit warms
  the server; then ``--tabs`` fresh tabs of the same browser (its HTTP cache warm: a
  returning student) and ``--tabs`` fresh browser contexts (an empty cache: a first visit).
* ``--breakdown``: where the stepper's Step time goes in the page (each chart's
  ``Plotly.update``, the canvas, the table, the status line), median per call.
* **The payload**: the bytes the stepper receives for 100 iterations at 10,000 points,
  built with :func:`emviz.figures.stepper.em_payload` and
  :func:`emviz.figures.stepper.payload_bytes` exactly
  as ``emviz/ui/cache.py`` builds it; its id is checked against the one the browser shows.

The data: ``/?tol=0`` (600 points, 100 iterations) and
``/?src=synthetic&scenario=custom&dim=2&n=10000&tol=0`` (10,000 points, 100 iterations).

``bench_browser_floor.py`` times the same kinds of thing on minimal Streamlit + Plotly pages
in the same browser.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import (  # a sibling script: the server, the browser and the repo root
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    start_server,
    stop_server,
)

#: Today's design: the last commit before Explore stepped in the browser.
OLD_REV = "bf70460"
#: The data of each size, as a link.
LINKS = {600: "/?tol=0", 10_000: "/?src=synthetic&scenario=custom&dim=2&n=10000&tol=0"}
VIEWPORT = {"width": 1400, "height": 1100}
LOAD_TIMEOUT_MS = 240_000  # a first visit on a loaded machine fits 10,000 points too

CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'
STEPPER = '[data-testid="emvizStepper"]'
#: What "the first chart is drawn" means in each design.
FIRST_CHART = {"new": f'{STEPPER}[data-rendered] .main-svg',
               "old": '[data-testid="stPlotlyChart"] .main-svg'}
NAMES = {"new": "stepper", "old": "today"}

#: What the stepper was built to meet.
STEP_TARGET_MS = {600: 80, 10_000: 150}
PLAY_TARGET = {600: 20.0, 10_000: 10.0}
PAYLOAD_TARGET_MB = 3.0


# --------------------------------------------------------------------------------------
# Waiting and timing in the page
# --------------------------------------------------------------------------------------
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


#: Arms a timer: ``prepare(b)`` runs now; from the next click anywhere, ``done(b)`` is
#: checked once per animation frame, and ``b.ms`` becomes the time from the click event's
#: time stamp to the first frame at which ``done`` holds.
_ARM = """() => {{
  const b = window.__bench = {{ t0: null, ms: null }};
  const prepare = {prepare};
  const done = {done};
  prepare(b);
  document.addEventListener('click', (e) => {{ if (b.t0 === null) b.t0 = e.timeStamp; }},
                            {{ capture: true, once: true }});
  const loop = () => {{
    if (b.t0 !== null && done(b)) {{ b.ms = performance.now() - b.t0; return; }}
    requestAnimationFrame(loop);
  }};
  requestAnimationFrame(loop);
}}"""


def timed_click(page: Page, click: Callable[[], None], prepare: str, done: str,
                timeout_ms: float = 60_000) -> float:
    """Milliseconds from ``click()``'s click event to the frame at which ``done`` holds."""
    page.evaluate(_ARM.format(prepare=prepare, done=done))
    click()
    page.wait_for_function("() => window.__bench.ms !== null", timeout=timeout_ms)
    return float(page.evaluate("() => window.__bench.ms"))


#: The first chart replaced (``st.plotly_chart`` re-creates it on a rerun that changes it).
CHART_REPLACED = (
    f"(b) => {{ b.old = document.querySelector('{CHART}')?._fullData; }}",
    f"(b) => {{ const gd = document.querySelector('{CHART}');"
    " return gd && gd._fullData && gd._fullData !== b.old; }",
)


def step_latency(page: Page, repeats: int, button: str = "Step",
                 until: tuple[str, str] = CHART_REPLACED) -> list[float]:
    """Seconds from each ``button`` click to ``until`` (prepare, done) holding, one rerun
    per click (the floor pages and today's design)."""
    times = []
    for _ in range(repeats):
        ms = timed_click(page, lambda: page.get_by_role("button", name=button, exact=True)
                         .click(), *until)
        times.append(ms / 1000)
        wait_idle(page)
    return times


# --------------------------------------------------------------------------------------
# First chart
# --------------------------------------------------------------------------------------
#: Runs before the page's own scripts: the first frame at which ``selector`` matches.
_FIRST_CHART_CLOCK = """(() => {
  const tick = () => {
    if (document.querySelector(%r)) { window.__firstChart = performance.now(); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""


def first_chart(page: Page, url: str, selector: str = FIRST_CHART["old"]) -> float:
    """Seconds from navigation start to the first frame showing ``selector``."""
    page.add_init_script(_FIRST_CHART_CLOCK % selector)
    page.goto(url)
    page.wait_for_function("() => window.__firstChart !== undefined", timeout=LOAD_TIMEOUT_MS)
    return float(page.evaluate("() => window.__firstChart")) / 1000


def first_charts(browser: Browser, url: str, tabs: int = 3,
                 selector: str = FIRST_CHART["old"]) -> tuple[float, list[float], Page]:
    """A first visit (it warms the server and the HTTP cache), then ``tabs`` fresh tabs of
    the same browser context.

    Returns the first visit's time, each fresh tab's time, and the last tab (still open).
    One tab alone swings by seconds between runs, hence several.
    """
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    cold = first_chart(page, url, selector)
    warm = []
    for _ in range(tabs):
        page.close()
        page = context.new_page()
        warm.append(first_chart(page, url, selector))
    wait_idle(page)
    return cold, warm, page


def empty_cache_charts(browser: Browser, url: str, tabs: int, selector: str) -> list[float]:
    """First chart in ``tabs`` fresh browser contexts (nothing cached: a first visit)."""
    times = []
    for _ in range(tabs):
        context = browser.new_context(viewport=VIEWPORT)
        times.append(first_chart(context.new_page(), url, selector))
        context.close()
    return times


# --------------------------------------------------------------------------------------
# The two designs
# --------------------------------------------------------------------------------------
@dataclass
class Figures:
    """What one design measured (seconds, or half-steps per second)."""

    cold: list[float] = field(default_factory=list)  # the first visit
    tabs: list[float] = field(default_factory=list)
    empty: list[float] = field(default_factory=list)
    step: dict[int, list[float]] = field(default_factory=dict)
    play: dict[int, float] = field(default_factory=dict)
    payload_id: dict[int, str] = field(default_factory=dict)
    parts: dict[int, dict[str, float]] = field(default_factory=dict)  # --breakdown
    problems: list[str] = field(default_factory=list)


def open_page(browser: Browser, url: str, design: str) -> Page:
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(url)
    page.locator(FIRST_CHART[design]).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    wait_idle(page, LOAD_TIMEOUT_MS)
    return page


# --- the stepper ----------------------------------------------------------------------------
_ROOT_JS = f"document.querySelector('{STEPPER}')"
#: The stepper finished a redraw (then the timer waits for the next frame).
STEPPER_RENDERED = (
    f"(b) => {{ b.r0 = Number({_ROOT_JS}.dataset.rendered); }}",
    f"(b) => Number({_ROOT_JS}.dataset.rendered) > b.r0",
)
#: What the stepper shows: its position, and what its status, table and curve say.
_STEPPER_SHOWS = f"""() => {{
  const root = {_ROOT_JS};
  const ll = root.querySelector('.emv-chart[data-chart="loglik"]');
  return {{ position: Number(root.dataset.position), payload: root.dataset.payload,
           title: root.querySelector('.emv-title strong').textContent,
           table: root.querySelector('.emv-table-title')?.textContent ?? '',
           cursor: ll._fullData.find((t) => t.name === 'cursor')?.x?.[0] }};
}}"""


#: ``--breakdown``: where a Step's time goes inside the page. Wraps ``Plotly.update`` (per
#: chart) and the stepper's own drawing methods (they are its internals, not a contract:
#: a renamed method is reported, not fatal) and records how long each call took.
_BREAKDOWN = """() => {
  const s = window.__emvizActive;
  const seen = window.__parts = [];
  const wrap = (obj, name, label) => {
    if (!obj || typeof obj[name] !== 'function') { seen.push([label + ' (missing)', 0]); return; }
    const f = obj[name].bind(obj);
    obj[name] = (...args) => {
      const t = performance.now();
      const out = f(...args);
      const part = label + (name === 'update' ? ` [${args[0]?.dataset?.chart}]` : '');
      if (out && typeof out.then === 'function') {
        return out.then((v) => { seen.push([part, performance.now() - t]); return v; });
      }
      seen.push([part, performance.now() - t]);
      return out;
    };
  };
  wrap(window.Plotly, 'update', 'Plotly.update');
  for (const m of ['renderOnce', 'drawCanvas', 'drawTable', 'drawStatus']) wrap(s, m, m);
}"""


def breakdown(page: Page) -> dict[str, float]:
    """Median milliseconds per call of each wrapped part (see :data:`_BREAKDOWN`)."""
    parts: dict[str, list[float]] = {}
    for label, ms in page.evaluate("() => window.__parts"):
        parts.setdefault(label, []).append(ms)
    return {label: statistics.median(ms) for label, ms in parts.items()}


def _stepper_button(page: Page, name: str):
    return page.locator(STEPPER).get_by_role("button", name=name, exact=True)


def stepper_steps(page: Page, repeats: int) -> list[float]:
    """Step ``repeats`` times (after one untimed Step); check each lands in sync."""
    step = _stepper_button(page, "Step")
    step.click()  # the first Step after loading also warms the page's code paths
    page.wait_for_function(f"() => {_ROOT_JS}.dataset.position === '2'", timeout=60_000)
    times = []
    for _ in range(repeats):
        h = int(page.evaluate(_STEPPER_SHOWS)["position"]) + 2
        times.append(timed_click(page, step.click, *STEPPER_RENDERED) / 1000)
        shows = page.evaluate(_STEPPER_SHOWS)
        if (shows["position"] != h or not shows["title"].startswith(f"Iteration {h // 2} ")
                or f"half-step {h} " not in shows["table"] or shows["cursor"] != h / 2):
            raise RuntimeError(f"after a Step the stepper should show half-step {h}: {shows}")
        page.wait_for_timeout(150)  # a user does not click every frame
    return times


#: Records (time, position) at every redraw of the stepper.
_PLAY_WATCH = f"""() => {{
  const root = {_ROOT_JS};
  const seen = window.__played = [];
  window.__playWatch = new MutationObserver(() =>
    seen.push([performance.now(), Number(root.dataset.position)]));
  window.__playWatch.observe(root, {{ attributes: true, attributeFilter: ['data-rendered'] }});
}}"""


def stepper_play(page: Page, seconds: float) -> float:
    """Half-steps per second at 4x: the positions advanced over ``seconds``."""
    _stepper_button(page, "Reset").click()
    page.wait_for_function(f"() => {_ROOT_JS}.dataset.position === '0'", timeout=60_000)
    page.locator(f'{STEPPER} select[data-act="speed"]').select_option("4")
    page.evaluate(_PLAY_WATCH)
    _stepper_button(page, "▶ Play").click()
    page.wait_for_timeout(seconds * 1000)
    _stepper_button(page, "❚❚ Pause").click()
    seen = page.evaluate("() => { window.__playWatch.disconnect(); return window.__played; }")
    moving = [(t, h) for t, h in seen if h > 0]
    if len(moving) < 2:
        return 0.0
    (t0, h0), (t1, h1) = moving[0], moving[-1]
    return (h1 - h0) / ((t1 - t0) / 1000)


# --- today's design -------------------------------------------------------------------------
#: Both charts replaced, and the status line and the table's title at ``b.h``.
_OLD_STEPPED = (
    f"""(b) => {{
      b.old = Array.from(document.querySelectorAll('{CHART}'), (gd) => gd._fullData);
      const texts = Array.from(document.querySelectorAll('[data-testid="stMarkdownContainer"]'),
                               (m) => m.textContent);
      const at = texts.map((t) => /half-step (\\d+) of/.exec(t)).find(Boolean);
      b.h = Number(at[1]) + 2;
    }}""",
    f"""(b) => {{
      const gds = document.querySelectorAll('{CHART}');
      if (gds.length < 2) return false;
      for (let i = 0; i < 2; i++) {{
        if (!gds[i]._fullData || gds[i]._fullData === b.old[i]) return false;
      }}
      const texts = Array.from(document.querySelectorAll('[data-testid="stMarkdownContainer"]'),
                               (m) => m.textContent);
      return texts.some((t) => t.includes(`half-step ${{b.h}} of`))
          && texts.some((t) => t.includes(`Parameters at half-step ${{b.h}}`));
    }}""",
)


def old_steps(page: Page, repeats: int) -> list[float]:
    step_latency(page, 1, until=_OLD_STEPPED)  # untimed, as for the stepper
    return step_latency(page, repeats, until=_OLD_STEPPED)


def old_play(page: Page, seconds: float, button: str = "4×") -> float:
    """``plotly_animatingframe`` events per second after the Animate chart's ``button``."""
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


# --------------------------------------------------------------------------------------
# Serving today's design
# --------------------------------------------------------------------------------------
@contextlib.contextmanager
def old_checkout(rev: str) -> Iterator[Path | None]:
    """``rev`` in a temporary detached worktree (removed afterwards), or None, with the
    reason printed, if it cannot be made."""
    tmp = Path(tempfile.mkdtemp(prefix="emviz-old-"))
    where = tmp / "app"
    made = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where),
                           rev], capture_output=True, text=True)
    if made.returncode != 0:
        print(f"today's design ({rev}) not measured: git worktree add failed: "
              f"{made.stderr.strip()}")
        tmp.rmdir()
        yield None
        return
    try:
        yield where
    finally:
        gone = subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                               str(where)], capture_output=True, text=True)
        if gone.returncode != 0:
            print(f"could not remove the worktree {where}: {gone.stderr.strip()}")
        with contextlib.suppress(OSError):
            tmp.rmdir()


@contextlib.contextmanager
def serving(rev: str | None) -> Iterator[dict[str, str]]:
    """Base URLs of the designs being served: "new" always, "old" if it could start."""
    logs = ROOT / "artifacts"
    logs.mkdir(exist_ok=True)
    with contextlib.ExitStack() as stack:
        proc, url = start_server(logs / "bench-browser-server.log")
        stack.callback(stop_server, proc)
        urls = {"new": url}
        where = stack.enter_context(old_checkout(rev)) if rev else None
        if where is not None:
            try:
                old_proc, old_url = start_server(logs / "bench-browser-old-server.log",
                                                 cwd=where)
            except SystemExit as exc:  # it printed nothing itself: say why and go on
                print(f"today's design ({rev}) not measured: {exc}")
            else:
                stack.callback(stop_server, old_proc)
                urls["old"] = old_url
        yield urls


# --------------------------------------------------------------------------------------
# The payload, built as the app builds it
# --------------------------------------------------------------------------------------
def payload_mb() -> tuple[float, str, int]:
    """The stepper payload for ``LINKS[10_000]`` (its data and model, English, the default
    options), as ``cache._stepper_payload`` builds it; returns (MB, its id, iterations)."""
    import streamlit.logger

    streamlit.logger.set_log_level(logging.ERROR)  # "no runtime" warnings: none is needed here
    sys.path.insert(0, str(ROOT))
    from emviz.figures import stepper as sp
    from emviz.ui import cache, explore, state
    from emviz.ui.formulas_text import formulas_html
    from emviz.ui.i18n import figure_text

    spec = state.SyntheticSpec(dim=2, n_samples=10_000)
    model = state.ModelSpec(init_params=state.DEFAULTS["model_init"], tol=0.0)
    data = cache.prepared(spec)
    info = cache.info(spec)
    trace = cache.fit(spec, model).trace
    options = cache.be.FigureOptions(  # explore._options with the session's defaults
        presenter=False, height=560, show_truth=bool(state.DEFAULTS["show_truth"])
        and info.has_truth, column_names=info.columns, max_points_note=None,
        text=figure_text("en"), uirevision=repr(state.data_key(spec)))
    # the body of cache._stepper_payload, with what explore passes it
    X = data.X_display
    labels = None if data.labels is None else data.labels[data.display]
    editable = data.n_features == 2 and len(data.display) == data.n_samples
    payload = sp.em_payload(
        X, trace, truth=data.truth, labels=labels, options=options,
        text=explore.stepper_text("en"), init_method=model.init_params, seed=model.seed,
        formulas=formulas_html(model.covariance_type, "en"), editable=editable, new_init=True,
        ranges=data.ranges, loglik_height=None)
    raw = sp.payload_bytes(payload)
    return len(raw) / 1e6, sp.payload_id(raw), trace.n_iter


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------
def measure(browser: Browser, urls: dict[str, str], repeats: int, tabs: int,
            play_s: float, parts: bool = False) -> dict[str, Figures]:
    """Every measurement, the designs interleaved (new, then old, for each)."""
    figs = {design: Figures() for design in urls}

    def each(what: Callable[[str, Figures], None]) -> None:
        for design, fig in figs.items():
            try:
                what(design, fig)
            except Exception as exc:  # one failed measurement must not lose the others
                fig.problems.append(f"{what.__name__}: {type(exc).__name__}: "
                                    f"{str(exc).splitlines()[0][:300]}")

    def first(design: str, fig: Figures) -> None:
        cold, fig.tabs, page = first_charts(browser, urls[design] + "/", tabs,
                                            FIRST_CHART[design])
        fig.cold = [cold]
        page.context.close()

    def empty(design: str, fig: Figures) -> None:
        fig.empty = empty_cache_charts(browser, urls[design] + "/", tabs, FIRST_CHART[design])

    each(first)
    each(empty)
    for n, link in LINKS.items():
        def step(design: str, fig: Figures, n: int = n, link: str = link) -> None:
            page = open_page(browser, urls[design] + link, design)
            try:
                if design == "new":
                    fig.payload_id[n] = page.locator(STEPPER).get_attribute("data-payload")
                    if parts:
                        page.evaluate(_BREAKDOWN)
                    fig.step[n] = stepper_steps(page, repeats)
                    if parts:
                        fig.parts[n] = breakdown(page)
                    fig.play[n] = stepper_play(page, play_s)
                else:
                    fig.step[n] = old_steps(page, repeats)
            finally:
                page.close()

        def animate(design: str, fig: Figures, n: int = n, link: str = link) -> None:
            if design != "old":
                return
            page = open_page(browser, urls[design] + link + "&animate=1", design)
            try:
                fig.play[n] = old_play(page, play_s)
            finally:
                page.close()

        step.__name__, animate.__name__ = f"step at {n:,}", f"animate at {n:,}"
        each(step)
        each(animate)
    return figs


def _ms(times: list[float]) -> str:
    return f"{1000 * statistics.median(times):.0f} ms" if times else "—"


def _s(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s" if times else "—"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}/s"


def _verdict(ok: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "not measured"}[ok]


def report(figs: dict[str, Figures], payload: tuple[float, str, int] | None,
           repeats: int, rev: str) -> list[str]:
    """Prints the table and a verdict per target; returns the verdict lines."""
    new, old = figs["new"], figs.get("old", Figures())
    rows = []
    verdicts = []
    for n in LINKS:
        target = STEP_TARGET_MS[n]
        steps = new.step.get(n, [])
        ok = None if not steps else 1000 * statistics.median(steps) <= target
        rows.append((f"Step, {n:,} points (median of {repeats})", f"≤ {target} ms",
                     _ms(steps), _ms(old.step.get(n, [])), _verdict(ok)))
        spread = (f" (min {1000 * min(steps):.0f}, max {1000 * max(steps):.0f})"
                  if steps else "")
        verdicts.append(f"Step at {n:,} points: {_ms(steps)}{spread}, target ≤ {target} ms: "
                        f"{_verdict(ok)}")
    for n in LINKS:
        target = PLAY_TARGET[n]
        rate = new.play.get(n)
        ok = None if rate is None else rate >= target
        rows.append((f"Play at 4×, {n:,} points", f"≥ {target:g}/s", _rate(rate),
                     _rate(old.play.get(n)), _verdict(ok)))
        verdicts.append(f"Play at 4× at {n:,} points: {_rate(rate)} (4× is paced at "
                        f"20/s), target ≥ {target:g}/s: {_verdict(ok)}")
    if payload is not None:
        mb, pid, n_iter = payload
        ok = mb <= PAYLOAD_TARGET_MB
        rows.append((f"Payload, {n_iter} iterations, 10,000 points", f"≤ {PAYLOAD_TARGET_MB:g} MB",
                     f"{mb:.2f} MB", "—", _verdict(ok)))
        same = new.payload_id.get(10_000)
        check = ("the same bytes the browser received (same id)" if same == pid else
                 f"NOT the payload the browser received (id {pid} built, {same} shown)")
        verdicts.append(f"Payload for {n_iter} iterations at 10,000 points: {mb:.2f} MB, "
                        f"target ≤ {PAYLOAD_TARGET_MB:g} MB: {_verdict(ok)}; {check}")
    ok = (None if not new.tabs or not old.tabs
          else statistics.median(new.tabs) <= statistics.median(old.tabs))
    rows.append((f"First chart, fresh tab (median of {len(new.tabs)})", "≤ today's",
                 _s(new.tabs), _s(old.tabs), _verdict(ok)))
    rows.append((f"First chart, empty cache (median of {len(new.empty)})", "—",
                 _s(new.empty), _s(old.empty), ""))
    rows.append(("First chart, first visit (server imports)", "—", _s(new.cold), _s(old.cold),
                 ""))
    verdicts.append(f"First chart (fresh tabs): stepper {_s(new.tabs)}, today {_s(old.tabs)}, "
                    f"target no later than today's: {_verdict(ok)}")

    head = ("measure", "target", "stepper", f"today ({rev})", "verdict")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(5)]
    for r in [head, None, *rows]:
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|" if r is None else
              "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    print()
    for v in verdicts:
        print(v)
    for n, parts in new.parts.items():
        print(f"Inside a Step at {n:,} points (median ms per call): " + ", ".join(
            f"{label} {ms:.1f}" for label, ms in parts.items()))
    for design, fig in figs.items():
        for problem in fig.problems:
            print(f"PROBLEM ({NAMES[design]}): {problem}")
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="Steps timed per size")
    parser.add_argument("--tabs", type=int, default=3, help="fresh tabs (and contexts)")
    parser.add_argument("--play-seconds", type=float, default=3.0)
    parser.add_argument("--old-rev", default=OLD_REV, help="today's design (a git revision)")
    parser.add_argument("--no-old", action="store_true", help="measure the stepper only")
    parser.add_argument("--breakdown", action="store_true",
                        help="also time the parts of the stepper's Step (Plotly.update per "
                             "chart, canvas, table, status)")
    args = parser.parse_args()
    repeats, tabs = max(1, args.repeats), max(1, args.tabs)
    rev = None if args.no_old else args.old_rev

    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    t = time.perf_counter()
    with serving(rev) as urls, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            figs = measure(browser, urls, repeats, tabs, args.play_seconds, args.breakdown)
        finally:
            browser.close()
    try:
        payload = payload_mb()
    except Exception as exc:
        print(f"payload not built: {type(exc).__name__}: {exc}")
        payload = None
    report(figs, payload, repeats, rev or "not served")
    print(f"\nload average (1/5/15 min) {load} before -> "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])} after; "
          f"{time.perf_counter() - t:.0f} s")
    if any(fig.problems for fig in figs.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
