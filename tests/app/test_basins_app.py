"""AppTest: the initialisation lab's basin map (on demand, with progress; a cell opens in
Explore at half-step 0 from its start), in English, Japanese and Russian.

AppTest cannot click inside a Plotly chart: the click itself is the browser test's
(tests/e2e/test_basin_map.py). Here the chart's selection event is handed to the same
functions the chart's callback calls (:func:`picked_cell`, :func:`open_cell`).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from emviz.engine.basins import basin_map
from emviz.engine.em import initialize
from emviz.engine.restarts import run_restarts
from emviz.ui import state
from emviz.ui.i18n import translate
from emviz.ui.labs import init_basins as ib
from emviz.ui.labs import init_sensitivity as lab
from emviz.ui.state import PresetSpec
from tests.app.test_labs_selection_app import ok, open_lab, texts
from tests.stepper_view import at_h, decode, sent

CELLS = 20  # a small grid keeps these tests quick; the lab's default is 40


def lab_with_small_grid(lang: str = "en", **state_values) -> AppTest:
    return open_lab("initialisation", init_m=10, init_basin_cells=CELLS, lang=lang, **state_values)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def basin_chart(at: AppTest) -> dict:
    (fig,) = [f for f in charts(at) if f["data"] and f["data"][0]["type"] == "heatmap"]
    return fig


class _Recorder:
    """Wraps ``st.progress`` so a test sees every report the page makes."""

    def __init__(self, real) -> None:
        self.real, self.texts = real, []

    def __call__(self, value, text=None):
        self.texts.append(text)
        bar, recorder = self.real(value, text=text), self

        class Bar:
            def progress(self, value, text=None):
                recorder.texts.append(text)
                return bar.progress(value, text=text)

            def empty(self):
                return bar.empty()

        return Bar()


def test_the_map_is_drawn_on_demand_with_a_progress_bar(monkeypatch):
    at = lab_with_small_grid()
    assert translate("restarts.basin_title", "en") in [h.value for h in at.subheader]
    assert len(charts(at)) == 2  # histogram + gallery: no map until asked
    assert "EM runs once from every cell (400 runs)" in texts(at)
    recorder = _Recorder(streamlit.progress)
    monkeypatch.setattr(streamlit, "progress", recorder)
    ok(at.button(key="init_basin_go").click().run())
    reports = [x for x in recorder.texts if x and x.startswith("EM from")]
    assert reports[0] == "EM from 0 of 400 starts" and reports[-1] == "EM from 400 of 400 starts"
    assert len(reports) > 10  # it moved while the runs went on
    fig = basin_chart(at)
    names = [d.get("name", "") for d in fig["data"]]
    assert any(n.startswith("#1 · ln L = ") for n in names)
    assert "fixed starting means" in names and "component 1's own start" in names
    assert "starts" in names  # the clickable cells
    body = texts(at)
    assert "distinct optima" in body and "Click a cell to open its run in Explore" in body
    assert at.button(key="init_basin_go").disabled  # drawn for these settings
    # Cached: another run draws it again without recomputing (no progress reported).
    recorder.texts.clear()
    ok(at.run())
    assert basin_chart(at) and not [x for x in recorder.texts if x and x.startswith("EM from")]


def test_changing_the_component_asks_again_and_each_map_is_kept():
    at = lab_with_small_grid()
    ok(at.button(key="init_basin_go").click().run())
    first = basin_chart(at)
    ok(at.selectbox(key=ib.COMPONENT).set_value(1).run())
    assert len(charts(at)) == 2 and not at.button(key="init_basin_go").disabled
    ok(at.button(key="init_basin_go").click().run())
    second = basin_chart(at)
    assert "component 2's own start" in [d.get("name") for d in second["data"]]
    ok(at.selectbox(key=ib.COMPONENT).set_value(0).run())
    ok(at.button(key="init_basin_go").click().run())
    assert basin_chart(at)["data"][0]["z"] == first["data"][0]["z"]


def test_no_map_for_more_than_two_columns_or_too_many_components():
    at = lab_with_small_grid()
    ok(at.number_input(key="model_k").set_value(5).run())
    assert translate("restarts.basin_needs_k", "en", k=5, high=4) in texts(at)
    assert all(b.key != "init_basin_go" for b in at.button)
    at = open_lab("initialisation", init_m=10, data_source="Synthetic",
                  syn_preset="six_clusters_3d")
    assert translate("restarts.basin_needs_2d", "en", d=3) in texts(at)


# --- a cell opens in Explore ------------------------------------------------------------------
def _context(at: AppTest) -> ib.CellContext:
    """The map the page drew, recomputed from the same inputs (the engine is deterministic)."""
    ss = at.session_state
    settings = lab.Settings(int(ss["model_k"]), tuple(lab.INIT_METHODS), int(ss["init_m"]),
                            str(ss["model_cov"]), float(ss["model_reg"]), int(ss["init_seed"]))
    spec = PresetSpec(ss["syn_preset"], int(ss["syn_seed"]))
    from emviz.ui import cache

    X = cache.prepared(spec).X
    res = run_restarts(X, settings.k, settings.n_restarts, settings.methods,
                       settings.covariance_type, settings.reg_covar, settings.max_iter,
                       settings.tol, seed=settings.seed)
    o = res.optima[0]
    inputs = ib.MapInputs(o.methods[0], o.seeds[0], int(ss[ib.COMPONENT]), CELLS)
    start = initialize(X, settings.k, inputs.method, inputs.seed, settings.covariance_type,
                       settings.reg_covar)
    bmap = basin_map(X, start, inputs.component, settings.covariance_type, settings.reg_covar,
                     settings.max_iter, settings.tol, grid=CELLS, known=res)
    return ib.CellContext(bmap, settings, inputs, state.data_key(spec))


def test_a_clicked_cell_opens_explore_at_half_step_0_from_that_start():
    at = lab_with_small_grid()
    ok(at.button(key="init_basin_go").click().run())
    ctx = _context(at)
    drawn = basin_chart(at)
    cells = next(d for d in drawn["data"] if d.get("name") == "starts")
    custom = np.asarray(decode(cells["customdata"])).reshape(-1, 5)
    np.testing.assert_array_equal(custom[:, 2].reshape(CELLS, CELLS), ctx.bmap.labels + 1)
    # The browser sends the clicked cell's customdata (as an object when it was a typed array).
    event = {"selection": {"points": [{"customdata": {"0": 3, "1": 15, "2": 1}}]}}
    row, col = ib.picked_cell(event, ctx.bmap.shape)
    ib.open_cell(at.session_state, ctx, row, col)
    ok(at.run())
    ss = at.session_state
    start = ctx.bmap.start_at(3, 15)
    assert ss["model_init"] == state.MANUAL and ss["model_start"] == state.start_of(start)
    assert ss["model_init_auto"] == ctx.inputs.method and ss["model_seed"] == ctx.inputs.seed
    assert (ss["model_k"], ss["model_cov"], ss["model_reg"]) == (
        ctx.settings.k, ctx.settings.covariance_type, ctx.settings.reg_covar)
    assert (ss["model_max_iter"], ss["model_tol"]) == (lab.MAX_ITER, lab.TOL)
    head, p = sent(at)  # Explore now
    assert head["goto"] == 0 and ss["position"] == 0
    means = at_h(p["charts"][0]["channels"][0], 0)[-1]
    xy = np.column_stack([decode(means["x"]), decode(means["y"])])
    np.testing.assert_allclose(xy, start.means, rtol=1e-6)
    assert (xy[ctx.inputs.component] != ctx.bmap.start.means[ctx.inputs.component]).any()
    assert "set by hand" in at_h(p["status"]["caption"], 0)
    # The run Explore shows ends where the map says this cell ends.
    assert p["n"] == 2 * int(ctx.bmap.n_iter[3, 15]) + 1


def test_opening_the_same_cell_again_goes_back_to_half_step_0():
    at = lab_with_small_grid()
    ok(at.button(key="init_basin_go").click().run())
    ctx = _context(at)
    ib.open_cell(at.session_state, ctx, 0, 0)
    ok(at.run())
    at.session_state["position"] = at.session_state["frontier"] = 2  # the user stepped on
    ok(at.run())
    ib.open_cell(at.session_state, ctx, 0, 0)  # the same run, from the lab again
    ok(at.run())
    head, _ = sent(at)
    assert head["goto"] == 0 and at.session_state["position"] == 0


@pytest.mark.parametrize("event", [
    None, {}, {"selection": {"points": []}}, {"selection": {"points": "x"}},
    {"selection": {"points": [{"customdata": None}]}},
    {"selection": {"points": [{"customdata": ["a", "b"]}]}},
    {"selection": {"points": [{"customdata": [99, 0]}]}},
    {"selection": {"points": [{"customdata": [0, -1]}]}},
    {"selection": {"points": [{"customdata": {"0": 1e400, "1": 0}}]}},
    {"selection": {"points": [{"x": 1, "y": 2}]}},
])
def test_a_malformed_selection_opens_nothing(event):
    assert ib.picked_cell(event, (40, 40)) is None


def test_a_cell_is_read_from_a_list_or_an_object():
    assert ib.picked_cell({"selection": {"points": [{"customdata": [2, 5, 1]}]}}, (4, 6)) == (2, 5)
    assert ib.picked_cell({"selection": {"points": [{"customdata": {"0": 2.0, "1": 5.0}}]}},
                          (4, 6)) == (2, 5)


# --- in every language -----------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["ja", "ru"])
def test_the_map_speaks_the_chosen_language(lang):
    at = lab_with_small_grid(lang=lang)
    assert translate("restarts.basin_title", lang) in [h.value for h in at.subheader]
    button = at.button(key="init_basin_go")
    assert button.label == translate("restarts.basin_button", lang)
    ok(button.click().run())
    fig = basin_chart(at)
    names = [d.get("name", "") for d in fig["data"]]
    assert translate("labfig.basin_fixed", lang) in names
    assert translate("labfig.basin_swept", lang, k=1) in names
    cells = next(d for d in fig["data"] if d.get("name") == translate("labfig.basin_cells", lang))
    assert translate("labfig.basin_hover", lang, k=1, x="%{x:.4g}", y="%{y:.4g}",
                     number="%{customdata[2]}", ll="%{customdata[3]:,.2f}",
                     n_iter="%{customdata[4]}") in cells["hovertemplate"]
    assert translate("restarts.basin_click", lang) in texts(at)
    assert "Click a cell" not in texts(at) and "fixed starting means" not in names
