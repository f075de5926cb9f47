#!/usr/bin/env bash
# The one test command, used by developers and by CI (.ci/run):
#
#   bash scripts/test.sh                 # lint, types + every test, browser tests included
#   bash scripts/test.sh -m "not e2e"    # fast tests only (no browser)
#   bash scripts/test.sh -k smoke -x     # any extra args go to pytest
#
# Idempotent: on a fresh machine it creates .venv, installs requirements-dev.txt and Debian's
# chromium (Playwright cannot download its own browser here); later runs reuse all of that.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly, or through non-interactive sudo (CI has no stdin).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "need root to run '$*' (not root, and sudo is not installed)"
    fi
}

# pip warns about every ignored --find-links location; the lines are harmless noise.
quiet_pip() {
    .venv/bin/python -m pip "$@" 2>&1 | { grep -v "^WARNING: Location 'file://.*' is ignored" || true; }
}

# --- Python environment -------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
    say "creating .venv with $(command -v python3) ($(python3 --version 2>&1))"
    if ! python3 -m venv .venv; then
        # Debian's python3 ships without ensurepip until python3-venv is installed.
        say "python3 -m venv failed; installing python3-venv"
        rm -rf .venv
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
        python3 -m venv .venv
    fi
fi
.venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die ".venv uses Python $(.venv/bin/python -V 2>&1); emviz needs >= 3.11 (rm -rf .venv and retry with a newer python3)"

# Skip pip when the requirement files have not changed since the last successful install.
stamp=.venv/.emviz-requirements.sha256
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing requirements-dev.txt into .venv"
    quiet_pip install -q -r requirements-dev.txt
    echo "$want" > "$stamp"
else
    say "requirements unchanged since last install (delete $stamp to force)"
fi

# --- Browser for the e2e tests ------------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian chromium (about 30 s)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
    [ -x /usr/bin/chromium ] || die "apt-get finished but /usr/bin/chromium is still missing"
fi

# Japanese glyphs for the ja screenshots and PNG exports (Chromium renders boxes without them).
if ! fc-list 2>/dev/null | grep -qi "ipagothic\|ipa gothic\|noto sans cjk"; then
    say "installing a Japanese font (fonts-ipafont-gothic)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-ipafont-gothic \
        || say "warning: could not install fonts-ipafont-gothic; Japanese screenshots show boxes"
fi

# --- Lint, types, then tests --------------------------------------------------------------
# All three always run, so one CI log shows lint problems, type errors and test failures
# together.
say "ruff check ."
lint_rc=0
.venv/bin/ruff check --output-format=concise . || lint_rc=$?

# What mypy checks (emviz/ outside the Streamlit UI) is set in pyproject.toml's [tool.mypy].
say "mypy"
type_rc=0
.venv/bin/mypy || type_rc=$?

say "pytest $*"
test_rc=0
.venv/bin/python -m pytest "$@" || test_rc=$?

if [ "$test_rc" -eq 5 ]; then
    die "pytest collected no tests (exit 5): check the -k/-m filters or the tests/ folder"
fi

# Benchmarks: their checks (quick runs of the scripts, and timings), once, apart from the
# tests, and the classroom client against a real server. Only on a plain run (no arguments).
bench_rc=0
if [ "$#" -eq 0 ]; then
    say "benchmark checks: pytest -m bench --bench -n 0"
    .venv/bin/python -m pytest -q -m bench --bench -n 0 || bench_rc=$?
    say "benchmark check: load_classroom_ws.py --check"
    .venv/bin/python benchmarks/load_classroom_ws.py --check || bench_rc=$?
fi
[ "$lint_rc" -eq 0 ] || die "ruff check failed (exit $lint_rc); see above. 'ruff check --fix .' fixes some"
[ "$type_rc" -eq 0 ] || die "mypy found type errors (exit $type_rc); see above. '.venv/bin/mypy' checks again"
[ "$test_rc" -eq 0 ] || die "pytest failed (exit $test_rc)"
[ "$bench_rc" -eq 0 ] || die "a benchmark check failed (exit $bench_rc)"
say "all checks passed"
