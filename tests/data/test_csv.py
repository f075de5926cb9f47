"""Tests for emviz.data.csv: CSV loading (format detection, column typing), selection, validation.

Every input is built in memory. The bad-CSV corpus in tests/csv_corpus/make_corpus.py is
checked case by case at the end.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emviz.data import csv as emio
from emviz.data.csv import Selection, Table, load_csv, validate_matrix
from emviz.errors import DataError, ParameterError
from tests.csv_corpus import make_corpus as corpus

CORPUS = corpus.build_corpus()


def col(table: Table, name: str) -> list[float]:
    """A numeric column as a plain list (NaN kept), for readable asserts."""
    return table.frame[name].tolist()


def assert_data_error(source, *fragments: str) -> str:
    """Load ``source``, expect a DataError mentioning 'expected' and every fragment."""
    with pytest.raises(DataError) as info:
        load_csv(source)
    message = str(info.value)
    assert "expected" in message.lower(), message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), (fragment, message)
    return message


# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------

SIMPLE = b"a,b\n1,2\n3,4\n"


@pytest.mark.parametrize(
    "make_source",
    [
        pytest.param(lambda tmp: SIMPLE, id="bytes"),
        pytest.param(lambda tmp: bytearray(SIMPLE), id="bytearray"),
        pytest.param(lambda tmp: memoryview(SIMPLE), id="memoryview"),
        pytest.param(lambda tmp: io.BytesIO(SIMPLE), id="BytesIO"),
        pytest.param(lambda tmp: io.StringIO(SIMPLE.decode()), id="StringIO"),
        pytest.param(lambda tmp: _write(tmp, SIMPLE), id="pathlib.Path"),
        pytest.param(lambda tmp: str(_write(tmp, SIMPLE)), id="str path"),
    ],
)
def test_every_source_kind_gives_the_same_table(make_source, tmp_path):
    table = load_csv(make_source(tmp_path))
    assert table.columns == ("a", "b")
    assert col(table, "a") == [1.0, 3.0]
    assert col(table, "b") == [2.0, 4.0]


def _write(directory: Path, content: bytes) -> Path:
    path = directory / "data.csv"
    path.write_bytes(content)
    return path


def test_stream_is_read_from_the_start_even_after_a_previous_read():
    # Streamlit reruns may hand over an UploadedFile that was already read once.
    stream = io.BytesIO(SIMPLE)
    stream.read()
    assert load_csv(stream).n_rows == 2


class _ReadOnlyStream:
    """A minimal file-like object without getvalue(), like an open file."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, size: int = -1) -> bytes:
        return self._data if size < 0 else self._data[:size]


def test_stream_without_getvalue_is_read():
    assert col(load_csv(_ReadOnlyStream(SIMPLE)), "b") == [2.0, 4.0]


def test_text_stream_reports_str_encoding_and_strips_bom():
    table = load_csv(io.StringIO("\ufeffa,b\n1,2\n"))
    assert table.encoding == "str"
    assert table.columns == ("a", "b")


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        pytest.param("a,b\n1,2\n", "io.StringIO", id="csv text passed as str"),
        pytest.param("/no/such/dir/data.csv", "could not read", id="missing path"),
        pytest.param(12345, "cannot load a int", id="wrong type"),
    ],
)
def test_bad_sources_are_data_errors(source, fragment):
    assert_data_error(source, fragment)


def test_directory_path_is_a_data_error(tmp_path):
    assert_data_error(tmp_path, "could not read")


def test_file_larger_than_max_bytes_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(emio, "MAX_BYTES", 10)
    path = _write(tmp_path, b"a,b\n" + b"1,2\n" * 10)
    message = assert_data_error(path, "too large", "MAX_BYTES")
    assert "at most" in message
    assert_data_error(b"a,b\n" + b"1,2\n" * 10, "too large")
    assert_data_error(io.BytesIO(b"a,b\n" + b"1,2\n" * 10), "too large")
    assert load_csv(b"a\n1\n").n_rows == 1  # 6 bytes: fine


def test_max_bytes_default_is_streamlits_upload_cap():
    assert emio.MAX_BYTES == 200 * 1024**2


# ---------------------------------------------------------------------------------------------
# The memory budget: refused before parsing
# ---------------------------------------------------------------------------------------------


def _refuse_parsing(monkeypatch):
    """Make any parse fail loudly: a refusal must come before it."""
    def boom(*args, **kwargs):
        raise AssertionError("parsed a file that should have been refused first")
    for name in ("_fast_table", "_split_rows"):
        monkeypatch.setattr(emio, name, boom)


def test_too_many_columns_is_refused_before_parsing(monkeypatch):
    _refuse_parsing(monkeypatch)
    header = ",".join(f"c{i}" for i in range(emio.MAX_COLUMNS + 1))
    message = assert_data_error(f"{header}\n".encode(), "10,001 columns", "MAX_COLUMNS")
    assert "at most 10,000" in message


def test_a_long_line_further_down_is_refused_with_its_number(monkeypatch):
    _refuse_parsing(monkeypatch)
    long = ",".join(["1"] * (emio.MAX_FIELDS_PER_LINE + 5))
    message = assert_data_error(f"a,b\n1,2\n3,4\n{long}\n".encode(), "line 4",
                                "10,005 fields", "MAX_FIELDS_PER_LINE")
    assert "at most 10,000" in message


def test_one_line_of_millions_of_fields_is_refused_quickly():
    """The file that took minutes and gigabytes: one line of 2.6 million numbers."""
    import time

    raw = (",".join(str(i % 1000) for i in range(2_600_000))).encode()
    start = time.perf_counter()
    assert_data_error(raw, "2,600,000 columns")
    assert time.perf_counter() - start < 10  # well under 1 s on an idle machine


def test_a_header_widened_by_quoted_line_breaks_is_refused(monkeypatch):
    monkeypatch.setattr(emio, "MAX_COLUMNS", 5)
    header = ",".join(f'"c\n{i}"' for i in range(6))  # one record over six lines
    assert_data_error(f"{header}\n1,2,3,4,5,6\n".encode(), "6 columns")


@pytest.mark.parametrize("raw, multiple, path", [
    # tiny fields: about 14 times the size through the C reader
    (b"a,b\n" + b"1,2\n" * 2000, 10, "fast"),
    # a blank line sends it cell by cell: about 100 times the size
    (b"a,b\n" + b"1,2\n" * 1000 + b"\n" + b"1,2\n" * 1000, 30, "slow"),
])
def test_a_parse_over_budget_is_refused_before_it_starts(raw, multiple, path, monkeypatch):
    monkeypatch.setattr(emio, "MEMORY_FLOOR", 0)
    monkeypatch.setattr(emio, "MEMORY_MULTIPLE", multiple)
    monkeypatch.setattr(emio, "_COSTS", {k: c._replace(fixed=0) for k, c in emio._COSTS.items()})
    if path == "slow":  # within budget for the C reader, which then hands it on
        real = emio._fast_table
        monkeypatch.setattr(emio, "_fast_table", lambda *a: real(*a))
        assert real(raw.decode(), ",", "utf-8", [], raw) is None
    else:
        monkeypatch.setattr(emio, "_fast_table",
                            lambda *a: pytest.fail("the C reader ran on a file over budget"))
    monkeypatch.setattr(emio, "_split_rows",
                        lambda *a: pytest.fail("the cell-by-cell parse ran over budget"))
    fragments = ["MB of memory", "MEMORY_MULTIPLE", "fewer rows"]
    if path == "slow":
        fragments.append("field by field")
    message = assert_data_error(raw, *fragments)
    assert ("field by field" in message) == (path == "slow")


def test_the_budget_is_a_multiple_of_the_size_with_a_floor():
    assert emio.memory_budget(1) == emio.MEMORY_FLOOR
    assert emio.memory_budget(200 * 1024**2) == emio.MEMORY_MULTIPLE * 200 * 1024**2


def test_ordinary_files_fit_the_budget_without_a_floor(monkeypatch):
    """Full-precision floats, missing cells, labels and R's quoting all fit in 10x their size
    by the loader's own estimate (benchmarks/bench_server.py measures the real peak)."""
    monkeypatch.setattr(emio, "MEMORY_FLOOR", 0)
    monkeypatch.setattr(emio, "_COSTS", {k: c._replace(fixed=0) for k, c in emio._COSTS.items()})
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 3)).tolist()
    floats = "x,y,z\n" + "".join(f"{a!r},{b!r},{c!r}\n" for a, b, c in X)
    labelled = '"","x","y","species"\n' + "".join(
        f'"{i}",{a:.2f},{"NA" if i % 9 == 0 else f"{b:.2f}"},"versicolor"\n'
        for i, (a, b, _) in enumerate(X))
    for text in (floats, labelled):
        assert load_csv(text.encode()).n_rows == 3000


# ---------------------------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------------------------

GROESSE = "Größe,Gewicht\n1.5,60\n1.8,82\n"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        pytest.param(GROESSE.encode("utf-8"), "utf-8", id="utf-8"),
        pytest.param(GROESSE.encode("utf-8-sig"), "utf-8-sig", id="utf-8 BOM"),
        pytest.param(GROESSE.encode("latin-1"), "cp1252", id="latin-1"),
        pytest.param(GROESSE.encode("cp1252"), "cp1252", id="cp1252"),
        pytest.param(GROESSE.encode("utf-16"), "utf-16", id="utf-16 BOM"),
        pytest.param(b"\xfe\xff" + GROESSE.encode("utf-16-be"), "utf-16", id="utf-16 BE BOM"),
        pytest.param(GROESSE.encode("utf-16-le"), "utf-16-le", id="utf-16 LE no BOM"),
        pytest.param(GROESSE.encode("utf-16-be"), "utf-16-be", id="utf-16 BE no BOM"),
        pytest.param(GROESSE.encode("utf-32"), "utf-32", id="utf-32 BOM"),
    ],
)
def test_encodings_are_detected(raw, encoding):
    table = load_csv(raw)
    assert table.encoding == encoding
    assert table.columns == ("Größe", "Gewicht")
    assert col(table, "Größe") == [1.5, 1.8]
    assert col(table, "Gewicht") == [60.0, 82.0]


def test_latin1_fallback_is_noted_with_advice():
    table = load_csv(GROESSE.encode("latin-1"))
    assert any("not valid UTF-8" in n and "re-save" in n for n in table.notes)


def test_bytes_undefined_in_cp1252_fall_back_to_latin1():
    body = b"x,y\n" + b"1,2\n" * 20 + b"a\x81b,5\n"
    table = load_csv(body)
    assert table.encoding == "latin-1"
    assert table.labels("x")[-1] == "a\x81b"


def test_bom_in_first_header_cell_is_not_part_of_the_name():
    table = load_csv(b"\xef\xbb\xbfid,v\n1,2\n3,4\n")
    assert table.columns == ("id", "v")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        pytest.param(bytes(range(256)) * 4, "NUL", id="all bytes"),
        pytest.param(b"a,b\n1,2\x00\x00\x01\n", "NUL", id="NUL inside text"),
        pytest.param(bytes([1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15] * 50), "non-printable",
                     id="control characters"),
        pytest.param(b"PK\x03\x04" + bytes(100), "xlsx", id="xlsx zip"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".xls", id="old xls"),
        pytest.param(b"%PDF-1.7\n...", "PDF", id="pdf"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(30), "PNG", id="png"),
        pytest.param(b"\xff\xfe" + b"\x00\xd8", "UTF-16", id="broken utf-16"),
    ],
)
def test_binary_input_is_refused(raw, fragment):
    message = assert_data_error(raw, fragment)
    assert "does not look like a text CSV file" in message or "not valid" in message


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(b"\xef\xbb\xbfa,b\n1,\x002\n", id="NUL after a UTF-8 BOM"),
        pytest.param("\ufeffa,b\n1,\x002\n".encode("utf-16"), id="NUL in UTF-16"),
        pytest.param(io.StringIO("a\x01\x02\x03\x04\x05\x06,b\n1,2\n"), id="text stream"),
    ],
)
def test_binary_content_behind_a_bom_or_in_a_text_stream(source):
    assert_data_error(source, "does not look like a text CSV file")


def test_binary_message_says_what_to_do():
    message = assert_data_error(b"PK\x03\x04" + bytes(10), "save as", "csv")
    assert message.startswith("This does not look like a text CSV file")


# ---------------------------------------------------------------------------------------------
# Delimiters, decimal marks, line endings
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "delimiter", "decimal"),
    [
        pytest.param(b"a,b\n1.5,2.25\n3,4\n", ",", ".", id="comma"),
        pytest.param(b"a;b\n1,5;2,25\n3;4\n", ";", ",", id="semicolon + decimal comma"),
        pytest.param(b"a;b\n1.5;2.25\n3;4\n", ";", ".", id="semicolon + decimal point"),
        pytest.param(b"a\tb\n1.5\t2.25\n3\t4\n", "\t", ".", id="tab"),
        pytest.param(b"a\tb\n1,5\t2,25\n3\t4\n", "\t", ",", id="tab + decimal comma"),
        pytest.param(b"a|b\n1.5|2.25\n3|4\n", "|", ".", id="pipe"),
        pytest.param(b"a,b\r\n1.5,2.25\r\n3,4\r\n", ",", ".", id="CRLF"),
        pytest.param(b"a,b\r1.5,2.25\r3,4\r", ",", ".", id="old Mac CR"),
        pytest.param(b"sep=;\na;b\n1,5;2,25\n3;4\n", ";", ",", id="Excel sep= line"),
        pytest.param(b"a,b\n1.5,2.25\n3,4", ",", ".", id="no final newline"),
    ],
)
def test_delimiter_and_decimal_are_detected(raw, delimiter, decimal):
    table = load_csv(raw)
    assert (table.delimiter, table.decimal) == (delimiter, decimal)
    assert table.columns == ("a", "b")
    assert col(table, "a") == [1.5, 3.0]
    assert col(table, "b") == [2.25, 4.0]
    assert any("delimiter" in n for n in table.notes)


def test_headerless_decimal_comma_picks_semicolon_over_comma():
    # "1,5;2,25" splits consistently on both ',' and ';'; only ';' gives numbers.
    table = load_csv(b"1,5;2,25\n3,0;4,5\n")
    assert table.delimiter == ";"
    assert table.frame.to_numpy().tolist() == [[1.5, 2.25], [3.0, 4.5]]


def test_decimal_comma_is_noted_with_an_example():
    table = load_csv(b"x;y\n1,5;2\n2,5;3\n")
    assert "decimal mark: comma (e.g. '1,5' read as 1.5)" in table.notes


def test_single_decimal_comma_column():
    table = load_csv(b"x\n1,5\n2,5\n")
    assert table.columns == ("x",)
    assert col(table, "x") == [1.5, 2.5]


def test_commas_inside_quoted_text_do_not_split():
    table = load_csv(b'name,v\n"Smith, J",1\n"Lee, K",2\n')
    assert table.labels("name").tolist() == ["Smith, J", "Lee, K"]
    assert col(table, "v") == [1.0, 2.0]


def test_quoted_newline_inside_a_field():
    table = load_csv(b'note,v\n"two\nlines",1\nplain,2\n')
    assert table.labels("note").tolist() == ["two\nlines", "plain"]
    assert table.n_rows == 2


# ---------------------------------------------------------------------------------------------
# Numbers: thousands separators, quoting, missing values, infinities
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(b'v,w\n"1,234.5",1\n"12,000",2\n7,3\n', [1234.5, 12000.0, 7.0],
                     id="comma thousands, quoted"),
        pytest.param(b"v;w\n1.234,5;1\n12.000,25;2\n7;3\n", [1234.5, 12000.25, 7.0],
                     id="dot thousands with decimal comma"),
        pytest.param(b'v,w\n"1.5",1\n"-2",2\n"3e2",3\n', [1.5, -2.0, 300.0], id="quoted numbers"),
        pytest.param(b"v,w\n+1.5,1\n.5,2\n5.,3\n", [1.5, 0.5, 5.0], id="signs and bare points"),
        pytest.param(b"v,w\n  1.5 ,1\n\t2 ,2\n3,3\n", [1.5, 2.0, 3.0], id="surrounding spaces"),
        pytest.param(b"v,w\n1E-3,1\n-2.5e+2,2\n0,3\n", [0.001, -250.0, 0.0], id="exponents"),
    ],
)
def test_number_formats(raw, expected):
    table = load_csv(raw)
    assert table.numeric_columns == ("v", "w")
    assert col(table, "v") == expected


def test_thousands_separators_are_noted():
    table = load_csv(b'v,w\n"1,234.5",1\n"2,000",2\n')
    assert any("thousands separators" in n and "'1,234.5'" in n for n in table.notes)


def test_ambiguous_thousands_follow_the_file_convention_and_are_noted():
    # In a ';' file with decimal commas elsewhere, "1,500" is 1.5, not 1500.
    table = load_csv(b"a;b\n1,500;2,5\n2,250;3,5\n")
    assert col(table, "a") == [1.5, 2.25]
    assert any("ambiguous" in n and "'1,500'" in n for n in table.notes)
    # In a comma file a quoted "1,500" is 1500.
    table = load_csv(b'a,b\n"1,500",2.5\n"2,250",3.5\n')
    assert col(table, "a") == [1500.0, 2250.0]


@pytest.mark.parametrize(
    "cell",
    ["1.2.3", "1_000", "12abc", "0x1F", "1,23,4", "--1", "1e", "€5", "5%"],
)
def test_malformed_numbers_make_the_column_text(cell):
    table = load_csv(f'v,w\n1,1\n"{cell}",2\n3,3\n'.encode())
    assert table.text_columns == ("v",)
    assert table.numeric_columns == ("w",)
    assert table.labels("v").tolist() == ["1", cell, "3"]


@pytest.mark.parametrize("token", ["", "NA", "na", "NaN", "nan", "null", "NULL", "None", "N/A",
                                   "#N/A", "  "])
def test_missing_tokens_are_nan(token):
    table = load_csv(f"a,b\n1,2\n{token},4\n5,6\n".encode())
    assert table.numeric_columns == ("a", "b")
    values = col(table, "a")
    assert values[0] == 1.0 and math.isnan(values[1]) and values[2] == 5.0


@pytest.mark.parametrize(
    ("token", "value"),
    [("inf", math.inf), ("-inf", -math.inf), ("+inf", math.inf), ("Inf", math.inf),
     ("Infinity", math.inf), ("-Infinity", -math.inf), ("1e999", math.inf)],
)
def test_infinities_parse(token, value):
    table = load_csv(f"a,b\n1,2\n{token},4\n".encode())
    assert col(table, "a") == [1.0, value]


def test_mixed_column_is_text_and_the_note_says_where():
    table = load_csv(b"x,y\n1,a\n2,2\n3,abc\n4,x\n5,6\n6,7\n")
    assert table.text_columns == ("y",)
    assert table.numeric_columns == ("x",)
    assert "column 'y' has 3 non-numeric cell(s) (first: 'a' on line 2); treated as text" in (
        table.notes)


def test_pure_text_column_gets_no_mixed_note():
    table = load_csv(b"x,species\n1,setosa\n2,virginica\n")
    assert table.text_columns == ("species",)
    assert not any("non-numeric" in n for n in table.notes)


# ---------------------------------------------------------------------------------------------
# Header, index column, empty and duplicated columns
# ---------------------------------------------------------------------------------------------


def test_no_header_names_columns():
    table = load_csv(b"1.5,2.5\n3.5,4.5\n5.5,6.5\n")
    assert table.has_header is False
    assert table.columns == ("column 1", "column 2")
    assert table.n_rows == 3
    assert col(table, "column 1") == [1.5, 3.5, 5.5]
    assert any("no header" in n for n in table.notes)


def test_no_header_with_a_text_label_column():
    table = load_csv(b"5.1,3.5,setosa\n4.9,3.0,setosa\n7.0,3.2,versicolor\n")
    assert table.has_header is False
    assert table.numeric_columns == ("column 1", "column 2")
    assert table.labels("column 3").tolist() == ["setosa", "setosa", "versicolor"]


def test_header_with_numeric_data_and_missing_first_value():
    table = load_csv(b"a,b\n,2\n3,4\n")
    assert table.has_header is True
    assert math.isnan(col(table, "a")[0])


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        pytest.param(b'"","a","b"\n"1",1.5,2\n"2",2.5,3\n"3",3.5,5\n', 1, id="R write.csv"),
        pytest.param(b",a,b\n0,1.5,2\n1,2.5,3\n2,3.5,5\n", 0, id="pandas to_csv"),
    ],
)
def test_row_index_column_is_dropped_and_noted(raw, start):
    table = load_csv(raw)
    assert table.columns == ("a", "b")
    assert col(table, "a") == [1.5, 2.5, 3.5]
    assert any(f"values {start}..{start + 2}" in n and "row index" in n for n in table.notes)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b",a\n1,1.5\n3,2.5\n", id="not consecutive"),
        pytest.param(b"id,a\n1,1.5\n2,2.5\n", id="named"),
        pytest.param(b",a\nx,1.5\ny,2.5\n", id="text row names"),
    ],
)
def test_other_first_columns_are_kept(raw):
    table = load_csv(raw)
    assert len(table.columns) == 2
    assert table.columns[1] == "a"


def test_blank_header_gets_a_name_and_a_note():
    table = load_csv(b"a,,c\n1,2,3\n4,5,6\n")
    assert table.columns == ("a", "column 2", "c")
    assert col(table, "column 2") == [2.0, 5.0]
    assert "column 2 has no name: called it 'column 2'" in table.notes


def test_trailing_empty_columns_and_rows_are_dropped_and_noted():
    table = load_csv(b"a,b,,,\r\n1,2,,,\r\n3,4,,,\r\n,,,,\r\n")
    assert table.columns == ("a", "b")
    assert table.n_rows == 2
    assert any("dropped 3 empty column(s)" in n for n in table.notes)
    assert any("skipped 1 blank row(s)" in n for n in table.notes)


def test_named_empty_column_is_dropped_too():
    table = load_csv(b"a,comment,b\n1,,2\n3,,4\n")
    assert table.columns == ("a", "b")
    assert any("'comment'" in n for n in table.notes)


def test_short_rows_are_padded_with_missing_values():
    table = load_csv(b"a,b,c\n1,2,3\n4,5\n")
    assert math.isnan(col(table, "c")[1])


def test_header_shorter_than_rows_with_trailing_delimiters():
    table = load_csv(b"a,b\n1,2,\n3,4,\n")
    assert table.columns == ("a", "b")
    assert col(table, "b") == [2.0, 4.0]


def test_duplicate_column_names_are_made_unique():
    table = load_csv(b"x,x,x (2),x\n1,2,3,4\n5,6,7,8\n")
    assert table.columns == ("x", "x (3)", "x (2)", "x (4)")
    assert col(table, "x (3)") == [2.0, 6.0]
    assert any("duplicate column name 'x'" in n for n in table.notes)


def test_header_names_are_stripped_and_kept_verbatim():
    table = load_csv(b" <img src=x onerror=alert(1)> , <b>bold</b>\n1,2\n3,4\n")
    assert table.columns == ("<img src=x onerror=alert(1)>", "<b>bold</b>")
    assert col(table, "<img src=x onerror=alert(1)>") == [1.0, 3.0]


# ---------------------------------------------------------------------------------------------
# Sizes and shapes
# ---------------------------------------------------------------------------------------------


def test_one_row_and_one_column():
    table = load_csv(b"a\n2.5\n")
    assert (table.columns, table.n_rows, col(table, "a")) == (("a",), 1, [2.5])


def test_single_numeric_row_without_header_is_data():
    table = load_csv(b"1,2,3\n")
    assert table.has_header is False
    assert table.frame.to_numpy().tolist() == [[1.0, 2.0, 3.0]]


def test_500_columns():
    values = np.arange(3 * 500, dtype=float).reshape(3, 500) / 8
    header = ",".join(f"c{j}" for j in range(500))
    body = "\n".join(",".join(repr(float(v)) for v in row) for row in values)
    table = load_csv(f"{header}\n{body}\n".encode())
    assert len(table.numeric_columns) == 500
    np.testing.assert_array_equal(table.frame.to_numpy(), values)
    sel = table.select(table.numeric_columns)
    assert sel.X.shape == (3, 500)


def test_very_long_lines_and_long_text_cells():
    n_cols = 3000
    header = ",".join(f"x{j}" for j in range(n_cols)) + ",text"
    row = ",".join(f"{j / 7!r}" for j in range(n_cols)) + "," + "z" * 100_000
    table = load_csv(f"{header}\n{row}\n{row}\n".encode())
    assert len(table.numeric_columns) == n_cols
    assert col(table, "x2999") == [2999 / 7, 2999 / 7]
    assert len(table.labels("text")[0]) == 100_000


def test_duplicated_rows_are_kept():
    table = load_csv(b"a,b\n1,2\n1,2\n1,2\n3,4\n")
    assert table.n_rows == 4
    sel = table.select(["a", "b"])
    assert sel.X.tolist() == [[1, 2], [1, 2], [1, 2], [3, 4]]


def test_constant_column_loads_and_selects():
    table = load_csv(b"a,b\n1,5\n2,5\n3,5\n")
    sel = table.select(["a", "b"])
    assert sel.X[:, 1].tolist() == [5.0, 5.0, 5.0]
    assert validate_matrix(sel.X).shape == (3, 2)  # one constant column is the engine's call


# ---------------------------------------------------------------------------------------------
# Loader errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        pytest.param(b"", ("empty", "0 bytes"), id="empty"),
        pytest.param(b"\n\r\n  \n", ("empty",), id="blank lines"),
        pytest.param(b"\xef\xbb\xbf", ("empty",), id="only a BOM"),
        pytest.param(b"a,b,c\n", ("no data rows", "'a', 'b', 'c'"), id="header only"),
        pytest.param(b"a,b,c\n\n\n", ("no data rows",), id="header and blank lines"),
        pytest.param(b"name,city\nAnn,Paris\nBob,Rome\n",
                     ("no numeric column", "'Ann' on line 2"), id="no numeric column"),
        pytest.param(b"a,b\n1,2\n3,4,5\n", ("line 3 has 3 fields", "first line has 2"),
                     id="ragged row"),
        pytest.param(b'a,b\n"1,2\n3,4\n', ("never closed", "line 2"), id="unclosed quote"),
    ],
)
def test_loader_errors(raw, fragments):
    assert_data_error(raw, *fragments)


def test_loader_errors_chain_the_original_exception(tmp_path):
    with pytest.raises(DataError) as info:
        load_csv(tmp_path / "missing.csv")
    assert isinstance(info.value.__cause__, OSError)
    assert isinstance(info.value, ValueError)


def test_field_larger_than_csv_limit_is_a_data_error():
    import csv

    big = "y" * (csv.field_size_limit() + 10)
    assert_data_error(f'a,b\n1,"{big}"\n'.encode(), "line")


# ---------------------------------------------------------------------------------------------
# Table: frame, labels, immutability
# ---------------------------------------------------------------------------------------------

IRIS_LIKE = (
    b"sepal_length,petal_width,species,code\n"
    b"5.1,0.2,setosa,1\n"
    b"4.9,NA,setosa,1\n"
    b"7.0,1.4,versicolor,2\n"
    b",inf,versicolor,2\n"
    b"6.3,2.5,virginica,3\n"
)


def test_table_fields():
    table = load_csv(IRIS_LIKE)
    assert table.columns == ("sepal_length", "petal_width", "species", "code")
    assert table.numeric_columns == ("sepal_length", "petal_width", "code")
    assert table.text_columns == ("species",)
    assert table.n_rows == 5
    assert table.has_header is True
    assert table.notes[0] == "encoding: UTF-8"
    assert isinstance(table.notes, tuple)


def test_detection_notes_come_first():
    table = load_csv(GROESSE.encode("latin-1"))
    assert table.notes[0] == "encoding: Windows-1252"
    assert table.notes[1].startswith("the file is not valid UTF-8 (first bad byte 2)")
    assert table.notes[2] == "delimiter: comma ','"


def test_table_is_frozen_and_frame_is_a_copy():
    table = load_csv(IRIS_LIKE)
    with pytest.raises(AttributeError):
        table.n_rows = 3  # type: ignore[misc]
    frame = table.frame
    assert isinstance(frame, pd.DataFrame)
    frame.loc[0, "sepal_length"] = -1.0
    frame["cluster"] = 0
    assert col(table, "sepal_length")[0] == 5.1
    assert "cluster" not in table.frame.columns


def test_frame_keeps_numbers_and_text():
    frame = load_csv(IRIS_LIKE).frame
    assert frame["sepal_length"].dtype == np.float64
    assert frame["species"].tolist() == ["setosa", "setosa", "versicolor", "versicolor",
                                         "virginica"]
    assert frame["petal_width"].tolist()[3] == math.inf


def test_labels_of_text_and_numeric_columns():
    table = load_csv(IRIS_LIKE)
    species = table.labels("species")
    assert species.dtype == object
    assert species.tolist() == ["setosa", "setosa", "versicolor", "versicolor", "virginica"]
    assert table.labels("code").tolist() == ["1", "1", "2", "2", "3"]
    # Whole numbers lose the ".0" so integer class codes read as "1", "2", ...
    assert table.labels("sepal_length").tolist() == ["5.1", "4.9", "7", "", "6.3"]


def test_labels_of_unknown_column():
    with pytest.raises(DataError, match="Expected one of"):
        load_csv(IRIS_LIKE).labels("nope")


# ---------------------------------------------------------------------------------------------
# Table.select
# ---------------------------------------------------------------------------------------------


def test_select_drops_nan_and_inf_rows_and_counts_them():
    table = load_csv(IRIS_LIKE)
    sel = table.select(["sepal_length", "petal_width"])
    assert isinstance(sel, Selection)
    assert sel.columns == ("sepal_length", "petal_width")
    assert sel.X.dtype == np.float64 and sel.X.flags.c_contiguous
    assert sel.X.tolist() == [[5.1, 0.2], [7.0, 1.4], [6.3, 2.5]]
    assert sel.rows.dtype == np.int64
    assert sel.rows.tolist() == [0, 2, 4]
    assert sel.n_dropped == 2
    assert sel.n_dropped_by_column == {"sepal_length": 1, "petal_width": 2}
    assert sel.n_total == 5
    assert sel.summary() == (
        "kept 3 of 5 rows; dropped 2 with NaN or inf (sepal_length: 1, petal_width: 2)")


def test_select_rows_align_labels():
    table = load_csv(IRIS_LIKE)
    sel = table.select(["petal_width"])
    assert table.labels("species")[sel.rows].tolist() == ["setosa", "versicolor", "virginica"]


def test_select_summary_without_drops():
    sel = load_csv(SIMPLE).select(["b", "a"])
    assert sel.X.tolist() == [[2.0, 1.0], [4.0, 3.0]]
    assert sel.summary() == "kept 2 of 2 rows"
    assert sel.n_dropped_by_column == {"b": 0, "a": 0}


def test_select_returns_a_fresh_array():
    table = load_csv(SIMPLE)
    sel = table.select(["a"])
    sel.X[0, 0] = 99.0
    assert table.select(["a"]).X[0, 0] == 1.0


@pytest.mark.parametrize(
    ("columns", "fragments"),
    [
        pytest.param([], ("no columns selected", "'sepal_length'"), id="empty"),
        pytest.param(["nope"], ("unknown column 'nope'", "'petal_width'"), id="unknown"),
        pytest.param(["species"], ("'species' is text", "label column"), id="text column"),
        pytest.param(["code", "code"], ("more than once",), id="repeated"),
        pytest.param("code", ("single string", "select(['code'])"), id="bare string"),
    ],
)
def test_select_errors(columns, fragments):
    with pytest.raises(DataError) as info:
        load_csv(IRIS_LIKE).select(columns)
    message = str(info.value)
    assert "expected" in message.lower()
    for fragment in fragments:
        assert fragment.lower() in message.lower(), (fragment, message)


def test_select_with_no_complete_row():
    table = load_csv(b"a,b\n1,NA\nNA,2\ninf,3\n")
    with pytest.raises(DataError) as info:
        table.select(["a", "b"])
    message = str(info.value)
    assert "all 3 rows have NaN or inf" in message
    assert "'a': 2, 'b': 1" in message
    assert "Expected at least one row" in message


@pytest.mark.parametrize("scale", ["1e308", "1e200", "-1.5e160"])
def test_select_refuses_values_whose_variance_overflows(scale):
    table = load_csv(f"a,b\n{scale},1\n-{scale.lstrip('-')},2\n0,3\n".encode())
    with pytest.raises(DataError) as info:
        table.select(["a", "b"])
    message = str(info.value)
    assert "'a'" in message and "overflows" in message and "Rescale" in message
    assert "Expected magnitudes" in message
    assert table.select(["b"]).X.shape == (3, 1)


def test_select_accepts_large_but_safe_values():
    table = load_csv(b"a\n1e100\n-2e100\n3e100\n")
    assert np.isfinite(table.select(["a"]).X.var())


# ---------------------------------------------------------------------------------------------
# validate_matrix
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int8, bool])
def test_validate_matrix_converts_to_float64(dtype):
    X = np.array([[1, 0], [0, 1], [1, 1]], dtype=dtype)
    out = validate_matrix(X)
    assert out.dtype == np.float64 and out.flags.c_contiguous
    np.testing.assert_array_equal(out, X.astype(np.float64))


def test_validate_matrix_does_not_copy_good_input_and_fixes_layout():
    X = np.array([[1.0, 2.0], [3.0, 5.0]])
    assert validate_matrix(X) is X
    F = np.asfortranarray(X)
    assert validate_matrix(F).flags.c_contiguous
    assert validate_matrix([[1, 2], [3, 4]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_validate_matrix_accepts_one_row_and_a_constant_column():
    assert validate_matrix(np.array([[1.0, 2.0]])).shape == (1, 2)
    assert validate_matrix(np.array([[1.0, 2.0], [3.0, 2.0]])).shape == (2, 2)


@pytest.mark.parametrize(
    ("X", "fragments"),
    [
        pytest.param(np.arange(5.0), ("2-D", "reshape(-1, 1)", "shape (5,)"), id="1-D"),
        pytest.param(np.float64(3.0), ("2-D", "0-D"), id="scalar"),
        pytest.param(np.zeros((2, 2, 2)), ("2-D", "3-D"), id="3-D"),
        pytest.param(np.zeros((0, 2)), ("at least 1 row", "(0, 2)"), id="no rows"),
        pytest.param(np.zeros((3, 0)), ("at least 1 row and 1 column",), id="no columns"),
        pytest.param(np.array([[1.0, np.nan], [np.inf, 2.0], [3.0, np.nan]]),
                     ("2 NaN and 1 inf", "row 0, column 1"), id="nan and inf"),
        pytest.param(np.full((4, 2), 7.0), ("all 4 points are identical", "zero variance"),
                     id="all identical"),
        pytest.param(np.array([[1e308, 0.0], [-1e308, 1.0]]), ("overflows", "Rescale"),
                     id="huge"),
        pytest.param(np.array([[1 + 2j, 0], [0, 1]]), ("real numbers", "complex"), id="complex"),
        pytest.param(np.array([["a", "b"], ["c", "d"]]), ("real numbers",), id="strings"),
        pytest.param([[1.0, 2.0], [3.0]], ("rectangular",), id="ragged"),
    ],
)
def test_validate_matrix_errors(X, fragments):
    with pytest.raises(DataError) as info:
        validate_matrix(X)
    message = str(info.value)
    assert "expected" in message.lower(), message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), (fragment, message)


def test_validate_matrix_needs_k_points():
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
    with pytest.raises(DataError) as info:
        validate_matrix(X, n_components=5)
    assert str(info.value).startswith(
        "K = 5 components need at least 5 points; got 3.")
    assert "Lower K or add data." in str(info.value)
    assert "Expected" in str(info.value)
    assert validate_matrix(X, n_components=3).shape == (3, 2)
    assert validate_matrix(X, n_components=np.int64(2)).shape == (3, 2)


@pytest.mark.parametrize("k", [0, -1, 2.5, True, "3"])
def test_validate_matrix_rejects_bad_k(k):
    with pytest.raises(ParameterError, match="positive integer"):
        validate_matrix(np.eye(3), n_components=k)


# ---------------------------------------------------------------------------------------------
# The bad-CSV corpus
# ---------------------------------------------------------------------------------------------

# What happens after loading, for the cases that load: the check each one needs.
AFTER_LOAD_ERRORS = {
    "huge_values": ("select", "overflows"),
    "all_missing_rows": ("select", "no rows left"),
    "all_identical": ("validate", "identical"),
    "fewer_points_than_k": ("validate_k5", "K = 5 components need at least 5 points; got 3"),
}


def test_corpus_is_large_and_consistent():
    assert len(CORPUS) >= 25
    assert set(CORPUS) == set(corpus.EXPECTED) == set(corpus.DESCRIPTIONS)
    assert set(corpus.EXPECTED.values()) == {"loads", "DataError"}
    assert set(AFTER_LOAD_ERRORS) <= {k for k, v in corpus.EXPECTED.items() if v == "loads"}


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_case(name):
    raw, expected = CORPUS[name], corpus.EXPECTED[name]
    if expected == "DataError":
        assert_data_error(raw)
        return
    table = load_csv(raw)
    assert table.numeric_columns
    stage, fragment = AFTER_LOAD_ERRORS.get(name, (None, None))
    columns = table.numeric_columns[:2]
    if stage == "select":
        with pytest.raises(DataError, match="(?i)" + fragment):
            table.select(columns)
        return
    sel = table.select(columns)
    assert sel.X.shape == (table.n_rows - sel.n_dropped, len(columns))
    assert np.isfinite(sel.X).all()
    if stage == "validate":
        with pytest.raises(DataError, match="(?i)" + fragment):
            validate_matrix(sel.X)
    elif stage == "validate_k5":
        with pytest.raises(DataError, match=fragment):
            validate_matrix(sel.X, n_components=5)
        assert validate_matrix(sel.X, n_components=3).shape == (3, len(columns))
    else:
        assert validate_matrix(sel.X) is not None


# Exact results for the corpus cases, so the README table stays true.
CORPUS_RESULTS = {
    "one_row": dict(columns=("a", "b"), n_rows=1),
    "one_column": dict(columns=("x",), n_rows=3),
    "semicolon_decimal_comma": dict(columns=("Länge", "Breite", "Art"), delimiter=";",
                                    decimal=",", text_columns=("Art",)),
    "tab_delimited": dict(delimiter="\t", n_rows=6, text_columns=("species",)),
    "utf8_bom": dict(encoding="utf-8-sig", n_rows=6),
    "latin1": dict(columns=("Größe", "Gewicht"), encoding="cp1252"),
    "utf16_le_bom": dict(encoding="utf-16", n_rows=6),
    "utf16_be_bom": dict(encoding="utf-16", n_rows=6),
    "mixed_column": dict(numeric_columns=("x",), text_columns=("y",)),
    "thousands_separators": dict(numeric_columns=("price", "qty")),
    "quoted_numbers": dict(numeric_columns=("a", "b"), n_rows=3),
    "missing_cells": dict(n_rows=6),
    "infinities": dict(n_rows=5),
    "duplicated_rows": dict(n_rows=4),
    "many_columns_500": dict(n_rows=20),
    "very_long_lines": dict(n_rows=5, text_columns=("comment",)),
    "excel_trailing_empty_columns": dict(columns=("a", "b"), n_rows=3),
    "windows_line_endings": dict(n_rows=6, text_columns=("species",)),
    "xss_header": dict(columns=("<img src=x onerror=alert(1)>", "b")),
    "r_write_csv_index": dict(columns=("a", "b", "grp"), text_columns=("grp",)),
    "no_header": dict(columns=("column 1", "column 2"), has_header=False),
    "duplicate_column_names": dict(columns=("x", "x (2)", "y")),
    "excel_sep_hint": dict(columns=("a", "b"), delimiter=";", decimal=","),
}


@pytest.mark.parametrize("name", list(CORPUS_RESULTS))
def test_corpus_case_details(name):
    table = load_csv(CORPUS[name])
    for attribute, value in CORPUS_RESULTS[name].items():
        assert getattr(table, attribute) == value, attribute


def test_corpus_values():
    missing = load_csv(CORPUS["missing_cells"]).select(["a", "b"])
    assert missing.rows.tolist() == [0, 5]
    assert missing.n_dropped_by_column == {"a": 2, "b": 2}
    infs = load_csv(CORPUS["infinities"]).select(["a", "b"])
    assert infs.rows.tolist() == [0, 4] and infs.n_dropped == 3
    thousands = load_csv(CORPUS["thousands_separators"])
    assert col(thousands, "price") == [1234.5, 12000.0, 999.25]
    decimal = load_csv(CORPUS["semicolon_decimal_comma"])
    assert col(decimal, "Breite") == [3.5, 3.0, 3.2, 3.25]
    many = load_csv(CORPUS["many_columns_500"])
    assert len(many.numeric_columns) == 500
    long = load_csv(CORPUS["very_long_lines"])
    assert len(long.numeric_columns) == 2000


def test_corpus_writes_files(tmp_path):
    paths = corpus.write_corpus(tmp_path / "out")
    assert len(paths) == len(CORPUS)
    assert paths[0].read_bytes() == CORPUS[paths[0].stem]
    assert load_csv(tmp_path / "out" / "tab_delimited.csv").delimiter == "\t"
