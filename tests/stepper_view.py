"""What the Explore page sends its browser-side stepper, read back in AppTest.

AppTest cannot run the stepper's JavaScript; these helpers decode what the page sends it
(a header line, then the payload of emviz.figures.stepper), so a test can check what the browser
would show at any half-step.
"""

from __future__ import annotations

import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest


def sent(at: AppTest) -> tuple[dict, dict]:
    """The stepper's header (where to go) and payload (the whole run)."""
    (component,) = at.get("bidi_component")
    head, _, body = bytes(component.proto.bytes).partition(b"\n")
    return json.loads(head), json.loads(body)


def payload(at: AppTest) -> dict:
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
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_downloads(at: AppTest) -> AppTest:
    """Open Explore's Download box (lazy: its buttons exist only while it is open)."""
    at.session_state["explore_downloads"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
