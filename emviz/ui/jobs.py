"""Heavy work in the UI: it stops when nobody waits, one job per session, and a click that
asks for more than the work budget is confirmed first.

* :func:`should_stop` is the ``should_stop`` check (:mod:`emviz.engine.work`) the pages hand to the
  engine. It is True once the browser session that started the script run has gone (its tab
  closed: Streamlit asks the script to stop and marks the session inactive) or the user
  pressed Streamlit's Stop. The engine checks it every iteration, so the work ends within
  one iteration of the tab closing, instead of running to ``max_iter`` for nobody.
* :func:`heavy` wraps a page's heavy call: a second heavy job of the same session while one
  runs is refused with a message, and a cancelled job ends the script run quietly (its page
  has nobody to show anything to).
* :func:`confirm` asks before a click's work goes above :data:`emviz.engine.work.WORK_BUDGET`:
  the page shows what it would cost and a button to run it anyway (or the user reduces a
  setting). Shared links never get that far: :func:`clamp_note` is what a page shows when it
  lowered a linked setting to stay within the budget.

Streamlit's script-request state is not public API; if it changes, :func:`should_stop`
falls back to the public ``Runtime.is_active_session``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from emviz.engine.work import Cancelled, budget_now, over_budget
from emviz.ui.i18n import t

#: Seconds between two real looks at the session (the engine may ask every millisecond).
CHECK_EVERY_S = 0.2
#: Session key set when a shared link opened the session, until a page has clamped its
#: first heavy request (:func:`opened_by_link`).
LINKED = "jobs_linked"

_local = threading.local()
_running: set[str] = set()
_running_lock = threading.Lock()


def _session_gone(ctx) -> bool:
    requests = getattr(ctx, "script_requests", None)
    state = getattr(requests, "_state", None)
    if state is not None and getattr(state, "name", "") == "STOP":
        return True
    if not runtime.exists():
        return False
    rt = runtime.get_instance()
    if type(rt) is not runtime.Runtime:  # AppTest's mock runtime has no browser sessions
        return False
    return not rt.is_active_session(ctx.session_id)


def should_stop() -> bool:
    """True when the script run of this thread has nobody waiting for it any more.

    Cheap to call often: it looks at the session at most every :data:`CHECK_EVERY_S`
    seconds per thread. Outside a script run (a download's callable, plain Python) it is
    always False.
    """
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return False
    now = time.monotonic()
    last = getattr(_local, "checked", None)
    if last is not None and last[0] == ctx.session_id and now - last[1] < CHECK_EVERY_S:
        return last[2]
    gone = _session_gone(ctx)
    _local.checked = (ctx.session_id, now, gone)
    return gone


def _session_id() -> str | None:
    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.session_id


def running(session_id: str) -> bool:
    """Whether a heavy job of ``session_id`` runs now."""
    with _running_lock:
        return session_id in _running


@contextmanager
def heavy() -> Iterator[bool]:
    """Run the block as this session's one heavy job.

    Yields True when the block may run; False (after showing why) when another heavy job of
    this session is still running. A :class:`emviz.errors.Cancelled` raised in the block ends
    the script run without a message: the session it would be shown to has gone.
    """
    sid = _session_id()
    if sid is not None:
        with _running_lock:
            if sid in _running:
                busy = True
            else:
                busy = False
                _running.add(sid)
        if busy:
            st.info(t("jobs.busy"), icon=":material/hourglass_top:")
            yield False
            return
    try:
        yield True
    except Cancelled:
        st.stop()
    finally:
        if sid is not None:
            with _running_lock:
                _running.discard(sid)


def _confirmed_key(key: str) -> str:
    return f"jobs_confirmed_{key}"


def confirm(key: str, units: int, what: str, budget: int | None = None,
            on_confirm: Callable[..., None] | None = None, args: tuple = ()) -> bool:
    """Whether a click's work of ``units`` may run now.

    Within ``budget`` it may. Above it, the page shows what the work would cost and a
    button to run it anyway, and this returns False until that button is pressed for this
    very request (``what`` identifies it: settings that change make it ask again).

    Parameters
    ----------
    key : str
        The page's name for its heavy job (one confirmation slot per page).
    units : int
        :func:`emviz.engine.work.work_units` of the request.
    what : str
        A stable description of the request (its settings' ``repr``).
    budget : int, optional
        Default :data:`emviz.engine.work.WORK_BUDGET`.
    on_confirm : callable, optional
        Also called (with ``args``) when the button is pressed, as its callback: for work
        that must run in a callback (one that sets a widget's value).
    """
    if not over_budget(units, budget):
        return True
    ss = st.session_state
    if ss.get(_confirmed_key(key)) == what:
        return True
    budget = budget_now(budget)
    st.warning(t("jobs.over_budget", times=f"{units / budget:,.1f}",
                 units=f"{units:,}", budget=f"{budget:,}"), icon=":material/speed:")
    st.button(t("jobs.run_anyway"), key=f"jobs_run_{key}", type="primary",
              on_click=_confirm, args=(key, what, on_confirm, args),
              help=t("jobs.run_anyway_help"))
    return False


def _confirm(key: str, what: str, then: Callable[..., None] | None, args: tuple) -> None:
    st.session_state[_confirmed_key(key)] = what
    if then is not None:
        then(*args)


def confirmed(key: str, what: str) -> bool:
    """Whether the user confirmed this very request (``what``) on the page ``key``."""
    return st.session_state.get(_confirmed_key(key)) == what


def opened_by_link() -> bool:
    """Whether this run is the first heavy request of a session a shared link opened (the
    page must keep it within the budget). Asking consumes it: later runs are the user's."""
    return bool(st.session_state.pop(LINKED, False))


def clamp_note(setting: str, asked: int, allowed: int) -> None:
    """Say that a shared link asked for more than the budget allows, and what runs instead."""
    st.info(t("jobs.link_clamped", setting=setting, asked=f"{asked:,}", allowed=f"{allowed:,}"),
            icon=":material/speed:")
