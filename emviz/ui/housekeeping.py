"""Uploads leave with their session: the server gives an upload's memory back once no browser
session holds it.

:mod:`emviz.ui.memo` keeps what the app computes from an upload in session-scoped caches,
which Streamlit clears when the session disconnects. The uploaded bytes themselves are
Streamlit's: it keeps a disconnected session for ``server.disconnectedSessionTTL`` seconds
(120 by default) so that a reconnecting tab finds its state, and then drops it from its
session storage *without shutting it down*. The bytes its file uploader received then stay
in the uploaded-file manager for the life of the server, so do its download buttons'
callables in the media-file manager (each holds the upload, to build the labelled CSV), and
the expired session (whose state holds the upload too) stays referenced until that storage
is next written to.

A daemon thread (:func:`start`, once per server) runs :func:`sweep` every
:data:`INTERVAL_S` seconds. It lets the session storage drop expired sessions, removes the
uploaded files and the download references of every session that is neither connected nor
kept for reconnection (what a shut-down session would have done), and,
when a session went away, runs the garbage collector and asks the C allocator to return its
free memory to the system (``malloc_trim``), so that the server's resident size goes back
towards its idle level instead of staying at its peak.

Streamlit's session manager and uploaded-file manager are read through attributes that are
not public API. If they change, :func:`sweep` logs it once and does nothing more: the app
works as before, it only keeps memory longer.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
import time
from dataclasses import dataclass, field

from streamlit import runtime

#: Seconds between two sweeps.
INTERVAL_S = 15.0

_log = logging.getLogger("emviz")
_start_lock = threading.Lock()
_started = False


@dataclass
class Sessions:
    """Session ids seen by the last sweep: connected ones and all live ones."""

    active: set[str] = field(default_factory=set)
    live: set[str] = field(default_factory=set)


def start() -> None:
    """Start the sweeping thread, once per server (nothing under AppTest or bare Python)."""
    global _started
    with _start_lock:
        # AppTest installs a mock runtime: only a real server's Runtime has sessions to sweep.
        if _started or not runtime.exists() or type(runtime.get_instance()) is not runtime.Runtime:
            return
        _started = True
    threading.Thread(target=_loop, name="emviz-housekeeping", daemon=True).start()


def _loop() -> None:
    seen = Sessions()
    warned = False
    while True:
        time.sleep(INTERVAL_S)
        try:
            seen = sweep(seen)
        except Exception:  # Streamlit's internals changed: keep serving, say it once
            if not warned:
                _log.warning("Upload housekeeping is off: Streamlit's session manager "
                             "changed", exc_info=True)
                warned = True


def _live_sessions() -> Sessions:
    manager = runtime.get_instance()._session_mgr
    storage = getattr(manager, "_session_storage", None)
    entries = getattr(storage, "_cache", None)
    if entries is not None:
        with getattr(manager, "_storage_lock", threading.Lock()):
            len(entries)  # Streamlit's TTL cache drops expired sessions when it is counted
    return Sessions(active={info.session.id for info in manager.list_active_sessions()},
                    live={info.session.id for info in manager.list_sessions()})


def sweep(previous: Sessions) -> Sessions:
    """Drop the uploads of sessions that are gone; give memory back if any session went.

    Parameters
    ----------
    previous : Sessions
        What the last sweep saw.

    Returns
    -------
    Sessions
        What this sweep saw (pass it to the next one).
    """
    now = _live_sessions()
    rt = runtime.get_instance()
    files, media = rt.uploaded_file_mgr, rt.media_file_mgr
    stale = [sid for sid in list(getattr(files, "file_storage", {})) if sid not in now.live]
    for sid in stale:
        files.remove_session_files(sid)
    referring = [sid for sid in list(getattr(media, "_files_by_session_and_coord", {}))
                 if sid not in now.live]
    for sid in referring:
        media.clear_session_refs(sid)
    if referring:
        media.remove_orphaned_files()  # the downloads nobody can click any more
    stale += referring
    if stale or previous.active - now.active or previous.live - now.live:
        release_memory()
    return now


def release_memory() -> None:
    """Collect garbage, then return the allocator's free pages to the system (glibc only)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc
        return None
