"""Links: settings -> query string -> the same settings; hostile query strings never raise."""

from __future__ import annotations

import pytest

from emviz.ui import state
from emviz.ui.urlstate import PENDING_STEP, check_table_columns, decode, encode

SYNTHETIC_CUSTOM = {
    "lang": "ru", "presenter": True, "data_source": "Synthetic", "syn_preset": "custom",
    "syn_seed": 7, "syn_dim": 3, "syn_k": 4, "syn_n": 3000, "syn_sep": 2.5,
    "syn_shape": "axis-aligned", "syn_imbalance": 5.0,
    "model_k": 4, "model_cov": "diag", "model_init": "kmeans", "model_seed": 12,
    "model_reg": 1e-4, "model_max_iter": 250, "model_tol": 1e-6, "show_truth": False,
    "animate": False,
}
SAMPLE_PICK = {
    "lang": "ja", "presenter": False, "data_source": "Sample", "sample_name": "iris.csv",
    "tbl_mode": "Pick columns", "tbl_columns": ["petal_length", "petal, width"],
    "tbl_label": "species", "tbl_standardise": True, "model_k": 3, "model_cov": "full",
    "model_init": "random", "model_seed": 0, "model_reg": 0.0, "model_max_iter": 100,
    "model_tol": 0.0, "show_truth": True, "animate": True,
}


def _query(values, position=0):
    return encode({**values, "position": position})


@pytest.mark.parametrize("values", [SYNTHETIC_CUSTOM, SAMPLE_PICK], ids=["custom", "sample"])
def test_round_trip(values):
    q = _query(values, position=9)
    assert all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in q.values())
    got = decode(q)
    assert got.clean, (got.rejected, got.unknown)
    expected = {k: v for k, v in values.items() if k != "tbl_mode" or v != "Pick columns"}
    for key, value in expected.items():
        assert got.values[key] == value, key
    assert got.values[PENDING_STEP] == 9


def test_preset_and_pca_links_carry_only_what_matters():
    q = encode({"data_source": "Synthetic", "syn_preset": "overlapping", "syn_dim": 3})
    assert "dim" not in q and q["scenario"] == ["overlapping"] and q["src"] == ["synthetic"]
    q = encode({"data_source": "Sample", "sample_name": "wine.csv",
                "tbl_mode": "Project with PCA", "tbl_pca_dim": 3})
    got = decode(q)
    assert got.clean and got.values["tbl_mode"] == "Project with PCA"
    assert got.values["tbl_pca_dim"] == 3 and "cols" not in q


def test_defaults_decode_to_the_defaults():
    got = decode(encode(dict(state.DEFAULTS)))
    assert got.clean
    for key, value in got.values.items():
        if key != PENDING_STEP:
            assert value == state.DEFAULTS[key], key


def test_upload_cannot_travel_and_says_so():
    got = decode(encode({"data_source": "Upload CSV"}))
    assert got.upload and not got.clean and "data_source" not in got.values


HOSTILE = [
    ("k", "-3"), ("k", "0"), ("k", "1e9"), ("k", "99999999999999999999999"), ("k", "３"),
    ("k", "1_0"), ("k", " 3"), ("seed", "NaN"), ("reg", "nan"), ("reg", "inf"),
    ("reg", "1e999"), ("reg", "0.5"), ("tol", "-1e-3"), ("cov", "FULL"), ("cov", "<script>"),
    ("init", "kmeans++<script>alert(1)</script>"), ("lang", "de"), ("lang", "日本語"),
    ("presenter", "yes"), ("step", "-1"), ("step", "2001"), ("iters", "0"),
    ("src", "javascript:alert(1)"), ("truth", "\x00"), ("k", "3" * 10_000),
]


@pytest.mark.parametrize(("name", "value"), HOSTILE)
def test_hostile_values_fall_back_and_are_named(name, value):
    got = decode({"src": "synthetic", name: value})
    assert got.rejected == [name]
    assert not any(k for k in got.values if k not in ("data_source",))


def test_hostile_synthetic_and_sample_values():
    got = decode({"src": "synthetic", "scenario": "custom", "sep": "0.75", "n": "-1",
                  "dim": "4", "shape": "𝔰𝔭𝔥𝔢𝔯𝔢", "imb": "1e308", "dseed": "1.5"})
    assert sorted(got.rejected) == ["dim", "dseed", "imb", "n", "sep", "shape"]
    got = decode({"src": "sample", "sample": "../../etc/passwd", "cols": ["a"] * 4,
                  "pca": "9", "label": "\n"})
    assert sorted(got.rejected) == ["cols", "label", "pca", "sample"]


def test_unknown_repeated_and_too_many_params():
    got = decode({"utm_source": "x", "embed": "true", "k": ["3", "4"]})
    assert got.unknown == 1 and got.rejected == ["k"]
    got = decode({f"p{i}": "1" for i in range(1000)})
    assert got.unknown == 64 and got.rejected == ["…"]


def test_decode_survives_non_mappings_of_strings():
    assert decode({"k": [None]}).rejected == ["k"]  # type: ignore[list-item]
    assert not decode({}).values


def test_linked_columns_are_checked_against_the_sample():
    values = {"tbl_columns": ["x", "nope"], "tbl_label": "species"}
    assert check_table_columns(values, ["x", "y"], ["species"]) == ["cols"]
    assert values == {"tbl_label": "species"}
