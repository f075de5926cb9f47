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

from tests.builders import IRIS_FLAT_OPTIMUM, IRIS_TRUSTED_OPTIMUM

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
        ("kmeans", 2, "ARI"),  # soft k-means and its limit; both runs step in the browser
        ("initialisation", 2, "distinct optima"),
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
        charts[0].scroll_into_view_if_needed()
        page.screenshot(path=screenshot_dir / "lab_kmeans_limit.png")
    if path == "initialisation":
        gallery = page.locator(CHARTS).nth(1)
        gallery.scroll_into_view_if_needed()
        gallery.screenshot(path=screenshot_dir / "lab_initialisation_gallery.png")
    print(f"{path}: first run finished in {seconds:.1f} s")


METRICS = '[data-testid="stMetric"]'
FLAT = f"{IRIS_FLAT_OPTIMUM:.2f} ⚠"  # the metric n_init keeps, marked suspicious
TRUSTED = f"{IRIS_TRUSTED_OPTIMUM:.2f}"


def test_an_old_restarts_link_opens_the_initialisation_lab(
    page: Page,
    wait_for_app: Callable[..., None],
    assert_app_ok: Callable[[Page], None],
) -> None:
    """A link shared when the lab lived at /restarts with ``rs_*`` names: the same lab opens
    with its settings, and the address bar then shows the lab's own path and names."""
    _open(page, "restarts?rs_method=kmeans%2B%2B&rs_m=10&rs_seed=7", wait_for_app)
    assert_app_ok(page)
    _wait_charts(page, 2)
    assert page.get_by_role("heading", name="Initialisation sensitivity").first.is_visible()
    page.wait_for_function("location.pathname.endsWith('/initialisation')", timeout=30_000)
    assert "init_m=10" in page.url and "init_seed=7" in page.url and "rs_" not in page.url


def test_iris_preset_and_its_link_in_a_fresh_browser(
    page: Page,
    browser,
    app_server: str,
    wait_for_app: Callable[..., None],
    assert_app_ok: Callable[[Page], None],
    screenshot_dir: Path,
) -> None:
    """The iris trap in one click, then the same view from the copied link."""
    _open(page, "initialisation", wait_for_app)
    _wait_charts(page, 2)
    page.get_by_role("button", name="Iris, 4 columns, K=3, full, reg_covar=1e-6, k-means++",
                     exact=True).click()
    wait_for_app(page)
    assert_app_ok(page)
    page.get_by_text(FLAT).first.wait_for(timeout=60_000)
    _wait_charts(page, 2)
    metrics = page.locator(METRICS).all_inner_texts()
    assert any(FLAT in m for m in metrics) and any(TRUSTED in m for m in metrics)
    assert page.get_by_text("is not a better model than").first.is_visible()
    assert page.get_by_role("link", name="Why? See the singularity lab").first.is_visible()
    page.mouse.move(5, 5)  # no button tooltip over the screenshot
    page.screenshot(path=screenshot_dir / "lab_initialisation_iris.png", full_page=True)
    page.locator(CHARTS).nth(1).scroll_into_view_if_needed()
    gallery_shot = screenshot_dir / "lab_initialisation_iris_gallery.png"
    page.locator(CHARTS).nth(1).screenshot(path=gallery_shot)
    link = page.url
    assert "init_seed=550" in link and "all=1" in link and "/initialisation" in link

    context = browser.new_context(base_url=app_server, viewport=page.viewport_size)
    fresh = context.new_page()  # a fresh browser context: nothing shared but the link
    fresh.goto(link)
    wait_for_app(fresh)
    assert_app_ok(fresh)
    fresh.get_by_text(FLAT).first.wait_for(timeout=60_000)
    assert fresh.locator(METRICS).all_inner_texts() == metrics
    context.close()


FULL_DATA = """(sel) => {
    const gd = document.querySelector(sel).querySelector('.js-plotly-plot');
    return gd._fullData.map(t => ({name: t.name, x: Array.from(t.x || []),
                                   symbol: t.marker && t.marker.symbol}));
}"""


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_selection_stars_the_recommended_cell_from_a_link(
    page: Page,
    lang: str,
    wait_for_app: Callable[..., None],
    assert_app_ok: Callable[[Page], None],
    screenshot_dir: Path,
) -> None:
    """Old Faithful from random_from_data starts: the lowest BIC (flat components) is drawn as
    a hollow star with its reason, the recommended tied K = 3 gets the star and the box."""
    _open(page, f"selection?src=sample&sample=old_faithful.csv&ms_init=random_from_data"
                f"&lang={lang}", wait_for_app)
    assert_app_ok(page)
    _wait_charts(page, 1)
    traces = page.evaluate(FULL_DATA, CHARTS)
    star = next(t for t in traces if t["symbol"] == "star")
    hollow = next(t for t in traces if t["symbol"] == "star-open")
    assert star["x"] == [3] and "K = 3, tied" in star["name"]
    assert hollow["x"] == [10] and "K = 10, diag" in hollow["name"]
    box = {"en": "Recommended by BIC: K = 3, tied", "ru": "Рекомендуемая по BIC: K = 3, tied"}
    flat = {"en": "component 3 is flat", "ru": "компонента 3 плоская"}
    alerts = "\n".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
    assert box[lang] in alerts and "☆" in alerts and flat[lang] in alerts
    page.mouse.move(5, 5)
    page.screenshot(path=screenshot_dir / f"lab_selection_passed_over_{lang}.png")
    chart = page.locator(CHARTS).first
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=screenshot_dir / f"lab_selection_passed_over_chart_{lang}.png")
