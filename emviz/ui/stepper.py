"""The browser-side stepper, as a Streamlit custom component (``st.components.v2``).

Python builds a run's whole payload once (:mod:`emviz.figures.stepper`); ``stepper.js`` steps,
scrubs and plays it in the browser without a rerun. The component reports back only:

* state ``position``: ``{"id", "h", "frontier"}``, only when the user reaches for something
  outside the stepper (a download, the share box, the sidebar, another page): stepping
  itself costs the server nothing, and the browser keeps the link's position parameter
  right in the address bar meanwhile;
* trigger ``edit``: points added or removed on a 2D chart, ``{"id", "h", "added",
  "removed"}`` (one batch per pause in clicking);
* trigger ``drag``: a mean dragged at position 0, ``{"id", "k", "mean"}``;
* trigger ``command``: ``"new_init"`` (:func:`follow` runs the page's callback for it), or
  ``"resend"`` when the browser got only a header for a run it does not hold.

What Python sends is ``frame_header(id, goto, nonce) + payload``: the header tells the
browser where to go when Python decides it (a new run starts at 0, a shared link opens at
its half-step), once per ``nonce``; otherwise the browser keeps its own position, and the
unchanged bytes cost a rerun only a cache reference (Streamlit caches large messages).

plotly.js comes from Streamlit's static file serving (``server.enableStaticServing``):
:func:`ensure_plotly_js` puts the bundles into ``static/`` next to ``app.py``, so the browser
fetches each once and caches it. The browser loads the smallest bundle that has every trace
type of the payload: a prebuilt partial bundle vendored in ``vendor/`` (``basic`` for 1D
and 2D, ``gl3d`` for 3D; evaluating them is much quicker than the full bundle, and the first
chart waits for it), else the installed plotly package's own full ``plotly.min.js``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import plotly
import streamlit as st

from emviz.figures.stepper import frame_header
from emviz.ui import sidebar_common

_HERE = Path(__file__).resolve().parent
#: Next to app.py: Streamlit serves ``static/<file>`` at ``/app/static/<file>``.
STATIC_DIR = _HERE.parents[1] / "static"
#: The full bundle, from the installed plotly package: for the payloads no smaller bundle
#: draws (stepper.js: ``PLOTLY_BUNDLES``).
PLOTLY_JS = "plotly.min.js"
#: Prebuilt plotly.js partial bundles, unchanged from npm; ``SOURCES.json`` lists them.
VENDOR_DIR = _HERE / "vendor"
_copy_lock = threading.Lock()


def plotly_bundles() -> list[dict[str, Any]]:
    """The vendored plotly.js bundles, smallest first: ``file``, ``package``, ``version``,
    ``sha256`` and ``traces`` (the trace types it has), from ``vendor/SOURCES.json``."""
    manifest = json.loads((VENDOR_DIR / "SOURCES.json").read_text(encoding="utf-8"))
    return list(manifest["bundles"])


def _bundle_sources() -> dict[str, Path]:
    plotly_js = Path(plotly.__file__).resolve().parent / "package_data" / PLOTLY_JS
    return {**{b["file"]: VENDOR_DIR / b["file"] for b in plotly_bundles()},
            PLOTLY_JS: plotly_js}


def ensure_plotly_js(static_dir: Path = STATIC_DIR) -> list[Path]:
    """Put the plotly.js bundles in ``static_dir`` (those not already there): the vendored
    partial bundles and the installed plotly's own ``plotly.min.js``.

    The full bundle is copied rather than committed, so it always matches the installed
    ``plotly``; the vendored ones are checked against that version by the tests. Atomic: a
    half-written file is never served.
    """
    targets = []
    with _copy_lock:
        for name, source in _bundle_sources().items():
            target = static_dir / name
            targets.append(target)
            if target.is_file() and target.stat().st_size == source.stat().st_size:
                continue
            static_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=static_dir, prefix=".plotly-", suffix=".js")
            os.close(fd)
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
    return targets


@st.cache_resource(show_spinner=False)
def _component() -> Callable[..., Any]:
    ensure_plotly_js()
    return st.components.v2.component(
        "emviz.figures.stepper",
        css=(_HERE / "stepper.css").read_text(encoding="utf-8"),
        js=(_HERE / "stepper.js").read_text(encoding="utf-8"),
        isolate_styles=False,  # Plotly's styles live in the page's head
    )


def _noop() -> None:
    """Reruns without a callback still update the component's state."""


def mount(payload: bytes, *, key: str, payload_id: str, goto: int | None, nonce: int,
          param: str | None = None,
          on_position: Callable[[], None] = _noop, on_edit: Callable[[], None] = _noop,
          on_drag: Callable[[], None] = _noop,
          on_command: Callable[[], None] = _noop) -> Any:
    """Mount the stepper with ``payload`` (bytes from :func:`emviz.figures.stepper.payload_bytes`;
    empty to send only the header, for a browser that already holds that run).

    ``goto`` (with ``nonce``) moves the browser to that position once; ``param`` is the
    link's query parameter for the position, which the browser keeps right in the address
    bar. The callbacks run before the next script run, with the component's values in
    ``st.session_state[key]``.
    """
    data = frame_header(payload_id, goto, nonce, param) + payload
    return _component()(
        key=key, data=data, default={"position": None},
        on_position_change=on_position, on_edit_change=on_edit, on_drag_change=on_drag,
        on_command_change=on_command, height="content",
    )


def value(key: str, name: str) -> Any:
    """The component's last ``name`` value (state or trigger), or None."""
    result = st.session_state.get(key)
    if result is None:
        return None
    try:
        return result[name]
    except (KeyError, TypeError):
        return getattr(result, name, None)


# --------------------------------------------------------------------------------------
# A page's stepper that follows one position key (the labs)
# --------------------------------------------------------------------------------------
def follow(key: str, payload: bytes, payload_id: str, *, position_key: str, last: int,
           run: Any, url_path: str,
           commands: Mapping[str, Callable[[], None]] | None = None) -> None:
    """Mount a stepper whose paused position lives in ``st.session_state[position_key]``.

    For a page whose run is one payload (a lab): when ``run`` (any hashable description of
    the run) changes, the browser is sent to ``st.session_state[position_key]`` (clamped to
    ``last``; the page sets it first, e.g. from a shared link); afterwards the browser keeps
    its own position (and the link's ``position_key`` parameter in the address bar) and
    reports it when the user reaches outside the stepper. The report reruns only a fragment
    around the stepper, which writes the page's link (its ``url_path``); the page itself
    does not rerun. Everything that follows the position must therefore be in the payload.

    A whole-page run sends the payload; the fragment's own reruns send only the header (the
    browser holds the run already), unless the browser asks for the run again (``"resend"``).

    ``commands`` maps a toolbar command (``"new_init"``) to a callback that changes the
    session (e.g. the seed); the whole page then reruns, with a new run.
    """
    ss = st.session_state
    memo = f"{key}__run"
    if ss.get(memo) != run:
        ss[memo] = run
        ss[f"{key}__goto"] = min(max(int(ss.get(position_key, 0) or 0), 0), last)
        ss[f"{key}__nonce"] = int(ss.get(f"{key}__nonce", 0)) + 1
    ss[f"{key}__send"] = True
    _follow_fragment(key, payload, payload_id, position_key, last, url_path,
                     dict(commands or {}))


def _take_report(key: str, payload_id: str, position_key: str, last: int) -> None:
    report = value(key, "position")
    if not isinstance(report, dict) or report.get("id") != payload_id:
        return
    try:
        st.session_state[position_key] = min(max(int(report["h"]), 0), last)
    except (KeyError, TypeError, ValueError):
        return


def _take_command(key: str, commands: Mapping[str, Callable[[], None]]) -> None:
    """A toolbar command: its callback, then (in the fragment) a rerun of the whole page;
    or ``"resend"``: the fragment sends the payload again."""
    command = value(key, "command")
    if command == "resend":
        st.session_state[f"{key}__send"] = True
    elif isinstance(command, str) and command in commands:
        commands[command]()
        st.session_state[f"{key}__whole_page"] = True


@st.fragment
def _follow_fragment(key: str, payload: bytes, payload_id: str, position_key: str,
                     last: int, url_path: str,
                     commands: Mapping[str, Callable[[], None]]) -> None:
    ss = st.session_state
    if ss.pop(f"{key}__whole_page", False):  # a callback cannot rerun the page itself
        st.rerun(scope="app")
    # only a header on the fragment's own reruns: sending, hashing and caching the payload
    # again would cost the server more than the rest of the rerun
    mount(payload if ss.pop(f"{key}__send", False) else b"", key=key, payload_id=payload_id,
          goto=ss.get(f"{key}__goto"), nonce=int(ss.get(f"{key}__nonce", 0)),
          param=position_key,
          on_position=lambda: _take_report(key, payload_id, position_key, last),
          on_command=lambda: _take_command(key, commands))
    sidebar_common.sync_url(url_path)  # on a fragment rerun, nothing else writes the link
