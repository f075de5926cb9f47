"""The labelled CSV keeps every original cell exactly as the file wrote it."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from emviz.data.csv import _decode, load_csv
from emviz.data.rawcsv import labelled_text, raw_records
from emviz.errors import DataError, ParameterError
from tests.csv_corpus.make_corpus import EXPECTED, build_corpus
from tests.csv_corpus.real_like import penguins_like

CORPUS = build_corpus()
LOADS = [name for name, expected in EXPECTED.items() if expected == "loads"]


def _cells(text: str, delimiter: str) -> list[list[str]]:
    """Non-blank records as Python's csv module reads them (the reference, not our code),
    without Excel's ``sep=`` line."""
    if text.startswith("sep="):
        text = text.split("\n", 1)[1]
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [r for r in rows if "".join(r).strip()]


def _label(raw: bytes, k: int = 2):
    """The labelled text with made-up responsibilities on the rows a selection keeps."""
    tbl = load_csv(raw)
    try:
        rows = tbl.select(list(tbl.numeric_columns[:2])).rows
    except DataError:  # no complete row, or values too large: every row is skipped
        rows = np.zeros(0, dtype=np.int64)
    resp = np.random.default_rng(0).dirichlet(np.ones(k), size=rows.size)
    records = raw_records(raw)
    return tbl, records, rows, resp, labelled_text(records, tbl, rows, resp)


@pytest.mark.parametrize("name", LOADS)
def test_every_cell_of_every_corpus_file_survives_byte_for_byte(name):
    raw = CORPUS[name]
    tbl, records, rows, resp, out = _label(raw)
    d = records.delimiter
    original = _cells(_decode(raw)[0], d)
    labelled = _cells(out, d)
    assert len(labelled) == len(original)
    width = len(original[0])
    k = resp.shape[1]
    header = 1 if tbl.has_header else 0
    for i, (before, after) in enumerate(zip(original, labelled, strict=True)):
        assert after[: min(len(before), width)] == before[: min(len(before), width)]
        assert len(after) == width + 1 + k, (i, after)  # short rows padded, then the new cells
    data = labelled[header:]
    kept = set(rows.tolist())
    for r, row in enumerate(data):
        new = row[width:]
        if r in kept:
            j = rows.tolist().index(r)
            assert new[0] == str(int(np.argmax(resp[j])) + 1)
            decimal = tbl.decimal if d != "," else "."
            assert [float(x.replace(",", ".")) for x in new[1:]] == resp[j].tolist()
            assert all(("," in x) == (decimal == ",") for x in new[1:] if "." in x or "," in x)
        else:
            assert new == [""] * (k + 1)
    if tbl.has_header:
        assert labelled[0][width:] == ["em_component", "em_resp_1", "em_resp_2"]


def test_cells_are_not_rewritten():
    raw = penguins_like()
    tbl, _, rows, _, out = _label(raw, 3)
    text = raw.decode()
    for before, after in zip(text.splitlines(), out.splitlines(), strict=True):
        assert after.startswith(before + ",")  # "19" stays "19", "NA" stays "NA", 2007 stays
    assert "2007.0" not in out and ",NA," in out
    assert tbl.n_rows - rows.size == 2  # the two NA rows keep their cells, labels empty
    assert out.splitlines()[4].endswith(",NA,2007,,,,")


def test_the_excel_sep_line_quotes_and_line_endings_stay():
    raw = b'sep=;\r\n"a";b;"note"\r\n"1,5";2;"x;y"\r\n2,5;3;"multi\nline"\r\n'
    *_, out = _label(raw)
    lines = out.split("\r\n")
    assert lines[0] == "sep=;"
    assert lines[1].startswith('"a";b;"note";em_component')
    assert lines[2].startswith('"1,5";2;"x;y";')
    assert lines[3].startswith('2,5;3;"multi\nline";')
    assert "," in lines[2].split(";")[-1]  # decimal comma file: responsibilities with ','


def test_a_table_from_another_file_is_refused():
    tbl = load_csv(b"a,b\n1,2\n3,4\n")
    with pytest.raises(ParameterError, match="data rows"):
        labelled_text(raw_records(b"a,b\n1,2\n"), tbl, np.arange(1), np.ones((1, 1)))
