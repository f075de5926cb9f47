"""AppTest: presenter mode, shareable links, downloads and the three languages."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from emviz.figures import exports
from emviz.ui import cache, downloads, state
from emviz.ui.i18n import catalog
from tests.stepper_view import at_h, open_downloads, payload, sent, stepped_to

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def _figure(at: AppTest) -> dict:
    """The Explore chart as the stepper's payload carries it."""
    return payload(at)["charts"][0]["figure"]


def _query(at: AppTest) -> dict:
    return {k: v for k, v in at.query_params.items()}


@pytest.fixture(scope="module")
def stepped():
    """A session with non-default settings, two full steps in, presenter on, in Russian."""
    at = _app()
    at.sidebar.number_input(key="model_k").set_value(4).run()
    at.sidebar.selectbox(key="model_cov").set_value("diag").run()
    at.sidebar.number_input(key="model_seed").set_value(5).run()
    stepped_to(at, 5)  # the browser stepped twice and once more, then paused
    at.sidebar.toggle(key="presenter").set_value(True).run()
    at.sidebar.selectbox(key="lang").set_value("ru").run()
    assert not at.exception
    return at


def test_presenter_mode_styles_and_figure(stepped):
    css = " ".join(h.proto.body for h in stepped.get("html"))
    assert "Presenter mode" in css and "font-size" in css  # assets/presenter.css is injected
    layout = _figure(stepped)["layout"]
    assert layout["font"]["size"] >= 20
    for axis in ("xaxis", "yaxis"):
        assert layout[axis]["title"]["font"]["size"] >= 18
        assert layout[axis]["tickfont"]["size"] >= 18
    lines = [tr["line"]["width"] for tr in _figure(stepped)["data"]
             if tr.get("mode") == "lines" and "width" in tr.get("line", {})]
    assert lines and min(lines) >= 3
    p = payload(stepped)
    assert p["presenter"] and "Home" in p["text"]["keys"]  # the shortcuts are on screen


def test_link_round_trip_reproduces_state_and_figure(stepped):
    q = _query(stepped)
    assert q["k"] == "4" and q["cov"] == "diag" and q["step"] == "5"
    assert q["presenter"] == "1" and q["lang"] == "ru"
    fresh = _app(q)
    for key in ("model_k", "model_cov", "model_seed", "position", "presenter", "lang"):
        assert fresh.session_state[key] == stepped.session_state[key], key
    assert payload(fresh) == payload(stepped)
    assert sent(fresh)[0]["goto"] == 5  # the browser opens at the link's half-step
    assert _query(fresh) == q
    assert not fresh.warning  # a clean link raises no note


def test_share_box_shows_the_link_on_request():
    # The code box (with its copy button) loads a 1.6 MB syntax highlighter in the browser,
    # so it is drawn only when asked for; the link it shows is the page's own query.
    from urllib.parse import parse_qs, urlparse

    from emviz.ui.sidebar_common import SHOW_LINK

    def share_box_open() -> bool:
        (box,) = [e for e in at.sidebar.expander if e.label == "Share this view"]
        return box.proto.expanded

    at = _app({"k": "4", "seed": "3"})
    stepped_to(at, 2)
    assert not at.code and not share_box_open()
    at.sidebar.toggle(key=SHOW_LINK).set_value(True).run()
    assert share_box_open()  # refilled on every run: it must not close on its own toggle
    (box,) = at.code
    query = {k: v[0] for k, v in parse_qs(urlparse(box.value).query).items()}
    assert query == _query(at) and query["k"] == "4" and query["step"] == "2"
    stepped_to(at, 4)  # the box follows the view
    assert parse_qs(urlparse(at.code[0].value).query)["step"] == ["4"]
    assert not at.exception


def test_hostile_link_falls_back_with_a_note():
    at = _app({"k": "-3", "cov": "<script>alert(1)</script>", "reg": "nan", "step": "1e99",
               "lang": "xx", "presenter": "maybe", "utm": "x"})
    assert at.session_state["model_k"] == state.DEFAULTS["model_k"]
    assert at.session_state["model_cov"] == state.DEFAULTS["model_cov"]
    assert at.session_state["position"] == 0 and at.session_state["lang"] == "en"
    text = " ".join(w.value for w in at.warning)
    assert all(name in text for name in ("k", "cov", "reg", "step", "lang", "presenter"))
    assert "<script>" not in text and "alert" not in text
    assert at.info and "1" in at.info[0].value  # one unknown parameter, ignored


def test_upload_link_says_the_data_cannot_travel():
    at = _app({"src": "upload", "k": "2"})
    assert at.session_state["model_k"] == 2 and at.session_state["data_source"] == "Synthetic"
    assert any("upload" in w.value.lower() for w in at.warning)


def test_download_buttons_are_offered():
    at = open_downloads(_app())
    labels = [d.label for d in at.get("download_button")]
    assert labels[:3] == ["Parameters (JSON)", "Data with labels (CSV)",
                          "Animation (offline HTML)"]
    # The PNG is drawn on request (a browser is started): a button first, then the download.
    assert at.button(key="png_make").label == "Make a PNG"


def test_every_download_has_the_right_content():
    """The same files() the buttons use, on a sample with a NaN-free table (Iris)."""
    spec = state.TableSpec(origin="sample", name="iris.csv", digest="",
                           columns=("petal_length_cm", "petal_width_cm"), label="species")
    model = state.ModelSpec(n_components=3, covariance_type="full", seed=0)
    data = cache.prepared(spec)
    trace = cache.fit(spec, model).trace
    h = 4
    def figure():
        return downloads.be.mixture_figure(data.X, trace.half_step(h).params)

    made = downloads.files(spec, model, None, data, trace, h, figure,
                           downloads.be.FigureOptions())
    assert made["params"].file_name.endswith("_h4.json")
    params, doc = exports.load_params_json(made["params"].make())
    np.testing.assert_array_equal(params.means, trace.params[2].means)
    assert doc["settings"]["model"]["n_components"] == 3 and doc["step"] == "M"
    table = pd.read_csv(io.StringIO(made["csv"].make().decode()))
    original = cache.table("sample", "iris.csv", "").frame
    assert len(table) == len(original)
    pd.testing.assert_frame_equal(table[list(original.columns)], original, check_dtype=False)
    assert np.allclose(table[["em_resp_1", "em_resp_2", "em_resp_3"]].sum(axis=1), 1)
    html = made["html"].make()
    assert b"<script src=" not in html and b"addFrames" in html
    assert made["png"].mime == "image/png" and made["csv"].mime == "text/csv"
    if downloads.png_available():  # kaleido drives the machine's Chromium
        assert made["png"].make()[:8] == b"\x89PNG\r\n\x1a\n"


def _visible_text(at: AppTest) -> list[str]:
    texts = []
    for kind in ("button", "toggle", "selectbox", "number_input", "slider", "select_slider",
                 "radio", "subheader", "download_button", "expander"):
        texts += [getattr(e, "label", "") or "" for e in at.get(kind)]
    for kind in ("markdown", "caption", "info", "warning", "success"):
        texts += [e.value for e in at.get(kind)]
    return texts


@pytest.mark.parametrize("lang", ["ja", "ru"])
def test_no_english_label_left(lang):
    at = _app({"lang": lang})
    p = payload(at)
    shown = _visible_text(at) + list(p["text"].values())
    shown += [at_h(p["status"][part], h) for part in ("title", "caption") for h in (0, 1, 2)]
    english = {e["en"] for k, e in catalog().items()
               if k.split(".")[0] in ("explore", "panels", "presenter", "stepview", "share",
                                      "export", "common") and e["en"] != e[lang]
               and "{" not in e["en"]}
    leaks = [s for s in shown for en in english if s == en or (len(en) > 24 and en in s)]
    assert not leaks
    assert not at.exception


def test_sample_link_with_unknown_column_keeps_the_default_columns():
    at = _app({"src": "sample", "sample": "iris.csv", "cols": ["petal_length_cm", "nope"]})
    assert at.session_state["sample_name"] == "iris.csv"
    assert "nope" not in at.session_state["tbl_columns"]
    assert any("cols" in w.value for w in at.warning)
