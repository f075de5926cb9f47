"""The library installs as a package, and importing it never loads Streamlit."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_library_does_not_load_streamlit():
    code = ("import sys, emviz, emviz.engine.em, emviz.figures.mixture, emviz.data.csv; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_pip_install_editable_works_outside_the_repo(tmp_path):
    """``pip install -e .`` (the README's notebook use): then ``import emviz`` from anywhere
    finds this checkout, with the stepper's JavaScript beside it."""
    env_dir = tmp_path / "venv"
    # the test environment's packages (numpy, setuptools, ...) without the repo on the path
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run([sys.executable, "-c", "import site; print(site.getsitepackages()[0])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (next((env_dir / "lib").glob("python*")) / "site-packages" / "parent.pth").write_text(site)
    install = subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-e", str(ROOT)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    code = ("import emviz, pathlib; p = pathlib.Path(emviz.__file__).parent; "
            "print(p); print((p / 'ui' / 'stepper.js').is_file())")
    out = subprocess.run([python, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    where, js = out.stdout.split()
    assert Path(where) == ROOT / "emviz" and js == "True"
