"""Smoke test in a real browser: the app loads, draws its first chart and raises nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page


def test_app_loads_and_draws_first_chart(
    app_page: Page,
    assert_app_ok: Callable[[Page], None],
    wait_for_chart: Callable[[Page], Locator],
    screenshot_dir: Path,
) -> None:
    # app_page has waited for the first run to finish, so any error is on the page now;
    # check first so that a crash reports its own message rather than a chart timeout.
    assert_app_ok(app_page)

    chart = wait_for_chart(app_page)
    assert chart.is_visible()

    # Streamlit scrolls inside its own container, so full_page=True would only capture the
    # viewport; the 1400x1100 viewport shows what a visitor first sees.
    app_page.screenshot(path=screenshot_dir / "smoke.png")
