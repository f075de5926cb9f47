"""Classroom in a real browser: presenter mode on a 1920×1080 projector, and shared links.

Screenshots go to artifacts/screenshots/classroom-*.png for a human to look at.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

PROJECTOR = {"width": 1920, "height": 1080}
FIRST_CHART_TIMEOUT_MS = 120_000

#: Every text node in the main area (not the chart's SVG): its font size and a snippet.
MAIN_TEXT_SIZES = r"""() => {
  const out = [];
  const main = document.querySelector('[data-testid="stMain"]');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || el.closest('svg') || el.closest('[data-testid="stIconMaterial"]')
        || el.closest('[data-testid="stExpanderIcon"]')) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    out.push([parseFloat(style.fontSize), text.slice(0, 40)]);
  }
  return out;
}"""

MIXTURE = '[data-testid="emvizStepper"] .emv-chart[data-chart="mixture"]'
#: The Explore chart's traces as Plotly drew them (numbers, not the base64 JSON).
TRACES = r"""() => {
  const gd = document.querySelector(
    '[data-testid="emvizStepper"] .emv-chart[data-chart="mixture"]');
  return gd._fullData.map(t => [t.type, t.name || '', Array.from(t.x || []),
                                Array.from(t.y || []), t.line ? t.line.width : null]);
}"""


def _open(browser: Browser, base_url: str, path: str) -> Page:
    context = browser.new_context(base_url=base_url, viewport=PROJECTOR)
    page = context.new_page()
    page.goto(path)
    return page


def _chart(page: Page) -> Locator:
    page.locator('[data-testid="emvizStepper"][data-rendered]').wait_for(
        state="attached", timeout=FIRST_CHART_TIMEOUT_MS)
    chart = page.locator(MIXTURE).first
    expect(chart).to_be_visible(timeout=FIRST_CHART_TIMEOUT_MS)
    return chart


def _status(page: Page) -> Locator:
    return page.locator('[data-testid="emvizStepper"] .emv-title strong').first


def _on_screen(page: Page, selector: str) -> bool:
    """Whether the element is wholly inside the viewport (nothing to scroll to)."""
    return page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
        return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
    }""", selector)


def test_presenter_mode_on_a_projector(browser: Browser, app_server: str,
                                       wait_for_app: Callable[..., None],
                                       assert_app_ok: Callable[[Page], None],
                                       screenshot_dir: Path):
    page = _open(browser, app_server, "/?presenter=1&step=4")
    _chart(page)
    wait_for_app(page)
    assert_app_ok(page)
    # The figure has the screen: the sidebar starts collapsed; no developer chrome.
    width = page.locator('[data-testid="stSidebar"]').evaluate(
        "e => e.getBoundingClientRect().width")
    assert width < 5
    assert page.locator('[data-testid="stMainMenu"]').is_hidden()
    assert page.get_by_role("button", name="Deploy").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    sizes = page.evaluate(MAIN_TEXT_SIZES)
    small = [s for s in sizes if s[0] < 20]
    assert len(sizes) > 20 and not small, small
    layout = page.evaluate("s => document.querySelector(s)._fullLayout.font.size", MIXTURE)
    assert layout >= 20
    widths = [t[4] for t in page.evaluate(TRACES) if t[4]]
    assert min(widths) >= 3
    expect(_status(page)).to_contain_text("M-step")
    # the chart, the log-likelihood curve and the status line on one screen, no scrolling
    root = '[data-testid="emvizStepper"]'
    for part in (".emv-status", '.emv-chart[data-chart="mixture"]',
                 '.emv-chart[data-chart="loglik"]'):
        assert _on_screen(page, f"{root} {part}"), part
    page.screenshot(path=str(screenshot_dir / "classroom-presenter-1920.png"))
    # The lecturer's keys: → is the next half-step, Home resets.
    page.locator("body").press("ArrowRight")
    expect(_status(page)).to_contain_text("Iteration 3 · E-step", timeout=30_000)
    page.locator("body").press("Home")
    expect(_status(page)).to_contain_text("Iteration 0", timeout=30_000)
    page.context.close()


@pytest.mark.parametrize("lang", ["ja", "ru"])
def test_presenter_mode_in_other_languages(browser: Browser, app_server: str, lang: str,
                                           wait_for_app: Callable[..., None],
                                           screenshot_dir: Path):
    page = _open(browser, app_server, f"/?presenter=1&lang={lang}&step=3")
    _chart(page)
    wait_for_app(page)
    expect(page.locator('[data-testid="emvizStepper"]').get_by_role(
        "button", name="E-step", exact=True)).to_have_count(0)  # translated
    page.screenshot(path=str(screenshot_dir / f"classroom-presenter-1920-{lang}.png"))
    page.context.close()


def test_a_shared_link_opens_the_same_view(browser: Browser, app_server: str,
                                           wait_for_app: Callable[..., None]):
    teacher = _open(browser, app_server, "/?k=4&cov=diag&seed=3&lang=ru")
    _chart(teacher)
    wait_for_app(teacher)
    for _ in range(2):
        teacher.locator("body").press("ArrowRight")
    teacher.get_by_role("button", name="Итерация", exact=True).click()
    expect(_status(teacher)).to_contain_text("Итерация 2", timeout=30_000)
    # the link follows once stepping pauses (the browser tells Python where it stopped)
    teacher.wait_for_function("() => new URLSearchParams(location.search).get('step') === '4'",
                              timeout=30_000)
    link = teacher.url
    query = parse_qs(urlparse(link).query)
    assert query["step"] == ["4"] and query["k"] == ["4"] and query["lang"] == ["ru"]
    expected = teacher.evaluate(TRACES)
    status = _status(teacher).inner_text()
    teacher.context.close()

    student = _open(browser, app_server, link)  # a fresh context: no shared session
    _chart(student)
    wait_for_app(student)
    expect(_status(student)).to_have_text(status, timeout=30_000)
    assert student.evaluate(TRACES) == expected
    assert parse_qs(urlparse(student.url).query) == query
    student.context.close()


def test_share_box_shows_the_link_on_request(browser: Browser, app_server: str,
                                             wait_for_app: Callable[..., None],
                                             screenshot_dir: Path):
    # The code box is drawn only when asked for (it loads a 1.6 MB syntax highlighter), and
    # the box stays open across the rerun its toggle causes.
    page = _open(browser, app_server, "/?k=4&seed=3&step=2")
    _chart(page)
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_test_id("stCode")).to_have_count(0)
    sidebar.get_by_text("Share this view", exact=True).click()
    sidebar.get_by_text("Show the link, with a copy button", exact=True).click()
    wait_for_app(page)
    code = sidebar.get_by_test_id("stCode")
    expect(code).to_be_visible(timeout=30_000)
    shown = parse_qs(urlparse(code.inner_text().replace("\n", "")).query)
    assert shown == parse_qs(urlparse(page.url).query) and shown["k"] == ["4"]
    page.screenshot(path=str(screenshot_dir / "classroom-share-link.png"))
    page.context.close()
