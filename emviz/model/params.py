"""The parameters of a Gaussian mixture: an immutable, validated record (weights, means and
covariances in one of the four covariance types), and the names of those types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from emviz._messages import error
from emviz._validation import (
    check_array,
    check_choice,
    check_covariances,
    check_mapping,
)
from emviz.errors import ParameterError

COVARIANCE_TYPES: tuple[str, ...] = ("full", "tied", "diag", "spherical")


INIT_METHODS: tuple[str, ...] = ("random", "random_from_data", "kmeans++", "kmeans")


# --------------------------------------------------------------------------------------
# Frozen records
# --------------------------------------------------------------------------------------
def _frozen_array(value: Any, name: str, ndim: int) -> np.ndarray:
    arr = np.array(check_array(value, f"Params.{name}", (None,) * ndim), copy=True)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class Params:
    """Parameters of a Gaussian mixture.

    Covariances are always stored as full matrices, whatever the covariance type that
    produced them, so geometry and figure code handle one shape.

    Parameters
    ----------
    weights : array of shape (n_components,)
        Mixing proportions ``π_k``; non-negative, summing to 1.
    means : array of shape (n_components, n_features)
    covariances : array of shape (n_components, n_features, n_features)
        Symmetric matrices (positive definiteness is checked where it matters: by the
        E-step, which raises :class:`~emviz.errors.CollapseError`).
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray

    def __post_init__(self) -> None:
        w = _frozen_array(self.weights, "weights", 1)
        m = _frozen_array(self.means, "means", 2)
        c = _frozen_array(self.covariances, "covariances", 3)
        k, d = m.shape
        if k < 1 or d < 1:
            raise error(ParameterError, "em.params_empty", shape=m.shape)
        if w.shape != (k,):
            raise error(ParameterError, "em.weights_shape", k=k, shape=w.shape)
        if c.shape != (k, d, d):
            raise error(ParameterError, "em.covariances_shape", k=k, d=d, shape=c.shape)
        if np.any(w < 0) or abs(w.sum() - 1.0) > 1e-6:
            raise error(ParameterError, "em.weights_sum", weights=np.round(w, 6),
                        total=float(w.sum()))
        scale = np.maximum(np.abs(c).max(axis=(1, 2)), 1e-300)
        asym = np.abs(c - np.swapaxes(c, 1, 2)).max(axis=(1, 2)) / scale
        if np.any(asym > 1e-8):
            raise error(ParameterError, "em.covariances_symmetric",
                        component=int(np.argmax(asym)) + 1, asymmetry=float(asym.max()))
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "means", m)
        object.__setattr__(self, "covariances", c)

    @classmethod
    def trusted(cls, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray) -> Params:
        """Build from arrays an engine kernel has just computed, skipping validation.

        For the hot loop only: the caller guarantees float64 arrays of consistent shapes,
        weights summing to 1 and exactly symmetric covariances. The arrays are taken over
        (not copied) and made read-only.
        """
        self = object.__new__(cls)
        weights.setflags(write=False)
        means.setflags(write=False)
        covariances.setflags(write=False)
        # Frozen: fill the instance dict directly (what object.__setattr__ would do, faster).
        self.__dict__.update(weights=weights, means=means, covariances=covariances)
        return self

    @property
    def n_components(self) -> int:
        return int(self.means.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.means.shape[1])

    def relabel(self, order: np.ndarray | list[int]) -> Params:
        """Return the same mixture with its components reordered as ``order``."""
        idx = np.asarray(order, dtype=int)
        return Params(self.weights[idx], self.means[idx], self.covariances[idx])

    def compact_covariances(self, covariance_type: str) -> np.ndarray:
        """Covariances in scikit-learn's per-type shape.

        ``full``: (K, D, D); ``tied``: (D, D); ``diag``: (K, D); ``spherical``: (K,).
        """
        compact = {
            "full": lambda c: c.copy(),
            "tied": lambda c: c[0].copy(),
            "diag": lambda c: np.diagonal(c, axis1=1, axis2=2).copy(),
            "spherical": lambda c: np.diagonal(c, axis1=1, axis2=2).mean(axis=1),
        }
        return compact[_check_covariance_type(covariance_type)](self.covariances)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form; :meth:`from_dict` reads it back."""
        return {
            "weights": self.weights.tolist(),
            "means": self.means.tolist(),
            "covariances": self.covariances.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Params:
        """Build from :meth:`to_dict` output (e.g. a downloaded JSON file).

        Checks shapes, finiteness, weights, symmetry and positive definiteness.

        Raises
        ------
        ParameterError
            Saying which entry is wrong, what was expected and what was received.
        """
        data = check_mapping(data, "data")
        for key in ("weights", "means", "covariances"):
            if key not in data:
                raise error(ParameterError, "em.params_dict_keys", key=key)
        params = cls(data["weights"], data["means"], data["covariances"])
        check_covariances(params.covariances, "Params.covariances")
        return params


# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------
def _check_covariance_type(covariance_type: str) -> str:
    return check_choice(covariance_type, "covariance_type", COVARIANCE_TYPES)
