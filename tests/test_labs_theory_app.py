"""AppTest for the four theory labs: each opens on a state that makes its point, and its
controls change what the spec says they change. ``assert not at.exception`` throughout."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from emviz.numbers import parse_sig
from tests.shown import shown

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
    m = metrics(at)  # opens on the first E-step: KL = 0, L touches ln p
    assert num(m["KL(q ‖ p)"]) == pytest.approx(0, abs=1e-9)
    assert m["L(q, θ)"] == m["ln p(X|θ)"]
    assert len(at.get("plotly_chart")) == 3
    lnp_e = num(m["ln p(X|θ)"])
    at = click(at, "elbo_btn_m")
    m = metrics(at)
    assert num(m["KL(q ‖ p)"]) > 0
    assert num(m["ln p(X|θ)"]) > lnp_e
    assert num(m["L(q, θ)"]) < num(m["ln p(X|θ)"])
    assert "M-step" in texts(at)
    at = click(at, "elbo_btn_e")
    m = metrics(at)
    assert num(m["KL(q ‖ p)"]) == pytest.approx(0, abs=1e-9)
    at = click(at, "elbo_btn_reset")
    assert "no q yet" in texts(at) or "There is no q yet" in texts(at)
    at = click(at, "elbo_btn_run")
    assert at.session_state["elbo_pos"] > 2


def test_elbo_lab_bars_are_the_engine_numbers():
    at = lab("elbo")
    at = click(at, "elbo_btn_step")  # E1 -> M1
    bars = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if "baseline" in json.dumps(json.loads(c.proto.spec)["layout"]))
    names = [d["name"] for d in bars["data"]]
    assert names[:3] == ["L(q, θ)", "KL(q ‖ p(Z|X, θ))", "ln p(X|θ)"]


def test_singularity_lab_detects_and_explains_the_collapse():
    at = lab("singularity")
    warn = " ".join(w.value for w in at.warning)
    assert "Collapse detected" in warn and "component 4" in warn
    assert "ill-posed" in texts(at)
    assert len(at.get("plotly_chart")) == 2


@pytest.mark.parametrize("remedy", ["reg_covar", "reseed", "map"])
def test_singularity_lab_each_remedy_prevents_the_collapse(remedy):
    at = lab("singularity")
    at.session_state["sing_remedy"] = remedy
    at = ok(at.run())
    assert not at.warning
    assert "prevents the collapse" in " ".join(s.value for s in at.success)


def test_singularity_lab_on_the_current_data_source():
    at = lab("singularity")
    at.session_state["sing_source"] = "current"
    at = ok(at.run())
    assert at.radio(key="data_source")  # the Explore data panel is in the sidebar
    assert len(at.get("plotly_chart")) == 2


def test_vb_lab_concentration_changes_the_number_of_survivors():
    at = lab("vbgmm")
    assert metrics(at)["Alive at the end"] == "3"  # 10 components, 3 clusters
    assert "never decreased" in texts(at)
    at.select_slider(key="vb_alpha").set_value(1000.0)
    at = ok(at.run())
    assert int(metrics(at)["Alive at the end"]) > 3
    at.radio(key="vb_type").set_value("dirichlet_process")
    at.select_slider(key="vb_alpha").set_value(0.01)
    at = ok(at.run())
    assert metrics(at)["Alive at the end"] == "3"


def test_vb_lab_scrubbing_shows_components_dying():
    at = lab("vbgmm")
    at.slider(key="vb_it").set_value(0)
    at = ok(at.run())
    assert metrics(at)["Components alive now"].startswith("10")


def test_coins_lab_reaches_the_published_result_after_ten_iterations():
    at = lab("coins")
    assert at.get("arrow_data_frame") or at.dataframe  # the editable sets
    assert metrics(at)["θ_A"] == "0.60"
    at = click(at, "coins_btn_e")
    assert at.session_state["coins_pos"] == 1
    assert len(at.dataframe) >= 1
    at = click(at, "coins_btn_m")
    assert metrics(at)["θ_A"] == "0.71" and metrics(at)["θ_B"] == "0.58"
    at = click(at, "coins_btn_run")
    assert at.session_state["coins_pos"] == 20
    assert metrics(at)["θ_A"] == "0.80" and metrics(at)["θ_B"] == "0.52"
    at.radio(key="coins_mode").set_value("hard")
    at = ok(at.run())
    at = click(at, "coins_btn_run")
    assert metrics(at)["θ_A"] == "0.80" and metrics(at)["θ_B"] == "0.45"


def test_coins_lab_edited_sets_are_used_and_bad_ones_explained():
    at = lab("coins")
    at.session_state["coins_sets"] = pd.DataFrame(
        {"tosses": ["HHHHHHHHHT", "TTTTTTTTTH"], "coin": ["A", "B"]})
    at = ok(at.run())
    at = click(at, "coins_btn_run")
    assert num(metrics(at)["θ_A"]) > 0.85
    at.session_state["coins_sets"] = pd.DataFrame({"tosses": ["HTX"], "coin": ["A"]})
    at = ok(at.run())
    assert at.error


def _display_values(element) -> pd.DataFrame:
    """What st.dataframe shows for a Styler (its display strings), as a frame."""
    import pyarrow as pa

    raw = element.proto.arrow_data.styler.display_values
    return pa.ipc.open_stream(raw).read_all().to_pandas()


def test_coins_lab_totals_row_is_blank_not_none_and_sets_count_from_one():
    at = lab("coins")
    editor = at.dataframe[0].value
    assert editor.index.tolist() == [1, 2, 3, 4, 5]  # trial 1, 2, ... not 0, 1, ...
    at = click(at, "coins_btn_e")
    shown = _display_values(at.table[0])
    total = shown.iloc[-1]
    assert total.iloc[0] == "total"
    assert "None" not in total.tolist() and "nan" not in total.tolist()
    assert total.iloc[4] == "" and total.iloc[5] == ""  # no P(A|set) for the totals
    assert total.iloc[6] == "21.30"  # heads → A summed, 2 decimals as in the paper
    # A table set from code with a 0-based index is renumbered from 1 too.
    at.session_state["coins_sets"] = pd.DataFrame({"tosses": ["HHT", "TTH"], "coin": ["A", "B"]})
    at = ok(at.run())
    assert at.dataframe[0].value.index.tolist() == [1, 2]
