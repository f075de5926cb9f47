"""What every page calls the data: the name the sidebar gives it, in the reader's language.

A teaching preset is shown by its translated title ("Unequal sizes", 大きさの違う…), never by
its internal identifier (``unequal_sizes``); a custom mixture by the sidebar's "Custom"
label; a CSV by its file name; data edited by hand as "<name>, edited".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emviz.text import markdown_text
from emviz.ui import state
from emviz.ui.i18n import catalog, t


def _preset(spec: state.PresetSpec, name: str) -> str:
    key = f"panels.preset.{spec.name}"
    return t(key) if key in catalog() else spec.name


def _edited(spec: state.EditedSpec, name: str) -> str:
    """Points drawn by hand, or another data set edited by hand."""
    if spec.base is None:
        return t("panels.preset.draw")
    return t("explore.edited_name", name=data_name(spec.base, name))


#: By kind of data spec: its name on screen (``name`` is what the data calls itself).
_DATA_NAME: dict[type, Callable[[Any, str], str]] = {
    state.PresetSpec: _preset,
    state.SyntheticSpec: lambda spec, name: t("panels.custom"),
    state.TableSpec: lambda spec, name: markdown_text(name),
    state.EditedSpec: _edited,
}


def data_name(spec: state.DataSpec, name: str) -> str:
    """The data's name on screen, as Markdown for captions (``name``: the data's own, e.g. a
    file name, escaped by :func:`emviz.text.markdown_text`)."""
    return _DATA_NAME.get(type(spec), lambda spec, name: markdown_text(name))(spec, name)
