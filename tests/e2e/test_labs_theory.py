"""The four theory labs in a real browser: each opens, draws its charts, raises nothing.

Screenshots go to artifacts/screenshots/theory_*.png (look at them: they are the review).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page

TALL = {"width": 1400, "height": 1900}

# url path -> (charts expected on first load, a text the page must show)
LABS = {
    "elbo": (2, "KL = 0"),  # the bound and the scatter, in the browser's stepper
    "singularity": (3, "Collapse detected"),
    "vbgmm": (3, "never decreased"),
    "coins": (2, "Sets of tosses"),
}


def _open(page: Page, path: str, wait_for_app, wait_for_chart) -> None:
    page.set_viewport_size(TALL)
    page.goto(f"/{path}")
    wait_for_app(page)
    wait_for_chart(page)


#: Charts drawn by Streamlit, and those of a lab's browser-side stepper.
DRAWN = ('[data-testid="stPlotlyChart"] .main-svg:first-of-type, '
         '[data-testid="emvizStepper"] .emv-chart .main-svg:first-of-type')


def _charts_drawn(page: Page, n: int, timeout: float = 60_000) -> None:
    """At least ``n`` charts drawn (each chart has one first .main-svg of its own)."""
    count = """(sel) => new Set(Array.from(document.querySelectorAll(sel),
        (svg) => svg.closest('.js-plotly-plot'))).size"""
    page.wait_for_function(f"n => ({count})({DRAWN!r}) >= n", arg=n, timeout=timeout)
    assert page.evaluate(count, DRAWN) >= n


@pytest.mark.parametrize("path", list(LABS))
def test_theory_lab_opens_and_draws(
    page: Page,
    path: str,
    wait_for_app: Callable[..., None],
    wait_for_chart: Callable[[Page], Locator],
    assert_app_ok: Callable[[Page], None],
    screenshot_dir: Path,
) -> None:
    _open(page, path, wait_for_app, wait_for_chart)
    assert_app_ok(page)
    n, text = LABS[path]
    _charts_drawn(page, n)
    assert page.get_by_text(text).first.is_visible()
    page.wait_for_timeout(600)  # let Plotly finish its transitions before the picture
    page.screenshot(path=screenshot_dir / f"theory_{path}.png")


def test_elbo_lab_m_step_opens_the_kl_gap(
    page: Page,
    wait_for_app: Callable[..., None],
    wait_for_chart: Callable[[Page], Locator],
    assert_app_ok: Callable[[Page], None],
    screenshot_dir: Path,
) -> None:
    _open(page, "elbo", wait_for_app, wait_for_chart)
    page.get_by_role("button", name="M-step").click()  # the stepper's: no rerun
    page.get_by_text("After the M-step").first.wait_for(timeout=30_000)
    assert_app_ok(page)
    _charts_drawn(page, 2)
    page.wait_for_timeout(600)
    page.screenshot(path=screenshot_dir / "theory_elbo_after_m.png")


def test_coins_lab_runs_ten_iterations(
    page: Page,
    wait_for_app: Callable[..., None],
    wait_for_chart: Callable[[Page], Locator],
    assert_app_ok: Callable[[Page], None],
    screenshot_dir: Path,
) -> None:
    _open(page, "coins", wait_for_app, wait_for_chart)
    stepper = page.locator('[data-testid="emvizStepper"]')
    stepper.get_by_role("button", name="Run 10 iterations").click()  # in the browser: no rerun
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"emvizStepper\"]').dataset.position === '20'",
        timeout=30_000)
    assert_app_ok(page)
    _charts_drawn(page, 2)
    metrics = stepper.locator(".emv-metric-value").all_inner_texts()
    assert metrics[:2] == ["0.80", "0.52"]
    page.wait_for_timeout(600)
    page.screenshot(path=screenshot_dir / "theory_coins_after_10.png")
