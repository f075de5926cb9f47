"""AppTest: your own data end to end. The upload stays on every page, real data gets sensible
defaults, and Explore's analyst panel chooses K, summarises, assigns new rows and writes a
scikit-learn script. Every interaction is followed by a check that nothing raised."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import emviz
from emviz.figures import exports
from emviz.ui import analyst, cache, data_panel, downloads
from emviz.ui.state import ModelSpec, TableSpec
from tests.builders import IRIS_FLAT_OPTIMUM_SEED
from tests.csv_corpus.real_like import penguins_like
from tests.shown import shown
from tests.stepper_view import open_downloads, payload, stepped_to

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ASSETS = Path(__file__).resolve().parents[2] / "assets"
GEYSER = (ASSETS / "old_faithful.csv").read_bytes()
PENGUINS = penguins_like()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def page(at: AppTest, url_path: str) -> AppTest:
    """Open the page at ``url_path`` ("" is Explore) as the menu would."""
    at._page_hash = next(h for h, info in at._registered_pages.items()
                         if info.get("url_pathname") == url_path)
    return ok(at.run())


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for kind in ("success", "warning", "info", "error") for e in at.get(kind)]
    return shown("\n".join(str(p) for p in parts))


def figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def explore_figure(at: AppTest) -> dict:
    """Explore's chart, as the browser-side stepper receives it."""
    return payload(at)["charts"][0]["figure"]


def run_to_the_end(at: AppTest) -> AppTest:
    """What the page does when the browser reports that the stepper stopped at the end."""
    return stepped_to(at, payload(at)["n"] - 1)


def upload(raw: bytes, name: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    ok(at.run())
    ok(at.radio(key="data_source").set_value("Upload CSV").run())
    return ok(at.file_uploader(key="csv_upload").upload(name, raw, "text/csv").run())


def sample(name: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["data_source"] = "Sample"
    at.session_state["sample_name"] = name
    for key, value in state.items():
        at.session_state[key] = value
    return ok(at.run())


# --- one data source for the whole session -----------------------------------------------------
def test_the_upload_stays_on_every_page_and_open_in_explore_carries_it():
    at = upload(GEYSER, "geyser.csv")
    assert "geyser.csv" in texts(at) and at.get("bidi_component")
    for lab in ("kmeans", "initialisation", "selection", "elbo", "singularity", "vbgmm"):
        page(at, lab)
        assert at.session_state["data_source"] == "Upload CSV", lab
        assert "Choose data in the sidebar" not in texts(at), lab
        assert "geyser.csv" in texts(at), lab
    page(at, "selection")
    ok(at.selectbox(key="ms_k").set_value(2).run())
    ok(at.selectbox(key="ms_cov").set_value("full").run())
    ok(at.button(key="ms_open").click().run())
    page(at, "")  # the browser test checks the switch itself; AppTest does not follow it
    assert at.session_state["model_k"] == 2
    assert "**geyser.csv** · 272 points" in texts(at)
    assert at.get("bidi_component")


def test_remove_forgets_the_file_everywhere():
    at = page(upload(GEYSER, "geyser.csv"), "kmeans")
    assert "uploaded earlier in this session" in texts(at)
    ok(at.button(key="upload_forget").click().run())
    assert data_panel.UPLOAD not in at.session_state
    assert "geyser.csv" not in texts(page(at, ""))


# --- sensible defaults for real data -----------------------------------------------------------
def test_ids_and_years_are_skipped_and_listed():
    at = upload(PENGUINS, "penguins.csv")
    assert at.session_state["tbl_columns"] == ["bill_length_mm", "bill_depth_mm"]
    body = texts(at)
    assert "Not picked by default" in body
    assert "'index' skipped: it holds the row numbers 1..200" in body
    assert "'year' skipped: only 3 distinct whole numbers (2007, 2008, 2009)" in body
    assert "year" in at.selectbox(key="tbl_label").options  # a category: a label candidate
    assert at.session_state["tbl_label"] == "species"


def test_columns_on_different_scales_get_their_own_axes_and_a_standardise_button():
    at = upload(GEYSER, "geyser.csv")
    layout = explore_figure(at)["layout"]
    assert "scaleanchor" not in layout["yaxis"]
    assert "spreads differ 12×" in texts(at)
    ok(at.button(key="tbl_standardise_now").click().run())
    assert at.session_state["tbl_standardise"] is True
    assert explore_figure(at)["layout"]["yaxis"]["scaleanchor"] == "x"
    assert "so each axis gets its own scale" not in texts(at)


def test_pca_standardises_first_when_scales_differ_and_leaves_columns_out():
    at = upload(PENGUINS, "penguins.csv")
    ok(at.radio(key="tbl_mode").set_value("Project with PCA").run())
    assert at.session_state["tbl_standardise"] is True
    assert at.session_state["tbl_pca_columns"] == ["bill_length_mm", "bill_depth_mm",
                                                   "flipper_length_mm", "body_mass_g"]
    body = texts(at)
    assert "Standardised before PCA" in body and "Projecting 4 numeric columns" in body
    ok(at.multiselect(key="tbl_pca_columns").unselect("body_mass_g").run())
    assert "Projecting 3 numeric columns" in texts(at)
    ok(at.toggle(key="tbl_standardise").set_value(False).run())
    assert "'flipper_length_mm' alone decides the first component" in texts(at)


def test_explore_offers_pca_instead_of_dropping_all_columns():
    at = sample("wine.csv", tbl_mode="All columns", tbl_for="sample:wine.csv:")
    assert "cannot use all 13 columns" in texts(at) and not at.get("bidi_component")
    ok(at.button(key="tbl_refused_pca").click().run())
    assert at.session_state["tbl_mode"] == "Project with PCA"
    assert at.session_state["tbl_standardise"] is True  # wine's spreads differ ~3000x
    assert "Standardised before PCA" in texts(at)
    assert at.get("bidi_component")


# --- the analyst's result ----------------------------------------------------------------------
def test_choose_k_takes_the_recommended_bic_and_shows_its_curve():
    at = upload(GEYSER, "geyser.csv", model_k=5)
    ok(at.button(key="analyst_choose_k").click().run())
    spec = TableSpec("upload", "geyser.csv", cache.digest(GEYSER),
                     ("eruptions_min", "waiting_min"))
    X = cache.prepared(spec, _raw=GEYSER).X
    result = emviz.model_selection(X, range(1, 11), ("full",), "random_from_data", 1, 0, 1e-6,
                                   100, 1e-3)
    best = analyst.recommended(result)
    assert at.session_state["model_k"] == best.n_components == 2
    assert "K = 2 (full) has the lowest BIC among sound fits" in texts(at)
    bic = next(figure(at, i) for i in range(len(at.get("plotly_chart")))
               if figure(at, i)["layout"]["xaxis"].get("tickvals") == list(range(1, 11)))
    star = bic["data"][-1]
    assert star["marker"]["symbol"] == "star" and star["x"] == [2]


def test_choose_k_passes_over_a_degenerate_winner():
    """Iris, 4 columns, from the flat optimum's seed: the lowest BIC is K = 3 with a flat
    component; K = 2 is the fit to trust, and it is the one Choose K takes."""
    iris = emviz.load_csv(ASSETS / "iris.csv")
    X = iris.select(list(iris.numeric_columns)).X
    result = emviz.model_selection(X, range(1, 11), ("full",), "kmeans++", 1,
                                   IRIS_FLAT_OPTIMUM_SEED, 1e-6, 200,
                                   1e-4)
    assert result.best_bic.n_components == 3 and result.best_bic.suspicious
    assert analyst.recommended(result).n_components == 2


def test_cluster_summary_in_original_units_with_the_label_table():
    at = run_to_the_end(sample("iris.csv", model_k=3))
    tables = [t.value for t in at.table]
    summary = next(t for t in tables if "column" in (t.index.name or ""))
    assert [shown(c) for c in summary.index] == [
        "sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm",
    ]  # every numeric column, not just two
    assert all(" ± " in cell for cell in summary.to_numpy().ravel())
    assert sum(int(h.split(" · ")[1].split()[0]) for h in summary.columns) == 150
    crosstab = next(t for t in tables if set(t.columns) == {"setosa", "versicolor",
                                                           "virginica"})
    assert crosstab.to_numpy().sum() == 150
    assert "**Components × species** (rows) · ARI" in texts(at)


def test_assign_new_rows_matches_the_library():
    at = run_to_the_end(upload(GEYSER, "geyser.csv", model_k=2, tbl_standardise=True))
    lines = GEYSER.decode().splitlines()
    new = "\n".join([lines[0], *lines[1:30], "NA,70", "2.0,50"]) + "\n"
    ok(at.file_uploader(key="assign_upload").upload("more.csv", new.encode(), "text/csv").run())
    assert "Labelled 30 of 31 rows" in texts(at)
    assert "Rows skipped for a missing value in a needed column: 1." in texts(at)
    assert any(b.label.startswith("Download the new rows") for b in at.get("download_button"))
    spec = TableSpec("upload", "geyser.csv", cache.digest(GEYSER),
                     ("eruptions_min", "waiting_min"), standardise=True)
    model = ModelSpec(n_components=2, init_params="random_from_data")
    trace = cache.fit(spec, model, _raw=GEYSER).trace
    fitted = emviz.FittedMixture.from_json(
        cache.params_json(spec, model, trace.n_half_steps - 1, {}, _raw=GEYSER))
    labels = fitted.assign(emviz.load_csv(new.encode())).labels
    counts = ", ".join(f"{k + 1}: {c}" for k, c in enumerate(np.bincount(labels, minlength=2)))
    assert f"Rows per component: {counts}." in texts(at)


def test_the_scikit_learn_script_is_offered():
    at = upload(GEYSER, "geyser.csv")
    assert not at.get("code")
    ok(at.toggle(key=analyst.SHOW_SCRIPT).set_value(True).run())
    code = at.get("code")[0].proto.code_text
    assert "GaussianMixture(" in code and "precisions_init=precisions_init" in code
    assert "pd.read_csv('geyser.csv'" in code


def test_the_labelled_download_of_an_upload_keeps_every_cell():
    spec = TableSpec("upload", "penguins.csv", cache.digest(PENGUINS),
                     ("bill_length_mm", "flipper_length_mm"), "species")
    model = ModelSpec(n_components=3)
    trace = cache.fit(spec, model, _raw=PENGUINS).trace
    data = cache.prepared(spec, _raw=PENGUINS)
    made = downloads.files(spec, model, PENGUINS, data, trace, 2, None, cache.be.FigureOptions())
    out = made["csv"].make().decode()
    for before, after in zip(PENGUINS.decode().splitlines(), out.splitlines(), strict=True):
        assert after.startswith(before + ",")
    assert out.splitlines()[4].endswith(",NA,2007,,,,")  # a skipped row: new cells empty


# --- PNG: on request, never a silent wait ------------------------------------------------------
def test_png_is_drawn_on_request_and_a_stuck_browser_becomes_a_message(monkeypatch):
    monkeypatch.setattr(downloads, "png_available", lambda: True)
    monkeypatch.setattr(exports, "PNG_TIMEOUT_S", 0.5)
    monkeypatch.setattr(exports, "_draw_png", lambda *a: time.sleep(5) or b"")
    at = open_downloads(AppTest.from_file(APP, default_timeout=120).run())
    ok(at)
    start = time.monotonic()
    ok(at.button(key="png_make").click().run())
    assert time.monotonic() - start < 5
    assert any("not ready after 0.5 s" in shown(e.value) for e in at.error)


def test_png_without_kaleido_or_chromium_says_why(monkeypatch):
    monkeypatch.setattr(downloads, "png_available", lambda: False)
    at = open_downloads(ok(AppTest.from_file(APP, default_timeout=120).run()))
    assert at.button(key="png_make").disabled
    assert "needs kaleido and Chromium" in texts(at)


def test_png_made_is_offered_as_a_download(monkeypatch):
    monkeypatch.setattr(downloads, "png_available", lambda: True)
    monkeypatch.setattr(exports, "_draw_png", lambda *a: b"\x89PNG fake")
    at = open_downloads(ok(AppTest.from_file(APP, default_timeout=120).run()))
    ok(at.button(key="png_make").click().run())
    assert [b for b in at.get("download_button") if "PNG" in b.label]
    assert not at.error


@pytest.mark.parametrize("lang", ["ja", "ru"])
def test_the_panel_in_other_languages(lang):
    at = upload(PENGUINS, "penguins.csv", lang=lang)
    ok(at.button(key="analyst_choose_k").click().run())
    assert "lowest BIC among sound fits" not in texts(at)
    assert at.button(key="analyst_choose_k").label != "Choose K for me"
    assert "Your result" not in [h.value for h in at.subheader]


def test_the_summary_leaves_identifiers_and_codes_out_unless_clustered():
    at = upload(PENGUINS, "penguins.csv")
    summary = next(t.value for t in at.table if "column" in (t.value.index.name or ""))
    assert [shown(c) for c in summary.index] == ["bill_length_mm", "bill_depth_mm",
                                                 "flipper_length_mm", "body_mass_g"]
    assert all("," not in cell for cell in summary.to_numpy().ravel())  # 3665, not 3,665
