"""Drive the browser-side stepper (Explore's and the labs') and read what it shows.

The stepper mirrors its state on its root element (``data-position``, ``data-payload``,
``data-n``, ``data-rendered``, ...) and draws its charts with Plotly, whose own state of a
chart (``gd._fullData``, ``gd._fullLayout``) says what is on screen. These helpers click its
buttons, press its keys and wait for it to redraw; each test module keeps its own reader of
what it checks (a ``STATE`` script), passed to :func:`at`.

A plain module rather than conftest fixtures: test modules cannot import from a conftest
reliably (tests/conftest.py and tests/e2e/conftest.py share the module name ``conftest``),
and pytest puts this folder on ``sys.path`` (no ``__init__.py``), so ``import stepper_page``
works from any test here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Locator, Page

#: How long to wait for a page to draw its first stepper (the machine may be busy).
TIMEOUT_MS = 120_000
#: The stepper's root element.
ROOT = '[data-testid="emvizStepper"]'

#: Count the app's script runs from now on (Streamlit marks each on its root element).
COUNT_SCRIPT_RUNS = """() => {
  window.__scriptRuns = 0;
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__scriptRuns += 1;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""

#: Plotly's x and y of the trace called ``name`` of the chart at ``selector`` (or null).
TRACE_XY = """([selector, name]) => {
  const gd = document.querySelector(selector);
  const t = gd._fullData.find(t => t.name === name);
  return t ? [Array.from(t.x), Array.from(t.y)] : null;
}"""

#: The font size (px) of every big number of the stepper.
METRIC_PX = f"""() => Array.from(document.querySelectorAll('{ROOT} .emv-metric-value'),
    e => parseFloat(getComputedStyle(e).fontSize))"""


def wait_for_position(page: Page, h: int, timeout: float = 30_000) -> None:
    """Wait until the stepper's root says position ``h``, and one animation frame more (the
    charts are redrawn in the frame after the position changes)."""
    page.wait_for_function(f"() => document.querySelector('{ROOT}')?.dataset.position === '{h}'",
                           timeout=timeout)
    page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => r(true)))")


def at(page: Page, h: int, read: str) -> dict:
    """Wait until the stepper shows position ``h`` and has drawn it; then evaluate ``read``
    (a test module's script reading what the stepper shows) and return its result."""
    wait_for_position(page, h)
    return page.evaluate(read)


def position(page: Page) -> int:
    """The position the stepper shows now (its root's ``data-position``)."""
    return int(page.locator(ROOT).first.get_attribute("data-position"))


def press(page: Page, button: str) -> None:
    """Click the stepper's button labelled exactly ``button``."""
    page.locator(ROOT).get_by_role("button", name=button, exact=True).click()


def key(page: Page, name: str) -> None:
    """Press key ``name`` on the page (the stepper listens on the whole page)."""
    page.locator("body").press(name)


def keys(page: Page, moves: Iterable[tuple[str, int]], check: Callable[[int], object]) -> None:
    """Press each key of ``moves`` and ``check(h)`` at the position ``h`` it should lead to."""
    for name, h in moves:
        key(page, name)
        check(h)


def scrub(page: Page, h: int) -> None:
    """Move the stepper's timeline slider to position ``h``."""
    page.locator(f"{ROOT} input[type=range]").fill(str(h))


def play_and_pause(page: Page, beyond: int, settle_ms: float = 600) -> int:
    """Play (key P) until the position passes ``beyond``, pause (P again) and check that it
    stays paused for ``settle_ms``; return the position it paused at."""
    key(page, "p")
    page.wait_for_function(
        f"() => Number(document.querySelector('{ROOT}')?.dataset.position) > {beyond}",
        timeout=30_000)
    key(page, "p")
    h = position(page)
    page.wait_for_timeout(settle_ms)
    assert position(page) == h  # paused
    return h


def wait_for_new_payload(page: Page, old: str, timeout: float = 60_000) -> None:
    """Wait until the stepper holds a run other than ``old`` (its root's ``data-payload``)."""
    page.wait_for_function(
        f"() => document.querySelector('{ROOT}')?.dataset.payload !== '{old}'", timeout=timeout)


def count_script_runs(page: Page) -> None:
    """Start counting the app's script runs (read them with :func:`script_runs`)."""
    page.evaluate(COUNT_SCRIPT_RUNS)


def script_runs(page: Page) -> int:
    """How many script runs started since :func:`count_script_runs`."""
    return page.evaluate("() => window.__scriptRuns")


def follows_link(page: Page, name: str, h: int, timeout: float = 30_000) -> None:
    """Wait until the address bar says ``name=h``: the browser itself writes it where
    stepping paused, with no script run."""
    page.wait_for_function(
        f"() => new URLSearchParams(location.search).get('{name}') === '{h}'", timeout=timeout)


def shared_link(page: Page, wait_for_app: Callable[..., None]) -> dict[str, list[str]]:
    """Open the sidebar's share box (outside the stepper: Python hears the position first)
    and ask for the link; return its query."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Share this view", exact=True).click()
    sidebar.get_by_text("Show the link, with a copy button", exact=True).click()
    wait_for_app(page)
    code = sidebar.get_by_test_id("stCode")
    code.wait_for(state="visible", timeout=30_000)
    return parse_qs(urlparse(code.inner_text().replace("\n", "")).query)


def query(page: Page) -> dict[str, list[str]]:
    """The query of the page's address."""
    return parse_qs(urlparse(page.url).query)


def open_stepper(page: Page, path: str, wait_for_app: Callable[..., None],
                 wait_for_stepper: Callable[..., Locator],
                 viewport: dict | None = None) -> Page:
    """Open ``path`` (at ``viewport`` if given) and wait for its stepper to draw a run."""
    if viewport:
        page.set_viewport_size(viewport)
    page.goto(path)
    wait_for_app(page)
    wait_for_stepper(page, timeout=TIMEOUT_MS)
    return page


def trace_xy(page: Page, selector: str, name: str) -> list[list[float]] | None:
    """The x and y of the trace ``name`` of the Plotly chart at ``selector`` (None if the
    chart has no such trace)."""
    return page.evaluate(TRACE_XY, [selector, name])


def metric_px(page: Page) -> list[float]:
    """The font size (px) of each of the stepper's big numbers."""
    return page.evaluate(METRIC_PX)
