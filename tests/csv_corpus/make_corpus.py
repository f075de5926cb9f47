"""A corpus of bad or awkward CSV files, generated in memory.

``build_corpus()`` returns ``{case name: file bytes}``; ``EXPECTED`` says whether
:func:`emviz.data.csv.load_csv` should load each case (``"loads"``) or refuse it (``"DataError"``).
Cases that load but must fail later (at ``Table.select`` or ``validate_matrix``) are about
fitting, not loading; ``tests/data/test_csv.py`` checks those too. ``DESCRIPTIONS`` says what each
case is.

The files are never committed. To look at them by hand::

    python tests/csv_corpus/make_corpus.py /tmp/csv_corpus
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

# A small, deterministic, iris-like body reused by several cases.
_HEADER = "sepal_length,sepal_width,petal_length,petal_width,species"
_BODY = [
    "5.1,3.5,1.4,0.2,setosa",
    "4.9,3.0,1.4,0.2,setosa",
    "7.0,3.2,4.7,1.4,versicolor",
    "6.4,3.2,4.5,1.5,versicolor",
    "6.3,3.3,6.0,2.5,virginica",
    "5.8,2.7,5.1,1.9,virginica",
]


def _lines(*lines: str, eol: str = "\n") -> bytes:
    return (eol.join(lines) + eol).encode("utf-8")


def _iris(eol: str = "\n") -> str:
    return eol.join([_HEADER, *_BODY]) + eol


def _many_columns(n_cols: int = 500, n_rows: int = 20) -> bytes:
    header = ",".join(f"f{j}" for j in range(n_cols))
    rows = [
        ",".join(f"{(i * 31 + j * 17) % 97 / 7:.4f}" for j in range(n_cols)) for i in range(n_rows)
    ]
    return _lines(header, *rows)


def _long_lines() -> bytes:
    # 2 000 full-precision values per line (~45 000 characters) plus a 20 000-character text cell.
    n_cols = 2000
    header = ",".join(f"x{j}" for j in range(n_cols)) + ",comment"
    rows = [
        ",".join(repr(0.1 * (i + 1) + j / 3) for j in range(n_cols)) + "," + "lorem" * 4000
        for i in range(5)
    ]
    return _lines(header, *rows)


def _binary_junk() -> bytes:
    # Deterministic pseudo-random bytes (a linear congruential generator), with NULs.
    state, out = 12345, bytearray()
    for _ in range(4096):
        state = (1103515245 * state + 12345) % 2**31
        out.append(state >> 23)
    return bytes(out)


#: name -> (expected at load time, description, builder)
_CASES: dict[str, tuple[str, str, Callable[[], bytes]]] = {
    "empty": ("DataError", "a 0-byte file", lambda: b""),
    "whitespace_only": ("DataError", "only blank lines and spaces", lambda: b"\n  \n\t\n"),
    "header_only": ("DataError", "a header row and no data", lambda: _lines("a,b,c")),
    "one_row": ("loads", "a header and a single data row", lambda: _lines("a,b", "1.5,2.5")),
    "one_column": ("loads", "a single numeric column", lambda: _lines("x", "1.0", "2.5", "4.0")),
    "no_numeric_column": (
        "DataError", "only text columns",
        lambda: _lines("name,city", "Ann,Paris", "Bob,Rome", "Eve,Oslo"),
    ),
    "semicolon_decimal_comma": (
        "loads", "';' delimiter with decimal commas (European Excel)",
        lambda: _lines("Länge;Breite;Art", "5,1;3,5;a", "4,9;3,0;a", "7,0;3,2;b", "6,4;3,25;b"),
    ),
    "tab_delimited": (
        "loads", "tab-separated values",
        lambda: _iris().replace(",", "\t").encode("utf-8"),
    ),
    "utf8_bom": ("loads", "UTF-8 with a byte-order mark",
                 lambda: b"\xef\xbb\xbf" + _iris().encode()),
    "latin1": (
        "loads", "Latin-1 bytes ('Größe' header, 0xF6 and 0xDF)",
        lambda: "Größe,Gewicht\n1.5,60\n1.8,82\n1.7,75\n".encode("latin-1"),
    ),
    "utf16_le_bom": ("loads", "UTF-16 LE with BOM (Excel 'Unicode text')",
                     lambda: _iris().encode("utf-16")),
    "utf16_be_bom": ("loads", "UTF-16 BE with BOM",
                     lambda: b"\xfe\xff" + _iris().encode("utf-16-be")),
    "mixed_column": (
        "loads", "a column of numbers with one text cell",
        lambda: _lines("x,y", "1,2", "3,abc", "5,6", "7,8"),
    ),
    "thousands_separators": (
        "loads", "quoted numbers with ',' thousands separators in a comma file",
        lambda: _lines("price,qty", '"1,234.5",3', '"12,000",4', '"999.25",5'),
    ),
    "quoted_numbers": (
        "loads", "every field quoted, as some exporters write",
        lambda: _lines('"a","b"', '"1.5","2"', '"3.5","4"', '"-0.5","6e1"'),
    ),
    "missing_cells": (
        "loads", "NaN, NA, null and empty cells",
        lambda: _lines("a,b", "1,2", "NaN,3", "4,NA", "5,", "null,7", "8,9"),
    ),
    "infinities": (
        "loads", "inf, -inf and Infinity cells",
        lambda: _lines("a,b", "1,2", "inf,3", "4,-inf", "5,Infinity", "6,7"),
    ),
    "huge_values": (
        "loads", "values around 1e308, whose variance overflows",
        lambda: _lines("a,b", "1e308,1", "-1e308,2", "1.5e308,3"),
    ),
    "constant_column": (
        "loads", "one column is constant (the engine decides)",
        lambda: _lines("a,b", "1,5", "2,5", "3,5", "4,5"),
    ),
    "all_identical": (
        "loads", "every point identical (zero variance everywhere)",
        lambda: _lines("a,b", *["2.5,7"] * 6),
    ),
    "fewer_points_than_k": (
        "loads", "3 rows: too few for K = 5 components",
        lambda: _lines("a,b", "1,2", "3,4", "5,7"),
    ),
    "duplicated_rows": (
        "loads", "repeated rows (kept: they are data)",
        lambda: _lines("a,b", "1,2", "1,2", "1,2", "3,4"),
    ),
    "many_columns_500": ("loads", "500 numeric columns", _many_columns),
    "very_long_lines": ("loads", "lines of ~65 000 characters (2 000 columns + a long text cell)",
                        _long_lines),
    "binary_junk": ("DataError", "random bytes renamed .csv", _binary_junk),
    "xlsx_renamed": (
        "DataError", "an Excel .xlsx (ZIP) workbook renamed .csv",
        lambda: b"PK\x03\x04\x14\x00\x06\x00" + b"[Content_Types].xml" + bytes(64),
    ),
    "excel_trailing_empty_columns": (
        "loads", "Excel's empty trailing columns with blank headers and ',,,' rows",
        lambda: _lines("a,b,,,", "1,2,,,", "3,4,,,", "5,6,,,", ",,,,", ",,,,"),
    ),
    "windows_line_endings": ("loads", "CRLF line endings", lambda: _iris("\r\n").encode()),
    "xss_header": (
        "loads", "an HTML/JS injection attempt as a column name",
        lambda: _lines("<img src=x onerror=alert(1)>,b", "1,2", "3,4", "5,6"),
    ),
    "r_write_csv_index": (
        "loads", "R's write.csv: a blank-named first column holding 1..n",
        lambda: _lines('"","a","b","grp"', '"1",1.5,2,"x"', '"2",2.5,3,"y"', '"3",3.5,5,"x"'),
    ),
    "no_header": ("loads", "numbers from the first line on",
                  lambda: _lines("1.5,2.5", "3.5,4.5", "5.5,7.5")),
    "ragged_rows": (
        "DataError", "a row with more fields than the header (unquoted comma in text)",
        lambda: _lines("a,b,name", "1,2,Smith", "3,4,Jones, Jr.", "5,6,Lee"),
    ),
    "all_missing_rows": (
        "loads", "every row has a NaN in some column (select finds no complete row)",
        lambda: _lines("a,b", "1,NA", "NA,2", ",3"),
    ),
    "duplicate_column_names": (
        "loads", "two columns with the same name",
        lambda: _lines("x,x,y", "1,2,3", "4,5,6", "7,8,10"),
    ),
    "excel_sep_hint": (
        "loads", "Excel's 'sep=;' first line",
        lambda: _lines("sep=;", "a;b", "1,5;2", "2,5;3"),
    ),
}

EXPECTED: dict[str, str] = {name: case[0] for name, case in _CASES.items()}
DESCRIPTIONS: dict[str, str] = {name: case[1] for name, case in _CASES.items()}


def build_corpus() -> dict[str, bytes]:
    """Generate every case.

    Returns
    -------
    dict of str to bytes
        Case name -> file content, in a fixed order; the keys equal those of ``EXPECTED``.
    """
    return {name: build() for name, (_, _, build) in _CASES.items()}


def write_corpus(directory: str | Path) -> list[Path]:
    """Write every case to ``directory/<name>.csv`` (created if needed); return the paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in build_corpus().items():
        path = out / f"{name}.csv"
        path.write_bytes(content)
        paths.append(path)
    return paths


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(f"usage: python {Path(__file__).name} OUTPUT_DIRECTORY", file=sys.stderr)
        return 2
    for path in write_corpus(argv[0]):
        name = path.stem
        print(f"{path}  [{EXPECTED[name]}]  {DESCRIPTIONS[name]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
