"""In a real browser: page paths, the Back button, and every page right in en/ja/ru.

What AppTest cannot see: browser history, the URL's path, what Streamlit's grid draws in an
empty cell, whether a control or a column is cut off at 1400 px, Plotly's tick labels and
the text a screen reader gets from a figure. Screenshots go to artifacts/screenshots/polish-*.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from emviz.ui.i18n import translate

LANGS = ("en", "ja", "ru")
CHART = '[data-testid="stPlotlyChart"]'
STEPPER = '[data-testid="emvizStepper"]'
ELSEWHERE = "data:text/html,<title>elsewhere</title><p>a page before the app</p>"


def _open(page: Page, path: str, wait_for_app: Callable[..., None]) -> None:
    """Open ``path`` and wait for its first chart (a lab's, or Explore's stepper's)."""
    page.goto(path)
    wait_for_app(page)
    page.locator(f"{CHART} .main-svg, {STEPPER} .main-svg").first.wait_for(
        state="visible", timeout=120_000)
    wait_for_app(page, start_ms=0)


def _step(page: Page, name: str) -> None:
    """Press a button of Explore's stepper (it steps in the browser, no script run)."""
    page.locator(STEPPER).get_by_role("button", name=name, exact=True).click()


def _link_at_step(page: Page, h: int) -> None:
    """Python hears where stepping paused; the address bar follows."""
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('step') === '{h}'",
                           timeout=60_000)


def _click(page: Page, name: str, wait_for_app: Callable[..., None]) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    wait_for_app(page)


def _path(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


# --- Links and history -------------------------------------------------------------------------
def test_steps_replace_the_history_entry_and_back_leaves(page: Page, wait_for_app,
                                                         assert_app_ok) -> None:
    page.goto(ELSEWHERE)
    _open(page, "/", wait_for_app)
    entries = page.evaluate("history.length")
    for h in (2, 4, 6):
        _step(page, "Step")
        _link_at_step(page, h)  # the address bar follows the view...
    assert page.evaluate("history.length") == entries  # ...without a new entry per step
    page.get_by_role("link", name="k-means vs GMM").click()
    wait_for_app(page)
    _click(page, "Step", wait_for_app)
    _click(page, "Step", wait_for_app)
    assert _path(page) == "/kmeans" and page.evaluate("history.length") == entries + 1
    page.go_back()  # to the previous page, not to the previous step
    wait_for_app(page)
    expect(page.locator(STEPPER).get_by_role("button", name="E-step", exact=True)) \
        .to_be_visible(timeout=60_000)
    assert _path(page) == "/"
    assert_app_ok(page)
    page.go_back()  # and then out of the app
    page.wait_for_url(re.compile(r"^data:"))


def test_page_paths_open_their_page_whatever_their_case(page: Page, wait_for_app,
                                                        assert_app_ok) -> None:
    for path, heading in (("/explore", None), ("/KMeans", "k-means vs Gaussian mixture"),
                          ("/Restarts/", "Initialisation sensitivity")):
        _open(page, path, wait_for_app)
        assert_app_ok(page)
        expect(page.get_by_test_id("stDialog")).to_have_count(0)  # no "Page not found"
        if heading is None:
            expect(page.locator(STEPPER).get_by_role("button", name="E-step", exact=True)) \
                .to_be_visible()
        else:
            expect(page.get_by_role("heading", name=heading)).to_be_visible()


# --- Every page right in every language --------------------------------------------------------
def _initialisation(page: Page, lang: str, wait_for_app, shots: Path) -> None:
    t = lambda key, **f: translate(key, lang, **f)  # noqa: E731
    _open(page, f"/initialisation?lang={lang}", wait_for_app)
    main = page.get_by_test_id("stMain")
    method = main.get_by_role("combobox", name=t("restarts.method"), exact=True)
    expect(method).to_have_value(t("restarts.all_four"))
    assert method.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # "все четыре (сравнить"
    # The controls' rows: every widget of a row ends on the same line, whatever its label.
    for label in (t("restarts.method"), t("labs.k")):
        row = main.get_by_test_id("stHorizontalBlock").filter(has_text=label).last
        bottoms = row.evaluate("""r => Array.from(r.children).map(c => {
            const w = c.querySelector('[data-testid="stElementContainer"]');
            return w.getBoundingClientRect().bottom; })""")
        assert max(bottoms) - min(bottoms) <= 6, (label, bottoms)
    # The per-method table shows all seven columns inside the page, none cut off.
    table = main.get_by_test_id("stTable").first
    table.scroll_into_view_if_needed()
    headers = table.locator("th").all_inner_texts()
    for key in ("median_iter", "fraction_top", "fraction_best"):
        assert t(f"labfig.col_{key}") in [h.strip() for h in headers], headers
    right = main.evaluate("m => m.getBoundingClientRect().right")
    assert all(box["x"] + box["width"] <= right + 1
               for box in (h.bounding_box() for h in table.locator("th").all()))
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")
    caption = main.get_by_test_id("stCaptionContainer").filter(
        has_text=t("panels.preset.kmeans_agrees")).first
    expect(caption).to_contain_text(t("panels.preset.kmeans_agrees") + " · ")
    expect(main.get_by_role("button", name=t("labs.open_explore"), exact=True)).to_be_visible()
    assert t("explore.nav") in t("labs.open_explore")
    page.screenshot(path=shots / f"polish-restarts-{lang}.png", full_page=True)


def _kmeans(page: Page, lang: str, wait_for_app, shots: Path) -> None:
    t = lambda key, **f: translate(key, lang, **f)  # noqa: E731
    _open(page, f"/kmeans?lang={lang}", wait_for_app)
    main = page.get_by_test_id("stMain")
    step = main.get_by_role("button", name=t("stepview.step"), exact=True)
    expect(step).to_be_visible()
    expect(main.get_by_role("button", name=t("stepview.new_init"), exact=True)).to_be_visible()
    step.click()  # the stepper's: no rerun
    expect(main.get_by_text(re.compile(r"\b1\b.*24|24.*\b1\b")).first).to_be_visible()
    body = main.inner_text()
    assert "unequal_sizes" not in body and t("panels.preset.unequal_sizes") + " · " in body
    page.screenshot(path=shots / f"polish-kmeans-{lang}.png")


def _coins(page: Page, lang: str, wait_for_app, shots: Path) -> None:
    t = lambda key, **f: translate(key, lang, **f)  # noqa: E731
    _open(page, f"/coins?lang={lang}", wait_for_app)
    stepper = page.locator(STEPPER)
    _step(page, t("stepview.e"))
    table = stepper.locator('.emv-table[data-table="credited"]')
    expect(table).to_contain_text(t("theory.fig.total"))
    cells = table.locator("tr").last.locator("td, th").all_inner_texts()
    assert "None" not in cells and "nan" not in cells, cells
    # Hiding the future (the stepper's own control): from the start, the θ curves stop there.
    page.locator("body").press("Home")
    stepper.get_by_text(t("stepview.predict"), exact=True).click()
    page.wait_for_timeout(500)
    latest = page.evaluate("""() => Math.max(...document.querySelector(
        '[data-testid="emvizStepper"] .emv-chart[data-chart="theta"]')._fullData
        .filter(d => d.mode && d.mode.includes('lines') && d.name !== 'cursor')
        .flatMap(d => Array.from(d.x)))""")
    assert latest == 0
    page.screenshot(path=shots / f"polish-coins-{lang}.png")
    stepper.get_by_text(t("stepview.predict"), exact=True).click()  # as it was


def _elbo(page: Page, lang: str, wait_for_app) -> None:
    _open(page, f"/elbo?lang={lang}", wait_for_app)
    # the bars' baseline: a note the stepper draws (a label mark); the waterfall's: its title
    texts = """() => Array.from(document.querySelectorAll(
        '[data-testid="emvizStepper"] .emv-marks [data-type="label"] text, .g-x2title text'))
        .map(t => t.textContent).filter(s => s.includes('L + KL'))"""
    page.wait_for_function(f"() => ({texts})().length === 2", timeout=60_000)
    notes = page.evaluate(texts)
    assert len(notes) == 2, notes
    if lang != "ja":  # what a screen reader reads: "shown), so", "KL. Values"
        assert not [n for n in notes if re.search(r"[),.;:][^\W\d_]", n)], notes


def _unknown_path(page: Page, lang: str, wait_for_app) -> None:
    _open(page, f"/no-such-page?lang={lang}", wait_for_app)
    expect(page.get_by_test_id("stDialog")).to_have_count(0)
    note = page.get_by_test_id("stAlert").filter(has_text="/kmeans")
    expect(note).to_contain_text(translate("kmeans.nav", lang))
    expect(note).to_contain_text(translate("explore.nav", lang))
    assert _path(page) == "/"


@pytest.mark.parametrize("lang", LANGS)
def test_every_lab_page_is_right_in(page: Page, lang: str, wait_for_app, assert_app_ok,
                                    screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1400})
    _initialisation(page, lang, wait_for_app, screenshot_dir)
    _kmeans(page, lang, wait_for_app, screenshot_dir)
    _coins(page, lang, wait_for_app, screenshot_dir)
    _elbo(page, lang, wait_for_app)
    _unknown_path(page, lang, wait_for_app)
    assert_app_ok(page)


# --- Numbers --------------------------------------------------------------------------------
def test_numbers_read_well_for_data_in_the_tens_of_thousands(page: Page, wait_for_app,
                                                              tmp_path: Path,
                                                              screenshot_dir: Path) -> None:
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(19_000, 8_000, 300), rng.normal(60_000, 2_000, 200)])
    csv = tmp_path / "big.csv"
    csv.write_text("value\n" + "\n".join(f"{v:.3f}" for v in values))
    _open(page, "/?k=2", wait_for_app)
    page.get_by_test_id("stSidebar").get_by_text("Upload CSV", exact=True).click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv))
    wait_for_app(page)
    page.wait_for_function(f"""() => Array.from(document.querySelectorAll(
        '{STEPPER} .js-plotly-plot')).some(gd => gd._fullData &&
        gd._fullData.some(d => d.type === 'bar'))""", timeout=120_000)
    _step(page, "Run")
    chart = page.locator(f'{STEPPER} .emv-chart[data-chart="mixture"]')
    ticks = chart.locator(".ytick text").evaluate_all("els => els.map(e => e.textContent)")
    assert ticks and not [s for s in ticks if "μ" in s], ticks  # "250μ" read as a mean
    table = page.locator(f"{STEPPER} .emv-table").first
    expect(table).to_contain_text("×10")
    text = table.inner_text()
    assert "e+" not in text and ".0000" not in text and "[" not in text, text
    page.screenshot(path=screenshot_dir / "polish-numbers-1d.png")
