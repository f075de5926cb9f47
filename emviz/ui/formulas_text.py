"""A half-step's formulas with their words in the reader's language (for "What just happened").

:func:`explained` pairs each :class:`emviz.figures.formulas.Formula` of a half-step with its
one-sentence explanation from the catalog (``emviz/i18n/<lang>.json``, keys ``formula.*``). It
calls no ``st.*`` function, so a component can take its output as data (``to_payload``).
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

from emviz.figures.formulas import Formula, step_formulas
from emviz.ui.i18n import translate


def explained(kind: str, covariance_type: str, lang: str) -> list[tuple[str, Formula]]:
    """(sentence, formula) for every formula of half-step ``kind``, in language ``lang``."""
    return [(translate(f"formula.{f.name}", lang), f)
            for f in step_formulas(kind, covariance_type)]


def to_payload(kind: str, covariance_type: str, lang: str) -> dict[str, Any]:
    """The panel as plain data: ``{"title", "items": [{"name", "words", "mathml", "text"}]}``."""
    return {
        "title": translate("formula.title", lang),
        "items": [{"name": f.name, "words": words, "mathml": f.mathml, "text": f.text}
                  for words, f in explained(kind, covariance_type, lang)],
    }


@cache
def formulas_html(covariance_type: str, lang: str) -> dict[str, str]:
    """What the stepper's "What just happened" shows, per half-step kind (``"E"``, ``"M"``).

    Each formula is its sentence (escaped catalog text, in a ``div``: a ``p`` would take
    Streamlit's paragraph size, not the stepper's presenter size) then its MathML: HTML built
    from constants only, which the stepper inserts as it is. Cached per type and language.
    """
    return {kind: "".join(f'<div class="emv-formula-words">{html.escape(words)}</div>{f.mathml}'
                          for words, f in explained(kind, covariance_type, lang))
            for kind in ("E", "M")}
