"""The classroom load script, small and for real: 3 websocket students on one server.

``benchmarks/load_classroom_ws.py`` is the full measurement (30 students, two journeys);
this keeps its client honest (it still speaks the installed Streamlit's protocol: the
stepper's trigger and its position reports reach the page's callbacks) and checks that
sessions are isolated: students with different seeds are sent their own run.
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import load_classroom_ws as lc


def test_cross_check_catches_mixed_sessions():
    seeds = {0: 0, 1: 1, 2: 0}
    assert lc.cross_check({0: "a", 1: "b", 2: "a"}, seeds, reference={0: "a", 1: "b"}) == []
    leaked = lc.cross_check({0: "a", 1: "b", 2: "b"}, seeds, reference=None)
    assert leaked == ["seed 0: students were sent different runs ['a', 'b']",
                      "seed 0 and seed 1 were sent the same run"]
    assert lc.cross_check({0: "a", 1: "a"}, {0: 0, 1: 1}, reference=None)  # seeds must differ
    assert lc.cross_check({0: "a"}, {0: 0}, reference={0: "z"})  # must match the warm-up


def test_steps_come_in_bursts():
    assert lc.burst_ends(lc.Plan(steps=20, bursts=4)) == [5, 10, 15, 20]
    assert lc.burst_ends(lc.Plan(steps=3, bursts=4)) == [1, 2, 3]  # one per half-step
    assert lc.burst_ends(lc.Plan(steps=0)) == []  # journey A: no stepping


@pytest.mark.slow
def test_three_students_open_and_step_in_isolation():
    plan = lc.Plan(steps=4, bursts=2, pause_s=0)
    # A thread of its own: after the Playwright tests, this thread may already own a
    # running event loop (the sync API keeps one), and asyncio.run refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(asyncio.run, lc.journey("test", 3, plan, ramp_s=0,
                                                     budget_s=120)).result()
    out = result["outcome"]
    assert out.errors == []
    # open, tol = 0, one report (on reaching for the downloads) and the Download box each,
    # and student 1's New init (which reruns the whole page from the stepper's fragment:
    # one more script run); stepping itself sends nothing
    assert out.reruns == 3 * 4 + 1
    assert out.script_runs == out.reruns + 1
    assert len(out.latencies["report"]) == len(out.latencies["downloads"]) == 3
    assert out.seeds == {0: 0, 1: 1, 2: 0}
    assert out.runs[0] == out.runs[2] != out.runs[1]  # same settings, the same run
    assert result["cpu_s"] > 0 and result["warm_cpu_s"] > 0
