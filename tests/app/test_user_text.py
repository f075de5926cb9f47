"""User text is always text: the escaping functions, and the app showing hostile names.

The corpus holds what a careless or hostile CSV can carry in a file name, a column name, a
label or a cell: Markdown images and links, raw HTML, Streamlit's colour and icon
directives, maths, Plotly's hover templates, autolinks, entities, line breaks.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from emviz.figures.mixture import FigureOptions, mixture_figure
from emviz.text import WORD_JOINER, markdown_text, plotly_text
from tests.stepper_view import payload

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")

HOSTILE = (
    "![p](http://host/x)",
    "[x](http://h)",
    '<a href="http://h">x</a>',
    "%{x}",
    ":red[x]",
    "$x$",
    "<img src=x onerror=alert(1)>",
    "`tick` ``two``",
    "**bold** *it* _it_ ~~del~~",
    ":material/home: :smile:",
    "see http://h.com, www.h.com or a@h.com",
    "# heading",
    "- item",
    "1. item",
    "> quote",
    "| a | b |",
    "&lt;b&gt; &amp; &#60;",
    "line\nbreak\r\nand\ttab",
    "back\\slash \\*",
    "$$y$$ \\(z\\)",
    "%{y:.2f}<br>%{customdata}",
)


def unescape_markdown(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).replace(WORD_JOINER, "")


# --- the two functions --------------------------------------------------------------------
@pytest.mark.parametrize("name", HOSTILE)
def test_markdown_text_shows_the_characters_and_nothing_else(name: str) -> None:
    out = markdown_text(name)
    assert unescape_markdown(out) == re.sub(r"[\x00-\x1f]+", " ", name)
    assert "\n" not in out and "\r" not in out
    # No ASCII punctuation is left bare: each one starts some construct somewhere.
    bare = re.sub(r"\\.", "", out)
    assert not re.search(r"[!-/:-@\[-`{-~]", bare), bare
    # No autolink literal survives (they are found after the escapes are gone).
    plain = unescape_markdown(out.replace(WORD_JOINER, "\0"))
    assert not re.search(r"(?i)https?://|www\.|@\w", plain), plain


@pytest.mark.parametrize("name", HOSTILE)
def test_plotly_text_shows_the_characters_and_nothing_else(name: str) -> None:
    out = plotly_text(name)
    assert html.unescape(out) == name
    assert "<" not in out and ">" not in out and "%" not in out and "$" not in out
    assert not re.search(r"&(?!amp;|lt;|gt;|#37;|#36;)", out), out


def test_escaping_is_pure_and_takes_any_value() -> None:
    assert markdown_text(3.5) == "3\\.5" and plotly_text(None) == "None"
    assert markdown_text("plain words") == "plain words" == plotly_text("plain words")


def test_figure_axis_titles_and_hover_keep_names_as_text() -> None:
    import numpy as np

    names = ("%{x}", '<a href="http://h">x</a>')
    fig = mixture_figure(np.random.default_rng(0).normal(size=(50, 2)), None,
                         options=FigureOptions(column_names=names, title="$t$ <b>")).to_dict()
    layout = fig["layout"]
    assert layout["xaxis"]["title"]["text"] == plotly_text(names[0])
    assert layout["yaxis"]["title"]["text"] == plotly_text(names[1])
    assert layout["title"]["text"] == "&#36;t&#36; &lt;b&gt;"
    template = fig["data"][0]["hovertemplate"]
    # The only templates left are the figure's own two numbers.
    assert re.findall(r"%\{[^}]*\}", template) == ["%{x:.4g}", "%{y:.4g}"]


# --- through the app ------------------------------------------------------------------------
def hostile_csv(columns: tuple[str, str], label_values: tuple[str, ...]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([*columns, "label"])
    for i in range(60):
        writer.writerow([i % 7 + 0.5 * (i % 3), (i * 3) % 11, label_values[i % len(label_values)]])
    return buf.getvalue().encode()


def bodies(at: AppTest) -> list[str]:
    """Every string the page renders as Markdown."""
    out = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success"):
        out += [str(e.proto.body) for e in getattr(at, kind)]
    return out


PAIRS = [HOSTILE[i:i + 2] for i in range(0, len(HOSTILE) - 1, 2)]


@pytest.mark.parametrize("columns", PAIRS, ids=lambda c: repr(c[0])[:20])
def test_hostile_names_reach_the_page_only_as_text(columns: tuple[str, str]) -> None:
    file_name = f"{columns[0]}.csv"
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["data_source"] = "Upload CSV"
    at.run()
    at.file_uploader(key="csv_upload").upload(
        file_name, hostile_csv(columns, HOSTILE), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    rendered = bodies(at)
    names = [re.sub(r"[\x00-\x1f]+", " ", c).strip() for c in (*columns, file_name)]
    for body in rendered:
        for name in names:  # wherever a name appears, it is its escaped form
            assert name not in body.replace(markdown_text(name), ""), (name, body)
    shown = "\n".join(rendered)
    for name in names:  # and they are on the page, escaped
        assert markdown_text(name) in shown, name
    # Explore's chart lives in the stepper's payload: Plotly text escaped, the stepper's own
    # hover (drawn with textContent) given the names as they are.
    main = payload(at)["charts"][0]
    layout = main["figure"]["layout"]
    assert html.unescape(layout["xaxis"]["title"]["text"]) == columns[0].strip()
    assert html.unescape(layout["yaxis"]["title"]["text"]) == columns[1].strip()
    assert main["hover"]["columns"] == [c.strip() for c in columns]
    for trace in main["figure"]["data"]:
        template = trace.get("hovertemplate", "") or ""
        assert "<a" not in template and "<img" not in template
        assert not re.search(r"%\{(?!x|y|z|customdata|fullData)", template), template
        assert "<" not in (trace.get("name") or "").replace("<br>", "")
    # st.table renders its cells, headers and index as Markdown: the analyst's summary (the
    # columns) and label table (the file's label values) hold them escaped.
    summary, labels = (t.value for t in at.table)
    assert list(summary.index) == [markdown_text(c) for c in columns]
    assert set(labels.columns) == {markdown_text(v) for v in HOSTILE}


# --- one way in ---------------------------------------------------------------------------
UI = ROOT / "emviz" / "ui"


def _calls(path: Path, name: str) -> list[int]:
    import ast

    return [node.lineno for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and getattr(node.func, "id",
                                                      getattr(node.func, "attr", "")) == name]


@pytest.mark.parametrize("path", sorted(UI.rglob("*.py")), ids=lambda p: p.name)
def test_engine_text_reaches_the_page_escaped(path: Path) -> None:
    """Engine messages and notes quote user text: pages show them through as_markdown
    (or markdown_text around error_text), never localize() alone."""
    if path.name == "error_display.py":
        return
    assert not _calls(path, "localize"), f"{path.name}: use as_markdown()"
    for line in _calls(path, "error_text"):
        text = path.read_text().splitlines()[line - 1]
        assert "markdown_text(error_text(" in text, f"{path.name}:{line}"
