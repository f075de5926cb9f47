"""The classroom load script, small and for real: 3 websocket sessions x 3 Steps on one server.

``benchmarks/load_classroom_ws.py`` is the full measurement (30 x 20); this keeps its client
honest (it still speaks the installed Streamlit's protocol) and checks that sessions are
isolated: students with different seeds see their own fit, step by step.
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
    a = ["**Iteration 0 · Initialisation** · log-likelihood -1.00",
         "**Iteration 1 · M-step** · log-likelihood -0.90"]
    b = ["**Iteration 0 · Initialisation** · log-likelihood -2.00",
         "**Iteration 1 · M-step** · log-likelihood -1.90"]
    assert lc.cross_check({0: (0, a), 1: (1, b), 2: (0, list(a))}, reference=a) == []
    leaked = [a[0], b[1]]  # a seed-0 student shown a seed-1 step
    errors = lc.cross_check({0: (0, a), 1: (1, b), 2: (0, leaked)}, reference=a)
    assert any("step 1" in e for e in errors)
    assert lc.cross_check({0: (0, a), 1: (1, list(a))}, reference=None)  # seeds must differ
    assert lc.cross_check({0: (0, a)}, reference=b)  # must match the lone student


@pytest.mark.slow
def test_three_websocket_sessions_step_in_isolation():
    # A thread of its own: after the Playwright tests, this thread may already own a
    # running event loop (the sync API keeps one), and asyncio.run refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(asyncio.run, lc.classroom(3, steps=3, ramp_s=0, budget_s=50)).result()
    assert result["errors"] == []
    assert len(result["latencies"]) == 3 * 3
    # open, tol = 0, 3 Steps each, and student 1's New init: the reruns the CPU is divided by
    assert result["reruns"] == 3 * (2 + 3) + 1
    seen = result["seen"]
    assert sorted(seen) == [0, 1, 2]
    (seed0, first), (seed1, second), (seed2, third) = (seen[i] for i in range(3))
    assert (seed0, seed1, seed2) == (0, 1, 0)  # student 1 pressed New init
    assert first == third  # same settings, same views, step by step
    for i, (mine, other) in enumerate(zip(first, second, strict=True)):
        assert mine != other  # a different seed: a different log-likelihood at every step
        for lines in (mine, other):
            assert lines.startswith(f"**Iteration {i} · ")


@pytest.mark.slow
def test_the_floor_page_answers_the_same_journey():
    # The floor must pass every check the app passes (status line, seeds, isolation), or
    # its figures would not measure the same journey.
    with ThreadPoolExecutor(max_workers=1) as pool:
        one, two = pool.submit(asyncio.run, lc.floor_phases(2, steps=3, ramp_s=0)).result()
    for run in (one, two):
        assert run["errors"] == []
    assert len(two["latencies"]) == 2 * 3
    assert two["reruns"] == 2 * (2 + 3) + 1  # open, tol = 0, 3 Steps each, one New init
    (seed0, first), (seed1, second) = two["seen"][0], two["seen"][1]
    assert (seed0, seed1) == (0, 1) and first == one["seen"][0][1]
    assert all(a != b for a, b in zip(first, second, strict=True))
