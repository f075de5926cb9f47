"""Shared pytest configuration and builders for the whole test suite.

Keep this file organised by section; add shared builders (synthetic mixtures, states, CSV
bytes, ...) under "Builders" so every test module can use the same ones.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# --- Benchmarks ---------------------------------------------------------------------------------
# Tests marked ``bench`` check the benchmark scripts (and anything timed). The default run
# leaves them out; ``--bench`` runs them (scripts/test.sh does, as a step of its own).


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--bench", action="store_true",
                     help="also run the tests marked bench (benchmark scripts, timings)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--bench"):
        return
    skip = pytest.mark.skip(reason="a benchmark check: run with --bench")
    for item in items:
        if "bench" in item.keywords:
            item.add_marker(skip)

# --- Hypothesis profiles ----------------------------------------------------------------------
# "ci": reproducible (same examples every run), no per-example deadline because shared 2-core
# runners have noisy timing. "dev": random exploration to find new counterexamples.
# Choose with HYPOTHESIS_PROFILE=ci|dev; otherwise a set CI variable (CI=true) selects "ci".
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=1000)
_on_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _on_ci else "dev"))


# --- Builders -----------------------------------------------------------------------------------
