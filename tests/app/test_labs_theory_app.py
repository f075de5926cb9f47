"""AppTest for the four theory labs: each opens on a state that makes its point, and its
controls change what the spec says they change. ``assert not at.exception`` throughout."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from emviz.numbers import parse_sig
from tests import stepper_view as sv
from tests.shown import shown
from tests.stepper_view import at_h, sent

TIMEOUT = 120


def lab(name: str) -> AppTest:
    at = AppTest.from_string(
        f"from emviz.ui.labs import {name}\n{name}.render()\n", default_timeout=TIMEOUT
    )
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def num(text: str) -> float:
    """A metric's number: "1,234.5", "0.60 ⚠" or one written by emviz.numbers.sig."""
    first = text.replace(",", "").split(" ")[0]
    return parse_sig(first) if "×10" in first or "\u202f" in first else float(first)


def chart(at: AppTest, key: str) -> dict:
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        if (el.proto.id and key in el.proto.id) or spec.get("layout", {}).get("_key") == key:
            return spec
    return {}


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown]
    for kind in ("error", "warning", "info", "success", "caption"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(shown(p) for p in parts)


def click(at: AppTest, key: str) -> AppTest:
    return ok(at.button(key=key).click().run())


# --------------------------------------------------------------------------------------
def test_pages_lists_the_four_labs():
    at = ok(AppTest.from_string(
        "import streamlit as st\nfrom emviz.ui.pages import pages\n"
        "st.write(' '.join(p.url_path for p in pages()))\n", default_timeout=TIMEOUT).run())
    paths = at.markdown[0].value.split()
    assert {"elbo", "singularity", "vbgmm", "coins"} <= set(paths)


def test_elbo_lab_half_steps_move_the_bars_as_bishop_draws_them():
    at = lab("elbo")
    head, p = sent(at)
    assert head["goto"] == 1  # opens on the first E-step: KL = 0, L touches ln p
    m = {metric["id"]: metric for metric in p["metrics"]}
    assert num(at_h(m["kl"], 1)) == pytest.approx(0, abs=1e-9)
    assert at_h(m["elbo"], 1) == at_h(m["lnp"], 1)
    assert not at.get("plotly_chart")  # every chart steps in the browser
    assert num(at_h(m["kl"], 2)) > 0  # after the M-step
    assert num(at_h(m["lnp"], 2)) > num(at_h(m["lnp"], 1))
    assert num(at_h(m["elbo"], 2)) < num(at_h(m["lnp"], 2))
    assert at_h(p["status"]["title"], 2) == "M-step of iteration 1"
    assert num(at_h(m["kl"], 3)) == pytest.approx(0, abs=1e-9)
    assert "no q yet" in at_h(p["status"]["caption"], 0)
    at.session_state["elbo_pos"] = 5  # the browser reports a pause at 5
    at = ok(at.run())
    assert sent(at)[0] == head  # the same run: the browser keeps its position


def test_elbo_lab_bars_are_the_engine_numbers():
    at = lab("elbo")
    bound = next(c for c in sent(at)[1]["charts"] if c["id"] == "bound")
    names = [d["name"] for d in bound["figure"]["data"][:3]]
    assert names == ["L(q, θ)", "KL(q ‖ p(Z|X, θ))", "ln p(X|θ)"]


# --- the three labs that step in the browser: what they send their stepper ----------------------
def stepper_payload(at: AppTest) -> dict:
    return sv.payload(at)


def metric_at(p: dict, metric_id: str, h: int) -> str:
    return sv.at_h(next(m for m in p["metrics"] if m["id"] == metric_id), h)


def test_singularity_lab_detects_and_explains_the_collapse():
    at = lab("singularity")
    head, p = sv.sent(at)
    assert not at.get("plotly_chart") and not at.metric  # everything is in the stepper
    assert [c["id"] for c in p["charts"]] == ["mixture", "det", "loglik"]
    assert head["goto"] == p["n"] - 1 == at.session_state["sing_it"]  # opens on the collapse
    assert p["end"]["level"] == "warning"
    assert "Collapse detected" in p["end"]["text"] and "component 4" in p["end"]["text"]
    assert "ill-posed" in p["end"]["text"]


@pytest.mark.parametrize("remedy", ["reg_covar", "reseed", "map"])
def test_singularity_lab_each_remedy_prevents_the_collapse(remedy):
    at = lab("singularity")
    at.session_state["sing_remedy"] = remedy
    at = ok(at.run())
    p = stepper_payload(at)
    assert p["end"]["level"] == "success" and "prevents the collapse" in p["end"]["text"]
    names = [t["name"] for t in next(c for c in p["charts"] if c["id"] == "loglik")["figure"][
        "data"]]
    assert "without a remedy" in names  # the run without it, dashed, for comparison


def test_singularity_lab_on_the_current_data_source():
    at = lab("singularity")
    at.session_state["sing_source"] = "current"
    at = ok(at.run())
    assert at.radio(key="data_source")  # the Explore data panel is in the sidebar
    assert [c["id"] for c in stepper_payload(at)["charts"]] == ["mixture", "det", "loglik"]


def test_vb_lab_concentration_changes_the_number_of_survivors():
    at = lab("vbgmm")
    p = stepper_payload(at)
    assert "3 of 10 components survive" in p["end"]["text"]  # 10 components, 3 clusters
    assert "never decreased" in p["end"]["text"]
    at.select_slider(key="vb_alpha").set_value(1000.0)
    at = ok(at.run())
    p = stepper_payload(at)
    assert int(metric_at(p, "alive", p["n"] - 1).split(" / ")[0]) > 3
    at.radio(key="vb_type").set_value("dirichlet_process")
    at.select_slider(key="vb_alpha").set_value(0.01)
    at = ok(at.run())
    p = stepper_payload(at)
    assert metric_at(p, "alive", p["n"] - 1) == "3 / 10"


def test_vb_lab_shows_components_dying_along_the_run():
    p = stepper_payload(lab("vbgmm"))
    assert metric_at(p, "alive", 0) == "10 / 10"
    alive = [int(metric_at(p, "alive", h).split(" / ")[0]) for h in range(p["n"])]
    assert alive == sorted(alive, reverse=True) and alive[-1] == 3


def test_coins_lab_reaches_the_published_result_after_ten_iterations():
    at = lab("coins")
    assert at.get("arrow_data_frame") or at.dataframe  # the editable sets
    head, p = sv.sent(at)
    assert head["goto"] == 0 and p["n"] == 21
    assert not [b for b in at.button if (b.key or "").startswith("coins_btn_")]  # the stepper's
    assert metric_at(p, "theta_a", 0) == "0.60"
    assert metric_at(p, "theta_a", 2) == "0.71" and metric_at(p, "theta_b", 2) == "0.58"
    assert metric_at(p, "theta_a", 20) == "0.80" and metric_at(p, "theta_b", 20) == "0.52"
    at.radio(key="coins_mode").set_value("hard")
    at = ok(at.run())
    p = stepper_payload(at)
    assert metric_at(p, "theta_a", 20) == "0.80" and metric_at(p, "theta_b", 20) == "0.45"


def test_coins_lab_edited_sets_are_used_and_bad_ones_explained():
    at = lab("coins")
    at.session_state["coins_sets"] = pd.DataFrame(
        {"tosses": ["HHHHHHHHHT", "TTTTTTTTTH"], "coin": ["A", "B"]})
    at = ok(at.run())
    assert num(metric_at(stepper_payload(at), "theta_a", 20)) > 0.85
    at.session_state["coins_sets"] = pd.DataFrame({"tosses": ["HTX"], "coin": ["A"]})
    at = ok(at.run())
    assert at.error


def test_coins_lab_totals_row_is_blank_not_none_and_sets_count_from_one():
    at = lab("coins")
    editor = at.dataframe[0].value
    assert editor.index.tolist() == [1, 2, 3, 4, 5]  # trial 1, 2, ... not 0, 1, ...
    table = stepper_payload(at)["tables"][0]
    total = sv.at_h(table["rows"], 1)[-1]  # after the first E-step
    assert total[0] == "total"
    assert "None" not in total and "nan" not in total
    assert total[4] == "" and total[5] == ""  # no P(A|set) for the totals
    assert total[6] == "21.30"  # heads → A summed, 2 decimals as in the paper
    assert [row[0] for row in sv.at_h(table["rows"], 1)[:-1]] == ["1", "2", "3", "4", "5"]
    # A table set from code with a 0-based index is renumbered from 1 too.
    at.session_state["coins_sets"] = pd.DataFrame({"tosses": ["HHT", "TTH"], "coin": ["A", "B"]})
    at = ok(at.run())
    assert at.dataframe[0].value.index.tolist() == [1, 2]
