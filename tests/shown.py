"""What a reader sees of a Markdown body the app renders (for tests that read the page)."""

from __future__ import annotations

import re

from emviz.text import WORD_JOINER


def shown(body: object) -> str:
    """``body`` without the backslash escapes and word joiners of :func:`emviz.text.markdown_text`
    (Markdown emphasis such as ``**`` stays: tests match the app's own markup too)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(body)).replace(WORD_JOINER, "")
