"""Shared pytest configuration and builders for the whole test suite.

Keep this file organised by section; add shared builders (synthetic mixtures, states, CSV
bytes, ...) under "Builders" so every test module can use the same ones.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
