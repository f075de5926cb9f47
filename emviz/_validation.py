"""Argument checks shared by every public function of the engine.

Each check takes the value and the argument's ``name`` as the user wrote it, returns the
value in the form the engine computes with (``int``, ``float``, C-contiguous float64 array),
and otherwise raises :class:`~emviz.errors.ParameterError` (an option) or
:class:`~emviz.errors.DataError` (the data) whose message says what was wrong, what was
expected and what was received. Messages go through :mod:`emviz._messages`, so they are
translatable; components are numbered from 1.

Only NumPy and the message catalog are imported here, so every engine module can use it
without an import circle.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from emviz._messages import Message, error
from emviz.errors import DataError, ParameterError

#: The largest seed accepted (NumPy's generators take any non-negative integer; this bound
#: keeps a typo from being hashed silently).
MAX_SEED = 2**128

#: Upper bounds on sizes and counts a caller can ask for: beyond them a typo (n_samples=1e12)
#: would exhaust memory or run for days instead of failing with a message.
MAX_SAMPLES = 10_000_000
MAX_DIM = 1_000
MAX_COMPONENTS = 1_000
MAX_RUNS = 100_000

#: Data magnitudes the engine fits (about 1.3e151 and 7.7e-152): squares and variances of
#: values in this range, summed over millions of points, stay normal float64 numbers.
MAX_MAGNITUDE = 2.0**503
MIN_MAGNITUDE = 2.0**-503


def _shown(value: Any) -> Any:
    """``value`` as it is quoted in a message (long containers shortened)."""
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."


def _type_name(value: Any) -> str:
    return type(value).__name__


# --------------------------------------------------------------------------------------
# Scalars
# --------------------------------------------------------------------------------------
def _as_integer(value: Any) -> int | None:
    """``value`` as an int if it is a whole number (not a bool, not a string), else None."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        if math.isfinite(f) and f.is_integer():
            return int(f)
    return None


def check_int(value: Any, name: str, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number in ``[minimum, maximum]``.

    Integral floats (``3.0``) are accepted; bools, strings, NaN, inf and fractions are not.

    Raises
    ------
    ParameterError
        ``"{name} should be an integer >= {minimum}..., but got {value!r}"``.
    """
    k = _as_integer(value)
    if k is None or k < minimum or (maximum is not None and k > maximum):
        if maximum is not None:
            raise error(ParameterError, "check.int_between", name=name, minimum=minimum,
                        maximum=maximum, value=_shown(value))
        if minimum == 1:
            raise error(ParameterError, "check.positive_int", name=name, value=_shown(value))
        raise error(ParameterError, "check.int_at_least", name=name, minimum=minimum,
                    value=_shown(value))
    return k


def check_positive_int(value: Any, name: str) -> int:
    """A whole number >= 1 (see :func:`check_int`)."""
    return check_int(value, name, minimum=1)


#: What every ``seed`` argument accepts (see :func:`check_seed`).
Seed = int | np.random.Generator


def check_seed(seed: Any, name: str = "seed") -> Seed:
    """A seed: a whole number in ``[0, 2**128]`` or a ``numpy.random.Generator``."""
    if isinstance(seed, np.random.Generator):
        return seed
    k = _as_integer(seed)
    if k is None or not 0 <= k <= MAX_SEED:
        raise error(ParameterError, "check.seed", name=name, value=_shown(seed))
    return k


def check_float(
    value: Any,
    name: str,
    minimum: float | None = None,
    *,
    positive: bool = False,
    maximum: float | None = None,
) -> float:
    """A finite real number, at least ``minimum`` (strictly above it if ``positive``) and at
    most ``maximum``.

    Raises
    ------
    ParameterError
        For a bool, a string, None, NaN, inf or a number out of range.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    f = float(value) if ok else math.nan
    if ok and math.isfinite(f):
        low_ok = minimum is None or (f > minimum if positive else f >= minimum)
        if low_ok and (maximum is None or f <= maximum):
            return f
    if maximum is not None:
        raise error(ParameterError, "check.number_between", name=name,
                    minimum=minimum if minimum is not None else -math.inf, maximum=maximum,
                    value=_shown(value))
    if minimum is None:
        raise error(ParameterError, "check.number", name=name, value=_shown(value))
    code = "check.number_above" if positive else "check.number_at_least"
    raise error(ParameterError, code, name=name, minimum=minimum, value=_shown(value))


def check_choice(value: Any, name: str, allowed: Sequence[str]) -> str:
    """One of the strings ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise error(ParameterError, "check.choice", name=name, allowed=tuple(allowed),
                    value=_shown(value))
    return value


def check_bool(value: Any, name: str) -> bool:
    """``True`` or ``False`` (NumPy bools too)."""
    if not isinstance(value, bool | np.bool_):
        raise error(ParameterError, "check.bool", name=name, value=_shown(value))
    return bool(value)


def check_mapping(value: Any, name: str) -> Mapping[str, Any]:
    """A dict-like object (e.g. parsed JSON)."""
    if not isinstance(value, Mapping):
        raise error(ParameterError, "check.mapping", name=name, type=_type_name(value))
    return value


def check_instance(value: Any, name: str, cls: type) -> Any:
    """An instance of ``cls`` (e.g. :class:`emviz.engine.em.Params`)."""
    if not isinstance(value, cls):
        raise error(ParameterError, "check.instance", name=name, expected=cls.__name__,
                    type=_type_name(value))
    return value


def check_sequence(value: Any, name: str) -> tuple[Any, ...]:
    """A list, tuple, range or array (not a string, dict or set), as a tuple."""
    ok = isinstance(value, Sequence | np.ndarray) and not isinstance(value, str | bytes)
    if not ok:
        raise error(ParameterError, "check.sequence", name=name, type=_type_name(value))
    return tuple(value)


def check_callable(value: Any, name: str) -> Any:
    """A callable or None."""
    if value is not None and not callable(value):
        raise error(ParameterError, "check.callable", name=name, type=_type_name(value))
    return value


# --------------------------------------------------------------------------------------
# Arrays
# --------------------------------------------------------------------------------------
def as_float_array(value: Any, name: str, error_class: type = ParameterError) -> np.ndarray:
    """``value`` as a float64 array of any shape, or a typed error saying why it is not one.

    Strings, complex numbers, objects and ragged nested lists are refused; bools and integers
    are converted up to float64.
    """
    if isinstance(value, str | bytes) or value is None or isinstance(value, Mapping):
        raise error(error_class, "check.not_numbers", name=name, type=_type_name(value))
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise error(error_class, "check.not_rectangular", name=name, type=_type_name(value),
                    reason=str(exc)) from exc
    if arr.dtype.kind not in "biuf":
        raise error(error_class, "check.not_real", name=name, dtype=str(arr.dtype))
    if arr.dtype.kind == "f" and arr.dtype.itemsize > 8:
        raise error(error_class, "check.too_precise", name=name, dtype=str(arr.dtype))
    return arr.astype(np.float64, copy=False)


def check_array(value: Any, name: str, shape: tuple[int | None, ...],
                error_class: type = ParameterError, finite: bool = True) -> np.ndarray:
    """A float64 array whose shape matches ``shape`` (None matches any length)."""
    arr = as_float_array(value, name, error_class)
    if arr.ndim != len(shape) or any(
        want is not None and got != want for want, got in zip(shape, arr.shape, strict=True)
    ):
        want_text = "(" + ", ".join("n" if s is None else str(s) for s in shape) + \
            ("," if len(shape) == 1 else "") + ")"
        raise error(error_class, "check.shape", name=name, expected=want_text,
                    shape=arr.shape)
    if finite and not np.all(np.isfinite(arr)):
        raise error(error_class, "check.not_finite_array", name=name,
                    n_bad=int(np.size(arr) - np.count_nonzero(np.isfinite(arr))))
    return arr


def check_covariances(
    covariances: np.ndarray, name: str = "covariances", allow_singular: bool = False
) -> np.ndarray:
    """Stacked covariance matrices (K, D, D) that are symmetric and positive definite.

    With ``allow_singular``, matrices that are singular to rounding pass (EM records such a
    start as collapsed); clearly indefinite ones (a negative variance) never do.

    Raises
    ------
    ParameterError
        Naming the first offending component (numbered from 1).
    """
    c = covariances
    scale = np.maximum(np.abs(c).max(axis=(1, 2)), np.finfo(np.float64).tiny)
    asym = np.abs(c - np.swapaxes(c, 1, 2)).max(axis=(1, 2)) / scale
    if np.any(asym > 1e-8):
        raise error(ParameterError, "em.covariances_symmetric",
                    component=int(np.argmax(asym)) + 1, asymmetry=float(asym.max()))
    # Relative to each matrix's size, so the test does not depend on the data's units.
    with np.errstate(all="ignore"):
        eig = np.linalg.eigvalsh(c / scale[:, None, None])
    floor = -1e-10 if allow_singular else 0.0
    bad = np.flatnonzero(~(eig[:, 0] > floor))
    if bad.size:
        j = int(bad[0])
        raise error(ParameterError, "check.not_positive_definite", name=name,
                    component=j + 1, eigenvalue=float(eig[j, 0] * scale[j]))
    return c


def check_data(
    X: Any, n_features: int | None = None, n_components: int | None = None
) -> np.ndarray:
    """Validate a data matrix for the engine and return it as C-contiguous float64.

    Integer, bool and float32 input is converted up to float64 (never down); float64 input
    that is already C-contiguous is returned as is (no copy).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_features : int, optional
        Required number of columns (e.g. to match given parameters).
    n_components : int, optional
        The number of mixture components K; then at least K rows are required.

    Raises
    ------
    DataError
        If ``X`` is not a 2-D real array, is empty, has the wrong number of columns, holds
        NaN/inf, has fewer rows than ``n_components`` or values whose variance overflows.
    ParameterError
        If ``n_components`` is not a positive integer.
    """
    arr = as_float_array(X, "X", DataError)
    if arr.ndim != 2:
        code = "check.data_not_2d_1d" if arr.ndim == 1 else "check.data_not_2d"
        raise error(DataError, code, ndim=arr.ndim, shape=arr.shape)
    n, d = arr.shape
    if n < 1 or d < 1:
        raise error(DataError, "check.data_empty", shape=arr.shape)
    if n_features is not None and d != n_features:
        raise error(DataError, "check.data_features", n_features=n_features, got=d)
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    finite = np.isfinite(arr)
    if not finite.all():
        bad = np.argwhere(~finite)
        r, c = bad[0]
        n_nan = int(np.isnan(arr).sum())
        raise error(DataError, "check.data_not_finite", n_nan=n_nan,
                    n_inf=int(len(bad) - n_nan), row=int(r), column=int(c),
                    value=float(arr[r, c]))
    if n_components is not None:
        k = check_positive_int(n_components, "n_components")
        if n < k:
            raise error(DataError, "check.fewer_points_than_k", k=k, n=n)
    check_scale(arr)
    return arr


def check_scale(X: np.ndarray, names: Sequence[str] | None = None) -> None:
    """Refuse data whose spread float64 cannot hold as a variance.

    Magnitudes from about 1e-150 to 1e150 are accepted and fitted in the user's units: the
    engine rescales by a power of two internally (:func:`emviz.engine.em.run_em`). Beyond that a
    variance would overflow (or underflow) float64, so the data are refused with advice.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        big = np.abs(X).max(axis=0)
        spread = X.max(axis=0) - X.min(axis=0)
    too_large = ~(np.isfinite(spread) & (big <= MAX_MAGNITUDE))
    too_small = (spread > 0) & (big < MIN_MAGNITUDE)
    for code, bad in (("io.too_large_values", too_large), ("check.too_small_values", too_small)):
        hit = np.flatnonzero(bad)
        if hit.size:
            j = int(hit[0])
            column = names[j] if names is not None else Message("io.array_column", j=j)
            raise error(DataError, code, column=column, magnitude=float(big[j]))


#: Spreads between 2**-SAFE_EXPONENT and 2**SAFE_EXPONENT (about 1e-18 to 1e18) are computed
#: with as given; beyond, closed-form determinants (variance**3) would under- or overflow.
SAFE_EXPONENT = 60


def spread_exponent(X: np.ndarray) -> int:
    """The binary exponent of the largest spread (max - min) of a feature; 0 if none."""
    with np.errstate(over="ignore", invalid="ignore"):
        spread = float(np.max(X.max(axis=0) - X.min(axis=0)))
    if not (math.isfinite(spread) and spread > 0):
        return 0
    return math.frexp(spread)[1]


def check_moderate_scale(X: np.ndarray, method: str) -> None:
    """Refuse data far from unit size for a method that does not rescale internally."""
    if abs(spread_exponent(X)) > SAFE_EXPONENT:
        spread = float(np.max(X.max(axis=0) - X.min(axis=0)))
        raise error(DataError, "check.scale_unsupported", spread=spread, method=method)


def check_resp(resp: Any, n_samples: int, name: str = "resp") -> np.ndarray:
    """Responsibilities: shape (n_samples, K), finite, non-negative, rows summing to 1."""
    r = as_float_array(resp, name)
    if r.ndim != 2 or r.shape[0] != n_samples or r.shape[1] < 1:
        raise error(ParameterError, "em.resp_shape", n_samples=n_samples, shape=r.shape)
    if not np.all(np.isfinite(r)) or np.any(r < 0):
        raise error(ParameterError, "em.resp_values")
    sums = r.sum(axis=1)
    if np.any(np.abs(sums - 1.0) > 1e-6):
        i = int(np.argmax(np.abs(sums - 1.0)))
        raise error(ParameterError, "em.resp_sum", row=i, total=float(sums[i]))
    return r
