"""Browser harness: serve the app with Streamlit, drive it with Playwright and Debian Chromium.

Follows /work/shared/TESTING.md. Every test in this folder gets the ``e2e`` marker, so
``pytest -m "not e2e"`` runs the fast suite without starting a server or a browser.

Fixtures
--------
app_server      session: starts ``streamlit run`` on a free loopback port; yields its base URL.
                ``EMVIZ_APP=/path/to/app.py`` serves another script (handy for harness work).
page            pytest-playwright's page, with ``base_url`` set, so ``page.goto("/")`` works.
app_page        a page already opened at "/" with the first script run finished.
screenshot_dir  ``artifacts/screenshots`` (git-ignored), created on demand.
                Playwright adds a screenshot of every failed test under artifacts/playwright/.
wait_for_app    the function ``wait_for_app(page)`` below, for use after interactions.
wait_for_chart  the function ``wait_for_chart(page)`` below.
wait_for_stepper  the function ``wait_for_stepper(page)`` below (the Explore stepper).
assert_app_ok   the function ``assert_app_ok(page)`` below: no exception, no compile error.

The helpers are handed out as fixtures because test modules cannot import from a conftest
reliably (tests/conftest.py and tests/e2e/conftest.py share the module name ``conftest``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO_ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = REPO_ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1100}
SERVER_START_TIMEOUT_S = 60
SERVER_STOP_TIMEOUT_S = 10
# The first chart needs ~5 s on an idle 2-core machine (imports plus Plotly's lazily loaded
# JavaScript) but took 38 s on a shared one at load 11. A timeout costs time only when a test
# fails, so be generous; EMVIZ_E2E_TIMEOUT_S overrides it for slower machines.
APP_TIMEOUT_MS = CHART_TIMEOUT_MS = 1000 * float(os.environ.get("EMVIZ_E2E_TIMEOUT_S", "60"))


# --- Markers --------------------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A conftest hook sees every collected item, not only this folder's: filter by path.
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


# --- The Streamlit server -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app on 127.0.0.1 for the whole session and yield its base URL."""
    app = Path(os.environ.get("EMVIZ_APP", "app.py"))
    app = app if app.is_absolute() else REPO_ROOT / app
    if not app.is_file():
        pytest.fail(f"e2e: app script not found: {app} (set EMVIZ_APP to serve another one)")

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # Per-session log: several people may run the browser tests in one checkout at once.
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",  # loopback only; also skips the external-IP lookup
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    # cwd = repo root, so .streamlit/config.toml applies and `import emviz` resolves.
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)

    def server_log() -> str:
        return log_path.read_text(errors="replace")

    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None:
                pytest.fail(
                    f"e2e: Streamlit exited with code {proc.returncode} before it was healthy."
                    f"\n--- {log_path} ---\n{server_log()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"e2e: Streamlit not healthy at {url} after {SERVER_START_TIMEOUT_S} s."
                    f"\n--- {log_path} ---\n{server_log()}"
                )
            time.sleep(0.1)
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=SERVER_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- Browser: pytest-playwright overrides ---------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    # Playwright cannot download its own browser here; use Debian's (see scripts/test.sh).
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, app_server: str) -> dict:
    return {**browser_context_args, "base_url": app_server, "viewport": VIEWPORT}


# --- Helpers --------------------------------------------------------------------------------


def wait_for_app(page: Page, timeout: float = APP_TIMEOUT_MS, start_ms: float = 1000) -> None:
    """Wait until the app is connected and its script run (or rerun) has finished.

    Streamlit mirrors its state on the root element, and its own e2e suite relies on that:
    ``[data-testid="stApp"]`` carries ``data-test-connection-state`` (``CONNECTED`` once the
    websocket is up) and ``data-test-script-state``, which goes ``initial`` -> ``running`` ->
    ``notRunning`` (or ``rerunRequested``, ``stopRequested``, ``compilationError``). This is
    more reliable than the status widget, which shows up only after a delay.

    After a click or an upload, the state stays ``notRunning`` for a few tens of milliseconds
    before the rerun starts (measured here: waiting for ``notRunning`` alone returned after
    0.06 s for a 1 s rerun). So first wait up to ``start_ms`` for the state to leave
    ``notRunning``, then wait for it to come back. Called when nothing triggered a rerun,
    this costs ``start_ms``; pass ``start_ms=0`` if you know the app is already idle.
    """
    app = '[data-testid="stApp"]'
    page.wait_for_selector(
        f'{app}[data-test-connection-state="CONNECTED"]', state="attached", timeout=timeout
    )
    if start_ms:
        try:
            page.wait_for_selector(
                f'{app}:not([data-test-script-state="notRunning"])',
                state="attached",
                timeout=start_ms,
            )
        except PlaywrightTimeoutError:
            pass  # the run ended before we looked, or nothing triggered one
    # A syntax error ends in compilationError, not notRunning; let the caller see its stException.
    done = ", ".join(
        f'{app}[data-test-script-state="{state}"]' for state in ("notRunning", "compilationError")
    )
    page.wait_for_selector(done, state="attached", timeout=timeout)


#: A chart drawn by Streamlit (the labs) or by the Explore stepper's own Plotly.
CHARTS = '[data-testid="stPlotlyChart"], [data-testid="emvizStepper"] .emv-chart'


def wait_for_chart(page: Page, timeout: float = CHART_TIMEOUT_MS) -> Locator:
    """Wait for the first Plotly chart to be drawn and return its locator."""
    chart = page.locator(CHARTS).first
    chart.wait_for(state="visible", timeout=timeout)
    # The element exists before Plotly has drawn into it; .main-svg appears once it has.
    chart.locator(".main-svg").first.wait_for(state="visible", timeout=timeout)
    return chart


def wait_for_stepper(page: Page, timeout: float = CHART_TIMEOUT_MS) -> Locator:
    """Wait for the Explore stepper to have drawn a run; return its root.

    The root mirrors the stepper's state in data attributes: ``data-payload`` (the run),
    ``data-n`` (positions), ``data-position``, ``data-frontier`` and ``data-rendered`` (how
    many times it has finished drawing).
    """
    root = page.locator('[data-testid="emvizStepper"][data-rendered]').first
    root.wait_for(state="attached", timeout=timeout)
    root.locator(".main-svg").first.wait_for(state="visible", timeout=timeout)
    return root


def assert_app_ok(page: Page) -> None:
    """Fail with the app's own message if it shows an exception or a compile error.

    A runtime exception renders as ``stException``; a syntax error instead ends the run in
    ``compilationError`` and shows its traceback in a dialog, with no ``stException``.
    """
    problems = page.locator('[data-testid="stException"]').all_inner_texts()
    if page.locator('[data-testid="stApp"][data-test-script-state="compilationError"]').count():
        dialog = page.locator('[data-testid="stDialog"]').all_inner_texts()
        problems.append("compilation error:\n" + "\n".join(dialog))
    assert not problems, "the app shows an error:\n" + "\n---\n".join(problems)


@pytest.fixture(name="wait_for_app")
def _wait_for_app_fixture() -> Callable[..., None]:
    return wait_for_app


@pytest.fixture(name="assert_app_ok")
def _assert_app_ok_fixture() -> Callable[[Page], None]:
    return assert_app_ok


@pytest.fixture(name="wait_for_chart")
def _wait_for_chart_fixture() -> Callable[..., Locator]:
    return wait_for_chart


@pytest.fixture(name="wait_for_stepper")
def _wait_for_stepper_fixture() -> Callable[..., Locator]:
    return wait_for_stepper


@pytest.fixture
def app_page(page: Page) -> Page:
    """A page opened at the app's root, with the first script run finished."""
    page.goto("/")
    wait_for_app(page)
    return page


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
