"""AppTest: the singularity, variational Bayes and two-coins labs step in the browser.

What each lab sends its stepper (in English, Japanese and Russian), where a shared link opens
it, how its position follows a pause, and that switching remedies recomputes nothing already
computed. What the browser does with it is checked in tests/e2e/test_labs_stepping_theory.py.
"""

from __future__ import annotations

import pytest

from emviz.engine import remedies
from emviz.figures import stepper_theory as spt
from emviz.figures import theory as ft
from emviz.ui.i18n import LANGUAGES, translate
from tests import stepper_view as sv
from tests.stepper_view import ok, open_page

LANGS = list(LANGUAGES)
#: url path -> (position key, the big numbers it sends, its charts)
LABS = {
    "singularity": ("sing_it", ("sing_ll", "sing_min_det"), ("mixture", "det", "loglik")),
    "vbgmm": ("vb_it", ("vb_alive", "vb_elbo"), ("mixture", "weights", "elbo")),
    "coins": ("coins_pos", (None, None, "coins_loglik"), ("posterior", "theta")),
}


def tr(key: str, lang: str, **fmt) -> str:
    return translate(key, lang, **fmt)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", list(LABS))
def test_the_lab_sends_its_whole_run_to_the_stepper_in(page, lang):
    position, metrics, charts = LABS[page]
    at = open_page(page, {"lang": lang})
    head, p = sv.sent(at)
    # no per-click buttons, no hide-the-future toggle, no st.metric: the stepper has them
    assert not [w for w in at.toggle if "hide_future" in (w.key or "")]
    assert not at.metric and not at.get("plotly_chart")
    assert not [b for b in at.button if "_btn_" in (b.key or "")]
    assert [c["id"] for c in p["charts"]] == list(charts)
    assert head["goto"] == at.session_state[position] and head["nonce"] == 1
    assert p["text"]["predict"] == tr("stepview.predict", lang)
    assert "predict" in p["controls"] and "play" in p["controls"]
    assert [m["label"] for m in p["metrics"]] == [
        tr(f"steptheory.{key}", lang) if key else name
        for key, name in zip(metrics, ("θ_A", "θ_B", ""), strict=False)]
    if page == "coins":
        assert p["text"]["run"] == tr("steptheory.coins_run", lang)
        assert sv.at_h(p["status"]["title"], 1) == (
            tr("steptheory.coins_soft", lang) + " · "
            + tr("steptheory.coins_kind_E", lang, i=1))
        assert sv.at_h(p["tables"][0]["rows"], 1)[-1][0] == tr("theory.fig.total", lang)
    else:
        assert p["text"]["half"] == tr("steptheory.it_half", lang)
        assert sv.at_h(p["status"]["title"], 2) == tr("steptheory.it_title", lang, i=2)
        assert p["end"]["text"]  # how the run ends, shown at its last position


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", list(LABS))
def test_a_link_opens_the_lab_at_its_position_and_the_link_follows_a_pause(page, lang):
    position = LABS[page][0]
    at = open_page(page, {"lang": lang, position: "3"})
    head = sv.sent(at)[0]
    assert at.session_state[position] == 3 and head["goto"] == 3
    assert head["param"] == position  # the browser keeps this parameter of the link right
    at.session_state[position] = 2  # what the stepper's report does (the user reached out)
    ok(at.run())
    assert at.query_params[position] == "2"
    assert sv.sent(at)[0] == head  # the same run: the browser keeps its own position
    beyond = open_page(page, {"lang": lang, position: "500"})
    assert beyond.session_state[position] == sv.payload(beyond)["n"] - 1  # clamped


def test_presenter_mode_sends_the_big_numbers_at_presenter_size():
    for page in LABS:
        at = open_page(page, {"presenter": "1"})
        p = sv.payload(at)
        assert p["presenter"] and p["metrics"] and not at.metric


def test_vb_lab_colours_both_charts_from_ten_distinct_colours():
    p = sv.payload(open_page("vbgmm"))
    main, weights = p["charts"][0], p["charts"][1]
    ellipses = main["channels"][0]["traces"][1:-1]
    colours = [main["figure"]["data"][t]["line"]["color"] for t in ellipses]
    assert colours == [t["line"]["color"] for t in weights["figure"]["data"][:10]]
    assert colours == list(ft.OKABE_ITO_TEN_HEX)


def test_each_remedy_is_computed_once_and_switching_recomputes_nothing(monkeypatch):
    runs: list[str] = []
    payloads: list[str] = []
    for name, remedy in list(remedies.REMEDIES.items()):
        def counted(*args, _name=name, _remedy=remedy, **kwargs):
            runs.append(_name)
            return _remedy(*args, **kwargs)
        monkeypatch.setitem(remedies.REMEDIES, name, counted)
    build = spt.singularity_payload

    def counted_payload(*args, **kwargs):
        payloads.append(kwargs["remedy"])
        return build(*args, **kwargs)

    monkeypatch.setattr(spt, "singularity_payload", counted_payload)
    # a seed no other test uses, so that nothing is cached yet
    at = open_page("singularity", sing_seed=987_654)
    first = sv.payload(at)["id"]
    assert runs == ["none"] and len(payloads) == 1
    for remedy in ("map", "none", "map", "reseed", "none"):
        at.session_state["sing_remedy"] = remedy
        ok(at.run())
    assert sorted(runs) == ["map", "none", "reseed"]  # each remedy's run once
    assert len(payloads) == 3  # and each payload once
    assert sv.payload(at)["id"] == first  # back to no remedy: the very same bytes
