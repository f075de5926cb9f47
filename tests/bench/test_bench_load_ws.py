"""The classroom load script's own logic (its bookkeeping, not Streamlit's protocol).

``benchmarks/load_classroom_ws.py`` is the full measurement; ``--check`` runs 3 students
for real (the benchmark step of ``scripts/test.sh``), which keeps its client honest.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import load_classroom_ws as lc

pytestmark = pytest.mark.bench


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
