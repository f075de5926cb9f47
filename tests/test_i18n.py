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
