"""Hostile uploads in a real browser: the loader's message shows, nothing raises, and an
HTML-injection header stays text (no <img> element, no alert).

Screenshots: artifacts/screenshots/robustness-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.csv_corpus.make_corpus import build_corpus

CORPUS = build_corpus()
XSS = "<img src=x onerror=alert(1)>"
TIMEOUT_MS = 120_000


def _upload(page: Page, name: str, data: bytes, wait_for_app: Callable[..., None]) -> None:
    # An in-memory buffer: nothing of the test's own is written to disk either.
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data})
    wait_for_app(page)


def test_bad_uploads_show_the_message_and_the_xss_header_stays_text(
        page: Page, wait_for_app: Callable[..., None], wait_for_chart: Callable[..., Locator],
        assert_app_ok: Callable[[Page], None], screenshot_dir: Path) -> None:
    # Any alert() would flip this flag; the onerror handler of a real <img src=x> calls it.
    page.add_init_script("window.__alerted = false; window.alert = () => "
                         "{ window.__alerted = true; };")
    page.goto("/")
    wait_for_app(page)
    page.get_by_text("Upload CSV", exact=True).click()
    wait_for_app(page)

    _upload(page, "binary_junk.csv", CORPUS["binary_junk"], wait_for_app)
    error = page.get_by_test_id("stAlert").filter(has_text="does not look like a text CSV")
    expect(error.first).to_be_visible(timeout=TIMEOUT_MS)
    assert_app_ok(page)
    page.screenshot(path=screenshot_dir / "robustness-1-binary.png")

    _upload(page, "header_only.csv", CORPUS["header_only"], wait_for_app)
    expect(page.get_by_test_id("stAlert").filter(has_text="no data rows").first).to_be_visible(
        timeout=TIMEOUT_MS)
    assert_app_ok(page)

    _upload(page, f"{XSS}.csv", CORPUS["xss_header"], wait_for_app)
    wait_for_chart(page, timeout=TIMEOUT_MS)
    assert_app_ok(page)
    # The header shows as literal text: in the column picker and in the caption.
    expect(page.get_by_text(XSS, exact=False).first).to_be_visible(timeout=TIMEOUT_MS)
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("img[onerror]").count() == 0
    page.wait_for_timeout(500)  # give a would-be onerror handler time to fire
    assert page.evaluate("window.__alerted") is False
    page.screenshot(path=screenshot_dir / "robustness-2-xss.png")


def _hostile_csv() -> bytes:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(['<a href="http://h.example/">x</a>', "%{x}", ":red[x]"])
    for i in range(40):
        writer.writerow([i % 7 + 0.5 * (i % 3), (i * 3) % 11,
                         ("![p](http://host.example/x)", "$x$", XSS)[i % 3]])
    return buf.getvalue().encode()


def test_hostile_names_stay_text_in_the_page_the_chart_and_the_hover(
        page: Page, wait_for_app: Callable[..., None], wait_for_stepper: Callable[..., Locator],
        assert_app_ok: Callable[[Page], None], screenshot_dir: Path, app_server: str) -> None:
    """A file and columns named like links, images, directives and hover templates: the
    browser fetches none of the addresses they name, the page holds no link or image they made, and
    the hover shows the name, not a data value pulled in by it."""
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((app_server, "data:", "blob:"))
            else outside.append(r.url))
    page.add_init_script("window.__alerted = false; window.alert = () => "
                         "{ window.__alerted = true; };")
    page.goto("/")
    wait_for_app(page)
    page.get_by_text("Upload CSV", exact=True).click()
    wait_for_app(page)
    _upload(page, "![p](http://host.example/x).csv", _hostile_csv(), wait_for_app)
    root = wait_for_stepper(page, timeout=TIMEOUT_MS)
    chart = root.locator('.emv-chart[data-chart="mixture"]')
    assert_app_ok(page)
    # The names are on the page, as their own characters.
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="points in 2D").first
    expect(caption).to_be_visible(timeout=TIMEOUT_MS)
    shown = caption.inner_text().replace("\u2060", "")
    assert '<a href="http://h.example/">x</a>' in shown and "%{x}" in shown, shown
    assert "![p](http://host.example/x).csv" in shown, shown
    # Nothing they spell became an element.
    for selector in ('a[href*="example"]', 'img[src*="example"]', 'img[src="x"]',
                     "img[onerror]", ".katex"):
        assert page.locator(selector).count() == 0, selector
    # Axis titles: the literal name.
    titles = [el.text_content() for el in chart.locator(".xtitle, .ytitle").all()]
    assert titles == ['<a href="http://h.example/">x</a>', "%{x}"], titles
    # Hover the right-most point (row 20: x = 7, y = 5, alone there): the stepper's tooltip
    # says "<name> = <its value>" for both axes, the names kept as they are.
    box = page.evaluate("""() => {
        const gd = document.querySelector(
            '[data-testid="emvizStepper"] .emv-chart[data-chart="mixture"]');
        const fl = gd._fullLayout;
        const r = gd.querySelector('canvas.emv-points').getBoundingClientRect();
        return [r.left + fl.xaxis.l2p(7), r.top + fl.yaxis.l2p(5)]; }""")
    page.mouse.move(box[0], box[1])
    tip = root.locator(".emv-tooltip")
    expect(tip).to_be_visible(timeout=10_000)
    lines = tip.inner_text().splitlines()
    pairs = [re.fullmatch(r"(.*) = ([-\d.]+)", line) for line in lines[:2]]
    assert [(m.group(1), float(m.group(2))) for m in pairs if m] == [
        ('<a href="http://h.example/">x</a>', 7.0), ("%{x}", 5.0)], lines
    page.screenshot(path=screenshot_dir / "robustness-3-hostile-names.png")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__alerted") is False
    # (Streamlit itself fetches the page icon from fonts.gstatic.com: not the names' doing.)
    assert not [url for url in outside if "example" in url], outside
