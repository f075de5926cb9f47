"""Browser: the initialisation lab's basin map. Drawn on demand with a progress bar; clicking
a cell opens Explore at half-step 0, started from that cell's start.

Screenshots: artifacts/screenshots/basin_map.png (the map) and basin_map_explore.png (the
cell opened in Explore).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page
from stepper_page import ROOT, trace_xy, wait_for_position

MAP = ".st-key-rs_basin_chart .js-plotly-plot"

#: Where cell ``index`` of the map's clickable trace is on the page, and what it carries.
CELL_JS = """([selector, index]) => {
  const gd = document.querySelector(selector);
  const cells = gd._fullData.find(t => t.name === 'starts');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.getBoundingClientRect();
  return {x: cells.x[index], y: cells.y[index], customdata: Array.from(cells.customdata[index]),
          px: box.left + xa._offset + xa.l2p(cells.x[index]),
          py: box.top + ya._offset + ya.l2p(cells.y[index])};
}"""

EXPLORE_MIXTURE = f'{ROOT} .emv-chart[data-chart="mixture"]'
GALLERY = ".st-key-rs_gallery .js-plotly-plot"


def open_restarts(page: Page, query: str, wait_for_app: Callable[..., None]) -> Locator:
    """Open the initialisation lab at ``query`` once its gallery is drawn; its map button."""
    page.goto(f"/restarts?{query}")
    wait_for_app(page)
    page.locator(f"{GALLERY} .main-svg").first.wait_for(timeout=60_000)
    return page.locator(".st-key-rs_basin_go button")


def map_drawn(page: Page, wait_for_app: Callable[..., None],
              assert_app_ok: Callable[[Page], None], screenshot: Path) -> None:
    """Wait for the basin map (asked for) to be drawn with no error; screenshot it."""
    page.locator(f"{MAP} .main-svg").first.wait_for(state="visible", timeout=120_000)
    wait_for_app(page, start_ms=0)
    assert_app_ok(page)
    chart = page.locator(".st-key-rs_basin_chart")
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=screenshot)


def test_clicking_a_cell_opens_its_run_in_explore_at_half_step_0(
    page: Page,
    wait_for_app: Callable[..., None],
    wait_for_stepper: Callable[..., object],
    assert_app_ok: Callable[[Page], None],
    screenshot_dir: Path,
) -> None:
    draw = open_restarts(page, "rs_m=10", wait_for_app)
    assert_app_ok(page)

    draw.click()
    # 1,600 EM runs take seconds: the bar shows them going.
    page.locator('[data-testid="stProgress"]').first.wait_for(state="visible", timeout=30_000)
    map_drawn(page, wait_for_app, assert_app_ok, screenshot_dir / "basin_map.png")

    fixed = trace_xy(page, MAP, "fixed starting means")
    assert trace_xy(page, MAP, "component 1's own start") is not None
    index = 30 * 40 + 10  # row 30 (upper part), column 10 (left part) of the 40 x 40 grid
    cell = page.evaluate(CELL_JS, [MAP, index])
    assert cell["customdata"][:2] == [30, 10]
    page.mouse.move(cell["px"], cell["py"])
    page.mouse.click(cell["px"], cell["py"])

    root = wait_for_stepper(page)
    wait_for_app(page, start_ms=0)
    assert_app_ok(page)
    assert "/restarts" not in page.url and "step=0" in page.url
    wait_for_position(page, 0)
    assert root.get_attribute("data-position") == "0"
    xs, ys = trace_xy(page, EXPLORE_MIXTURE, "means")
    # Component 1 starts at the clicked cell; the others where the map held them (the
    # browser draws float32, hence the tolerance).
    assert abs(xs[0] - cell["x"]) < 1e-5 * max(1.0, abs(cell["x"]))
    assert abs(ys[0] - cell["y"]) < 1e-5 * max(1.0, abs(cell["y"]))
    for got, want in zip(xs[1:] + ys[1:], fixed[0] + fixed[1], strict=True):
        assert abs(got - want) < 1e-5 * max(1.0, abs(want))
    assert page.get_by_text("init_params = manual").first.is_visible()
    page.screenshot(path=screenshot_dir / "basin_map_explore.png")


#: "#n · ln L = v" of every legend entry of the map and every panel title of the gallery.
NUMBERED_JS = """([map, gallery]) => {
  const pick = s => {
    const m = /^#(\\d+) · ln L = (-?[\\d,.]+)/.exec(s || '');
    return m && [+m[1], m[2]];
  };
  const mapped = document.querySelector(map)._fullData.filter(t => t.showlegend !== false)
    .map(t => t.name);
  const titles = (document.querySelector(gallery)._fullLayout.annotations || []).map(a => a.text);
  return {names: mapped, legend: mapped.map(pick).filter(Boolean),
          gallery: titles.map(pick).filter(Boolean)};
}"""


def test_the_map_in_japanese_numbers_optima_as_the_gallery_and_marks_the_degenerate(
    page: Page,
    wait_for_app: Callable[..., None],
    assert_app_ok: Callable[[Page], None],
    screenshot_dir: Path,
) -> None:
    open_restarts(page, "rs_m=10&lang=ja", wait_for_app)
    page.get_by_role("button", name="ベイスン・マップを描く").click()
    map_drawn(page, wait_for_app, assert_app_ok, screenshot_dir / "basin_map_ja.png")

    seen = page.evaluate(NUMBERED_JS, [MAP, GALLERY])
    names = seen["names"]
    assert "固定した初期平均" in names and "成分 1 の元の開始点" in names
    assert "⚠ ほぼ退化（斜線）" in names  # this data's map has near-degenerate optima
    assert any(n.endswith(" セル · ⚠") or " セル · 新規 · ⚠" in n for n in names)
    assert "fixed starting means" not in names
    # An optimum the gallery shows has the same number and ln L on the map.
    gallery = dict(seen["gallery"])
    shared = [(n, ll) for n, ll in seen["legend"] if n in gallery]
    assert shared and all(gallery[n] == ll for n, ll in shared)
    assert seen["legend"][0][0] == 1  # the gallery's best is reached from some cell
