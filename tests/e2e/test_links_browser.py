"""Browser: links that keep their word.

* A sample link with a column or label the sample does not have still shows a chart, with
  those settings back at their defaults, as its note says.
* A lab's settings from a link survive switching the data source away and back (a lab
  stops before its controls while it has no data; the browser then stops sending their
  values, and Streamlit used to forget them).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

TIMEOUT_MS = 120_000


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.mark.parametrize("bad", ["cols=nope&cols=sepal_width_cm", "label=nope"])
def test_a_sample_link_with_a_bad_column_still_draws(
        bad: str, page: Page, wait_for_app: Callable[..., None],
        wait_for_chart: Callable[..., Locator], assert_app_ok: Callable[[Page], None]) -> None:
    page.goto(f"/explore?src=sample&sample=iris.csv&{bad}")
    wait_for_app(page)
    wait_for_chart(page, timeout=TIMEOUT_MS)
    assert_app_ok(page)
    name = bad.split("=")[0]
    expect(page.get_by_text(f"could not be used ({name})").first).to_be_visible()
    assert page.get_by_text("Pick 1 to 3 numeric columns").count() == 0
    query = _query(page)
    assert query["cols"] == ["sepal_length_cm", "sepal_width_cm"]  # the sample's defaults
    assert query["label"] == ["species"]


def test_lab_settings_from_a_link_survive_a_data_source_round_trip(
        page: Page, wait_for_app: Callable[..., None],
        wait_for_chart: Callable[..., Locator], assert_app_ok: Callable[[Page], None]) -> None:
    page.goto("/kmeans?km_seed=5&km_init=random")
    wait_for_app(page)
    wait_for_chart(page, timeout=TIMEOUT_MS)
    linked = {k: _query(page)[k] for k in ("km_seed", "km_init")}
    assert linked == {"km_seed": ["5"], "km_init": ["random"]}
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Upload CSV", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("Choose data in the sidebar").first).to_be_visible(timeout=TIMEOUT_MS)
    sidebar.get_by_text("Synthetic", exact=True).click()
    wait_for_app(page)
    wait_for_chart(page, timeout=TIMEOUT_MS)
    assert_app_ok(page)
    assert {k: _query(page).get(k) for k in linked} == linked
