"""Random bad arguments thrown at every public function: only typed emviz errors come back.

Each example takes a valid call and replaces one argument by something wrong (a wrong type,
NaN, inf, a negative or huge number, a string, None, a dict, an array of the wrong shape).
The call must either succeed or raise an :class:`emviz.errors.EmvizError` with a message
code (so the UI can translate it); a bare ``TypeError``/``ValueError``/NumPy error fails.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import emviz
from emviz._messages import MESSAGES
from emviz.data import synthetic as data
from emviz.engine import basins, coins, em, kmeans, remedies, restarts, selection, vbgmm
from emviz.engine.fitted import FittedMixture, Preprocessing
from emviz.errors import EmvizError

# ---- the valid arguments every call starts from -------------------------------------------
_rng = np.random.default_rng(0)
X = np.concatenate([_rng.normal(size=(30, 2)), _rng.normal(size=(30, 2)) + 5.0])
PARAMS = em.initialize(X, 2, seed=0)
RESP = em.e_step(X, PARAMS).resp
PRIOR = vbgmm.default_prior(X, 2)
VB_INIT, VB_RESP = vbgmm.vb_initialize(X, 2, seed=0)
HEADS, TAILS = coins.parse_sets(["HHTH", "TTHT", "HHHT"])
COIN_START = coins.CoinState(0.6, 0.5)
FITTED_DOC = {
    "n_components": 2, "covariance_type": "full", **PARAMS.to_dict(),
    "preprocessing": {"columns": ["a", "b"]},
}

#: name -> (function, valid keyword arguments). One argument at a time is replaced.
CALLS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "initialize": (em.initialize, dict(X=X, n_components=2, method="kmeans++", seed=0,
                                       covariance_type="full", reg_covar=1e-6)),
    "run_em": (em.run_em, dict(X=X, init=PARAMS, covariance_type="full", reg_covar=1e-6,
                               max_iter=5, tol=1e-6, kernel="auto")),
    "e_step": (em.e_step, dict(X=X, params=PARAMS)),
    "m_step": (em.m_step, dict(X=X, resp=RESP, covariance_type="diag", reg_covar=1e-6)),
    "bic": (em.bic, dict(X=X, params=PARAMS, covariance_type="full")),
    "aic": (em.aic, dict(X=X, params=PARAMS, covariance_type="full")),
    "bound_terms": (em.bound_terms, dict(X=X, params=PARAMS, resp=RESP)),
    "n_parameters": (em.n_parameters, dict(n_components=2, n_features=2,
                                           covariance_type="full")),
    "Params.from_dict": (em.Params.from_dict, dict(data=PARAMS.to_dict())),
    "Params": (em.Params, dict(weights=PARAMS.weights, means=PARAMS.means,
                               covariances=PARAMS.covariances)),
    "kmeans_run": (kmeans.kmeans_run, dict(X=X, n_clusters=2, init="kmeans++", seed=0,
                                           max_iter=20, tol=0.0)),
    "kmeans_plusplus": (kmeans.kmeans_plusplus, dict(X=X, n_clusters=2, seed=0)),
    "soft_kmeans_resp": (kmeans.soft_kmeans_resp, dict(X=X, centers=PARAMS.means, sigma=1.0)),
    "soft_kmeans_run": (kmeans.soft_kmeans_run, dict(X=X, init_centers=PARAMS.means, sigma=1.0,
                                                     max_iter=10, tol=0.0)),
    "run_restarts": (restarts.run_restarts, dict(X=X, n_components=2, n_restarts=2,
                                                 methods=("kmeans++",), covariance_type="full",
                                                 reg_covar=1e-6, max_iter=10, tol=1e-4,
                                                 seed=0)),
    "model_selection": (selection.model_selection, dict(X=X, k_range=(1, 2),
                                                        covariance_types=("full",),
                                                        init="kmeans++", n_init=1, seed=0,
                                                        reg_covar=1e-6, max_iter=10, tol=1e-4)),
    "run_em_map": (remedies.run_em_map, dict(X=X, init=PARAMS, covariance_type="full",
                                             max_iter=5, tol=1e-6)),
    "run_em_reseed": (remedies.run_em_reseed, dict(X=X, init=PARAMS, covariance_type="full",
                                                   reg_covar=0.0, max_iter=5, tol=1e-6,
                                                   seed=0)),
    "m_step_map": (remedies.m_step_map, dict(X=X, resp=RESP, covariance_type="full")),
    "default_prior": (vbgmm.default_prior, dict(X=X, n_components=2)),
    "vb_initialize": (vbgmm.vb_initialize, dict(X=X, n_components=2, method="kmeans++",
                                                seed=0, reg_covar=1e-6)),
    "run_vb": (vbgmm.run_vb, dict(X=X, init=VB_INIT, prior=PRIOR, max_iter=5, tol=1e-6,
                                  reg_covar=1e-6)),
    "run_coins": (coins.run_coins, dict(heads=HEADS, tails=TAILS, init=COIN_START, n_iter=3,
                                        hard=False, prior_a=0.5)),
    "parse_sets": (coins.parse_sets, dict(strings=["HTH", "TTH"])),
    "CoinState": (coins.CoinState, dict(theta_a=0.3, theta_b=0.7)),
    "make_mixture": (data.make_mixture, dict(dim=2, n_components=2, n_samples=50,
                                             separation=3.0, shape="rotated", seed=0)),
    "make_preset": (data.make_preset, dict(name="overlapping", seed=0)),
    "adjusted_rand_index": (data.adjusted_rand_index, dict(labels_true=[0, 0, 1],
                                                           labels_pred=[1, 1, 0])),
    "display_subset": (data.display_subset, dict(n_samples=100, max_points=10, seed=0)),
    "standardize": (data.standardize, dict(X=X)),
    "pca_project": (data.pca_project, dict(X=X, n_components=1)),
    "FittedMixture.from_dict": (FittedMixture.from_dict, dict(doc=FITTED_DOC)),
    "Preprocessing.from_dict": (Preprocessing.from_dict, dict(doc={"columns": ["a", "b"]})),
    "basin_map": (basins.basin_map, dict(X=X, start=PARAMS, component=0, grid=3, max_iter=5,
                                         tol=1e-4)),
    "load_csv": (emviz.load_csv, dict(source=b"a,b\n1,2\n3,4\n")),
    "validate_matrix": (emviz.data.csv.validate_matrix, dict(X=X, n_components=2)),
}

# ---- what a careless or hostile caller passes -----------------------------------------------
BAD_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([-1, 0, -(10**9), 10**30, 2**64, -(2**63)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 1.5, -0.5, 1e308, 5e-324]),
    st.text(max_size=6),
    st.binary(max_size=6),
    st.dictionaries(st.text(max_size=3), st.integers(-3, 3), max_size=2),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
    st.tuples(st.integers(-2, 2), st.text(max_size=2)),
    st.just(object()),
    st.just(np.random.default_rng(0)),
)
BAD_ARRAYS = st.one_of(
    st.sampled_from([
        np.zeros((0, 2)), np.zeros((3,)), np.zeros((2, 2, 2)), np.array([[np.nan, 1.0]]),
        np.full((4, 2), np.inf), np.array([["a", "b"]]), np.array([[1 + 1j, 0]]),
        np.ones((60, 5)), np.ones((5, 2)), np.full((10, 2), 1e300), np.eye(2) * -1.0,
        np.array([[1.0, 2.0], [2.0, 1.0]]), [[1.0, 2.0], [3.0]], np.zeros((60, 3)),
    ]),
    st.lists(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=3),
             min_size=1, max_size=4),
)
BAD = st.one_of(BAD_SCALARS, BAD_ARRAYS)


def _is_typed(exc: BaseException) -> bool:
    return isinstance(exc, EmvizError) and (exc.code in MESSAGES)


def _call(name: str, argument: str, value: Any) -> None:
    fn, kwargs = CALLS[name]
    args = {**kwargs, argument: value}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no NumPy overflow/invalid warning
        try:
            fn(**args)
        except BaseException as exc:
            if not _is_typed(exc):
                raise AssertionError(
                    f"{name}({argument}={value!r}) raised {type(exc).__name__}: {exc}"
                ) from exc


CASES = [(name, arg) for name, (_, kwargs) in CALLS.items() for arg in kwargs]


@pytest.mark.parametrize(("name", "argument"), CASES, ids=[f"{n}-{a}" for n, a in CASES])
@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors])
@given(value=BAD)
def test_a_bad_argument_gets_a_typed_error(name, argument, value):
    _call(name, argument, value)


# ---- the cases found by hand, kept as named regressions -------------------------------------
KNOWN = [
    ("initialize", "seed", -1), ("initialize", "seed", 1.5), ("initialize", "seed", float("nan")),
    ("run_restarts", "seed", -1), ("run_restarts", "seed", 1.5),
    ("run_restarts", "seed", float("nan")),
    ("run_em", "max_iter", float("nan")), ("run_em", "max_iter", float("inf")),
    ("run_em", "tol", "x"), ("run_em", "reg_covar", "x"), ("run_em", "init", None),
    ("run_em", "init", {}), ("Params.from_dict", "data", None),
    ("Params.from_dict", "data", [1, 2]),
    ("Params.from_dict", "data", {**PARAMS.to_dict(), "means": "ab"}),
    ("run_coins", "heads", ["a"]),
]


@pytest.mark.parametrize(("name", "argument", "value"), KNOWN)
def test_the_known_bad_calls_raise_typed_errors(name, argument, value):
    fn, kwargs = CALLS[name]
    with pytest.raises(EmvizError) as info:
        fn(**{**kwargs, argument: value})
    assert info.value.code in MESSAGES
    assert "got" in str(info.value) or "Expected" in str(info.value)


def test_run_coins_with_letters_for_counts_is_a_data_error():
    with pytest.raises(emviz.DataError):
        coins.run_coins(["a"], ["b"], COIN_START)


def test_params_from_dict_refuses_a_covariance_that_is_not_positive_definite():
    doc = {"weights": [1.0], "means": [[0.0, 0.0]], "covariances": [[[1.0, 2.0], [2.0, 1.0]]]}
    with pytest.raises(emviz.ParameterError) as info:
        em.Params.from_dict(doc)
    assert info.value.code == "check.not_positive_definite"
    assert "component 1" in str(info.value) and "-1" in str(info.value)


def test_run_em_refuses_an_indefinite_start_instead_of_an_infinite_likelihood():
    bad = em.Params([1.0], [[0.0, 0.0]], [[[1.0, 2.0], [2.0, 1.0]]])
    with pytest.raises(emviz.ParameterError):
        em.run_em(X, bad)


def test_params_from_dict_reports_shape_and_symmetry():
    doc = PARAMS.to_dict()
    with pytest.raises(emviz.ParameterError, match="should have shape"):
        em.Params.from_dict({**doc, "weights": [[1.0]]})
    asym = np.array(doc["covariances"])
    asym[0, 0, 1] += 0.5
    with pytest.raises(emviz.ParameterError, match="symmetric"):
        em.Params.from_dict({**doc, "covariances": asym.tolist()})
