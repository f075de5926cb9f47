#!/usr/bin/env bash
# The one app command:  bash scripts/run.sh [streamlit options...]
# e.g.  bash scripts/run.sh --server.port 8502
# Creates .venv on first use and installs the app's runtime requirements.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '==> %s\n' "$*"; }

if [ ! -x .venv/bin/python ]; then
    say "creating .venv with $(command -v python3) ($(python3 --version 2>&1))"
    python3 -m venv .venv \
        || { echo "error: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2; exit 1; }
fi

say "checking requirements.txt"
# pip warns about every ignored --find-links location; the lines are harmless noise.
.venv/bin/python -m pip install -q -r requirements.txt 2>&1 \
    | { grep -v "^WARNING: Location 'file://.*' is ignored" || true; }

say "starting Streamlit (Ctrl+C to stop)"
exec .venv/bin/python -m streamlit run app.py "$@"
