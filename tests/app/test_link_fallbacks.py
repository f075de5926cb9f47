"""AppTest: a link whose table settings do not fit the sample falls back to the defaults the
data panel gives a new file, keeps the settings that do fit, and still draws."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
IRIS = {"src": "sample", "sample": "iris.csv"}


def _open(query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("query, rejected, columns, label, standardise", [
    ({"cols": ["nope", "sepal_width_cm"]}, "cols", ["sepal_length_cm", "sepal_width_cm"],
     "species", False),
    ({"label": "nope"}, "label", ["sepal_length_cm", "sepal_width_cm"], "species", False),
    ({"cols": ["petal_length_cm", "petal_width_cm"], "label": "nope", "std": "1"}, "label",
     ["petal_length_cm", "petal_width_cm"], "species", True),
])
def test_refused_table_settings_are_back_at_their_defaults(query, rejected, columns, label,
                                                           standardise) -> None:
    at = _open({**IRIS, **query})
    assert any(f"could not be used ({rejected})" in w.value for w in at.warning)
    assert at.get("bidi_component"), [w.value for w in at.warning]  # Explore's stepper
    ss = at.session_state
    assert (ss["tbl_columns"], ss["tbl_label"], ss["tbl_standardise"]) == (
        columns, label, standardise)
