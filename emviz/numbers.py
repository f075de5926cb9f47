"""Numbers for people: one significant-digit format for every number the app shows.

``sig(19062.3)`` is ``"19 060"``, ``sig(0.35842)`` is ``"0.3584"``, ``sig(67_674_312.0)`` is
``"6.767×10⁷"`` and ``sig(2.5e-4)`` is ``"0.00025"``. The rules:

* ``digits`` significant digits (4 by default), trailing zeros dropped (``1`` not ``1.000``);
* plain decimals while ``1e-4 <= |x| < 1e6``, otherwise a power of ten written as it is in
  print (``×10⁷``, ``×10⁻⁵``), never ``e+07`` and never an SI prefix (``250μ`` reads as a
  mean μ on a page about Gaussians);
* integer parts of five or more digits grouped in threes by a narrow no-break space
  (``19 060``), the SI/ISO 80000 convention, which reads the same in English, Japanese and
  Russian; a comma would be a decimal separator in Russian and ambiguous inside ``[a, b]``.

:func:`parse_sig` reads such text back (tests and round trips). Pure, no dependencies beyond
NumPy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from emviz._messages import error
from emviz.errors import ParameterError

#: Digits shown by default: enough to tell parameters apart, few enough to read aloud.
DIGITS = 4
#: Plain decimals for ``SMALL <= |x| < LARGE``; a power of ten outside.
SMALL, LARGE = 1e-4, 1e6
#: U+202F NARROW NO-BREAK SPACE, the thousands separator.
GROUP = "\u202f"
TIMES_TEN = "×10"
NOT_A_NUMBER = "—"
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def _group(integer: str) -> str:
    """``"19060"`` -> ``"19 060"``; four digits or fewer stay as they are."""
    if len(integer) <= 4:
        return integer
    head = len(integer) % 3 or 3
    parts = [integer[:head]] + [integer[i:i + 3] for i in range(head, len(integer), 3)]
    return GROUP.join(parts)


def _strip(decimals: str) -> str:
    """Drop trailing zeros after a decimal point (and the point itself if nothing is left)."""
    return decimals.rstrip("0").rstrip(".") if "." in decimals else decimals


def sig(value: Any, digits: int = DIGITS, *, signed: bool = False) -> str:
    """``value`` to ``digits`` significant digits, as a person would write it.

    Parameters
    ----------
    value : float
        Any real number (NumPy scalars included).
    digits : int
        Significant digits, at least 1.
    signed : bool
        Write ``+`` before a positive number (a change: ``+0.0312``).

    Returns
    -------
    str
        ``"0"``, ``"0.3584"``, ``"1798"``, ``"19 060"``, ``"6.767×10⁷"``, ``"-1.2×10⁻⁵"``;
        ``"∞"``/``"-∞"`` for infinities and ``"—"`` for NaN.
    """
    if digits < 1:
        raise error(ParameterError, "numbers.digits", digits=digits)
    x = float(value)
    if math.isnan(x):
        return NOT_A_NUMBER
    if math.isinf(x):
        return ("+∞" if signed else "∞") if x > 0 else "-∞"
    if x == 0.0:
        return "0"
    sign = "-" if x < 0 else "+" if signed else ""
    # Round once, in scientific form: 9.99951 to 4 digits is 10.00, whose exponent is 1.
    mantissa, exponent = f"{abs(x):.{digits - 1}e}".split("e")
    e = int(exponent)
    rounded = float(f"{mantissa}e{e}")
    if SMALL <= rounded < LARGE:
        text = f"{rounded:.{max(0, digits - 1 - e)}f}"
        integer, _, fraction = _strip(text).partition(".")
        return sign + _group(integer) + (f".{fraction}" if fraction else "")
    return f"{sign}{_strip(mantissa)}{TIMES_TEN}{str(e).translate(_SUPERSCRIPT)}"


def sig_array(values: Any, digits: int = DIGITS) -> str:
    """A vector or matrix in brackets: ``[0.3584, 19 060]``, ``[[1, 0.5], [0.5, 2]]``."""
    a = np.asarray(values, dtype=np.float64)
    if a.ndim == 0:
        return sig(a, digits)
    return "[" + ", ".join(sig_array(row, digits) for row in a) + "]"


def sig_join(values: Iterable[Any], digits: int = DIGITS, sep: str = ", ") -> str:
    """Several numbers in a sentence: ``"0.3584, 19 060, 6.767×10⁷"``."""
    return sep.join(sig(v, digits) for v in values)


def percent(fraction: Any, digits: int = 3) -> str:
    """A fraction as a percentage to ``digits`` significant digits: ``0.7812`` -> ``"78.1%"``."""
    x = float(fraction)
    return NOT_A_NUMBER if math.isnan(x) else f"{sig(100.0 * x, digits)}%"


_NUMBER = re.compile(
    r"(?P<sign>-?)(?P<digits>[0-9\u202f]+(?:\.[0-9]+)?)(?:×10(?P<exp>[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))?"
)


def parse_sig(text: str) -> float:
    """The number :func:`sig` wrote (``"19 060"``, ``"6.767×10⁷"``, ``"∞"``, ``"—"``).

    Raises
    ------
    ValueError
        If ``text`` is not one number in that format.
    """
    s = str(text).strip()
    special = {"∞": math.inf, "-∞": -math.inf, NOT_A_NUMBER: math.nan}
    if s in special:
        return special[s]
    m = _NUMBER.fullmatch(s)
    if m is None:
        raise error(ParameterError, "numbers.parse", text=text)
    exponent = int(m["exp"].translate(_FROM_SUPERSCRIPT)) if m["exp"] else 0
    x = float(f"{m['digits'].replace(GROUP, '')}e{exponent}")  # exact to subnormals
    return -x if m["sign"] else x


def parse_sig_array(text: str) -> Any:
    """Nested lists of floats from :func:`sig_array`'s text (tests and round trips)."""
    s = str(text).strip()
    if not (s.startswith("[") and s.endswith("]")):
        return parse_sig(s)
    inner, depth, start, items = s[1:-1], 0, 0, []
    for i, ch in enumerate(inner):
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            items.append(inner[start:i])
            start = i + 1
    if inner.strip():
        items.append(inner[start:])
    return [parse_sig_array(item) for item in items]


__all__ = ["DIGITS", "GROUP", "parse_sig", "parse_sig_array", "percent", "sig", "sig_array",
           "sig_join"]
