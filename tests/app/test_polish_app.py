"""AppTest: every page right in every language, links that behave, presets that make their point.

One test (or one parametrized family) per item, in English, Japanese and Russian wherever
text is involved. What AppTest cannot see (history entries, page paths, layout, what the
data grid draws) is checked in tests/e2e/test_polish.py.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from emviz.numbers import parse_sig
from emviz.ui.i18n import LANGUAGES, catalog, translate
from tests import stepper_view as sv
from tests.stepper_view import ok, open_page

LANGS = list(LANGUAGES)


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for a in (*at.info, *at.warning, *at.success)]
    return "\n".join(parts)


def _figure(at: AppTest, i: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def tr(key: str, lang: str, **fmt) -> str:
    return translate(key, lang, **fmt)


# --- Words: lab captions name the data as the sidebar does ---------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("page", "preset", "state"), [
    ("kmeans", "unequal_sizes", {}),
    ("initialisation", "kmeans_agrees", {"init_m": 10}),
    ("selection", "overlapping", {"ms_k": 3}),
])
def test_lab_captions_show_translated_preset_names(lang, page, preset, state):
    at = open_page(page, {"lang": lang}, **state)
    assert at.session_state["syn_preset"] == preset
    captions = [c.value for c in at.caption]
    name = tr(f"panels.preset.{preset}", lang)
    data_line = [c for c in captions if c.startswith("**")]
    assert data_line and data_line[0].startswith(f"**{name}** · "), captions
    assert preset not in data_line[0]  # the internal id (case-sensitive: "Overlapping" is fine)


# --- Words: the same buttons say the same thing on every page ------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_kmeans_lab_buttons_speak_explores_words(lang):
    at = open_page("kmeans", {"lang": lang})
    words = sv.payload(at)["text"]  # the lab's stepper: Explore's controls
    assert words["step"] == tr("stepview.step", lang)
    assert words["new_init"] == tr("stepview.new_init", lang)
    assert "**Step**" not in "\n".join(m.value for m in at.markdown) or lang == "en"


@pytest.mark.parametrize("lang", LANGS)
def test_open_in_explore_names_the_page_as_the_menu_does(lang):
    at = open_page("initialisation", {"lang": lang}, init_m=10)
    label = at.button(key="init_open").label
    assert tr("explore.nav", lang) in label
    if lang != "en":
        assert "Explore" not in label
        help_text = tr("restarts.pick_help", lang) + tr("labs.explore_max_dim", lang, d=4)
        assert "Explore" not in help_text


def test_russian_says_zerno_not_seed():
    at = open_page("initialisation", {"lang": "ru"}, init_m=10)
    labels = [w.label for w in (*at.number_input, *at.sidebar.number_input)]
    assert "Первое зерно" in labels and "Зерно данных" in labels
    assert not any("seed" in label.casefold() for label in labels), labels
    for key, entry in catalog().items():
        assert not re.search(r"seed", entry["ru"].replace("{seed}", ""), re.I), key


# --- Initialisation: the per-method table shows every column, as numbers ------------------
@pytest.mark.parametrize("lang", LANGS)
def test_per_method_table_has_every_column_written_for_people(lang):
    at = open_page("initialisation", {"lang": lang}, init_m=10)
    table = at.table[0].value
    headers = [tr(f"labfig.col_{c}", lang) for c in (
        "method", "restarts", "converged", "collapsed", "median_iter", "fraction_top",
        "fraction_best")]
    assert list(table.columns) == headers
    shown = _display_values(at.table[0])
    assert all(str(v).endswith("%") for v in shown[headers[-1]])
    assert all(str(v).endswith("%") for v in shown[headers[-2]])


def _display_values(element):
    """What a Styler makes a table show (its display strings), as a frame."""
    import pyarrow as pa

    raw = element.proto.arrow_data.styler.display_values
    return pa.ipc.open_stream(raw).read_all().to_pandas()


# --- Two coins: the totals row has blank cells, not "None" ----------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_coins_totals_row_is_blank_not_none(lang):
    at = open_page("coins", {"lang": lang})
    table = sv.payload(at)["tables"][0]
    total = sv.at_h(table["rows"], 1)[-1]  # after the first E-step
    assert total[0] == tr("theory.fig.total", lang)
    assert "None" not in total and "nan" not in total and total[4] == total[5] == ""


# --- ELBO: two-line notes keep a space where the line breaks --------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_elbo_notes_do_not_run_sentences_together(lang):
    at = open_page("elbo", {"lang": lang})
    bound = next(c for c in sv.payload(at)["charts"] if c["id"] == "bound")
    layout = bound["figure"]["layout"]
    # the bars' baseline (a note above them, one of the marks the stepper draws) and the
    # waterfall's sums (its axis title)
    marks = bound["channels"][0]
    texts = [mark.get("text", "") for mark in sv.at_h(marks, 0)["marks"]
             if isinstance(mark.get("text"), str)]
    texts.append(layout["xaxis2"]["title"]["text"])
    notes = [text for text in texts if "<br>" in text]
    assert len(notes) == 2, texts
    for note in notes:
        read = note.replace("<br>", "")  # what a screen reader or a copy gets
        if lang != "ja":  # Japanese runs on without spaces by design
            assert not re.search(r"[),.;:][^\W\d_]", read), read  # "shown),so" "KL.Values"


# --- Numbers: one format, no e+04, no padded floats, no SI prefixes --------------------------
BIG_1D = "value\n" + "\n".join(
    f"{v:.3f}" for v in np.concatenate([np.random.default_rng(0).normal(19_000, 8_000, 300),
                                        np.random.default_rng(1).normal(60_000, 2_000, 200)]))


def test_parameter_table_reads_well_for_data_in_the_tens_of_thousands():
    at = open_page()
    ok(at.sidebar.radio(key="data_source").set_value("Upload CSV").run())
    ok(at.file_uploader(key="csv_upload").upload("big.csv", BIG_1D.encode(), "text/csv").run())
    ok(at.sidebar.number_input(key="model_k").set_value(2).run())
    p = sv.payload(at)
    table = p["tables"][0]
    rows = sv.at_h(table["rows"], p["n"] - 1)  # the parameters at the end of the run
    cells = [str(c) for row in rows for c in row[1:]]
    assert not any("e+" in c or "e-" in c or ".0000" in c or "[" in c for c in cells), cells
    means = sorted(parse_sig(row[table["columns"].index("μ")]) for row in rows)
    assert means[0] == pytest.approx(19_000, rel=0.1)
    assert means[1] == pytest.approx(60_000, rel=0.05)
    dets = [row[table["columns"].index("det Σ")] for row in rows]
    assert any("×10" in d for d in dets)  # variances of ~10⁷ in power form
    layout = p["charts"][0]["figure"]["layout"]
    assert layout["template"]["layout"]["yaxis"]["exponentformat"] == "power"


# --- Links: a scenario implies synthetic data, anything ignored is named ---------------------
@pytest.mark.parametrize("lang", LANGS)
def test_a_scenario_link_without_src_shows_that_scenario_with_a_note(lang):
    at = open_page("", {"lang": lang, "scenario": "six_clusters_3d", "k": "6"})
    ss = at.session_state
    assert ss["data_source"] == "Synthetic" and ss["syn_preset"] == "six_clusters_3d"
    assert ss["model_k"] == 6 and ss["model_init"] == "kmeans++"  # the preset's suggestion
    source = tr("panels.source.Synthetic", lang)
    assert tr("share.implied", lang, source=source) in [i.value for i in at.info]
    assert f"**{tr('panels.preset.six_clusters_3d', lang)}**" in _text(at)


@pytest.mark.parametrize("lang", LANGS)
def test_link_settings_that_do_not_apply_are_named(lang):
    at = open_page("", {"lang": lang, "src": "sample", "scenario": "overlapping"})
    assert at.session_state["data_source"] == "Sample"
    assert tr("share.ignored", lang, names="scenario") in [i.value for i in at.info]


@pytest.mark.parametrize("lang", LANGS)
def test_a_step_beyond_the_run_is_clamped_with_a_note(lang):
    at = open_page("", {"lang": lang, "step": "5000"})
    last = int(at.session_state["n_half_steps"]) - 1
    assert at.session_state["position"] == last and 0 < last < 5000
    assert tr("explore.step_clamped", lang, step=5000, last=last) in [i.value for i in at.info]
    assert not at.warning  # a step is not a broken link


# --- Presets: six clusters (3D) shows what its caption says ---------------------------------
def test_six_clusters_preset_finds_the_six_clusters_from_its_suggested_start():
    from emviz import e_step, initialize, make_preset, run_em
    from emviz.data.synthetic import adjusted_rand_index

    at = open_page()
    ok(at.sidebar.selectbox(key="syn_preset").set_value("six_clusters_3d").run())
    ss = at.session_state
    assert (ss["model_k"], ss["model_init"], ss["model_seed"]) == (6, "kmeans++", 0)
    for data_seed in range(3):  # what the caption promises, for the first data seeds too
        data = make_preset("six_clusters_3d", seed=data_seed)
        trace = run_em(data.X, initialize(data.X, 6, "kmeans++", 0), "full", ss["model_reg"],
                       ss["model_max_iter"], ss["model_tol"])
        found = e_step(data.X, trace.final).resp.argmax(axis=1)
        assert adjusted_rand_index(data.labels, found) > 0.99, data_seed


# --- Hiding the future on the labs that draw a whole run ------------------------------------
#: The charts whose curves tell the future, per lab that steps in the browser.
LABS_WITH_A_FUTURE = {"singularity": ("det", "loglik"), "vbgmm": ("weights", "elbo"),
                      "coins": ("theta",)}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", list(LABS_WITH_A_FUTURE))
def test_labs_can_hide_the_future(page, lang):
    """One way to hide the future: the stepper's own control, which draws every curve only
    as far as the class has stepped (its reveal spec), and keeps the end box for the end."""
    at = open_page(page, {"lang": lang})
    assert not [w for w in at.toggle if "hide_future" in (w.key or "")]
    p = sv.payload(at)
    assert "predict" in p["controls"] and p["text"]["predict"] == tr("stepview.predict", lang)
    for chart in (c for c in p["charts"] if c["id"] in LABS_WITH_A_FUTURE[page]):
        reveal = chart["reveal"]
        curves = chart["figure"]["data"]
        # every curve, and only curves (the cursor and rings are the stepper's marks)
        assert reveal["traces"] == list(range(len(curves)))
        assert "marks" in [c["kind"] for c in chart["channels"]]
        assert len(reveal["upto"]) == p["n"] and reveal["upto"][0] == 0
        assert reveal["upto"] == sorted(reveal["upto"]) and reveal["upto"][-1] > 0
        whole = max(max(_decoded(curves[t].get("x"))) for t in reveal["traces"])
        assert reveal["x_range"][1] >= whole  # the axis spans the whole run once revealed


def _decoded(x) -> list[float]:
    import base64

    if isinstance(x, dict):
        return np.frombuffer(base64.b64decode(x["bdata"]), x["dtype"]).tolist()
    return list(x or [])


# --- The 1D histogram: bins by the rule, or the user's --------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_1d_histogram_bins_can_be_chosen(lang):
    at = open_page("", {"lang": lang, "src": "synthetic", "scenario": "three_peaks_1d"})
    control = at.sidebar.select_slider(key="hist_bins")
    assert control.label == tr("explore.bins", lang) and control.value == "auto"

    def bins(at: AppTest) -> int:
        return len(_decoded(sv.payload(at)["charts"][0]["figure"]["data"][0]["x"]))

    assert bins(at) > 12  # the old rule drew 12 bins for this preset
    ok(control.set_value(50).run())
    assert bins(at) == 50
    two_d = open_page("", {"lang": lang})
    assert not [s for s in two_d.sidebar.select_slider if s.key == "hist_bins"]


# --- History: the script that turns Streamlit's pushes into replaces ------------------------
def test_every_page_carries_the_history_script_with_its_paths():
    from emviz.ui.sidebar_common import history_js

    at = open_page("kmeans")
    body = next(h.proto.body for h in at.get("html") if "emviz-history" in h.proto.body)
    paths = '"", "coins", "elbo", "initialisation", "kmeans", "selection", "singularity", "vbgmm"'
    assert f"[{paths}]" in body
    assert "replaceState" in body and "__PAGES__" not in body
    assert 'const base = "/emviz";' in history_js(["", "kmeans"], "/emviz/")
    assert 'const base = "";' in history_js(["", "kmeans"], "")
    hostile = history_js(["", "kmeans"], "/a</script><script>alert(1)")
    assert hostile.count("</script>") == 1 and hostile.count("<script") == 1


def test_the_first_run_leaves_the_address_as_opened():
    # The history script is not running yet when the first run ends: writing the URL then
    # would add the one history entry the script exists to avoid.
    at = open_page("", {"k": "4"})
    assert dict(at.query_params.items()) == {"k": "4"}
    ok(at.sidebar.number_input(key="model_seed").set_value(3).run())
    query = dict(at.query_params.items())
    assert query["k"] == "4" and query["seed"] == "3" and query["src"] == "synthetic"


def test_each_language_is_written_in_its_own_script():
    """No Russian word in the English or Japanese text (a bulk edit once put "зерно" there),
    no Japanese in the English or Russian."""
    cyrillic, kana_kanji = r"[\u0400-\u04ff]", r"[\u3040-\u30ff\u4e00-\u9fff]"
    for key, entry in catalog().items():
        assert not re.search(cyrillic, entry["en"] + entry["ja"]), key
        assert not re.search(kana_kanji, entry["en"] + entry["ru"]), key


# --- What just happened: the formulas of the half-step on screen ----------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_explore_sends_the_formulas_of_each_half_step(lang):
    import html

    at = open_page("", {"lang": lang, "cov": "tied"})
    p = sv.payload(at)
    assert sv.at_h(p["formula"], 0) is None  # the start: nothing computed yet
    e_step, m_step = sv.at_h(p["formula"], 1), sv.at_h(p["formula"], 2)
    assert e_step.count("<math") == 1 and html.escape(tr("formula.e_step", lang)) in e_step
    assert m_step.count("<math") == 4 and html.escape(tr("formula.sigma_tied", lang)) in m_step
    assert "\\\\" not in m_step and "$" not in m_step  # no LaTeX: the browser draws MathML
