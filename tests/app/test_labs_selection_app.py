"""AppTest: the k-means vs GMM, initialisation and model selection labs.

Pages are callables registered by ``st.navigation`` (``emviz/ui/pages.py``), which
``AppTest.switch_page`` cannot address (it takes page *files*). :func:`open_lab` therefore
selects the page by its ``url_path`` among the pages the first run registered.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.builders import IRIS_FLAT_OPTIMUM, IRIS_FLAT_OPTIMUM_SEED, IRIS_TRUSTED_OPTIMUM
from tests.shown import shown
from tests.stepper_view import at_h, sent

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_lab(url_path: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    hashes = [h for h, info in at._registered_pages.items()
              if info.get("url_pathname") == url_path]
    assert hashes, f"no page with url_path {url_path!r}"
    at._page_hash = hashes[0]
    return ok(at.run())


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for kind in ("success", "warning", "info", "error") for e in at.get(kind)]
    return "\n".join(shown(p) for p in parts)


def figure(at: AppTest, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


# --- k-means vs GMM ---------------------------------------------------------------------------
def test_kmeans_lab_opens_on_unequal_sizes_and_sends_both_runs():
    at = open_lab("kmeans")
    assert at.session_state["syn_preset"] == "unequal_sizes"
    assert len(at.get("plotly_chart")) == 2  # soft k-means and the limit curve; both runs
    head, p = sent(at)                       # step in the browser
    assert head["goto"] == 0 and [c["id"] for c in p["charts"]] == ["kmeans", "gmm"]
    assert not [b for b in at.button if b.key and b.key.startswith("km_btn")]
    last = p["n"] - 1
    km_ari, em_ari = (float(at_h(m, last)) for m in p["metrics"])
    assert em_ari > 0.9 > km_ari  # GMM recovers, k-means does not
    at.session_state["km_iter"] = last  # the browser reports a pause at the end
    ok(at.run())
    assert at.query_params["km_iter"] == str(last)
    assert sent(at)[0] == head  # the same run: the browser keeps its own position


def test_kmeans_lab_sigma_limit_and_agreeing_preset():
    at = open_lab("kmeans")
    ok(at.select_slider(key="km_sigma").set_value(0.02).run())
    metrics = [m.value for m in at.metric]
    assert metrics[1] == "100.0%" and metrics[2] == "1.000"
    ok(at.button(key="kmeans_quick_kmeans_agrees").click().run())
    assert at.session_state["syn_preset"] == "kmeans_agrees"
    p = sent(at)[1]
    assert [at_h(m, p["n"] - 1) for m in p["metrics"]] == ["1.000", "1.000"]


def test_kmeans_lab_keeps_user_data_and_steps_twenty_centres_in_1d():
    at = open_lab("kmeans", data_source="Synthetic", syn_preset="well_separated")
    assert at.session_state["syn_preset"] == "well_separated"  # not overridden
    at.session_state["model_k"] = 20
    at.session_state["syn_preset"] = "three_peaks_1d"
    ok(at.run())
    km = sent(at)[1]["charts"][0]
    assert len(km["figure"]["layout"]["shapes"]) == 19  # 1D: a border between each pair


# --- initialisation sensitivity ------------------------------------------------------------
def test_restarts_lab_runs_shows_gallery_and_opens_explore():
    at = open_lab("initialisation", init_m=10)
    assert at.session_state["syn_preset"] == "kmeans_agrees"
    body = texts(at)
    assert "40 restarts" in body and "distinct optima" in body
    assert len(at.get("plotly_chart")) == 2  # histogram + gallery
    assert len(at.table[0].value) == 4  # one row per init method
    gallery = figure(at, 1)
    assert "★" in json.dumps(gallery["layout"]["annotations"], ensure_ascii=False)
    ok(at.selectbox(key="init_method").set_value("random").run())
    assert "10 restarts" in texts(at)
    pick = at.selectbox(key="init_pick")
    ok(pick.set_value(pick.options and 0).run())
    ok(at.button(key="init_open").click().run())
    assert at.session_state["model_init"] == "random"
    assert at.session_state["model_tol"] == 1e-6
    head, p = sent(at)  # Explore now, its stepper at half-step 0
    assert head["goto"] == 0 and at_h(p["status"]["title"], 0) == "Iteration 0 · Initialisation"


def test_restarts_lab_flags_a_degenerate_optimum():
    # singularity_trap: 15 copies of one point; K = 4 with a tiny floor lets a component sit there
    at = open_lab("initialisation", init_m=10, init_method="kmeans++", data_source="Synthetic",
                  syn_preset="singularity_trap", model_k=4, model_reg=1e-9)
    body = texts(at)
    assert "suspicious" in json.dumps(figure(at, 1), ensure_ascii=False) or "⚠" in body


def _summary_of_unfinished_iris(lang: str, unfinished: int) -> None:
    """The restarts summary for iris with its first ``unfinished`` optima marked as not
    converged."""
    from dataclasses import replace

    import streamlit as st

    from emviz.data.csv import load_csv
    from emviz.engine.restarts import recommend, run_restarts
    from emviz.ui import cache
    from emviz.ui.labs import init_sensitivity as lab

    st.session_state["lang"] = lang
    tbl = load_csv(cache.ASSETS / "iris.csv")
    X = tbl.select(list(tbl.numeric_columns)).X
    res = run_restarts(X, 3, 20, ("kmeans++",), "full", 1e-6, lab.MAX_ITER, lab.TOL, seed=0)
    optima = tuple(replace(o, converged=i >= unfinished and o.converged)
                   for i, o in enumerate(res.optima))
    lab._summary(replace(res, optima=optima, recommended_index=recommend(optima)))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_restarts_summary_passes_over_an_unfinished_pick(lang):
    """The shared rule's other case: n_init's pick is trustworthy but never converged."""
    from emviz.ui.i18n import translate
    from emviz.ui.labs.init_sensitivity import MAX_ITER

    at = AppTest.from_function(_summary_of_unfinished_iris, args=(lang, 1),
                               default_timeout=120)
    ok(at.run())
    warning = "\n".join(shown(w.value) for w in at.warning)
    unfinished = translate("error.restarts.reason_not_converged", lang)
    assert translate("restarts.unfinished_pick", lang, ll=f"{IRIS_TRUSTED_OPTIMUM:.2f}",
                     reason=unfinished) in warning
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[translate("restarts.metric_recommended", lang)] == "-196.95"
    assert not at.get("page_link")  # nothing singular about it: no singularity link
    # No trustworthy optimum converged: the best trustworthy one is kept, and the page says so.
    at = AppTest.from_function(_summary_of_unfinished_iris, args=(lang, 2),
                               default_timeout=120)
    ok(at.run())
    assert not at.warning and not at.metric and at.success
    note = translate("restarts.recommended_unfinished", lang, max_iter=MAX_ITER)
    assert note in [c.value for c in at.caption]


# --- model selection ------------------------------------------------------------------------------
def test_selection_lab_marks_best_and_true_k_and_opens_cell():
    at = open_lab("selection")
    assert at.session_state["syn_preset"] == "overlapping"
    body = texts(at)
    assert "Best by BIC: **K = 3" in body and "generated with K = 3" in body
    fig = figure(at, 0)
    assert fig["data"][-1]["marker"]["symbol"] == "star"
    assert fig["layout"]["shapes"][0]["x0"] == 3
    ok(at.radio(key="ms_criterion").set_value("aic").run())
    assert "Best by AIC" in texts(at)
    ok(at.selectbox(key="ms_k").set_value(2).run())
    ok(at.selectbox(key="ms_cov").set_value("diag").run())
    ok(at.button(key="ms_open").click().run())
    assert at.session_state["model_k"] == 2 and at.session_state["model_cov"] == "diag"


def _faithful_grid(init: str):
    """The engine's grid for Old Faithful with the lab's own settings."""
    from emviz.data.csv import load_csv
    from emviz.engine.selection import model_selection
    from emviz.ui import cache
    from emviz.ui.labs import model_selection as lab

    tbl = load_csv(cache.ASSETS / "old_faithful.csv")
    X = tbl.select(list(tbl.numeric_columns)).X
    return model_selection(X, lab.K_VALUES, init=init, n_init=1, reg_covar=1e-6,
                           max_iter=lab.MAX_ITER, tol=lab.TOL)


FAITHFUL = {"data_source": "Sample", "sample_name": "old_faithful.csv",
            "ms_init": "random_from_data"}


@pytest.mark.parametrize("lang", ["en", "ja", "ru"])
def test_selection_lab_stars_the_recommended_cell_and_says_why_the_best_is_passed_over(lang):
    """Old Faithful from random_from_data starts: the lowest BIC is a cell with flat
    components; the star, the box and the cell to open are the recommended tied K = 3."""
    from emviz.ui.error_display import localize
    from emviz.ui.i18n import translate

    res = _faithful_grid("random_from_data")
    best, rec = res.best("bic"), res.recommended("bic")
    assert best is not rec and best.suspicious
    assert (rec.n_components, rec.covariance_type) == (3, "tied")
    at = open_lab("selection", lang=lang, **FAITHFUL)
    fig = figure(at, 0)
    star, hollow = fig["data"][-1], fig["data"][-2]
    assert star["marker"]["symbol"] == "star" and star["x"] == [3]
    assert star["name"] == translate("labfig.sel_recommended", lang, k=3, cov="tied")
    assert hollow["marker"]["symbol"] == "star-open" and hollow["x"] == [best.n_components]
    reason = localize(res.passed_over("bic"), lang)
    assert reason.split("; ")[0] in hollow["hovertemplate"].replace("<br>", " ")
    success = [s.value for s in at.success]
    assert success == [translate("selection.recommended", lang, crit="BIC", k=3, cov="tied",
                                 score=f"{rec.bic:,.1f}")]
    warning = "\n".join(shown(w.value) for w in at.warning)
    assert "☆" in warning and reason in warning and f"K = {best.n_components}, diag" in warning
    flat = next(m for m in best.reason.parts if m.code == "restarts.reason_flat")
    assert localize(flat, lang) in warning  # component numbered from 1, in the UI language
    if lang != "en":
        assert "is flat" not in warning and "lowest BIC" not in warning
    # "Open in Explore" opens the recommended cell.
    assert (at.session_state["ms_k"], at.session_state["ms_cov"]) == (3, "tied")


def test_selection_lab_pick_follows_the_recommendation_and_opens_it():
    at = open_lab("selection", **FAITHFUL)
    ok(at.radio(key="ms_criterion").set_value("aic").run())
    rec = _faithful_grid("random_from_data").recommended("aic")
    assert (at.session_state["ms_k"], at.session_state["ms_cov"]) == (
        rec.n_components, rec.covariance_type)
    assert f"Recommended by AIC: **K = {rec.n_components}, {rec.covariance_type}**" in texts(at)
    # k-means++ starts: the best BIC is trustworthy, so it is simply the best.
    ok(at.selectbox(key="ms_init").set_value("kmeans++").run())
    assert "Best by AIC" in texts(at) and "Passed over" not in texts(at)
    ok(at.radio(key="ms_criterion").set_value("bic").run())
    assert "Best by BIC: **K = 3, tied**" in texts(at)
    # A cell the reader picks stays picked until the grid changes, and opens in Explore.
    ok(at.selectbox(key="ms_k").set_value(2).run())
    ok(at.selectbox(key="ms_cov").set_value("full").run())
    assert (at.session_state["ms_k"], at.session_state["ms_cov"]) == (2, "full")
    ok(at.button(key="ms_open").click().run())
    assert at.session_state["model_k"] == 2 and at.session_state["model_cov"] == "full"


def test_a_linked_cell_pick_is_kept_on_the_first_run():
    at = open_lab("selection", ms_k=4, ms_cov="diag", **FAITHFUL)
    assert (at.session_state["ms_k"], at.session_state["ms_cov"]) == (4, "diag")
    assert "Recommended by BIC: **K = 3, tied**" in texts(at)


@pytest.mark.parametrize("lang", ["ja", "ru"])
def test_labs_render_in_other_languages(lang):
    at = open_lab("selection", lang=lang)
    assert "Best by" not in texts(at)


# --- more than 3 columns (iris with all 4 columns) -----------------------------------------
def _page(at: AppTest, url_path: str) -> AppTest:
    at._page_hash = next(h for h, info in at._registered_pages.items()
                         if info.get("url_pathname") == url_path)
    return ok(at.run())


def test_iris_preset_shows_both_optima_as_the_engine_finds_them():
    from emviz.data.csv import load_csv
    from emviz.engine.restarts import run_restarts
    from emviz.ui import cache
    from emviz.ui.labs import init_sensitivity as lab

    at = open_lab("initialisation", init_m=10)
    assert at.button(key="init_iris").proto.type == "secondary"
    ok(at.button(key="init_iris").click().run())
    assert at.button(key="init_iris").proto.type == "primary"  # the preset on screen
    ss = at.session_state
    assert (ss["sample_name"], ss["tbl_mode"], ss["model_k"], ss["model_cov"]) == (
        "iris.csv", "All columns", 3, "full")
    assert (ss["model_reg"], ss["init_method"], ss["init_m"], ss["init_seed"]) == (
        1e-6, "kmeans++", 50, 550)
    # The engine on the same data and settings.
    tbl = load_csv(cache.ASSETS / "iris.csv")
    X = tbl.select(list(tbl.numeric_columns)).X
    res = run_restarts(X, 3, 50, ("kmeans++",), "full", 1e-6, lab.MAX_ITER, lab.TOL, seed=550)
    best, rec = res.best, res.recommended
    assert best.suspicious and IRIS_FLAT_OPTIMUM_SEED in best.seeds and not rec.suspicious
    assert best.log_likelihood == pytest.approx(IRIS_FLAT_OPTIMUM, abs=0.01)
    assert rec.log_likelihood == pytest.approx(-180.185, abs=0.001)
    metrics = {m.label: (m.value, m.proto.delta) for m in at.metric}
    assert metrics["n_init keeps (ln L)"] == (f"{best.log_likelihood:,.2f} ⚠",
                                              f"{best.count} of 50 restarts")
    assert metrics["Recommended (ln L)"] == (f"{rec.log_likelihood:,.2f}",
                                             f"{rec.count} of 50 restarts")
    body = texts(at)
    assert "150 points in 4D" in body and "all 4 numeric columns" in body
    assert f"seed {IRIS_FLAT_OPTIMUM_SEED}" in body
    assert f"{IRIS_FLAT_OPTIMUM:.2f} is not a better model than {IRIS_TRUSTED_OPTIMUM:.2f}" in body
    assert "flat" in body  # the engine's reason, under the gallery
    assert any("singularity" in link.proto.label for link in at.get("page_link"))
    titles = json.dumps(figure(at, 1)["layout"]["annotations"], ensure_ascii=False)
    assert f"#1 · ln L = {IRIS_FLAT_OPTIMUM:.2f}" in titles and "⚠" in titles and "★" in titles
    assert f"#2 · ln L = {IRIS_TRUSTED_OPTIMUM:.2f} · 46× · ✓ recommended" in titles
    # The small plots say which 2-D view they draw, and the view can change.
    assert "sepal_length_cm × sepal_width_cm" in body
    ok(at.selectbox(key="init_view").set_value("2,3").run())
    assert "petal_length_cm × petal_width_cm" in texts(at)
    assert at.button(key="init_open").disabled  # Explore draws at most 3 columns
    # From seed 0, 50 restarts miss the rare degenerate optimum, and the page says so.
    ok(at.number_input(key="init_seed").set_value(0).run())
    assert "None of these 50 restarts reached the degenerate optimum" in texts(at)
    assert not at.metric  # no suspicious n_init pick to set against the recommendation


def test_iris_preset_says_why_the_optimum_is_suspicious_in_japanese():
    """The engine's reasons (flat component, ...) are shown through the catalog, numbered
    from 1 like the legends."""
    from emviz.data.csv import load_csv
    from emviz.engine.restarts import run_restarts
    from emviz.ui import cache
    from emviz.ui.i18n import catalog
    from emviz.ui.labs import init_sensitivity as lab

    # Click in English, then switch: AppTest formats widget options (format_func) outside
    # the session, in English, so it cannot click through a page drawn in Japanese.
    at = open_lab("initialisation", init_m=10)
    ok(at.button(key="init_iris").click().run())
    at.session_state["lang"] = "ja"
    ok(at.run())
    tbl = load_csv(cache.ASSETS / "iris.csv")
    X = tbl.select(list(tbl.numeric_columns)).X
    res = run_restarts(X, 3, 50, ("kmeans++",), "full", 1e-6, lab.MAX_ITER, lab.TOL, seed=550)
    best = res.best
    flat = next(m for m in best.reason.parts if m.code == "restarts.reason_flat")
    body = texts(at)
    assert f"成分 {flat.params['component']} は平らです" in body
    for part in best.reason.parts:  # no English reason left anywhere on the page
        assert str(part) not in body
    assert "is flat" not in body and "thinnest variance" not in body
    warning = "\n".join(w.value for w in at.warning)
    assert "成分" in warning and "ほぼ退化" in warning  # n_init's pick, with its reason
    heading = catalog()["restarts.title"]["ja"]
    assert heading in [t.value for t in at.title]


def test_explore_refuses_all_columns_and_recovers_with_three():
    at = open_lab("initialisation", init_m=10)
    ok(at.button(key="init_iris").click().run())
    at = _page(at, "")  # the default page (Explore) has an empty url_pathname
    assert any("cannot use all 4" in w.value for w in at.warning)
    assert not at.get("bidi_component")
    ok(at.sidebar.radio(key="tbl_mode").set_value("Pick columns").run())
    assert at.get("bidi_component")  # the Explore stepper
    assert not any("cannot use all" in w.value for w in at.warning)


def test_selection_lab_scores_all_four_iris_columns():
    at = open_lab("selection", data_source="Sample", sample_name="iris.csv",
                  tbl_for="sample:iris.csv:", tbl_mode="All columns",
                  tbl_columns=["sepal_length_cm"], tbl_label="species")
    body = texts(at)
    assert "150 points in 4D" in body and "Best by BIC" in body
    assert at.button(key="ms_open").disabled
    assert "Explore draws 1 to 3 columns" in body


def test_only_pages_that_accept_more_than_three_columns_offer_all_of_them():
    iris = {"data_source": "Sample", "sample_name": "iris.csv"}
    at = ok(AppTest.from_file(APP, default_timeout=120))
    for key, value in iris.items():
        at.session_state[key] = value
    ok(at.run())  # Explore
    assert at.sidebar.radio(key="tbl_mode").options == ["Pick columns", "Project with PCA"]
    for page in ("initialisation", "selection"):
        at = _page(at, page)
        assert at.sidebar.radio(key="tbl_mode").options == [
            "Pick columns", "Project with PCA", "Use all columns"]
    for page in ("kmeans", "elbo"):
        at = _page(at, page)
        assert "Use all columns" not in at.sidebar.radio(key="tbl_mode").options
