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


def test_label_table_counts_and_ari():
    labels = np.array([0, 0, 1, 1, 1, 2])
    known = np.array(["x", "x", "y", "y", "x", ""])  # '' = missing label: left out
    table, ari = label_table(labels, known, 3)
    assert list(table.columns) == ["x", "y"]
    assert table.loc[1].tolist() == [2, 0] and table.loc[2].tolist() == [1, 2]
    assert table.loc[3].tolist() == [0, 0]
    assert ari == pytest.approx(adjusted_rand_index(known[:5], labels[:5]))
