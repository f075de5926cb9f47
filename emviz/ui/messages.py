"""Errors for people: emviz's typed errors verbatim, anything else as a friendly note.

Nothing here renders HTML: messages can quote user-supplied text (file and column names),
so they go through ``st.error`` / ``st.code``, which escape it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import streamlit as st

from emviz.errors import CollapseError, EmvizError
from emviz.ui.i18n import t

T = TypeVar("T")
_log = logging.getLogger("emviz")


def show_error(exc: BaseException, context: str = "") -> None:
    """Show ``exc`` in the page: its own message if emviz raised it on purpose."""
    prefix = f"{context}: " if context else ""
    if isinstance(exc, CollapseError):
        st.warning(f"{prefix}{exc}", icon="⚠️")
    elif isinstance(exc, EmvizError):
        st.error(f"{prefix}{exc}", icon="🚫")
    else:
        show_unexpected(exc, context)


def show_unexpected(exc: BaseException, context: str = "") -> None:
    """A friendly message plus the error's type and message in a collapsed expander.

    The full traceback goes to the server log, not the page: the app is projected in
    lecture halls, and a stack trace on the screen helps nobody in the room.
    """
    _log.error("Unexpected error while %s", context or "running the page",
               exc_info=(type(exc), exc, exc.__traceback__))
    if context:
        st.error(t("messages.unexpected", context=context), icon="🚫")
    else:
        st.error(t("common.unexpected_error"), icon="🚫")
    with st.expander(t("common.details")):
        st.code("".join(traceback.format_exception_only(type(exc), exc)), language="text")


@contextmanager
def guarded(context: str = "") -> Iterator[None]:
    """``with guarded("drawing the figure"): ...`` shows any exception instead of raising."""
    try:
        yield
    except Exception as exc:  # the UI must never show a raw traceback
        show_error(exc, context)


def attempt(fn: Callable[[], T], context: str = "") -> T | None:
    """Call ``fn``; on an exception show it and return None."""
    try:
        return fn()
    except Exception as exc:  # the UI must never show a raw traceback
        show_error(exc, context)
        return None
