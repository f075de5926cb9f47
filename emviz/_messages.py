"""The English text of every message the engine shows to people, by code.

The engine raises its errors (and writes its loader notes) through this catalog, so each
message carries a stable ``code`` and the ``params`` it was formatted with. ``str()`` of an
error or note is always the English text below; a user interface can look the code up in
its own translations (``emviz/i18n/<lang>.json`` keys them ``error.<code>``) and format
them with the same params. Quoted user text (file and column names, cell values) is always a
parameter value, never part of a template.

A parameter value may itself be a :class:`Message` (e.g. the name of a delimiter); a
translating UI translates it too.

This module is pure Python: no Streamlit, no NumPy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final, TypeVar

from emviz import i18n as _catalogs

if TYPE_CHECKING:  # for the annotation only: errors.py imports this catalog
    from emviz.errors import EmvizError

#: Message code -> English ``str.format`` template (the ``error.<code>`` entries of the
#: English catalog, ``emviz/i18n/en.json``).
MESSAGES: Final[Mapping[str, str]] = _catalogs.messages()


class Message(str):
    """An English message that remembers its ``code`` and ``params``.

    It *is* the English ``str`` (so it compares, prints and concatenates as before); a UI
    can translate it by ``code``. Parameters may be Messages themselves.

    Parameters
    ----------
    code : str
        A key of :data:`MESSAGES`.
    **params
        The values the template is formatted with.
    """

    code: str
    params: dict[str, object]

    def __new__(cls, code: str, /, **params: object) -> Message:
        self = super().__new__(cls, MESSAGES[code].format(**params))
        self.code = code
        self.params = dict(params)
        return self

    @classmethod
    def wrap(cls, text: str, code: str, params: Mapping[str, object]) -> Message:
        """A Message whose English ``text`` is given (e.g. with extra detail appended)."""
        self = super().__new__(cls, text)
        self.code = code
        self.params = dict(params)
        return self

    def __str__(self) -> str:  # str(message) keeps the code (a plain copy would lose it)
        return self

    def __reduce__(self) -> tuple[object, ...]:  # keeps code and params through pickling
        return (Message.wrap, (str.__str__(self), self.code, self.params))


class Joined(str):
    """Several parts (Messages or plain text) joined by ``sep``; a UI translates each part."""

    parts: tuple[str, ...]
    sep: str

    def __new__(cls, parts: Sequence[str], sep: str = ", ") -> Joined:
        self = super().__new__(cls, sep.join(parts))
        self.parts = tuple(parts)
        self.sep = sep
        return self

    def __str__(self) -> str:
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (Joined, (self.parts, self.sep))


E = TypeVar("E", bound="EmvizError")


def error(cls: type[E], code: str, /, **params: object) -> E:
    """An error of class ``cls`` with the English message ``code`` formatted with ``params``.

    ``raise error(DataError, "io.empty_array", shape=(0, 2))``
    """
    return cls(Message(code, **params), code=code, params=params)
