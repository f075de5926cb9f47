"""Tests for emviz.data._csvshape: the counts the loader checks before it parses anything."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emviz.data._csvshape import shape_of


def naive(text: str, delimiter: str) -> tuple[int, int, int, int, int]:
    """The same counts, line by line in plain Python."""
    lines = re.split(r"\r\n|\n|\r", text)
    if lines and lines[-1] == "":
        lines = lines[:-1]
    counts = [line.count(delimiter) for line in lines]
    widest = max(counts) + 1 if counts else 0
    widest_line = counts.index(widest - 1) + 1 if counts else 0
    first = next((c + 1 for line, c in zip(lines, counts, strict=True)
                  if re.sub(r'[\s"' + re.escape(delimiter) + "]", "", line)), 0)
    return len(lines), text.count(delimiter), widest, widest_line, first


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=list('a,;\n\r" 1é\t'), max_size=60),
       delimiter=st.sampled_from([",", ";", "\t"]), block=st.sampled_from([1, 2, 3, 7, 1 << 20]))
def test_counts_match_a_line_by_line_count(text: str, delimiter: str, block: int) -> None:
    s = shape_of(text, delimiter, block)
    assert (s.n_lines, s.n_delimiters, s.widest, s.widest_line, s.first_fields) == naive(
        text, delimiter)


@pytest.mark.parametrize("text, lines", [("a\r\nb\r\n", 2), ("a\rb", 2), ("a\n\nb\n", 3),
                                         ("", 0), ("a", 1)])
def test_every_kind_of_line_break_counts(text: str, lines: int) -> None:
    assert shape_of(text, ",").n_lines == lines


def test_quotes_do_not_hide_fields() -> None:
    """A stray or crafted quote must not make a long line look short."""
    text = 'a,"b\n' + ",".join("1" * 3 for _ in range(50)) + "\n"
    shape = shape_of(text, ",")
    assert shape.quoted and shape.widest == 50 and shape.widest_line == 2
    assert shape.max_fields == shape.n_delimiters + shape.n_lines == 50 + 2
