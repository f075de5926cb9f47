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
from typing import TYPE_CHECKING, Final, TypeVar

if TYPE_CHECKING:  # for the annotation only: errors.py imports this catalog
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
    "check.data_not_2d": (
        "Expected a 2-D array of shape (n_samples, n_features); got a {ndim}-D array of shape "
        "{shape}."
    ),
    "check.data_not_2d_1d": (
        "Expected a 2-D array of shape (n_samples, n_features); got a {ndim}-D array of shape "
        "{shape}. For a single feature use X.reshape(-1, 1); for a single point use "
        "X.reshape(1, -1)."
    ),
    "check.data_empty": (
        "Expected at least 1 row and 1 column; got an array of shape {shape}. Load data with "
        "at least one row and select at least one column."
    ),
    "check.data_not_finite": (
        "Expected only finite numbers; got {n_nan} NaN and {n_inf} inf value(s), the first at "
        "row {row}, column {column} ({value!r}). Drop those rows first (Table.select does "
        "this) or fill them in."
    ),
    "check.fewer_points_than_k": (
        "K = {k} components need at least {k} points; got {n}. Expected n_samples >= "
        "n_components. Lower K or add data."
    ),
    "io.too_large": (
        "The file is too large: {size_mb:,.1f} MB. Expected at most {max_mb:,.0f} MB "
        "(emviz.io.MAX_BYTES). Upload a sample of the rows or only the columns you need."
    ),
    "io.too_many_columns": (
        "The first line holds {n_columns:,} fields: the file would have {n_columns:,} "
        "columns. Expected at most {max_columns:,} columns (emviz.io.MAX_COLUMNS). Check that "
        "the file has one observation per line and the right delimiter, or keep only the "
        "columns you need."
    ),
    "io.too_many_fields": (
        "Line {line:,} holds {n_fields:,} fields. Expected at most {max_fields:,} fields on one "
        "line (emviz.io.MAX_FIELDS_PER_LINE): one line is one observation. Check the line "
        "breaks (a file saved as one long line?) and the delimiter."
    ),
    "io.too_much_memory": (
        "Reading this file would take about {need_mb:,.0f} MB of memory: it holds up to "
        "{n_fields:,} fields in {size_mb:,.1f} MB, and each field costs memory of its own. "
        "Expected at most {budget_mb:,.0f} MB ({multiple} times the file's size, "
        "emviz.io.MEMORY_MULTIPLE). Upload fewer rows or fewer columns."
    ),
    "io.too_much_memory_slow": (
        "Reading this file would take about {need_mb:,.0f} MB of memory: it holds up to "
        "{n_fields:,} fields in {size_mb:,.1f} MB, and it must be read field by field (it has "
        "blank lines, lines with different numbers of fields, or quoted fields holding a "
        "delimiter or a line break). Expected at most {budget_mb:,.0f} MB ({multiple} times "
        "the file's size, emviz.io.MEMORY_MULTIPLE). Save it with the same number of fields on "
        "every line and without those quoted fields, or upload fewer rows."
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
    "io.kind_zip": "a ZIP archive (an Excel .xlsx workbook is one)",
    "io.kind_xls": "an old Excel .xls / OLE2 document",
    "io.kind_pdf": "a PDF document",
    "io.kind_png": "a PNG image",
    "io.kind_jpeg": "a JPEG image",
    "io.kind_gif": "a GIF image",
    "io.kind_gzip": "a gzip archive",
    "io.kind_bzip2": "a bzip2 archive",
    "io.kind_7z": "a 7-Zip archive",
    "io.kind_elf": "an executable",
    "io.kind_exe": "a Windows executable",
    "io.kind_parquet": "a Parquet file",
    "io.encoding_bom": "{codec} ({endian}, with BOM)",
    "io.encoding_utf8_bom": "UTF-8 with BOM",
    "io.encoding_no_bom": "{codec} ({endian}, no BOM)",
    "io.endian_little": "little-endian",
    "io.endian_big": "big-endian",
    "io.preview_more": "[{shown}, ... ({n} more)]",
    "io.preview_none": "[] (none)",
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
        "Params.covariances should be symmetric, but component {component} (numbered from "
        "1) has relative asymmetry {asymmetry:.2g}."
    ),
    "em.params_dict_keys": (
        "A parameter dict needs the keys 'weights', 'means' and 'covariances'; missing {key!r}."
    ),
    "em.resp_shape": "resp should have shape ({n_samples}, n_components), but got {shape}.",
    "em.resp_values": "resp should hold finite, non-negative responsibilities.",
    "em.resp_sum": "Each row of resp should sum to 1, but row {row} sums to {total:.6g}.",
    "em.fused_shape": (
        "The fused kernel handles 2-D data with 1 to {max_features} columns, but got shape "
        "{shape}; use the dense kernel."
    ),
    "em.params_features": "The parameters should have {d} features to match X, but have {got}.",
    "em.half_step": "half-step should be in [0, {last}], but got {h}.",
    "em.all_identical": (
        "All {n} points are identical ({point}): every column has zero variance, so there is "
        "no spread for a Gaussian to fit. Expected at least two distinct points. Check the "
        "column choice, or whether the file holds one repeated row."
    ),
    "em.fewer_distinct_than_k": (
        "K = {k} components need at least {k} distinct points, but the data has only "
        "{n_distinct}. Lower K."
    ),
    # ---- emviz._validation: arguments of every public function --------------------------------
    "check.positive_int": (
        "{name} should be a positive integer, but got {value!r}. Expected a whole number >= "
        "1."
    ),
    "check.int_at_least": (
        "{name} should be an integer >= {minimum}, but got {value!r}."
    ),
    "check.int_between": (
        "{name} should be an integer in [{minimum}, {maximum}], but got {value!r}."
    ),
    "check.seed": (
        "{name} should be a whole number >= 0 (or a numpy.random.Generator), but got "
        "{value!r}. The same seed always gives the same result."
    ),
    "check.number": (
        "{name} should be a finite number, but got {value!r}."
    ),
    "check.number_at_least": (
        "{name} should be a finite number >= {minimum:g}, but got {value!r}."
    ),
    "check.number_above": (
        "{name} should be a finite number > {minimum:g}, but got {value!r}."
    ),
    "check.number_between": (
        "{name} should be a finite number in [{minimum:g}, {maximum:g}], but got {value!r}."
    ),
    "check.choice": (
        "{name} should be one of {allowed}, but got {value!r}."
    ),
    "check.bool": (
        "{name} should be True or False, but got {value!r}."
    ),
    "check.mapping": (
        "{name} should be a dict (e.g. parsed JSON), but got a {type}."
    ),
    "check.callable": (
        "{name} should be a function or None, but got a {type}."
    ),
    "check.not_numbers": (
        "Expected {name} to be an array of numbers; got a {type}. Pass a list or NumPy array "
        "of numbers."
    ),
    "check.not_rectangular": (
        "Expected {name} to be a rectangular array of numbers; got a {type} that NumPy cannot"
        " convert ({reason}). Check that every row has the same length."
    ),
    "check.not_real": (
        "Expected {name} to hold real numbers; got an array of dtype {dtype}. Convert it to "
        "float (and drop text columns) first."
    ),
    "check.too_precise": (
        "Expected {name} in at most float64 precision; got dtype {dtype}. Convert it with "
        ".astype(float) first."
    ),
    "check.shape": (
        "{name} should have shape {expected}, but got shape {shape}."
    ),
    "check.not_finite_array": (
        "{name} should be finite, but {n_bad} value(s) are NaN or inf."
    ),
    "check.not_positive_definite": (
        "{name} should be positive definite, but component {component} has smallest "
        "eigenvalue {eigenvalue:.3g}. Expected every covariance matrix to have only positive "
        "eigenvalues (e.g. [[1, 0.5], [0.5, 1]], not [[1, 2], [2, 1]])."
    ),
    "check.data_features": (
        "Expected data with {n_features} columns to match the parameters; got {got}."
    ),
    "check.too_small_values": (
        "Values in {column!r} are too small (largest magnitude {magnitude:.3g}): their "
        "variance underflows float64. Expected magnitudes above about 1e-150. Rescale the "
        "column (e.g. multiply by a power of ten) before fitting."
    ),
    "check.reg_covar_large": (
        "reg_covar = {reg_covar:.3g} is not small against the data: it is {ratio:.3g} times "
        "the smallest variance of a feature ({variance:.3g}, feature {feature}), so it "
        "dominates the covariances and EM may stop at once. Standardise the features, or "
        "lower reg_covar below {limit:.3g}."
    ),
    "check.instance": (
        "{name} should be a {expected}, but got a {type}."
    ),
    "check.scale_unsupported": (
        "The data's spread ({spread:.3g}) is outside what {method} handles directly (about "
        "1e-18 to 1e18). Expected features of moderate size: standardise them first (Explore "
        "and run_em rescale by themselves)."
    ),
    "check.sequence": (
        "{name} should be a list or tuple, but got a {type}."
    ),
    "check.prior_points": (
        "The default prior scale is the data's covariance, which needs at least 2 points, but"
        " got {n}. Pass prior_scale= explicitly."
    ),
    # ---- emviz.coins: the two-coins example ---------------------------------------------------
    "coins.single_string": (
        "Tosses should be a list of strings, one per set (e.g. ['HTTH', 'HHTT']), but got a "
        "single string {value!r}."
    ),
    "coins.no_sets": "Tosses should contain at least one set, but got none. Add a set.",
    "coins.set_not_string": "Set {s} should be a string of H and T, but got {value!r}.",
    "coins.set_empty": (
        "Set {s} should contain at least one toss (H or T), but it is empty. Type some tosses "
        "or delete the set."
    ),
    "coins.set_bad_chars": (
        "Set {s} should contain only H and T, but got {value!r} (unexpected {chars})."
    ),
    "coins.counts_shape": (
        "heads and tails should be 1-D arrays of the same non-zero length, but got shapes "
        "{heads} and {tails}."
    ),
    "coins.counts_values": "heads and tails should be finite counts >= 0.",
    "coins.set_no_toss": "Set {s} should have at least one toss, but has none.",
    "coins.prior": "prior_a (P(coin A)) should be in (0, 1), but got {value!r}.",
    "coins.state_probability": (
        "CoinState.{name} should be a probability in [0, 1], but got {value!r}."
    ),
    "coins.impossible_set": (
        "Set {s} ({heads} H, {tails} T) is impossible under both coins (θ_A = {theta_a:g}, "
        "θ_B = {theta_b:g}). Expected at least one coin able to produce it: move a θ away from "
        "0 or 1."
    ),
    "coins.labels_length": (
        "labels should have one entry per set ({n_sets}), but got {n_labels}."
    ),
    "coins.labels_values": "labels should each be 'A' or 'B', but got {value!r}.",
    "coins.labels_one_coin": (
        "labels should include both coins, but no set is labelled {coin}; its θ cannot be "
        "estimated."
    ),
    # ---- emviz.kmeans -------------------------------------------------------------------------
    "kmeans.fewer_points_than_k": (
        "k-means with K = {k} clusters needs at least {k} data points, but the data has {n}. "
        "Lower K or add data."
    ),
    "kmeans.centres_shape": (
        "{name} centres should have shape (n_clusters, {d}), but got {shape}."
    ),
    "kmeans.centres_finite": "{name} centres should be finite, but contain NaN or inf.",
    "kmeans.random_distinct": (
        "init='random' needs {k} distinct data points, but the data has only {n_distinct}. "
        "Lower K."
    ),
    "kmeans.init": (
        "init should be one of {allowed} or an array of centres, but got {value!r}."
    ),
    "kmeans.init_shape": (
        "init centres should have shape ({k}, {d}) for n_clusters = {k}, but got {shape}."
    ),
    # ---- emviz.restarts -----------------------------------------------------------------------
    "restarts.shapes_differ": (
        "Both mixtures should have the same shape to be compared, but got {a} and {b} "
        "(components, features)."
    ),
    "restarts.no_methods": "methods should name at least one of {allowed}, but got ().",
    "restarts.unknown_method": "methods should be among {allowed}, but got {value!r}.",
    "restarts.repeated_methods": "methods should not repeat, but got {value}.",
    "work.cancelled": (
        "The computation was stopped on request before it finished, so there is no result. "
        "Start it again to see it."
    ),
    "restarts.cancelled": (
        "The EM runs were stopped on request before they all finished, so there is no "
        "result. Start them again to see it."
    ),
    # Why an optimum looks near-degenerate (Optimum.reason, SelectionCell.reason). Components
    # are numbered from 1, as in the figures' legends ("component 1" is index 0).
    "restarts.reason_collapsed": (
        "the run collapsed: a covariance became singular (the likelihood is unbounded)"
    ),
    "restarts.reason_few_points": (
        "component {component} holds only ≈{points:.2f} points (fewer than {min_points})"
    ),
    "restarts.reason_tiny_volume": (
        "component {component}'s covariance determinant is {ratio} times the median of "
        "the others"
    ),
    "restarts.reason_flat": (
        "component {component} is flat: its thinnest variance is {thinnest} (reg_covar = "
        "{reg_covar:.3g}) against {widest} along its widest axis, so its points lie "
        "(almost) on a line or plane and only the floor keeps its covariance invertible"
    ),
    "restarts.reason_not_converged": (
        "EM stopped at max_iter before converging, so the fit was still changing"
    ),
    # ---- emviz.basins -------------------------------------------------------------------------
    "basins.start_type": (
        "start should be a Params (weights, means, covariances), but got a {type}."
    ),
    "basins.dimensions": (
        "A basin map needs 2 features (the plane the starting mean moves in), but the data "
        "has {d} and the start {d_start}. Pick two columns, or project onto 2 with PCA."
    ),
    "basins.n_components": (
        "A basin map sweeps one of 2 to {high} components, but the start has {value}. Choose "
        "K between 2 and {high}."
    ),
    "basins.component": (
        "component should be the index of a component, 0 to {k} - 1, but got {value!r}."
    ),
    "basins.start_singular": (
        "The start should have finite means and positive-definite covariances, but it does "
        "not. Start from initialize(...) or increase reg_covar."
    ),
    "basins.grid": (
        "grid should be a whole number of cells from {low} to {high}, or two of them (n_x, "
        "n_y), but got {value!r}."
    ),
    "basins.pad": "pad should be a finite number >= 0, but got {value!r}.",
    "basins.bounds": (
        "bounds should be ((x_low, x_high), (y_low, y_high)) with finite lows below highs, "
        "but got {value!r}."
    ),
    "basins.cell": (
        "The cell ({row}, {col}) is not on the map: rows should be 0 to {n_y} - 1 and columns "
        "0 to {n_x} - 1."
    ),
    "basins.known_type": (
        "known should be the RestartsResult of run_restarts, but got a {type}."
    ),
    "basins.known_model": (
        "known should be restarts of the same model (K = {k}, covariance_type = "
        "{covariance_type!r}, reg_covar = {reg_covar:g}), but they were run with (K, "
        "covariance_type, reg_covar) = {known}. Run the restarts with the map's model."
    ),
    # ---- emviz.selection ----------------------------------------------------------------------
    "selection.no_cell": (
        "No cell for K = {k!r}, covariance_type = {covariance_type!r}; expected K in "
        "{k_values} and a type in {types}."
    ),
    "selection.k_range_bad": (
        "k_range should hold positive integers, but got {value!r} (bad: {bad!r})."
    ),
    "selection.k_range_empty": "k_range should hold at least one positive integer, but is empty.",
    "selection.k_range_repeats": "k_range should not repeat a value, but got {value!r}.",
    "selection.no_types": (
        "covariance_types should name at least one of {allowed}, but got ()."
    ),
    "selection.types_repeat": "covariance_types should not repeat, but got {value}.",
    "selection.collapsed": (
        "Every start collapsed ({why}); the likelihood is unbounded, so the cell has no "
        "BIC/AIC. Increase reg_covar or lower K."
    ),
    "selection.start_singular": "component {component} was singular already at the start",
    "selection.collapsed_at": "component {component} collapsed at iteration {n_iter}",
    "selection.max_iter": (
        "EM did not converge within max_iter = {max_iter} iterations; the scores may still "
        "improve with more iterations."
    ),
    # Why the best cell by a criterion is not the recommended one (SelectionResult.passed_over);
    # {reason} is the restarts lab's clauses (restarts.reason_*), components numbered from 1.
    "selection.passed_over": "lowest {crit}, but {reason}",
    # ---- emviz.exports ------------------------------------------------------------------------
    "exports.not_json": (
        "A parameter file should be JSON as written by emviz, but it could not be parsed "
        "({reason}). Download the parameters again."
    ),
    "exports.not_object": (
        "A parameter file should hold a JSON object, but got {type}."
    ),
    "exports.resp_shape": (
        "resp should have shape ({n}, K) to match rows, but got {shape}."
    ),
    "exports.rows_range": "rows should index the {n} rows of the table.",
    "exports.png_unavailable": (
        "The PNG export needs a Chromium browser on the server, but kaleido could not start "
        "one ({reason}). Install Chromium (Debian: apt-get install chromium) or set "
        "BROWSER_PATH; meanwhile use the camera icon in the chart's toolbar, which saves a PNG "
        "from your own browser."
    ),
    "exports.png_timeout": (
        "The PNG was not ready after {seconds} s: the headless Chromium that draws it did not "
        "answer. Use the camera icon in the chart's toolbar instead, or try again when the "
        "server is less busy."
    ),
    "exports.not_png": "kaleido returned something that is not a PNG image; try again.",
    # ---- emviz.remedies -----------------------------------------------------------------------
    "remedies.reseed_flat": (
        "Re-seeding needs data that spread in every direction, but the data covariance has an "
        "eigenvalue of {eigenvalue:.3g} (threshold {floor:.3g}): the points lie on a line or "
        "plane. Drop a constant or redundant column, or use the MAP remedy with a prior_scale."
    ),
    "remedies.prior_scale_shape": "prior_scale should have shape ({d}, {d}), but got {shape}.",
    "remedies.prior_shrinkage": "prior_shrinkage should be a positive number, but got {value!r}.",
    "remedies.prior_strength": (
        "prior_strength (the prior's degrees of freedom) should exceed D − 1 = {limit}, but got "
        "{value!r}."
    ),
    "remedies.prior_scale_singular": (
        "prior_scale should be symmetric positive definite, but it is singular (with the "
        "default, the data covariance is singular: a constant or redundant column). Pass a "
        "positive-definite prior_scale, e.g. a small multiple of the identity."
    ),
    "remedies.prior_features": "The prior has {prior} features, but the data {data}.",
    # ---- emviz.vbgmm --------------------------------------------------------------------------
    "vbgmm.default_prior_points": (
        "The default covariance prior is the data's covariance, which needs at least 2 points, "
        "but got {n}. Pass covariance= explicitly."
    ),
    "vbgmm.fewer_distinct_than_k": (
        "K = {k} components need at least {k} distinct points, but the data has {n_distinct}. "
        "Lower K or add data."
    ),
    "vbgmm.shape": "{name} should have shape {want}, but got shape {shape}.",
    "vbgmm.finite": "{name} should be finite, but contains NaN or inf.",
    "vbgmm.not_symmetric": "{name} should be symmetric, but it is not. {advice}",
    "vbgmm.not_positive_definite": (
        "{name} should be positive definite, but its smallest eigenvalue is {eigenvalue:.3g}. "
        "{advice}"
    ),
    "vbgmm.prior_covariance_advice": (
        "Pass a positive-definite covariance (e.g. a scaled identity), or remove constant or "
        "collinear features from the data."
    ),
    "vbgmm.prior_positive": "VBPrior.{name} should be a finite number > 0, but got {value!r}.",
    "vbgmm.prior_mean_empty": "VBPrior.mean should have at least one feature, but is empty.",
    "vbgmm.prior_dof": (
        "VBPrior.degrees_of_freedom should be greater than n_features - 1 = {limit}, but got "
        "{value!r}."
    ),
    "vbgmm.params_empty": (
        "VBParams need at least one component and feature; got means {shape}."
    ),
    "vbgmm.params_positive": "VBParams.{name} should be > 0, but got {value}.",
    "vbgmm.params_dof": (
        "VBParams.degrees_of_freedom should exceed n_features - 1 = {limit}, but got {value}."
    ),
    "vbgmm.params_b": "VBParams.weight_concentration_b should be > 0, got {value}.",
    "vbgmm.features_differ": (
        "VBParams and VBPrior should have the same number of features, but got {params} and "
        "{prior}."
    ),
    "vbgmm.weight_prior_differs": (
        "VBParams and VBPrior should use the same weight prior, but got {params!r} and "
        "{prior!r}."
    ),
    "vbgmm.resp_columns": (
        "resp should have {k} columns (one per component), but got {got}."
    ),
    "vbgmm.init_resp_columns": "init_resp should have {k} columns, but got {got}.",
    # ---- emviz.data: synthetic data and presets ----------------------------------------------
    "data.dataset_x_shape": (
        "Dataset.X should have shape (n_samples, n_features), but got {shape}."
    ),
    "data.dataset_labels_shape": "Dataset.labels should have shape ({n},), but got {shape}.",
    "data.dataset_columns": "Dataset.columns should name {d} features, but got {got}.",
    "data.dataset_params": "Dataset.params have {params} features, but X has {d}.",
    "data.suggested_init": "suggested_init should be one of {allowed} or None, but got {value!r}.",
    "data.imbalance": "imbalance should be in [0, 1), but got {value!r}.",
    "data.weights_and_imbalance": (
        "Give either weights or imbalance, not both: weights fixes the proportions exactly."
    ),
    "data.weights_values": (
        "weights should be {k} non-negative numbers (one per component), but got {value!r}."
    ),
    "data.weights_sum": "weights should sum to 1, but they sum to {total:.6g}.",
    "data.too_few_samples": (
        "n_samples should be at least n_components = {k}, but got {n}. Draw more points."
    ),
    "data.labelings": (
        "Both labelings should be 1-D and of the same non-zero length, but got shapes {a} and "
        "{b}."
    ),
    "data.pca_components": (
        "n_components should be at most min(n_samples, n_features) = {limit}, but got {k}."
    ),
    "data.mixture": (
        "{k} {shape} Gaussian components in {d}-D, closest means {separation:g} standard "
        "deviations apart."
    ),
    "data.shape_spherical": "spherical",
    "data.shape_axis_aligned": "axis-aligned",
    "data.shape_rotated": "rotated",
    "data.preset_well_separated": (
        "Three clearly separated clusters: EM finds them from almost any start, so watch how "
        "the ellipses settle in a few iterations."
    ),
    "data.preset_overlapping": (
        "Three overlapping clusters: points in the overlap get split responsibilities, and EM "
        "needs many iterations to pull the components apart."
    ),
    "data.preset_elongated": (
        "Three long, thin, parallel clusters. k-means cuts them crosswise into round pieces; a "
        "full-covariance mixture stretches its ellipses along them and recovers all three."
    ),
    "data.preset_unequal_sizes": (
        "One big, broad cluster with two small, tight ones at its edge. k-means draws its "
        "borders halfway between centres and hands the big cluster's points to the small ones; "
        "a mixture learns different sizes and weights."
    ),
    "data.preset_three_peaks_1d": (
        "A histogram with three peaks of different widths and heights: the simplest picture of "
        "a mixture density as a weighted sum of bell curves."
    ),
    "data.preset_six_clusters_3d": (
        "Six elongated clusters in three dimensions: rotate the view to see the ellipsoids line "
        "up with the point clouds."
    ),
    "data.preset_singularity_trap": (
        "Three round clusters plus one point repeated {n_repeats} times. With reg_covar = 0 a "
        "component can shrink onto the repeated point while the likelihood grows without bound "
        "(data seed 0: K = {k}, full covariances, init '{method}' seed {seed}); any "
        "reg_covar > 0 puts a floor under the variance."
    ),
    "data.preset_kmeans_agrees": (
        "Four equal, round, well-separated clusters: exactly k-means' assumptions, so k-means "
        "and the mixture give the same answer."
    ),
    # ---- tables prepared for fitting (descriptions and notes the UI shows) --------------------
    "data.table_sample": "sample: {rows} rows × {columns} columns",
    "data.table_upload": "upload: {rows} rows × {columns} columns",
    "data.rows_note": "Rows: {summary}.",
    "data.standardised": "Columns standardised (mean 0, standard deviation 1).",
    "data.projected": (
        "Projected {n} numeric columns onto their first {d} principal components, which "
        "explain {percent:.0f}% of the variance."
    ),
    "data.projected_standardised": (
        "Projected {n} numeric columns onto their first {d} principal components (after "
        "standardising), which explain {percent:.0f}% of the variance."
    ),
    # ---- emviz.figures, emviz.figures_labs ----------------------------------------------------
    "figures.x_shape": "X should have shape (n_samples, n_features), but got {shape}.",
    "figures.dimensions": (
        "Figures draw 1, 2 or 3 features, but the data has {d}. Choose at most 3 columns or "
        "project the data (e.g. PCA) before drawing."
    ),
    "figures.params_features": "{name} should have {d} features to match X, but has {got}.",
    "figures.resp_shape": "resp should have shape ({n}, {k}), but got {shape}.",
    "figures.decomposition_terms": (
        "The lower-bound decomposition needs a half-step with responsibilities (h ≥ 1), but "
        "got the initial state (h = 0)."
    ),
    "numbers.digits": "digits should be at least 1, but got {digits}.",
    "numbers.parse": "The text should be a number written by sig(), but got {text!r}.",
    "figures.resps_count": (
        "resps should hold the responsibilities of trace.params[0..{last}] (at least {n} "
        "arrays), but got {got}."
    ),
    "figures.position": "position should be a half-step in [0, {last}], but got {h}.",
    "formulas.kind": "kind should be one of {allowed} (a half-step's kind), but got {value!r}.",
    "figures.table_resp_shape": "resp should have shape (n, {k}), but got {shape}.",
    "figures.centres_2d": "centers should have shape (n_clusters, 2), but got {shape}.",
    "figures.basin_dimensions": (
        "A basin map draws data of shape (n_samples, 2), but got {shape}."
    ),
    "figures.labels_shape": "labels should have shape ({n},), but got {shape}.",
    "figures.criterion": "criterion should be 'bic' or 'aic', but got {value!r}.",
    # ---- emviz.stepper ------------------------------------------------------------------------
    "stepper.x_shape": (
        "X should have shape (n_points, {d}) to match the run's {d} features, but got {shape}."
    ),
    "stepper.labels_shape": "labels should have shape ({n},), one per point, but got {shape}.",
    "stepper.lockstep": (
        "The k-means and EM runs should share {k} components and {d} features, but the EM "
        "run has {k_em} components and {d_em} features. Start both from the same centres."
    ),
    "stepper.assemble": (
        "A payload of {n} positions needs {n} kinds and {n} labels and known controls, but "
        "got {kinds} kinds, {labels} labels and unknown controls {unknown}."
    ),
    "stepper.mixture_chart": (
        "A mixture chart needs points of shape (n_points, d) matching the states' features, "
        "one drawn state and one colouring state per position, and one shown-mask per state, "
        "but got points of shape {shape}, states with features {features}, {drawn} drawn "
        "and {coloured} colouring positions, and masks: {shown} for {states} states."
    ),
    # ---- emviz.geometry -----------------------------------------------------------------------
    "geometry.coverage": "coverage should be strictly between 0 and 1, but got {value!r}.",
    "geometry.mean_cov_shape": (
        "Expected a mean of shape ({dim},) and a covariance of shape ({dim}, {dim}), but got "
        "{mean} and {cov}."
    ),
    "geometry.variance": "var should be a variance >= 0, but got {value!r}.",
    "geometry.density_1d_features": (
        "mixture_density_1d needs a 1-feature mixture, but got {d} features."
    ),
    "geometry.density_1d_variances": "mixture_density_1d needs positive variances.",
    "geometry.colours": "Colours should be '#RRGGBB' strings, but got {value!r}.",
    "geometry.resp_shape": "resp should have shape (n, K), but got {shape}.",
    "geometry.square": "cov should be a square matrix, but got shape {shape}.",
    # ---- emviz.columns: default column choice -------------------------------------------------
    "columns.id_run": (
        "{column!r} skipped: it holds the row numbers {start}..{stop} in order, an identifier, "
        "not a measurement"
    ),
    "columns.id_name": "{column!r} skipped: its name says it identifies rows",
    "columns.id_unique": (
        "{column!r} skipped: a different whole number on each of its {n} rows, like an "
        "identifier"
    ),
    "columns.few_values": (
        "{column!r} skipped: only {k} distinct whole numbers ({values}), so it looks like a "
        "category, not a measurement"
    ),
    # ---- emviz.model: a fitted mixture applied to new rows ------------------------------------
    "model.bad_array": "{name} should be an array of numbers, but could not be read: {reason}.",
    "model.bad_shape": (
        "{name} should be a finite array of shape {expected}, but got shape {shape}."
    ),
    "model.half_standardise": (
        "Standardisation needs both a mean and a scale per column; expected both or neither, "
        "but got only one."
    ),
    "model.half_pca": (
        "PCA needs both its centre and its axes; expected both or neither, but got only one."
    ),
    "model.bad_preprocessing": (
        "The preprocessing in the parameters file could not be read ({reason}). Expected the "
        "'preprocessing' object that emviz writes (columns, standardise, pca). Download the "
        "parameters again from Explore."
    ),
    "model.dimensions": (
        "The parameters have {d} features but the preprocessing produces {n} ({names}). "
        "Expected the two to match: use the parameters file exactly as emviz wrote it."
    ),
    "model.missing_columns": (
        "The new rows lack the numeric column(s) {missing}. Expected every column the model "
        "was fitted on: {columns}. Use a file with the same column names (and numbers in them)."
    ),
    # ---- emviz.rawcsv: the labelled copy of a file ----------------------------------------------
    "rawcsv.rows_mismatch": (
        "The file's text has {n} data rows but the loaded table has {expected}. Expected the "
        "table loaded from this very file; load it again."
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

    def __str__(self) -> str:  # str(message) keeps the code (a plain copy would lose it)
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

    def __str__(self) -> str:
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (Joined, (self.parts, self.sep))


E = TypeVar("E", bound="EmvizError")


def error(cls: type[E], code: str, /, **params: object) -> E:
    """An error of class ``cls`` with the English message ``code`` formatted with ``params``.

    ``raise error(DataError, "io.empty_array", shape=(0, 2))``
    """
    return cls(Message(code, **params), code=code, params=params)
