"""The Explore stepper in a real browser: stepping, keys, Play, hover, edits, 1D/2D/3D.

Few tests, each a real journey; screenshots go to artifacts/screenshots/explore-*.png.
Everything is read from what the browser shows: the stepper's status line and table, and
Plotly's own state of its charts (``gd._fullLayout``, ``gd._fullData``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import stepper_page
from playwright.sync_api import Locator, Page, expect
from stepper_page import (
    ROOT,
    TIMEOUT_MS,
    count_script_runs,
    follows_link,
    keys,
    open_stepper,
    play_and_pause,
    press,
    script_runs,
    scrub,
    trace_xy,
    wait_for_new_payload,
)

from emviz.data.synthetic import make_preset
from emviz.engine.em import e_step, initialize

#: The stepper's state as it mirrors it on its root, plus what its charts show.
STATE = """() => {
  const root = document.querySelector('[data-testid="emvizStepper"]');
  const ll = root.querySelector('.emv-chart[data-chart="loglik"]');
  const rows = Array.from(root.querySelectorAll('.emv-table tbody tr'))
    .map(tr => Array.from(tr.children).map(td => td.textContent));
  return {
    ...root.dataset,
    title: root.querySelector('.emv-title strong').textContent,
    line: root.querySelector('.emv-title').textContent,
    caption: root.querySelector('.emv-caption').textContent,
    table: root.querySelector('.emv-table-title')?.textContent ?? '',
    rows,
    cursor: ll ? ll._fullData.find(t => t.name === 'cursor').x[0] : null,
    ring: ll ? ll._fullData.find(t => t.name === 'shown').x[0] : null,
    curve: ll ? ll._fullData[0].x.length : null,
    end: root.querySelector('.emv-box:not([hidden])') ?
         root.querySelector('.emv-box:not([hidden])').textContent : '',
  };
}"""


#: The Explore stepper's scatter (its chart of the data and the mixture).
MIXTURE = f'{ROOT} .emv-chart[data-chart="mixture"]'


def state(page: Page) -> dict:
    return page.evaluate(STATE)


def at(page: Page, h: int) -> dict:
    """Wait until the stepper shows half-step ``h``, then what it shows."""
    return stepper_page.at(page, h, STATE)


def in_sync(s: dict, h: int) -> None:
    """Status, table, likelihood cursor and ring all at half-step ``h``."""
    kind = "Initialisation" if h == 0 else ("E-step" if h % 2 else "M-step")
    assert s["title"] == f"Iteration {(h + 1) // 2} · {kind}", s["title"]
    assert s["table"].startswith(f"Parameters at half-step {h} "), s["table"]
    assert s["cursor"] == h / 2
    assert s["ring"] == (0 if h == 0 else (h // 2 if h % 2 == 0 else (h + 1) // 2 - 1))


def painted(page: Page) -> int:
    """Opaque pixels on the stepper's point canvas."""
    return page.evaluate(f"""() => {{
        const c = document.querySelector('{ROOT} canvas.emv-points');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n; }}""")


@pytest.fixture
def explore(app_page: Page, wait_for_stepper: Callable[..., Locator],
            assert_app_ok: Callable[[Page], None]) -> Page:
    assert_app_ok(app_page)
    wait_for_stepper(app_page, timeout=TIMEOUT_MS)
    return app_page


# --- journeys --------------------------------------------------------------------------
def test_step_back_keys_timeline_and_play_move_everything_together(
        explore: Page, assert_app_ok, screenshot_dir: Path) -> None:
    page = explore
    s = at(page, 0)
    in_sync(s, 0)
    assert painted(page) > 1000  # the points are on the canvas under the ellipses
    count_script_runs(page)
    page.screenshot(path=screenshot_dir / "explore-1-default.png")

    press(page, "Step")
    in_sync(at(page, 2), 2)
    press(page, "E-step")
    s = at(page, 3)
    in_sync(s, 3)
    assert "ΔLL" not in s["line"] and "ARI" in s["line"]
    press(page, "M-step")
    in_sync(at(page, 4), 4)
    press(page, "◀ Back")
    in_sync(at(page, 3), 3)
    page.screenshot(path=screenshot_dir / "explore-2-e-step.png")

    # the lecturer's keys: → next half-step, ← back, Home reset, P play / pause
    keys(page, [("ArrowRight", 4), ("ArrowLeft", 3), ("Home", 0)],
         lambda h: in_sync(at(page, h), h))

    # the timeline slider scrubs
    scrub(page, 6)
    in_sync(at(page, 6), 6)

    # Play runs by itself and keeps everything in step; P pauses it
    h = play_and_pause(page, 8)
    s = state(page)
    in_sync(s, h)
    # the link follows where stepping paused, written by the browser: no script run
    follows_link(page, "step", h)
    assert script_runs(page) == 0
    assert_app_ok(page)

    press(page, "Run")
    s = at(page, int(s["n"]) - 1)
    assert "Converged" in s["end"] or "max_iter" in s["end"]
    page.screenshot(path=screenshot_dir / "explore-3-end.png")
    # reaching for the downloads tells Python where the stepper is first
    last = int(s["n"]) - 1
    page.get_by_test_id("stExpander").filter(has_text="Download").first.get_by_text(
        "Download", exact=True).click()
    expect(page.get_by_text(f"Parameters at half-step {last}", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Parameters (JSON)")).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        page.get_by_role("button", name="Parameters (JSON)").click()
    assert info.value.suggested_filename.endswith(f"_h{last}.json")


def test_hover_shows_a_points_responsibilities(explore: Page) -> None:
    page = explore
    ds = make_preset("overlapping", seed=0)
    start = initialize(ds.X, 3, "random_from_data", 0)  # the page's default start
    press(page, "Step")
    at(page, 2)
    # the responsibilities shown at h = 2 are those of the E-step of iteration 1
    resp = e_step(ds.X, start).resp
    i = int(np.argmax(ds.X[:, 0]))  # the right-most point: nothing sits on top of it
    x, y = ds.X[i]
    box = page.evaluate(f"""() => {{
        const gd = document.querySelector('{MIXTURE}');
        const fl = gd._fullLayout, r = gd.querySelector('canvas.emv-points')
            .getBoundingClientRect();
        return [r.left + fl.xaxis.l2p({x}), r.top + fl.yaxis.l2p({y})]; }}""")
    page.mouse.move(box[0], box[1])
    tip = page.locator(f"{ROOT} .emv-tooltip")
    expect(tip).to_be_visible(timeout=10_000)
    text = tip.inner_text()
    for k in range(3):
        assert f"k = {k + 1}: {resp[i, k]:.2f}" in text, text


def test_predict_then_reveal_hides_the_future(explore: Page, screenshot_dir: Path) -> None:
    page = explore
    full = at(page, 0)["curve"]
    assert full > 3
    page.locator(f"{ROOT} .emv-predict input").check()
    s = at(page, 0)
    assert s["curve"] == 1 and " of " not in s["line"]
    press(page, "Step")
    press(page, "Step")
    s = at(page, 4)
    assert s["curve"] == 3  # iterations 0, 1, 2: no further
    page.screenshot(path=screenshot_dir / "explore-4-predict.png")
    press(page, "◀ Back")
    assert at(page, 3)["curve"] == 3  # what was reached stays revealed
    page.locator(f"{ROOT} .emv-predict input").uncheck()
    assert at(page, 3)["curve"] == full


def test_add_remove_and_drag_rerun_em_once_per_edit(explore: Page, wait_for_app,
                                                    assert_app_ok, screenshot_dir: Path) -> None:
    page = explore
    first = state(page)
    n = 600
    chart = page.locator(f"{ROOT} .emv-chart[data-chart='mixture'] canvas.emv-points")
    box = chart.bounding_box()

    def click_at(fx: float, fy: float, **kw) -> None:
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"], **kw)

    click_at(0.95, 0.05)
    page.wait_for_timeout(400)  # the double-click window, then the point is drawn
    click_at(0.9, 0.1)
    wait_for_new_payload(page, first["payload"])
    wait_for_app(page)
    second = state(page)
    assert page.get_by_text("2 point(s) added, 0 removed").is_visible()
    # one rerun for both clicks: the run changed once
    assert int(second["rendered"]) >= 1 and second["payload"] != first["payload"]
    assert "set by hand" in second["caption"]  # EM reran from the same start, kept by hand

    # Shift+click removes the nearest point: one of those just added
    page.keyboard.down("Shift")
    click_at(0.9, 0.1)
    page.keyboard.up("Shift")
    wait_for_new_payload(page, second["payload"])
    wait_for_app(page)
    assert page.get_by_text("1 point(s) added, 0 removed").is_visible()
    third = state(page)
    third["mean0"] = trace_xy(page, MIXTURE, "means")[0][0]

    # drag the first mean at half-step 0: EM starts from where it is dropped
    mean = page.evaluate(f"""() => {{
        const gd = document.querySelector('{MIXTURE}');
        const t = gd._fullData.find(d => d.name === 'means');
        const r = gd.querySelector('canvas.emv-points').getBoundingClientRect();
        return [r.left + gd._fullLayout.xaxis.l2p(t.x[0]),
                r.top + gd._fullLayout.yaxis.l2p(t.y[0])]; }}""")
    page.mouse.move(mean[0], mean[1])
    page.mouse.down()
    page.mouse.move(mean[0] + 60, mean[1] + 30, steps=5)
    page.mouse.up()
    wait_for_new_payload(page, third["payload"])
    wait_for_app(page)
    at(page, 0)
    moved = trace_xy(page, MIXTURE, "means")[0][0]
    assert moved != pytest.approx(third["mean0"], abs=1e-9)  # the new run starts where dropped
    assert page.get_by_text("init_params = manual", exact=False).first.is_visible()
    page.screenshot(path=screenshot_dir / "explore-5-edited.png")
    page.get_by_role("button", name="Undo edits").click()
    wait_for_app(page)
    page.wait_for_function(f"() => document.querySelector('{ROOT}')?.dataset.payload === "
                           f"'{first['payload']}'", timeout=60_000)
    assert_app_ok(page)
    assert n == 600


def test_draw_your_own_data(page: Page, wait_for_app, wait_for_stepper,
                            screenshot_dir: Path) -> None:
    open_stepper(page, "/?src=synthetic&scenario=draw&k=2", wait_for_app, wait_for_stepper)
    assert "at least 2 distinct points" in state(page)["line"]
    box = page.locator(f"{ROOT} canvas.emv-points").bounding_box()
    spots = [(0.2, 0.2), (0.25, 0.3), (0.3, 0.2), (0.7, 0.7), (0.75, 0.8), (0.8, 0.7)]
    for fx, fy in spots:
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        page.wait_for_timeout(350)
    page.wait_for_function(f"() => Number(document.querySelector('{ROOT}')?.dataset.n) > 1",
                           timeout=60_000)
    wait_for_app(page)
    press(page, "Run")
    s = state(page)
    assert s["end"] and s["position"] == str(int(s["n"]) - 1)
    page.screenshot(path=screenshot_dir / "explore-6-drawn.png")


def test_upload_a_csv(explore: Page, wait_for_app, wait_for_stepper, assert_app_ok,
                      screenshot_dir: Path, tmp_path: Path) -> None:
    page = explore
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (150, 2)), rng.normal((5, 3), 0.7, (150, 2))])
    rows = "\n".join(f"{a:.4f},{b:.4f},{'left' if i < 150 else 'right'}"
                     for i, (a, b) in enumerate(X))
    csv = tmp_path / "two_blobs.csv"
    csv.write_text("length,width,group\n" + rows + "\n")
    before = state(page)["payload"]
    page.get_by_text("Upload CSV", exact=True).click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(csv)
    wait_for_app(page)
    wait_for_new_payload(page, before, timeout=TIMEOUT_MS)
    assert_app_ok(page)
    expect(page.get_by_text("two_blobs.csv", exact=False).first).to_be_visible()
    press(page, "Run")
    s = state(page)
    assert "ARI" in s["line"] and int(s["n"]) > 1
    page.screenshot(path=screenshot_dir / "explore-7-upload.png")


def test_1d_and_3d_step_in_the_browser(page: Page, wait_for_app, wait_for_stepper,
                                       assert_app_ok, screenshot_dir: Path) -> None:
    for dim in (1, 3):
        open_stepper(page, f"/?src=synthetic&scenario=custom&dim={dim}", wait_for_app,
                     wait_for_stepper)
        assert_app_ok(page)
        s = at(page, 0)
        assert s["title"].startswith("Iteration 0")
        if dim == 3:  # the camera the user chose survives stepping
            page.evaluate(f"""() => Plotly.relayout(document.querySelector(
                '{MIXTURE}'),
                {{'scene.camera.eye': {{x: 2.1, y: 0.3, z: 0.4}}}})""")
        press(page, "Step")
        in_sync(at(page, 2), 2)
        press(page, "E-step")
        s = at(page, 3)
        in_sync(s, 3)
        if dim == 1:
            assert "bands" in s["caption"]
        else:
            eye = page.evaluate(f"""() => document.querySelector(
                '{MIXTURE}')._fullLayout.scene.camera.eye""")
            assert eye == {"x": 2.1, "y": 0.3, "z": 0.4}
        page.screenshot(path=screenshot_dir / f"explore-8-{dim}d.png")


STEP_LABEL = {"en": "Step", "ja": "1 反復", "ru": "Итерация"}


@pytest.mark.parametrize("lang", ["en", "ja", "ru"])
def test_the_controls_speak_every_language_and_fit(page: Page, lang: str, wait_for_app,
                                                   wait_for_stepper, screenshot_dir: Path):
    page.goto(f"/?lang={lang}")
    wait_for_app(page)
    root = wait_for_stepper(page, timeout=TIMEOUT_MS)
    toolbar = root.locator(".emv-toolbar")
    expect(toolbar.get_by_role("button", name=STEP_LABEL[lang], exact=True)).to_be_visible()
    press(page, STEP_LABEL[lang])
    at(page, 2)
    cut = page.evaluate(f"""() => Array.from(document.querySelectorAll(
        '{ROOT} .emv-toolbar button, {ROOT} .emv-toolbar label'))
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)""")
    assert cut == []
    toolbar.screenshot(path=screenshot_dir / f"explore-buttons-{lang}.png")
    root.screenshot(path=screenshot_dir / f"explore-9-{lang}.png")
