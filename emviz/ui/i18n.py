"""Translations: English, Japanese and Russian for every label, help text and message.

The texts live in one JSON catalog per language, ``emviz/i18n/<lang>.json`` (see
:mod:`emviz.i18n`); keys are namespaced by page, e.g. ``"explore.step"``, and the engine's
messages are ``"error.<code>"``. Mathematical notation stays the same
in every language. ``tests/policy/test_i18n.py`` fails if any key lacks a language or if the
``{placeholders}`` differ between languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

import streamlit as st

from emviz import i18n as _catalogs

LANGUAGES: dict[str, str] = {"en": "English", "ja": "日本語", "ru": "Русский"}
DEFAULT_LANGUAGE = "en"
LANG_KEY = "lang"


@cache
def catalog() -> Mapping[str, Mapping[str, str]]:
    """Every key, with its text in each language that has it (from ``emviz/i18n/``)."""
    merged: dict[str, dict[str, str]] = {}
    for lang in _catalogs.languages():
        for key, text in _catalogs.load(lang).items():
            merged.setdefault(key, {})[lang] = text
    return merged


def translate(key: str, lang: str, /, **fmt: object) -> str:
    """The text for ``key`` in ``lang``, formatted with ``fmt``.

    A missing key is a programming error: it raises ``KeyError`` (the i18n test catches it
    before users do).
    """
    entry = catalog()[key]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**fmt) if fmt else text


def current_language() -> str:
    """The session's language (falls back to English)."""
    lang = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, /, **fmt: object) -> str:
    """The text for ``key`` in the session's current language."""
    return translate(key, current_language(), **fmt)


def bound() -> Callable[..., str]:
    """:func:`t` fixed to this run's language, for a widget's ``format_func``.

    Streamlit and AppTest may call a ``format_func`` outside the script run, where the
    session's language cannot be read (it would fall back to English, and AppTest would then
    not find the option it drew in Japanese).
    """
    lang = current_language()
    return lambda key, **fmt: translate(key, lang, **fmt)


@cache
def _figure_text(lang: str) -> tuple[tuple[str, str], ...]:
    from emviz.figures.mixture import TEXT

    return tuple((key, translate(f"fig.{key}", lang)) for key in TEXT)


def figure_text(lang: str | None = None) -> tuple[tuple[str, str], ...]:
    """The words of the core figures in ``lang`` (default: the session's), as
    ``FigureOptions(text=...)`` takes them. Being part of the options, the language is part
    of every figure cache key that includes the options."""
    return _figure_text(current_language() if lang is None else lang)
