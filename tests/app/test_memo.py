"""Caches that forget: bounds on every cache, uploads per session, nothing cached (and no
Streamlit warning) outside a script run, and the sweep that drops closed sessions' uploads."""

from __future__ import annotations

import ast
import logging
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import patch

import numpy as np
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.testing.v1 import AppTest

from emviz.ui import analyst, cache, downloads, housekeeping, memo, state

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "emviz" / "ui"
CSV = b"x,y\n" + b"".join(b"%d.5,%d\n" % (i % 7, (i * 3) % 11) for i in range(40))


# --- every cache is bounded and goes through memo.cached -----------------------------------
def _decorators(path: Path) -> list[tuple[str, ast.expr]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            out += [(node.name, d) for d in node.decorator_list]
    return out


@pytest.mark.parametrize("path", sorted(UI.rglob("*.py")), ids=lambda p: p.name)
def test_no_cache_escapes_the_bounds(path: Path) -> None:
    """Only memo.py calls st.cache_data / st.cache_resource; it always passes the bounds."""
    text = path.read_text()
    if path.name == "memo.py":
        calls = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)
                 and getattr(n.func, "attr", "") == "cache_data"]
        assert len(calls) == 2
        for call in calls:
            names = {k.arg for k in call.keywords}
            assert {"max_entries"} <= names and any(k.arg is None for k in call.keywords)
        assert '"ttl": ttl' in text and '"max_size": max_size' in text
        return
    tree = ast.parse(text)
    # A resource built from no argument at all (the stepper's component) holds no user data:
    # one entry for the life of the server.
    singletons = {d.lineno for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
                  and not (f.args.args or f.args.kwonlyargs or f.args.vararg or f.args.kwarg)
                  for d in f.decorator_list}
    used = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute)
            and (n.attr == "cache_data"
                 or (n.attr == "cache_resource" and n.lineno not in singletons))]
    assert not used, f"{path.name}:{used}: use emviz.ui.memo.cached"
    for name, deco in _decorators(path):
        if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "cached":
            assert any(k.arg == "max_entries" for k in deco.keywords), name


def test_every_cached_function_has_a_ttl_and_a_session_twin() -> None:
    for fn in (cache.table, cache._prepared, cache._fit, cache._stepper_payload,
               cache._points_payload, analyst._bic_curve, analyst._clusters):
        assert fn.shared._info.ttl == memo.TTL_SECONDS  # type: ignore[attr-defined]
        assert fn.private._info.scope == "session"  # type: ignore[attr-defined]
        assert fn.shared._info.max_entries and fn.private._info.max_entries


# --- uploads stay in their session ---------------------------------------------------------
def _other_session(digest: str) -> AppTest:
    def script(digest: str) -> None:
        import streamlit as st

        from emviz.ui import cache

        try:
            cache.table("upload", "data.csv", digest)  # no bytes: only a cache could answer
            st.write("leaked")
        except Exception as exc:
            st.write(f"refused: {type(exc).__name__}")

    return AppTest.from_function(script, args=(digest,), default_timeout=30)


def test_an_upload_is_not_served_to_another_session() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["data_source"] = "Upload CSV"
    at.run()
    at.file_uploader(key="csv_upload").upload("data.csv", CSV, "text/csv").run()
    assert not at.exception and at.get("bidi_component")
    other = _other_session(cache.digest(CSV)).run()
    assert [m.value for m in other.markdown] == ["refused: DataError"]


# --- outside a script run: computed, uncached, silent --------------------------------------
def test_download_callables_compute_without_streamlit_and_log_nothing(caplog, monkeypatch) -> None:
    """A download's callable runs on a server thread, with no session: it must neither need
    nor warn about a ScriptRunContext (every download used to log one)."""
    spec = state.TableSpec(origin="upload", name="data.csv", digest=cache.digest(CSV),
                           columns=("x", "y"))
    model = state.ModelSpec(n_components=2)
    fit = cache.fit(spec, model, _raw=CSV)  # outside a run: computed, nothing cached
    monkeypatch.setattr(cache, "params_json", lambda *a, **k: "{}")  # read inside the run
    made = downloads.files(spec, model, CSV, None, fit.trace, 2, None, cache.be.FigureOptions())
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        csv_bytes = made["csv"].make()
        html_bytes = made["html"].make()
    assert csv_bytes.decode().splitlines()[0].startswith("x,y,em_component")
    assert b"<html>" in html_bytes[:200]
    assert not [r for r in caplog.records if "ScriptRunContext" in r.getMessage()]


# --- the sweep --------------------------------------------------------------------------
class _Storage:
    def __init__(self) -> None:
        self._cache: dict[str, object] = {}


def _fake_runtime(active: list[str], stored: list[str]) -> SimpleNamespace:
    info = lambda sid: SimpleNamespace(session=SimpleNamespace(id=sid))  # noqa: E731
    manager = SimpleNamespace(
        _session_storage=_Storage(),
        list_active_sessions=lambda: [info(s) for s in active],
        list_sessions=lambda: [info(s) for s in (*active, *stored)])
    files = MemoryUploadedFileManager("/upload")
    media = MediaFileManager(MemoryMediaFileStorage("/media"))
    for sid in ("open", "kept", "gone"):
        files.add_file(sid, UploadedFileRec(f"f-{sid}", "d.csv", "text/csv", b"x" * 1000))
        with patch("streamlit.runtime.media_file_manager._get_session_id", return_value=sid):
            media.add_deferred(lambda: b"x" * 1000, "text/csv", f"coord-{sid}")
    return SimpleNamespace(_session_mgr=manager, uploaded_file_mgr=files, media_file_mgr=media)


def test_sweep_drops_the_uploads_of_sessions_that_are_gone(monkeypatch) -> None:
    rt = _fake_runtime(active=["open"], stored=["kept"])
    monkeypatch.setattr(housekeeping.runtime, "get_instance", lambda: rt)
    released = []
    monkeypatch.setattr(housekeeping, "release_memory", lambda: released.append(True))
    seen = housekeeping.sweep(housekeeping.Sessions(active={"open", "kept"},
                                                    live={"open", "kept"}))
    assert sorted(rt.uploaded_file_mgr.file_storage) == ["kept", "open"]
    deferred = rt.media_file_mgr._deferred_callables.values()
    assert sorted(d["session_id"] for d in deferred) == ["kept", "open"]
    assert seen.active == {"open"} and seen.live == {"open", "kept"}
    assert released  # a session went away (and one upload with it): memory is given back
    released.clear()
    housekeeping.sweep(seen)
    assert not released  # nothing changed: no collection


def test_release_memory_runs_on_this_machine() -> None:
    housekeeping.release_memory()
    blob = np.ones(10**6)
    del blob
    housekeeping.release_memory()


def test_housekeeping_starts_only_in_a_real_server() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()  # a mock runtime
    assert not at.exception
    housekeeping.start()  # and none at all now
    assert not housekeeping._started
