"""Hostile uploads in a real browser: the loader's message shows, nothing raises, and an
HTML-injection header stays text (no <img> element, no alert).

Screenshots: artifacts/screenshots/robustness-*.png.
"""

from __future__ import annotations

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
