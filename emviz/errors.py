"""Typed errors. Every message says what was wrong, what was expected, what was received,
and what to do about it, so the UI can show it verbatim with ``st.error``.

An error raised through :func:`emviz._messages.error` also carries a message ``code`` and its
``params``, so a user interface can show it in another language; ``str(exc)`` is always the
English text.
"""

from __future__ import annotations

from collections.abc import Mapping

from emviz._messages import MESSAGES, Message


class EmvizError(Exception):
    """Base class of every error emviz raises on purpose.

    Attributes
    ----------
    code : str or None
        Key of the message template in :data:`emviz._messages.MESSAGES` (None for a free-form
        message, which then exists in English only).
    params : dict
        The values the template is formatted with (``str.format`` keywords).
    """

    def __init__(self, message: object = "", *args: object, code: str | None = None,
                 params: Mapping[str, object] | None = None) -> None:
        super().__init__(message, *args)
        self.code: str | None = code if code is not None else getattr(message, "code", None)
        if params is None:
            params = getattr(message, "params", None)
        self.params: dict[str, object] = dict(params or {})

    def __str__(self) -> str:
        """The English message; with a code, as a translatable ``emviz._messages.Message``
        (still a ``str``), so ``str(exc)`` kept by a cache can be translated later."""
        text = super().__str__()
        if self.code is None:
            return text
        return Message.wrap(text, self.code, self.params)


class DataError(EmvizError, ValueError):
    """The input data cannot be used as given (bad CSV, NaN/inf, too few points, ...)."""


class ParameterError(EmvizError, ValueError):
    """A model parameter or option has the wrong shape, type or value."""


class Cancelled(EmvizError):
    """A long computation stopped because its caller asked it to (a ``should_stop`` hook
    answered True). Not a ``ValueError``: nothing was wrong with the input."""


class CollapseError(EmvizError, ValueError):
    """A component's covariance became singular (the likelihood singularity of EM).

    Its ``code`` is ``"collapse"``. The message and its ``component`` parameter number
    components from 1, as every legend and table does; the attribute :attr:`component` is the
    0-based index. The technical ``detail`` (which factorisation failed) is kept in the English
    message only.

    Attributes
    ----------
    component : int
        Index of the offending component.
    """

    def __init__(self, component: int, detail: str = "") -> None:
        self.component = int(component)
        self.detail = str(detail)
        msg = MESSAGES["collapse"].format(component=self.component + 1)
        if detail:
            msg = msg.replace("numerically zero.", f"numerically zero ({detail}).", 1)
        super().__init__(msg, code="collapse", params={"component": self.component + 1})

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.component, self.detail))
