"""What each plotly.js bundle costs a fresh tab before the first chart (a script, not a test).

    .venv/bin/python benchmarks/bench_plotly_bundles.py [--rounds 5]

The browser stepper loads the smallest plotly.js bundle that has every trace type of its
payload (``emviz/ui/stepper.js``): the vendored ``basic`` and ``gl3d`` bundles
(``emviz/ui/vendor/``) or the plotly package's full ``plotly.min.js``. This script serves
each bundle from a temporary folder with a page holding only that ``<script>`` and one small
``Plotly.newPlot``, opens every page in a fresh browser context (no cache), and prints the
median over ``--rounds`` of

- *script*: from before the ``<script>`` tag to after it (downloaded and evaluated);
- *first plot*: the small ``Plotly.newPlot`` that follows.

The bundles are interleaved within each round, so a change in the machine's load touches
them all alike. Nothing is asserted; the figures go into docs/performance.md.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import statistics
import tempfile
import threading
from pathlib import Path

import plotly
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BUNDLES = {
    "basic": ROOT / "emviz" / "ui" / "vendor" / "plotly-basic.min.js",
    "gl3d": ROOT / "emviz" / "ui" / "vendor" / "plotly-gl3d.min.js",
    "full": Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js",
}
PAGE = """<!doctype html><html><head><script>window.t0 = performance.now()</script>
<script src="{src}"></script><script>window.t1 = performance.now()</script></head>
<body><div id="g"></div><script>
window.t2 = performance.now();
Plotly.newPlot("g", [{{type: "scatter", x: [1, 2, 3], y: [1, 3, 2]}}])
  .then(() => {{ window.t3 = performance.now(); }});
</script></body></html>"""
CHROMIUM = os.environ.get("EMVIZ_CHROMIUM", "/usr/bin/chromium")


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, int]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="fresh tabs per bundle")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, path in BUNDLES.items():
            shutil.copyfile(path, folder / path.name)
            (folder / f"{name}.html").write_text(PAGE.format(src=path.name))
        server, port = _serve(folder)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in BUNDLES}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM)
                for _ in range(args.rounds):
                    for name in BUNDLES:
                        context = browser.new_context()
                        page = context.new_page()
                        page.goto(f"http://127.0.0.1:{port}/{name}.html")
                        page.wait_for_function("window.t3 !== undefined")
                        times[name].append(page.evaluate(
                            "[window.t1 - window.t0, window.t3 - window.t2]"))
                        context.close()
                browser.close()
        finally:
            server.shutdown()
    print(f"{'bundle':<8} {'size':>8} {'script (ms)':>12} {'first plot (ms)':>16}  "
          f"(median of {args.rounds} fresh tabs)")
    for name, path in BUNDLES.items():
        script = statistics.median(t[0] for t in times[name])
        plot = statistics.median(t[1] for t in times[name])
        size = path.stat().st_size / 1e6
        print(f"{name:<8} {size:>6.2f} MB {script:>12.0f} {plot:>16.0f}")


if __name__ == "__main__":
    main()
