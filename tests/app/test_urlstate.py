"""Links: settings -> query string -> the same settings; hostile query strings never raise."""

from __future__ import annotations

import pandas as pd
import pytest

from emviz.ui import state
from emviz.ui.urlstate import PENDING_STEP, check_table_columns, decode, encode
from tests.builders import IRIS_FLAT_OPTIMUM, IRIS_TRUSTED_OPTIMUM

SYNTHETIC_CUSTOM = {
    "lang": "ru", "presenter": True, "data_source": "Synthetic", "syn_preset": "custom",
    "syn_seed": 7, "syn_dim": 3, "syn_k": 4, "syn_n": 3000, "syn_sep": 2.5,
    "syn_shape": "axis-aligned", "syn_imbalance": 5.0,
    "model_k": 4, "model_cov": "diag", "model_init": "kmeans", "model_seed": 12,
    "model_reg": 1e-4, "model_max_iter": 250, "model_tol": 1e-6, "show_truth": False,
}
SAMPLE_PICK = {
    "lang": "ja", "presenter": False, "data_source": "Sample", "sample_name": "iris.csv",
    "tbl_mode": "Pick columns", "tbl_columns": ["petal_length", "petal, width"],
    "tbl_label": "species", "tbl_standardise": True, "model_k": 3, "model_cov": "full",
    "model_init": "random", "model_seed": 0, "model_reg": 0.0, "model_max_iter": 100,
    "model_tol": 0.0, "show_truth": True,
}


def _query(values, position=0):
    return encode({**values, "position": position})


@pytest.mark.parametrize("values", [SYNTHETIC_CUSTOM, SAMPLE_PICK], ids=["custom", "sample"])
def test_round_trip(values):
    q = _query(values, position=9)
    assert all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in q.values())
    got = decode(q)
    assert got.clean, (got.rejected, got.unknown)
    expected = {k: v for k, v in values.items() if k != "tbl_mode" or v != "Pick columns"}
    for key, value in expected.items():
        assert got.values[key] == value, key
    assert got.values[PENDING_STEP] == 9


def test_preset_and_pca_links_carry_only_what_matters():
    q = encode({"data_source": "Synthetic", "syn_preset": "overlapping", "syn_dim": 3})
    assert "dim" not in q and q["scenario"] == ["overlapping"] and q["src"] == ["synthetic"]
    q = encode({"data_source": "Sample", "sample_name": "wine.csv",
                "tbl_mode": "Project with PCA", "tbl_pca_dim": 3})
    got = decode(q)
    assert got.clean and got.values["tbl_mode"] == "Project with PCA"
    assert got.values["tbl_pca_dim"] == 3 and "cols" not in q


def test_defaults_decode_to_the_defaults():
    got = decode(encode(dict(state.DEFAULTS)))
    assert got.clean
    for key, value in got.values.items():
        if key != PENDING_STEP:
            assert value == state.DEFAULTS[key], key


def test_upload_cannot_travel_and_says_so():
    got = decode(encode({"data_source": "Upload CSV"}))
    assert got.upload and not got.clean and "data_source" not in got.values


HOSTILE = [
    ("k", "-3"), ("k", "0"), ("k", "1e9"), ("k", "99999999999999999999999"), ("k", "３"),
    ("k", "1_0"), ("k", " 3"), ("seed", "NaN"), ("reg", "nan"), ("reg", "inf"),
    ("reg", "1e999"), ("reg", "0.5"), ("tol", "-1e-3"), ("cov", "FULL"), ("cov", "<script>"),
    ("init", "kmeans++<script>alert(1)</script>"), ("lang", "de"), ("lang", "日本語"),
    ("presenter", "yes"), ("step", "-1"), ("step", "5e3"), ("iters", "0"),
    ("src", "javascript:alert(1)"), ("truth", "\x00"), ("k", "3" * 10_000),
]


@pytest.mark.parametrize(("name", "value"), HOSTILE)
def test_hostile_values_fall_back_and_are_named(name, value):
    got = decode({"src": "synthetic", name: value})
    assert got.rejected == [name]
    assert not any(k for k in got.values if k not in ("data_source",))


def test_hostile_synthetic_and_sample_values():
    got = decode({"src": "synthetic", "scenario": "custom", "sep": "0.75", "n": "-1",
                  "dim": "4", "shape": "𝔰𝔭𝔥𝔢𝔯𝔢", "imb": "1e308", "dseed": "1.5"})
    assert sorted(got.rejected) == ["dim", "dseed", "imb", "n", "sep", "shape"]
    got = decode({"src": "sample", "sample": "../../etc/passwd", "cols": ["a"] * 4,
                  "pca": "9", "label": "\n"})
    assert sorted(got.rejected) == ["cols", "label", "pca", "sample"]


def test_unknown_repeated_and_too_many_params():
    got = decode({"utm_source": "x", "embed": "true", "k": ["3", "4"]})
    assert got.unknown == 1 and got.rejected == ["k"]
    got = decode({f"p{i}": "1" for i in range(1000)})
    assert got.unknown == 64 and got.rejected == ["…"]


def test_decode_survives_non_mappings_of_strings():
    assert decode({"k": [None]}).rejected == ["k"]  # type: ignore[list-item]
    assert not decode({}).values


def test_a_scenario_without_src_means_synthetic_data():
    got = decode({"scenario": "six_clusters_3d", "k": "6"})
    assert got.implied == "synthetic" and not got.clean
    assert got.values["data_source"] == "Synthetic"
    assert got.values["syn_preset"] == "six_clusters_3d" and got.values["model_k"] == 6
    got = decode({"sample": "iris.csv", "cols": ["sepal_length", "petal_length"]})
    assert got.implied == "sample" and got.values["data_source"] == "Sample"
    assert got.values["tbl_columns"] == ["sepal_length", "petal_length"]
    # Both kinds, or none, imply nothing; an explicit src= implies nothing either.
    assert decode({"scenario": "overlapping", "sample": "iris.csv"}).implied is None
    assert decode({"k": "4"}).implied is None and decode({"k": "4"}).clean
    assert decode(encode(dict(state.DEFAULTS))).implied is None


def test_settings_that_do_not_apply_are_named_not_silently_dropped():
    got = decode({"src": "sample", "scenario": "overlapping", "dseed": "3"})
    assert got.ignored == ["dseed", "scenario"] and "syn_preset" not in got.values
    got = decode({"src": "synthetic", "scenario": "overlapping", "dim": "1", "truek": "2"})
    assert got.ignored == ["dim", "truek"] and "syn_dim" not in got.values
    got = decode({"scenario": "overlapping", "sample": "iris.csv"})
    assert got.ignored == ["sample", "scenario"] and "data_source" not in got.values
    assert not decode(_query(SYNTHETIC_CUSTOM)).ignored  # a copied link applies in full


def test_histogram_bins_travel_only_when_chosen():
    assert "bins" not in encode(dict(state.DEFAULTS))
    q = encode({**state.DEFAULTS, "hist_bins": 50})
    assert q["bins"] == ["50"] and decode(q).values["hist_bins"] == 50
    assert decode({"bins": "auto"}).values["hist_bins"] == "auto"
    assert decode({"bins": "7"}).rejected == ["bins"]


def test_a_step_beyond_any_run_waits_for_explore_to_clamp_it():
    got = decode({"step": "5000"})
    assert got.clean and got.values[PENDING_STEP] == 5000
    assert decode({"step": "999999999999"}).values[PENDING_STEP] == 999_999_999_999
    assert decode({"step": "-1"}).rejected == ["step"]


@pytest.mark.parametrize(("path", "page"), [
    ("explore", ""), ("/explore/", ""), ("Explore", ""), ("EXPLORE", ""), ("", ""),
    ("kmeans", "kmeans"), ("KMeans", "kmeans"), ("/Initialisation/", "initialisation"),
    ("restarts", "initialisation"), ("/Restarts/", "initialisation"),
    ("nope", None), ("kmeans/extra", None), ("../kmeans", None),
])
def test_page_paths_resolve_without_case(path, page):
    paths = {**urlstate.PAGE_ALIASES, **{p: p for p in ("", "kmeans", "initialisation", "coins")}}
    assert urlstate.resolve_page(path, paths, home="explore") == page


def test_linked_columns_are_checked_against_the_sample():
    values = {"tbl_columns": ["x", "nope"], "tbl_label": "species"}
    assert check_table_columns(values, ["x", "y"], ["species"]) == ["cols"]
    assert values == {"tbl_label": "species"}


# --------------------------------------------------------------------------------------
# The labs' own controls: settings -> URL -> fresh AppTest session -> same state
# --------------------------------------------------------------------------------------
import json  # noqa: E402
from pathlib import Path  # noqa: E402

from streamlit.testing.v1 import AppTest  # noqa: E402

from emviz.ui import urlstate  # noqa: E402

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _goto(at: AppTest, url_path: str) -> AppTest:
    """Show page ``url_path`` (AppTest cannot open a path, so pick the registered page)."""
    at._page_hash = next(h for h, info in at._registered_pages.items()
                         if info.get("url_pathname") == url_path)
    return _ok(at.run())


def _session(url_path: str, query: dict | None = None, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    for key, value in state.items():
        at.session_state[key] = value
    return _goto(_ok(at.run()), url_path)


def _link(at: AppTest) -> dict:
    return dict(at.query_params.items())


def _screen(at: AppTest) -> list:
    """What the lab shows: metrics, text, figures (their data and titles) and the run its
    browser-side stepper replays."""
    figs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    steppers = [json.loads(bytes(c.proto.bytes).partition(b"\n")[0])["id"]
                for c in at.get("bidi_component")]  # the run a stepper replays
    return ([(m.label, m.value) for m in at.metric]
            + [m.value for m in at.markdown] + [c.value for c in at.caption]
            + [json.dumps([f["data"], f["layout"].get("annotations")], sort_keys=True)
               for f in figs] + steppers)


class Paused(int):
    """A browser-side stepper reported that stepping paused at this position."""


#: Per lab: settings made in the first session, then the widget actions (key, value) that
#: move the position inside the run (positions only exist once the run does).
LAB_CASES = {
    "kmeans": ({"km_init": "random", "km_seed": 3, "km_sigma": 0.2, "model_k": 2},
               [("km_iter", Paused(2))]),
    "initialisation": ({"init_method": "kmeans", "init_m": 10, "init_seed": 7, "init_pick": 1,
                  "model_k": 4}, []),
    "selection": ({"ms_criterion": "aic", "ms_init": "random", "ms_n_init": 1, "ms_k": 4,
                   "ms_cov": "diag"}, []),
    "elbo": ({"elbo_k": 2, "elbo_cov": "diag", "elbo_seed": 4}, [("elbo_pos", Paused(3))]),
    "singularity": ({"sing_remedy": "reg_covar", "sing_floor": 1e-2, "sing_seed": 1},
                    [("sing_it", 3)]),
    "vbgmm": ({"vb_source": "six_clusters_3d", "vb_k": 8, "vb_alpha": 0.1,
               "vb_type": "dirichlet_process", "vb_seed": 2}, [("vb_it", 5)]),
    "coins": ({"coins_ta": 0.7, "coins_tb": 0.35, "coins_mode": "hard"}, [("coins_pos", 3)]),
}
POSITION_OF = {"kmeans": "km_iter", "elbo": "elbo_pos", "singularity": "sing_it",
               "vbgmm": "vb_it", "coins": "coins_pos"}
#: Where those actions leave the position (none of them is where a run starts).
POSITION_AT = {"km_iter": 2, "elbo_pos": 3, "sing_it": 3, "vb_it": 5, "coins_pos": 3}


def _act(at: AppTest, key: str, value) -> AppTest:
    if isinstance(value, Paused):  # what emviz.ui.stepper does with the browser's report
        at.session_state[key] = int(value)
        return _ok(at.run())
    if value is None:
        return _ok(at.button(key=key).click().run())
    if key in urlstate.POSITIONS:  # a lab that steps in the browser reports where it paused
        at.session_state[key] = value
        return _ok(at.run())
    return _ok(at.slider(key=key).set_value(value).run())


@pytest.mark.parametrize("page", list(LAB_CASES))
def test_lab_settings_round_trip_through_a_fresh_session(page):
    settings, actions = LAB_CASES[page]
    first = _session(page, **settings)
    for key, value in actions:
        first = _act(first, key, value)
    link = _link(first)
    if page in POSITION_OF:
        assert first.session_state[POSITION_OF[page]] == POSITION_AT[POSITION_OF[page]]
    keys = [*settings, *([POSITION_OF[page]] if page in POSITION_OF else [])]
    lab_names = {p.name for p in urlstate.LAB_PARAMS[page]}
    for key in keys:
        assert key in link or key not in lab_names, key
    fresh = _session(page, link)
    for key in keys:
        assert fresh.session_state[key] == first.session_state[key], key
    assert not fresh.warning or all("link" not in w.value for w in fresh.warning)
    assert _screen(fresh) == _screen(first)
    assert _link(fresh) == link


def test_coins_sets_travel_in_the_link():
    first = _session("coins", coins_sets=pd.DataFrame(
        {"tosses": ["HHHHHHHHHT", "TTTTTTTTTH", "HTHT"], "coin": ["A", None, "B"]}))
    first = _act(first, "coins_pos", 20)  # the stepper paused at the end of the run
    link = _link(first)
    assert link["coins_set"] == ["HHHHHHHHHT.A", "TTTTTTTTTH", "HTHT.B"]
    fresh = _session("coins", link)
    assert fresh.dataframe[0].value["tosses"].tolist() == ["HHHHHHHHHT", "TTTTTTTTTH", "HTHT"]
    assert fresh.session_state["coins_pos"] == 20
    assert _screen(fresh) == _screen(first)


def test_iris_preset_link_reproduces_both_optima():
    first = _session("initialisation", init_m=10)
    first = _ok(first.button(key="init_iris").click().run())
    link = _link(first)
    assert (link["all"], link["sample"], link["init_seed"]) == ("1", "iris.csv", "550")
    fresh = _session("initialisation", link)
    assert fresh.session_state["tbl_mode"] == "All columns"
    metrics = [(m.label, m.value) for m in fresh.metric]
    assert metrics == [(m.label, m.value) for m in first.metric]
    assert ("n_init keeps (ln L)", f"{IRIS_FLAT_OPTIMUM:.2f} ⚠") in metrics
    assert ("Recommended (ln L)", f"{IRIS_TRUSTED_OPTIMUM:.2f}") in metrics



def test_an_old_link_with_rs_names_opens_the_lab_with_its_settings():
    """Links shared when the lab's controls were ``rs_*`` (at /restarts) keep their settings;
    the page's new link names them ``init_*``."""
    old = {"rs_method": "kmeans++", "rs_m": "10", "rs_seed": "7", "rs_pick": "1",
           "rs_view": "0,1"}
    decoded = decode(old)
    assert decoded.clean and decoded.values == {
        "init_method": "kmeans++", "init_m": 10, "init_seed": 7, "init_pick": 1,
        "init_view": "0,1"}
    at = _session("initialisation", old)
    ss = at.session_state
    assert (ss["init_method"], ss["init_m"], ss["init_seed"]) == ("kmeans++", 10, 7)
    link = _link(at)
    assert (link["init_m"], link["init_seed"]) == ("10", "7")
    assert not any(name.startswith("rs_") for name in link)
    assert len(at.get("plotly_chart")) == 2 and not at.error  # its histogram and gallery


LAB_HOSTILE = [
    ("km_init", "kmeans"), ("km_sigma", "0.3"), ("km_iter", "-1"), ("init_method", "ALL"),
    ("init_m", "7"), ("init_m", "1e3"), ("init_pick", "12"), ("init_view", "1,0"),
    ("init_view", "0;1"),
    ("init_seed", "1000001"), ("ms_criterion", "bic<script>"), ("ms_n_init", "2"),
    ("ms_k", "11"), ("elbo_k", "0"), ("elbo_pos", "2001"), ("sing_floor", "0.5"),
    ("sing_floor", "nan"), ("sing_remedy", "__import__('os')"), ("sing_source", ""),
    ("vb_alpha", "0.02"), ("vb_type", "dirichlet"), ("vb_k", "21"), ("coins_ta", "1.5"),
    ("coins_tb", "-0"), ("coins_tb", "inf"), ("coins_mode", "SOFT"), ("coins_set", "HTX"),
    ("coins_set", "HT.C"), ("coins_set", "H" * 101), ("coins_set", ["HT"] * 31), ("all", "2"),
]


@pytest.mark.parametrize(("name", "value"), LAB_HOSTILE)
def test_hostile_lab_values_fall_back_and_are_named(name, value):
    got = decode({"src": "sample" if name == "all" else "synthetic", name: value})
    if name == "coins_tb" and value == "-0":  # −0 is a number in [0, 1]: accepted
        assert got.clean and got.values["coins_tb"] == 0.0
        return
    assert got.rejected == [name]
    assert set(got.values) <= {"data_source"}


def test_lab_positions_wait_for_their_run():
    got = decode({"elbo_pos": "5", "km_iter": "3", "elbo_k": "2"})
    assert got.values[urlstate.PENDING_LAB] == {"elbo_pos": 5, "km_iter": 3}
    assert got.values["elbo_k"] == 2 and "elbo_pos" not in got.values
    session = {urlstate.PENDING_LAB: {"elbo_pos": 5}}
    assert urlstate.take_linked(session, "elbo_pos", 1) == 5
    assert urlstate.take_linked(session, "elbo_pos", 1) == 1  # once only


def test_lab_controls_are_written_only_for_their_page():
    values = {"init_m": 20, "km_seed": 4, "elbo_k": 5}
    assert "init_m" in encode(values, page="initialisation") and "km_seed" not in encode(
        values, page="initialisation")
    assert not {"init_m", "km_seed", "elbo_k"} & set(encode(values, page="explore"))


def test_url_allow_lists_match_the_labs():
    from emviz.ui.labs import init_sensitivity, kmeans_vs_gmm, model_selection, singularity
    from emviz.ui.labs import vbgmm as vb

    assert urlstate.KM_INITS == kmeans_vs_gmm.CENTRE_INITS
    assert urlstate.KM_SIGMAS == kmeans_vs_gmm.SIGMA_FACTORS
    assert urlstate.INIT_ALL == init_sensitivity.ALL
    assert urlstate.INIT_COUNTS == init_sensitivity.RESTART_COUNTS
    assert urlstate.INIT_GALLERY == init_sensitivity.GALLERY_MAX
    assert urlstate.MS_N_INIT == model_selection.N_INIT_OPTIONS
    assert urlstate.MS_K == model_selection.K_VALUES
    assert ("auto", *urlstate.SING_FLOORS) == singularity.FLOORS
    assert urlstate.VB_SOURCES == vb.SOURCES and urlstate.VB_ALPHAS == vb.CONCENTRATIONS
    assert urlstate.ALL_MODE == __import__("emviz.ui.data_panel").ui.data_panel.ALL


def test_hostile_lab_link_in_the_app_falls_back_with_a_note():
    at = _session("initialisation", {"init_m": "7", "init_method": "<script>alert(1)</script>",
                               "init_view": "9,9", "coins_set": "HTX", "elbo_pos": "-5"})
    assert at.session_state["init_m"] == 50 and at.session_state["init_method"] == "all four"
    text = " ".join(w.value for w in at.warning)
    assert all(name in text for name in ("init_m", "init_method", "init_view", "coins_set",
                                         "elbo_pos"))
    assert "<script>" not in text and "alert" not in text
    assert "**200 restarts**" in " ".join(m.value for m in at.markdown)  # 4 methods × 50


def test_a_links_lab_position_does_not_outlive_the_first_change():
    # /explore?elbo_pos=7: once the user changes something, a later visit to the ELBO lab
    # starts where that lab starts (half-step 1), not at the stale linked position.
    at = _session("", {"elbo_pos": "7"})
    assert at.session_state[urlstate.PENDING_LAB] == {"elbo_pos": 7}
    at = _ok(at.sidebar.number_input(key="model_k").set_value(2).run())
    assert urlstate.PENDING_LAB not in at.session_state
    at = _goto(at, "elbo")
    assert at.session_state["elbo_pos"] == 1


def test_older_links_with_the_animation_switch_still_open_cleanly():
    got = decode({"k": ["3"], "animate": ["1"]})
    assert got.clean and got.values == {"model_k": 3}


def test_a_start_set_by_hand_travels_as_the_method_it_replaced():
    values = {**SYNTHETIC_CUSTOM, "model_init": state.MANUAL, "model_init_auto": "kmeans"}
    assert encode(values)["init"] == ["kmeans"]
    assert encode({**values, "model_init_auto": None})["init"] == [state.DEFAULTS["model_init"]]


def test_draw_your_own_data_is_a_scenario_a_link_can_name():
    got = decode({"src": ["synthetic"], "scenario": ["draw"]})
    assert got.clean and got.values["syn_preset"] == state.DRAW
