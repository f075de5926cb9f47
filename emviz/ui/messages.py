"""Errors for people: emviz's typed errors in the reader's language, anything else as a
friendly note.

The engine's errors and loader notes carry a message code (:mod:`emviz._messages`); they
are shown translated from the catalogs ``emviz/i18n/<lang>.json`` (keys ``error.<code>``), falling
back to the English ``str(exc)`` for an error without a code.

Messages quote user-supplied text (file and column names, cells), and ``st.error``,
``st.caption`` and friends render Markdown: whatever is shown goes through
:func:`emviz.text.markdown_text` first (:func:`as_markdown` does it for engine text).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar

import streamlit as st

from emviz._messages import Joined, Message
from emviz.engine.work import Cancelled
from emviz.errors import CollapseError, EmvizError
from emviz.text import markdown_text
from emviz.ui.i18n import DEFAULT_LANGUAGE, catalog, current_language, t, translate

T = TypeVar("T")
_log = logging.getLogger("emviz")


def _translated(code: str | None, params: Mapping[str, object], lang: str) -> str | None:
    """The engine message ``code`` in ``lang``, or None if it has no translation."""
    key = f"error.{code}"
    if code is None or key not in catalog():
        return None
    values = {name: localize(value, lang) if isinstance(value, str) else value
              for name, value in params.items()}
    try:
        return translate(key, lang, **values)
    except (KeyError, IndexError, ValueError):  # a template/params mismatch: show English
        _log.warning("Could not translate engine message %r into %r", code, lang)
        return None


def localize(text: object, lang: str | None = None) -> str:
    """``text`` in ``lang`` (default: the session's) if the engine wrote it as a
    :class:`~emviz._messages.Message` (a loader note, a data description); other text is
    returned unchanged (it is data, or already translated)."""
    lang = current_language() if lang is None else lang
    if isinstance(text, Joined):
        return text.sep.join(localize(part, lang) for part in text.parts)
    if isinstance(text, Message) and lang != DEFAULT_LANGUAGE:
        return _translated(text.code, text.params, lang) or str(text)
    return str(text)


def as_plain(text: object, lang: str | None = None) -> str:
    """:func:`localize` for a figure builder, which escapes it for Plotly itself
    (:func:`emviz.text.plotly_text`); never for Markdown (use :func:`as_markdown`)."""
    return localize(text, lang)


def as_markdown(text: object, lang: str | None = None) -> str:
    """:func:`localize`, escaped so that Markdown shows it verbatim (engine messages and
    notes quote file names, column names and cells)."""
    return markdown_text(localize(text, lang))


def error_text(exc: BaseException, lang: str | None = None) -> str:
    """The message of an emviz error in ``lang`` (default: the session's).

    English is ``str(exc)`` itself; other languages use the error's ``code`` and fall back
    to ``str(exc)`` when it has none (or no translation).
    """
    lang = current_language() if lang is None else lang
    if lang == DEFAULT_LANGUAGE or not isinstance(exc, EmvizError):
        return str(exc)
    return _translated(exc.code, exc.params, lang) or str(exc)


def show_error(exc: BaseException, context: str = "") -> None:
    """Show ``exc`` in the page: its own (translated) message if emviz raised it on purpose."""
    prefix = f"{context}: " if context else ""
    if isinstance(exc, CollapseError):
        st.warning(f"{prefix}{markdown_text(error_text(exc))}", icon="⚠️")
    elif isinstance(exc, EmvizError):
        st.error(f"{prefix}{markdown_text(error_text(exc))}", icon="🚫")
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
    except Cancelled:  # its session has gone (emviz.ui.jobs): nobody to show anything to
        st.stop()
    except Exception as exc:  # the UI must never show a raw traceback
        show_error(exc, context)


def attempt(fn: Callable[[], T], context: str = "") -> T | None:
    """Call ``fn``; on an exception show it and return None."""
    try:
        return fn()
    except Cancelled:  # its session has gone (emviz.ui.jobs): nobody to show anything to
        st.stop()
    except Exception as exc:  # the UI must never show a raw traceback
        show_error(exc, context)
        return None
