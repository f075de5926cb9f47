"""Every translation key exists in every language, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from emviz.ui.i18n import LANGUAGES, catalog, translate


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


KEYS = sorted(catalog())


def test_catalog_is_not_empty():
    assert len(KEYS) >= 3


@pytest.mark.parametrize("key", KEYS)
def test_every_language_present_and_consistent(key):
    entry = catalog()[key]
    assert set(entry) == set(LANGUAGES), f"{key}: languages {sorted(entry)}"
    for lang, text in entry.items():
        assert text.strip(), f"{key} [{lang}] is empty"
    reference = _placeholders(entry["en"])
    for lang in LANGUAGES:
        assert _placeholders(entry[lang]) == reference, f"{key} [{lang}] placeholders differ"


def test_translate_formats_and_rejects_unknown_keys():
    assert translate("common.language", "ja") == "言語"
    with pytest.raises(KeyError):
        translate("no.such.key", "en")


# ---- the engine's messages (errors and loader notes) ------------------------------------------

import re  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from emviz._messages import MESSAGES, Joined, Message  # noqa: E402
from emviz.data.csv import load_csv  # noqa: E402
from emviz.errors import DataError, EmvizError  # noqa: E402
from emviz.ui.error_display import error_text, localize  # noqa: E402
from tests.builders import IRIS_FLAT_OPTIMUM_SEED  # noqa: E402

TRANSLATED = ("ja", "ru")
_SCRIPT = {"ja": r"[\u3040-\u30ff\u4e00-\u9fff]", "ru": r"[\u0400-\u04ff]"}


def _fields(text: str) -> list[tuple[str, str | None, str | None]]:
    """(name, format spec, conversion) of every placeholder, in order of first use."""
    seen = {}
    for _, name, spec, conv in string.Formatter().parse(text):
        if name is not None:
            seen.setdefault((name, spec or "", conv or ""), None)
    return sorted(seen)


def _english_chunks() -> set[str]:
    """Literal runs of English of every engine template, long enough to be telling."""
    chunks = set()
    for template in MESSAGES.values():
        for literal, *_ in string.Formatter().parse(template):
            words = [w for w in literal.split() if w.isalpha() and len(w) > 2]
            if len(literal.strip()) >= 15 and len(words) >= 2:
                chunks.add(literal.strip())
    return chunks


ENGLISH = _english_chunks()


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_engine_message_is_translated_with_the_same_fields(code):
    key = f"error.{code}"
    assert key in catalog(), f"engine message {code!r} has no UI translation"
    entry = catalog()[key]
    assert entry["en"] == MESSAGES[code], f"{key}: English must be the engine's own template"
    for lang in TRANSLATED:
        assert _fields(entry[lang]) == _fields(entry["en"]), f"{key} [{lang}] fields differ"
        assert entry[lang] != entry["en"] or not any(c.isalpha() for c in entry["en"])


def _assert_translated(text: str, english: str, lang: str) -> None:
    assert re.search(_SCRIPT[lang], text), f"[{lang}] not translated: {text}"
    left = [chunk for chunk in ENGLISH if chunk in text]
    assert not left, f"[{lang}] English left {left} in: {text}"
    assert text != english


from tests.csv_corpus import make_corpus as CORPUS  # noqa: E402

BAD = sorted(name for name, outcome in CORPUS.EXPECTED.items() if outcome == "DataError")
GOOD = sorted(name for name, outcome in CORPUS.EXPECTED.items() if outcome == "loads")


def test_the_corpus_has_both_kinds():
    assert BAD and GOOD


@pytest.mark.parametrize("case", BAD)
def test_csv_errors_render_in_every_language(case):
    with pytest.raises(DataError) as info:
        load_csv(CORPUS.build_corpus()[case])
    exc = info.value
    assert exc.code in MESSAGES, f"{case}: raised without a message code: {exc}"
    assert error_text(exc, "en") == str(exc)
    for lang in TRANSLATED:
        _assert_translated(error_text(exc, lang), str(exc), lang)


@pytest.mark.parametrize("case", GOOD)
def test_loader_notes_render_in_every_language(case):
    table = load_csv(CORPUS.build_corpus()[case])
    for note in table.notes:
        assert isinstance(note, Message), f"{case}: note without a code: {note!r}"
        assert localize(note, "en") == note
        for lang in TRANSLATED:
            _assert_translated(localize(note, lang), note, lang)


def test_fitting_errors_render_in_every_language():
    from emviz.engine.em import initialize

    X = np.arange(4.0).reshape(2, 2)
    errors = []
    for call in (lambda: initialize(X, 3, seed=0),  # K > N
                 lambda: initialize(np.ones((6, 2)), 2, seed=0),  # all points identical
                 lambda: load_csv(b"x,y\n1,2\n3,4\n").select(["x", "z"]),
                 lambda: load_csv(b"x,y\n1,2\n3,4\n").select(["x", "x"])):
        with pytest.raises(EmvizError) as info:
            call()
        errors.append(info.value)
    for exc in errors:
        assert exc.code in MESSAGES, f"raised without a message code: {exc}"
        for lang in TRANSLATED:
            _assert_translated(error_text(exc, lang), str(exc), lang)


def _raises(call):
    with pytest.raises(EmvizError) as info:
        call()
    return info.value


def _lab_errors():
    """Errors the labs show: two coins, k-means, restarts, VB, remedies."""
    from emviz.engine import coins, kmeans, remedies, restarts, vbgmm
    from emviz.engine.em import initialize

    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.1]])
    flat = np.column_stack([np.arange(6.0), 2 * np.arange(6.0)])  # on a line
    h, t = coins.parse_sets(["HHHH", "TTTT"])
    return [
        lambda: coins.parse_sets(["HTXH"]),
        lambda: coins.parse_sets([""]),
        lambda: coins.parse_sets("HTTH"),
        lambda: coins.run_coins(h, t, coins.CoinState(1.0, 1.0), n_iter=1),
        lambda: coins.complete_data_mle(h, t, ["A", "A"]),
        lambda: kmeans.kmeans_run(X, 9),
        lambda: restarts.run_restarts(X, 9, n_restarts=1),
        lambda: vbgmm.vb_initialize(X, 9),
        lambda: remedies.run_em_reseed(flat, initialize(flat, 2, seed=0)),
    ]


def test_lab_errors_render_in_every_language():
    for call in _lab_errors():
        exc = _raises(call)
        assert exc.code in MESSAGES, f"raised without a message code: {exc}"
        for lang in TRANSLATED:
            _assert_translated(error_text(exc, lang), str(exc), lang)


def _selection_and_export_errors():
    """Errors of the model-selection grid and of reading parameters / labelling rows back."""
    import pandas as pd

    from emviz.engine.selection import model_selection
    from emviz.figures import exports

    X = np.random.default_rng(0).normal(size=(30, 2))
    grid = model_selection(X, (1,), ("full",), max_iter=5)
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    return [
        lambda: model_selection(X, (0, 1)),
        lambda: model_selection(X, ()),
        lambda: model_selection(X, (2, 2)),
        lambda: model_selection(X, (1,), ()),
        lambda: model_selection(X, (1,), ("full", "full")),
        lambda: model_selection(X, (1,), init="nope"),
        lambda: model_selection(X, (1,), n_init=0),
        lambda: grid.cell(7, "full"),
        lambda: exports.load_params_json("not json"),
        lambda: exports.load_params_json("[1, 2]"),
        lambda: exports.labelled_csv(frame, np.array([0, 1]), np.ones((1, 2))),
        lambda: exports.labelled_csv(frame, np.array([5]), np.ones((1, 2))),
    ]


def test_selection_and_export_errors_render_in_every_language():
    for call in _selection_and_export_errors():
        exc = _raises(call)
        assert exc.code in MESSAGES, f"raised without a message code: {exc}"
        assert error_text(exc, "en") == str(exc)
        for lang in TRANSLATED:
            _assert_translated(error_text(exc, lang), str(exc), lang)


def test_the_png_export_advice_renders_in_every_language():
    from emviz.figures import exports

    exc = exports._png_error("FileNotFoundError: chromium")
    assert exc.code == "exports.png_unavailable" and "chromium" in str(exc)
    for lang in TRANSLATED:
        text = error_text(exc, lang)
        _assert_translated(text, str(exc), lang)
        assert "FileNotFoundError: chromium" in text  # the technical reason, as is


def test_model_selection_cell_messages_render_in_every_language():
    """The notes the model-selection lab shows under a cell: skipped, collapsed, max_iter."""
    from emviz.engine.selection import model_selection

    on_three_points = np.repeat([[0.0, 0.0], [5.0, 5.0], [0.0, 5.0]], 10, axis=0)
    collapsed = model_selection(on_three_points, (3, 4), ("full",), reg_covar=0.0)
    spread = np.random.default_rng(0).normal(size=(60, 2))
    stopped = model_selection(spread, (2,), ("full",), max_iter=1)
    cells = {c.status: c for c in (*collapsed.cells, *stopped.cells)}
    assert {"skipped", "collapsed", "max_iter"} <= set(cells)
    for status in ("skipped", "collapsed", "max_iter"):
        message = cells[status].message
        assert isinstance(message, Message), f"{status}: a message without a code"
        assert localize(message, "en") == message
        for lang in TRANSLATED:
            _assert_translated(localize(message, lang), message, lang)


def _iris_degenerate_optimum():
    """The flat optimum on iris (tests.builders.IRIS_FLAT_OPTIMUM) among 12 k-means++ restarts."""
    from sklearn.datasets import load_iris

    from emviz.engine.restarts import run_restarts

    res = run_restarts(load_iris().data, 3, 12, methods=("kmeans++",), seed=568,
                       reg_covar=1e-6)
    top = res.optima[0]
    assert top.suspicious and IRIS_FLAT_OPTIMUM_SEED in top.seeds
    return top


def test_why_an_optimum_is_suspicious_renders_in_every_language():
    """The reasons the initialisation and model-selection labs show under ⚠."""
    top = _iris_degenerate_optimum()
    assert isinstance(top.reason, Joined) and top.reason.parts
    assert all(isinstance(m, Message) and m.code.startswith("restarts.reason_")
               for m in top.reason.parts)
    assert localize(top.reason, "en") == top.reason
    flat = next(m for m in top.reason.parts if m.code == "restarts.reason_flat")
    number = flat.params["component"]  # from 1, as in the legends
    for lang in TRANSLATED:
        text = localize(top.reason, lang)
        _assert_translated(text, top.reason, lang)
        assert "is flat" not in text and "thinnest variance" not in text
        assert str(number) in text


def test_every_degeneracy_criterion_renders_in_every_language():
    from emviz.engine.restarts import degeneracy_reasons
    from emviz.model.params import Params

    means = np.array([[0.0, 0.0], [5.0, 5.0]])
    cov = np.array([np.eye(2), np.diag([1.0, 1e-3]) * 1e-4])
    reasons = degeneracy_reasons(Params(np.array([0.99, 0.01]), means, cov), 300, 1e-7)
    reasons.append(Message("restarts.reason_collapsed"))
    assert {r.code for r in reasons} == {"restarts.reason_few_points",
                                         "restarts.reason_tiny_volume", "restarts.reason_flat",
                                         "restarts.reason_collapsed"}
    for reason in reasons:
        for lang in TRANSLATED:
            text = localize(reason, lang)
            _assert_translated(text, reason, lang)
            if "component" in reason.params:
                assert "2" in text  # index 1 is component 2 in every language


def test_a_degenerate_model_selection_cell_says_why_in_every_language():
    from emviz.engine.selection import model_selection

    rng = np.random.default_rng(1)
    centres = np.repeat([[0.0, 0.0], [4.0, 4.0], [0.0, 4.0]], 50, axis=0)
    X = np.round(centres + rng.normal(size=(150, 2)) + 0.01 * rng.normal(size=(150, 2)), 0)
    res = model_selection(X, (8, 10), ("full",), reg_covar=1e-6, max_iter=50)
    flagged = [c for c in res.cells if c.suspicious]
    assert flagged
    for cell in flagged:
        assert isinstance(cell.reason, Joined)
        for lang in TRANSLATED:
            _assert_translated(localize(cell.reason, lang), cell.reason, lang)


def test_preset_descriptions_render_in_every_language():
    from emviz.data.synthetic import PRESETS, make_mixture, make_preset

    descriptions = [make_preset(name).description for name in PRESETS]
    descriptions += [make_mixture(2, 3, 60, shape=shape).description
                     for shape in ("spherical", "axis-aligned", "rotated")]
    for text in descriptions:
        assert isinstance(text, Message), f"description without a code: {text!r}"
        assert localize(text, "en") == text
        for lang in TRANSLATED:
            _assert_translated(localize(text, lang), text, lang)


def test_quoted_user_text_is_kept_verbatim_and_never_translated():
    hostile = "<b>Ω</b> & 'x'"
    csv = f"a,{hostile}\n1,text\n2,more\n".encode()
    table = load_csv(csv)
    with pytest.raises(DataError) as info:
        table.select([hostile])
    for lang in ("en", *TRANSLATED):
        assert repr(hostile) in error_text(info.value, lang)


def test_messages_survive_pickling_and_str():
    import pickle

    exc = pickle.loads(pickle.dumps(DataError(Message("check.data_empty", shape=(0, 2)))))
    assert exc.code == "check.data_empty" and exc.params == {"shape": (0, 2)}
    text = pickle.loads(pickle.dumps(str(exc)))  # a cache keeps str(exc)
    assert isinstance(text, Message) and text.code == "check.data_empty"
    assert "形状" in localize(text, "ja")
    joined = pickle.loads(pickle.dumps(Joined([Message("io.delimiter_tab"), "'x'"])))
    assert localize(joined, "ru") == "табуляция, 'x'"


def test_an_error_without_a_code_falls_back_to_english():
    exc = DataError("free-form text")
    assert exc.code is None
    assert error_text(exc, "ja") == "free-form text"


# ---- words drawn in the figures -------------------------------------------------------------

from emviz.figures import labs as FL  # noqa: E402
from emviz.figures import mixture as F  # noqa: E402
from emviz.figures import stepper as S  # noqa: E402
from emviz.figures import stepper_theory as ST  # noqa: E402
from emviz.ui.i18n import figure_text  # noqa: E402


@pytest.mark.parametrize("key", sorted(F.TEXT))
def test_every_figure_word_is_translated(key):
    entry = catalog()[f"fig.{key}"]
    assert entry["en"] == F.TEXT[key], f"fig.{key}: English must be the figure module's default"
    for lang in TRANSLATED:
        assert _fields(entry[lang]) == _fields(entry["en"]), f"fig.{key} [{lang}] fields differ"


@pytest.mark.parametrize("key", sorted(FL.TEXT))
def test_every_lab_figure_word_is_translated(key):
    entry = catalog()[f"labfig.{key}"]
    assert entry["en"] == FL.TEXT[key], f"labfig.{key}: English must be the module's default"
    for lang in TRANSLATED:
        assert _fields(entry[lang]) == _fields(entry["en"]), f"labfig.{key} [{lang}] differ"


@pytest.mark.parametrize("key", sorted(S.TEXT))
def test_every_stepper_word_is_translated(key):
    entry = catalog()[f"stepview.{key}"]
    assert entry["en"] == S.TEXT[key], f"stepview.{key}: English must be the module's default"
    for lang in TRANSLATED:
        assert _fields(entry[lang]) == _fields(entry["en"]), f"stepview.{key} [{lang}] differ"


@pytest.mark.parametrize("key", sorted(ST.TEXT))
def test_every_theory_stepper_word_is_translated(key):
    entry = catalog()[f"steptheory.{key}"]
    assert entry["en"] == ST.TEXT[key], f"steptheory.{key}: English must be the module's default"
    for lang in TRANSLATED:
        assert _fields(entry[lang]) == _fields(entry["en"]), f"steptheory.{key} [{lang}] differ"


def _strings(node: object) -> list[str]:
    """Every string in a figure's dict, recursively (names, titles, hover templates, ...)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, (list, tuple)):
        return [s for v in node for s in _strings(v)]
    return []


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("d", (1, 2, 3))
def test_figures_in_another_language_carry_no_english_word(lang, d):
    from emviz.engine.em import initialize, run_em

    english = {v for k, v in F.TEXT.items()
               if "{" not in v and len(v) > 4 and v not in catalog()[f"fig.{k}"][lang]}
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (40, d)), rng.normal(4, 1, (40, d))])
    trace = run_em(X, initialize(X, 2, seed=1), max_iter=5)
    opts = F.FigureOptions(text=figure_text(lang))
    resps = [np.full((80, 2), 0.5)] * trace.n_iter
    figs = [F.mixture_figure(X, trace.params[-1], None, truth=trace.params[0], options=opts),
            F.mixture_figure(X, trace.params[-1], resps[0], options=opts),
            F.loglik_figure(trace, trace.n_half_steps - 1, opts),
            F.animation_figure(X, trace, resps, options=opts)]
    text = "\n".join(s for f in figs for s in _strings(f.to_plotly_json()))
    left = sorted(w for w in english if w in text)
    assert not left, f"[{lang}] {d}-D figures still say {left}"
    assert re.search(_SCRIPT[lang], text)


def test_figure_options_with_text_stay_hashable():
    opts = F.FigureOptions(text=figure_text("ru"))
    assert hash(opts) == hash(F.FigureOptions(text=figure_text("ru")))
    assert opts != F.FigureOptions(text=figure_text("ja"))


# ---- the engine raises only through the catalog -----------------------------------------------

import ast  # noqa: E402

ENGINE = Path(__file__).resolve().parents[2] / "emviz"
#: Every library module (all of emviz/ but the UI and the catalog itself), found by walking
#: the tree: each deliberate error goes through emviz._messages.
CATALOGUED = tuple(sorted(
    str(p.relative_to(ENGINE).with_suffix("")) for p in ENGINE.rglob("*.py")
    if p.relative_to(ENGINE).parts[0] != "ui" and p.name not in ("_messages.py", "__init__.py")))
#: The message codes' prefixes ("io.", "em.", ...), as the catalog defines them.
_CODE = re.compile("(" + "|".join(sorted({re.escape(c.split(".")[0]) for c in MESSAGES
                                          if "." in c})) + r")\.[a-z0-9_]+")
#: Exceptions that reach a user: raised with free text, they would be English only.
_USER_ERRORS = ("DataError", "ParameterError", "ExportError", "EmvizError", "ValueError",
                "TypeError")


def _tree(module: str) -> ast.Module:
    return ast.parse((ENGINE / f"{module}.py").read_text(encoding="utf-8"))


def _free_text(call: ast.Call) -> bool:
    """A literal or f-string message (a catalogued error is built by ``error(cls, code)``)."""
    return bool(call.args) and isinstance(call.args[0], (ast.Constant, ast.JoinedStr))


def test_the_module_list_walks_the_tree():
    assert {"em", "stepper", "basins", "_validation"} <= {m.rsplit("/", 1)[-1]
                                                           for m in CATALOGUED}
    assert not [m for m in CATALOGUED if m.startswith("ui")]


@pytest.mark.parametrize("module", CATALOGUED)
def test_engine_errors_are_raised_through_the_catalog(module):
    """A new ``raise DataError(f"...")`` would be English only: use ``error(cls, code)``."""
    bare = [node.lineno for node in ast.walk(_tree(module))
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
            and getattr(node.exc.func, "id", "") in _USER_ERRORS and _free_text(node.exc)]
    assert not bare, f"emviz/{module}.py raises a free-text error on line(s) {bare}"


@pytest.mark.parametrize("module", CATALOGUED)
def test_every_code_the_engine_uses_exists(module):
    used = {node.value for node in ast.walk(_tree(module))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and _CODE.fullmatch(node.value)}
    missing = sorted(used - set(MESSAGES))
    assert not missing, f"emviz/{module}.py uses unknown message codes {missing}"


# ---- the app itself, in another language ----------------------------------------------------


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_app_draws_and_describes_the_data_in_the_chosen_language(lang):
    from streamlit.testing.v1 import AppTest

    from emviz.data.synthetic import PRESETS, make_preset
    from tests.stepper_view import payload

    app = Path(__file__).resolve().parents[2] / "app.py"
    at = AppTest.from_file(str(app), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    figures = [c["figure"] for c in payload(at)["charts"]]
    assert figures
    drawn = "\n".join(s for fig in figures for s in _strings(fig))
    english = {v for k, v in F.TEXT.items()
               if "{" not in v and len(v) > 4 and v not in catalog()[f"fig.{k}"][lang]}
    assert not sorted(w for w in english if w in drawn), f"[{lang}] English in the figures"
    captions = [c.value for c in at.caption]
    presets = {str(make_preset(name).description) for name in PRESETS}
    assert not [c for c in captions if c in presets], f"[{lang}] an English description"


def _lab_app(module: str, lang: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(f"from emviz.ui.labs import {module}\n{module}.render()\n",
                             default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_vb_lab_says_why_it_stopped_in_the_chosen_language(lang):
    from tests.stepper_view import payload

    end = payload(_lab_app("vbgmm", lang))["end"]["text"]  # shown at the run's last position
    stop = catalog()["steptheory.vb_stop_converged"][lang]
    assert "ELBO" in end and stop in end, end
    assert "converged" not in end


def test_the_model_selection_lab_shows_cell_status_in_the_chosen_language():
    at = _lab_app("model_selection", "ru")
    shown = "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])
    assert catalog()["selection.status.converged"]["ru"] in shown
    assert "· converged" not in shown and "(skipped)" not in shown


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_spinners_around_cached_work_speak_the_chosen_language(lang, monkeypatch):
    """``st.cache_data`` takes one fixed spinner text; the app wraps its calls instead."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    shown: list[str] = []
    real = st.spinner

    def recording(text, *args, **kwargs):
        shown.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(st, "spinner", recording)
    st.cache_data.clear()
    app = Path(__file__).resolve().parents[2] / "app.py"
    at = AppTest.from_file(str(app), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    expected = {translate(f"spinner.{k}", lang) for k in ("preparing", "fitting", "stepper")}
    assert expected <= set(shown), shown
    english = {translate(f"spinner.{k}", "en") for k in ("reading", "preparing", "fitting",
                                                          "stepper")}
    assert not english & set(shown)


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("module", ["kmeans_vs_gmm", "init_sensitivity", "model_selection"])
def test_lab_preset_buttons_speak_the_chosen_language(module, lang):
    import importlib

    at = _lab_app(module, lang)
    quick = importlib.import_module(f"emviz.ui.labs.{module}").QUICK
    labels = {b.label for b in at.button}
    for name in quick:
        assert translate(f"panels.preset.{name}", lang) in labels, (name, sorted(labels))
        assert translate(f"panels.preset.{name}", "en") not in labels
