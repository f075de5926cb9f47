"""What stepping in the browser costs the server: a classroom of websocket clients (a script).

    .venv/bin/python benchmarks/load_classroom_ws.py [--sessions 30] [--steps 20]
                                                     [--bursts 4] [--pause 2] [--ramp 0]

Explore steps in the browser: the page receives the whole run once (the stepper's payload),
keeps the link's ``step=`` right in the address bar itself, and tells the server where it
is only when the user reaches for something outside the stepper (here: the Download box),
as one small fragment rerun. This script measures what that leaves for the server, with two
journeys, each on a fresh server:

* **A, open**: each student opens the page (the default preset), odd-numbered students press
  "New init" (model seed 0 -> 1), and everyone sets tol = 0 (100 iterations, 201 half-steps);
* **B, open, step and download**: the same, then ``--steps`` half-steps in the browser in
  ``--bursts`` bursts with a ``--pause`` after each (nothing reaches the server), then the
  Download box: the browser's position report, then the box's opening (two fragment runs).

Before each journey is measured, one student per seed does it alone (the warm-up), so the
server's imports, the fits and the payload builds are counted in neither. Reported per
journey: the server's CPU seconds (utime + stime) for the N students, the ratio B / A
(target <= 1.5x), errors (must be 0), reruns asked and script runs done, latencies, the
server's peak memory (VmHWM), this client's own CPU, and the load average. Exit status 0
iff there were no errors.

Why not browsers: 30 Chromium pages on a 2-core machine starve each other (and the server)
long before the server is the bottleneck. Each "student" here is what a browser tab is to
the server: one websocket on ``/_stcore/stream`` speaking Streamlit's protobufs (``BackMsg``
up, ``ForwardMsg`` down); the server does exactly the work it does for a browser (script
and fragment runs, deltas, the payload); only the drawing is missing.

The protocol, checked against what Chromium sends to the installed Streamlit (1.67):

* connect with subprotocol ``streamlit`` (no XSRF token or session to resume: XSRF only
  guards the auth cookie, which this app does not use);
* ``BackMsg(rerun_script=ClientState(...))`` runs the script; the reply is a stream of
  ``ForwardMsg`` (``new_session``, ``delta`` ..., ``page_info_changed``, ``script_finished``).
  A run that ends ``FINISHED_EARLY_FOR_RERUN`` (an ``st.rerun``) is followed by another, so
  a rerun is done at the first ``script_finished`` with another status;
* a widget's value: ``WidgetState(id=<its id>, ...)``. Only changed widgets are sent (a
  browser re-sends them all; the server keeps the others' values: same result). The query
  string and page hash the server last reported are echoed back, as a browser does (the
  page's hash is the ``navigation`` message's: with the app's, ``new_session``'s, the
  server still runs the page, but a component's callbacks no longer see its values);
* the stepper is one component (``bidi_component``, id ``$$ID-...-explore_stepper``) inside
  an ``st.fragment``. A position report is its state, ``WidgetState(id=<component id>,
  json_value='{"position": {"id": <payload id>, "h": h, "frontier": h}}')``; "New init" is
  its trigger, ``WidgetState(id=<trigger id>, json_trigger_value='[{"event": "command",
  "value": "new_init"}]')`` with the trigger id of Streamlit's ``_make_trigger_id``
  (``$$STREAMLIT_INTERNAL_KEY_<component id>__events``). Both are sent with
  ``ClientState.fragment_id`` = the fragment id on the component's delta, as the browser
  sends them;
* large elements are cached by the browser: it lists the hashes it holds
  (``ClientState.cached_message_hashes``) and the server sends a reference (``ref_hash``)
  instead of the element. This client does the same, so an unchanged payload costs a
  report a reference, as it does a browser. The component's bytes are a header line and
  the payload (``emviz.figures.stepper.frame_header`` + ``payload_bytes``).

Errors (each counted once per student, who then stops): a connection or protocol failure, a
timeout, an exception or ``st.error`` element, a run that did not finish successfully, no
stepper on the page, a seed box that does not show the student's seed, a report that is
not answered (after it, the link must hold ``step=h`` and the payload must be the same
run), and a Download box that opens without its buttons.
After each journey: every student with the same seed must have been sent the same run (the
warm-up student's), and the two seeds different runs.

Bounded on purpose: loopback only (the server listens on 127.0.0.1 and the client refuses
any other host), at most :data:`MAX_SESSIONS` students, every receive has a timeout, and each
journey stops after :data:`DEADLINE_S` s (students still running count as errors).

No floor page any more: a floor (the same clicks on a page with nothing of emviz in it)
measured what a Streamlit script run costs when every Step is one. Now a Step is no script
run at all; B / A measures what a student who steps and then downloads costs beyond one who
only opens the page, on the app itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Common_pb2 import StringArray
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import ROOT, proc_cpu_s, proc_status_mb, start_server, stop_server

MAX_SESSIONS = 30
MAX_STEPS = 40
DEADLINE_S = 600  # one journey's N students
RECV_TIMEOUT_S = 240  # one rerun; 30 sessions on 2 busy cores queue behind each other
TOL_ZERO = "0 (run max_iter)"  # the tol select_slider's label for 0
STEPPER_KEY = "explore_stepper"
FINISHED_EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
#: A whole run, or a fragment's run, that went well.
FINISHED_OK = {ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY"),
               ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")}
JOURNEYS = {"A": "open", "B": "open, step, download"}


class StudentError(Exception):
    """What went wrong for one student; the message goes into the report."""


@dataclass
class View:
    """What one rerun sent (only the parts the checks need)."""

    seed: float | None = None  # the "Seed (random_state)" number input
    widgets: dict[str, str] = field(default_factory=dict)  # user key -> widget id
    stepper: bytes | None = None  # the component's bytes: header line + payload
    fragment_id: str | None = None  # the fragment the stepper lives in
    runs: int = 0  # script (or fragment) runs that ended, st.rerun included
    problems: list[str] = field(default_factory=list)  # exceptions, st.error, bad finish

    def read(self, msg: ForwardMsg) -> None:
        if msg.WhichOneof("type") != "delta":
            return
        if msg.delta.WhichOneof("type") == "add_block":  # a stateful expander is a widget
            block = msg.delta.add_block
            if block.WhichOneof("type") == "expandable" and block.expandable.id:
                self.widgets[block.expandable.id.split("-", 2)[2]] = block.expandable.id
            return
        if msg.delta.WhichOneof("type") != "new_element":
            return
        el = msg.delta.new_element
        kind = el.WhichOneof("type")
        if kind == "exception":
            self.problems.append(f"exception {el.exception.type}: {el.exception.message[:200]}")
            return
        if kind == "alert" and el.alert.format == Alert.ERROR:
            self.problems.append(f"st.error: {el.alert.body[:200]}")
            return
        widget_id = getattr(getattr(el, kind), "id", "") if kind else ""
        if not (isinstance(widget_id, str) and widget_id.startswith("$$ID-")):
            return
        key = widget_id.split("-", 2)[2]  # "$$ID-<hash>-<user key>"
        self.widgets[key] = widget_id
        if key == "model_seed":
            self.seed = el.number_input.value
        elif kind == "bidi_component" and key == STEPPER_KEY:
            self.stepper = bytes(el.bidi_component.bytes)
            self.fragment_id = msg.delta.fragment_id or None

    @property
    def payload(self) -> tuple[dict, str]:
        """The stepper's header and its payload's id (the two must agree).

        After a report, the stepper's fragment sends only the header (the browser holds the
        run already): its id is then the run's.
        """
        if self.stepper is None:
            raise StudentError("no stepper on the page")
        head, _, body = self.stepper.partition(b"\n")
        header = json.loads(head)
        if not body:
            return header, header.get("id")
        body_id = json.loads(body[: body.index(b",")] + b"}")["id"]  # payload_bytes puts it first
        if header.get("id") != body_id:
            raise StudentError(f"header id {header.get('id')} for payload {body_id}")
        return header, body_id


class Student:
    """One websocket session, driven as a browser tab would be."""

    def __init__(self, url: str) -> None:
        host = urlparse(url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"refusing a non-loopback server: {url}")  # loopback only
        self.url = url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.origin = url
        self.ws = None
        self.query_string = ""
        self.page_hash = ""
        self.widgets: dict[str, str] = {}
        self.fragment_id: str | None = None
        self.cached: dict[str, ForwardMsg] = {}  # large messages by hash, as a browser keeps
        self.reruns = 0  # reruns asked for (page load, clicks, changed widgets, reports)
        self.runs = 0  # script runs done for them

    async def __aenter__(self) -> Student:
        self.ws = await asyncio.wait_for(
            connect(self.url, subprotocols=["streamlit"], origin=self.origin,
                    max_size=None, open_timeout=RECV_TIMEOUT_S, ping_timeout=None),
            RECV_TIMEOUT_S)
        return self

    async def __aexit__(self, *exc) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, *states: WidgetState, fragment: bool = False) -> View:
        """Send one rerun (a click, a changed widget, a report, or none) and read until it
        is done. ``fragment``: a rerun of the stepper's fragment (its reports, the Download
        box)."""
        client = ClientState(
            query_string=self.query_string, page_script_hash=self.page_hash,
            widget_states=WidgetStates(widgets=list(states)),
            cached_message_hashes=list(self.cached))
        if fragment:
            if self.fragment_id is None:
                raise StudentError("the stepper came without a fragment id")
            client.fragment_id = self.fragment_id
        await self.ws.send(BackMsg(rerun_script=client).SerializeToString())
        self.reruns += 1
        view = View()
        runs = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RECV_TIMEOUT_S
        while True:
            try:
                data = await asyncio.wait_for(self.ws.recv(), deadline - loop.time())
            except TimeoutError:
                raise StudentError(f"no script_finished within {RECV_TIMEOUT_S} s") from None
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "ref_hash":
                if fwd.ref_hash not in self.cached:
                    raise StudentError(f"a reference to a message never received: {fwd.ref_hash}")
                fwd = self.cached[fwd.ref_hash]
            elif fwd.metadata.cacheable and fwd.hash:
                self.cached[fwd.hash] = fwd
            if kind == "navigation":  # the page's hash (new_session's is app.py's)
                self.page_hash = fwd.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "script_finished":
                runs += 1
                if fwd.script_finished == FINISHED_EARLY_FOR_RERUN:
                    view = View()  # st.rerun(): the next run replaces this one
                    continue
                if fwd.script_finished not in FINISHED_OK:
                    view.problems.append(f"script finished with status {fwd.script_finished}")
                break
            view.read(fwd)
        view.runs = runs
        self.runs += runs
        self.widgets.update(view.widgets)
        if view.fragment_id:
            self.fragment_id = view.fragment_id
        if view.problems:
            raise StudentError("; ".join(view.problems))
        return view

    def _id(self, key: str) -> str:
        if key not in self.widgets:
            raise StudentError(f"no widget {key!r} on the page")
        return self.widgets[key]

    def select(self, key: str, label: str) -> WidgetState:
        return WidgetState(id=self._id(key), string_array_value=StringArray(data=[label]))

    def command(self, name: str) -> WidgetState:
        """The stepper's trigger ``command`` (its "New init" button)."""
        trigger = _make_trigger_id(self._id(STEPPER_KEY), "events")
        return WidgetState(id=trigger,
                           json_trigger_value=json.dumps([{"event": "command", "value": name}],
                                                             separators=(",", ":")))

    def position(self, payload_id: str, h: int) -> WidgetState:
        """The stepper's report that stepping paused at ``h``."""
        value = {"position": {"id": payload_id, "h": h, "frontier": h}}
        return WidgetState(id=self._id(STEPPER_KEY),
                           json_value=json.dumps(value, separators=(",", ":")))

    def expand(self, key: str) -> WidgetState:
        if key not in self.widgets:
            raise StudentError(f"no expander {key!r} on the page")
        return WidgetState(id=self.widgets[key], bool_value=True)

    def query(self, name: str) -> str | None:
        values = parse_qs(self.query_string).get(name)
        return values[0] if values else None


@dataclass
class Plan:
    """What each student of a journey does after opening the page."""

    steps: int = 0  # half-steps in the browser (0: journey A)
    bursts: int = 4  # the steps come in this many bursts, with a pause after each
    pause_s: float = 2.0  # a look at the chart after each burst


def burst_ends(plan: Plan) -> list[int]:
    """Where stepping pauses: ``plan.steps`` half-steps in ``plan.bursts`` bursts."""
    if plan.steps <= 0:
        return []
    n = max(1, min(plan.bursts, plan.steps))
    return sorted({round(plan.steps * (i + 1) / n) for i in range(n)})


@dataclass
class Outcome:
    """What the students of one server did and saw."""

    errors: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=dict)  # by kind of rerun
    runs: dict[int, str] = field(default_factory=dict)  # student -> the run's payload id
    seeds: dict[int, int] = field(default_factory=dict)
    reruns: int = 0
    script_runs: int = 0

    def timed(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


async def student(url: str, who: int, plan: Plan, ramp_s: float, out: Outcome) -> None:
    """Student ``who``: open, (odd: New init), tol = 0, then ``plan``'s steps and downloads."""
    await asyncio.sleep(ramp_s * who)
    seed = who % 2  # odd students press New init once: seed 0 -> 1
    s = Student(url)

    async def timed(kind: str, *states: WidgetState, fragment: bool = False) -> View:
        t = time.perf_counter()
        view = await s.rerun(*states, fragment=fragment)
        out.timed(kind, time.perf_counter() - t)
        return view

    try:
        async with s:
            view = await timed("open")  # the page loads: the script runs once
            _, opened = view.payload
            if view.seed != 0:
                raise StudentError(f"opened with seed {view.seed}")
            if seed:
                view = await timed("new init", s.command("new_init"), fragment=True)
                if view.seed != seed or view.payload[1] == opened:
                    raise StudentError(f"New init: seed {view.seed}, the same run {opened}")
            view = await timed("tol = 0", s.select("model_tol", TOL_ZERO))
            header, run = view.payload
            if view.seed != seed or s.query("tol") != "0" or header.get("goto") != 0:
                raise StudentError(f"tol = 0: seed {view.seed}, link {s.query_string!r}, "
                                   f"header {header}")
            ends = burst_ends(plan)
            for _ in ends:  # stepping in the browser: nothing reaches the server
                await asyncio.sleep(plan.pause_s)
            if ends:
                # Reaching for the downloads: the browser first tells where it stopped (a
                # report: the stepper's fragment reruns), then the box opens (again).
                h = ends[-1]
                view = await timed("report", s.position(run, h), fragment=True)
                if s.query("step") != str(h):
                    raise StudentError(f"report {h}: the link says step={s.query('step')}")
                if view.payload[1] != run:
                    raise StudentError(f"report {h}: another run {view.payload[1]} (was {run})")
                view = await timed("downloads", s.expand("explore_downloads"), fragment=True)
                if "dl_params" not in view.widgets:
                    raise StudentError("the Download box opened without its buttons")
            out.runs[who], out.seeds[who] = run, seed
    except asyncio.CancelledError:
        out.errors.append(f"student {who}: still running at the deadline")
        raise
    except StudentError as exc:
        out.errors.append(f"student {who}: {exc}")
    except Exception as exc:  # connection closed, refused, ...: count it, keep the others going
        out.errors.append(f"student {who}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        out.reruns += s.reruns
        out.script_runs += s.runs


def cross_check(runs: dict[int, str], seeds: dict[int, int],
                reference: dict[int, str] | None) -> list[str]:
    """Same seed -> the same run (the warm-up's, if given); different seeds -> different."""
    errors = []
    by_seed: dict[int, set[str]] = {}
    for who, run in runs.items():
        by_seed.setdefault(seeds[who], set()).add(run)
    for seed, ids in sorted(by_seed.items()):
        if len(ids) > 1:
            errors.append(f"seed {seed}: students were sent different runs {sorted(ids)}")
        if reference is not None and seed in reference and ids != {reference[seed]}:
            errors.append(f"seed {seed}: runs {sorted(ids)}, the warm-up's {reference[seed]}")
    if 0 in by_seed and 1 in by_seed and by_seed[0] & by_seed[1]:
        errors.append("seed 0 and seed 1 were sent the same run")
    return errors


def client_cpu_s() -> float:
    """This process's CPU seconds: the load generator must stay light next to the server."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def students(url: str, n: int, plan: Plan, ramp_s: float, budget_s: float,
                   first: int = 0) -> Outcome:
    """``n`` students (numbered from ``first``) at once; over budget, the rest are stopped."""
    out = Outcome()
    tasks = [asyncio.create_task(student(url, first + i, plan, ramp_s, out)) for i in range(n)]
    _, pending = await asyncio.wait(tasks, timeout=budget_s)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return out


async def journey(name: str, n: int, plan: Plan, ramp_s: float,
                  budget_s: float = DEADLINE_S) -> dict:
    """A fresh server: the warm-up (one student per seed, alone), then ``n`` students at once,
    measured; the server is stopped at the end."""
    log = ROOT / "artifacts" / f"load-classroom-ws-{name}.log"
    log.parent.mkdir(exist_ok=True)
    proc, url = start_server(log)
    try:
        cpu0 = proc_cpu_s(proc.pid)
        warm = Outcome()
        for who in (0, 1):  # seed 0, then seed 1
            one = await students(url, 1, plan, 0, budget_s / 2, first=who)
            warm.errors += one.errors
            warm.runs.update(one.runs)
            warm.seeds.update(one.seeds)
        warm_cpu = proc_cpu_s(proc.pid) - cpu0
        load0 = loadavg()
        cpu1, me0 = proc_cpu_s(proc.pid), client_cpu_s()
        t = time.perf_counter()
        out = await students(url, n, plan, ramp_s, budget_s)
        wall = time.perf_counter() - t
        cpu = proc_cpu_s(proc.pid) - cpu1
        reference = {warm.seeds[w]: run for w, run in warm.runs.items()}
        out.errors += [f"warm-up {e}" for e in warm.errors]
        out.errors += cross_check(out.runs, out.seeds, reference)
        return {
            "journey": name, "sessions": n, "plan": plan, "outcome": out, "wall_s": wall,
            "cpu_s": cpu, "warm_cpu_s": warm_cpu, "client_cpu_s": client_cpu_s() - me0,
            "peak_mb": proc_status_mb(proc.pid, "VmHWM"), "load": f"{load0} -> {loadavg()}",
        }
    finally:
        stop_server(proc)


def pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def ratio(a: dict, b: dict) -> float:
    return b["cpu_s"] / a["cpu_s"] if a["cpu_s"] > 0 else float("nan")


def report(results: list[dict], target: float = 1.5) -> None:
    cols = ("journey", "sessions", "errors", "reruns", "script runs", "wall s", "server CPU s",
            "CPU ms/run", "warm-up CPU s", "peak MB", "client CPU s",
            "load avg (1/5/15) before -> after")
    rows = []
    for r in results:
        out = r["outcome"]
        cells = (f"{r['journey']} ({JOURNEYS[r['journey']]})", r["sessions"], len(out.errors),
                 out.reruns, out.script_runs, f"{r['wall_s']:.0f}", f"{r['cpu_s']:.1f}",
                 f"{1e3 * r['cpu_s'] / max(out.script_runs, 1):.0f}",
                 f"{r['warm_cpu_s']:.1f}", f"{r['peak_mb']:.0f}", f"{r['client_cpu_s']:.1f}",
                 r["load"])
        rows.append([str(c) for c in cells])
    widths = [max(len(c) for c in column) for column in zip(cols, *rows, strict=True)]
    print("| " + " | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for cells in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |")
    print("\nLatency, send -> script_finished (p50 / p95 s, count):")
    for r in results:
        parts = [f"{kind} {pct(v, 50):.2f} / {pct(v, 95):.2f} ({len(v)})"
                 for kind, v in r["outcome"].latencies.items()]
        print(f"  {r['journey']}: " + "; ".join(parts))
    if len(results) == 2:
        a, b = results
        x = ratio(a, b)
        plan = b["plan"]
        print(f"\nServer CPU, B / A = {x:.2f}x ({b['cpu_s']:.1f} s / {a['cpu_s']:.1f} s; "
              f"{plan.steps} half-steps in {len(burst_ends(plan))} bursts each, then the "
              f"Download box), target <= {target:g}x: {'met' if x <= target else 'NOT met'}")
    for r in results:
        errors = r["outcome"].errors
        for e in errors[:10]:
            print("ERROR", f"[{r['journey']}]", e)
        if len(errors) > 10:
            print(f"... and {len(errors) - 10} more")


async def main_async(sessions: int, plan: Plan, ramp_s: float) -> int:
    a = await journey("A", sessions, Plan(steps=0), ramp_s)
    b = await journey("B", sessions, plan, ramp_s)
    report([a, b])
    print(f"\n{os.cpu_count()} CPUs; journey B: {plan.steps} half-steps, pauses after "
          f"{burst_ends(plan)}, {plan.pause_s:g} s each; ramp {ramp_s:g} s per student.")
    return 0 if not (a["outcome"].errors or b["outcome"].errors) else 1


async def check_async() -> int:
    """``--check``: 3 students open and step for real; the client still speaks the installed
    Streamlit's protocol and sessions stay isolated. Prints what failed; 0 when all held."""
    result = await journey("check", 3, Plan(steps=4, bursts=2, pause_s=0), ramp_s=0,
                           budget_s=120)
    out = result["outcome"]
    # open, tol = 0, one report (on reaching for the downloads) and the Download box each,
    # and student 1's New init (which reruns the whole page from the stepper's fragment:
    # one more script run); stepping itself sends nothing
    checks = {
        "no errors": out.errors == [],
        "13 reruns": out.reruns == 3 * 4 + 1,
        "one script run more than reruns": out.script_runs == out.reruns + 1,
        "a report and a Download box each": len(out.latencies["report"])
        == len(out.latencies["downloads"]) == 3,
        "seeds 0, 1, 0": out.seeds == {0: 0, 1: 1, 2: 0},
        "same settings, the same run": out.runs[0] == out.runs[2] != out.runs[1],
        "server CPU measured": result["cpu_s"] > 0 and result["warm_cpu_s"] > 0,
    }
    for name, held in checks.items():
        print(("ok    " if held else "FAILED"), name)
    for e in out.errors[:10]:
        print("ERROR", e)
    return 0 if all(checks.values()) else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="3 students only, asserting what the client and server did")
    parser.add_argument("--sessions", type=int, default=MAX_SESSIONS)
    parser.add_argument("--steps", type=int, default=20, help="half-steps each, journey B")
    parser.add_argument("--bursts", type=int, default=4, help="bursts the steps come in")
    parser.add_argument("--pause", type=float, default=2.0,
                        help="seconds of looking at the chart after each burst")
    parser.add_argument("--ramp", type=float, default=0.0,
                        help="student i joins i * RAMP s after the first (default 0: all at once)")
    args = parser.parse_args()
    if args.check:
        sys.exit(asyncio.run(check_async()))
    sessions = max(1, min(args.sessions, MAX_SESSIONS))
    plan = Plan(steps=max(1, min(args.steps, MAX_STEPS)), bursts=max(1, args.bursts),
                pause_s=max(0.0, min(args.pause, 10.0)))
    ramp = max(0.0, min(args.ramp, 2.0))
    sys.exit(asyncio.run(main_async(sessions, plan, ramp)))


if __name__ == "__main__":
    main()
