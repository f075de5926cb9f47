"""Static checks that user input is never deserialised, executed, or written to disk.

These read the source with ``ast`` (not grep), so comments and docstrings that mention a
forbidden name do not trip them, and aliased imports (``import pickle as p``) do.
The upload limit is checked here too: the uploader and the loader must agree on it.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

import emviz.data.csv as emio

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "emviz"
UI = PACKAGE / "ui"
SOURCES = sorted(PACKAGE.rglob("*.py"))

#: Modules that deserialise arbitrary objects or run code from data.
UNSAFE_MODULES = {"pickle", "cPickle", "dill", "shelve", "marshal", "joblib", "cloudpickle"}
#: Calls that deserialise with pickle or evaluate strings, wherever they come from.
UNSAFE_CALLS = {"read_pickle", "eval", "exec", "loads_pickle", "__import__", "system", "popen"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_is_unpickled_or_evaluated(path: Path) -> None:
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names = {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names = {(node.module or "").split(".")[0]}
        else:
            names = set()
        assert not names & UNSAFE_MODULES, f"{path.name}:{node.lineno} imports {names}"
        if isinstance(node, ast.Call):
            name = _call_name(node)
            assert name not in UNSAFE_CALLS, f"{path.name}:{node.lineno} calls {name}()"
            for kw in node.keywords:  # np.load(..., allow_pickle=True)
                if kw.arg == "allow_pickle":
                    assert isinstance(kw.value, ast.Constant) and kw.value.value is False, (
                        f"{path.name}:{node.lineno} allows pickle")


def _writes(tree: ast.Module) -> list[str]:
    """Every place the code could write a file."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name in {"write_bytes", "write_text", "NamedTemporaryFile", "mkstemp",
                    "TemporaryDirectory", "mkdtemp", "savetxt", "save", "copyfileobj"}:
            found.append(f"{name}() at line {node.lineno}")
        # ``frame.to_csv()`` without a path returns the text; with one, it writes a file
        path = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "path_or_buf"), None)
        if name == "to_csv" and not (path is None or (isinstance(path, ast.Constant)
                                                      and path.value is None)):
            found.append(f"{name}() at line {node.lineno}")
        if name == "open":
            mode = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "mode"), None)
            text = mode.value if isinstance(mode, ast.Constant) else "?" if mode else "r"
            if any(c in str(text) for c in "wax+?"):
                found.append(f"open(..., {text!r}) at line {node.lineno}")
    return found


#: Files the UI may write, none of them user data: the stepper copies the plotly.js bundles
#: (the installed plotly's own and the vendored ones) into static/ for the browser
#: (emviz/ui/stepper.py).
ALLOWED_WRITES = {"stepper.py": ["mkstemp() at line"]}


@pytest.mark.parametrize("path", [*SOURCES, ROOT / "app.py"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_uploads_are_never_written_to_disk(path: Path) -> None:
    """The whole package (the UI, the loader, every lab) keeps uploaded bytes in memory."""
    allowed = ALLOWED_WRITES.get(path.name, [])
    writes = [w for w in _writes(_tree(path)) if not any(w.startswith(a) for a in allowed)]
    assert not writes, f"{path.name} writes files: {writes}"


def test_the_one_allowed_write_copies_the_plotly_bundles_and_nothing_else(tmp_path: Path) -> None:
    import plotly

    from emviz.ui import stepper

    targets = stepper.ensure_plotly_js(tmp_path)
    sources = {b["file"]: stepper.VENDOR_DIR / b["file"] for b in stepper.plotly_bundles()}
    sources["plotly.min.js"] = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(t.name for t in targets) \
        == sorted(sources)
    for target in targets:
        assert target.read_bytes() == sources[target.name].read_bytes()
    # a second call finds them there
    assert stepper.ensure_plotly_js(tmp_path) == targets
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(sources)


def test_the_guards_see_every_lab() -> None:
    """The file lists walk the tree: a module in a sub-package (ui/labs/) is checked too."""
    assert UI / "labs" / "elbo.py" in SOURCES
    assert any(p.parent.name == "labs" for p in UI.rglob("*.py"))


def test_write_detector_is_not_blind() -> None:
    tree = ast.parse("open(name, 'wb').write(data)\nPath(p).write_bytes(b)\n"
                     "tempfile.NamedTemporaryFile()\nopen(p, mode=m)\nopen(p)\n"
                     "df.to_csv('x.csv')\ndf.to_csv(path_or_buf=f)\ndf.to_csv(index=False)\n")
    assert len(_writes(tree)) == 6


@pytest.mark.parametrize("path", sorted(UI.rglob("*.py")), ids=lambda p: str(p.relative_to(UI)))
def test_caches_stay_in_memory(path: Path) -> None:
    """``st.cache_data(persist="disk")`` would pickle uploads to ~/.streamlit on disk."""
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and _call_name(node) in {"cache_data", "cache_resource"}:
            assert not any(k.arg == "persist" for k in node.keywords), (
                f"{path.name}:{node.lineno} persists a cache")


def test_upload_limit_matches_the_loader() -> None:
    """The uploader must never accept a file the loader then refuses as too large."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024**2 == emio.MAX_BYTES
