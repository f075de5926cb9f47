"""AppTest: a click above the work budget asks first; a shared link is lowered to the budget
with a note; one heavy job per session; the stop check sees a session that has gone.

The budget is lowered for these tests (``emviz.engine.work.WORK_BUDGET`` is read at call time) so
that the app's small default data is "heavy" and the tests stay fast.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType
from streamlit.testing.v1 import AppTest

from emviz.engine import work as wk
from emviz.engine.work import work_units
from emviz.ui import cache, jobs
from emviz.ui.labs import init_sensitivity, model_selection
from emviz.ui.state import PresetSpec
from tests.shown import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for kind in ("success", "warning", "info", "error") for e in at.get(kind)]
    return "\n".join(shown(p) for p in parts)


def open_app(query: dict | None = None, page: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page is not None:
        (hash_,) = [h for h, info in at._registered_pages.items()
                    if info.get("url_pathname") == page]
        at._page_hash = hash_
        at.run()
    return ok(at)


def default_points(at: AppTest) -> int:
    ss = at.session_state
    return cache.info(PresetSpec(ss["syn_preset"], int(ss["syn_seed"]))).n_samples


@pytest.fixture
def small_budget(monkeypatch):
    monkeypatch.setattr(wk, "WORK_BUDGET", 20_000)
    return 20_000


def test_explore_asks_before_a_fit_above_the_budget_then_runs_it(small_budget):
    at = open_app()
    assert not at.get("bidi_component")  # nothing fitted, nothing sent
    body = texts(at)
    assert "the work one click may start" in body and "20,000" in body
    ok(at.button(key="jobs_run_explore").click().run())
    assert at.get("bidi_component")  # the stepper with its run
    assert "the work one click may start" not in texts(at)
    # Another request above the budget asks again.
    at.session_state["model_max_iter"] = 150
    ok(at.run())
    assert "the work one click may start" in texts(at)


def test_explore_runs_within_the_budget_without_asking():
    at = open_app()
    assert at.get("bidi_component")
    assert "the work one click may start" not in texts(at)


def test_a_link_above_the_budget_is_lowered_to_it_with_a_note(small_budget):
    at = open_app({"iters": "1000", "tol": "0"})
    n, k = default_points(at), int(at.session_state["model_k"])
    allowed = at.session_state["model_max_iter"]
    assert allowed == max(small_budget // (n * k), 1) < 1000
    assert work_units(n, k, allowed) <= small_budget
    body = texts(at)
    assert "This link asked for iterations = 1,000" in body and f"runs with {allowed:,}" in body
    assert "the work one click may start" not in body  # a link never gets to ask
    assert at.get("bidi_component")
    # Raising it afterwards is the user's own request: it asks to confirm, no clamping.
    at.session_state["model_max_iter"] = 1000
    ok(at.run())
    assert at.session_state["model_max_iter"] == 1000
    assert "the work one click may start" in texts(at)


def test_a_link_within_the_budget_is_left_as_it_is():
    at = open_app({"iters": "300"})
    assert at.session_state["model_max_iter"] == 300
    assert "This link asked" not in texts(at)


def test_restarts_lab_link_gets_fewer_restarts_then_asks_to_confirm(monkeypatch):
    # Per restart (all four methods): n × K × 200 × 4. A budget of 25 restarts' worth lets a
    # link run 20 of them, not the 500 it asked for.
    at = open_app(page="initialisation", init_m=10)
    n = default_points(at) if at.session_state["data_source"] == "Synthetic" else None
    assert n is not None
    per = work_units(n, int(at.session_state["model_k"]), init_sensitivity.MAX_ITER, 4)
    monkeypatch.setattr(wk, "WORK_BUDGET", per * 25)
    at.session_state["init_m"] = 500
    at.session_state[jobs.LINKED] = True  # as a shared link's first run leaves it
    ok(at.run())
    assert at.session_state["init_m"] == 20
    body = texts(at)
    assert "This link asked for restarts per method = 500" in body and "runs with 20" in body
    assert "80 restarts" in body  # it ran: 20 per method
    # The user picks 100 themselves: above the budget, so the page asks first.
    ok(at.select_slider(key="init_m").set_value(100).run())
    assert "the work one click may start" in texts(at)
    ok(at.button(key="jobs_run_initialisation").click().run())
    assert "400 restarts" in texts(at)


def test_model_selection_lab_asks_above_the_budget(monkeypatch):
    at = open_app(page="selection")
    n = default_points(at)
    settings = model_selection.Settings("kmeans++", 1, 1e-6)
    monkeypatch.setattr(wk, "WORK_BUDGET", model_selection.work(n, settings) - 1)
    ok(at.run())
    assert "the work one click may start" in texts(at)
    assert not at.get("plotly_chart")
    ok(at.button(key="jobs_run_selection").click().run())
    assert at.get("plotly_chart")


def test_choose_k_asks_above_the_budget_and_then_sets_k(monkeypatch):
    at = open_app()
    ss = at.session_state
    n, k, iters = default_points(at), int(ss["model_k"]), int(ss["model_max_iter"])
    # Explore's fit fits the budget exactly; Choose K (K = 1..10) is 55/k times as much.
    monkeypatch.setattr(wk, "WORK_BUDGET", work_units(n, k, iters))
    ok(at.button(key="analyst_choose_k").click().run())
    assert "the work one click may start" in texts(at)
    assert ss["model_k"] == k
    ok(at.button(key="jobs_run_analyst_choose_k").click().run())
    assert "the work one click may start" not in texts(at)
    assert "analyst_choose_k_asking" not in ss
    assert at.get("plotly_chart")  # the BIC curve it used


# ---- the stop check and the one-job rule ---------------------------------------------------------
def _ctx(state: ScriptRequestType, session_id: str = "s1"):
    return SimpleNamespace(script_requests=SimpleNamespace(_state=state), session_id=session_id)


def test_a_stop_request_means_the_session_has_gone():
    assert jobs._session_gone(_ctx(ScriptRequestType.STOP))
    assert not jobs._session_gone(_ctx(ScriptRequestType.CONTINUE))  # no real server here


def test_should_stop_outside_a_script_run_is_false():
    assert jobs.should_stop() is False


def test_a_second_heavy_job_of_one_session_is_refused(monkeypatch):
    monkeypatch.setattr(jobs, "_session_id", lambda: "s1")
    shown_info = []
    monkeypatch.setattr(jobs.st, "info", lambda text, **kw: shown_info.append(text))
    with jobs.heavy() as first:
        assert first and jobs.running("s1")
        with jobs.heavy() as second:
            assert second is False
    assert not jobs.running("s1")
    assert shown_info and "still running" in shown_info[0]
