"""The translation catalogs: one JSON file per language, ``<lang>.json``.

Each maps a key to its text: the app's labels (``explore.step``, ``fig.…``) and the engine's
messages (``error.<code>``, the English being the engine's own). Texts are ``str.format``
templates; every language has the same ``{placeholders}`` (``tests/policy/test_i18n.py``). Adding a
language is adding a file. Pure: reading them needs no Streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent
#: The catalog every other language falls back to.
SOURCE_LANGUAGE = "en"


def languages() -> tuple[str, ...]:
    """The languages with a catalog, the source language first."""
    found = sorted(p.stem for p in _HERE.glob("*.json"))
    return (SOURCE_LANGUAGE, *[lang for lang in found if lang != SOURCE_LANGUAGE])


@cache
def load(lang: str) -> Mapping[str, str]:
    """The catalog of ``lang`` (key -> text); an unknown language has an empty one."""
    path = _HERE / f"{lang}.json"
    if lang not in languages() or not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def messages() -> dict[str, str]:
    """The engine's English message templates, by code (the ``error.`` keys)."""
    return {key.removeprefix("error."): text for key, text in load(SOURCE_LANGUAGE).items()
            if key.startswith("error.")}
