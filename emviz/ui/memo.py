"""Caches that forget: every cached function of the UI has a size bound and an expiry, and
what it computes from an upload lives only as long as the browser session that uploaded it.

Plain ``st.cache_data`` keeps an entry until newer ones push it out. With 64 entries per
function and no expiry, three 157 MB uploads in tabs that were then closed kept the server at
1.6 GB. A function decorated with :func:`cached` instead:

* has ``max_entries`` and a ``ttl`` (and ``max_size``, in pickled bytes, where one value can
  be large);
* keeps the results of calls that carry uploaded bytes (``_raw`` is not None) in a
  *session-scoped* cache, which Streamlit clears when that session disconnects; shared data
  (presets, synthetic mixtures, the shipped samples) stays in one global cache, so a
  classroom on the same preset computes it once;
* outside a script run (a download button's callable runs on a server thread, with no
  session context) computes without any cache: Streamlit's caches need the context, log
  "missing ScriptRunContext" without it, and a session-scoped one cannot work at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

F = TypeVar("F", bound=Callable[..., Any])

#: How long an entry lives after it was computed (seconds). A lesson is shorter.
TTL_SECONDS = 3600


def in_script_run() -> bool:
    """Whether this thread runs a session's script (False in a download's callable)."""
    return get_script_run_ctx(suppress_warning=True) is not None


def holds_upload(kwargs: dict[str, Any]) -> bool:
    """A call computes from uploaded bytes: the UI passes them as ``_raw`` (never hashed)."""
    return kwargs.get("_raw") is not None


def cached(*, max_entries: int, upload_entries: int | None = None, ttl: float = TTL_SECONDS,
           max_size: str | None = None) -> Callable[[F], F]:
    """``st.cache_data`` with bounds, and per-session storage for uploads.

    Parameters
    ----------
    max_entries : int
        Entries kept for shared data (every session together).
    upload_entries : int, optional
        Entries kept per session for calls with uploaded bytes (default ``max_entries``).
    ttl : float, optional
        Seconds an entry lives.
    max_size : str, optional
        Pickled bytes each cache may hold, e.g. ``"256MB"`` (per session for uploads).

    Notes
    -----
    Upload bytes must be passed by keyword as ``_raw``; the function's hashed arguments must
    identify them (the data panel puts the upload's digest in the spec).
    """

    def decorate(fn: F) -> F:
        options = {"ttl": ttl, "max_size": max_size, "show_spinner": False}
        shared = st.cache_data(fn, max_entries=max_entries, **options)
        private = st.cache_data(fn, max_entries=upload_entries or max_entries, scope="session",
                                **options)

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            if not in_script_run():
                return fn(*args, **kwargs)
            return (private if holds_upload(kwargs) else shared)(*args, **kwargs)

        def clear() -> None:
            shared.clear()
            if in_script_run():
                private.clear()

        call.clear = clear  # type: ignore[attr-defined]
        call.shared, call.private = shared, private  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return decorate
