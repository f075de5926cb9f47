"""Presenter mode: projector CSS.

Only constant CSS from ``assets/`` is ever injected as HTML (never user text). The keys and
Play of the Explore stepper live in the browser (``emviz/ui/stepper.js``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@cache
def _css(presenter: bool) -> str:
    files = ("emviz.css", "classroom.css") + (("presenter.css",) if presenter else ())
    return "\n".join((ASSETS / f).read_text(encoding="utf-8") for f in files
                     if (ASSETS / f).is_file())


def inject_css(presenter: bool) -> None:
    """Static styles from assets/ (constant text, never user input)."""
    css = _css(bool(presenter))
    if css:
        st.html(f"<style>{css}</style>")


def is_on() -> bool:
    return bool(st.session_state.get("presenter", False))
