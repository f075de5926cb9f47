"""The k-means vs GMM and lower-bound labs step in the browser: every linked figure and
number follows the position, the keys work, links open where they point, and the big
numbers stay big on a projector.

Everything is read from what the browser shows (the stepper's status line and metrics, and
Plotly's own state of its charts, ``gd._fullData``) and compared with the engine's run.
Screenshots go to artifacts/screenshots/labs-stepping-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import stepper_page
from playwright.sync_api import Locator, Page
from stepper_page import (
    count_script_runs,
    follows_link,
    key,
    keys,
    metric_px,
    open_stepper,
    play_and_pause,
    press,
    query,
    script_runs,
    shared_link,
    wait_for_new_payload,
)

from emviz.data.synthetic import adjusted_rand_index, make_preset
from emviz.engine.em import e_step, initialize, run_em
from emviz.engine.kmeans import initial_centers, kmeans_run
from emviz.figures.theory import bar_segments, bound_at
from emviz.numbers import sig
from emviz.ui.labs.kmeans_vs_gmm import gmm_start

#: What the stepper shows: its state, status line, big numbers, each chart's traces, the
#: marks the stepper draws over it (bars: each rect's height in px and its text; axes: their
#: tick labels and title; notes: their text), and Plotly's own x tick labels.
STATE = """() => {
  const root = document.querySelector('[data-testid="emvizStepper"]');
  const charts = {};
  const marks = {};
  const ticks = {};
  const axes = {};
  const notes = {};
  for (const gd of root.querySelectorAll('.emv-chart')) {
    const id = gd.dataset.chart;
    charts[id] = gd._fullData.map(t => ({
      name: t.name, visible: t.visible, x: Array.from(t.x || [], v => v),
      y: Array.from(t.y || [], v => v)}));
    marks[id] = {};
    axes[id] = {};
    notes[id] = {};
    for (const m of gd.querySelectorAll('.emv-marks [data-name]')) {
      marks[id][m.dataset.name] = {x: JSON.parse(m.dataset.x), y: JSON.parse(m.dataset.y),
        heights: Array.from(m.querySelectorAll('rect'), r => Number(r.getAttribute('height'))),
        text: Array.from(m.querySelectorAll('text'), t => t.textContent)};
      if (m.dataset.type === 'axis') {
        axes[id][m.dataset.name] = {
          labels: Array.from(m.querySelectorAll(':scope > g > text'), t => t.textContent)
            .filter(t => t),
          title: m.querySelector(':scope > text').textContent};
      }
      if (m.dataset.type === 'label') notes[id][m.dataset.name] = m.textContent;
    }
    ticks[id] = Array.from(gd.querySelectorAll('.xtick text'), t => t.textContent);
  }
  const metrics = {};
  for (const m of root.querySelectorAll('.emv-metric')) {
    metrics[m.dataset.metric] = m.querySelector('.emv-metric-value').textContent;
  }
  return {...root.dataset, charts, marks, ticks, axes, notes, metrics,
          title: root.querySelector('.emv-title strong').textContent,
          line: root.querySelector('.emv-title').textContent,
          caption: root.querySelector('.emv-caption').textContent};
}"""


def state(page: Page) -> dict:
    return page.evaluate(STATE)


def at(page: Page, h: int) -> dict:
    """Wait until the stepper shows position ``h`` (and one frame more), then what it shows."""
    return stepper_page.at(page, h, STATE)


def trace(s: dict, chart: str, name: str) -> np.ndarray:
    t = next(t for t in s["charts"][chart] if t["name"] == name)
    return np.column_stack([t["x"], t["y"]]).astype(float)


def link_says(page: Page, wait_for_app: Callable[..., None], name: str, h: int) -> None:
    """No script ran while stepping, and the address bar (written by the browser) says
    ``name=h``; reaching for the share box tells Python first, so its link says it too."""
    follows_link(page, name, h)
    assert script_runs(page) == 0
    shown = shared_link(page, wait_for_app)
    assert shown[name] == [str(h)], shown
    assert query(page)[name] == [str(h)]


def open_lab(page: Page, path: str, wait_for_app: Callable[..., None],
             wait_for_stepper: Callable[..., Locator]) -> None:
    open_stepper(page, path, wait_for_app, wait_for_stepper, {"width": 1400, "height": 1400})


# --- k-means vs GMM ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lockstep():
    """The lab's default run: unequal sizes, K = 3, full, k-means++ centres from seed 0."""
    ds = make_preset("unequal_sizes", 0)
    c0 = initial_centers(ds.X, 3, "kmeans++", 0)
    km = kmeans_run(ds.X, 3, init=c0, max_iter=100)
    gm = run_em(ds.X, gmm_start(ds.X, c0, 1e-6), "full", 1e-6, 100, 1e-4)
    return ds, km, gm


def kmeans_in_sync(s: dict, i: int, lockstep) -> None:
    """Both charts, both ARIs and the status line at iteration ``i``."""
    ds, km, gm = lockstep
    ik, ig = min(i, km.n_iter), min(i, gm.n_iter)
    last = max(km.n_iter, gm.n_iter)
    assert s["line"].endswith(f"iteration {i} of {last}"), s["line"]
    np.testing.assert_allclose(trace(s, "kmeans", "centres"), km.centers[ik], rtol=1e-5)
    np.testing.assert_allclose(trace(s, "gmm", "means"), gm.params[ig].means, rtol=1e-5)
    found = e_step(ds.X, gm.params[ig]).resp.argmax(axis=1)
    assert s["metrics"] == {
        "km_ari": f"{adjusted_rand_index(ds.labels, km.labels[ik]):.3f}",
        "em_ari": f"{adjusted_rand_index(ds.labels, found):.3f}"}
    done = i >= km.n_iter
    assert s["title"].startswith("k-means converged") == done, s["title"]


def test_kmeans_lab_steps_both_sides_together(page: Page, lockstep, wait_for_app,
                                              wait_for_stepper, assert_app_ok,
                                              screenshot_dir: Path) -> None:
    open_lab(page, "/kmeans", wait_for_app, wait_for_stepper)
    assert_app_ok(page)
    kmeans_in_sync(at(page, 0), 0, lockstep)
    count_script_runs(page)
    press(page, "Step")
    kmeans_in_sync(at(page, 1), 1, lockstep)
    press(page, "Step")
    kmeans_in_sync(at(page, 2), 2, lockstep)
    press(page, "◀ Back")
    kmeans_in_sync(at(page, 1), 1, lockstep)
    page.screenshot(path=screenshot_dir / "labs-stepping-kmeans.png")

    # the lecturer's keys, as on Explore
    keys(page, [("ArrowRight", 2), ("ArrowLeft", 1), ("Home", 0)],
         lambda h: kmeans_in_sync(at(page, h), h, lockstep))
    h = play_and_pause(page, 3)
    kmeans_in_sync(state(page), h, lockstep)
    link_says(page, wait_for_app, "km_iter", h)
    kmeans_in_sync(state(page), h, lockstep)  # the report's rerun leaves the stepper there

    _, km, gm = lockstep
    press(page, "Run")
    s = at(page, max(km.n_iter, gm.n_iter))
    kmeans_in_sync(s, int(s["position"]), lockstep)
    assert "EM converged" in s["title"]
    page.screenshot(path=screenshot_dir / "labs-stepping-kmeans-end.png")
    assert_app_ok(page)


def test_kmeans_new_init_and_a_link(page: Page, wait_for_app, wait_for_stepper,
                                    assert_app_ok) -> None:
    open_lab(page, "/kmeans?km_iter=5", wait_for_app, wait_for_stepper)
    s = at(page, 5)
    press(page, "New init")
    wait_for_new_payload(page, s["payload"])
    at(page, 0)  # new shared centres: back to the start
    follows_link(page, "km_seed", 1)
    assert_app_ok(page)


# --- the lower bound -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def elbo_run():
    """The lab's default: Explore's default data, K = 3, full, seed 0, reg_covar = 0."""
    X = make_preset("overlapping", 0).X
    return X, run_em(X, initialize(X, 3, "random_from_data", 0, "full", 0.0), "full", 0.0,
                     200, 1e-6)


def elbo_in_sync(s: dict, h: int, elbo_run) -> None:
    """The five numbers, the bars, the waterfall, the scatter and the status at ``h``."""
    X, tr = elbo_run
    p = bound_at(X, tr, h)
    hs = tr.half_step(h)
    assert s["title"] == {"init": "Start (iteration 0)", "E": f"E-step of iteration {(h + 1) // 2}",
                          "M": f"M-step of iteration {h // 2}"}[hs.kind]
    assert s["line"].endswith(f"half-step {h} of {tr.n_half_steps - 1}")
    m = s["metrics"]
    assert m["lnp"] == f"{p.log_likelihood:,.3f}"
    bars = s["marks"]["bound"]
    labels = ["init"] + [f"{'EM'[(j - 1) % 2]}{(j + 1) // 2}" for j in range(1, h + 1)]
    axes = s["axes"]["bound"]
    # the last nine half-steps under their bars, the current one last (Plotly draws no ticks)
    assert axes["xaxis"]["labels"] == labels[-9:] and s["ticks"]["bound"] == []
    assert [axes[a]["title"] for a in ("xaxis", "yaxis", "yaxis2")] == [
        "half-step", "nats above the baseline", "nats"]
    assert len(bars["L(q, θ)"]["heights"]) == len(labels[-9:])
    window = [bound_at(X, tr, j) for j in range(max(0, h - 8), h + 1)]
    notes = s["notes"]["bound"]
    assert notes["baseline note"].startswith(
        f"Bars start at a baseline of {bar_segments(window).baseline:,.2f} nats")
    waterfall = bars["waterfall"]
    no_q = notes["no q"] == "no q yet"
    if p.terms is None:
        assert m["kl"] == "—" and waterfall["heights"] == [] and no_q is True
        assert s["caption"].startswith("Start: ln p(X|θ)")
    else:
        t = p.terms
        assert (m["elbo"], m["q"], m["entropy"]) == (
            f"{t.elbo:,.3f}", f"{t.expected_complete:,.3f}", f"{t.entropy:,.3f}")
        assert m["kl"] == ("0" if hs.kind == "E" else sig(t.kl))
        assert no_q is False and len(waterfall["heights"]) == 5
        # every bar is drawn, however thin (KL is 0 after an E-step); one under a hundredth
        # of a pixel (a KL of 1e-8 nats next to ln p) has no height, as in Plotly
        tiny = 1e-3 * max(abs(v) for v in waterfall["y"])
        assert all(hgt > 0 for hgt, v in zip(waterfall["heights"], waterfall["y"], strict=True)
                   if abs(v) > tiny)
        np.testing.assert_allclose(waterfall["y"], [t.expected_complete, t.entropy, t.elbo,
                                                    t.kl, t.log_likelihood], rtol=1e-9)
        assert waterfall["text"][2] == f"{t.elbo:,.2f}"
        assert s["caption"].startswith(f"After the {hs.kind}-step")
    np.testing.assert_allclose(trace(s, "mixture", "means"), hs.params.means, rtol=1e-5)


def test_elbo_lab_follows_every_half_step(page: Page, elbo_run, wait_for_app,
                                          wait_for_stepper, assert_app_ok,
                                          screenshot_dir: Path) -> None:
    open_lab(page, "/elbo", wait_for_app, wait_for_stepper)
    assert_app_ok(page)
    elbo_in_sync(at(page, 1), 1, elbo_run)  # it opens on the first E-step
    count_script_runs(page)
    press(page, "M-step")
    s = at(page, 2)
    elbo_in_sync(s, 2, elbo_run)
    assert float(s["metrics"]["kl"]) > 0  # the M-step opens the KL gap
    page.screenshot(path=screenshot_dir / "labs-stepping-elbo-after-m.png")
    press(page, "E-step")
    elbo_in_sync(at(page, 3), 3, elbo_run)
    press(page, "Step")
    elbo_in_sync(at(page, 4), 4, elbo_run)
    for _ in range(4):
        press(page, "Step")
    elbo_in_sync(at(page, 12), 12, elbo_run)  # the bars' window slides
    keys(page, [("ArrowLeft", 11), ("ArrowRight", 12), ("Home", 0)],
         lambda h: elbo_in_sync(at(page, h), h, elbo_run))
    h = play_and_pause(page, 4)
    elbo_in_sync(state(page), h, elbo_run)
    link_says(page, wait_for_app, "elbo_pos", h)
    elbo_in_sync(state(page), h, elbo_run)
    assert_app_ok(page)


def test_elbo_link_opens_at_its_half_step(page: Page, elbo_run, wait_for_app,
                                          wait_for_stepper) -> None:
    open_lab(page, "/elbo?elbo_pos=6", wait_for_app, wait_for_stepper)
    elbo_in_sync(at(page, 6), 6, elbo_run)


#: Count the stepper's Plotly calls on the bound chart from now on (a Plotly of its own
#: whose drawing calls count those on that chart, then do what Plotly does).
COUNT_BOUND_CALLS = """() => {
  const stepper = window.__emvizActive;
  const bound = stepper.charts.find((c) => c.spec.id === 'bound').gd;
  const real = stepper.plotly;
  const plotly = Object.create(real);
  window.__boundCalls = [];
  for (const name of ['animate', 'update', 'relayout', 'restyle', 'react', 'newPlot']) {
    plotly[name] = (gd, ...rest) => {
      if (gd === bound) window.__boundCalls.push(name);
      return real[name](gd, ...rest);
    };
  }
  plotly.__real = real;
  stepper.plotly = plotly;
}"""

#: The tick labels Plotly itself would draw on the bound chart's value axes for what they
#: show now (the frame of the position, or the part of it zoomed in on): the same figure,
#: drawn off screen at the same size with those ranges and Plotly's automatic ticks. Tags
#: (a power of ten's <sup>) left out, as in the text the page shows.
PLOTLY_TICKS = """async () => {
  const stepper = window.__emvizActive;
  const plotly = stepper.plotly.__real || stepper.plotly;
  const chart = stepper.charts.find((c) => c.spec.id === 'bound');
  const fl = chart.gd._fullLayout;
  const frame = chart.marks.values.get(0).frame;
  const shown = (id) => {
    const home = chart.marks.home[id];
    const r = frame[id];
    return fl[id.replace('y', 'yaxis')].range.map(
      (c) => r[0] + ((c - home[0]) / (home[1] - home[0])) * (r[1] - r[0]));
  };
  const layout = JSON.parse(JSON.stringify(chart.spec.figure.layout));
  Object.assign(layout, { width: fl.width, height: fl.height });
  for (const id of ['y', 'y2']) {
    const name = id.replace('y', 'yaxis');
    layout[name] = { ...layout[name], range: shown(id), tickmode: 'auto' };
    delete layout[name].tickvals;
  }
  const div = document.createElement('div');
  div.style.cssText = 'position: absolute; left: -5000px; top: 0';
  document.body.appendChild(div);
  await plotly.newPlot(div, chart.gd.data, layout);
  const out = {};
  for (const id of ['y', 'y2']) {
    out[id.replace('y', 'yaxis')] = div._fullLayout[id.replace('y', 'yaxis')]._vals
      .map((v) => v.text.replace(/<[^>]*>/g, ''));
  }
  plotly.purge(div);
  div.remove();
  return out;
}"""

#: Each bar of the bound chart's L series and its half-step's label: the bar's centre (null
#: where no bar is drawn) and the label's x, in px.
BAR_CENTRES = """() => {
  const gd = document.querySelector('.emv-chart[data-chart="bound"]');
  const bars = Array.from(gd.querySelectorAll('.emv-marks [data-name="L(q, θ)"] rect'),
    (r) => (Number(r.getAttribute('width')) > 0  // none at the start: no L yet
      ? Number(r.getAttribute('x')) + Number(r.getAttribute('width')) / 2 : null));
  const labels = Array.from(gd.querySelectorAll('.emv-marks [data-name="xaxis"] > g > text'),
    (t) => Number(t.getAttribute('x')));
  return { bars, labels };
}"""


def value_axes(s: dict) -> dict:
    return {name: s["axes"]["bound"][name]["labels"] for name in ("yaxis", "yaxis2")}


def test_elbo_step_makes_no_plotly_call_on_the_bound_chart(
        page: Page, elbo_run, wait_for_app, wait_for_stepper, assert_app_ok,
        screenshot_dir: Path) -> None:
    """The bars, their axes and notes follow every half-step with no Plotly call on their
    chart; the value axes' labels are the ones Plotly would draw there, also zoomed in; a
    resize redraws them under their bars."""
    open_lab(page, "/elbo?elbo_pos=0", wait_for_app, wait_for_stepper)
    elbo_in_sync(at(page, 0), 0, elbo_run)
    page.evaluate(COUNT_BOUND_CALLS)
    for h in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12):
        key(page, "ArrowRight")
        s = at(page, h)
        elbo_in_sync(s, h, elbo_run)
        if h in (1, 2, 5, 12):
            assert value_axes(s) == page.evaluate(PLOTLY_TICKS), h
    press(page, "Run")
    last = elbo_run[1].n_half_steps - 1
    s = at(page, last)
    elbo_in_sync(s, last, elbo_run)
    assert value_axes(s) == page.evaluate(PLOTLY_TICKS)
    key(page, "Home")
    elbo_in_sync(at(page, 0), 0, elbo_run)
    assert page.evaluate("() => window.__boundCalls") == []

    # a zoom (Plotly's, as a drag would) moves the marks: bars twice as tall, finer ticks
    press(page, "Step")
    s = at(page, 2)
    before = s["marks"]["bound"]["L(q, θ)"]["heights"]
    page.evaluate("""() => window.__emvizActive.plotly.__real.relayout(
        document.querySelector('.emv-chart[data-chart="bound"]'), {'yaxis.range': [0, 0.5]})""")
    page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => r(true)))")
    zoomed = state(page)
    np.testing.assert_allclose(zoomed["marks"]["bound"]["L(q, θ)"]["heights"],
                               [min(2 * b, 282) for b in before], atol=2)
    assert value_axes(zoomed) == page.evaluate(PLOTLY_TICKS) != value_axes(s)
    # ln p of the current bar (the tallest) is above the zoomed range: hidden, as Plotly's
    assert zoomed["marks"]["bound"]["ln p(X|θ)"]["heights"] == [8, 8, 0]
    page.screenshot(path=screenshot_dir / "labs-stepping-elbo-zoomed.png")
    page.evaluate("""() => window.__emvizActive.plotly.__real.relayout(
        document.querySelector('.emv-chart[data-chart="bound"]'), {'yaxis.range': [0, 1]})""")
    page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => r(true)))")
    assert value_axes(state(page)) == value_axes(s)

    # a narrower window: the chart is redrawn narrower, each label still under its bar
    wide = page.evaluate(BAR_CENTRES)
    page.set_viewport_size({"width": 900, "height": 1400})
    page.wait_for_function("""(w) => {
      const gd = document.querySelector('.emv-chart[data-chart="bound"]');
      return gd._fullLayout.width < w;}""", arg=page.evaluate(
        "() => document.querySelector('.emv-chart[data-chart=\"bound\"]')._fullLayout.width"))
    page.wait_for_timeout(300)
    narrow = page.evaluate(BAR_CENTRES)
    assert narrow["bars"][-1] < wide["bars"][-1]
    drawn = [(b, x) for b, x in zip(narrow["bars"], narrow["labels"], strict=True)
             if b is not None]
    assert len(drawn) == 2  # after the E- and M-steps
    np.testing.assert_allclose(*zip(*drawn, strict=True), atol=1)
    elbo_in_sync(state(page), 2, elbo_run)
    assert value_axes(state(page)) == page.evaluate(PLOTLY_TICKS)
    assert page.evaluate("() => window.__boundCalls") == []
    assert_app_ok(page)


#: For each case [lo, hi, height, exponentformat]: the ticks Plotly draws on a plot's x and
#: y axes over [lo, hi], and those the stepper computes for the same axis (value, label).
TICKS_VS_PLOTLY = """async (cases) => {
  const stepper = window.__emvizActive;
  const plotly = stepper.plotly;
  const out = [];
  for (const [lo, hi, height, exponentformat] of cases) {
    const div = document.createElement('div');
    div.style.cssText = 'position: absolute; left: -5000px; top: 0';
    document.body.appendChild(div);
    const axis = { range: [lo, hi], exponentformat };
    await plotly.newPlot(div, [], { width: 2 * height, height, xaxis: axis, yaxis: axis,
      margin: { l: 80, r: 10, t: 10, b: 40 } });
    const fl = div._fullLayout;
    for (const id of ['x', 'y']) {
      const ax = fl[id + 'axis'];
      const mine = stepper.constructor.linearTicks(lo, hi, ax._length, id, {
        exponentformat: ax.exponentformat, minexponent: ax.minexponent,
        separators: fl.separators, separatethousands: ax.separatethousands });
      out.push({ case: [lo, hi, height, exponentformat, id],
        plotly: ax._vals.map((v) => [v.x, v.text]), mine: mine.map((t) => [t.v, t.text]) });
    }
    plotly.purge(div);
    div.remove();
  }
  return out;
}"""


def test_the_stepper_ticks_a_value_axis_as_plotly_does(page: Page, wait_for_app,
                                                       wait_for_stepper) -> None:
    """The ticks the stepper draws on a framed axis are Plotly's own, label for label:
    tiny and huge ranges (a power of ten taken out), negative ones, a range that ends just
    past a tick, several axis lengths and number formats."""
    open_lab(page, "/elbo", wait_for_app, wait_for_stepper)
    cases = [[0, 0.28, 400, "power"], [0, 24.3, 400, "power"], [-2119.5, 125.2, 400, "power"],
             [-2119.5, 125.2, 160, "power"], [-23456.7, 0, 400, "power"],
             [-1.5e5, 3e3, 700, "power"], [0, 3e-5, 400, "power"], [0, 3e-5, 400, "e"],
             [-0.001, 0.001, 300, "power"], [1e6, 1e6 + 5, 400, "power"],
             [0, 1.0000001, 400, "power"], [-12.5, 12.5, 250, "none"],
             [0, 2.5e4, 400, "B"], [0, 2.5e4, 400, "SI"], [-0.5, 8.5, 500, "power"],
             [12345.6, 12399.9, 400, "none"]]
    for result in page.evaluate(TICKS_VS_PLOTLY, cases):
        assert result["mine"] == result["plotly"], result["case"]
        assert result["mine"], result["case"]


# --- a projector ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["kmeans", "elbo"])
def test_presenter_mode_keeps_the_big_numbers_big(page: Page, path: str, wait_for_app,
                                                  wait_for_stepper, assert_app_ok,
                                                  screenshot_dir: Path) -> None:
    open_stepper(page, f"/{path}?presenter=1", wait_for_app, wait_for_stepper,
                 {"width": 1920, "height": 1080})
    assert_app_ok(page)
    sizes = metric_px(page)
    assert sizes and min(sizes) >= 36, sizes
    press(page, "Step")
    page.wait_for_timeout(300)
    assert min(metric_px(page)) >= 36
    page.screenshot(path=screenshot_dir / f"labs-stepping-{path}-presenter.png")
