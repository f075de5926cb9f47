"""Data far from unit size: fitted in the user's units, or refused with a clear message.

The engine works in units of a power of two when the data's spread is far from 1, so the fit
of ``s·X`` is the fit of ``X`` mapped back: means times ``s``, covariances times ``s²`` and a
log-likelihood lower by ``N·D·ln s`` (the Jacobian of the change of units).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from emviz import COVARIANCE_TYPES, DataError, initialize, run_em
from emviz._messages import MESSAGES
from emviz.data.csv import load_csv, validate_matrix
from emviz.ui.i18n import translate
from tests.builders import blobs

SCALES = [1e-6, 1e-150, 1e-100, 1e50, 1e100, 1e150]


#: Three separated clusters of 80 points; the first ``dim`` coordinates of these centres.
CENTRES = np.array([[0.0, 0.0, 0.0], [6.0, 1.0, -2.0], [1.0, 7.0, 3.0]])
#: The 2-D clusters most tests rescale (read-only: a test scales a copy).
CLUSTERS_2D = blobs(240, centres=CENTRES[:, :2])
CLUSTERS_2D.flags.writeable = False


def _fit(X, covariance_type="full", reg_covar=1e-6, max_iter=30, tol=1e-6, kernel="auto"):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow/underflow warning may escape
        init = initialize(X, 3, seed=1, covariance_type=covariance_type, reg_covar=reg_covar)
        return run_em(X, init, covariance_type=covariance_type, reg_covar=reg_covar,
                      max_iter=max_iter, tol=tol, kernel=kernel)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("dim", [1, 2, 3])
def test_a_rescaled_fit_is_the_fit_mapped_back(scale, covariance_type, dim):
    X = blobs(240, seed=dim, centres=CENTRES[:, :dim])
    # reg_covar is in the data's units: the same model at another scale has it times s².
    base = _fit(X, covariance_type)
    scaled = _fit(X * scale, covariance_type, reg_covar=1e-6 * scale**2)
    assert scaled.n_iter == base.n_iter and scaled.stop_reason == base.stop_reason
    for p, q in zip(scaled.params, base.params, strict=True):
        np.testing.assert_allclose(p.weights, q.weights, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(p.means / scale, q.means, rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(p.covariances / scale**2, q.covariances, rtol=1e-8,
                                   atol=1e-10)
    jacobian = X.size * np.log(scale)
    np.testing.assert_allclose(scaled.log_likelihood + jacobian, base.log_likelihood,
                               rtol=1e-9, atol=1e-6)
    assert not scaled.notes and not base.notes


@pytest.mark.parametrize("scale", [1e-150, 1e100, 1e150])
@pytest.mark.parametrize("kernel", ["dense", "fused"])
def test_exact_em_never_decreases_at_extreme_scales(scale, kernel):
    X = blobs(240, seed=3, centres=CENTRES) * scale
    trace = _fit(X, reg_covar=0.0, max_iter=40, tol=0.0, kernel=kernel)
    assert np.all(np.isfinite(trace.log_likelihood))
    assert not [d for d in trace.decreases() if not d.explained]


@pytest.mark.parametrize("scale", [1e-3, 1e5])
def test_moderate_scales_still_match_scikit_learn(scale):
    X = blobs(240, seed=4, centres=CENTRES[:, :2]) * scale
    reg = 1e-6 * scale**2
    init = initialize(X, 3, seed=1, reg_covar=reg)
    trace = run_em(X, init, reg_covar=reg, max_iter=20, tol=0.0)
    gm = GaussianMixture(3, weights_init=init.weights, means_init=init.means,
                         precisions_init=np.linalg.inv(init.covariances), max_iter=20, tol=0.0,
                         reg_covar=reg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm.fit(X)
    np.testing.assert_allclose(trace.final.means, gm.means_, rtol=1e-7, atol=1e-9 * scale)
    np.testing.assert_allclose(trace.final.covariances, gm.covariances_, rtol=1e-6,
                               atol=1e-9 * scale**2)


def test_a_large_reg_covar_is_reported_with_advice_in_every_language():
    trace = _fit(CLUSTERS_2D * 1e-6)  # default reg_covar 1e-6 against variances ~1e-12
    (note,) = trace.notes
    assert note.code == "check.reg_covar_large"
    assert "Standardise" in note and "reg_covar = 1e-06" in note
    assert note.params["feature"] in (1, 2)  # numbered from 1
    for lang in ("ja", "ru"):
        text = translate(f"error.{note.code}", lang, **note.params)
        assert text != str(note) and "1e-06" in text


def test_a_small_reg_covar_is_not_reported():
    assert not _fit(CLUSTERS_2D).notes
    assert not _fit(CLUSTERS_2D * 1e-6, reg_covar=1e-16).notes


def test_a_constant_feature_does_not_trigger_the_note():
    X = np.column_stack([blobs(240, seed=5, centres=CENTRES[:, :1]), np.full(240, 3.0)])
    assert not _fit(X, covariance_type="diag").notes


@pytest.mark.parametrize("value", [1e155, 1e300, -1e200])
def test_values_beyond_1e150_are_refused_with_advice_not_a_collapse(value):
    X = CLUSTERS_2D * (value / 10)
    with pytest.raises(DataError) as info:
        initialize(X, 3)
    assert info.value.code == "io.too_large_values"
    assert "Rescale" in str(info.value) and "reg_covar" not in str(info.value)


def test_values_below_1e_150_are_refused_with_advice():
    with pytest.raises(DataError) as info:
        validate_matrix(CLUSTERS_2D * 1e-160)
    assert info.value.code == "check.too_small_values"
    assert "Rescale" in str(info.value) and "column 0" in str(info.value)
    assert "check.too_small_values" in MESSAGES


def test_a_csv_at_1e100_loads_and_fits_in_its_own_units():
    X = CLUSTERS_2D * 1e100
    text = "a,b\n" + "\n".join(f"{float(a)!r},{float(b)!r}" for a, b in X)
    sel = load_csv(text.encode()).select(["a", "b"])
    trace = _fit(sel.X)
    assert trace.stop_reason == "converged"
    assert 1e99 < np.abs(trace.final.means).max() < 1e102


@pytest.mark.parametrize("scale", [1e-100, 1e100])
def test_figures_draw_extreme_scales_without_overflow(scale):
    from emviz.figures import mixture as F

    X = CLUSTERS_2D * scale
    trace = _fit(X, reg_covar=1e-6 * scale**2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = F.mixture_figure(X, trace.final, None)
        table = F.params_table(trace.final)
    xs = np.concatenate([np.asarray(t.x, dtype=float) for t in fig.data if t.x is not None])
    finite = xs[np.isfinite(xs)]
    assert finite.size and np.abs(finite).max() < 1e3 * scale  # no inf, no flush to zero
    assert np.abs(finite).max() > 1e-3 * scale
    det = table["det Σ"].iloc[0]
    assert ("10" in det) and "inf" not in det and det != "0"
