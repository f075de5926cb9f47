"""Presenter mode: projector CSS, the lecturer's keyboard shortcuts, and Play / Pause.

Only constant CSS from ``assets/`` is ever injected as HTML (never user text). Shortcuts use
``st.button(shortcut=...)`` (Streamlit ≥ 1.50), which ignores key presses while the focus is
in a text or number field; the E-step and M-step buttons share → because exactly one of
them is enabled at any time, so → is always "the next half-step".
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import streamlit as st

from emviz.ui.i18n import t

ASSETS = Path(__file__).resolve().parents[2] / "assets"
#: Keys for the lecturer (Streamlit's names). "C" and "R" are reserved by Streamlit.
SHORTCUTS = {"next": "Right", "previous": "Left", "play": "P", "reset": "Home"}
#: Seconds per half-step while playing.
PLAY_SECONDS = 1.0
PLAYING = "playing"
_LAST_TICK = "play_tick"


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


def shortcut_legend() -> None:
    """The keys, on screen, so the audience and the lecturer both know them."""
    st.caption(t("presenter.keys"))


# --------------------------------------------------------------------------------------
# Callbacks on the Explore timeline (session keys "position", "frontier", "n_half_steps")
# --------------------------------------------------------------------------------------
def _last() -> int:
    return int(st.session_state.get("n_half_steps", 1)) - 1


def on_previous() -> None:
    ss = st.session_state
    ss["position"] = max(0, int(ss["position"]) - 1)
    ss[PLAYING] = False


def on_play() -> None:
    """Play from here (from the start if at the end), or pause."""
    ss = st.session_state
    if ss.get(PLAYING):
        ss[PLAYING] = False
        return
    if int(ss["position"]) >= _last():
        ss["position"] = 0
    ss[PLAYING] = True
    ss[_LAST_TICK] = 0.0


def stop() -> None:
    st.session_state[PLAYING] = False


@st.fragment(run_every=PLAY_SECONDS)
def _ticker() -> None:
    # The body also runs inside every full rerun: only advance once a period has passed.
    ss = st.session_state
    if not ss.get(PLAYING):
        return
    now = time.monotonic()
    if now - float(ss.get(_LAST_TICK, 0.0)) < 0.9 * PLAY_SECONDS:
        return
    ss[_LAST_TICK] = now
    pos, last = int(ss["position"]), _last()
    if pos >= last:
        ss[PLAYING] = False
    else:
        ss["position"] = pos + 1
        ss["frontier"] = max(int(ss["frontier"]), pos + 1)
    st.rerun()


def autoplay() -> None:
    """Call once per Explore run: while playing, step forward every PLAY_SECONDS."""
    if st.session_state.get(PLAYING):
        _ticker()
