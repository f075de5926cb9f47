"""CSV loading and validation: turn whatever a user uploads into a clean numeric matrix.

The loader is deliberately forgiving about *format* (encoding, delimiter, decimal comma,
header or not, R's row-index column, Excel's empty trailing columns, thousands separators)
and strict about *content*: every problem it cannot fix becomes a :class:`~emviz.errors.DataError`
whose message says what was wrong, what was expected, and what to do. Everything it fixes
silently is recorded in :attr:`Table.notes` so the UI can show it.

Pipeline (one small function per step)::

    source --_read_source--> bytes --_decode--> str --_detect_delimiter, _split_rows--> rows
          --_scan_column (per column)--> numeric / text --> Table --select--> Selection (X)

Plain, rectangular files (no quotes, the same field count on every line) skip the row
splitting: pandas' C reader parses their numeric columns (:func:`_fast_table`), and only the
other columns are scanned cell by cell. Both paths give the same table and notes.

This module is pure: it imports only the standard library, NumPy and pandas.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal, NamedTuple, Union

import numpy as np
import pandas as pd

from emviz._messages import Joined, Message, error
from emviz._validation import check_data, check_scale
from emviz.data._csvshape import Shape, shape_of
from emviz.errors import DataError

__all__ = [
    "DELIMITERS",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_FIELDS_PER_LINE",
    "MEMORY_FLOOR",
    "MEMORY_MULTIPLE",
    "MISSING_TOKENS",
    "Selection",
    "Table",
    "load_csv",
    "memory_budget",
    "validate_matrix",
]

Source = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", IO[bytes], IO[str]]

# ---------------------------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------------------------

#: Largest input accepted, in bytes; larger files are refused before they are parsed.
#: Keep it equal to ``server.maxUploadSize = 200`` (MB) in ``.streamlit/config.toml``, so a
#: file the uploader accepts is never refused here. 200 MB is about 3.3 million rows of 3
#: columns: EM on that takes minutes, so more would not be usable in a lesson anyway.
MAX_BYTES: int = 200 * 1024**2

#: Most columns a table may have; a wider file is refused before it is parsed. The data
#: panel lists every column, and a browser cannot show millions of options.
MAX_COLUMNS: int = 10_000

#: Most fields (delimiters + 1, quoted or not) one line may hold; checked before parsing.
MAX_FIELDS_PER_LINE: int = 10_000

#: Reading a file may take at most this many times its size in memory (or
#: :data:`MEMORY_FLOOR`, whichever is more). A file whose parse would need more is refused
#: before it is parsed, with the estimate in the message.
MEMORY_MULTIPLE: int = 10

#: The memory every file may use, however small (bytes).
MEMORY_FLOOR: int = 256 * 1024**2

#: Delimiters the loader detects, in order of preference when the evidence is tied.
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

#: Cell values (compared case-insensitively, after stripping whitespace) that mean "missing".
MISSING_TOKENS: frozenset[str] = frozenset({"", "na", "n/a", "nan", "null", "none", "#n/a"})

_INF_TOKENS: dict[str, float] = {
    "inf": np.inf,
    "+inf": np.inf,
    "-inf": -np.inf,
    "infinity": np.inf,
    "+infinity": np.inf,
    "-infinity": -np.inf,
}

_DELIMITER_NAMES: dict[str, Message] = {
    ",": Message("io.delimiter_comma"),
    ";": Message("io.delimiter_semicolon"),
    "\t": Message("io.delimiter_tab"),
    "|": Message("io.delimiter_pipe"),
}

# Byte-order marks, longest first (the UTF-32 LE BOM starts with the UTF-16 LE one).
_LITTLE, _BIG = Message("io.endian_little"), Message("io.endian_big")
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", Message("io.encoding_bom", codec="UTF-32", endian=_LITTLE)),
    (codecs.BOM_UTF32_BE, "utf-32", Message("io.encoding_bom", codec="UTF-32", endian=_BIG)),
    (codecs.BOM_UTF8, "utf-8-sig", Message("io.encoding_utf8_bom")),
    (codecs.BOM_UTF16_LE, "utf-16", Message("io.encoding_bom", codec="UTF-16", endian=_LITTLE)),
    (codecs.BOM_UTF16_BE, "utf-16", Message("io.encoding_bom", codec="UTF-16", endian=_BIG)),
)

# Signatures of files people upload by mistake instead of a CSV export.
_MAGIC: dict[bytes, Message] = {
    b"PK\x03\x04": Message("io.kind_zip"),
    b"\xd0\xcf\x11\xe0": Message("io.kind_xls"),
    b"%PDF": Message("io.kind_pdf"),
    b"\x89PNG": Message("io.kind_png"),
    b"\xff\xd8\xff": Message("io.kind_jpeg"),
    b"GIF8": Message("io.kind_gif"),
    b"\x1f\x8b": Message("io.kind_gzip"),
    b"BZh": Message("io.kind_bzip2"),
    b"7z\xbc\xaf": Message("io.kind_7z"),
    b"\x7fELF": Message("io.kind_elf"),
    b"MZ": Message("io.kind_exe"),
    b"PAR1": Message("io.kind_parquet"),
}

class _Cost(NamedTuple):
    """Peak memory of one way of parsing: a fixed part plus bytes per unit of a :class:`Shape`."""

    fixed: float
    per_byte: float
    per_field: float
    per_line: float
    per_column: float

    def need(self, shape: Shape, size: int) -> int:
        return int(self.fixed + self.per_byte * size + self.per_field * shape.max_fields
                   + self.per_line * shape.n_lines + self.per_column * shape.widest)


#: Fitted on files of two sizes each (artifacts of benchmarks/bench_server.py's loader
#: part): plain floats, missing cells, labels, unique text ids, R's quoted exports, tiny
#: integer fields, 10,000 columns (C reader); quoted delimiters and short rows (cell by
#: cell). The C reader costs about 20 bytes per field; the cell-by-cell path holds every
#: field as a Python string and every row as a list. Text columns of distinct values (ids)
#: cost the most per byte: they may come out a little above the estimate.
_COSTS: dict[str, _Cost] = {
    "fast": _Cost(fixed=64 * 1024**2, per_byte=4, per_field=20, per_line=0, per_column=2048),
    "slow": _Cost(fixed=64 * 1024**2, per_byte=3, per_field=60, per_line=260, per_column=2048),
}

_SNIFF_CHARS = 65_536  # characters of text used to detect the delimiter and binary content
_SNIFF_ROWS = 100
#: Texts at least this long try the C-reader path first (see :func:`_fast_table`). 0: always.
_FAST_MIN_CHARS = 0
_MAX_CONTROL_FRACTION = 0.05
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")

# Number grammars, keyed by (decimal mark, thousands separator). Missing and inf tokens are
# handled separately. A cell is compatible with a decimal mark if it matches either grammar
# of that mark; plain integers match both marks.
_EXP = r"(?:[eE][+-]?\d+)?"
_NUMBER_RE: dict[tuple[str, str | None], re.Pattern[str]] = {
    (".", None): re.compile(rf"[+-]?(?:\d+(?:\.\d*)?|\.\d+){_EXP}"),
    (",", None): re.compile(rf"[+-]?(?:\d+(?:,\d*)?|,\d+){_EXP}"),
    (".", ","): re.compile(rf"[+-]?\d{{1,3}}(?:,\d{{3}})+(?:\.\d*)?{_EXP}"),
    (",", "."): re.compile(rf"[+-]?\d{{1,3}}(?:\.\d{{3}})+(?:,\d*)?{_EXP}"),
}
_THOUSANDS: dict[str, str] = {".": ",", ",": "."}  # decimal mark -> its thousands separator
_DIGIT_RE = re.compile(r"\d")
_SPECIAL_VALUES: dict[str, float] = {**dict.fromkeys(MISSING_TOKENS, np.nan), **_INF_TOKENS}


# ---------------------------------------------------------------------------------------------
# Public records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Selection:
    """Numeric columns picked from a :class:`Table`, with incomplete rows removed.

    Attributes
    ----------
    X : ndarray of shape (n_kept, n_columns), float64
        The data, C-contiguous and finite. A fresh array owned by this record.
    rows : ndarray of shape (n_kept,), int64
        0-based indices, into the rows of :attr:`Table.frame`, of the rows kept in ``X``.
    n_dropped : int
        Number of rows removed because at least one selected column is NaN or +-inf there.
    columns : tuple of str
        The selected column names, in the order of the columns of ``X``.
    n_dropped_by_column : dict of str to int
        For every selected column, how many rows are NaN or +-inf in that column. A row that
        is missing in two columns counts in both, so the values may sum to more than
        ``n_dropped``.
    """

    X: np.ndarray
    rows: np.ndarray
    n_dropped: int
    columns: tuple[str, ...]
    n_dropped_by_column: dict[str, int]

    @property
    def n_total(self) -> int:
        """Number of rows before dropping (kept + dropped)."""
        return int(self.rows.shape[0]) + self.n_dropped

    def summary(self) -> Message:
        """One line for the UI, e.g. ``"kept 148 of 150 rows; dropped 2 with NaN or inf
        (petal_width: 2)"`` (a translatable :class:`~emviz._messages.Message`)."""
        kept, total = int(self.rows.shape[0]), self.n_total
        if not self.n_dropped:
            return Message("note.rows_kept", kept=kept, total=total)
        detail = ", ".join(f"{c}: {n}" for c, n in self.n_dropped_by_column.items() if n)
        return Message("note.rows_dropped", kept=kept, total=total, n_dropped=self.n_dropped,
                       detail=detail)


@dataclass(frozen=True, eq=False)
class Table:
    """A loaded CSV: column roles, detection results and the parsed data.

    Build one with :func:`load_csv`; do not construct it directly. Tables compare by
    identity (comparing the data cell by cell is rarely what a caller means).

    Attributes
    ----------
    columns : tuple of str
        Every kept column, in file order (unique, stripped names).
    numeric_columns : tuple of str
        Columns whose every non-missing cell is a number (candidate features).
    text_columns : tuple of str
        All other columns (candidate label columns).
    n_rows : int
        Number of data rows (the header and blank rows excluded).
    notes : tuple of str
        Human-readable record of what the loader detected and changed.
    delimiter : str
        The field delimiter used, one of :data:`DELIMITERS`.
    decimal : str
        The file's decimal mark, ``"."`` or ``","``.
    encoding : str
        Python codec name used to decode the bytes (``"str"`` for text streams).
    has_header : bool
        Whether the first row held column names.
    """

    columns: tuple[str, ...]
    numeric_columns: tuple[str, ...]
    text_columns: tuple[str, ...]
    n_rows: int
    notes: tuple[str, ...]
    delimiter: str
    decimal: str
    encoding: str
    has_header: bool
    _frame: pd.DataFrame = field(repr=False, compare=False)

    @property
    def frame(self) -> pd.DataFrame:
        """A copy of the data: float64 for numeric columns, strings for text columns.

        Returns
        -------
        DataFrame of shape (n_rows, len(columns))
            Safe to modify; the table keeps its own copy.
        """
        return self._frame.copy()

    def select(self, columns: Sequence[str]) -> Selection:
        """Pick numeric columns and drop the rows where any of them is NaN or +-inf.

        Parameters
        ----------
        columns : sequence of str
            Names from :attr:`numeric_columns`, each at most once.

        Returns
        -------
        Selection
            ``X`` of shape (n_kept, len(columns)), float64, plus the kept row indices.

        Raises
        ------
        DataError
            If the selection is empty, names an unknown or text column, leaves no complete
            row, or holds values so large that their variance overflows float64.
        """
        names = self._check_selection(columns)
        X = self._frame[list(names)].to_numpy(dtype=np.float64, copy=True)
        finite = np.isfinite(X)
        keep = finite.all(axis=1)
        by_column = {c: int(n) for c, n in zip(names, (~finite).sum(axis=0), strict=True)}
        n_dropped = int(X.shape[0] - keep.sum())
        if not keep.any():
            detail = ", ".join(f"'{c}': {n}" for c, n in by_column.items())
            raise error(DataError, "io.no_rows_left", n_rows=X.shape[0], detail=detail)
        X = np.ascontiguousarray(X[keep])
        check_scale(X, names)
        rows = np.flatnonzero(keep).astype(np.int64)
        return Selection(X=X, rows=rows, n_dropped=n_dropped, columns=names,
                         n_dropped_by_column=by_column)

    def labels(self, column: str) -> np.ndarray:
        """The values of one column as strings, e.g. known class labels.

        Parameters
        ----------
        column : str
            Any name from :attr:`columns` (text or numeric).

        Returns
        -------
        ndarray of shape (n_rows,), dtype object
            Python ``str`` values, one per row of :attr:`frame`; index it with
            ``Selection.rows`` to align it with ``Selection.X``. Text cells are returned as
            written (stripped); numbers are formatted without a trailing ``.0``; missing
            numbers become ``""``.

        Raises
        ------
        DataError
            If the column does not exist.
        """
        if column not in self._frame.columns:
            raise error(DataError, "io.unknown_label_column", column=column,
                        columns=_preview(self.columns))
        values = self._frame[column]
        if column in self.numeric_columns:
            return np.array([_format_number(v) for v in values.to_numpy()], dtype=object)
        return np.array([str(v) for v in values.to_numpy(dtype=object)], dtype=object)

    def _check_selection(self, columns: Sequence[str]) -> tuple[str, ...]:
        if isinstance(columns, str):
            raise error(DataError, "io.single_string_selection", column=columns)
        names = tuple(columns)
        if not names:
            raise error(DataError, "io.no_columns_selected",
                        columns=_preview(self.numeric_columns))
        repeated = [c for c, n in Counter(names).items() if n > 1]
        if repeated:
            raise error(DataError, "io.repeated_column", column=repeated[0])
        for name in names:
            if name in self.text_columns:
                raise error(DataError, "io.text_column_selected", column=name,
                            columns=_preview(self.numeric_columns))
            if name not in self.numeric_columns:
                raise error(DataError, "io.unknown_column", column=name,
                            columns=_preview(self.numeric_columns))
        return names


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def load_csv(source: Source) -> Table:
    """Load a CSV file, detecting its encoding, delimiter, decimal mark and header.

    Parameters
    ----------
    source : bytes, binary or text stream, str or os.PathLike
        The file content (``bytes``), a file-like object (e.g. Streamlit's ``UploadedFile``
        or ``io.StringIO``; its ``getvalue()`` is used when it has one, so the stream
        position does not matter), or a path. A ``str`` is always a path: wrap CSV text in
        ``io.StringIO`` to load it.

    Returns
    -------
    Table
        Column roles, detection results, :attr:`Table.notes` and the parsed data.

    Raises
    ------
    DataError
        If the source cannot be read, is larger than :data:`MAX_BYTES`, is empty, is not
        text, has only a header row, has rows with extra fields, or has no numeric column;
        and, before anything is parsed, if it has more than :data:`MAX_COLUMNS` columns or
        :data:`MAX_FIELDS_PER_LINE` fields on a line, or if parsing it would take more memory
        than :data:`MEMORY_MULTIPLE` times its size (at least :data:`MEMORY_FLOOR`).

    Notes
    -----
    Encodings: UTF-8 (with or without BOM), UTF-16/32 with BOM, UTF-16 without BOM when its
    NUL pattern is unmistakable, and otherwise Windows-1252 (falling back to Latin-1).
    Delimiters: see :data:`DELIMITERS`; an Excel ``sep=;`` first line is honoured.
    Missing cells: see :data:`MISSING_TOKENS`. ``inf``, ``-inf`` and ``Infinity`` parse
    as +-inf. A column mixing numbers and text is text, and a note says so.
    """
    raw = _read_source(source)
    text, encoding, notes = _decode(raw)
    delimiter, skip_first, notes = _detect_delimiter(text, notes)
    shape = shape_of(text, delimiter)
    _check_shape(shape)
    if not skip_first and len(text) >= _FAST_MIN_CHARS:
        _check_memory(shape, len(raw), "fast")
        table = _fast_table(text, delimiter, encoding, list(notes), raw)
        if table is not None:
            return table
    _check_memory(shape, len(raw), "slow")
    rows, lines, notes = _split_rows(text, delimiter, skip_first, notes)
    body = _scan_all(rows[1:])
    return _build_table(rows[0], body, lambda: _scan_all(rows), lines, delimiter, encoding,
                        notes)


def validate_matrix(X: object, n_components: int | None = None) -> np.ndarray:
    """Check an array passed directly to the engine and return it as float64.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Real numbers. Any real dtype is accepted and converted to float64 (the engine works
        in float64 only; float32 input is up-cast, never the other way round).
    n_components : int, optional
        If given, the number of mixture components K; then at least K rows are required.

    Returns
    -------
    ndarray of shape (n_samples, n_features), float64, C-contiguous
        ``X`` itself when it already is float64 and C-contiguous (no copy), else a copy.

    Raises
    ------
    DataError
        If ``X`` is not a 2-D real array, has no rows or columns, holds NaN or inf, has fewer
        rows than ``n_components``, has every point identical, or has values whose variance
        overflows float64.
    ParameterError
        If ``n_components`` is not a positive integer.
    """
    A = check_data(X, n_components=n_components)
    n = A.shape[0]
    if n > 1 and not np.any(A.max(axis=0) > A.min(axis=0)):
        raise error(DataError, "em.all_identical", n=n, point=_preview([float(v) for v in A[0]]))
    return A


# ---------------------------------------------------------------------------------------------
# Reading and decoding
# ---------------------------------------------------------------------------------------------


def _too_large(size: int) -> DataError:
    return error(DataError, "io.too_large", size_mb=size / 1024**2, max_mb=MAX_BYTES / 1024**2)


def _read_path(source: str | os.PathLike[str]) -> bytes:
    path = os.fspath(source)
    if isinstance(path, str) and ("\n" in path or len(path) > 4096):
        raise error(DataError, "io.csv_text_as_path")
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            raise _too_large(size)
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise error(DataError, "io.unreadable_file", path=path,
                    reason=str(exc.strerror or exc)) from exc


def _read_stream(source: IO[bytes] | IO[str]) -> bytes | str:
    # getvalue() returns the whole buffer whatever the position (an UploadedFile may have
    # been read already on a previous Streamlit run); plain files are read from where they are.
    getvalue: Callable[[], bytes | str] | None = getattr(source, "getvalue", None)
    try:
        if callable(getvalue):
            data = getvalue()
        else:
            data = source.read(MAX_BYTES + 1)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise error(DataError, "io.unreadable_stream", reason=str(exc)) from exc
    if not isinstance(data, (bytes, bytearray, str)):
        raise error(DataError, "io.stream_type", type=type(data).__name__)
    return data


def _read_source(source: Source) -> bytes | str:
    """Get the raw content of any supported source, enforcing :data:`MAX_BYTES`."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data: bytes | str = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        data = _read_path(source)
    elif hasattr(source, "read") or hasattr(source, "getvalue"):
        data = _read_stream(source)
    else:
        raise error(DataError, "io.source_type", type=type(source).__name__)
    if len(data) > MAX_BYTES:  # characters for text streams: close enough for a guard
        raise _too_large(len(data))
    return data if isinstance(data, str) else bytes(data)


def _check_shape(shape: Shape) -> None:
    """Refuse, before parsing, a header or a line with more fields than a table can use."""
    if shape.first_fields > MAX_COLUMNS:
        raise error(DataError, "io.too_many_columns", n_columns=shape.first_fields,
                    max_columns=MAX_COLUMNS)
    if shape.widest > MAX_FIELDS_PER_LINE:
        raise error(DataError, "io.too_many_fields", line=shape.widest_line,
                    n_fields=shape.widest, max_fields=MAX_FIELDS_PER_LINE)


def memory_budget(size: int) -> int:
    """Bytes of memory reading a file of ``size`` bytes may take (see :data:`MEMORY_MULTIPLE`)."""
    return max(MEMORY_MULTIPLE * size, MEMORY_FLOOR)


def _check_memory(shape: Shape, size: int, path: str) -> None:
    """Refuse, before parsing, a file whose parse along ``path`` would exceed its budget."""
    need, budget = _COSTS[path].need(shape, size), memory_budget(size)
    if need > budget:
        code = "io.too_much_memory" if path == "fast" else "io.too_much_memory_slow"
        raise error(DataError, code, need_mb=need / 1024**2, n_fields=shape.max_fields,
                    size_mb=size / 1024**2, budget_mb=budget / 1024**2,
                    multiple=MEMORY_MULTIPLE)


def _empty_error(detail: Message) -> DataError:
    return error(DataError, "io.empty_file", detail=detail)


def _not_text_error(detail: Message) -> DataError:
    return error(DataError, "io.not_text", detail=detail)


def _decode_with_bom(raw: bytes) -> tuple[str, str, str] | None:
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            return _strict_decode(raw, codec, label).lstrip("\ufeff"), codec, label
    return None


def _strict_decode(raw: bytes, codec: str, label: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise error(DataError, "io.bad_encoding", label=label, reason=exc.reason,
                    byte=exc.start) from exc


def _guess_utf16(raw: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII text then has a NUL in every other byte."""
    sample = raw[: 2 * _SNIFF_CHARS]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) // 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) // 2)
    guesses = {"utf-16-le": odd_nuls > 0.9 and even_nuls < 0.1,
               "utf-16-be": even_nuls > 0.9 and odd_nuls < 0.1}
    return next((codec for codec, hit in guesses.items() if hit), None)


def _decode_bytes(raw: bytes, notes: list[str]) -> tuple[str, str, str]:
    """(text, codec, human label): BOM first, then BOM-less UTF-16, UTF-8, Windows-1252."""
    if not raw:
        raise _empty_error(Message("io.empty_zero_bytes"))
    kind = next((what for magic, what in _MAGIC.items() if raw.startswith(magic)), None)
    if kind is not None:
        raise _not_text_error(Message("io.not_text_magic", kind=kind))
    decoded = _decode_with_bom(raw)
    if decoded is not None:
        return decoded
    if b"\x00" in raw:
        codec = _guess_utf16(raw)
        if codec is None:
            raise _not_text_error(Message("io.not_text_nul_bytes"))
        label = Message("io.encoding_no_bom", codec="UTF-16",
                        endian=_LITTLE if codec.endswith("le") else _BIG)
        return _strict_decode(raw, codec, label), codec, label
    return _decode_8bit(raw, notes)


def _decode(raw: bytes | str) -> tuple[str, str, list[str]]:
    """Decode to text and refuse empty or binary content. Returns (text, codec, notes)."""
    notes: list[str] = []
    label: str
    if isinstance(raw, str):
        text, encoding, label = raw.lstrip("\ufeff"), "str", Message("io.encoding_text")
    else:
        text, encoding, label = _decode_bytes(raw, notes)
    if "\x00" in text:
        raise _not_text_error(Message("io.not_text_nul_chars"))
    sample = text[:_SNIFF_CHARS]
    if len(_CONTROL_RE.findall(sample)) > _MAX_CONTROL_FRACTION * len(sample):
        raise _not_text_error(Message("io.not_text_control"))
    if not text or text.isspace():
        raise _empty_error(Message("io.empty_whitespace", n=len(text)))
    notes.insert(0, Message("note.encoding", label=label))
    return text, encoding, notes


def _decode_8bit(raw: bytes, notes: list[str]) -> tuple[str, str, str]:
    try:
        return raw.decode("utf-8"), "utf-8", "UTF-8"
    except UnicodeDecodeError as exc:
        where = exc.start
    for codec, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1 (ISO-8859-1)")):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        notes.append(Message("note.not_utf8", byte=where, label=label))
        return text, codec, label
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


# ---------------------------------------------------------------------------------------------
# Delimiter detection and row splitting
# ---------------------------------------------------------------------------------------------


def _sample_rows(text: str, delimiter: str) -> list[list[str]]:
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if "".join(row).strip():
                rows.append(row)
            if len(rows) >= _SNIFF_ROWS:
                break
    except csv.Error:
        pass  # the full parse reports it with context
    return rows


def _numeric_fraction(rows: list[list[str]]) -> float:
    cells = [c.strip() for row in rows[1:] for c in row]
    cells = [c for c in cells if c.lower() not in MISSING_TOKENS]
    if not cells:
        return 0.0
    return sum(_looks_numeric(c) for c in cells) / len(cells)


def _field_span(row: Sequence[str]) -> tuple[int, int]:
    """(fields without the trailing blank ones, all fields): the widths this row can take."""
    n = len(row)
    while n > 1 and not row[n - 1].strip():
        n -= 1
    return n, len(row)


def _delimiter_score(rows: list[list[str]]) -> tuple[bool, float, float, int]:
    """Score of one candidate: (plausible?, consistency, numeric cells, fields per row).

    The width is the field count most rows can take (trailing blank fields may be dropped or
    padded); consistency is the fraction of rows that can take it. Plausible means several
    fields, and either nearly every row fits or the first row does, so that one ragged line
    is reported as such rather than mis-split.
    """
    if not rows:
        return (False, 0.0, 0.0, 0)
    spans = np.array([_field_span(r) for r in rows])
    cover = np.zeros(spans[:, 1].max() + 2, dtype=np.int64)
    np.add.at(cover, spans[:, 0], 1)
    np.add.at(cover, spans[:, 1] + 1, -1)
    cover = np.cumsum(cover)
    width = int(cover.size - 1 - np.argmax(cover[::-1]))  # the widest of the best
    consistency = float(cover[width]) / len(rows)
    first_fits = bool(spans[0, 0] <= width <= spans[0, 1])
    plausible = width > 1 and consistency >= 0.5 and (consistency >= 0.9 or first_fits)
    return (plausible, consistency, _numeric_fraction(rows), width)


def _detect_delimiter(text: str, notes: list[str]) -> tuple[str, bool, list[str]]:
    """Pick the delimiter giving the most consistent field counts over the first rows.

    Ties (``1,5;2,25`` is consistent both ways) go to the split whose cells look like
    numbers, then to the order of :data:`DELIMITERS`.
    """
    head = text[:_SNIFF_CHARS]
    start = len(head) - len(head.lstrip())
    end = text.find("\n", start)
    # At most 64 characters: a hint is short, and the first line may be the whole file.
    first = text[start:min(len(text) if end < 0 else end, start + 64)]
    hint = re.fullmatch(r'"?sep=(.)"?\s*', first)
    if hint and hint.group(1) in DELIMITERS:
        delimiter = hint.group(1)
        notes.append(Message("note.delimiter_sep", delimiter=_DELIMITER_NAMES[delimiter]))
        return delimiter, True, notes
    scores = {d: _delimiter_score(_sample_rows(text, d)) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (scores[d], -DELIMITERS.index(d)))
    if not scores[best][0]:
        # One column (or hopelessly ragged): use a delimiter that never splits a line.
        single = [d for d in DELIMITERS if scores[d][3] == 1 and scores[d][1] == 1.0]
        best = single[0] if single else best
    notes.append(Message("note.delimiter", delimiter=_DELIMITER_NAMES[best]))
    return best, False, notes


def _parse_rows(text: str, delimiter: str, strict: bool, skip_first: bool,
                ) -> tuple[list[list[str]], list[int], int]:
    """Non-blank rows, the line each starts on, and the number of blank rows after the first."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
    rows: list[list[str]] = []
    lines: list[int] = []
    n_blank = 0
    start = 1
    for row in reader:
        if (row and row[0].strip()) or "".join(row).strip():  # cheap test first
            if skip_first:
                skip_first = False
            else:
                rows.append(row)
                lines.append(start)
        elif rows:
            n_blank += 1
        start = reader.line_num + 1
    return rows, lines, n_blank


def _parse_error(exc: csv.Error, text: str, delimiter: str) -> DataError:
    """Explain a csv error, locating the row it happened in by where that row starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    start = line = 1
    try:
        for _ in reader:
            line, start = start, reader.line_num + 1
    except csv.Error:
        line = start
    if "unexpected end of data" in str(exc):
        return error(DataError, "io.unclosed_quote", line=line)
    return error(DataError, "io.parse_error", line=line, reason=str(exc),
                 limit=csv.field_size_limit())


def _split_rows(text: str, delimiter: str, skip_first: bool, notes: list[str],
                ) -> tuple[list[list[str]], list[int], list[str]]:
    """Parse all rows; skip blank ones; pad short rows; refuse rows with extra content.

    The strict parse catches unclosed quotes; if it fails on anything else (``"a"b`` style
    quoting), a lenient parse is used, as spreadsheets do.
    """
    try:
        try:
            rows, lines, n_blank = _parse_rows(text, delimiter, True, skip_first)
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise
            rows, lines, n_blank = _parse_rows(text, delimiter, False, skip_first)
    except csv.Error as exc:
        raise _parse_error(exc, text, delimiter) from exc
    if not rows:
        raise _empty_error(Message("io.empty_no_rows"))
    if n_blank:  # typically Excel debris (",,,") below the data
        notes.append(Message("note.blank_rows", n=n_blank))
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) == width:
            continue
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        elif "".join(row[width:]).strip():
            raise error(DataError, "io.ragged_line", line=lines[i], n_fields=len(row),
                        width=width, delimiter=_DELIMITER_NAMES[delimiter])
        else:
            del row[width:]
    return rows, lines, notes



# ---------------------------------------------------------------------------------------------
# Fast path: pandas' C reader for plain, rectangular files
# ---------------------------------------------------------------------------------------------
#
# The pipeline above holds every cell as a Python string: about 40 s for a 60 MB file, and
# well over 100 bytes of memory per cell. Most big files are plain: no blank lines, the same
# number of fields on every line, numeric columns written as ASCII numbers (missing cells
# spelled as one of MISSING_TOKENS), quotes, if any, only around whole fields that hold no
# delimiter or line break (R's write.csv). For those, pandas' C reader parses the numeric
# columns (correctly rounded, as float() does) and NumPy finds, from the raw bytes, what the
# notes need (which columns hold a '.', the first such cell). Only the columns the C reader
# did not read as clean numbers go through :func:`_scan_column`, cell by cell, so every note
# and every value is the same as on the slow path. Anything unusual returns None, and the
# caller uses the slow path.
#
# Byte positions are int32 (files are at most MAX_BYTES) and are found block by block, so no
# array here costs more than 4 bytes per delimiter, line or '.'.

_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[np.frombuffer(b"0123456789", dtype=np.uint8)] = True
_SPACE_BYTES = np.frombuffer(b" \t\x0b\x0c", dtype=np.uint8)  # what strtod skips in a field
_QUOTE, _LF, _CR = 34, 10, 13
_BLOCK_BYTES = 1 << 22
_BLOCK_LINES = 1 << 20
_SAMPLE_ROWS = 1024  # rows the C reader types columns on before the full read


def _spellings(token: str) -> list[str]:
    """Every upper/lower-case spelling of ``token`` (MISSING_TOKENS compare without case)."""
    out = [""]
    for ch in token:
        out = [s + c for s in out for c in dict.fromkeys((ch.lower(), ch.upper()))]
    return out


#: What the C reader turns into NaN: every spelling of every missing token, nothing else.
_NA_SPELLINGS: list[str] = sorted({s for tok in MISSING_TOKENS for s in _spellings(tok)})


def _positions(b: np.ndarray, byte: int) -> np.ndarray:
    """Sorted int32 positions of ``byte`` in ``b``, found block by block."""
    parts = [np.flatnonzero(b[at:at + _BLOCK_BYTES] == byte).astype(np.int32) + np.int32(at)
             for at in range(0, b.size, _BLOCK_BYTES)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)


def _fast_header(text: str, delimiter: str) -> tuple[list[str], int] | None:
    """The first line's fields and where the body starts, or None if the line is unusual."""
    end = text.find("\n")
    if end < 0:
        return None
    line = text[:end].removesuffix("\r")
    if not line.replace(delimiter, "").strip() or line.count('"') % 2:
        return None  # blank, or a quoted field spanning lines
    try:
        fields = next(csv.reader([line], delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return fields, end + 1


def _plain_quoting(quotes: np.ndarray, b: np.ndarray, sep: int,
                   splits: Sequence[np.ndarray]) -> bool:
    """Whether every quote belongs to a quoted whole field holding no delimiter or line break.

    Under that rule (RFC 4180, plus nothing that splits inside the quotes) the byte positions
    of delimiters and line breaks still say where each field is, and the csv module and the
    C reader read every field the same way. ``splits`` are the sorted positions of the
    delimiters, the line ends and the carriage returns.
    """
    if quotes.size % 2:
        return False
    opening, closing = quotes[0::2], quotes[1::2]
    before = b[np.maximum(opening - 1, 0)]
    escaped = np.zeros(opening.shape, dtype=bool)  # the second quote of a doubled "" pair
    escaped[1:] = opening[1:] - 1 == closing[:-1]
    starts = (opening == 0) | np.isin(before, (sep, _LF, _CR)) | escaped
    after = b[np.minimum(closing + 1, b.size - 1)]
    stops = (closing == b.size - 1) | np.isin(after, (sep, _LF, _CR, _QUOTE))
    if not (starts.all() and stops.all()):
        return False
    return all(np.array_equal(np.searchsorted(pos, opening), np.searchsorted(pos, closing))
               for pos in splits)


def _has_blank_line(b: np.ndarray, ends: np.ndarray, sep: int) -> bool:
    """Whether some line holds nothing but whitespace, delimiters and quotes."""
    blank = np.zeros(256, dtype=bool)
    blank[[9, 10, 11, 12, 13, 32, _QUOTE, sep]] = True
    before = 0  # content bytes before the block
    last = 0  # content bytes up to the end of the last line seen
    for at in range(0, b.size, _BLOCK_BYTES):
        counts = np.cumsum(~blank[b[at:at + _BLOCK_BYTES]], dtype=np.int64)
        lo, hi = np.searchsorted(ends, np.array((at, at + _BLOCK_BYTES), dtype=ends.dtype))
        if hi > lo:
            totals = before + counts[np.minimum(ends[lo:hi] - at, counts.size - 1)]
            if np.any(np.diff(totals, prepend=last) == 0):
                return True
            last = int(totals[-1])
        before += int(counts[-1])
    return False


def _every_line_has(delims: np.ndarray, ends: np.ndarray, n: int) -> bool:
    """Whether every line holds exactly ``n`` delimiters (counted a block of lines at a time)."""
    before = 0
    for at in range(0, ends.size, _BLOCK_LINES):
        upto = np.searchsorted(delims, ends[at:at + _BLOCK_LINES])
        if not np.all(np.diff(upto, prepend=before) == n):
            return False
        before = int(upto[-1])
    return True


def _longest_field(ends: np.ndarray, delims: np.ndarray, width: int) -> int:
    """Bytes in the longest field (quotes included) of lines with ``width - 1`` delimiters."""
    longest = 0
    step = max(1, _BLOCK_LINES // width)
    for at in range(0, ends.size, step):
        stop = ends[at:at + step].astype(np.int64)
        before = np.empty_like(stop)  # where the previous line ended
        before[0], before[1:] = (ends[at - 1] if at else -1), stop[:-1]
        inner = delims[at * (width - 1):(at + stop.size) * (width - 1)]
        bounds = np.column_stack([before, inner.reshape(stop.size, width - 1), stop])
        longest = max(longest, int((np.diff(bounds, axis=1) - 1).max()))
    return longest


def _fast_scans(data: bytes, start: int, delimiter: str, width: int) -> list[_Scan] | None:
    """Scan every column of ``data[start:]`` (no header) with the C reader, or None."""
    b = np.frombuffer(data, dtype=np.uint8)[start:]
    if width < 1 or not b.size:
        return None
    sep = ord(delimiter)
    ends = _positions(b, _LF)
    if b[-1] != _LF:
        ends = np.append(ends, np.int32(b.size))
    returns = _positions(b, _CR)
    if returns.size and not np.all(b[np.minimum(returns + 1, b.size - 1)] == _LF):
        return None  # a lone '\r' ends a row for the csv module: leave it to the slow path
    delims = _positions(b, sep)
    if not _every_line_has(delims, ends, width - 1):
        return None  # short, long or blank rows: the slow path pads, trims or reports them
    quotes = _positions(b, _QUOTE)
    if quotes.size and not _plain_quoting(quotes, b, sep, (delims, ends, returns)):
        return None
    if _has_blank_line(b, ends, sep):
        return None  # the slow path skips rows of empty fields and says so
    if _longest_field(ends, delims, width) > csv.field_size_limit():
        return None  # the csv module refuses it, and the slow path says where
    del returns

    def columns_of(pos: np.ndarray) -> np.ndarray:
        # Every line has width - 1 delimiters, so the field index follows from two counts.
        return np.searchsorted(delims, pos) - (width - 1) * np.searchsorted(ends, pos)

    def touched(pos: np.ndarray) -> np.ndarray:
        """(width,) bool: the columns holding at least one of the bytes at ``pos``."""
        hit = np.zeros(width, dtype=bool)
        for at in range(0, pos.size, _BLOCK_BYTES):
            hit[columns_of(pos[at:at + _BLOCK_BYTES])] = True
        return hit

    strings_only = np.zeros(width, dtype=bool)
    for byte in _SPACE_BYTES[_SPACE_BYTES != sep]:
        strings_only |= touched(_positions(b, int(byte)))
    quoting: Literal[0, 3] = csv.QUOTE_MINIMAL if quotes.size else csv.QUOTE_NONE

    def read(**extra: Any) -> pd.DataFrame:  # a new stream each time: no copy of data
        return pd.read_csv(io.BytesIO(data), skiprows=1 if start else 0, sep=delimiter,
                           header=None, names=list(range(width)), index_col=False,
                           quoting=quoting, skip_blank_lines=False, engine="c",
                           encoding="utf-8", **extra)

    numbers = _read_numbers(read, width, strings_only, int(ends.size))
    if numbers is None:
        return None
    dots = _positions(b, ord("."))
    first_dots, complete = _first_dots(dots, columns_of, width)
    # Both questions about each column's first dots, for every column at once: a wide file
    # would otherwise pay a dozen NumPy calls per column.
    sizes = np.array([d.size for d in first_dots], dtype=np.int64)
    flat = np.concatenate(first_dots) if width else dots[:0]
    shaped = _group_shaped(flat, b, ends, delims)
    misfits = np.bincount(np.repeat(np.arange(width), sizes)[~shaped], minlength=width)
    group_like = ((misfits == 0) & (sizes > 0)).tolist()
    lead = np.cumsum(sizes) - sizes
    has_dot = np.flatnonzero(sizes)
    field_start, field_stop = _field_bounds(flat[lead[has_dot]], b, ends, delims)
    first_field: dict[int, str] = {
        int(j): data[start + int(a):start + int(z)].decode("ascii")
        for j, a, z in zip(has_dot, field_start, field_stop, strict=True)}
    scans: list[_Scan | None] = []
    for j in range(width):
        values = numbers.pop(j, None)
        if values is None:
            scans.append(None)
            continue

        def all_dots(j: int = j) -> np.ndarray:
            return first_dots[j] if complete[j] else dots[columns_of(dots) == j]

        scans.append(_clean_numeric_scan(values, first_field.get(j), group_like[j], all_dots,
                                         b, ends, delims))
    if width == 1 and (scans[0] is None or scans[0].missing.any()):
        return None  # one column: a missing cell may be a blank line the slow path skips
    if all(scan is None for scan in scans):
        return None  # no column of plain numbers: nothing to gain, and blank rows are possible
    need = [j for j, scan in enumerate(scans) if scan is None]
    if need:
        strings = read(usecols=need, dtype=object, na_filter=False)
        for j in need:
            scans[j] = _scan_column(strings[j].to_numpy(dtype=object))
    filled = [scan for scan in scans if scan is not None]
    assert len(filled) == width, "each column is scanned, as plain numbers or cell by cell"
    return filled


def _read_numbers(read: Callable[..., pd.DataFrame], width: int, skip: np.ndarray,
                  n_rows: int) -> dict[int, np.ndarray] | None:
    """The columns the C reader reads as plain numbers (NaN where a cell is missing).

    The columns are typed on the first rows, then only the numeric ones are read in full,
    as float64, so text columns never become Python strings here. A column with an infinity,
    or with nothing but missing cells, is left out: the cell-by-cell scan decides those.
    """
    na = {"na_filter": True, "na_values": _NA_SPELLINGS, "keep_default_na": False}
    try:
        sample = read(nrows=_SAMPLE_ROWS, low_memory=False, **na)
    except (ValueError, pd.errors.ParserError, OverflowError, MemoryError):
        return None
    kinds = [dtype.kind for dtype in sample.dtypes]  # the frame's columns are 0..width-1
    wanted = [j for j in range(width) if not skip[j] and kinds[j] in "iuf"]
    if not wanted:
        return {}
    try:
        frame = read(usecols=wanted, dtype=np.float64, **na)
    except (ValueError, pd.errors.ParserError, OverflowError, MemoryError):
        # a cell further down is not a number: type every wanted column on all its cells
        try:
            frame = read(usecols=wanted, low_memory=False, **na)
        except (ValueError, pd.errors.ParserError, OverflowError, MemoryError):
            return None
    if len(frame) != n_rows:
        return None
    numeric = [j for j, dtype in zip(frame.columns, frame.dtypes, strict=True)
               if dtype.kind in "iuf"]
    if not numeric:
        return {}
    # one conversion for all the columns, each a contiguous row: a wide file has thousands
    block = np.ascontiguousarray(frame[numeric].to_numpy(dtype=np.float64).T)
    kept = ~np.isinf(block).any(axis=1) & ~np.isnan(block).all(axis=1)
    return {int(j): block[i] for i, j in enumerate(numeric) if kept[i]}


def _first_dots(dots: np.ndarray, columns_of: Callable[[np.ndarray], np.ndarray], width: int,
                want: int = 64) -> tuple[list[np.ndarray], list[bool]]:
    """Up to ``want`` first '.' positions per column, and whether that is all of them.

    Mapping every '.' of a big file to its column costs more than the C reader itself; a
    few per column answer the questions the notes ask, and the first chunks usually find them.
    """
    count = np.zeros(width, dtype=np.int64)
    kept_cols, kept_pos = [], []
    chunk = 1 << 16
    for at in range(0, dots.size, chunk):
        part = dots[at:at + chunk]
        order = np.argsort(columns_of(part), kind="stable")
        cols = columns_of(part)[order]
        rank = np.arange(cols.size) - np.searchsorted(cols, cols)  # place within its column
        keep = rank < (want - count)[cols]
        kept_cols.append(cols[keep])
        kept_pos.append(part[order][keep])
        count += np.bincount(cols[keep], minlength=width)
        if count.min() >= want:
            break
    cols = np.concatenate(kept_cols) if kept_cols else np.empty(0, dtype=np.int64)
    pos = np.concatenate(kept_pos) if kept_pos else dots[:0]
    order = np.argsort(cols, kind="stable")  # by column; file order within a column
    bounds = np.searchsorted(cols[order], np.arange(width + 1))
    pos = pos[order]
    firsts = [pos[bounds[j]:bounds[j + 1]] for j in range(width)]
    return firsts, (count < want).tolist()


def _clean_numeric_scan(values: np.ndarray, first: str | None, group_like: bool,
                        all_dots: Callable[[], np.ndarray], b: np.ndarray, ends: np.ndarray,
                        delims: np.ndarray) -> _Scan | None:
    """The scan of a column of plain ASCII numbers, or None if it needs the cell-by-cell scan.

    ``values`` are NaN exactly where a cell is a missing token. ``first`` is the first cell
    holding a '.' (None without one); ``group_like`` says whether every cell among the first
    few dotted ones looks like ``1.234`` (``all_dots()`` gives the positions of every '.' in
    the column). Without a '.', every cell is an integer or exponent number: both decimal
    marks read it the same way. With one, the decimal comma fits only if every dotted cell
    looks like a thousands group; that rare, ambiguous case is left to :func:`_scan_column`.
    """
    missing = np.isnan(values)
    if first is None:
        return _Scan(cells=None, missing=missing, values={".": values, ",": values},
                     grouped={".": None, ",": None}, separated=None)
    if group_like and _dotted_cells_could_be_groups(all_dots(), b, ends, delims):
        return None  # every dotted cell could be a thousands group: let the slow scan decide
    return _Scan(cells=None, missing=missing, values={".": values, ",": None},
                 grouped={".": None, ",": None}, separated=first)


def _field_bounds(pos: np.ndarray, b: np.ndarray, ends: np.ndarray, delims: np.ndarray,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop byte offsets of the fields holding the bytes at ``pos``."""
    # Queries of the arrays' own dtype: NumPy would otherwise copy the int32 arrays to int64
    # on every call.
    line = np.searchsorted(ends, pos.astype(ends.dtype, copy=False))
    line_start = np.where(line > 0, ends[np.maximum(line - 1, 0)] + 1, 0)
    start, stop = line_start, ends[line]
    if delims.size:  # one column has none
        k = np.searchsorted(delims, pos.astype(delims.dtype, copy=False))
        start = np.maximum(start, np.where(k > 0, delims[np.maximum(k - 1, 0)] + 1, 0))
        stop = np.minimum(stop, np.where(k < delims.size, delims[np.minimum(k, delims.size - 1)],
                                         b.size))
    stop = stop - (b[np.maximum(stop - 1, 0)] == _CR)  # a CRLF line's \r is not in the field
    # A quoted field (quoting is plain here: quotes at both ends): its content.
    quoted = (stop - start >= 2) & (b[start] == _QUOTE) & (b[np.maximum(stop - 1, 0)] == _QUOTE)
    return start + quoted, stop - quoted


def _group_shaped(dots: np.ndarray, b: np.ndarray, ends: np.ndarray,
                  delims: np.ndarray) -> np.ndarray:
    """For each of ``dots``: whether its cell reads as ``[+-]d{1,3}.ddd[e...]``."""
    if not dots.size:
        return np.zeros(0, dtype=bool)
    start, stop = _field_bounds(dots, b, ends, delims)
    dots = dots.astype(np.int64)
    signed = np.isin(b[start], np.frombuffer(b"+-", dtype=np.uint8))
    before = dots - start - signed
    after = dots[:, None] + np.arange(1, 4)
    group_digits = (stop - dots > 3) & _DIGIT[b[np.minimum(after, b.size - 1)]].all(axis=1)
    tail = np.minimum(dots + 4, b.size - 1)
    group_end = (dots + 4 == stop) | np.isin(b[tail], np.frombuffer(b"eE", dtype=np.uint8))
    return (before >= 1) & (before <= 3) & group_digits & group_end


def _dotted_cells_could_be_groups(dots: np.ndarray, b: np.ndarray, ends: np.ndarray,
                                  delims: np.ndarray) -> bool:
    """Whether every cell holding one of ``dots`` reads as ``[+-]d{1,3}.ddd[e...]``."""
    return bool(np.all(_group_shaped(dots, b, ends, delims)))


def _utf8(text: str, raw: bytes | str) -> bytes:
    """``text`` as UTF-8: the uploaded bytes themselves when they already are exactly that."""
    if isinstance(raw, bytes) and len(raw) == len(text) and text.isascii():
        return raw  # ASCII decodes to itself in every codec the loader uses: no copy
    return text.encode("utf-8")


def _fast_table(text: str, delimiter: str, encoding: str, notes: list[str],
                raw: bytes | str = "") -> Table | None:
    """:func:`load_csv` after decoding, through the C reader; None if the file is unusual.

    ``raw`` is what was decoded into ``text``; when it is plain ASCII it is read in place.
    """
    head = _fast_header(text, delimiter)
    if head is None:
        return None
    first, body_start = head
    width = len(first)
    data = _utf8(text, raw)
    start = len(text[:body_start].encode("utf-8"))
    body = _fast_scans(data, start, delimiter, width)
    if body is None:
        return None
    lines = np.arange(1, body[0].missing.size + 2)

    def scans_with_first_row() -> list[_Scan]:  # only when the first row is data
        scans = _fast_scans(data, 0, delimiter, width)
        if scans is None:
            raise _FallBack
        return scans

    try:
        return _build_table(first, body, scans_with_first_row, lines, delimiter, encoding, notes)
    except _FallBack:
        return None


class _FallBack(Exception):
    """Internal: the fast path met a case it leaves to the slow path."""


# ---------------------------------------------------------------------------------------------
# Column typing
# ---------------------------------------------------------------------------------------------


def _is_missing(cell: str) -> bool:
    return cell.lower() in MISSING_TOKENS


def _fits(cell: str, decimal: str) -> bool:
    """Whether ``cell`` is a number written with decimal mark ``decimal``."""
    return bool(
        _NUMBER_RE[(decimal, None)].fullmatch(cell)
        or _NUMBER_RE[(decimal, _THOUSANDS[decimal])].fullmatch(cell)
    )


def _looks_numeric(cell: str) -> bool:
    """A number under either decimal mark, or an infinity."""
    if cell.lower() in _INF_TOKENS:
        return True
    return bool(_DIGIT_RE.search(cell)) and (_fits(cell, ".") or _fits(cell, ","))


def _to_float(cell: str, decimal: str) -> float:
    """One cell known to be a number (or missing / inf token) with this decimal mark."""
    low = cell.lower()
    if low in _SPECIAL_VALUES:
        return _SPECIAL_VALUES[low]
    plain = cell.replace(_THOUSANDS[decimal], "")
    return float(plain.replace(",", ".") if decimal == "," else plain)


def _parse_mark(cells: list[str], mark: str) -> tuple[np.ndarray | None, str | None]:
    """Read cells as numbers with decimal mark ``mark``.

    Returns
    -------
    values : ndarray of shape (len(cells),) or None
        None as soon as one cell is not a number written that way.
    grouped : str or None
        The first cell written with thousands separators, for the notes.
    """
    sep = _THOUSANDS[mark]
    if cells and sep in cells[0] and not _NUMBER_RE[(mark, sep)].fullmatch(cells[0].strip()):
        return None, None  # e.g. '1.5' under mark ',': no need to look further
    joined = "".join(cells)
    if sep not in joined and joined.isascii() and "_" not in joined:
        # Fast path: Python's float() grammar equals ours on ASCII without '_' (it also reads
        # nan/inf spellings, which is what the caller wants on its first, unfiltered try).
        plain = [c.replace(",", ".") for c in cells] if mark == "," else cells
        try:
            return np.fromiter((float(c) for c in plain), dtype=np.float64,
                               count=len(plain)), None
        except ValueError:
            return None, None
    plain_re, grouped_re = _NUMBER_RE[(mark, None)], _NUMBER_RE[(mark, sep)]
    out = np.empty(len(cells), dtype=np.float64)
    grouped = None
    for i, cell in enumerate(cells):
        if not plain_re.fullmatch(cell):
            if not grouped_re.fullmatch(cell):
                return None, None
            grouped = grouped or cell
        out[i] = _to_float(cell, mark)
    return out, grouped


# The line each row starts on: a list from the csv module's reader, an arange from the C reader.
_Lines = Sequence[int] | np.ndarray


@dataclass(frozen=True, eq=False)
class _Scan:
    """What one column looks like: its cells and how they read under each decimal mark."""

    cells: np.ndarray | None  # (n_rows,) stripped cell strings, object; None: clean numbers
    missing: np.ndarray  # (n_rows,) bool: a missing token
    values: dict[str, np.ndarray | None]  # mark -> (n_rows,) float64, None if not all numbers
    grouped: dict[str, str | None]  # mark -> first cell with thousands separators
    separated: str | None  # first non-special cell containing '.' or ','

    @property
    def all_blank(self) -> bool:
        return self.cells is not None and not any(self.cells)

    @property
    def all_missing(self) -> bool:
        return bool(self.missing.all())

    def compatible(self) -> dict[str, bool]:
        return {d: v is not None for d, v in self.values.items()}

    def text_cells(self) -> np.ndarray:
        """The stripped cell strings; only a column of clean numbers is scanned without them."""
        assert self.cells is not None, "a column of clean numbers keeps no cell strings"
        return self.cells

    def bad_cells(self) -> np.ndarray:
        """Indices of cells that are neither missing nor numbers (slow: text columns only)."""
        codes, distinct = pd.factorize(self.text_cells())  # each distinct cell is checked once
        numeric = np.fromiter((_looks_numeric(c) for c in distinct), dtype=bool,
                              count=len(distinct))
        return np.flatnonzero(~(self.missing | numeric[codes]))


def _scan_column(column: Iterable[str]) -> _Scan:
    # The common case costs one float() per cell: float() ignores surrounding whitespace and
    # reads nan/inf itself, so plain numeric columns need no stripping and no token lookup.
    cells = list(column)
    dot, dot_grouped = _parse_mark(cells, ".")
    if dot is not None and dot_grouped is None:
        special_values = dot
        special = ~np.isfinite(dot)
        if special.any():
            cells = [c.strip() for c in cells]
    else:
        cells = [c.strip() for c in cells]
        # No list of lower-cased copies: that would be one more string per cell. A special
        # token is NaN or +-inf, so whatever is not 0.0 here is one.
        special_values = np.fromiter((_SPECIAL_VALUES.get(c.lower(), 0.0) for c in cells),
                                     dtype=np.float64, count=len(cells))
        special = special_values != 0.0
    rest = [c for c, s in zip(cells, special, strict=True) if not s] if special.any() else cells
    values: dict[str, np.ndarray | None] = {}
    grouped: dict[str, str | None] = {}
    for mark in (".", ","):
        parsed, grouped[mark] = _parse_mark(rest, mark)
        if parsed is None:
            values[mark] = None
            continue
        full = special_values.copy()
        full[~special] = parsed
        values[mark] = full
    return _Scan(
        cells=np.array(cells, dtype=object),
        missing=special & np.isnan(special_values),
        values=values,
        grouped=grouped,
        separated=next((c.strip() for c in rest if "." in c or "," in c), None),
    )


def _column_decimal(scan: _Scan) -> str | None:
    """The decimal mark a numeric column forces, or None (text, or either mark works)."""
    ok = scan.compatible()
    forced = [d for d in (".", ",") if ok[d] and not ok[_THOUSANDS[d]]]
    return forced[0] if forced else None


def _file_decimal(scans: Sequence[_Scan], delimiter: str) -> str:
    """Majority of the columns that force a mark; ties go to ',' in ';' files (Excel's habit)."""
    votes = Counter(_column_decimal(s) for s in scans)
    if votes[","] != votes["."]:
        return "," if votes[","] > votes["."] else "."
    return "," if delimiter == ";" else "."


def _first_bad(scan: _Scan, lines: _Lines) -> tuple[int, str, int]:
    """(count of non-numeric cells, first such cell, its line number)."""
    bad = scan.bad_cells()
    first = int(bad[0])
    return int(bad.size), str(scan.text_cells()[first]), int(lines[first])


# ---------------------------------------------------------------------------------------------
# Table assembly
# ---------------------------------------------------------------------------------------------


def _scan_all(rows: Sequence[Sequence[str]]) -> list[_Scan]:
    columns = list(zip(*rows, strict=True)) if rows else []
    return [_scan_column(col) for col in columns]


def _is_numeric_row(cells: Sequence[str]) -> bool:
    """Every cell a number or missing, and at least one a number."""
    return any(not _is_missing(c) for c in cells) and all(
        _is_missing(c) or _looks_numeric(c) for c in cells
    )


def _detect_header(header: Sequence[str], scans: Sequence[_Scan]) -> bool:
    """The first row is data iff it is numeric in every column that is numeric below it."""
    numeric = [i for i, s in enumerate(scans) if any(s.compatible().values()) and not s.all_missing]
    return not (numeric and _is_numeric_row([header[i] for i in numeric]))


def _row_index_start(name: str, scan: _Scan, decimal: str) -> int | None:
    """If this is R's write.csv (1..n) or pandas' to_csv (0..n-1) row index, its first value.

    Such a column has a blank header and consecutive integers; it numbers rows, it is not data.
    """
    values = scan.values[decimal]
    if name or values is None or scan.missing.any():
        return None
    n = values.size
    return next((s for s in (1, 0) if n and np.array_equal(values, np.arange(s, s + n))), None)


def _unique_names(names: Sequence[str], notes: list[str]) -> list[str]:
    seen: set[str] = set(names)
    out: list[str] = []
    used: set[str] = set()
    for name in names:
        if name not in used:
            out.append(name)
            used.add(name)
            continue
        k = 2
        while f"{name} ({k})" in seen or f"{name} ({k})" in used:
            k += 1
        new = f"{name} ({k})"
        notes.append(Message("note.duplicate_name", name=name, new=new))
        out.append(new)
        used.add(new)
    return out


def _build_table(first: Sequence[str], body: list[_Scan], all_scans: Callable[[], list[_Scan]],
                 lines: _Lines, delimiter: str, encoding: str, notes: list[str]) -> Table:
    """Header detection, column roles and notes, from the first row and column scans.

    ``body`` scans every row but the first; ``all_scans()`` scans every row (called only
    when the first row turns out to be data). ``lines`` holds the line each row starts on.
    """
    header = [c.strip() for c in first]
    n_rows = len(lines)
    has_header = _detect_header(header, body) if n_rows > 1 else not _is_numeric_row(header)
    if has_header and n_rows == 1:
        raise error(DataError, "io.header_only", header=_preview(header))
    if has_header:
        scans, data_lines = body, lines[1:]
    else:
        scans, data_lines = all_scans(), lines
        header = [""] * len(header)
        notes.append(Message("note.no_header"))
    decimal = _file_decimal(scans, delimiter)

    kept: list[tuple[str, _Scan]] = []
    empty: list[str] = []  # quoted names, or Messages for unnamed columns
    for i, (name, scan) in enumerate(zip(header, scans, strict=True)):
        if scan.all_blank or (not name and scan.all_missing):
            empty.append(repr(name) if name else Message("note.empty_column_unnamed", i=i + 1))
        elif i == 0 and has_header and (start := _row_index_start(name, scan, decimal)) is not None:
            notes.append(Message("note.row_index", start=start,
                                 stop=start + len(data_lines) - 1))
        else:
            if not name:
                name = f"column {i + 1}"
                if has_header:
                    notes.append(Message("note.unnamed_column", i=i + 1, name=name))
            kept.append((name, scan))
    if empty:
        listed = Joined([*empty[:10], *(["..."] if len(empty) > 10 else [])])
        notes.append(Message("note.empty_columns", n=len(empty), columns=listed))
    names = _unique_names([n for n, _ in kept], notes)
    if len(names) > MAX_COLUMNS:  # a header spread over lines by quoted line breaks
        raise error(DataError, "io.too_many_columns", n_columns=len(names),
                    max_columns=MAX_COLUMNS)
    return _assemble(names, [s for _, s in kept], data_lines, delimiter, decimal, encoding,
                     has_header, notes)


def _text_column(name: str, scan: _Scan, lines: _Lines, notes: list[str]) -> np.ndarray:
    cells = scan.text_cells()
    present = pd.unique(cells[~scan.missing])
    if any(_looks_numeric(c) for c in present):  # a numeric column spoiled by a few cells
        n_bad, cell, line = _first_bad(scan, lines)
        notes.append(Message("note.text_column", name=name, n_bad=n_bad, cell=cell, line=line))
    return cells


def _numeric_column(name: str, scan: _Scan, decimal: str, notes: list[str],
                    ) -> tuple[np.ndarray, str | None]:
    """Parse a numeric column. Returns the values and, if it used a decimal comma, an example."""
    ok = scan.compatible()
    mark = _column_decimal(scan) or decimal
    example = scan.separated
    if example is not None and ok["."] and ok[","]:
        notes.append(Message("note.ambiguous_decimal", name=name, example=example, mark=mark,
                             value=_to_float(example, mark)))
    grouped = scan.grouped[mark]
    if grouped is not None:
        notes.append(Message("note.thousands", name=name, example=grouped,
                             value=_to_float(grouped, mark)))
    values = scan.values[mark]
    assert values is not None  # the caller checked compatibility
    comma = example if mark == "," and example is not None and "," in example else None
    return values, comma


def _assemble(names: list[str], scans: list[_Scan], lines: _Lines, delimiter: str,
              decimal: str, encoding: str, has_header: bool, notes: list[str]) -> Table:
    data: dict[str, np.ndarray] = {}
    numeric: list[str] = []
    text: list[str] = []
    comma_examples: list[str] = []
    for name, scan in zip(names, scans, strict=True):
        if any(scan.compatible().values()):
            data[name], comma = _numeric_column(name, scan, decimal, notes)
            numeric.append(name)
            comma_examples += [comma] if comma else []
        else:
            data[name] = _text_column(name, scan, lines, notes)
            text.append(name)
    if not numeric:
        raise _no_numeric_error(names, scans, lines, delimiter)
    if comma_examples:
        ex = comma_examples[0]
        notes.append(Message("note.decimal_comma", example=ex, value=_to_float(ex, ",")))
    n_rows = len(lines)
    frame = pd.DataFrame(data, index=pd.RangeIndex(n_rows), columns=names, copy=False)
    return Table(columns=tuple(names), numeric_columns=tuple(numeric), text_columns=tuple(text),
                 n_rows=n_rows, notes=tuple(notes), delimiter=delimiter,
                 decimal="," if comma_examples else ".", encoding=encoding,
                 has_header=has_header, _frame=frame)


def _no_numeric_error(names: Sequence[str], scans: Sequence[_Scan], lines: _Lines,
                      delimiter: str) -> DataError:
    examples = []
    for name, scan in list(zip(names, scans, strict=True))[:3]:
        if scan.all_missing:
            continue
        _, cell, line = _first_bad(scan, lines)
        examples.append(Message("io.no_numeric_example", column=name, cell=cell, line=line))
    got = Joined(examples) if examples else Message("io.no_numeric_only_empty")
    return error(DataError, "io.no_numeric_column", n_columns=len(names), examples=got,
                 delimiter=_DELIMITER_NAMES[delimiter])


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _preview(items: Sequence[object], limit: int = 10) -> str:
    shown = ", ".join(repr(i) for i in items[:limit])
    if not items:
        return Message("io.preview_none")
    if len(items) > limit:
        return Message("io.preview_more", shown=shown, n=len(items) - limit)
    return f"[{shown}]"


def _format_number(value: float) -> str:
    if np.isnan(value):
        return ""
    if np.isfinite(value) and value == int(value) and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))
