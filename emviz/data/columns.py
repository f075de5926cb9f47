"""Which columns of a real table are worth clustering by default, and how they are scaled.

A CSV holds more than measurements: a row number (``index`` 1..n), a record identifier, a
``year`` with three values. Clustering on those gives nonsense (a fit along the row number
has an adjusted Rand index of about 0), so they are never *picked by default*; they stay
available to a user who picks them, and :func:`column_roles` says why each one was skipped.

Rules, for a numeric column of ``n`` rows (its missing cells ignored):

* **identifier by its values**: integers forming the run 1..n or 0..n-1 in file order;
* **identifier by its name**: ``index``, ``id``, ``row`` and their usual spellings
  (``idx``, ``row_id``, ``specimen_id``, ``ID``, ...);
* **identifier, one per row**: at least :data:`MIN_ROWS_UNIQUE` rows, integers, all distinct;
* **category-like**: integers with at most :data:`MAX_CATEGORIES` distinct values, each
  seen :data:`MIN_PER_CATEGORY` times on average (a ``year`` of 2007-2009, a class code).
  Such a column draws as stripes and dominates a fit; it is a label, not a measurement.

Scales: two columns drawn with one unit per unit only make sense when their spreads are
comparable. :func:`spread_ratio` is the largest standard deviation over the smallest, and
:data:`EQUAL_SCALE_RATIO` the limit under which a figure keeps equal axis scales.

Pure: NumPy only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from emviz._messages import Message

__all__ = [
    "EQUAL_SCALE_RATIO",
    "ColumnRoles",
    "column_roles",
    "skip_reason",
    "spread_ratio",
]

#: Spreads within this factor of each other are drawn (and projected) as they are.
EQUAL_SCALE_RATIO = 3.0
#: Fewest rows for "a distinct integer on every row" to mean an identifier.
MIN_ROWS_UNIQUE = 20
#: Most distinct values of a category-like integer column ...
MAX_CATEGORIES = 10
#: ... and the fewest rows per value on average.
MIN_PER_CATEGORY = 5

_ID_NAME = re.compile(
    r"(?:index|idx|id|ids|row|rows|rowid|rownum|rownumber|rowindex|record|recordid|"
    r"obs|observation|sampleid|caseid|no|nr|#)"
    r"|.*(?:_id|_idx|_no|_nr)|id_.*",
)


def _normalised(name: str) -> str:
    """Lower case, spaces and dots as underscores, row-number spellings joined (``row_id``)."""
    low = re.sub(r"[\s.]+", "_", name.strip().lower())
    return re.sub(r"^(row|record|sample|case)_(id|num|number|index|nr|no)$", r"\1\2", low)


def _name_is_id(name: str) -> bool:
    low = _normalised(name)
    return bool(low) and (_ID_NAME.fullmatch(low) is not None
                          or re.search(r"[a-z_ -]ID$", name.strip()) is not None)


def skip_reason(name: str, values: np.ndarray) -> Message | None:
    """Why column ``name`` should not be clustered by default, or None if it should be.

    Parameters
    ----------
    name : str
        The column's name (may be empty).
    values : array of shape (n_rows,)
        The column as loaded (NaN for missing cells, in file order).

    Returns
    -------
    Message or None
        A translatable reason (codes ``columns.*``), naming the column.
    """
    v = np.asarray(values, dtype=np.float64)
    present = v[np.isfinite(v)]
    n = int(present.size)
    if n == 0:
        return None
    integers = bool(np.all(present == np.round(present)))
    if integers and n == v.size and n >= 3:
        start = next((s for s in (1, 0) if np.array_equal(present, np.arange(s, s + n))), None)
        if start is not None:
            return Message("columns.id_run", column=name, start=start, stop=start + n - 1)
    if _name_is_id(name):
        return Message("columns.id_name", column=name)
    distinct = np.unique(present)
    if integers and n >= MIN_ROWS_UNIQUE and distinct.size == n:
        return Message("columns.id_unique", column=name, n=n)
    if (integers and 1 < distinct.size <= MAX_CATEGORIES
            and n >= MIN_PER_CATEGORY * distinct.size):
        shown = ", ".join(f"{x:.0f}" for x in distinct[:4]) + (", …" if distinct.size > 4 else "")
        return Message("columns.few_values", column=name, k=int(distinct.size), values=shown)
    return None


@dataclass(frozen=True)
class ColumnRoles:
    """Numeric columns split into those to cluster by default and those skipped (with why).

    Attributes
    ----------
    usable : tuple of str
        Columns in file order that look like measurements.
    skipped : tuple of (str, Message)
        Each skipped column and the reason. If every column would be skipped, none is
        (``usable`` is then every column): a file of row numbers alone is still data.
    categories : tuple of str
        The skipped columns that look like categories (candidate label columns).
    """

    usable: tuple[str, ...]
    skipped: tuple[tuple[str, Message], ...]
    categories: tuple[str, ...] = ()

    @property
    def skipped_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.skipped)


def column_roles(columns: Mapping[str, np.ndarray] | Sequence[tuple[str, np.ndarray]]
                 ) -> ColumnRoles:
    """Apply :func:`skip_reason` to every numeric column.

    Parameters
    ----------
    columns : mapping of str to array, or sequence of (name, array) pairs
        The numeric columns in file order.

    Returns
    -------
    ColumnRoles
    """
    items = list(columns.items()) if isinstance(columns, Mapping) else list(columns)
    reasons = [(name, skip_reason(name, values)) for name, values in items]
    skipped = tuple((name, why) for name, why in reasons if why is not None)
    usable = tuple(name for name, why in reasons if why is None)
    if not usable:
        return ColumnRoles(tuple(name for name, _ in items), ())
    categories = tuple(name for name, why in skipped if why.code == "columns.few_values")
    return ColumnRoles(usable, skipped, categories)


def spread_ratio(X: np.ndarray) -> float:
    """Largest over smallest standard deviation of the columns of ``X`` (1.0 for one column).

    Constant columns are ignored; no spread at all gives 1.0.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)

    Returns
    -------
    float
        >= 1; above :data:`EQUAL_SCALE_RATIO` the columns should be standardised (or at
        least drawn each on its own scale).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 2 or X.shape[0] < 2:
        return 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        sd = np.nanstd(X, axis=0)
    sd = sd[np.isfinite(sd) & (sd > 0)]
    return float(sd.max() / sd.min()) if sd.size >= 2 else 1.0
