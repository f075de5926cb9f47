"""The uploaded file's own text, record by record, so that a labelled copy changes no cell.

:func:`emviz.data.csv.load_csv` turns cells into numbers (``"19"`` → 19.0, ``"NA"`` → NaN); writing
those numbers back would change the file (``19.0``, an empty cell). A labelled copy is built
from the *text* instead: the file is decoded and split into records exactly as the loader
does (same encoding, same delimiter, the same blank rows skipped), and each record keeps its
own characters. :func:`labelled_text` appends the label and responsibility cells to every
data record and leaves everything else (an Excel ``sep=`` line, blank lines, quoting, line
endings) as it was. The result is text: it is written as UTF-8 whatever the file's encoding.

Pure: the standard library, NumPy and :mod:`emviz.data.csv`'s own decoding.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from emviz._messages import error
from emviz.data.csv import Source, Table, _decode, _detect_delimiter, _read_source
from emviz.errors import ParameterError

__all__ = ["RawRecords", "labelled_text", "raw_records"]

#: Names of the appended columns (``em_resp_k`` numbered from 1, like the app's legends).
LABEL_COLUMN = "em_component"
RESP_PREFIX = "em_resp_"


@dataclass(frozen=True)
class RawRecords:
    """A CSV's text split into records (each with the physical lines it spans).

    Attributes
    ----------
    pieces : tuple of str
        The whole text in order: every record's text with its line ending, and the text
        between records (blank lines, a ``sep=`` line). ``"".join(pieces)`` is the text.
    data : tuple of int
        Indices into ``pieces`` of the non-blank records, in file order: the header (if
        the file has one) then one per row of :attr:`emviz.data.csv.Table.frame`.
    cells : tuple of tuple of str
        The parsed cells of each record in ``data``, as the csv module reads them.
    delimiter : str
    """

    pieces: tuple[str, ...]
    data: tuple[int, ...]
    cells: tuple[tuple[str, ...], ...]
    delimiter: str


def _records(text: str, delimiter: str) -> list[tuple[str, list[str] | None]]:
    """(record text, its cells or None if blank) for every record of ``text``."""
    lines = io.StringIO(text, newline="").readlines()
    if '"' not in text:  # no quoting: a record is a line, its cells are split by the delimiter
        out_plain: list[tuple[str, list[str] | None]] = []
        for line in lines:
            cells = line.rstrip("\r\n").split(delimiter)
            blank = not (cells[0].strip() or "".join(cells).strip())
            out_plain.append((line, None if blank else cells))
        return out_plain
    reader = csv.reader(iter(lines), delimiter=delimiter, strict=False)
    out: list[tuple[str, list[str] | None]] = []
    start = 0
    for row in reader:
        end = reader.line_num
        chunk = "".join(lines[start:end])
        start = end
        blank = not ((row and row[0].strip()) or "".join(row).strip())
        out.append((chunk, None if blank else row))
    if start < len(lines):  # trailing text the reader never returned as a record
        out.append(("".join(lines[start:]), None))
    return out


def raw_records(source: Source) -> RawRecords:
    """Split a CSV into records the way :func:`emviz.data.csv.load_csv` does, keeping their text.

    Parameters
    ----------
    source : bytes, stream or path
        The same source given to :func:`~emviz.data.csv.load_csv`.

    Returns
    -------
    RawRecords

    Raises
    ------
    DataError
        For what :func:`~emviz.data.csv.load_csv` refuses at decoding (empty, binary, too large).
    """
    text, _, notes = _decode(_read_source(source))
    delimiter, skip_first, _ = _detect_delimiter(text, notes)
    pieces: list[str] = []
    data: list[int] = []
    cells: list[tuple[str, ...]] = []
    for chunk, row in _records(text, delimiter):
        pieces.append(chunk)
        if row is None:
            continue
        if skip_first:  # Excel's "sep=;" line is text, not a record
            skip_first = False
            continue
        data.append(len(pieces) - 1)
        cells.append(tuple(row))
    return RawRecords(tuple(pieces), tuple(data), tuple(cells), delimiter)


def _number(x: float, decimal: str) -> str:
    text = repr(x)
    return text.replace(".", ",") if decimal == "," else text


def _joined(cells: Sequence[str], delimiter: str) -> str:
    """One record's cells as CSV text, quoted where the csv module would quote them."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(list(cells))
    return buffer.getvalue()


def _free_names(names: Sequence[str], taken: set[str]) -> list[str]:
    out = []
    for name in names:
        while name in taken:
            name += "_"
        taken.add(name)
        out.append(name)
    return out


def labelled_text(records: RawRecords, table: Table, rows: np.ndarray, resp: np.ndarray) -> str:
    """The file's text with a label and one responsibility per component on every data row.

    Parameters
    ----------
    records : RawRecords
        :func:`raw_records` of the file ``table`` was loaded from.
    table : Table
        The loaded table (its header flag, width and decimal mark are used).
    rows : array of shape (n_kept,)
        0-based indices, into ``table.frame``, of the rows EM labelled.
    resp : array of shape (n_kept, n_components)

    Returns
    -------
    str
        Every original cell with its own characters (quotes and line endings too), then
        ``em_component`` (1-based) and ``em_resp_1`` … ``em_resp_K``; rows EM skipped get
        those cells empty. A record shorter than the header is padded with empty cells
        first, so the new columns line up.

    Raises
    ------
    ParameterError
        If ``records`` and ``table`` disagree on the number of rows, or ``rows`` / ``resp``
        do not fit.
    """
    rows = np.asarray(rows, dtype=np.int64)
    resp = np.asarray(resp, dtype=np.float64)
    k = resp.shape[1] if resp.ndim == 2 else 0
    header = 1 if table.has_header else 0
    n = len(records.data) - header
    if n != table.n_rows:
        raise error(ParameterError, "rawcsv.rows_mismatch", n=n, expected=table.n_rows)
    if resp.ndim != 2 or resp.shape[0] != rows.shape[0]:
        raise error(ParameterError, "exports.resp_shape", n=rows.shape[0], shape=resp.shape)
    if rows.size and (rows.min() < 0 or rows.max() >= n):
        raise error(ParameterError, "exports.rows_range", n=n)
    d = records.delimiter
    decimal = table.decimal if d != "," else "."
    width = max((len(c) for c in records.cells[:1]), default=0)
    # The new cells of each data row, joined: numbers and labels never need quoting (a
    # decimal comma is only used when the delimiter is not a comma).
    extra = [d * k] * n
    if rows.size:
        labels = (np.argmax(resp, axis=1) + 1).tolist()
        for r, label, values in zip(rows.tolist(), labels, resp.tolist(), strict=True):
            extra[r] = d.join([str(label), *(_number(p, decimal) for p in values)])
    if header:
        taken = set(records.cells[0])
        names = _free_names([LABEL_COLUMN] + [f"{RESP_PREFIX}{j + 1}" for j in range(k)], taken)
        extra.insert(0, _joined(names, d))
    out = list(records.pieces)
    for index, cells, added in zip(records.data, records.cells, extra, strict=True):
        chunk = out[index]
        body = chunk.rstrip("\r\n")
        eol = chunk[len(body):] or "\n"
        if len(cells) > width:  # trailing blank fields beyond the header: not table cells
            body = _joined(cells[:width], d)
        out[index] = body + d * (1 + max(width - len(cells), 0)) + added + eol
    text = "".join(out)
    return text if text.endswith(("\n", "\r")) else text + "\n"
