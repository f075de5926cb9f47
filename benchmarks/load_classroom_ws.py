"""A full classroom at once, without browsers: N Streamlit websocket clients step EM (a script).

    .venv/bin/python benchmarks/load_classroom_ws.py [--sessions 30] [--steps 20] [--ramp 0]

Why not browsers: :mod:`load_classroom` drives 30 Chromium pages, and on a 2-core machine the
30 renderers starve each other (and the server) long before the server is the bottleneck.
Here each "student" is what a browser tab is to the server: one websocket on
``/_stcore/stream`` speaking Streamlit's protobufs (``BackMsg`` up, ``ForwardMsg`` down).
The server does exactly the work it does for a browser (script run, figures, deltas); only
the drawing is missing.

The client protocol (checked against the installed Streamlit, 1.67, Starlette server):

* connect with subprotocol ``streamlit`` (the second and third entries of
  ``Sec-WebSocket-Protocol`` would be an XSRF token and a session id to resume; XSRF only
  guards the auth cookie, which this app does not use, so neither is sent);
* ``BackMsg(rerun_script=ClientState(...))`` runs the script; the reply is a stream of
  ``ForwardMsg`` (``new_session``, ``delta`` ..., ``page_info_changed``, ``script_finished``).
  A run that ends with ``FINISHED_EARLY_FOR_RERUN`` (an ``st.rerun``) is followed by
  another, so a rerun is "done" at the first ``script_finished`` with any other status;
* a click is a rerun whose ``widget_states`` holds ``WidgetState(id=<button id>,
  trigger_value=True)``. Only the changed widget is sent: the server keeps every other
  widget's value in the session (a browser re-sends them all; same result). The query
  string and page hash the server last reported are echoed back, as a browser does.

The journey, like :mod:`load_classroom`: open the app (default teaching preset); odd-numbered
students press "New init" once (model seed 0 -> 1); everyone sets tol = 0 (so 20 steps
exist) and presses Step 20 times. Step latency = click sent -> ``script_finished``.

Errors (each counted once per student, and the student stops): a connection or protocol
failure, a timeout, an exception or ``st.error`` element, a run that did not finish
successfully, and any view that is not the student's own:

* after Step *i* the status line must read "Iteration *i* · M-step" (a position that jumped
  or lagged means state leaked or was lost) and the seed box must show the student's seed;
* after the run, every student with the same seed must have seen the very same status
  lines (iteration and log-likelihood, step by step), the two seed groups must differ at
  every step, and the seed-0 group must match the single student of the first phase.

Bounded on purpose: loopback only (the server listens on 127.0.0.1 and the client refuses any
other host), at most :data:`MAX_SESSIONS` students and :data:`MAX_STEPS` steps each, every
receive has a timeout, and the whole script stops after :data:`DEADLINE_S` s (sessions still
running count as errors). It runs twice, each on a fresh server with an empty cache: 1 student,
then N. Reported: errors (must be 0), steps done, p50/p95 step latency, wall time, the server's
CPU seconds (utime + stime) and peak memory (VmHWM), the script runs the students asked for
and the server CPU per run (this includes, once per server, the app's imports of numpy, scipy,
plotly and pandas (3-5 s) and each EM fit), and the load average. Exit status 0 iff there were
no errors.

The floor. Every click of every student is a run of the page's script on the server: caching
(``st.cache_data``) shares the data, fits and figures between sessions, but not the script
run, its widgets and its deltas. To show what that costs with nothing of emviz in it, the
same two phases (1 student, then N, the same journey and checks) then run on
:data:`FLOOR_PAGE`: the app's imports, its four widgets and a status line, served with the
app's ``.streamlit/config.toml``. What each extra student costs there is Streamlit's own
share, under any app (``--no-floor`` skips it; it has its own :data:`FLOOR_DEADLINE_S`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

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
MAX_STEPS = 20
DEADLINE_S = 600  # both phases together
FLOOR_DEADLINE_S = 300  # both phases on the floor page
RECV_TIMEOUT_S = 240  # one rerun; 30 sessions on 2 busy cores queue behind each other
TOL_ZERO = "0 (run max_iter)"  # the tol select_slider's label for 0
STATUS = re.compile(r"^\*\*Iteration (\d+) · ([^*]+)\*\*.*half-step (\d+) of (\d+)")
#: The floor (see "The floor" in the module docstring): a page with nothing of emviz in it
#: that answers the same journey. It imports what the app imports (the one-time cost) and
#: freezes them as the app does, and has the four widgets the students use (keyed as in the
#: app) and a status line that follows the seed and the step.
FLOOR_PAGE = f"""
import gc

import numpy, pandas, plotly.graph_objects, scipy.stats  # the app's imports
import streamlit as st

# As the app does once (emviz.ui.cache.freeze_imports): without it, Streamlit's gc.collect()
# after every run walks every object of these libraries, ~95 ms per click.
if not gc.get_freeze_count():
    gc.freeze()

ss = st.session_state
ss.setdefault("model_seed", 0)
ss.setdefault("pos", 0)
ss["model_seed"] = ss["model_seed"]  # as in the app, the seed box sends its value every run


def new_init():
    ss["model_seed"] += 1
    ss["pos"] = 0


st.number_input("Seed", 0, 1_000_000, key="model_seed")
st.button("New init", key="btn_new_init", on_click=new_init)
st.select_slider("tol", options=["1e-3", {TOL_ZERO!r}], key="model_tol")
if st.button("Step", key="btn_step"):
    ss["pos"] += 2
it = ss["pos"] // 2
kind = "M-step" if it else "Initialisation"
ll = -1000.0 - 10 * ss["model_seed"] + it
st.markdown(f"**Iteration {{it}} · {{kind}}** · log-likelihood {{ll:.2f}} · "
            f"half-step {{ss['pos']}} of 200")
"""
FINISHED_EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
FINISHED_SUCCESSFULLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")


class StudentError(Exception):
    """What went wrong for one student; the message goes into the report."""


@dataclass
class View:
    """What one rerun put on the screen (only the parts the checks need)."""

    status: str | None = None  # the bold status line, "**Iteration 3 · M-step** · ..."
    seed: float | None = None  # the "Seed (random_state)" number input
    widgets: dict[str, str] = field(default_factory=dict)  # user key -> widget id
    problems: list[str] = field(default_factory=list)  # exceptions, st.error, bad finish

    def read(self, msg: ForwardMsg) -> None:
        if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
            return
        el = msg.delta.new_element
        kind = el.WhichOneof("type")
        if kind == "exception":
            self.problems.append(f"exception {el.exception.type}: {el.exception.message[:200]}")
            return
        if kind == "alert" and el.alert.format == Alert.ERROR:
            self.problems.append(f"st.error: {el.alert.body[:200]}")
            return
        if kind == "markdown" and el.markdown.body.startswith("**Iteration "):
            self.status = el.markdown.body
        widget_id = getattr(getattr(el, kind), "id", "") if kind else ""
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
            key = widget_id.split("-", 2)[2]  # "$$ID-<hash>-<user key>"
            self.widgets[key] = widget_id
            if key == "model_seed":
                self.seed = el.number_input.value


class Student:
    """One websocket session, driven like a browser tab would be."""

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
        self.reruns = 0  # script runs asked for (page load, clicks, changed widgets)

    async def __aenter__(self) -> Student:
        self.ws = await asyncio.wait_for(
            connect(self.url, subprotocols=["streamlit"], origin=self.origin,
                    max_size=None, open_timeout=RECV_TIMEOUT_S, ping_timeout=None),
            RECV_TIMEOUT_S)
        return self

    async def __aexit__(self, *exc) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, *states: WidgetState) -> View:
        """Send one rerun (a click, a changed widget or none) and read until it is done."""
        msg = BackMsg(rerun_script=ClientState(
            query_string=self.query_string, page_script_hash=self.page_hash,
            widget_states=WidgetStates(widgets=list(states))))
        await self.ws.send(msg.SerializeToString())
        self.reruns += 1
        view = View()
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
            if kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "script_finished":
                if fwd.script_finished == FINISHED_EARLY_FOR_RERUN:
                    view = View()  # st.rerun(): the next run replaces this one
                    continue
                if fwd.script_finished != FINISHED_SUCCESSFULLY:
                    view.problems.append(f"script finished with status {fwd.script_finished}")
                break
            view.read(fwd)
        self.widgets.update(view.widgets)
        if view.problems:
            raise StudentError("; ".join(view.problems))
        return view

    def click(self, key: str) -> WidgetState:
        if key not in self.widgets:
            raise StudentError(f"no widget {key!r} on the page")
        return WidgetState(id=self.widgets[key], trigger_value=True)

    def select(self, key: str, label: str) -> WidgetState:
        if key not in self.widgets:
            raise StudentError(f"no widget {key!r} on the page")
        return WidgetState(id=self.widgets[key], string_array_value=StringArray(data=[label]))


def parse_status(view: View) -> tuple[int, str, int, int]:
    m = STATUS.match(view.status or "")
    if m is None:
        raise StudentError(f"no status line (got {view.status!r})")
    return int(m[1]), m[2], int(m[3]), int(m[4])


async def student(url: str, who: int, steps: int, ramp_s: float, latencies: list[float],
                  seen: dict[int, tuple[int, list[str]]], errors: list[str],
                  reruns: list[int] | None = None) -> None:
    """Student ``who``: open, (odd: New init), tol = 0, Step x ``steps``; record what it saw."""
    await asyncio.sleep(ramp_s * who)
    seed = who % 2  # odd students press New init once: seed 0 -> 1
    lines: list[str] = []
    s = Student(url)
    try:
        async with s:
            view = await s.rerun()  # the page loads: the script runs once
            if parse_status(view)[:2] != (0, "Initialisation"):
                raise StudentError(f"opened on {view.status!r}")
            if seed:
                view = await s.rerun(s.click("btn_new_init"))
            view = await s.rerun(s.select("model_tol", TOL_ZERO))
            iteration, _, _, last = parse_status(view)
            if iteration != 0 or view.seed != seed:
                raise StudentError(f"before stepping: seed {view.seed}, {view.status!r}")
            if last < 2 * steps:
                raise StudentError(f"only {last} half-steps with tol = 0; need {2 * steps}")
            lines.append(view.status)
            for i in range(1, steps + 1):
                t = time.perf_counter()
                view = await s.rerun(s.click("btn_step"))
                latencies.append(time.perf_counter() - t)
                iteration, kind, h, _ = parse_status(view)
                if (iteration, kind, h) != (i, "M-step", 2 * i) or view.seed != seed:
                    raise StudentError(f"step {i}: seed {view.seed}, {view.status!r}")
                lines.append(view.status)
        seen[who] = (seed, lines)
    except asyncio.CancelledError:
        errors.append(f"student {who}: still running at the deadline ({len(lines)} views)")
        raise
    except StudentError as exc:
        errors.append(f"student {who}: {exc}")
    except Exception as exc:  # connection closed, refused, ...: count it, keep the others going
        errors.append(f"student {who}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        if reruns is not None:
            reruns.append(s.reruns)


def cross_check(seen: dict[int, tuple[int, list[str]]],
                reference: list[str] | None) -> list[str]:
    """Same seed -> identical views; different seeds -> different views at every step."""
    errors = []
    groups: dict[int, list[list[str]]] = {}
    for seed, lines in seen.values():
        groups.setdefault(seed, []).append(lines)
    for seed, runs in groups.items():
        for lines in runs[1:]:
            if lines != runs[0]:
                i = next(j for j, (a, b) in enumerate(zip(lines, runs[0], strict=False))
                         if a != b)
                errors.append(f"seed {seed}: two students saw different views at step {i}: "
                              f"{lines[i]!r} vs {runs[0][i]!r}")
    if 0 in groups and 1 in groups:
        a, b = groups[0][0], groups[1][0]
        same = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x == y]
        if same:
            errors.append(f"seed 0 and seed 1 saw the same view at steps {same[:5]}")
    if reference is not None and 0 in groups and groups[0][0] != reference:
        errors.append("the seed-0 students' views differ from the lone student's")
    return errors


def client_cpu_s() -> float:
    """This process's CPU seconds: the load generator must stay light next to the server."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def classroom(n: int, steps: int, ramp_s: float, budget_s: float,
                    reference: list[str] | None = None, page: Path | None = None) -> dict:
    """Start a fresh server, run ``n`` students concurrently, stop it; return the figures.

    ``page``: a script to serve instead of the app (the floor page), run in its directory.
    """
    log = ROOT / "artifacts" / f"load-classroom-ws-{'floor-' if page else ''}{n}.log"
    log.parent.mkdir(exist_ok=True)
    load0 = loadavg()
    proc, url = (start_server(log) if page is None
                 else start_server(log, script=page.name, cwd=page.parent))
    latencies: list[float] = []
    errors: list[str] = []
    seen: dict[int, tuple[int, list[str]]] = {}
    reruns: list[int] = []
    try:
        cpu0, me0 = proc_cpu_s(proc.pid), client_cpu_s()
        t = time.perf_counter()
        tasks = [asyncio.create_task(student(url, i, steps, ramp_s, latencies, seen, errors,
                                             reruns))
                 for i in range(n)]
        _, pending = await asyncio.wait(tasks, timeout=budget_s)
        for task in pending:  # over budget: stop them (each records its own error)
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        wall = time.perf_counter() - t
        errors += cross_check(seen, reference)
        return {
            "sessions": n, "errors": errors, "latencies": latencies, "wall_s": wall,
            "cpu_s": proc_cpu_s(proc.pid) - cpu0, "client_cpu_s": client_cpu_s() - me0,
            "reruns": sum(reruns),
            "peak_mb": proc_status_mb(proc.pid, "VmHWM"),
            "load": f"{load0} -> {loadavg()}",
            "reference": next((lines for seed, lines in seen.values() if seed == 0), None),
            "seen": seen,
        }
    finally:
        stop_server(proc)


def pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(title: str, runs: list[dict]) -> None:
    print(f"\n{title}")
    print(f"\n| {'sessions':>8} | {'errors':>6} | {'steps':>5} | {'p50 step s':>10} | "
          f"{'p95 step s':>10} | {'wall s':>6} | {'server CPU s':>12} | {'reruns':>6} | "
          f"{'CPU ms/rerun':>12} | {'peak MB':>7} | "
          f"{'client CPU s':>12} | "
          f"{'load avg (1/5/15 min) before -> after':<40} |")
    print("|" + "|".join("-" * w for w in (10, 8, 7, 12, 12, 8, 14, 8, 14, 9, 14, 42)) + "|")
    for r in runs:
        lat = r["latencies"]
        print(f"| {r['sessions']:>8} | {len(r['errors']):>6} | {len(lat):>5} | "
              f"{pct(lat, 50):>10.2f} | {pct(lat, 95):>10.2f} | {r['wall_s']:>6.0f} | "
              f"{r['cpu_s']:>12.1f} | {r['reruns']:>6} | "
              f"{1e3 * r['cpu_s'] / max(r['reruns'], 1):>12.0f} | "
              f"{r['peak_mb']:>7.0f} | {r['client_cpu_s']:>12.1f} | "
              f"{r['load']:<40} |")
    if len(runs) == 2 and runs[0]["cpu_s"] > 0:
        one, many = runs
        print(f"\nServer CPU for {many['sessions']} sessions = "
              f"{many['cpu_s'] / one['cpu_s']:.1f}x one session "
              f"({many['cpu_s'] / many['sessions']:.2f} s per session vs {one['cpu_s']:.2f} s "
              f"alone; each extra session {extra_cpu_s(runs):.2f} s); "
              f"peak memory +{many['peak_mb'] - one['peak_mb']:.0f} MB.")
    for r in runs:
        for e in r["errors"][:10]:
            print("ERROR", f"[{r['sessions']} sessions]", e)
        if len(r["errors"]) > 10:
            print(f"... and {len(r['errors']) - 10} more")


def extra_cpu_s(runs: list[dict]) -> float:
    """Server CPU seconds each session beyond the first added (1 session, then N)."""
    one, many = runs
    return (many["cpu_s"] - one["cpu_s"]) / max(many["sessions"] - 1, 1)


async def phases(sessions: int, steps: int, ramp_s: float, budget_s: float,
                 page: Path | None = None) -> list[dict]:
    """One student on a fresh server, then ``sessions`` students on another."""
    start = time.monotonic()
    one = await classroom(1, steps, 0, budget_s / 4, page=page)
    runs = [one]
    if sessions > 1:
        left = budget_s - (time.monotonic() - start)
        runs.append(await classroom(sessions, steps, ramp_s, left, one["reference"], page))
    return runs


async def floor_phases(sessions: int, steps: int, ramp_s: float) -> list[dict]:
    """:func:`phases` on :data:`FLOOR_PAGE`, served with the app's Streamlit config."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp, "floor.py")
        page.write_text(FLOOR_PAGE, encoding="utf-8")
        Path(tmp, ".streamlit").mkdir()
        shutil.copy(ROOT / ".streamlit" / "config.toml", Path(tmp, ".streamlit", "config.toml"))
        return await phases(sessions, steps, ramp_s, FLOOR_DEADLINE_S, page)


async def main_async(sessions: int, steps: int, ramp_s: float, floor: bool) -> int:
    runs = await phases(sessions, steps, ramp_s, DEADLINE_S)
    report("emviz (app.py)", runs)
    if floor:
        floor_runs = await floor_phases(sessions, steps, ramp_s)
        report("The floor: the same journey on a page with nothing of emviz in it", floor_runs)
        runs += floor_runs
        if sessions > 1:
            print(f"\nEach extra session: emviz {extra_cpu_s(runs[:2]):.2f} s of server CPU, "
                  f"the floor {extra_cpu_s(floor_runs):.2f} s.")
    print(f"\n{os.cpu_count()} CPUs; {steps} steps per session; ramp {ramp_s:g} s per student.")
    return 0 if not any(r["errors"] for r in runs) else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=MAX_SESSIONS)
    parser.add_argument("--steps", type=int, default=MAX_STEPS)
    parser.add_argument("--ramp", type=float, default=0.0,
                        help="student i joins i * RAMP s after the first (default 0: all at once)")
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the same journey on the floor page (see the docstring)")
    args = parser.parse_args()
    sessions = max(1, min(args.sessions, MAX_SESSIONS))
    steps = max(1, min(args.steps, MAX_STEPS))
    ramp = max(0.0, min(args.ramp, 2.0))
    sys.exit(asyncio.run(main_async(sessions, steps, ramp, floor=not args.no_floor)))


if __name__ == "__main__":
    main()
