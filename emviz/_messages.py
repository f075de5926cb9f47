"""The English text of every message the engine shows to people, by code.

The engine raises its errors (and writes its loader notes) through this catalog, so each
message carries a stable ``code`` and the ``params`` it was formatted with. ``str()`` of an
error or note is always the English text below; a user interface can look the code up in
its own translations (``emviz/ui/strings/errors.py`` keys them ``error.<code>``) and format
them with the same params. Quoted user text (file and column names, cell values) is always a
parameter value, never part of a template.

A parameter value may itself be a :class:`Message` (e.g. the name of a delimiter); a
translating UI translates it too.

This module is pure Python: no Streamlit, no NumPy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, TypeVar

from .errors import EmvizError

#: Message code -> English ``str.format`` template.
MESSAGES: Final[Mapping[str, str]] = {
    # ---- emviz.io: reading a CSV ------------------------------------------------------------
    "io.no_rows_left": (
        "No rows left: all {n_rows} rows have NaN or inf in at least one selected column "
        "(rows with NaN/inf per column: {detail}). Expected at least one row where every "
        "selected column is a finite number. Choose other columns, or fill in the missing "
        "values in the file."
    ),
    "io.unknown_label_column": (
        "Unknown label column {column!r}. Expected one of the table's columns: {columns}. "
        "Pick a column from that list."
    ),
    "io.single_string_selection": (
        "Expected a sequence of column names, got the single string {column!r}. Pass a list, "
        "e.g. select([{column!r}])."
    ),
    "io.no_columns_selected": (
        "No columns selected. Expected at least one numeric column; choose from {columns}."
    ),
    "io.repeated_column": (
        "Column {column!r} is selected more than once. Expected each column at most once (a "
        "repeated column makes every covariance singular). Remove the duplicate."
    ),
    "io.text_column_selected": (
        "Column {column!r} is text, not numeric. Expected numeric columns only; choose from "
        "{columns}, or use {column!r} as the label column."
    ),
    "io.unknown_column": (
        "Unknown column {column!r}. Expected one of the numeric columns {columns}. Check the "
        "spelling."
    ),
    "io.not_2d": (
        "Expected a 2-D array of shape (n_samples, n_features); got a {ndim}-D array of shape "
        "{shape}."
    ),
    "io.not_2d_1d": (
        "Expected a 2-D array of shape (n_samples, n_features); got a {ndim}-D array of shape "
        "{shape}. For a single feature use X.reshape(-1, 1); for a single point use "
        "X.reshape(1, -1)."
    ),
    "io.empty_array": (
        "Expected at least 1 row and 1 column; got an array of shape {shape}. Load data with "
        "at least one row and select at least one column."
    ),
    "io.not_finite": (
        "Expected only finite numbers; got {n_nan} NaN and {n_inf} inf value(s), the first at "
        "row {row}, column {column} ({value!r}). Drop those rows first (Table.select does "
        "this) or fill them in."
    ),
    "io.fewer_points_than_k": (
        "K = {k} components need at least {k} points; got {n}. Expected n_samples >= "
        "n_components. Lower K or add data."
    ),
    "io.all_identical": (
        "All {n} points are identical ({point}): every column has zero variance. Expected "
        "points that differ in at least one column; a mixture cannot be fitted to a single "
        "repeated point. Check the column selection, or load data with some spread."
    ),
    "io.too_large": (
        "The file is too large: {size_mb:,.1f} MB. Expected at most {max_mb:,.0f} MB "
        "(emviz.io.MAX_BYTES). Upload a sample of the rows or only the columns you need."
    ),
    "io.csv_text_as_path": (
        "Got a str that looks like CSV text, but a str is read as a file path. Expected a "
        "path, bytes or a stream; to load CSV text, pass io.StringIO(text) or text.encode()."
    ),
    "io.unreadable_file": (
        "Could not read the file {path!r}: {reason}. Expected a readable CSV file; check the "
        "path and its permissions."
    ),
    "io.unreadable_stream": (
        "Could not read the uploaded stream: {reason}. Expected an open, readable file "
        "object; upload the file again."
    ),
    "io.stream_type": (
        "The stream returned {type}; expected bytes or str. Pass a binary or text file object."
    ),
    "io.source_type": (
        "Cannot load a {type}. Expected bytes, a file-like object (e.g. an uploaded file or "
        "io.StringIO) or a path (str or pathlib.Path)."
    ),
    "io.empty_file": (
        "The file is empty ({detail}). Expected a CSV with a header row and at least one data "
        "row. Check that you picked the right file and that it was saved."
    ),
    "io.empty_zero_bytes": "0 bytes",
    "io.empty_whitespace": "{n} characters, all whitespace",
    "io.empty_no_rows": "no non-blank rows",
    "io.not_text": (
        "This does not look like a text CSV file: {detail}. Expected plain text with one row "
        "per line. If it is a spreadsheet, export it with 'Save as > CSV (UTF-8)' and upload "
        "that file."
    ),
    "io.not_text_magic": "it starts like {kind}",
    "io.not_text_nul_bytes": "it contains NUL bytes, which text files never do",
    "io.not_text_nul_chars": "it contains NUL characters, which text files never do",
    "io.not_text_control": "it is full of non-printable control characters",
    "io.bad_encoding": (
        "The file looks like {label} but is not valid {label} ({reason} at byte {byte}). "
        "Expected the whole file in one encoding. Re-save it as UTF-8."
    ),
    "io.unclosed_quote": (
        "A double quote (\") in the row starting on line {line} is never closed, so the rest "
        "of the file would be read as one field. Expected every quoted field to end with a "
        "closing quote. Remove the stray quote or close it."
    ),
    "io.parse_error": (
        "The CSV could not be parsed near line {line}: {reason}. Expected fields of at most "
        "{limit:,} characters and well-formed quoting. Check that line."
    ),
    "io.ragged_line": (
        "Line {line} has {n_fields} fields but the first line has {width} ({delimiter}-"
        "separated). Expected the same number of fields on every line. Quote text that "
        "contains the delimiter, or fix that line."
    ),
    "io.header_only": (
        "The file has a header row ({header}) but no data rows. Expected at least one row of "
        "values below the header. Check that the file was exported completely."
    ),
    "io.no_numeric_column": (
        "No numeric column found among {n_columns} column(s): {examples}. Expected at least "
        "one column whose every cell is a number or missing. The file was read as "
        "{delimiter}-separated; check the delimiter and decimal mark, or remove text such as "
        "units from the numeric columns."
    ),
    "io.no_numeric_example": "{column!r} (first non-number {cell!r} on line {line})",
    "io.no_numeric_only_empty": "only empty columns",
    "io.not_convertible": (
        "Expected a rectangular array of numbers; got {type} that NumPy cannot convert "
        "({reason}). Pass a 2-D array of shape (n_samples, n_features)."
    ),
    "io.not_real": (
        "Expected real numbers; got an array of dtype {dtype}. Convert the data to float (and "
        "drop text columns) first."
    ),
    "io.not_numbers": (
        "Expected real numbers; got values that are not numbers ({reason}). Convert the data "
        "to float (and drop text columns) first."
    ),
    "io.n_components": (
        "n_components must be a positive integer; got {value!r}. Choose K >= 1."
    ),
    "io.too_large_values": (
        "Values in {column!r} are too large (largest magnitude {magnitude:.3g}): their "
        "variance overflows float64. Expected magnitudes below about 1e150. Rescale the "
        "column (e.g. divide by a power of ten, or use log units) before fitting."
    ),
    "io.array_column": "column {j}",
    # ---- emviz.io: names used inside messages -------------------------------------------------
    "io.delimiter_comma": "comma ','",
    "io.delimiter_semicolon": "semicolon ';'",
    "io.delimiter_tab": "tab",
    "io.delimiter_pipe": "pipe '|'",
    "io.encoding_text": "text (already decoded)",
    # ---- emviz.io: how the file was read (Table.notes) ----------------------------------------
    "note.encoding": "encoding: {label}",
    "note.not_utf8": (
        "the file is not valid UTF-8 (first bad byte {byte}); decoded it as {label}. If "
        "accented characters look wrong, re-save the file as UTF-8."
    ),
    "note.delimiter_sep": "delimiter: {delimiter} (from the 'sep=' first line)",
    "note.delimiter": "delimiter: {delimiter}",
    "note.blank_rows": "skipped {n} blank row(s)",
    "note.duplicate_name": "duplicate column name {name!r}: renamed the repeat to {new!r}",
    "note.no_header": (
        "no header row detected (the first row is numeric): columns are named 'column 1', "
        "'column 2', ..."
    ),
    "note.row_index": (
        "dropped the unnamed first column (values {start}..{stop}): it is a row index as "
        "written by R's write.csv or pandas' to_csv, not data"
    ),
    "note.unnamed_column": "column {i} has no name: called it {name!r}",
    "note.empty_columns": "dropped {n} empty column(s): {columns}",
    "note.empty_column_unnamed": "column {i} (no name)",
    "note.text_column": (
        "column {name!r} has {n_bad} non-numeric cell(s) (first: {cell!r} on line {line}); "
        "treated as text"
    ),
    "note.ambiguous_decimal": (
        "column {name!r}: values like {example!r} are ambiguous; read with decimal mark "
        "{mark!r} as {value:g}"
    ),
    "note.thousands": (
        "column {name!r}: removed thousands separators (e.g. {example!r} -> {value:g})"
    ),
    "note.decimal_comma": "decimal mark: comma (e.g. {example!r} read as {value:g})",
    "note.rows_kept": "kept {kept} of {total} rows",
    "note.rows_dropped": (
        "kept {kept} of {total} rows; dropped {n_dropped} with NaN or inf ({detail})"
    ),
    # ---- emviz.em: parameters, data, responsibilities, options -------------------------------
    "em.params_ndim": "Params.{name} should have {ndim} dimensions, but got shape {shape}.",
    "em.params_finite": "Params.{name} should be finite, but contains NaN or inf.",
    "em.params_empty": "Params need at least one component and feature; got means {shape}.",
    "em.weights_shape": "Params.weights should have shape ({k},), but got {shape}.",
    "em.covariances_shape": (
        "Params.covariances should have shape ({k}, {d}, {d}), but got {shape}."
    ),
    "em.weights_sum": (
        "Params.weights should be non-negative and sum to 1, but got {weights} "
        "(sum {total:.6g})."
    ),
    "em.covariances_symmetric": (
        "Params.covariances should be symmetric, but component {component} has relative "
        "asymmetry {asymmetry:.2g}."
    ),
    "em.params_dict_keys": (
        "A parameter dict needs the keys 'weights', 'means' and 'covariances'; missing {key!r}."
    ),
    "em.covariance_type": "covariance_type should be one of {allowed}, but got {value!r}.",
    "em.reg_covar": "reg_covar should be a finite number >= 0, but got {value!r}.",
    "em.data_not_array": "Data should be a 2-D numeric array; could not convert it ({reason}).",
    "em.data_not_numeric": "Data should be numeric, but got dtype {dtype}.",
    "em.data_too_precise": "Data should be at most float64, but got {dtype}; convert it first.",
    "em.data_not_2d": "Data should be 2-D (n_samples, n_features), but got shape {shape}.",
    "em.data_not_2d_1d": (
        "Data should be 2-D (n_samples, n_features), but got shape {shape}. Use "
        "X.reshape(-1, 1) for a single feature."
    ),
    "em.data_empty": "Data should have at least one row and one column, but got shape {shape}.",
    "em.data_features": (
        "Data should have {n_features} columns to match the parameters, but got {got}."
    ),
    "em.data_not_finite": (
        "Data should be finite, but {n_bad} values are NaN or inf (first at row {row}, column "
        "{column}). Drop or impute those rows first (load_csv's select() does that and reports "
        "it)."
    ),
    "em.resp_shape": "resp should have shape ({n_samples}, n_components), but got {shape}.",
    "em.resp_values": "resp should hold finite, non-negative responsibilities.",
    "em.resp_sum": "Each row of resp should sum to 1, but row {row} sums to {total:.6g}.",
    "em.kernel": "kernel should be 'auto', 'dense' or 'fused', but got {value!r}.",
    "em.half_step": "half-step should be in [0, {last}], but got {h}.",
    "em.max_iter": "max_iter should be a non-negative integer, but got {value!r}.",
    "em.tol": "tol should be a finite number >= 0, but got {value!r}.",
    "em.init_method": "method should be one of {allowed}, but got {value!r}.",
    "em.n_components": "n_components should be a positive integer, but got {value!r}.",
    "em.fewer_points_than_k": (
        "K = {k} components need at least {k} points, but the data has {n}. Lower K or add data."
    ),
    "em.all_identical": (
        "All {n} points are identical ({point}): every column has zero variance, so there is "
        "no spread for a Gaussian to fit. Expected at least two distinct points. Check the "
        "column choice, or whether the file holds one repeated row."
    ),
    "em.fewer_distinct_than_k": (
        "K = {k} components need at least {k} distinct points, but the data has only "
        "{n_distinct}. Lower K."
    ),
    # ---- numerical collapse ---------------------------------------------------------------------
    "collapse": (
        "Component {component} collapsed: its covariance matrix is singular or numerically "
        "zero. Expected a positive-definite covariance. This is the likelihood singularity of "
        "EM: a component shrinks onto one point (or a line/plane) and the likelihood grows "
        "without bound. Increase reg_covar, decrease the number of components, remove "
        "duplicated points, or scale the input data."
    ),
}


class Message(str):
    """An English message that remembers its ``code`` and ``params``.

    It *is* the English ``str`` (so it compares, prints and concatenates as before); a UI
    can translate it by ``code``. Parameters may be Messages themselves.

    Parameters
    ----------
    code : str
        A key of :data:`MESSAGES`.
    **params
        The values the template is formatted with.
    """

    code: str
    params: dict[str, object]

    def __new__(cls, code: str, /, **params: object) -> Message:
        self = super().__new__(cls, MESSAGES[code].format(**params))
        self.code = code
        self.params = dict(params)
        return self

    @classmethod
    def wrap(cls, text: str, code: str, params: Mapping[str, object]) -> Message:
        """A Message whose English ``text`` is given (e.g. with extra detail appended)."""
        self = super().__new__(cls, text)
        self.code = code
        self.params = dict(params)
        return self

    def __reduce__(self) -> tuple[object, ...]:  # keeps code and params through pickling
        return (Message.wrap, (str.__str__(self), self.code, self.params))


class Joined(str):
    """Several parts (Messages or plain text) joined by ``sep``; a UI translates each part."""

    parts: tuple[str, ...]
    sep: str

    def __new__(cls, parts: Sequence[str], sep: str = ", ") -> Joined:
        self = super().__new__(cls, sep.join(parts))
        self.parts = tuple(parts)
        self.sep = sep
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (Joined, (self.parts, self.sep))


E = TypeVar("E", bound=EmvizError)


def error(cls: type[E], code: str, /, **params: object) -> E:
    """An error of class ``cls`` with the English message ``code`` formatted with ``params``.

    ``raise error(DataError, "io.empty_array", shape=(0, 2))``
    """
    return cls(Message(code, **params), code=code, params=params)
