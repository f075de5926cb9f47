"""What the singularity, variational Bayes and two-coins labs share to step in the browser.

Each lab builds its whole run once as a stepper payload (:mod:`emviz.figures.stepper_theory`),
cached as the bytes that are sent, and mounts it with :func:`emviz.ui.stepper.follow`: the
browser steps, plays and scrubs it without a rerun, and the lab's position key (the one a
shared link carries) follows where stepping pauses.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from emviz.figures import stepper as sp
from emviz.figures import stepper_theory as spt
from emviz.figures import theory as ft
from emviz.ui import cache, stepper, urlstate
from emviz.ui.explore import stepper_text
from emviz.ui.i18n import translate
from emviz.ui.memo import cached


def text(lang: str) -> dict[str, str]:
    """The words of the stepper and of :data:`emviz.figures.stepper_theory.TEXT` in ``lang``."""
    return {**stepper_text(lang),
            **{key: translate(f"steptheory.{key}", lang) for key in spt.TEXT}}


def labels(lang: str) -> dict[str, str]:
    """:data:`emviz.figures.theory.DEFAULT_LABELS` in ``lang``."""
    return {key: translate(f"theory.fig.{key}", lang) for key in ft.DEFAULT_LABELS}


def as_sent(payload: dict[str, Any]) -> cache.Payload:
    """A payload as the bytes the browser receives, with its id."""
    data = sp.payload_bytes(payload)
    return cache.Payload(data, sp.payload_id(data), 0, False)


@cached(max_entries=64, upload_entries=4, max_size="64MB")
def _cached(key: str, _build: Callable[[], dict[str, Any]]) -> cache.Payload:
    return as_sent(_build())


def payload(key: Hashable, build: Callable[[], dict[str, Any]]) -> cache.Payload:
    """The payload ``build()`` makes, built once per ``key`` (a description of everything it
    depends on: data, settings, figure options, language) and kept as the bytes sent.
    Keyed on ``repr(key)``: one string, rather than Streamlit's hasher walking the specs."""
    return _cached(repr(key), build)


def position(position_key: str, owner_key: str, run: Hashable, last: int,
             start: int) -> int:
    """The lab's position ``ss[position_key]``, in [0, last]: a new run opens at ``start``,
    or where a shared link says (once)."""
    ss = st.session_state
    if ss.get(owner_key) != run:
        ss[owner_key] = run
        ss[position_key] = urlstate.take_linked(ss, position_key, start)
    ss[position_key] = max(0, min(int(ss.get(position_key, start) or 0), last))
    return int(ss[position_key])


def follow(key: str, sent: cache.Payload, *, position_key: str, last: int, run: Hashable,
           url_path: str) -> None:
    """Mount the stepper on ``sent``; see :func:`emviz.ui.stepper.follow`."""
    stepper.follow(key, sent.data, sent.id, position_key=position_key, last=last, run=run,
                   url_path=url_path)
