"""A scikit-learn script that repeats an emviz run: same data, same start, same EM.

:func:`sklearn_script` writes Python that reads the CSV with pandas, applies the recorded
preprocessing (:class:`emviz.engine.fitted.Preprocessing`, written out as literal numbers), builds
``GaussianMixture(weights_init=…, means_init=…, precisions_init=…)`` from emviz's start
(half-step 0) and runs it one iteration per ``fit`` call (``warm_start=True, max_iter=1``), so
it can print the whole log-likelihood curve, which equals emviz's
(``tests/engine/test_reproduce.py`` runs the script and compares to 1e-8).

Floats are written with ``repr``, the shortest text that reads back to the same double.
The script needs NumPy, pandas and scikit-learn; it does not import emviz.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emviz._messages import error
from emviz._validation import check_choice
from emviz.engine.fitted import Preprocessing
from emviz.errors import ParameterError
from emviz.model.params import COVARIANCE_TYPES, Params

__all__ = ["CsvSource", "sklearn_script"]


@dataclass(frozen=True)
class CsvSource:
    """How the script reads the data file with ``pandas.read_csv``.

    Attributes
    ----------
    file_name : str
        The file as the user has it (the script opens it from the working directory).
    sep, decimal : str
        The delimiter and decimal mark emviz detected.
    encoding : str
        A Python codec name.
    has_header : bool
        False: columns are taken by position (emviz names them ``column 1``, ``column 2``...).
    skip_first : bool
        The file starts with Excel's ``sep=`` line.
    """

    file_name: str
    sep: str = ","
    decimal: str = "."
    encoding: str = "utf-8"
    has_header: bool = True
    skip_first: bool = False


def _num(x: float) -> str:
    return repr(float(x))


def _array(a: np.ndarray, indent: int) -> str:
    """A literal ``np.array([...])``, rows on their own lines."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        return "np.array([" + ", ".join(_num(x) for x in a) + "])"
    pad = " " * (indent + 4)
    inner = (",\n" + pad).join(_array(row, indent + 4)[len("np.array("):-1] for row in a)
    return "np.array([\n" + pad + inner + ",\n" + " " * indent + "])"


def _precisions(params: Params, covariance_type: str) -> np.ndarray:
    """scikit-learn's ``precisions_init``: the inverse covariances in its per-type shape."""
    compact = params.compact_covariances(covariance_type)
    invert = {
        "full": lambda c: np.linalg.inv(c),
        "tied": lambda c: np.linalg.inv(c),
        "diag": lambda c: 1.0 / c,
        "spherical": lambda c: 1.0 / c,
    }
    return invert[covariance_type](compact)


def _read_lines(source: CsvSource, columns: tuple[str, ...]) -> list[str]:
    options = [repr(source.file_name), f"sep={source.sep!r}", f"decimal={source.decimal!r}",
               f"encoding={source.encoding!r}"]
    if source.skip_first:
        options.append("skiprows=1")
    if not source.has_header:
        options.append("header=None")
    lines = [f"frame = pd.read_csv({', '.join(options)})"]
    if source.has_header:
        lines.append(f"X = frame[{list(columns)!r}].to_numpy(dtype=float)")
    else:
        positions = [int(c.rsplit(" ", 1)[-1]) - 1 for c in columns]
        lines.append(f"X = frame.iloc[:, {positions!r}].to_numpy(dtype=float)")
    lines.append("X = X[np.isfinite(X).all(axis=1)]  # emviz skips rows with a missing value")
    return lines


def _preprocessing_lines(prep: Preprocessing) -> list[str]:
    lines = []
    if prep.mean is not None and prep.scale is not None:  # both or neither: Preprocessing
        lines += ["# standardised with the means and standard deviations emviz used",
                  f"mean = {_array(prep.mean, 0)}",
                  f"scale = {_array(prep.scale, 0)}",
                  "X = (X - mean) / scale"]
    if prep.pca_mean is not None and prep.pca_components is not None:  # both or neither
        lines += ["# projected on emviz's principal axes",
                  f"pca_mean = {_array(prep.pca_mean, 0)}",
                  f"pca_axes = {_array(prep.pca_components, 0)}",
                  "X = (X - pca_mean) @ pca_axes.T"]
    return lines


def sklearn_script(start: Params, covariance_type: str, reg_covar: float, n_iter: int,
                   source: CsvSource, preprocessing: Preprocessing,
                   comment: str = "") -> str:
    """Python source that reruns emviz's EM in scikit-learn from the same start.

    Parameters
    ----------
    start : Params
        The run's initial parameters (``trace.params[0]``), in the model's features.
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float
    n_iter : int
        Iterations to run (``trace.n_iter``); the script prints ``n_iter + 1`` log-likelihoods.
    source : CsvSource
        Where and how to read the data.
    preprocessing : Preprocessing
        Columns to read and the steps to apply to them.
    comment : str
        One line said at the top (e.g. which init method and seed made the start).

    Returns
    -------
    str
        A runnable script. It leaves ``X``, ``gm`` (the fitted ``GaussianMixture``) and
        ``log_likelihood`` (a list of totals, one per state) defined.
    """
    check_choice(covariance_type, "covariance_type", COVARIANCE_TYPES)
    if start.n_features != len(preprocessing.feature_names):
        raise error(ParameterError, "model.dimensions", d=start.n_features,
                    n=len(preprocessing.feature_names),
                    names=list(preprocessing.feature_names))
    header = [
        "# Rerun emviz's EM in scikit-learn: the same data, the same start, the same steps.",
        *([f"# {comment}"] if comment else []),
        "import warnings",
        "",
        "import numpy as np",
        "import pandas as pd",
        "from sklearn.exceptions import ConvergenceWarning",
        "from sklearn.mixture import GaussianMixture",
        "",
        *_read_lines(source, preprocessing.columns),
        *_preprocessing_lines(preprocessing),
        "",
        "# emviz's start (half-step 0)",
        f"weights_init = {_array(start.weights, 0)}",
        f"means_init = {_array(start.means, 0)}",
        f"precisions_init = {_array(_precisions(start, covariance_type), 0)}",
        "",
        "gm = GaussianMixture(",
        f"    n_components={start.n_components}, covariance_type={covariance_type!r}, "
        f"reg_covar={_num(reg_covar)},",
        "    weights_init=weights_init, means_init=means_init, precisions_init=precisions_init,",
        "    max_iter=1, tol=0.0, warm_start=True,  # one EM iteration per fit() call",
        ")",
        "log_likelihood = []  # total log-likelihood of every state, as emviz's curve",
        "with warnings.catch_warnings():",
        "    warnings.simplefilter(\"ignore\", ConvergenceWarning)  # max_iter=1 is on purpose",
        f"    for _ in range({int(n_iter)}):",
        "        gm.fit(X)",
        "        if not log_likelihood:  # the first E-step scored the start",
        "            log_likelihood.append(gm.lower_bound_ * len(X))",
        "        log_likelihood.append(gm.score(X) * len(X))",
        "print(np.array(log_likelihood))",
        "print(gm.predict(X) + 1)  # components numbered from 1, as in emviz",
    ]
    return "\n".join(header) + "\n"
