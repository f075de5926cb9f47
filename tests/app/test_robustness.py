"""Hostile input through the whole app (AppTest): every corpus file, degenerate fits,
sessions that must not mix, an HTML-injection header, and the loader's fast path.

Each corpus file is uploaded through the real file uploader. It must end in a chart or in an
``st.error`` that carries the loader's own message: never an exception, never the generic
"Something went wrong" fallback (that one means an error nobody planned for).
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import emviz.data.csv as emio
from emviz.errors import DataError
from emviz.text import markdown_text
from tests.builders import blobs, csv_bytes
from tests.shown import shown

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
UI = ROOT / "emviz" / "ui"
from tests.csv_corpus.make_corpus import EXPECTED, build_corpus  # noqa: E402
from tests.stepper_view import payload, stepped_to  # noqa: E402

CORPUS = build_corpus()
XSS = "<img src=x onerror=alert(1)>"
GENERIC = "Something went wrong"


# --- helpers ---------------------------------------------------------------------------
def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload_app(data: bytes, name: str = "data.csv", **state) -> AppTest:
    """A fresh session on the upload source with ``data`` uploaded (and ``state`` preset)."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["data_source"] = "Upload CSV"
    for key, value in state.items():
        at.session_state[key] = value
    ok(at.run())
    return ok(at.file_uploader(key="csv_upload").upload(name, data, "text/csv").run())


def messages(at: AppTest, *kinds: str) -> list[str]:
    return [shown(e.value) for kind in kinds for e in getattr(at, kind)]


def n_points(at: AppTest) -> int:
    """Points the Explore stepper draws."""
    return payload(at)["points"]["drawn"]


def loader_message(raw: bytes) -> str | None:
    try:
        emio.load_csv(raw)
    except DataError as exc:
        return str(exc)
    return None


# --- every corpus file through the uploader --------------------------------------------
@pytest.mark.parametrize("case", list(CORPUS))
def test_corpus_file_ends_in_a_chart_or_the_loaders_message(case: str) -> None:
    raw = CORPUS[case]
    at = upload_app(raw, f"{case}.csv")
    errors = messages(at, "error")
    assert not any(GENERIC in e for e in errors), errors
    expected = loader_message(raw)
    if EXPECTED[case] == "DataError":
        assert expected is not None
        assert any(expected in e for e in errors), (expected, errors)
        assert not at.get("bidi_component")
    else:
        assert expected is None
        # Loads; the fit may still refuse it (all identical, variance overflow, no full row).
        assert at.get("bidi_component") or errors or messages(at, "warning"), case


def test_corpus_expectations_hold_at_engine_level() -> None:
    for case, raw in CORPUS.items():
        assert (loader_message(raw) is None) == (EXPECTED[case] == "loads"), case


# --- degenerate fits end in a clear message ---------------------------------------------
def test_k_larger_than_n_says_so() -> None:
    at = upload_app(CORPUS["fewer_points_than_k"], model_k=5)
    text = " ".join(messages(at, "error"))
    assert "K = 5" in text and "3" in text and GENERIC not in text


def test_all_points_identical_says_so() -> None:
    # Whatever K and reg_covar, identical points are refused with the engine's message.
    for kwargs in ({}, {"model_k": 1, "model_reg": 0.0}, {"model_k": 1}):
        at = upload_app(CORPUS["all_identical"], **kwargs)
        text = " ".join(messages(at, "error", "warning"))
        assert "identical" in text and GENERIC not in text, (kwargs, text)
        assert not at.get("bidi_component")


SINGULARITY_TRAP = b"a,b\n" + b"".join(
    f"{x:.6f},{y:.6f}\n".encode() for x, y in np.random.default_rng(0).normal(0, 1, (30, 2))
) + b"3,3\n" * 10  # ten copies of one point: a component can sit on them with zero variance


def test_collapse_during_the_run_is_a_warning_at_the_end() -> None:
    at = upload_app(SINGULARITY_TRAP, model_reg=0.0, model_k=3, model_tol=0.0,
                    model_init="random")  # starts fine, collapses at iteration 12
    end = payload(at)["end"]  # shown by the browser at the last half-step
    assert end["level"] == "warning"
    assert "collapsed" in end["text"] and "reg_covar" in end["text"], end


def test_collapse_at_the_start_is_a_warning_not_an_exception() -> None:
    at = upload_app(SINGULARITY_TRAP, model_reg=0.0, model_k=3, model_tol=0.0,
                    model_init="random_from_data")
    text = " ".join(messages(at, "warning", "error"))
    assert "collapsed" in text and "reg_covar" in text and GENERIC not in text
    assert not at.get("bidi_component")


# --- sessions never mix -----------------------------------------------------------------
def test_two_sessions_with_different_uploads_never_mix() -> None:
    # The same file name on purpose: only the bytes tell the uploads apart, so the caches
    # must be keyed on them (cache.table and cache.prepared take the content digest).
    a = csv_bytes(blobs(120, k=1, seed=1), ("u", "v"))
    b = csv_bytes(blobs(70, k=1, seed=2, offset=10.0), ("u", "v"))
    one = upload_app(a, "same.csv")
    two = upload_app(b, "same.csv")
    assert n_points(one) == 120 and n_points(two) == 70
    stepped_to(one, 2)
    ok(two.run())
    assert n_points(one) == 120 and n_points(two) == 70
    assert one.session_state["position"] == 2 and two.session_state["position"] == 0
    captions_one = " ".join(str(c.value) for c in one.caption)
    captions_two = " ".join(str(c.value) for c in two.caption)
    assert "120 rows" in captions_one and "70 rows" in captions_two


def test_upload_caches_are_keyed_on_the_content() -> None:
    """The cached loaders take the upload's digest; the raw bytes (``_raw``) are unhashed."""
    tree = ast.parse((UI / "cache.py").read_text())
    funcs = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
    args = [a.arg for a in funcs["table"].args.args]
    assert "digest_" in args and "_raw" in args
    spec = (UI / "state.py").read_text()
    assert "digest: str" in spec  # TableSpec carries the digest into prepared/fit keys
    panel = (UI / "data_panel.py").read_text()
    assert "cache.digest(raw)" in panel


# --- HTML injection -----------------------------------------------------------------------
def test_xss_header_is_shown_as_text() -> None:
    at = upload_app(CORPUS["xss_header"], f"{XSS}.csv")
    assert XSS in at.multiselect(key="tbl_columns").options
    assert markdown_text(XSS) in " ".join(str(c.value) for c in at.caption)
    for md in at.markdown:  # nothing quoting the header is allowed to render raw HTML
        assert not (md.proto.allow_html and "<img" in md.proto.body), md.proto.body
    for el in at.get("html"):
        assert "<img" not in str(el.proto), "user text reached st.html"


def _unsafe_html_calls(path: Path) -> list[tuple[int, ast.AST]]:
    """(line, first argument) of every call with unsafe_allow_html=True, and of st.html."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        unsafe = any(k.arg == "unsafe_allow_html" and not (
            isinstance(k.value, ast.Constant) and k.value.value is False) for k in node.keywords)
        is_html = isinstance(node.func, ast.Attribute) and node.func.attr == "html"
        if unsafe or is_html:
            out.append((node.lineno, node.args[0] if node.args else None))
    return out


#: st.html calls allowed on non-constant strings: the CSS read from assets/ (never user text).
#: Adding to this set needs a reviewer to confirm the string cannot hold user input.
STATIC_HTML = {("explore.py", "_styles"), ("presenter.py", "inject_css"),
               # the history script: constant code around the app's page paths (JSON)
               ("sidebar_common.py", "render"),
               # a first run's link correction: the query as JSON with "<" escaped
               ("sidebar_common.py", "sync_url")}


def test_no_user_text_is_rendered_as_html() -> None:
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text())
        owner = {}
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef):
                for node in ast.walk(fn):
                    owner.setdefault(getattr(node, "lineno", -1), fn.name)
        for line, arg in _unsafe_html_calls(path):
            constant = isinstance(arg, ast.Constant) or (
                isinstance(arg, ast.JoinedStr)
                and all(isinstance(v, ast.Constant) for v in arg.values))
            assert constant or (path.name, owner.get(line)) in STATIC_HTML, (
                f"{path.name}:{line} renders a non-constant string as HTML")


# --- the loader's fast path gives the same table as the careful one ----------------------
_RNG = np.random.default_rng(0)
EDGE_CASES = {
    "ints": b"a,b,c\n" + b"".join(b"%d,%d,x%d\n" % (i, i * i, i) for i in range(300)),
    "floats_crlf_semicolon": b"a;b\r\n" + b"".join(
        b"%r;%r\r\n" % (float(x), float(y)) for x, y in _RNG.normal(size=(300, 2))),
    "all_thousands_groups": b"a,b\n" + b"".join(b"1.%03d,%d\n" % (i, i) for i in range(300)),
    "groups_then_decimal": b"a;b\n" + b"".join(b"1.%03d;%d\n" % (i, i) for i in range(300))
    + b"1.5;3\n",
    "integers_then_a_dot": b"a,b\n" + b"0,1\n" * 100 + b"0.5,2\n",
    "padded_numbers": b"a,b\n" + b"".join(
        b" %r , %d\n" % (float(x), i) for i, x in enumerate(_RNG.normal(size=50))),
    "inf_nan_tokens": b"a,b\n1,2\ninf,3\n-Infinity,4\nnan,5\nNA,6\n",
    "text_labels": b"x,y,label\n" + b"".join(
        b"%r,%r,cls %d\n" % (float(x), float(y), i % 3)
        for i, (x, y) in enumerate(_RNG.normal(size=(200, 2)))),
    "blank_line": b"a,b\n1,2\n\n3,4\n",
    "delimiters_only_row": b"a,b\n1,2\n,\n3,4\n",
    "pandas_index": b",a,b\n0,1.5,2\n1,2.5,3\n2,3,4\n",
    "headerless": b"".join(
        b"%r,%r\n" % (float(x), float(y)) for x, y in _RNG.normal(size=(300, 2))),
    "latin1_pipe": "Größe|b\n1.5|2\n2.5|3\n".encode("latin-1"),
    "exponents_only": b"a,b\n1e5,2\n3E-2,4\n",
    "beyond_int64": b"a,b\n99999999999999999999999,1\n2,3\n",
    "booleans": b"a,b\nTrue,1\nFalse,2\n",
    "no_final_newline": b"a,b\n1.5,2\n3.5,4",
    "lone_cr": b"a,b\r1.5,2\r3.5,4\r",
    "short_row": b"a,b,c\n1,2,3\n4,5\n",
    "trailing_delimiters": b"a,b\n1,2,,\n3,4\n",
    "signs_and_bare_dots": b"a,b\n+1.5,1.\n-.25,+2\n",
    "decimal_comma": b"a;b\n" + b"".join(b"%d,%d;%d\n" % (i, i % 7, i) for i in range(200)),
    "one_column": b"x\n" + b"".join(b"%r\n" % float(x) for x in _RNG.normal(size=300)),
    "one_column_blank_line": b"x\n1.5\n\n2.5\n",
    "one_column_missing": b"x\n1.5\nNA\n2.5\n",
    "one_column_trailing_blank_lines": b"x\n1\n2\n\n\n",
    "missing_tokens_any_case": b"a,b\n1.5,2\nNa,3\nNULL,4\n#N/A,5\nnone,6\n,7\nn/a,8\n",
    "missing_later_than_the_sample": b"a,b\n" + b"1.5,2\n" * 2000 + b"NA,3\n",
    "text_later_than_the_sample": b"a,b\n" + b"1.5,2\n" * 2000 + b"oops,3\n",
    "all_missing_column": b"a,b\n1,NA\n2,NA\n",
    "inf_and_missing": b"a,b\n1,inf\n2,NA\n3,4\n",
    "r_write_csv": b'"","x","y","grp"\n"1",1.5,2.5,"a"\n"2",3.5,4.5,"b"\n"3",5,6,"a"\n',
    "quoted_numbers_everywhere": b'"a","b"\n"1.5","2"\n"3.25","4"\n',
    "quoted_thousands_groups": b'"a","b"\n' + b"".join(b'"1.%03d",%d\n' % (i, i)
                                                     for i in range(200)),
    "quoted_comma_inside": b'a,b,c\n1,2,"x, y"\n3,4,"z"\n',
    "quoted_newline_inside": b'a,b,c\n1,2,"x\ny"\n3,4,"z"\n',
    "escaped_quotes": b'a,b,c\n1,2,"say ""hi"""\n3,4,""\n',
    "stray_quote_mid_field": b'a,b,c\n1,2,12" pipe\n3,4,z\n',
    "quote_after_closing": b'a,b,c\n1,2,"x"y\n3,4,z\n',
    "spaces_inside_quotes": b'a,b\n" 1.5",2\n"2.5 ",3\n',
    "blank_quoted_row": b'a,b\n1,2\n"",""\n3,4\n',
}


def _load(raw: bytes, fast: bool, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(emio, "_FAST_MIN_CHARS", 0 if fast else 10**15)
    try:
        return emio.load_csv(raw)
    except DataError as exc:
        return str(exc)


@pytest.mark.parametrize("case", [*CORPUS, *EDGE_CASES])
def test_fast_path_matches_the_careful_path(case: str, monkeypatch) -> None:
    raw = CORPUS.get(case, EDGE_CASES.get(case))
    fast, slow = _load(raw, True, monkeypatch), _load(raw, False, monkeypatch)
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
        return
    for name in ("columns", "numeric_columns", "text_columns", "n_rows", "notes", "delimiter",
                 "decimal", "encoding", "has_header"):
        assert getattr(fast, name) == getattr(slow, name), name
    pd.testing.assert_frame_equal(fast.frame, slow.frame)


@pytest.mark.parametrize("case", ["text_labels", "one_column", "missing_tokens_any_case",
                                  "r_write_csv", "quoted_numbers_everywhere", "escaped_quotes",
                                  "text_later_than_the_sample"])
def test_fast_path_is_taken_for_plain_files(case: str, monkeypatch) -> None:
    """Plain files, including R's quoted exports and missing cells, skip the cell-by-cell
    path: it costs well over 100 bytes of memory per cell."""
    taken = []
    real = emio._fast_table
    monkeypatch.setattr(emio, "_fast_table", lambda *a: taken.append(real(*a)) or taken[-1])
    emio.load_csv(EDGE_CASES[case])
    assert taken and taken[0] is not None


# --- the column picker never gets more than MAX_COLUMNS options -----------------------------
def test_a_file_wider_than_the_column_limit_never_reaches_the_picker() -> None:
    width = emio.MAX_COLUMNS + 1
    wide = (",".join(f"c{i}" for i in range(width)) + "\n" + ",".join(["1"] * width)
            + "\n").encode()
    at = upload_app(wide, "wide.csv")
    assert any("10,001 columns" in m and "MAX_COLUMNS" in m for m in messages(at, "error"))
    assert not at.multiselect and not at.get("bidi_component")


def test_the_widest_file_allowed_fills_the_picker_and_draws() -> None:
    width = emio.MAX_COLUMNS
    rng = np.random.default_rng(0)
    rows = "\n".join(",".join(f"{v:.2f}" for v in rng.normal(size=width)) for _ in range(6))
    at = upload_app((",".join(f"c{i}" for i in range(width)) + "\n" + rows + "\n").encode())
    assert len(at.multiselect(key="tbl_columns").options) == width
    assert at.get("bidi_component")  # Explore's stepper with its chart
