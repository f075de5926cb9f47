"""Per-cluster summary in the file's units, and the component x label table with its ARI."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.data.summary import cluster_summary, label_table
from emviz.data.synthetic import adjusted_rand_index


def test_sizes_shares_means_and_sds():
    a = np.array([1.0, 2.0, 3.0, 10.0, 20.0, np.nan])
    b = np.array([5.0, 5.0, 5.0, 0.0, 1.0, 2.0])
    labels = np.array([0, 0, 0, 1, 1, 1])
    s = cluster_summary({"a": a, "b": b}, labels, 3)
    assert s.sizes.tolist() == [3, 3, 0]
    np.testing.assert_allclose(s.shares, [0.5, 0.5, 0.0])
    np.testing.assert_allclose(s.means[0], [2.0, 5.0])
    np.testing.assert_allclose(s.means[1], [15.0, 1.0])  # the missing cell is left out of 'a'
    np.testing.assert_allclose(s.sds[0], [np.std([1, 2, 3]), 0.0])
    np.testing.assert_allclose(s.sds[1], [5.0, np.std([0, 1, 2])])
    assert np.isnan(s.means[2]).all()  # an empty component has no figures
    assert s.columns == ("a", "b")


def test_wide_tables_match_column_by_column_figures():
    """Many columns with missing, infinite and all-missing cells: every figure is what
    NumPy gives for that column's finite cells in that component."""
    rng = np.random.default_rng(4)
    n, m, k = 200, 300, 4
    cells = rng.normal(size=(m, n)) * rng.uniform(0.1, 1e4, size=(m, 1))
    cells[rng.uniform(size=cells.shape) < 0.1] = np.nan
    cells[5, :] = np.nan
    cells[7, ::3] = np.inf
    labels = rng.integers(0, k - 1, size=n)  # the last component gets no rows
    s = cluster_summary({f"c{j}": cells[j] for j in range(m)}, labels, k)
    for c in range(k):
        for j in range(m):
            x = cells[j][(labels == c) & np.isfinite(cells[j])]
            if x.size:
                assert s.means[c, j] == pytest.approx(x.mean(), rel=1e-12, abs=1e-12)
                assert s.sds[c, j] == pytest.approx(x.std(), rel=1e-9, abs=1e-9)
            else:
                assert np.isnan(s.means[c, j]) and np.isnan(s.sds[c, j])


def test_label_table_counts_and_ari():
    labels = np.array([0, 0, 1, 1, 1, 2])
    known = np.array(["x", "x", "y", "y", "x", ""])  # '' = missing label: left out
    table, ari = label_table(labels, known, 3)
    assert list(table.columns) == ["x", "y"]
    assert table.loc[1].tolist() == [2, 0] and table.loc[2].tolist() == [1, 2]
    assert table.loc[3].tolist() == [0, 0]
    assert ari == pytest.approx(adjusted_rand_index(known[:5], labels[:5]))
