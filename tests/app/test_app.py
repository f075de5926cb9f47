"""AppTest: every control of the Explore view does what it says, and nothing ever raises."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from emviz.figures import exports
from emviz.figures import stepper as sp
from emviz.ui import backend as be
from emviz.ui import downloads, state
from tests.builders import blobs, csv_bytes
from tests.shown import shown
from tests.stepper_view import at_h, decode, open_downloads, payload, sent, stepped_to

APP = str(Path(__file__).resolve().parents[2] / "app.py")

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
_decode = decode


def status(at: AppTest, h: int) -> str:
    p = payload(at)
    return " · ".join([at_h(p["status"]["title"], h), *at_h(p["status"]["parts"], h)])


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


# --- the default page: the whole run, sent once ---------------------------------------
def test_default_page_sends_the_whole_run_to_the_browser():
    at = fresh()
    head, p = sent(at)
    assert head == {"id": p["id"], "goto": 0, "nonce": 1, "param": "step"}
    assert p["n"] == ss(at, "n_half_steps") > 1
    assert p["kinds"][:3] == ["init", "E", "M"]
    assert status(at, 0).startswith("Iteration 0 · Initialisation")
    assert status(at, 2).startswith("Iteration 1 · M-step") and "ΔLL" in status(at, 2)
    assert p["text"]["step"] == "Step" and "new_init" in p["controls"]
    assert [c["id"] for c in p["charts"]] == ["mixture", "loglik"]
    assert p["charts"][0]["canvas"] is not None  # 2D: the points go on a canvas
    assert p["charts"][0]["edit"] is not None  # every point drawn: they can be edited
    assert not at.error and not at.get("plotly_chart")  # no server-drawn chart any more


def test_a_rerun_sends_the_same_bytes_and_keeps_the_browser_where_it_is():
    at = fresh()
    first = bytes(at.get("bidi_component")[0].proto.bytes)
    ok(stepped_to(at, 6))
    assert bytes(at.get("bidi_component")[0].proto.bytes) == first  # goto stays as it was
    assert at.query_params["step"] == "6"  # but the link follows where stepping paused


def test_the_downloads_follow_the_position_python_last_heard(monkeypatch):
    seen = []
    original = downloads.files
    monkeypatch.setattr(downloads, "files",
                        lambda *a, **kw: seen.append(a[5]) or original(*a, **kw))
    at = fresh()
    assert not seen  # a closed box makes nothing, not even its buttons
    assert not {b.key for b in at.get("download_button")} & {"dl_params", "dl_csv", "dl_html"}
    open_downloads(at)
    stepped_to(at, 4)
    assert seen[-1] == 4  # the half-step of the downloads on screen
    assert {b.key for b in at.get("download_button")} >= {"dl_params", "dl_csv", "dl_html"}


def test_a_shared_links_step_opens_there_and_a_too_large_one_is_clamped():
    from emviz.ui.urlstate import PENDING_STEP

    at = fresh()
    last = ss(at, "n_half_steps") - 1
    at.session_state[PENDING_STEP] = 5
    head, _ = sent(ok(at.run()))
    assert head["goto"] == 5 and head["nonce"] == 2
    at.session_state[PENDING_STEP] = 5000
    head, _ = sent(ok(at.run()))
    assert head["goto"] == last and head["nonce"] == 3
    assert any(f"ends at half-step {last}" in i.value for i in at.info)


def test_new_init_is_a_new_run_from_half_step_0():
    from emviz.ui import explore

    at = fresh()
    ok(at.selectbox(key="model_init").set_value("random_from_data").run())
    before, nonce = payload(at)["id"], sent(at)[0]["nonce"]
    stepped_to(at, 4)
    explore.take_command(at.session_state, "new_init")  # what the browser's button triggers
    ok(at.run())
    head, p = sent(at)
    assert ss(at, "model_seed") == 1 and p["id"] != before
    assert head["goto"] == 0 and head["nonce"] == nonce + 1 and ss(at, "position") == 0


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
    stepped_to(at, 2)
    old_fit, (old_head, old) = ss(at, "fit_key"), sent(at)
    ok(getattr(at, kind)(key=key).set_value(value).run())
    head, p = sent(at)
    assert ss(at, "fit_key") != old_fit and p["id"] != old["id"]
    assert ss(at, "position") == 0 and head["goto"] == 0 and head["nonce"] > old_head["nonce"]
    if key == "model_max_iter":
        assert p["n"] <= 3
    if key == "model_k":
        assert len(at_h(p["tables"][0]["rows"], 0)) == 2


def test_k_larger_than_n_is_a_clear_error():
    at = fresh()
    upload(at, TINY_CSV)
    ok(at.number_input(key="model_k").set_value(5).run())
    assert any("need at least" in e.value for e in at.error)
    assert not at.get("bidi_component")


# --- data sources ------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [1, 3])
def test_custom_mixture_in_1d_and_3d(dim):
    at = fresh()
    ok(at.selectbox(key="syn_preset").set_value(state.CUSTOM).run())
    ok(at.radio(key="syn_dim").set_value(dim).run())
    assert f"in {dim}D" in texts(at)
    main = payload(at)["charts"][0]
    types = {t["type"] for t in main["figure"]["data"]}
    assert ("mesh3d" in types) == (dim == 3) and ("bar" in types) == (dim == 1)
    assert main["canvas"] is None  # only 2D draws its points on a canvas
    assert "M-step" in at_h(payload(at)["status"]["caption"], 2)


def test_custom_mixture_knobs():
    at = fresh()
    ok(at.selectbox(key="syn_preset").set_value(state.CUSTOM).run())
    for kind, key, value in [("number_input", "syn_k", 4), ("slider", "syn_sep", 1.5),
                             ("selectbox", "syn_shape", "axis-aligned"),
                             ("slider", "syn_imbalance", 5.0), ("number_input", "syn_seed", 3),
                             ("select_slider", "syn_n", 300)]:
        ok(getattr(at, kind)(key=key).set_value(value).run())
        assert at.get("bidi_component"), key
    assert ss(at, "model_k") == 4  # the model follows the true K
    assert "300 points" in texts(at)


def test_large_n_draws_a_subset_and_says_so():
    at = fresh()
    ok(at.selectbox(key="syn_preset").set_value(state.CUSTOM).run())
    ok(at.select_slider(key="syn_n").set_value(30_000).run())
    assert "showing 20,000 of 30,000 points" in texts(at)
    p = payload(at)
    assert len(_decode(p["charts"][0]["canvas"]["x"])) == p["points"]["drawn"] == 20_000
    assert p["charts"][0]["edit"] is None  # edits index the points: only when all are drawn


@pytest.mark.parametrize("name", list(be.PRESETS))
def test_each_preset_renders_and_steps(name):
    at = fresh()
    ok(at.selectbox(key="syn_preset").set_value(name).run())
    assert payload(at)["n"] > 1
    assert "ARI" in status(at, 2)


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
    names = {t.get("name") for t in payload(at)["charts"][0]["figure"]["data"]}
    assert "truth (dashed)" in names
    ok(at.toggle(key="show_truth").set_value(False).run())
    names = {t.get("name") for t in payload(at)["charts"][0]["figure"]["data"]}
    assert "truth (dashed)" not in names


@pytest.mark.parametrize("name", list(state.SAMPLES))
def test_each_sample_loads(name):
    at = fresh()
    ok(at.radio(key="data_source").set_value("Sample").run())
    ok(at.selectbox(key="sample_name").set_value(name).run())
    assert payload(at)["n"] > 1
    assert ("ARI" in status(at, 2)) == (name != "old_faithful.csv")  # the others have labels


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
    assert at.multiselect(key="tbl_columns").value == ["height", "weight"]
    assert at.selectbox(key="tbl_label").value == "species"
    assert "ARI" in status(at, payload(at)["n"] - 1)
    ok(at.toggle(key="tbl_standardise").set_value(True).run())
    assert "standardised" in texts(at)
    ok(at.multiselect(key="tbl_columns").set_value(["weight"]).run())
    assert "in 1D" in texts(at)


def test_upload_with_nan_rows_notes_the_dropped_count():
    at = fresh()
    upload(at, NAN_CSV)
    assert at.get("bidi_component")
    assert "dropped 3" in texts(at)


def test_upload_a_bad_file_shows_an_error_not_an_exception():
    at = fresh()
    upload(at, BAD_CSV, "picture.csv")
    assert at.error
    assert not at.get("bidi_component")


def test_no_columns_selected_asks_for_some():
    at = fresh()
    upload(at, GOOD_CSV)
    ok(at.multiselect(key="tbl_columns").set_value([]).run())
    assert any("Pick 1 to 3" in w.value for w in at.warning)


# --- display and languages --------------------------------------------------------------
def test_presenter_mode_sends_a_presenter_payload():
    at = fresh()
    assert not payload(at)["presenter"]
    ok(at.toggle(key="presenter").set_value(True).run())
    p = payload(at)
    assert p["presenter"] and p["charts"][0]["figure"]["layout"]["height"] == 640


@pytest.mark.parametrize(("lang", "step", "title"), [
    ("ja", "1 反復", "反復 0 · 初期化"),
    ("ru", "Итерация", "Итерация 0 · Инициализация"),
])
def test_the_stepper_speaks_the_readers_language(lang, step, title):
    at = fresh()
    at.session_state["lang"] = lang
    p = payload(ok(at.run()))
    assert p["text"]["step"] == step
    assert at_h(p["status"]["title"], 0) == title
    english = {v for v in sp.TEXT.values() if len(v) > 8}
    assert not english & set(p["text"].values())


# --- shared work is cached across sessions -----------------------------------------------
@pytest.fixture
def builds(monkeypatch) -> Counter:
    """Calls of the payload builder and the exports; every cache emptied first."""
    from emviz.ui import cache

    st.cache_data.clear()
    calls: Counter = Counter()

    def counting(module, name):
        original = getattr(module, name)

        def counted(*args, **kwargs):
            calls[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    counting(cache.sp, "em_payload")
    counting(exports, "params_json")
    counting(exports, "labelled_csv")
    counting(downloads, "_data_frame_and_rows")
    yield calls
    st.cache_data.clear()


def test_a_second_session_on_the_same_preset_builds_nothing(builds):
    one = fresh()
    stepped_to(one, 2)
    first = dict(builds)
    assert first == {"em_payload": 1}  # the downloads are made only when clicked
    two = fresh()
    stepped_to(two, 2)
    assert dict(builds) == first  # a second student costs no payload
    assert payload(two) == payload(one)


def test_the_cache_keys_hold_the_language_and_the_presenter_flag(builds):
    at = fresh()
    ok(at.toggle(key="presenter").set_value(True).run())
    assert builds["em_payload"] == 2  # presenter styling: another payload
    at.session_state["lang"] = "ja"
    ok(at.run())
    assert builds["em_payload"] == 3  # translated words: another payload
    stepped_to(at, 4)
    assert builds["em_payload"] == 3  # stepping builds nothing


def test_downloads_are_not_built_on_a_rerun(builds):
    at = open_downloads(fresh())
    for h in (2, 4, 6):
        stepped_to(at, h)
    assert {b.key for b in at.get("download_button")} >= {"dl_params", "dl_csv", "dl_html"}
    assert builds["_data_frame_and_rows"] == builds["labelled_csv"] == 0  # only on a click
    assert builds["params_json"] == 0


# --- engine edge cases and messages ------------------------------------------------------
def test_reg_covar_dips_are_explained_not_flagged():
    at = fresh()
    ok(at.select_slider(key="model_reg").set_value(0.1).run())
    notes = [v for v in payload(at)["notes"]["values"] if v]
    assert notes and all(n["level"] == "info" for n in notes)
    assert any("reg_covar" in n["text"] and "dipped" in n["text"] for n in notes)
    assert not any("more than reg_covar can explain" in n["text"] for n in notes)


def test_collapse_is_a_warning_with_advice():
    at = fresh()
    ok(at.selectbox(key="syn_preset").set_value("singularity_trap").run())
    ok(at.number_input(key="model_k").set_value(4).run())
    ok(at.selectbox(key="model_init").set_value("kmeans++").run())
    ok(at.select_slider(key="model_reg").set_value(0.0).run())
    end = payload(at)["end"]
    assert end["level"] == "warning" and "collapsed" in end["text"] and "reg_covar" in end["text"]
    # The message numbers components from 1, like the legend and the parameter table.
    from emviz.data.synthetic import make_preset
    from emviz.engine.em import initialize, run_em

    X = make_preset("singularity_trap", seed=int(ss(at, "syn_seed"))).X
    init = initialize(X, 4, method="kmeans++", seed=int(ss(at, "model_seed")), reg_covar=0.0)
    trace = run_em(X, init, covariance_type=str(ss(at, "model_cov")), reg_covar=0.0,
                   max_iter=int(ss(at, "model_max_iter")), tol=float(ss(at, "model_tol")))
    assert trace.stop_reason == "collapsed"
    number = trace.collapsed_component + 1
    assert f"component {number} collapsed" in end["text"], end["text"]


def test_identical_points_are_a_clear_error():
    at = fresh()
    upload(at, b"x,y\n" + b"1.5,2.5\n" * 20)
    assert at.error
    assert not at.get("bidi_component")


def test_unexpected_errors_are_friendly_with_details():
    def script():
        from emviz.ui.error_display import guarded

        with guarded("drawing"):
            raise RuntimeError("boom")

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    assert "Something went wrong while drawing" in at.error[0].value
    assert at.expander and "boom" in at.code[0].value


# --- editing on the chart: what the browser's reports do ---------------------------------
def context(at: AppTest) -> dict:
    from emviz.ui import explore

    return at.session_state[explore._CONTEXT]


def test_clicked_points_become_an_edit_of_the_data_from_the_same_start():
    from emviz.ui import explore

    at = fresh()
    start, p = context(at)["start"], payload(at)
    n = p["points"]["drawn"]
    explore.take_edit(at.session_state, context(at),
                      {"id": p["id"], "h": 6, "added": [[0.5, 0.5], [1.0, 2.0]], "removed": [3]})
    head, p2 = sent(ok(at.run()))
    assert p2["points"]["drawn"] == n + 1 and p2["id"] != p["id"]
    assert head["goto"] == 6  # the new run opens where the edit was made
    assert ss(at, "model_init") == "manual" and ss(at, "model_start") == start
    assert "Edited by hand: 2 point(s) added, 1 removed" in texts(at)
    assert "Overlapping, edited" in texts(at)
    # another batch: a removed click on one of the added points
    explore.take_edit(at.session_state, context(at),
                      {"id": p2["id"], "h": 0, "added": [], "removed": [n - 1 + 1]})
    p3 = payload(ok(at.run()))
    assert p3["points"]["drawn"] == n and ss(at, "data_edits").added == ((0.5, 0.5),)
    ok(at.button(key="explore_discard").click().run())
    assert payload(at)["points"]["drawn"] == n and ss(at, "model_init") == "random_from_data"


def test_a_stale_or_malformed_report_changes_nothing():
    from emviz.ui import explore

    at = fresh()
    explore.take_edit(at.session_state, context(at), {"id": "old", "added": [[1, 1]]})
    explore.take_edit(at.session_state, context(at), {"id": payload(at)["id"],
                                                      "added": [["x", None], [float("nan"), 1]]})
    explore.take_drag(at.session_state, context(at), {"id": payload(at)["id"], "k": 99,
                                                      "mean": [0, 0]})
    explore.take_position(at.session_state, context(at), {"id": payload(at)["id"], "h": "x"})
    explore.take_command(at.session_state, "format_disk")
    ok(at.run())
    assert ss(at, "data_edits") is None  # nothing valid was reported: nothing changed
    assert ss(at, "model_init") == "random_from_data" and ss(at, "position") == 0


def test_dragging_a_mean_at_half_step_0_starts_em_there():
    from emviz.ui import explore

    at = fresh()
    p = payload(at)
    explore.take_drag(at.session_state, context(at), {"id": p["id"], "k": 1, "mean": [2.5, -1]})
    p2 = payload(ok(at.run()))
    assert ss(at, "model_init") == "manual" and ss(at, "model_start")[1][1] == (2.5, -1.0)
    means = p2["charts"][0]["channels"][0]
    first = at_h(means, 0)[-1]
    assert (_decode(first["x"])[1], _decode(first["y"])[1]) == (2.5, -1.0)
    assert "set by hand" in at_h(p2["status"]["caption"], 0)
    assert "init_params = manual" in texts(at)
    assert at.query_params["init"] == "random_from_data"  # a link cannot carry the start
    ok(at.number_input(key="model_k").set_value(4).run())  # a start for 3 no longer fits
    assert ss(at, "model_init") == "random_from_data" and ss(at, "model_start") is None


@pytest.mark.parametrize("cov", ["tied", "diag", "spherical"])
def test_a_manual_start_takes_the_shape_of_the_covariance_type(cov):
    from emviz.ui import explore

    at = fresh()
    ok(at.selectbox(key="model_cov").set_value(cov).run())
    explore.take_drag(at.session_state, context(at), {"id": payload(at)["id"], "k": 0,
                                                      "mean": [0, 0]})
    ok(at.run())
    assert ss(at, "model_init") == "manual" and payload(at)["n"] > 1


def test_draw_your_own_data_starts_from_an_empty_canvas():
    from emviz.ui import explore

    at = fresh()
    ok(at.selectbox(key="syn_preset").set_value(state.DRAW).run())
    p = payload(at)
    assert p["n"] == 1 and p["charts"][0]["edit"] is not None
    assert "at least 3 distinct points" in at_h(p["status"]["title"], 0)
    assert p["charts"][0]["figure"]["layout"]["xaxis"]["range"] == [0, 10]
    clicks = [[1, 1], [1.5, 1.2], [8, 8], [8.5, 7.5], [2, 8], [2.5, 8.5]]
    explore.take_edit(at.session_state, context(at), {"id": p["id"], "added": clicks[:2]})
    assert payload(ok(at.run()))["n"] == 1  # two points: still too few for K = 3
    explore.take_edit(at.session_state, context(at), {"id": payload(at)["id"],
                                                      "added": clicks[2:]})
    p = payload(ok(at.run()))
    assert p["n"] > 1 and p["points"]["drawn"] == 6
    assert p["charts"][0]["figure"]["layout"]["xaxis"]["range"] == [0, 10]
    assert "Draw your own data" in texts(at)


# --- numerics the user should hear about ------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "ja", "ru"])
def test_a_reg_covar_that_dominates_tiny_data_is_reported_in_the_readers_language(lang):
    from emviz.ui.i18n import translate

    X = blobs(80, centres=[[0.0, 0.0], [6.0, 6.0]])
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at = ok(at.run())
    upload(at, csv_bytes(X * 1e-6, ("x", "y")), "tiny.csv")
    said = [shown(w.value) for w in at.warning if "reg_covar = 1e-06" in shown(w.value)]
    assert len(said) == 1, [w.value for w in at.warning]
    expected = translate("error.check.reg_covar_large", lang, reg_covar=1e-6, ratio=1.0,
                         variance=1.0, feature=1, limit=1.0)
    # the same sentence as the catalog's, in the reader's language (numbers aside)
    assert said[0].split("1e-06")[1][:6] == expected.split("1e-06")[1][:6]
    # data of ordinary size: nothing to say
    ordinary = csv_bytes(X, ("x", "y"))
    ok(at.file_uploader(key="csv_upload").upload("ok.csv", ordinary, "text/csv").run())
    assert not [w.value for w in at.warning if "reg_covar" in shown(w.value)]
