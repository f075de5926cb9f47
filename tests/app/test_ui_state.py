"""Pure tests of the Explore view's state logic (no Streamlit session needed)."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.engine.em import initialize, run_em
from emviz.ui import state
from emviz.ui.state import ModelSpec, PresetSpec, SyntheticSpec, TableSpec


@pytest.fixture(scope="module")
def trace():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-3, 1, (60, 2)), rng.normal(3, 1, (60, 2))])
    return run_em(X, initialize(X, 2, seed=0), max_iter=5, tol=0)


def test_index_helpers_agree_with_trace_half_step(trace):
    for h in range(trace.n_half_steps):
        hs = trace.half_step(h)
        assert state.kind_of(h) == hs.kind
        assert state.iteration_of(h) == hs.iteration
        assert trace.params[state.params_index(h)] is hs.params
        ri = state.resp_index(h)
        assert (hs.resp_params is None) == (ri is None)
        if ri is not None:
            assert trace.params[ri] is hs.resp_params


@pytest.mark.parametrize(
    ("position", "e", "m", "full"),
    [(0, 1, None, 2), (1, None, 2, 2), (2, 3, None, 4), (3, None, 4, 4), (4, None, None, None)],
)
def test_next_half_steps_alternate_and_stop_at_the_end(position, e, m, full):
    last = 4
    assert state.next_e(position, last) == e
    assert state.next_m(position, last) == m
    assert state.next_full(position, last) == full


def test_synthetic_weights_follow_the_imbalance():
    assert SyntheticSpec(n_components=3, imbalance=1).weights() == pytest.approx([1 / 3] * 3)
    w = SyntheticSpec(n_components=3, imbalance=9).weights()
    assert sum(w) == pytest.approx(1)
    assert w[0] / w[-1] == pytest.approx(9)
    assert SyntheticSpec(n_components=1, imbalance=9).weights() == (1.0,)


def test_specs_are_hashable_and_compare_by_value():
    specs = [SyntheticSpec(), PresetSpec("overlapping", 1),
             TableSpec("upload", "a.csv", "abc", ("x", "y"), "label", True, None), ModelSpec()]
    for spec in specs:
        assert hash(spec) == hash(type(spec)(**spec.__dict__))
    assert ModelSpec(seed=1) != ModelSpec(seed=2)


def test_defaults_cover_every_option_list():
    d = state.DEFAULTS
    assert d["model_reg"] in state.REG_COVAR_OPTIONS
    assert d["model_tol"] in state.TOL_OPTIONS
    assert d["syn_n"] in state.N_OPTIONS
    assert d["sample_name"] in state.SAMPLES
    assert d["data_source"] in state.SOURCES
