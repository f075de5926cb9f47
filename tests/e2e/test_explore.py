"""The Explore view in a real browser: step, scrub, play, upload, switch dimension.

Few tests, each a real journey; screenshots go to artifacts/screenshots/explore-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Locator, Page, expect

STATUS_TIMEOUT_MS = 30_000
# Shared 2-core machines run several suites at once; the first chart can take far longer
# than the ~5 s it takes on an idle machine.
FIRST_CHART_TIMEOUT_MS = 120_000


# --- helpers ---------------------------------------------------------------------------
def click(page: Page, name: str, wait_for_app: Callable[..., None]) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    wait_for_app(page)


def status(page: Page) -> Locator:
    """The bold status line: "Iteration 2 · E-step · log-likelihood …"."""
    return page.locator('[data-testid="stMarkdownContainer"] p', has_text="Iteration").first


def expect_status(page: Page, text: str) -> None:
    expect(status(page)).to_contain_text(text, timeout=STATUS_TIMEOUT_MS)


def chart_points(page: Page) -> int:
    """Number of points in the first chart's first trace, as Plotly drew them."""
    return page.evaluate(
        """() => {
            const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
            const t = gd && gd._fullData && gd._fullData[0];
            return t && t.x ? t.x.length : 0;
        }"""
    )


def choose(page: Page, label: str, option: str, wait_for_app: Callable[..., None]) -> None:
    """Pick ``option`` in the sidebar selectbox labelled ``label``."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


@pytest.fixture
def explore(app_page: Page, wait_for_chart: Callable[..., Locator],
            assert_app_ok: Callable[[Page], None]) -> Page:
    assert_app_ok(app_page)
    wait_for_chart(app_page, timeout=FIRST_CHART_TIMEOUT_MS)
    return app_page


# --- journeys --------------------------------------------------------------------------
def test_step_scrub_and_play(explore: Page, wait_for_app, wait_for_chart, assert_app_ok,
                             screenshot_dir: Path) -> None:
    page = explore
    expect_status(page, "Iteration 0 · Initialisation")
    page.screenshot(path=screenshot_dir / "explore-1-default.png")

    click(page, "Step", wait_for_app)
    expect_status(page, "Iteration 1 · M-step")
    click(page, "E-step", wait_for_app)
    expect_status(page, "Iteration 2 · E-step")
    page.screenshot(path=screenshot_dir / "explore-2-e-step.png")
    click(page, "M-step", wait_for_app)
    expect_status(page, "Iteration 2 · M-step")
    assert_app_ok(page)

    # Scrub back with the keyboard: the slider's thumb takes arrow keys.
    timeline = page.get_by_test_id("stSlider").filter(has_text="Timeline")
    thumb = timeline.get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowLeft")
    wait_for_app(page)
    expect_status(page, "Iteration 2 · E-step")
    thumb.press("ArrowLeft")
    wait_for_app(page)
    expect_status(page, "Iteration 1 · M-step")
    assert chart_points(page) > 0
    page.screenshot(path=screenshot_dir / "explore-3-scrubbed.png")

    # Play: the animation runs in the browser, frame after frame, without the server.
    page.get_by_text("Animate", exact=True).click()
    wait_for_app(page)
    chart = wait_for_chart(page, timeout=FIRST_CHART_TIMEOUT_MS)
    frames = page.evaluate(
        """() => document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot')
                ._transitionData._frames.length"""
    )
    assert frames >= 3
    page.evaluate(
        """() => {
            const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
            window.__frames = 0;
            gd.on('plotly_animatingframe', () => { window.__frames += 1; });
        }"""
    )
    chart.locator(".updatemenu-button", has_text="Play").first.click()
    page.wait_for_function("() => window.__frames >= 3", timeout=10_000)
    page.wait_for_timeout(400)
    chart.screenshot(path=screenshot_dir / "explore-4-playing.png")
    assert_app_ok(page)


def test_upload_a_csv(explore: Page, wait_for_app, wait_for_chart, assert_app_ok,
                      screenshot_dir: Path, tmp_path: Path) -> None:
    page = explore
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (150, 2)), rng.normal((5, 3), 0.7, (150, 2))])
    rows = "\n".join(f"{a:.4f},{b:.4f},{'left' if i < 150 else 'right'}"
                     for i, (a, b) in enumerate(X))
    csv = tmp_path / "two_blobs.csv"
    csv.write_text("length,width,group\n" + rows + "\n")

    page.get_by_text("Upload CSV", exact=True).click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(csv)
    wait_for_app(page)
    wait_for_chart(page, timeout=FIRST_CHART_TIMEOUT_MS)
    assert_app_ok(page)
    expect(page.get_by_text("two_blobs.csv", exact=False).first).to_be_visible()
    click(page, "Run", wait_for_app)
    expect_status(page, "ARI")
    assert chart_points(page) == 300
    page.screenshot(path=screenshot_dir / "explore-5-upload.png")


def test_switch_to_1d_and_3d(explore: Page, wait_for_app, wait_for_chart, assert_app_ok,
                             screenshot_dir: Path) -> None:
    page = explore
    choose(page, "Scenario", "Custom mixture", wait_for_app)
    for dim in (1, 3):
        page.get_by_test_id("stRadio").filter(has_text="Dimension").get_by_text(
            str(dim), exact=True).click()
        wait_for_app(page)
        chart = wait_for_chart(page, timeout=FIRST_CHART_TIMEOUT_MS)
        assert_app_ok(page)
        expect(page.get_by_text(f"in {dim}D", exact=False).first).to_be_visible()
        click(page, "Step", wait_for_app)
        expect_status(page, "Iteration 1 · M-step")
        if dim == 3:
            # Scatter3d needs WebGL: Plotly puts its scene in a canvas that is drawn into.
            expect(chart.locator("canvas").first).to_be_visible()
        page.wait_for_timeout(300)
        page.screenshot(path=screenshot_dir / f"explore-6-{dim}d.png")


#: Labels in the stepping row (buttons and the Animation toggle) that the browser cut off:
#: Streamlit ends a label too wide for its box with an ellipsis (text-overflow), so such a
#: label is wider (scrollWidth) than what is shown of it (clientWidth).
CUT_LABELS = r"""() => {
  const row = document.querySelector('[data-testid="stMain"] [data-testid="stHorizontalBlock"]');
  return Array.from(row.querySelectorAll('*'))
    .filter(e => getComputedStyle(e).textOverflow === 'ellipsis'
                 && e.getBoundingClientRect().width > 0 && e.scrollWidth > e.clientWidth)
    .map(e => e.textContent);
}"""


STEP_LABEL = {"en": "Step", "ja": "1 反復", "ru": "Итерация"}


@pytest.mark.parametrize("lang", ["en", "ja", "ru"])
def test_stepping_labels_fit_their_buttons(page: Page, lang: str, wait_for_app,
                                           wait_for_chart, screenshot_dir: Path) -> None:
    page.goto(f"/?lang={lang}")
    wait_for_app(page)
    wait_for_chart(page, timeout=FIRST_CHART_TIMEOUT_MS)
    row = page.locator('[data-testid="stMain"] [data-testid="stHorizontalBlock"]').first
    expect(row.get_by_role("button", name=STEP_LABEL[lang], exact=True)).to_be_visible()
    row.screenshot(path=screenshot_dir / f"explore-buttons-{lang}.png")
    assert page.evaluate(CUT_LABELS) == []
