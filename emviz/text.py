"""User text shown as text: one escaping function per place it is shown.

File names, column names, labels and cell values come from whoever made the file. Streamlit
renders the strings of ``st.markdown``, ``st.caption``, ``st.error`` and friends as Markdown
(with its own additions: ``:red[...]`` colours, ``:material/...:`` icons, ``$...$`` maths),
and Plotly renders titles, legends and hover labels as a small HTML dialect (``<a href>``,
``<b>``, ``<br>``; ``%{...}`` in a hover template pulls in data values). A column named
``![p](http://host/x)`` would make every browser showing it fetch that address.

So user text goes through :func:`markdown_text` wherever Streamlit renders Markdown and
through :func:`plotly_text` wherever it becomes part of a Plotly figure; both give back
strings that display exactly the original characters. Translated templates and the app's
own markup are not escaped: only the values put into them.

This module is pure Python: no Streamlit, no Plotly.
"""

from __future__ import annotations

import re

__all__ = ["WORD_JOINER", "markdown_text", "plotly_text"]

# Every ASCII punctuation character: CommonMark lets a backslash escape any of them, and
# each one starts some construct somewhere (links, images, emphasis, code, HTML, entities,
# autolinks, tables, Streamlit's :directives[] and $maths$).
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
# Line breaks would start new blocks (headings, lists, code); other control characters show
# as nothing useful.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# GitHub's "autolink literals" (http://…, www.…, name@host.tld) become links even when every
# character is escaped: they are found in the parsed text, after escapes are gone. An
# invisible WORD JOINER (U+2060) after the scheme's colon, after "www" and after "@" leaves
# nothing to find.
_AUTOLINK = re.compile(r"(?i)(?<=\\:)(?=\\/\\/)|(?<=www)(?=\\\.)|(?<=\\@)")
WORD_JOINER = "\u2060"
_PLOTLY = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "%": "&#37;", "$": "&#36;"})


def markdown_text(value: object) -> str:
    """``value`` as Markdown that shows exactly its characters.

    Parameters
    ----------
    value : object
        Any text (or anything with a ``str``), e.g. a file or column name.

    Returns
    -------
    str
        Every ASCII punctuation character backslash-escaped, and control characters (line
        breaks included) turned into one space each run, so the text stays on its line. A
        :data:`WORD_JOINER` (invisible) follows ``://``'s colon, ``www`` before a dot and
        ``@``, so no web or e-mail address becomes a link.

    Examples
    --------
    >>> markdown_text("![p](http://h/x)")
    '\\\\!\\\\[p\\\\]\\\\(http\\\\:\\\\/\\\\/h\\\\/x\\\\)'
    """
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _CONTROL.sub(" ", str(value)))
    return _AUTOLINK.sub(WORD_JOINER, escaped)


def plotly_text(value: object) -> str:
    """``value`` as Plotly text (a title, legend entry, axis title or hover template part).

    Parameters
    ----------
    value : object
        Any text, e.g. a column name.

    Returns
    -------
    str
        ``&``, ``<`` and ``>`` as HTML entities (no tags, no entities of the user's), ``%``
        and ``$`` as numeric entities (no ``%{...}`` template, no ``$...$`` maths). Plotly
        turns the entities back into the characters when it draws the text.

    Examples
    --------
    >>> plotly_text('<a href="http://h">%{x}</a>')
    '&lt;a href="http://h"&gt;&#37;{x}&lt;/a&gt;'
    """
    return str(value).translate(_PLOTLY)
