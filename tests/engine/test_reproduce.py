"""The scikit-learn script reruns emviz's fit: same data, same start, the same log-likelihoods.

Each test writes the data file, runs the generated script with scikit-learn (a development
requirement only) and compares its curve with emviz's trace to 1e-8 relative.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

import emviz
from emviz.engine.fitted import Preprocessing
from emviz.engine.reproduce import CsvSource, sklearn_script
from emviz.ui import analyst, cache, downloads
from emviz.ui.state import ModelSpec, PresetSpec, TableSpec
from tests.csv_corpus.real_like import penguins_like

pytest.importorskip("sklearn")
RTOL = 1e-8


def _run(script: str, directory) -> dict:
    namespace: dict = {}
    with contextlib.chdir(directory), contextlib.redirect_stdout(io.StringIO()):
        exec(compile(script, "emviz_sklearn.py", "exec"), namespace)
    return namespace


def _check(namespace: dict, trace: emviz.Trace, X: np.ndarray) -> None:
    curve = np.asarray(namespace["log_likelihood"])
    assert curve.shape == trace.log_likelihood.shape
    np.testing.assert_allclose(curve, trace.log_likelihood, rtol=RTOL)
    np.testing.assert_allclose(namespace["X"], X, rtol=1e-12, atol=1e-12)
    final = np.argmax(emviz.e_step(X, trace.final).resp, axis=1)
    assert np.array_equal(namespace["gm"].predict(namespace["X"]), final)


CASES = [  # (file bytes, file name, columns or None for every usable one, standardise, PCA, cov)
    ("old_faithful.csv", None, False, None, "full"),
    ("old_faithful.csv", None, True, None, "spherical"),
    ("wine.csv", None, True, 2, "diag"),
    ("wine.csv", None, True, 3, "tied"),
    ("iris.csv", ("petal_length_cm", "petal_width_cm"), False, None, "tied"),
    ("penguins.csv", ("bill_length_mm", "flipper_length_mm", "body_mass_g"), True, None, "full"),
    ("european.csv", ("Länge", "Breite"), False, None, "diag"),
]
FILES = {
    "penguins.csv": penguins_like(),
    "european.csv": ("Länge;Breite;Art\n" + "".join(
        f"{5 + (i % 7) * 0.31 + (i // 7) * 2:.2f};{3 + (i % 5) * 0.17 + (i % 3):.2f};a\n"
        for i in range(40))).replace(".", ",").encode("cp1252"),
}


@pytest.mark.parametrize("name,columns,standardise,pca_dim,cov", CASES)
def test_the_script_matches_emviz_to_1e8(tmp_path, name, columns, standardise, pca_dim, cov):
    raw = FILES[name] if name in FILES else (cache.ASSETS / name).read_bytes()
    (tmp_path / name).write_bytes(raw)
    tbl = emviz.load_csv(raw)
    columns = columns or tuple(c for c in tbl.numeric_columns if c not in ("index", "year"))
    sel = tbl.select(list(columns))
    prep, X = Preprocessing.fit(sel.X, sel.columns, standardise, pca_dim)
    start = emviz.initialize(X, 3, "kmeans++", 0, cov, 1e-6)
    trace = emviz.run_em(X, start, cov, 1e-6, 200, 1e-6)
    source = CsvSource(name, sep=tbl.delimiter, decimal=tbl.decimal, encoding=tbl.encoding)
    script = sklearn_script(trace.params[0], cov, 1e-6, trace.n_iter, source, prep)
    _check(_run(script, tmp_path), trace, X)


def test_the_apps_script_for_a_sample_with_pca(tmp_path):
    (tmp_path / "wine.csv").write_bytes((cache.ASSETS / "wine.csv").read_bytes())
    columns = emviz.load_csv(cache.ASSETS / "wine.csv").numeric_columns
    spec = TableSpec("sample", "wine.csv", "", tuple(columns), "cultivar", True, 2)
    model = ModelSpec(n_components=3, covariance_type="full", init_params="random_from_data",
                      seed=4)
    trace = cache.fit(spec, model).trace
    script = analyst._script(repr(("script", spec, model, 0)), spec, model, 0)
    assert "precisions_init=precisions_init" in script and "import emviz" not in script
    _check(_run(script, tmp_path), trace, cache.prepared(spec).X)


def test_the_apps_script_for_generated_data_reads_the_labelled_download(tmp_path):
    spec = PresetSpec("overlapping", 0)
    model = ModelSpec(n_components=3, covariance_type="diag")
    trace = cache.fit(spec, model).trace
    h = 4
    data = cache.prepared(spec)
    files = downloads.files(spec, model, None, data, trace, h, None, cache.be.FigureOptions())
    (tmp_path / files["csv"].file_name).write_bytes(files["csv"].make())
    script = analyst._script(repr(("script", spec, model, h)), spec, model, h)
    assert repr(files["csv"].file_name) in script
    _check(_run(script, tmp_path), trace, data.X)
