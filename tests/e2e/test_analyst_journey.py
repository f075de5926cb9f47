"""An analyst's journey in a real browser, with files nobody wrote for the app.

upload → Explore → Model selection → Open in Explore → Choose K → summary → Download, moving
between pages with the app's own menu (one browser session), and checking on every page that
the uploaded data is still there. The downloads are read back and compared cell by cell with
the uploaded file. A second test uploads every file of the CSV corpus that loads and checks
that it survives a page switch.

Screenshots: artifacts/screenshots/analyst-*.png (look at them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.csv_corpus.make_corpus import EXPECTED, build_corpus
from tests.csv_corpus.real_like import penguins_like

ASSETS = Path(__file__).resolve().parents[2] / "assets"
TIMEOUT_MS = 120_000
UPLOADER = '[data-testid="stFileUploader"] input[type="file"]'


def _menu(page: Page, title: str, wait_for_app: Callable[..., None]) -> None:
    """Go to a page through the sidebar menu (a link would start a new session)."""
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    wait_for_app(page)


def _upload(page: Page, path: Path, wait_for_app: Callable[..., None]) -> None:
    page.get_by_text("Upload CSV", exact=True).first.click()
    wait_for_app(page)
    page.locator(UPLOADER).first.set_input_files(path)
    wait_for_app(page)


def _main_text(page: Page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def _still_there(page: Page, name: str) -> None:
    """The page's data caption ("**name** · n points in dD · columns: ...") names the file."""
    caption = page.get_by_test_id("stMain").locator("p").filter(has_text=name).filter(
        has_text="points in")
    expect(caption.first).to_be_visible(timeout=TIMEOUT_MS)
    assert "Choose data in the sidebar" not in _main_text(page)


def _cells(text: str) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(text, newline="")) if "".join(r).strip()]


@pytest.mark.parametrize("name", ["penguins_like.csv", "old_faithful.csv"])
def test_upload_explore_select_open_choose_summary_download(
        page: Page, name: str, wait_for_app, wait_for_chart, assert_app_ok,
        screenshot_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(penguins_like() if name == "penguins_like.csv"
                     else (ASSETS / name).read_bytes())
    shot = f"analyst-{path.stem}"
    page.goto("/")
    wait_for_app(page)
    wait_for_chart(page, timeout=TIMEOUT_MS)

    # 1. Upload in Explore: drawn, ids and years skipped by default.
    _upload(page, path, wait_for_app)
    wait_for_chart(page, timeout=TIMEOUT_MS)
    assert_app_ok(page)
    _still_there(page, name)
    sidebar = page.get_by_test_id("stSidebar").inner_text()
    if name == "penguins_like.csv":
        assert "'index' skipped" in sidebar and "'year' skipped" in sidebar
    else:
        assert "so each axis gets its own scale" in sidebar
    page.screenshot(path=screenshot_dir / f"{shot}-1-explore.png")

    # 2. Model selection from the menu: the same data, no new upload.
    _menu(page, "Model selection", wait_for_app)
    expect(page.get_by_text("Best by BIC", exact=False).first).to_be_visible(timeout=TIMEOUT_MS)
    assert_app_ok(page)
    _still_there(page, name)
    page.screenshot(path=screenshot_dir / f"{shot}-2-selection.png")

    # 3. Open in Explore: the same data again, at the cell's K.
    page.get_by_role("button", name="Open in Explore").click()
    wait_for_app(page)
    wait_for_app(page)
    wait_for_chart(page, timeout=TIMEOUT_MS)
    assert_app_ok(page)
    _still_there(page, name)
    expect(page.get_by_text("Iteration 0", exact=False).first).to_be_visible(timeout=TIMEOUT_MS)

    # 4. Choose K for me: the BIC curve and a K.
    page.get_by_role("button", name="Choose K for me").click()
    wait_for_app(page)
    expect(page.get_by_text("has the lowest BIC among sound fits", exact=False)
           ).to_be_visible(timeout=TIMEOUT_MS)
    assert_app_ok(page)
    page.get_by_role("button", name="Run", exact=True).click()
    wait_for_app(page)
    _still_there(page, name)

    # 5. The summary, in the file's units.
    summary = page.get_by_test_id("stExpander").filter(has_text="mean ± sd in your units")
    expect(summary.get_by_text("±", exact=False).first).to_be_visible(timeout=TIMEOUT_MS)
    summary.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"{shot}-3-result.png")
    summary.screenshot(path=screenshot_dir / f"{shot}-4-summary.png")

    # 6. Download the labelled CSV: every original cell as it was.
    page.get_by_test_id("stExpander").filter(has_text="Download").first.get_by_text(
        "Download", exact=True).click()
    button = page.get_by_role("button", name="Data with labels (CSV)")
    expect(button).to_be_visible(timeout=TIMEOUT_MS)
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        button.click()
    out = Path(download.value.path()).read_text(encoding="utf-8")
    before, after = _cells(path.read_text()), _cells(out)
    assert len(after) == len(before)
    for b, a in zip(before, after, strict=True):
        assert a[: len(b)] == b
    assert after[0][len(before[0])] == "em_component"

    # 7. The PNG: drawn on request, then offered (or an error message, never a silent wait).
    page.get_by_role("button", name="Make a PNG").click()
    png = page.get_by_role("button", name="Figure (PNG)")
    expect(png.or_(page.get_by_test_id("stAlertContentError").first)).to_be_visible(
        timeout=45_000)
    assert_app_ok(page)


CORPUS = {name: raw for name, raw in build_corpus().items() if EXPECTED[name] == "loads"}


def test_every_corpus_file_that_loads_survives_a_page_switch(
        page: Page, wait_for_app, assert_app_ok, tmp_path: Path) -> None:
    page.goto("/")
    wait_for_app(page)
    page.get_by_text("Upload CSV", exact=True).first.click()
    wait_for_app(page)
    for name, raw in CORPUS.items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(raw)
        _menu(page, "Explore", wait_for_app)
        page.locator(UPLOADER).first.set_input_files(path)
        wait_for_app(page)
        assert_app_ok(page)
        _menu(page, "k-means vs GMM", wait_for_app)
        assert_app_ok(page)
        sidebar = page.get_by_test_id("stSidebar").inner_text()
        assert path.name in sidebar, name  # "Using <file>, uploaded earlier in this session"
