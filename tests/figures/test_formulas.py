"""emviz.figures.formulas: a half-step's formulas as MathML and text, with words in three
languages."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from emviz.errors import ParameterError
from emviz.figures.formulas import E_STEP, SIGMA, step_formulas
from emviz.model.params import COVARIANCE_TYPES
from emviz.ui.formulas_text import explained, to_payload
from emviz.ui.i18n import LANGUAGES, catalog

MATHML_TAGS = {"math", "mrow", "mi", "mo", "mn", "msub", "msup", "msubsup", "mfrac",
               "munderover"}


def _every_formula():
    return {f.name: f for kind in ("E", "M") for cov in COVARIANCE_TYPES
            for f in step_formulas(kind, cov)}


def test_each_half_step_has_its_formulas():
    assert step_formulas("init", "full") == ()
    assert step_formulas("E", "diag") == (E_STEP,)
    for cov in COVARIANCE_TYPES:
        names = [f.name for f in step_formulas("M", cov)]
        assert names == ["n_k", "pi", "mu", f"sigma_{cov}"]
    with pytest.raises(ParameterError, match="covariance_type"):
        step_formulas("M", "banana")
    with pytest.raises(ParameterError, match="kind"):
        step_formulas("X", "full")


@pytest.mark.parametrize("name", sorted(_every_formula()))
def test_mathml_is_well_formed_core_mathml_and_text_has_no_latex(name):
    f = _every_formula()[name]
    root = ET.fromstring(f.mathml)  # raises on malformed markup
    assert root.tag == "math" and root.get("display") == "block"
    assert {el.tag for el in root.iter()} <= MATHML_TAGS
    for el in root.iter():
        if el.tag in ("mfrac", "msub", "msup"):
            assert len(el) == 2, (name, el.tag)
        if el.tag in ("msubsup", "munderover"):
            assert len(el) == 3, (name, el.tag)
    assert "\\" not in f.text and "$" not in f.text and "\\" not in f.mathml
    # The text and the MathML name the same symbols.
    symbols = {"π", "μ", "Σ", "σ", "𝒩", "N", "r", "x"}
    shown = {s for s in symbols if s in f.text}
    assert shown and shown <= {el.text for el in root.iter() if el.text} | {"Σ", "r", "x"}


def test_covariance_updates_follow_scikit_learn():
    assert "+ reg_covar·I" in SIGMA["full"].text and "+ reg_covar·I" in SIGMA["tied"].text
    assert SIGMA["tied"].text.startswith("Σ = (1/N) Σ_k Σ_n")
    assert SIGMA["diag"].text.startswith("σ²_kd") and "(1/(N_k D))" in SIGMA["spherical"].text


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_formula_has_words_in_every_language(lang):
    for name in _every_formula():
        assert f"formula.{name}" in catalog()
    payload = to_payload("M", "tied", lang)
    assert payload["title"] == catalog()["formula.title"][lang]
    assert [item["name"] for item in payload["items"]] == ["n_k", "pi", "mu", "sigma_tied"]
    assert all(item["words"] and item["mathml"].startswith("<math") for item in payload["items"])
    words, formula = explained("E", "full", lang)[0]
    assert formula is E_STEP and words == catalog()["formula.e_step"][lang]
