"""AppTest: every control of the Explore view does what it says, and nothing ever raises."""

from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from emviz import exports
from emviz.ui import backend as be
from emviz.ui import downloads, state
from tests.shown import shown

APP = str(Path(__file__).resolve().parents[1] / "app.py")

GOOD_CSV = b"height,weight,species\n" + b"".join(
    f"{x:.3f},{y:.3f},{'a' if i < 40 else 'b'}\n".encode()
    for i, (x, y) in enumerate(
        np.vstack([np.random.default_rng(1).normal(0, 1, (40, 2)),
                   np.random.default_rng(2).normal(6, 1, (40, 2))])
    )
)
NAN_CSV = GOOD_CSV.replace(b"\n1.", b"\nNA,1.", 0) + b"NA,3.0,a\n,4.0,b\n5.0,NaN,a\n"
BAD_CSV = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"
TINY_CSV = b"x,y\n1,2\n3,4\n5,7\n"


# --- helpers ---------------------------------------------------------------------------
def _decode(value):
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"]).tolist()
    return value


def figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def _points_trace(fig: dict) -> dict:
    """The trace with the most points drawn as markers (the data points)."""
    markers = [t for t in fig["data"] if "markers" in str(t.get("mode", ""))
               and t.get("type", "scatter") in ("scatter", "scattergl", "scatter3d")]
    return max(markers, key=lambda t: len(_decode(t.get("x", [])) or []))


def point_colours(fig: dict):
    return json.dumps(_decode(_points_trace(fig).get("marker", {}).get("color")), default=str)


def ellipses(fig: dict) -> str:
    """Every line trace's coordinates (ellipses, curves) as one comparable string."""
    lines = [t for t in fig["data"] if t.get("mode") == "lines" or t.get("type") == "mesh3d"]
    return json.dumps([[_decode(t.get(a)) for a in ("x", "y", "z")] for t in lines], default=str)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def fresh() -> AppTest:
    return ok(AppTest.from_file(APP, default_timeout=60).run())


def ss(at: AppTest, key: str):
    return at.session_state[key]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in ("error", "warning", "info", "success"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def upload(at: AppTest, data: bytes, name: str = "data.csv") -> AppTest:
    at.radio(key="data_source").set_value("Upload CSV").run()
    return ok(at.file_uploader(key="csv_upload").upload(name, data, "text/csv").run())


# --- the default page and stepping -----------------------------------------------------
def test_default_page_shows_a_2d_figure_ready_to_step():
    at = fresh()
    assert len(at.get("plotly_chart")) >= 1
    assert ss(at, "position") == 0 and ss(at, "frontier") == 0
    assert "Iteration 0" in texts(at)
    assert not at.error
    assert not at.button(key="btn_e").disabled and not at.button(key="btn_step").disabled
    assert at.button(key="btn_m").disabled  # E and M alternate: init is followed by an E


def test_e_step_recolours_points_but_keeps_ellipses():
    at = fresh()
    before = figure(at)
    ok(at.button(key="btn_e").click().run())
    after = figure(at)
    assert (ss(at, "position"), ss(at, "frontier")) == (1, 1)
    assert ellipses(after) == ellipses(before)
    assert point_colours(after) != point_colours(before)
    assert "E-step" in texts(at)


def test_m_step_moves_ellipses_but_keeps_colours():
    at = fresh()
    ok(at.button(key="btn_e").click().run())
    e_fig = figure(at)
    assert at.button(key="btn_e").disabled  # next is an M-step
    ok(at.button(key="btn_m").click().run())
    m_fig = figure(at)
    assert (ss(at, "position"), ss(at, "frontier")) == (2, 2)
    assert ellipses(m_fig) != ellipses(e_fig)
    assert point_colours(m_fig) == point_colours(e_fig)
    assert "ΔLL" in texts(at)


def test_step_is_a_full_iteration_and_run_goes_to_the_end():
    at = fresh()
    ok(at.select_slider(key="model_tol").set_value(0.0).run())  # run all max_iter iterations
    ok(at.button(key="btn_step").click().run())
    assert ss(at, "position") == 2
    ok(at.button(key="btn_step").click().run())
    assert ss(at, "position") == 4
    ok(at.button(key="btn_run").click().run())
    last = ss(at, "n_half_steps") - 1
    assert ss(at, "position") == ss(at, "frontier") == last
    assert at.button(key="btn_step").disabled and at.button(key="btn_run").disabled
    ends = [e.value for e in (*at.success, *at.info, *at.warning)]
    assert any(w in m for m in ends for w in ("Converged", "max_iter", "collapsed"))


def test_scrubbing_back_indexes_the_trace_without_moving_the_frontier():
    at = fresh()
    ok(at.select_slider(key="model_tol").set_value(0.0).run())
    ok(at.button(key="btn_e").click().run())
    e_fig = figure(at)
    ok(at.button(key="btn_m").click().run())
    ok(at.button(key="btn_step").click().run())
    assert ss(at, "frontier") == 4
    ok(at.slider(key="timeline").set_value(1).run())
    assert (ss(at, "position"), ss(at, "frontier")) == (1, 4)
    assert figure(at)["data"] == e_fig["data"]
    ok(at.button(key="btn_m").click().run())  # stepping from a scrubbed position
    assert (ss(at, "position"), ss(at, "frontier")) == (2, 4)


def test_reset_returns_to_the_same_start():
    at = fresh()
    start = figure(at)
    ok(at.button(key="btn_step").click().run())
    ok(at.button(key="btn_reset").click().run())
    assert (ss(at, "position"), ss(at, "frontier")) == (0, 0)
    assert ss(at, "model_seed") == 0
    assert figure(at)["data"] == start["data"]


def test_new_init_takes_the_next_seed():
    at = fresh()
    # k-means++ finds the same start on well-separated data whatever the seed
    ok(at.selectbox(key="model_init").set_value("random_from_data").run())
    start = figure(at)
    ok(at.button(key="btn_step").click().run())
    ok(at.button(key="btn_new_init").click().run())
    assert ss(at, "model_seed") == 1
    assert (ss(at, "position"), ss(at, "frontier")) == (0, 0)
    assert ellipses(figure(at)) != ellipses(start)


def test_parameter_table_and_loglik_chart_follow_the_position():
    at = fresh()
    ok(at.selectbox(key="model_init").set_value("random").run())  # a start that moves
    table0 = at.table[0].value.copy()
    assert len(table0) == 3
    ok(at.button(key="btn_step").click().run())
    assert not at.table[0].value.equals(table0)
    assert len(at.get("plotly_chart")) == 2


# --- model controls ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("number_input", "model_k", 2),
        ("selectbox", "model_cov", "tied"),
        ("selectbox", "model_cov", "diag"),
        ("selectbox", "model_cov", "spherical"),
        ("selectbox", "model_init", "random"),
        ("selectbox", "model_init", "kmeans++"),
        ("selectbox", "model_init", "kmeans"),
        ("number_input", "model_seed", 5),
        ("select_slider", "model_reg", 0.0),
        ("number_input", "model_max_iter", 1),
        ("select_slider", "model_tol", 0.0),
    ],
)
def test_each_model_control_refits_and_restarts(kind, key, value):
    at = fresh()
    ok(at.button(key="btn_step").click().run())
    old_fit = ss(at, "fit_key")
    ok(getattr(at, kind)(key=key).set_value(value).run())
    assert ss(at, "fit_key") != old_fit
    assert ss(at, "position") == 0
    assert at.get("plotly_chart")
    if key == "model_max_iter":
        assert ss(at, "n_half_steps") <= 3
    if key == "model_k":
        assert len(at.table[0].value) == 2


def test_k_larger_than_n_is_a_clear_error():
    at = fresh()
    upload(at, TINY_CSV)
    ok(at.number_input(key="model_k").set_value(5).run())
    assert any("need at least" in e.value for e in at.error)
    assert not at.get("plotly_chart")


# --- data sources ------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [1, 3])
def test_custom_mixture_in_1d_and_3d(dim):
    at = fresh()
    ok(at.selectbox(key="syn_preset").set_value(state.CUSTOM).run())
    ok(at.radio(key="syn_dim").set_value(dim).run())
    assert at.get("plotly_chart")
    assert f"in {dim}D" in texts(at)
    ok(at.button(key="btn_step").click().run())
    assert ss(at, "position") == 2


def test_custom_mixture_knobs():
    at = fresh()
    ok(at.selectbox(key="syn_preset").set_value(state.CUSTOM).run())
    for kind, key, value in [("number_input", "syn_k", 4), ("slider", "syn_sep", 1.5),
                             ("selectbox", "syn_shape", "axis-aligned"),
                             ("slider", "syn_imbalance", 5.0), ("number_input", "syn_seed", 3),
                             ("select_slider", "syn_n", 300)]:
        ok(getattr(at, kind)(key=key).set_value(value).run())
        assert at.get("plotly_chart"), key
    assert ss(at, "model_k") == 4  # the model follows the true K
    assert "300 points" in texts(at)


def test_large_n_draws_a_subset_and_says_so():
    at = fresh()
    ok(at.selectbox(key="syn_preset").set_value(state.CUSTOM).run())
    ok(at.select_slider(key="syn_n").set_value(30_000).run())
    assert "showing 20,000 of 30,000 points" in texts(at)
    assert len(_decode(_points_trace(figure(at))["x"])) == 20_000


@pytest.mark.parametrize("name", list(be.PRESETS))
def test_each_preset_renders_and_steps(name):
    at = fresh()
    ok(at.selectbox(key="syn_preset").set_value(name).run())
    assert at.get("plotly_chart")
    ok(at.button(key="btn_step").click().run())
    assert "ARI" in texts(at)


def data_caption(at: AppTest) -> str:
    """The caption under the figure that names the data ("**name** · n points in dD · …")."""
    return next(shown(c.value) for c in at.caption if c.value.startswith("**"))


def test_the_caption_names_the_data_in_the_readers_language():
    at = fresh()
    caption = data_caption(at)
    assert caption.startswith("**Overlapping** · ") and "overlapping" not in caption
    at.session_state["lang"] = "ja"
    ok(at.run())
    assert data_caption(at).startswith("**重なり合う** · ")
    ok(at.selectbox(key="syn_preset").set_value(state.CUSTOM).run())
    assert data_caption(at).startswith("**カスタム混合分布** · ")
    at.session_state["lang"] = "en"
    ok(at.radio(key="data_source").set_value("Sample").run())
    ok(at.selectbox(key="sample_name").set_value("iris.csv").run())
    assert data_caption(at).startswith("**iris.csv** · ")  # a file keeps its own name


def test_hiding_the_truth():
    at = fresh()
    with_truth = len(figure(at)["data"])
    ok(at.toggle(key="show_truth").set_value(False).run())
    assert len(figure(at)["data"]) <= with_truth


@pytest.mark.parametrize("name", list(state.SAMPLES))
def test_each_sample_loads(name):
    at = fresh()
    ok(at.radio(key="data_source").set_value("Sample").run())
    ok(at.selectbox(key="sample_name").set_value(name).run())
    assert at.get("plotly_chart")
    ok(at.button(key="btn_step").click().run())
    if name != "old_faithful.csv":
        assert "ARI" in texts(at)


def test_wine_projected_with_pca():
    at = fresh()
    ok(at.radio(key="data_source").set_value("Sample").run())
    ok(at.selectbox(key="sample_name").set_value("wine.csv").run())
    ok(at.radio(key="tbl_mode").set_value("Project with PCA").run())
    ok(at.radio(key="tbl_pca_dim").set_value(3).run())
    assert "principal components" in texts(at)
    assert "PC3" in texts(at)


def test_upload_a_good_csv_with_labels_and_standardising():
    at = fresh()
    upload(at, GOOD_CSV)
    assert at.get("plotly_chart")
    assert at.multiselect(key="tbl_columns").value == ["height", "weight"]
    assert at.selectbox(key="tbl_label").value == "species"
    ok(at.button(key="btn_run").click().run())
    assert "ARI" in texts(at)
    ok(at.toggle(key="tbl_standardise").set_value(True).run())
    assert "standardised" in texts(at)
    ok(at.multiselect(key="tbl_columns").set_value(["weight"]).run())
    assert "in 1D" in texts(at)


def test_upload_with_nan_rows_notes_the_dropped_count():
    at = fresh()
    upload(at, NAN_CSV)
    assert at.get("plotly_chart")
    assert "dropped 3" in texts(at)


def test_upload_a_bad_file_shows_an_error_not_an_exception():
    at = fresh()
    upload(at, BAD_CSV, "picture.csv")
    assert at.error
    assert not at.get("plotly_chart")


def test_no_columns_selected_asks_for_some():
    at = fresh()
    upload(at, GOOD_CSV)
    ok(at.multiselect(key="tbl_columns").set_value([]).run())
    assert any("Pick 1 to 3" in w.value for w in at.warning)


# --- animation and display ---------------------------------------------------------------
def test_animate_shows_the_client_side_animation():
    at = fresh()
    ok(at.toggle(key="animate").set_value(True).run())
    fig = figure(at)
    assert at.button(key="btn_step").disabled
    assert "Animation" in texts(at)
    if fig.get("frames") is not None:  # the real figure module animates with frames
        assert len(fig["frames"]) >= 2
    ok(at.toggle(key="animate").set_value(False).run())
    assert not at.button(key="btn_step").disabled


def test_presenter_mode():
    at = fresh()
    ok(at.toggle(key="presenter").set_value(True).run())
    assert at.get("plotly_chart")


# --- shared work is cached across sessions -----------------------------------------------
BUILDERS = ("mixture_figure", "loglik_figure", "params_table", "adjusted_rand_index")


@pytest.fixture
def builds(monkeypatch) -> Counter:
    """Calls of each figure/table builder and export; every cache emptied first."""
    st.cache_data.clear()
    calls: Counter = Counter()

    def counting(module, name):
        original = getattr(module, name)

        def counted(*args, **kwargs):
            calls[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    for name in BUILDERS:
        counting(be, name)
    counting(exports, "params_json")
    counting(exports, "labelled_csv")
    counting(downloads, "_data_frame_and_rows")
    yield calls
    st.cache_data.clear()


def test_a_prebuilt_figure_reaches_the_chart_exactly_as_built():
    """st.plotly_chart's own conversion (to_dict, then JSON) gives the builder's figure."""
    import plotly.graph_objects as go
    import plotly.io
    import plotly.tools

    from emviz.data import make_preset
    from emviz.em import e_step, initialize
    from emviz.ui.cache import PrebuiltFigure

    ds = make_preset("overlapping", seed=0)
    params = initialize(ds.X, 3, seed=0)
    built = be.mixture_figure(ds.X, params, e_step(ds.X, params).resp, truth=ds.params)
    prebuilt = PrebuiltFigure(built.to_dict())

    def as_streamlit_sends_it(fig) -> str:
        return plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(fig, True),
                                 validate=False)

    assert as_streamlit_sends_it(prebuilt) == as_streamlit_sends_it(built)
    assert go.Figure(prebuilt).to_dict()["data"] == built.to_dict()["data"]  # for PNG export


def test_a_second_session_on_the_same_preset_builds_nothing(builds):
    one = fresh()
    ok(one.button(key="btn_step").click().run())
    first = dict(builds)
    # Session one built each piece once per half-step it saw (0 and 2), the ARI at 2.
    assert first["mixture_figure"] == first["loglik_figure"] == first["params_table"] == 2
    assert first["adjusted_rand_index"] == 1 and first["params_json"] == 2
    two = fresh()
    ok(two.button(key="btn_step").click().run())
    assert dict(builds) == first  # a second student costs no figure, table, ARI or JSON
    assert figure(two) == figure(one) and figure(two, 1) == figure(one, 1)
    assert two.table[0].value.equals(one.table[0].value)
    ok(two.button(key="btn_e").click().run())  # a half-step nobody has seen: built once
    assert builds["mixture_figure"] == first["mixture_figure"] + 1


def test_the_cache_keys_hold_the_language_and_the_presenter_flag(builds):
    at = fresh()
    before = builds["mixture_figure"]
    ok(at.toggle(key="presenter").set_value(True).run())
    assert builds["mixture_figure"] == before + 1  # presenter styling: another figure
    at.session_state["lang"] = "ja"
    ok(at.run())
    assert builds["mixture_figure"] == before + 2  # translated labels: another figure
    assert builds["loglik_figure"] == 3
    assert builds["params_table"] == 2  # the table has no presenter styling, only language


def test_downloads_are_not_built_on_a_rerun(builds):
    at = fresh()
    for _ in range(3):
        ok(at.button(key="btn_step").click().run())
    assert len(at.get("download_button")) == 4
    assert builds["_data_frame_and_rows"] == builds["labelled_csv"] == 0  # only on a click


# --- engine edge cases and messages ------------------------------------------------------
def test_reg_covar_dips_are_explained_not_flagged():
    at = fresh()
    ok(at.select_slider(key="model_reg").set_value(0.1).run())
    ok(at.button(key="btn_run").click().run())
    assert any("reg_covar" in i.value and "dipped" in i.value for i in at.info)
    assert not any("more than reg_covar can explain" in w.value for w in at.warning)


def test_collapse_is_a_warning_with_advice():
    at = fresh()
    ok(at.selectbox(key="syn_preset").set_value("singularity_trap").run())
    ok(at.number_input(key="model_k").set_value(4).run())
    ok(at.selectbox(key="model_init").set_value("kmeans++").run())
    ok(at.select_slider(key="model_reg").set_value(0.0).run())
    ok(at.button(key="btn_run").click().run())
    assert any("collapsed" in w.value and "reg_covar" in w.value for w in at.warning)
    # The message numbers components from 1, like the legend and the parameter table.
    from emviz.data import make_preset
    from emviz.em import initialize, run_em

    X = make_preset("singularity_trap", seed=int(ss(at, "syn_seed"))).X
    init = initialize(X, 4, method="kmeans++", seed=int(ss(at, "model_seed")), reg_covar=0.0)
    trace = run_em(X, init, covariance_type=str(ss(at, "model_cov")), reg_covar=0.0,
                   max_iter=int(ss(at, "model_max_iter")), tol=float(ss(at, "model_tol")))
    assert trace.stop_reason == "collapsed"
    number = trace.collapsed_component + 1
    assert any(f"component {number} collapsed" in w.value for w in at.warning), \
        [w.value for w in at.warning]


def test_identical_points_are_a_clear_error():
    at = fresh()
    upload(at, b"x,y\n" + b"1.5,2.5\n" * 20)
    assert at.error
    assert not at.get("plotly_chart")


def test_unexpected_errors_are_friendly_with_details():
    def script():
        from emviz.ui.messages import guarded

        with guarded("drawing"):
            raise RuntimeError("boom")

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    assert "Something went wrong while drawing" in at.error[0].value
    assert at.expander and "boom" in at.code[0].value
