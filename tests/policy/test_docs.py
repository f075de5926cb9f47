"""The README and docs/ stay short, true and connected.

The README is for newcomers: it must stay short, its two commands must be the real ones, and
its library example must run. Every relative link in the README and docs/ must lead to a file
(and, for a Markdown target with ``#anchor``, to a heading) that exists. The page list and the
link parameters the docs describe must match the code.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
MAX_README_LINES = 250

#: The two commands a newcomer needs, exactly as the README gives them.
RUN_COMMAND = "bash scripts/run.sh"
TEST_COMMAND = "bash scripts/test.sh"

_FENCE = re.compile(r"^```[^\n]*\n.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def _prose(text: str) -> str:
    """The Markdown without fenced code blocks and inline code (links there are not links)."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def _fenced_blocks(text: str, language: str) -> list[str]:
    pattern = re.compile(rf"^```{language}[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
    return pattern.findall(text)


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    slugs: set[str] = set()
    for heading in _HEADING.findall(_FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        slug, n = base, 0
        while slug in slugs:
            n += 1
            slug = f"{base}-{n}"
        slugs.add(slug)
    return slugs


def _relative_links(path: Path) -> list[str]:
    links = _LINK.findall(_prose(path.read_text(encoding="utf-8")))
    return [link for link in links if not re.match(r"[a-z][a-z0-9+.-]*:", link, re.I)]


# --- The README is short -------------------------------------------------------------------
def test_readme_is_short():
    n = len(README.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_README_LINES, (
        f"README.md has {n} lines; expected at most {MAX_README_LINES}. Move detail into a page "
        f"under docs/ and link to it.")


# --- Links ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_an_existing_file(path: Path):
    links = _relative_links(path)
    broken = []
    for link in links:
        target, _, anchor = link.partition("#")
        file = (path.parent / target).resolve() if target else path
        if not file.exists():
            shown = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file
            broken.append(f"{link} (no file {shown})")
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            broken.append(f"{link} (no heading with anchor #{anchor} in {file.name})")
    assert not broken, f"{path.relative_to(ROOT)}: broken links: {broken}"


def test_the_readme_links_into_every_docs_page():
    linked = {(README.parent / link.partition("#")[0]).resolve()
              for link in _relative_links(README)}
    missing = [p.name for p in DOCS if p.resolve() not in linked]
    assert not missing, f"docs pages the README does not link to: {missing}"


def test_the_link_checker_sees_links_and_anchors():
    # Guards the guard: a link inside code is ignored, a real one is found, anchors are slugged.
    sample = "see [a](docs/x.md#b-c) and `[no](nowhere.md)`\n```\n[no](nowhere.md)\n```\n"
    assert _LINK.findall(_prose(sample)) == ["docs/x.md#b-c"]
    assert "downloads-explore--download" in _anchors(ROOT / "docs" / "sharing.md")


# --- The two commands -----------------------------------------------------------------------
def test_the_readme_gives_the_two_commands_verbatim():
    text = README.read_text(encoding="utf-8")
    commands = [line.strip() for block in _fenced_blocks(text, "bash")
                for line in block.splitlines()]
    for command in (RUN_COMMAND, TEST_COMMAND):
        assert any(line == command or line.startswith(command + " ") for line in commands), (
            f"README.md: expected a code line starting with {command!r}")
        assert (ROOT / command.split()[-1]).is_file(), f"{command}: the script does not exist"


def test_ci_calls_the_readmes_test_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    code = [line for line in script.splitlines() if not line.lstrip().startswith("#")]
    assert any(TEST_COMMAND in line for line in code), (
        f".ci/run must call {TEST_COMMAND!r} (the command the README gives); it does not")


def test_the_run_script_starts_the_app():
    script = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    assert re.search(r"^exec .*-m streamlit run app\.py", script, re.MULTILINE)


# --- The library example --------------------------------------------------------------------
def test_the_readmes_library_example_runs():
    blocks = _fenced_blocks(README.read_text(encoding="utf-8"), "python")
    assert len(blocks) == 1, f"README.md: expected one python example, got {len(blocks)}"
    done = subprocess.run([sys.executable, "-c", blocks[0]], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, f"README's example failed:\n{done.stderr}"
    assert done.stdout.strip(), "README's example printed nothing"
    assert "streamlit" not in blocks[0]


# --- The docs describe the code as it is ------------------------------------------------------
def test_the_readme_lists_every_page_of_the_app():
    from emviz.ui.sidebar_common import HOME_ALIAS

    source = (ROOT / "emviz" / "ui" / "pages.py").read_text(encoding="utf-8")
    paths = re.findall(r'url_path="([^"]+)"', source)
    assert paths, "found no url_path in emviz/ui/pages.py"
    readme = README.read_text(encoding="utf-8")
    for path in [HOME_ALIAS, *paths]:
        assert f"`/{path}`" in readme, f"README.md: page /{path} is not listed"
        assert f"`/{path}`" in (ROOT / "docs" / "labs.md").read_text(encoding="utf-8")


def test_the_documented_link_parameters_are_the_ones_the_app_reads():
    from emviz.ui import urlstate

    text = (ROOT / "docs" / "sharing.md").read_text(encoding="utf-8")
    documented: set[str] = set()
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2:
            continue
        # The general table names parameters in its first column; the labs' table, in its second.
        names = cells[0] if cells[0].startswith("`") else cells[1]
        documented |= set(re.findall(r"`([a-z_]+)[`=]", names))
    known = set(urlstate.KNOWN) - {"animate"}  # read only to accept old links
    assert documented - known == set(), f"documented but not read: {documented - known}"
    assert known - documented == set(), f"read but not documented: {known - documented}"
