"""emviz.numbers: one significant-digit format for every number on screen."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from emviz.numbers import GROUP, parse_sig, parse_sig_array, percent, sig, sig_array, sig_join


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"),
    (1.0, "1"),
    (0.5, "0.5"),
    (0.35842, "0.3584"),
    (-1797.944, "-1798"),
    (19062.3, f"19{GROUP}060"),
    (123456.7, f"123{GROUP}500"),
    (2.5e-4, "0.00025"),
    (9.99951, "10"),
    (999999.6, "1×10⁶"),
    (67_674_312.0, "6.767×10⁷"),
    (1.2e-5, "1.2×10⁻⁵"),
    (-3e-9, "-3×10⁻⁹"),
    (math.inf, "∞"),
    (-math.inf, "-∞"),
    (math.nan, "—"),
    (np.float32(0.25), "0.25"),
])
def test_sig_writes_numbers_as_people_do(value, text):
    assert sig(value) == text


def test_sig_digits_and_errors():
    assert sig(math.pi, 2) == "3.1"
    assert sig(math.pi, 6) == "3.14159"
    assert sig(0.03125, signed=True) == "+0.03125" and sig(-2.0, signed=True) == "-2"
    assert sig(0.0, signed=True) == "0" and sig(math.inf, signed=True) == "+∞"
    with pytest.raises(ValueError, match="digits"):
        sig(1.0, 0)


def test_sig_never_writes_e_notation_or_si_prefixes():
    for v in np.geomspace(1e-12, 1e12, 97):
        for s in (sig(v), sig(-v)):
            assert "e" not in s and "μ" not in s and "k" not in s


def test_arrays_and_sentences():
    assert sig_array([19062.3]) == f"[19{GROUP}060]"
    assert sig_array([[6.767e7]]) == "[[6.767×10⁷]]"
    assert sig_array([[2.906, 1.396], [1.396, 0.794]]) == "[[2.906, 1.396], [1.396, 0.794]]"
    assert sig_array(0.5) == "0.5"
    assert sig_join([0.5, 2e-7]) == "0.5, 2×10⁻⁷"


@given(hs.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300))
def test_parse_reads_back_what_sig_wrote(x):
    assert parse_sig(sig(x)) == pytest.approx(x, rel=5e-4, abs=0.0)


def test_parse_arrays_and_rejects_other_text():
    a = np.array([[1.5e-7, -19062.3], [0.25, 6.7e9]])
    np.testing.assert_allclose(parse_sig_array(sig_array(a)), a, rtol=5e-4)
    assert math.isnan(parse_sig("—")) and parse_sig("-∞") == -math.inf
    for bad in ("1e5", "12,5", "abc", ""):
        with pytest.raises(ValueError, match="a number written by sig"):
            parse_sig(bad)


def test_percent():
    assert percent(0.7812) == "78.1%" and percent(1.0) == "100%" and percent(0.0) == "0%"
    assert percent(math.nan) == "—"
