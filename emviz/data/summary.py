"""What an analyst reads about the clusters: sizes, means in the file's own units, known labels.

:func:`cluster_summary` describes each component by the rows it wins (hard labels): how many,
what share, and the mean and standard deviation of every original column, in that column's
units (not standardised, not projected). :func:`label_table` crosses the components with a
known label column and gives the adjusted Rand index.

Pure: NumPy and pandas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from emviz.data.synthetic import adjusted_rand_index

__all__ = ["ClusterSummary", "cluster_summary", "label_table"]


@dataclass(frozen=True, eq=False)
class ClusterSummary:
    """Per-component statistics of the rows each component wins.

    Attributes
    ----------
    sizes : array of shape (n_components,)
        Rows whose largest responsibility is that component's.
    shares : array of shape (n_components,)
        ``sizes / sizes.sum()``.
    columns : tuple of str
        The original columns described.
    means, sds : array of shape (n_components, n_columns)
        Mean and standard deviation (``ddof=0``) of each column over each component's rows,
        NaN for a component that wins no row. Missing cells of a column are left out of
        that column's figures only.
    """

    sizes: np.ndarray
    shares: np.ndarray
    columns: tuple[str, ...]
    means: np.ndarray
    sds: np.ndarray

    @property
    def n_components(self) -> int:
        return int(self.sizes.size)


def cluster_summary(values: Mapping[str, np.ndarray], labels: np.ndarray,
                    n_components: int) -> ClusterSummary:
    """Size, share and per-column mean ± sd of each component's rows.

    Parameters
    ----------
    values : mapping of str to array of shape (n_rows,)
        Original columns, aligned with ``labels`` (NaN where a cell is missing).
    labels : array of shape (n_rows,)
        0-based hard labels.
    n_components : int

    Returns
    -------
    ClusterSummary
    """
    labels = np.asarray(labels, dtype=np.int64)
    k = int(n_components)
    sizes = np.bincount(labels, minlength=k)[:k]
    total = max(int(sizes.sum()), 1)
    names = tuple(values)
    means = np.full((k, len(names)), np.nan)
    sds = np.full((k, len(names)), np.nan)
    # One (columns, rows) array, each column's cells contiguous: a file may have thousands
    # of columns, and a loop over them would cost a few NumPy calls each.
    table = np.empty((len(names), labels.size))
    for j, name in enumerate(names):
        table[j] = np.asarray(values[name], dtype=np.float64)
    for c in range(k):
        part = table[:, labels == c]
        ok = np.isfinite(part)
        count = ok.sum(axis=1)
        cells = np.where(ok, part, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = cells.sum(axis=1) / count
            spread = np.where(ok, part - mean[:, None], 0.0)
            sd = np.sqrt((spread * spread).sum(axis=1) / count)
        seen = count > 0
        means[c, seen] = mean[seen]
        sds[c, seen] = sd[seen]
    return ClusterSummary(sizes, sizes / total, names, means, sds)


def label_table(labels: np.ndarray, known: np.ndarray, n_components: int
                ) -> tuple[pd.DataFrame, float | None]:
    """Components × known labels (row counts), and the adjusted Rand index.

    Parameters
    ----------
    labels : array of shape (n_rows,)
        0-based hard labels.
    known : array of shape (n_rows,)
        Known labels as strings; empty strings (missing) are left out.
    n_components : int

    Returns
    -------
    table : DataFrame of shape (n_components, n_labels)
        Index: components numbered from 1; columns: the labels in sorted order.
    ari : float or None
        None with fewer than 2 labelled rows.
    """
    labels = np.asarray(labels, dtype=np.int64)
    known = np.asarray(known).astype(str)
    keep = known != ""
    labels, known = labels[keep], known[keep]
    names = sorted(set(known.tolist()))
    counts = np.zeros((int(n_components), len(names)), dtype=np.int64)
    index = {name: i for i, name in enumerate(names)}
    np.add.at(counts, (labels, np.array([index[x] for x in known], dtype=np.int64)), 1)
    table = pd.DataFrame(counts, index=pd.Index(range(1, int(n_components) + 1)),
                         columns=names)
    ari = float(adjusted_rand_index(known, labels)) if labels.size >= 2 else None
    return table, ari
