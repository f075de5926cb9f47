"""A fitted mixture that can label new rows: the preprocessing and the parameters together.

The app clusters what it was given after three optional steps: pick columns, standardise
them, project them on principal axes. A mixture's parameters only mean something in those
coordinates, so a model that is to be used again has to carry the steps with it:

* :class:`Preprocessing` records the columns (by name, in order), the means and standard
  deviations used to standardise, and the PCA centre and axes. :meth:`Preprocessing.fit`
  is what the app runs on the uploaded table, and :meth:`Preprocessing.transform` applies
  the same arithmetic, in the same order, to any rows with those columns.
* :class:`FittedMixture` is a :class:`~emviz.engine.em.Params`, its covariance type and its
  :class:`Preprocessing`. It reads the app's parameters JSON (:meth:`FittedMixture.from_json`)
  and gives responsibilities and hard labels for new rows: an array, a DataFrame or a
  loaded :class:`~emviz.data.csv.Table`.

Example::

    import emviz
    model = emviz.FittedMixture.from_json(open("emviz_penguins_K3_full_h24.json").read())
    new = emviz.load_csv("more_penguins.csv")
    assigned = model.assign(new)          # rows with a missing value are skipped
    assigned.labels + 1                   # components numbered from 1, as in the app
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from emviz._messages import error
from emviz._validation import check_choice
from emviz.data.csv import Table
from emviz.data.synthetic import pca_project, standardize
from emviz.engine.em import check_data, e_step
from emviz.errors import DataError, ParameterError
from emviz.model.params import COVARIANCE_TYPES, Params

__all__ = ["Assignment", "FittedMixture", "Preprocessing"]


def _vector(value: Any, name: str, n: int | None = None) -> np.ndarray:
    try:
        a = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise error(ParameterError, "model.bad_array", name=name, reason=str(exc)) from exc
    if a.ndim != 1 or (n is not None and a.size != n) or not np.isfinite(a).all():
        raise error(ParameterError, "model.bad_shape", name=name,
                    expected=f"({n},)" if n is not None else "(n,)", shape=a.shape)
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class Preprocessing:
    """How raw columns become the model's features.

    Attributes
    ----------
    columns : tuple of str
        The raw columns, in the order they are read.
    mean, scale : array of shape (n_columns,) or None
        Standardisation ``(x - mean) / scale``; None when the columns are used as they are.
    pca_mean : array of shape (n_columns,) or None
        Centre of the (standardised) columns subtracted before projecting.
    pca_components : array of shape (n_features, n_columns) or None
        Orthonormal principal axes, one per row; None without PCA.
    explained_variance_ratio : array of shape (n_features,) or None
        Share of the total variance along each kept axis (for the reader, not for transforming).
    """

    columns: tuple[str, ...]
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None
    pca_mean: np.ndarray | None = None
    pca_components: np.ndarray | None = None
    explained_variance_ratio: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.columns)
        if (self.mean is None) != (self.scale is None):
            raise error(ParameterError, "model.half_standardise")
        for name in ("mean", "scale", "pca_mean"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _vector(value, name, n))
        if (self.pca_mean is None) != (self.pca_components is None):
            raise error(ParameterError, "model.half_pca")
        if self.pca_components is not None:
            comp = np.array(self.pca_components, dtype=np.float64)
            if comp.ndim != 2 or comp.shape[1] != n or not np.isfinite(comp).all():
                raise error(ParameterError, "model.bad_shape", name="pca_components",
                            expected=f"(d, {n})", shape=comp.shape)
            comp.flags.writeable = False
            object.__setattr__(self, "pca_components", comp)
        if self.explained_variance_ratio is not None:
            object.__setattr__(self, "explained_variance_ratio",
                               _vector(self.explained_variance_ratio, "explained_variance_ratio"))

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def fit(cls, X: Any, columns: Sequence[str], standardise: bool = False,
            pca_dim: int | None = None) -> tuple[Preprocessing, np.ndarray]:
        """Learn the steps on ``X`` and return them with ``X`` transformed.

        Parameters
        ----------
        X : array-like of shape (n_samples, len(columns))
            The raw columns (complete rows).
        columns : sequence of str
        standardise : bool
            Divide each centred column by its standard deviation (a constant column by 1).
        pca_dim : int, optional
            Keep this many principal components (of the standardised columns if
            ``standardise``).

        Returns
        -------
        preprocessing : Preprocessing
        Z : array of shape (n_samples, pca_dim or len(columns))
            Exactly ``preprocessing.transform(X)``.
        """
        X = check_data(X)
        mean = scale = pca_mean = comps = ratio = None
        Z = X
        if standardise:
            _, mean, scale = standardize(X)
            Z = (X - mean) / scale
        if pca_dim is not None:
            _, comps, ratio = pca_project(Z, pca_dim)
            pca_mean = Z.mean(axis=0)
        prep = cls(tuple(str(c) for c in columns), mean, scale, pca_mean, comps, ratio)
        return prep, prep.transform(X)

    # ---- use ---------------------------------------------------------------------------------
    @property
    def n_columns(self) -> int:
        return len(self.columns)

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Names of the model's features: the columns, or ``PC1``, ``PC2``, ..."""
        if self.pca_components is None:
            return self.columns
        return tuple(f"PC{i + 1}" for i in range(self.pca_components.shape[0]))

    @property
    def is_identity(self) -> bool:
        return self.mean is None and self.pca_components is None

    def transform(self, X: Any) -> np.ndarray:
        """Raw rows (columns in :attr:`columns` order) to the model's features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)

        Returns
        -------
        array of shape (n_samples, n_features)
        """
        X = check_data(X, n_features=self.n_columns)
        Z = X
        if self.mean is not None:
            Z = (Z - self.mean) / self.scale
        if self.pca_components is not None:
            Z = (Z - self.pca_mean) @ self.pca_components.T
        return np.ascontiguousarray(Z)

    # ---- JSON --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (read back with :meth:`from_dict`)."""
        def arr(a: np.ndarray | None) -> list | None:
            return None if a is None else a.tolist()

        return {
            "columns": list(self.columns),
            "standardise": None if self.mean is None else {"mean": arr(self.mean),
                                                           "scale": arr(self.scale)},
            "pca": None if self.pca_components is None else {
                "mean": arr(self.pca_mean), "components": arr(self.pca_components),
                "explained_variance_ratio": arr(self.explained_variance_ratio)},
            "feature_names": list(self.feature_names),
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Preprocessing:
        """Read :meth:`to_dict` output back.

        Raises
        ------
        ParameterError
            If a part is missing or has the wrong shape.
        """
        try:
            std = doc.get("standardise") or {}
            pca = doc.get("pca") or {}
            return cls(tuple(str(c) for c in doc["columns"]), std.get("mean"), std.get("scale"),
                       pca.get("mean"), pca.get("components"),
                       pca.get("explained_variance_ratio"))
        except (KeyError, TypeError, AttributeError) as exc:
            raise error(ParameterError, "model.bad_preprocessing", reason=repr(exc)) from exc


@dataclass(frozen=True, eq=False)
class Assignment:
    """New rows labelled by a :class:`FittedMixture`.

    Attributes
    ----------
    rows : array of shape (n_kept,)
        0-based indices of the rows that had every column (``Table.frame`` order).
    resp : array of shape (n_kept, n_components)
        Responsibilities; each row sums to 1.
    n_rows : int
        Rows in the input, kept or not.
    """

    rows: np.ndarray
    resp: np.ndarray
    n_rows: int

    @property
    def labels(self) -> np.ndarray:
        """Hard labels (0-based: add 1 for the app's numbering), one per kept row."""
        return np.argmax(self.resp, axis=1)


@dataclass(frozen=True, eq=False)
class FittedMixture:
    """A Gaussian mixture with the preprocessing that produced its features.

    Attributes
    ----------
    params : Params
        In the model's feature coordinates (after :attr:`preprocessing`).
    covariance_type : {"full", "tied", "diag", "spherical"}
    preprocessing : Preprocessing
    """

    params: Params
    covariance_type: str
    preprocessing: Preprocessing

    def __post_init__(self) -> None:
        check_choice(self.covariance_type, "covariance_type", COVARIANCE_TYPES)
        d = len(self.preprocessing.feature_names)
        if d != self.params.n_features:
            raise error(ParameterError, "model.dimensions", d=self.params.n_features,
                        n=d, names=list(self.preprocessing.feature_names))

    @property
    def n_components(self) -> int:
        return self.params.n_components

    @property
    def columns(self) -> tuple[str, ...]:
        """The raw columns new rows must have."""
        return self.preprocessing.columns

    # ---- labelling ---------------------------------------------------------------------------
    def _features(self, X: Any) -> np.ndarray:
        if isinstance(X, pd.DataFrame):
            missing = [c for c in self.columns if c not in X.columns]
            if missing:
                raise error(DataError, "model.missing_columns", missing=missing,
                            columns=list(self.columns))
            X = X[list(self.columns)].to_numpy(dtype=np.float64)
        return self.preprocessing.transform(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Responsibilities of complete rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns), or DataFrame with :attr:`columns`

        Returns
        -------
        array of shape (n_samples, n_components)
        """
        return e_step(self._features(X), self.params).resp

    def predict(self, X: Any) -> np.ndarray:
        """Hard labels (0-based) of complete rows; see :meth:`predict_proba`."""
        return np.argmax(self.predict_proba(X), axis=1)

    def assign(self, table: Table) -> Assignment:
        """Label the rows of a loaded CSV; rows missing a value in a needed column are skipped.

        Raises
        ------
        DataError
            If the table lacks one of :attr:`columns` (or has it as text).
        """
        missing = [c for c in self.columns if c not in table.numeric_columns]
        if missing:
            raise error(DataError, "model.missing_columns", missing=missing,
                        columns=list(self.columns))
        sel = table.select(list(self.columns))
        resp = e_step(self.preprocessing.transform(sel.X), self.params).resp
        return Assignment(rows=sel.rows, resp=resp, n_rows=int(table.n_rows))

    # ---- JSON --------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> FittedMixture:
        """From the app's parameters JSON, already parsed.

        A file without ``preprocessing`` (written by an older emviz) is read as raw columns
        named ``x1``, ``x2``, ... unless its settings name them.
        """
        if not isinstance(doc, Mapping):
            raise error(ParameterError, "exports.not_object", type=type(doc).__name__)
        params = Params.from_dict(dict(doc))
        prep_doc = doc.get("preprocessing")
        if prep_doc is None:
            names = tuple(f"x{i + 1}" for i in range(params.n_features))
            prep = Preprocessing(names)
        else:
            prep = Preprocessing.from_dict(prep_doc)
        return cls(params, str(doc.get("covariance_type", "full")), prep)

    @classmethod
    def from_json(cls, text: str | bytes) -> FittedMixture:
        """From the text of the app's parameters JSON (Explore → Download → Parameters)."""
        try:
            doc = json.loads(text)
        except (ValueError, TypeError) as exc:
            raise error(ParameterError, "exports.not_json", reason=str(exc)) from exc
        return cls.from_dict(doc)
