"""Browser: each of the three labs opens on its preset, draws its charts, and raises nothing.

Screenshots go to artifacts/screenshots/lab_*.png (one per lab, plus a detail of the lower
part of the k-means lab and of the restarts gallery) for a person to look at.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page

CHARTS = '[data-testid="stPlotlyChart"]'


def _open(page: Page, path: str, wait_for_app: Callable[..., None]) -> float:
    start = time.perf_counter()
    page.goto(f"/{path}")
    wait_for_app(page)
    return time.perf_counter() - start


def _wait_charts(page: Page, n: int, timeout: float = 60_000) -> list[Locator]:
    drawn = f"[...document.querySelectorAll('{CHARTS}')].filter(c => c.querySelector('.main-svg'))"
    page.wait_for_function(f"{drawn}.length >= {n}", timeout=timeout)
    return page.locator(CHARTS).all()


@pytest.mark.parametrize(
    ("path", "n_charts", "expect"),
    [
        ("kmeans", 4, "ARI"),
        ("restarts", 2, "distinct optima"),
        ("selection", 1, "Best by BIC"),
    ],
)
def test_lab_opens_and_draws(
    page: Page,
    path: str,
    n_charts: int,
    expect: str,
    wait_for_app: Callable[..., None],
    assert_app_ok: Callable[[Page], None],
    screenshot_dir: Path,
) -> None:
    seconds = _open(page, path, wait_for_app)
    assert_app_ok(page)
    charts = _wait_charts(page, n_charts)
    assert len(charts) >= n_charts
    assert page.get_by_text(expect).first.is_visible()
    page.screenshot(path=screenshot_dir / f"lab_{path}.png")
    if path == "kmeans":
        charts[2].scroll_into_view_if_needed()
        page.screenshot(path=screenshot_dir / "lab_kmeans_limit.png")
    if path == "restarts":
        gallery = page.locator(CHARTS).nth(1)
        gallery.scroll_into_view_if_needed()
        gallery.screenshot(path=screenshot_dir / "lab_restarts_gallery.png")
    print(f"{path}: first run finished in {seconds:.1f} s")


def test_kmeans_step_advances_both_panels(
    page: Page,
    wait_for_app: Callable[..., None],
    assert_app_ok: Callable[[Page], None],
    screenshot_dir: Path,
) -> None:
    _open(page, "kmeans", wait_for_app)
    _wait_charts(page, 2)
    page.get_by_role("button", name="Run", exact=True).click()
    wait_for_app(page)
    assert_app_ok(page)
    assert page.get_by_text("k-means · iteration 0").count() == 0
    assert page.get_by_text("converged after").first.is_visible()
    page.screenshot(path=screenshot_dir / "lab_kmeans_run.png")
