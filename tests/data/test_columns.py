"""Default column choice: identifiers and category-like columns are skipped, with the reason."""

from __future__ import annotations

import numpy as np
import pytest

from emviz.data.columns import EQUAL_SCALE_RATIO, column_roles, skip_reason, spread_ratio
from emviz.data.csv import load_csv
from tests.csv_corpus.real_like import penguins_like

RNG = np.random.default_rng(0)
N = 200


@pytest.mark.parametrize("start", [0, 1])
def test_a_run_of_row_numbers_is_an_identifier(start):
    why = skip_reason("specimen", np.arange(start, start + N, dtype=float))
    assert why is not None and why.code == "columns.id_run"
    assert why.params["start"] == start and why.params["stop"] == start + N - 1


@pytest.mark.parametrize("name", ["index", "ID", "id", "Row", "row_id", "specimen_id",
                                  "PatientID", "idx", "row number"])
def test_identifier_names(name):
    why = skip_reason(name, RNG.normal(size=N))
    assert why is not None and why.code == "columns.id_name", name


@pytest.mark.parametrize("name", ["body_mass_index", "width", "valid", "ACID", "humidity"])
def test_measurement_names_are_not_identifiers(name):
    assert skip_reason(name, RNG.normal(size=N)) is None


def test_a_distinct_whole_number_per_row_is_an_identifier_only_with_enough_rows():
    codes = RNG.permutation(10 * N)[:N].astype(float)
    assert skip_reason("code", codes).code == "columns.id_unique"
    assert skip_reason("count", codes[:5]) is None  # a 5-row file: no evidence either way


def test_a_year_with_three_values_looks_like_a_category():
    year = np.repeat([2007.0, 2008.0, 2009.0], [70, 70, 60])
    why = skip_reason("year", year)
    assert why.code == "columns.few_values" and why.params["k"] == 3
    assert "2007, 2008, 2009" in str(why)
    years = 1950.0 + RNG.integers(0, 70, N)  # many years: a real numeric variable
    assert skip_reason("year", years) is None


def test_measurements_with_missing_cells_are_kept():
    x = RNG.normal(50, 3, N).round(1)
    x[[3, 9]] = np.nan
    assert skip_reason("bill_length_mm", x) is None


def test_roles_of_a_penguins_like_file():
    tbl = load_csv(penguins_like())
    frame = tbl.frame
    roles = column_roles({c: frame[c].to_numpy(float) for c in tbl.numeric_columns})
    assert roles.usable == ("bill_length_mm", "bill_depth_mm", "flipper_length_mm",
                            "body_mass_g")
    assert roles.skipped_names == ("index", "year")
    assert roles.categories == ("year",)


def test_a_file_of_identifiers_only_is_still_data():
    roles = column_roles({"id": np.arange(1.0, 31.0)})
    assert roles.usable == ("id",) and roles.skipped == ()


def test_spread_ratio():
    X = np.column_stack([RNG.normal(0, 1, N), RNG.normal(0, 12, N)])
    assert spread_ratio(X) == pytest.approx(np.std(X[:, 1]) / np.std(X[:, 0]))
    assert spread_ratio(X) > EQUAL_SCALE_RATIO
    assert spread_ratio(X[:, :1]) == 1.0
    assert spread_ratio(np.column_stack([X[:, 0], np.ones(N)])) == 1.0  # constant: ignored
