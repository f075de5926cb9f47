"""Server time of an Explore Step rerun with and without the analyst panel (AppTest).

Run ``.venv/bin/python benchmarks/bench_analyst_rerun.py on`` and ``... off``, alternating
(the machine's load moves both). Prints the median over 12 Steps on the default data, each
to a half-step not visited before, so the panel's cluster summary is computed every time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def main(mode: str) -> None:
    sys.path.insert(0, str(ROOT))
    import emviz.ui.analyst as analyst

    if mode == "off":
        analyst.render = lambda *args, **kwargs: None
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    for _ in range(3):  # warm the caches of the first half-steps, then start again
        at.button(key="btn_step").click().run()
    at.button(key="btn_reset").click().run()
    times = []
    for _ in range(12):
        start = time.perf_counter()
        at.button(key="btn_step").click().run()
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"panel {mode}: median {1000 * times[len(times) // 2]:.1f} ms per Step rerun")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "on")
