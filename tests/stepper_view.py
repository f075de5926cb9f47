"""What a page sends its browser-side stepper, read back in AppTest and in unit tests.

AppTest cannot run the stepper's JavaScript; these helpers decode what the page sends it
(a header line, then the payload of emviz.figures.stepper), so a test can check what the browser
would show at any half-step. ``open_page`` and ``ok`` open a session on a link and check
each run; ``received`` and ``to_numpy`` read a payload built in Python (no app) as the
browser receives it.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from emviz.figures import stepper

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def ok(at: AppTest) -> AppTest:
    """``at`` after checking that its last run raised nothing."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(url_path: str = "", query: dict | None = None, **state) -> AppTest:
    """A fresh session opened on a link: ``query`` on page ``url_path`` (the home page if
    empty), with ``state`` set in session state first.

    AppTest cannot open a path, so the first run is the home page and, given ``url_path``,
    a second run picks the registered page with that path.
    """
    at = AppTest.from_file(APP, default_timeout=180)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    for key, value in state.items():
        at.session_state[key] = value
    ok(at.run())
    if url_path:
        at._page_hash = next(h for h, info in at._registered_pages.items()
                             if info.get("url_pathname") == url_path)
        ok(at.run())
    return at


def sent(at: AppTest) -> tuple[dict, dict]:
    """The stepper's header (where to go) and payload (the whole run)."""
    (component,) = at.get("bidi_component")
    head, _, body = bytes(component.proto.bytes).partition(b"\n")
    return json.loads(head), json.loads(body)


def payload(at: AppTest) -> dict:
    """The stepper's payload (the whole run) as the page last sent it."""
    return sent(at)[1]


def at_h(series: dict, h: int):
    """A payload series' value at position ``h``."""
    return series["values"][series["index"][h]]


def decode(value):
    """A typed-array spec as a list (anything else unchanged)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"]).tolist()
    return value


def stepped_to(at: AppTest, h: int) -> AppTest:
    """What the page does when the browser reports that stepping paused at ``h``."""
    at.session_state["position"] = at.session_state["frontier"] = h
    return ok(at.run())


def open_downloads(at: AppTest) -> AppTest:
    """Open Explore's Download box (lazy: its buttons exist only while it is open)."""
    at.session_state["explore_downloads"] = True
    return ok(at.run())


def to_numpy(value):
    """Typed-array specs, at any depth, back to NumPy arrays (as the browser decodes them)."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"])
    if isinstance(value, dict):
        return {k: to_numpy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_numpy(v) for v in value]
    return value


def received(payload: dict) -> dict:
    """A payload as the browser receives it: through JSON bytes, typed arrays decoded."""
    return to_numpy(json.loads(stepper.payload_bytes(payload)))


def chart(p: dict, chart_id: str) -> dict:
    """The chart ``chart_id`` of payload ``p``."""
    return next(c for c in p["charts"] if c["id"] == chart_id)
