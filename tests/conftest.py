"""Shared pytest configuration for the whole test suite, by section.

Shared builders (synthetic mixtures, states, CSV bytes, ...) live in ``tests/builders.py``.
"""

from __future__ import annotations

import functools
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


# --- AppTest ----------------------------------------------------------------------------------
# Each new AppTest scans every installed distribution's metadata for Streamlit component
# manifests on its first run (a few hundred metadata files, most of an AppTest's own cost on a
# page that is cached). The installed distributions cannot change during a test run, so the
# scan runs once per session; every AppTest still registers every component it finds.


@pytest.fixture(scope="session", autouse=True)
def _scan_component_manifests_once():
    from streamlit.components.v2 import manifest_scanner

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(manifest_scanner, "scan_component_manifests",
                   functools.cache(manifest_scanner.scan_component_manifests))
        yield
