"""The singularity, variational Bayes and two-coins labs step in the browser.

Each journey steps with the buttons, the keys (→ ← P Home), the timeline and Play, and after
every move checks that every linked figure and number shows the same position: read from
the stepper's root (``data-position``), its big numbers, status line and table, and Plotly's
own state of each chart (``gd._fullData``). The expected values come from the engine, run
here with the labs' default settings. Screenshots go to artifacts/screenshots/stepping-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import stepper_page
from playwright.sync_api import Locator, Page
from stepper_page import (
    ROOT,
    TIMEOUT_MS,
    count_script_runs,
    follows_link,
    key,
    keys,
    metric_px,
    open_stepper,
    play_and_pause,
    press,
    script_runs,
    scrub,
    shared_link,
)

from emviz.data.synthetic import SINGULARITY_TRAP_COLLAPSE, make_preset
from emviz.engine.coins import TOSSES_DEFAULT, CoinState, parse_sets, run_coins
from emviz.engine.em import initialize
from emviz.engine.remedies import REMEDIES
from emviz.engine.vbgmm import default_prior, run_vb, vb_initialize
from emviz.figures.theory import OKABE_ITO_TEN_HEX, determinants

#: What the stepper shows: its state, status line, big numbers, table and end box.
STATE = """() => {
  const root = document.querySelector('[data-testid="emvizStepper"]');
  const metrics = {};
  for (const m of root.querySelectorAll('.emv-metric')) {
    metrics[m.dataset.metric] = m.querySelector('.emv-metric-value').textContent;
  }
  const rows = Array.from(root.querySelectorAll('.emv-table tbody tr'))
    .map(tr => Array.from(tr.children).map(td => td.textContent));
  const end = root.querySelector('.emv-box:not([hidden])');
  return {
    ...root.dataset, metrics, rows,
    title: root.querySelector('.emv-title strong').textContent,
    table: root.querySelector('.emv-table-title')?.textContent ?? '',
    end: end ? end.textContent : '',
  };
}"""

#: Plotly's own state of a chart of the stepper: every trace as drawn; then the marks the
#: stepper draws over it (by their name; unnamed, the cursor, "cursor", and the rings,
#: "shown"), with how many of their points are on screen, and for bars each rect's size in
#: px and its tooltip.
CHART = """(id) => {
  const gd = document.querySelector(`[data-testid="emvizStepper"] .emv-chart[data-chart="${id}"]`);
  const list = (a) => (a ? Array.from(a, (v) => (v === null ? NaN : v)) : []);
  const marks = Array.from(gd.querySelectorAll('.emv-marks [data-mark]'), (m) => ({
    name: m.dataset.name || ['cursor', 'shown'][Number(m.dataset.mark)], mark: true,
    x: JSON.parse(m.dataset.x), y: JSON.parse(m.dataset.y),
    drawn: m.tagName === 'path' ? (m.getAttribute('d').match(/[ML]/g) || []).length
                                : m.childNodes.length,
    rects: Array.from(m.querySelectorAll('rect'), (r) => ({
      width: Number(r.getAttribute('width')), title: r.textContent,
      text: r.nextSibling ? r.nextSibling.textContent : ''}))}));
  return {
    traces: gd._fullData.map(t => ({name: t.name, x: list(t.x), y: list(t.y),
      color: t.line ? t.line.color : null, dash: t.line ? t.line.dash : null,
      showlegend: t.showlegend, visible: t.visible})).concat(marks),
    xrange: gd._fullLayout.xaxis.range, yrange: gd._fullLayout.yaxis.range,
    ytype: gd._fullLayout.yaxis.type,
  };
}"""


def state(page: Page) -> dict:
    return page.evaluate(STATE)


def chart(page: Page, chart_id: str) -> dict:
    return page.evaluate(CHART, chart_id)


def trace(c: dict, name: str) -> dict:
    return next(t for t in c["traces"] if t["name"] == name)


def mark(c: dict, name: str) -> dict:
    """The marks called ``name`` that the stepper draws over the chart (not Plotly's trace
    of the same name, which keeps its legend entry)."""
    return next(t for t in c["traces"] if t.get("mark") and t["name"] == name)


def at(page: Page, h: int) -> dict:
    """Wait until the stepper shows position ``h`` and has drawn it; then what it shows."""
    return stepper_page.at(page, h, STATE)


def step_keys_and_scrub(page: Page, to: int, in_sync: Callable[[int], object]) -> None:
    """Step (button) to 1, → to 2, ← back to 1, then the timeline to ``to``; ``in_sync(h)``
    after each move checks everything shows position ``h``."""
    press(page, "Step")
    in_sync(1)
    keys(page, [("ArrowRight", 2), ("ArrowLeft", 1)], in_sync)
    scrub(page, to)
    in_sync(to)


def play_link_and_home(page: Page, beyond: int, name: str,
                       in_sync: Callable[[int], object]) -> None:
    """Play until past ``beyond`` and pause: ``in_sync(h)`` there, the address bar follows
    (``name=h``); then Home and ``in_sync(0)``."""
    h = play_and_pause(page, beyond, settle_ms=500)
    in_sync(h)
    follows_link(page, name, h, timeout=60_000)
    key(page, "Home")
    in_sync(0)


def hide_the_future(page: Page) -> None:
    """Toggle the stepper's "Hide the future" switch."""
    page.locator(ROOT).get_by_text("Hide the future").click()


@pytest.fixture
def open_lab(page: Page, wait_for_app: Callable[..., None],
             wait_for_stepper: Callable[..., Locator],
             assert_app_ok: Callable[[Page], None]) -> Callable[[str], Page]:
    def go(path: str) -> Page:
        open_stepper(page, path, wait_for_app, wait_for_stepper, {"width": 1400, "height": 1600})
        assert_app_ok(page)
        return page
    return go


# --- singularities -------------------------------------------------------------------------------
def _trap_runs() -> dict:
    X = make_preset("singularity_trap", 0).X
    k, method, seed = SINGULARITY_TRAP_COLLAPSE
    init = initialize(X, k, method, seed, "full", 0.0)
    return {r: REMEDIES[r](X, init, "full", 150, 1e-6) for r in ("none", "reseed")}


def _singularity_in_sync(page: Page, run, h: int) -> dict:
    s = at(page, h)
    ll = run.log_likelihood[h]
    assert s["title"] == ("Start (iteration 0)" if h == 0 else f"Iteration {h}")
    assert s["metrics"]["ll"] == (f"{ll:,.3f}" if np.isfinite(ll) else "+∞")
    k = int(np.argmin(determinants(run)[h]))
    assert s["metrics"]["min_det"].endswith(f"(k = {k + 1})")
    means = trace(chart(page, "mixture"), "means")
    np.testing.assert_allclose(np.column_stack([means["x"], means["y"]]), run.params[h].means,
                               rtol=1e-5, atol=1e-5)
    for chart_id in ("det", "loglik"):
        c = chart(page, chart_id)
        assert trace(c, "cursor")["x"] == [h, h], chart_id
        assert trace(c, "cursor")["drawn"] == 2, chart_id
        assert set(trace(c, "shown")["x"]) == {h}, chart_id
        assert trace(c, "shown")["drawn"] >= 1, chart_id
    rings = trace(chart(page, "det"), "shown")["y"]
    np.testing.assert_allclose(rings, np.maximum(determinants(run)[h], np.finfo(float).tiny),
                               rtol=1e-9)
    return s


def test_singularity_iterations_det_and_loglik_move_together(
        open_lab, assert_app_ok, screenshot_dir: Path) -> None:
    runs = _trap_runs()
    run = runs["none"]
    last = run.n_iter
    page = open_lab("/singularity")
    s = _singularity_in_sync(page, run, last)  # opens on the collapse, and says so
    assert "Collapse detected" in s["end"] and "component 4" in s["end"]
    page.screenshot(path=screenshot_dir / "stepping-singularity-end.png")

    key(page, "Home")
    s = _singularity_in_sync(page, run, 0)
    assert not s["end"]
    step_keys_and_scrub(page, 7, lambda h: _singularity_in_sync(page, run, h))
    play_link_and_home(page, 9, "sing_it", lambda h: _singularity_in_sync(page, run, h))

    # Hide the future: the det axis (log) and ℓ show only what was revealed
    hide_the_future(page)
    for _ in range(4):
        key(page, "ArrowRight")
    _singularity_in_sync(page, run, 4)
    det = chart(page, "det")
    assert max(max(t["x"]) for t in det["traces"][:4]) == 4
    shown = np.concatenate([t["y"] for t in det["traces"][:4]])
    lo, hi = det["yrange"]
    assert det["ytype"] == "log" and lo <= np.log10(shown.min()) and hi >= np.log10(shown.max())
    assert lo > np.log10(np.finfo(float).tiny) + 100  # not the collapse's 10^-300 yet
    page.screenshot(path=screenshot_dir / "stepping-singularity-hidden.png")
    hide_the_future(page)  # show everything again

    # another remedy: its own run, which does not collapse
    page.get_by_text("Re-seed the component", exact=True).click()
    page.wait_for_function(
        f"() => document.querySelector('{ROOT}')?.dataset.n === '{runs['reseed'].n_iter + 1}'",
        timeout=TIMEOUT_MS)
    s = _singularity_in_sync(page, runs["reseed"], runs["reseed"].n_iter)  # a new run: its end
    assert "prevents the collapse" in s["end"]
    assert_app_ok(page)


# --- variational Bayes ---------------------------------------------------------------------------
def _vb_run():
    X = make_preset("well_separated", 0).X
    prior = default_prior(X, 10, weight_concentration=0.01)
    init, resp = vb_initialize(X, 10, "kmeans++", 0, prior, 0.0)
    return run_vb(X, init, prior, 300, 1e-6, 0.0, init_resp=resp)


def _ellipses(page: Page) -> list[dict]:
    """The scatter's component ellipses, in component order."""
    return [t for t in chart(page, "mixture")["traces"]
            if t["name"] and t["name"].startswith("k = ")]


def _vb_in_sync(page: Page, run, h: int) -> dict:
    s = at(page, h)
    alive = run.active_mask(1e-2)[h]
    assert s["metrics"]["alive"] == f"{alive.sum()} / 10"
    assert s["metrics"]["elbo"] == f"{run.elbo[h]:,.2f}"
    drawn = [not np.isnan(e["x"]).all() for e in _ellipses(page)]
    assert drawn == alive.tolist()  # the scatter draws the live components, no others
    weights = chart(page, "weights")
    assert trace(weights, "cursor")["x"] == [h, h]
    np.testing.assert_allclose(trace(weights, "shown")["y"],
                               np.maximum(run.expected_weights[h], 1e-12), rtol=1e-6)
    # a line's style follows once stepping pauses
    dashes = ["solid" if a else "dot" for a in alive]
    page.wait_for_function(
        """(dashes) => Array.from(document.querySelector('.emv-chart[data-chart="weights"]')
             ._fullData.slice(0, dashes.length), (t) => t.line.dash).join() === dashes.join()""",
        arg=dashes, timeout=10_000)
    ring = trace(chart(page, "elbo"), "shown")
    assert ring["x"] == [h] and ring["y"][0] == pytest.approx(run.elbo[h])
    return s


def _legend_agrees(page: Page, run) -> None:
    """Both charts call component j "k = j + 1" in the same colour, ten colours for ten."""
    page.wait_for_timeout(700)  # the scatter's legend follows once stepping pauses
    ellipses = _ellipses(page)
    weights = chart(page, "weights")["traces"][:10]
    assert len(ellipses) == len(weights) == 10
    assert len({t["color"] for t in weights}) == 10
    for j, (e, w) in enumerate(zip(ellipses, weights, strict=True)):
        assert e["name"].startswith(f"k = {j + 1} (π = ") and w["name"] == f"k = {j + 1}"
        assert e["color"] == w["color"] == OKABE_ITO_TEN_HEX[j]
    h = int(state(page)["position"])
    legend = [e["name"].split(" (")[0] for e in ellipses if e["showlegend"]]
    assert legend == [f"k = {j + 1}" for j in np.flatnonzero(run.active_mask(1e-2)[h])]


def test_vb_scatter_weights_and_elbo_move_together_and_agree_on_components(
        open_lab, assert_app_ok, wait_for_app, screenshot_dir: Path) -> None:
    run = _vb_run()
    page = open_lab("/vbgmm")
    s = _vb_in_sync(page, run, run.n_iter)
    assert "3 of 10 components survive" in s["end"]
    _legend_agrees(page, run)
    page.screenshot(path=screenshot_dir / "stepping-vbgmm-end.png")
    key(page, "Home")
    _vb_in_sync(page, run, 0)
    _legend_agrees(page, run)
    step_keys_and_scrub(page, 9, lambda h: _vb_in_sync(page, run, h))
    _legend_agrees(page, run)
    page.screenshot(path=screenshot_dir / "stepping-vbgmm-9.png")
    count_script_runs(page)
    h = play_and_pause(page, 11, settle_ms=500)
    _vb_in_sync(page, run, h)
    follows_link(page, "vb_it", h, timeout=60_000)
    assert script_runs(page) == 0  # stepping costs no script run
    # reaching for the share box tells Python where the stepper is: the link carries it
    assert shared_link(page, wait_for_app)["vb_it"] == [str(h)]
    _vb_in_sync(page, run, h)  # and the whole page's rerun leaves the stepper where it was
    assert_app_ok(page)


# --- the two coins -------------------------------------------------------------------------------
def _coins_in_sync(page: Page, run, h: int) -> dict:
    s = at(page, h)
    state_ = h if h % 2 == 0 else h - 1
    state_ //= 2
    assert s["metrics"]["theta_a"] == f"{run.thetas[state_, 0]:.2f}"
    assert s["metrics"]["theta_b"] == f"{run.thetas[state_, 1]:.2f}"
    assert s["metrics"]["ll"] == f"{run.log_likelihood[state_]:.4f}"
    kind = "Start" if h == 0 else ("E-step" if h % 2 else "M-step")
    assert s["title"].startswith(f"Soft EM · {kind}")
    total = s["rows"][-1]
    if h == 0:
        assert s["table"].startswith("The sets") and total[6] == ""
    else:
        e = run.e_steps[(h + 1) // 2 - 1]
        assert s["table"].startswith(f"E-step {(h + 1) // 2}:")
        assert total[6:] == [f"{e.totals[c]:.2f}" for c in
                             ("heads_a", "tails_a", "heads_b", "tails_b")]
        post = chart(page, "posterior")
        a, b = mark(post, "P(A | set)"), mark(post, "P(B | set)")
        np.testing.assert_allclose(a["x"], e.p_a)
        np.testing.assert_allclose(b["x"], e.p_b)
        # drawn: A and B fill each row of the [0, 1] axis in proportion, with the value on
        # each bar and in its hover
        aw, bw = (np.array([r["width"] for r in bar["rects"]]) for bar in (a, b))
        np.testing.assert_allclose(aw / (aw + bw), e.p_a, atol=0.01)
        assert [r["text"] for r in a["rects"]] == [f"{v:.2f}" for v in e.p_a]
        assert a["rects"][0]["title"] == f"set 1: {e.p_a[0]:.4f}"
    theta = chart(page, "theta")
    assert trace(theta, "cursor")["x"] == [h / 2, h / 2]
    np.testing.assert_allclose(trace(theta, "shown")["y"], run.thetas[state_])
    return s


def test_coins_e_step_m_step_step_and_the_table_move_together(
        open_lab, assert_app_ok, screenshot_dir: Path) -> None:
    h_, t_ = parse_sets(TOSSES_DEFAULT)
    run = run_coins(h_, t_, CoinState(0.6, 0.5), 10)
    page = open_lab("/coins")
    _coins_in_sync(page, run, 0)
    press(page, "E-step")
    s = _coins_in_sync(page, run, 1)
    assert s["rows"][-1][6] == "21.30"  # the paper's figure 1b
    press(page, "M-step")
    s = _coins_in_sync(page, run, 2)
    assert (s["metrics"]["theta_a"], s["metrics"]["theta_b"]) == ("0.71", "0.58")
    press(page, "Step")
    _coins_in_sync(page, run, 4)
    keys(page, [("ArrowRight", 5), ("ArrowLeft", 4)], lambda h: _coins_in_sync(page, run, h))
    page.screenshot(path=screenshot_dir / "stepping-coins-4.png")
    play_link_and_home(page, 6, "coins_pos", lambda h: _coins_in_sync(page, run, h))

    # Hide the future: θ is drawn only as far as stepped; its axis stays [0, 1]
    hide_the_future(page)
    press(page, "Step")
    _coins_in_sync(page, run, 2)
    theta = chart(page, "theta")
    assert max(max(t["x"]) for t in theta["traces"][:4]) == 1
    assert theta["yrange"] == [0, 1]
    assert not state(page)["end"]
    hide_the_future(page)

    press(page, "Run 10 iterations")
    s = _coins_in_sync(page, run, 20)
    assert (s["metrics"]["theta_a"], s["metrics"]["theta_b"]) == ("0.80", "0.52")
    assert "the paper: 0.80, 0.52" in s["end"]
    page.screenshot(path=screenshot_dir / "stepping-coins-end.png")
    assert_app_ok(page)


# --- presenter mode ------------------------------------------------------------------------------
def test_presenter_mode_keeps_the_big_numbers_big(
        open_lab, page: Page, wait_for_app, screenshot_dir: Path) -> None:
    sizes = {}
    for path in ("singularity", "vbgmm", "coins"):
        open_lab(f"/{path}?presenter=1")
        page.set_viewport_size({"width": 1920, "height": 1080})
        sizes[path] = metric_px(page)
        page.screenshot(path=screenshot_dir / f"stepping-{path}-presenter.png")
    assert all(len(v) >= 2 and min(v) >= 36 for v in sizes.values()), sizes
    # and Streamlit's own st.metric, on the labs that still draw one
    measured = []
    for path in ("elbo", "kmeans"):
        page.goto(f"/{path}?presenter=1")
        wait_for_app(page)
        values = page.locator('[data-testid="stMetricValue"]')
        if values.count():
            values.first.wait_for(state="visible", timeout=TIMEOUT_MS)
            measured += page.evaluate("""() => Array.from(document.querySelectorAll(
                '[data-testid="stMetricValue"], [data-testid="stMetricValue"] *'),
                e => parseFloat(getComputedStyle(e).fontSize))""")
    assert all(v >= 36 for v in measured), measured
