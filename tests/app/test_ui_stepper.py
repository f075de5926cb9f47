"""The Streamlit side of the stepper: a page's stepper follows one position key."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from emviz.ui import stepper

    run = st.session_state.get("run", "a")
    stepper.follow("lab_stepper", b'{"id":"p-' + run.encode() + b'"}', f"p-{run}",
                   position_key="lab_pos", last=9, run=run, url_path="kmeans")


def header(at: AppTest) -> dict:
    (component,) = at.get("bidi_component")
    return json.loads(bytes(component.proto.bytes).partition(b"\n")[0])


def test_a_new_run_goes_to_the_position_key_once():
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["lab_pos"] = 4
    at.run()
    assert not at.exception
    assert header(at) == {"id": "p-a", "goto": 4, "nonce": 1, "param": "lab_pos"}
    at.session_state["lab_pos"] = 6  # the browser reported a pause at 6: nothing to send
    at.run()
    assert header(at) == {"id": "p-a", "goto": 4, "nonce": 1, "param": "lab_pos"}
    at.session_state["run"] = "b"  # another run: open it where the page says
    at.session_state["lab_pos"] = 50
    at.run()
    assert header(at) == {"id": "p-b", "goto": 9, "nonce": 2, "param": "lab_pos"}  # clamped


def test_a_report_sets_the_position_key():
    from emviz.ui import stepper

    def script():
        import streamlit as st

        from emviz.ui import stepper as s

        st.session_state["lab_stepper"] = {"position": {"id": "p-a", "h": 7}}
        s._take_report("lab_stepper", "p-a", "lab_pos", 5)
        st.text(str(st.session_state["lab_pos"]))
        st.session_state["lab_stepper"] = {"position": {"id": "stale", "h": 1}}
        s._take_report("lab_stepper", "p-a", "lab_pos", 5)
        st.text(str(st.session_state["lab_pos"]))

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    assert [t.value for t in at.text] == ["5", "5"]  # clamped; a stale report ignored
    assert stepper.value("nothing", "position") is None


def test_a_command_runs_the_pages_callback_then_the_whole_page():
    def script():
        import streamlit as st

        from emviz.ui import stepper as s

        ss = st.session_state
        ss.setdefault("seed", 0)
        ss.setdefault("runs", 0)
        ss["runs"] += 1

        def new_init():
            ss["seed"] += 1

        if ss.get("press"):  # what the browser's New init does: a command trigger
            ss.pop("press")
            ss["lab_stepper"] = {"command": "new_init"}
            s._take_command("lab_stepper", {"new_init": new_init})
            s._take_command("lab_stepper", {})  # a page without that command: ignored
        st.text(f"seed {ss['seed']}")

    at = AppTest.from_function(script, default_timeout=30).run()
    assert [t.value for t in at.text] == ["seed 0"]
    at.session_state["press"] = True
    at.run()
    assert not at.exception
    assert [t.value for t in at.text] == ["seed 1"]
    assert at.session_state["lab_stepper__whole_page"] is True  # the fragment reruns the page


def test_the_fragments_own_reruns_send_only_the_header_unless_the_browser_asks():
    def script():
        import streamlit as st

        from emviz.ui import stepper as s

        ss = st.session_state
        if ss.get("whole", True):
            s.follow("lab_stepper", b'{"id":"p-a"}', "p-a", position_key="lab_pos", last=9,
                     run="a", url_path="kmeans")
            return
        if ss.pop("resend", False):  # a browser that got a header for a run it lacks
            ss["lab_stepper"] = {"command": "resend"}
            s._take_command("lab_stepper", {})
        # what a report's fragment rerun runs
        s._follow_fragment("lab_stepper", b'{"id":"p-a"}', "p-a", "lab_pos", 9, "kmeans", {})

    def body(at: AppTest) -> bytes:
        (component,) = at.get("bidi_component")
        return bytes(component.proto.bytes).partition(b"\n")[2]

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception and body(at) == b'{"id":"p-a"}'
    at.session_state["whole"] = False
    at.run()
    assert not at.exception and body(at) == b""
    at.session_state["resend"] = True
    at.run()
    assert not at.exception and body(at) == b'{"id":"p-a"}'
    assert "lab_stepper__whole_page" not in at.session_state  # no whole-page rerun for it
