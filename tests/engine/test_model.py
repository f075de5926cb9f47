"""FittedMixture: the preprocessing travels with the parameters and labels new rows like the app."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

import emviz
from emviz.engine.fitted import FittedMixture, Preprocessing
from emviz.errors import DataError, ParameterError
from emviz.figures import exports
from emviz.ui import cache
from emviz.ui.state import ModelSpec, TableSpec

WINE = cache.ASSETS / "wine.csv"


@pytest.fixture(scope="module")
def wine():
    return emviz.load_csv(WINE)


@pytest.mark.parametrize("standardise,pca_dim", [(False, None), (True, None), (False, 2),
                                                  (True, 3)])
def test_fit_returns_exactly_its_own_transform(wine, standardise, pca_dim):
    sel = wine.select(list(wine.numeric_columns))
    prep, Z = Preprocessing.fit(sel.X, sel.columns, standardise, pca_dim)
    assert np.array_equal(Z, prep.transform(sel.X))
    assert Z.shape == (sel.X.shape[0], pca_dim or len(sel.columns))
    if standardise and pca_dim is None:
        np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
        np.testing.assert_allclose(Z.std(axis=0), 1)
    back = Preprocessing.from_dict(json.loads(json.dumps(prep.to_dict())))
    assert np.array_equal(back.transform(sel.X), Z)
    assert back.feature_names == prep.feature_names


def test_the_projection_matches_the_app_pca(wine):
    sel = wine.select(list(wine.numeric_columns))
    prep, Z = Preprocessing.fit(sel.X, sel.columns, True, 2)
    ref, _, ratio = emviz.pca_project(emviz.standardize(sel.X)[0], 2)
    np.testing.assert_allclose(Z, ref, atol=1e-12)
    np.testing.assert_allclose(prep.explained_variance_ratio, ratio)


def _new_rows() -> bytes:
    """Wine rows in another order, one row with a missing value, extra and reordered columns."""
    lines = WINE.read_text().splitlines()
    header, body = lines[0].split(","), lines[1:]
    order = np.random.default_rng(3).permutation(len(body))[:40]
    rows = [body[i].split(",") for i in order]
    rows[5][2] = "NA"
    perm = list(reversed(range(len(header))))  # columns reversed: found by name
    out = ["note," + ",".join(header[j] for j in perm)]
    out += [f"r{i}," + ",".join(r[j] for j in perm) for i, r in enumerate(rows)]
    return ("\n".join(out) + "\n").encode(), order


@pytest.mark.parametrize("cov,standardise,pca_dim", [("full", True, 2), ("diag", False, 3),
                                                      ("tied", True, None)])
def test_the_parameters_json_labels_new_rows_as_the_app_does(cov, standardise, pca_dim):
    columns = tuple(emviz.load_csv(WINE).numeric_columns[: (13 if pca_dim else 3)])
    spec = TableSpec("sample", "wine.csv", "", columns, "cultivar", standardise, pca_dim)
    model = ModelSpec(n_components=3, covariance_type=cov, init_params="kmeans++")
    trace = cache.fit(spec, model).trace
    h = trace.n_half_steps - 1
    text = cache.params_json(spec, model, h, {})
    fitted = FittedMixture.from_json(text)
    data = cache.prepared(spec)
    app_labels = np.argmax(emviz.e_step(data.X, trace.final).resp, axis=1)
    raw, order = _new_rows()
    assigned = fitted.assign(emviz.load_csv(raw))
    assert assigned.n_rows == 40 and 5 not in assigned.rows  # the NA row is skipped
    expected = app_labels[order[assigned.rows]]  # wine has no skipped rows: row = index
    assert np.array_equal(assigned.labels, expected)
    np.testing.assert_allclose(assigned.resp.sum(axis=1), 1.0)
    doc = json.loads(text)
    assert doc["preprocessing"]["columns"] == list(columns)
    assert (doc["preprocessing"]["pca"] is None) == (pca_dim is None)


def test_a_dataframe_or_an_array_works_too():
    X = np.random.default_rng(0).normal(size=(50, 2)) * [1, 30]
    prep, Z = Preprocessing.fit(X, ("a", "b"), standardise=True)
    params = emviz.run_em(Z, emviz.initialize(Z, 2, "kmeans++", 0), "full").final
    fitted = FittedMixture(params, "full", prep)
    import pandas as pd

    frame = pd.DataFrame({"b": X[:, 1], "a": X[:, 0]})
    assert np.array_equal(fitted.predict(frame), fitted.predict(X))
    assert np.array_equal(fitted.predict(X), np.argmax(emviz.e_step(Z, params).resp, axis=1))


def test_clear_errors():
    fitted = FittedMixture(emviz.Params([1.0], [[0.0, 0.0]], [np.eye(2)]), "full",
                           Preprocessing(("a", "b")))
    with pytest.raises(DataError, match="lack the numeric column"):
        fitted.assign(emviz.load_csv(io.BytesIO(b"a,c\n1,2\n3,4\n")))
    with pytest.raises(ParameterError, match="features"):
        FittedMixture(fitted.params, "full", Preprocessing(("a",)))
    with pytest.raises(ParameterError, match="covariance_type"):
        FittedMixture(fitted.params, "round", Preprocessing(("a", "b")))
    with pytest.raises(ParameterError):
        FittedMixture.from_json("not json")


def test_an_old_file_without_preprocessing_reads_as_raw_columns():
    params = emviz.Params([0.5, 0.5], [[0.0], [5.0]], [[[1.0]], [[1.0]]])
    text = exports.params_json(params, covariance_type="full", log_likelihood=0.0, iteration=0,
                               half_step=0, kind="init")
    fitted = FittedMixture.from_json(text)
    assert fitted.columns == ("x1",)
    assert fitted.predict(np.array([[0.1], [4.9]])).tolist() == [0, 1]
