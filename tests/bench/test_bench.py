"""Smoke tests of the benchmark scripts: they run and report ratios and accuracy.

No timing is asserted (shared CI runners are too noisy); only that bench_em's table has a
speed-up for every row and that emviz matches scikit-learn to 1e-8, and that bench_basins
gives a verdict and ends every cell where scikit-learn ends.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.bench


@pytest.mark.slow
def test_bench_quick_reports_ratios_and_accuracy(tmp_path):
    out = tmp_path / "bench.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_em.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if re.match(r"\| \d", line)]
    assert rows, proc.stdout
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[6].endswith("×") and float(cells[6][:-1]) > 0  # speed-up (kernel)
        assert float(cells[8]) <= 1e-8  # max relative difference vs scikit-learn
        assert float(cells[11]) > 0 and float(cells[12]) > 0  # the NumPy floor, × bound
    summary = re.search(r"max relative difference vs scikit-learn: (\S+)", proc.stdout)
    assert summary and float(summary.group(1)) <= 1e-8
    assert out.read_text(encoding="utf-8").startswith("| N | D | K |")


@pytest.mark.parametrize("case", ["chart", "rerun", "svg100", "gl100", "gl10k"])
def test_browser_floor_pages_change_what_the_script_waits_for(case):
    # bench_browser_floor.py times a click until the page shows something new: the text
    # for "rerun", the chart's data for the others (every point recoloured, as a Step does).
    import base64
    import json

    from streamlit.testing.v1 import AppTest

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_browser_floor import PAGE

    at = AppTest.from_string(PAGE, default_timeout=60)
    at.query_params["case"] = case
    at.run()
    assert not at.exception

    def shown():
        if case == "rerun":
            return [m.value for m in at.markdown]
        (chart,) = at.get("plotly_chart")
        data = json.loads(chart.proto.spec)["data"]
        n = {"chart": 100, "svg100": 100, "gl100": 100, "gl10k": 10_000}[case]
        assert data[0]["type"] == ("scattergl" if case.startswith("gl") else "scatter")
        x = data[0]["x"]
        assert x["dtype"] == "f8" and len(base64.b64decode(x["bdata"])) == 8 * n
        return data[0]["marker"]["color"]

    before = shown()
    at.button[0].click().run()
    assert not at.exception
    assert shown() != before


def test_the_bound_verdict_says_where_the_numpy_floor_rules_the_target_out():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_em import Row, verdicts

    def row(d, k, kernel_ms, bound_ms, floor_ms):
        return Row(1_000_000, d, k, kernel_ms, kernel_ms, 50 * kernel_ms, "1", 1e-12,
                   bound_ms, floor_ms)

    # D=3, K=3: the floor alone is 26.6 / 3.6 = 7.4x the bound, over the 6x target.
    text = "\n".join(verdicts([row(3, 3, 43.8, 3.6, 26.6), row(2, 10, 63.6, 8.8, 46.6)]))
    assert "worst is 12.2× at D=3, K=3: NOT met" in text
    assert "is 5.3–7.4× the bound, worst at D=3, K=3" in text
    assert "even the floor exceeds 6× at D=3 K=3, out of reach" in text
    # A floor under 6x everywhere rules nothing out, whatever the kernel does.
    text = "\n".join(verdicts([row(2, 10, 63.6, 8.8, 46.6)]))
    assert "NOT met" in text and "the floor does not rule out 6×" in text


@pytest.mark.slow
def test_bench_server_loading_part_refuses_the_one_line_file_and_loads_the_other():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_server.py"), "--no-browser",
         "--mb", "2"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    one_line = next(r for r in proc.stdout.splitlines() if r.startswith("| 10 MB, one line"))
    ordinary = next(r for r in proc.stdout.splitlines() if r.startswith("| 2 MB, 3 float"))
    assert "refused" in one_line and "at most 10,000 columns" in one_line
    assert "loaded: 33,333 rows x 3 columns" in ordinary
    peak = float(ordinary.split("|")[3])
    assert peak > 0


def test_browser_verdicts_compare_the_stepper_with_its_targets_and_today(capsys):
    # bench_browser.py prints one verdict per target; a missing design says so, never "met".
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_browser import Figures, report

    new = Figures(tabs=[3.0, 3.2, 2.9], step={600: [0.05] * 3, 10_000: [0.2] * 3},
                  play={600: 19.9, 10_000: 12.0}, payload_id={10_000: "abc"})
    old = Figures(tabs=[4.0, 4.1, 3.8], step={600: [0.4] * 3, 10_000: [0.7] * 3},
                  play={600: 4.6, 10_000: 1.0})
    lines = report({"new": new, "old": old}, (2.5, "abc", 100), repeats=3, rev="old")
    assert lines[0].startswith("Step at 600 points: 50 ms") and lines[0].endswith(": met")
    assert lines[1].startswith("Step at 10,000 points: 200 ms") and lines[1].endswith("NOT met")
    assert lines[2].endswith("target ≥ 20/s: NOT met") and lines[3].endswith("≥ 10/s: met")
    assert "2.50 MB, target ≤ 3 MB: met; the same bytes the browser received" in lines[4]
    assert lines[5].endswith("target no later than today's: met")
    rows = [[c.strip() for c in line.strip("|").split("|")]
            for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert rows[1] == ["Step, 600 points (median of 3)", "≤ 80 ms", "50 ms", "400 ms", "met"]

    lines = report({"new": Figures(step={600: [0.05]})}, None, repeats=1, rev="not served")
    assert lines[1].endswith("not measured") and lines[-1].endswith("not measured")


def test_lab_verdicts_compare_each_labs_stepper_with_the_target_and_today():
    # bench_labs_browser.py: one verdict per lab, on the stepper's median; a design that was
    # not served says so, never "met".
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_labs_browser import LABS, parts_per_step, report

    assert set(LABS) == {"kmeans", "elbo", "singularity", "vbgmm", "coins"}
    assert {LABS[lab].how for lab in ("singularity", "vbgmm")} == {"slider"}
    # --breakdown: a part's milliseconds per Step, summed within a Step, median over Steps
    steps = [[["Plotly.animate [det]", 10.0], ["Plotly.animate [det]", 5.0]],
             [["Plotly.animate [det]", 20.0], ["stepper.drawStatus", 1.0]],
             [["Plotly.animate [det]", 30.0]]]
    assert parts_per_step(steps) == {"Plotly.animate [det]": 20.0, "stepper.drawStatus": 0.0}
    lines = report({"kmeans": {"new": [40.0, 60.0, 500.0], "old": [600.0, 640.0, 700.0]},
                    "elbo": {"new": [90.0, 100.0, 95.0]}}, "71767f5")
    text = "\n".join(lines)
    kmeans, elbo = text.split("\n\n")[:2]
    assert "median   60.0 ms" in kmeans and "median  640.0 ms" in kmeans
    assert kmeans.endswith("target <= 80 ms: met; 10.7x faster than today's design")
    assert re.search(r"today's design \(71767f5\) +not measured", elbo)
    assert elbo.endswith("target <= 80 ms: NOT met")
    assert lines[-1] == "1 of 2 labs meet Step <= 80 ms"
    assert report({"vbgmm": {}}, "x")[3].endswith("not measured")


@pytest.mark.slow
def test_basin_bench_gives_a_verdict_and_scikit_learn_does_the_same_work():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_basins.py"), "--cells", "4",
         "--rounds", "1"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|")[1:-1] for line in proc.stdout.splitlines()
            if re.match(r"\| (synthetic|overlapping) ", line)]
    assert [r[0].strip() for r in rows] == ["synthetic", "overlapping"]
    for r in rows:
        assert r[2].strip() == "4 × 4" and r[5].strip() in {"met", "NOT met"}
        assert float(r[3]) > 0 and float(r[9]) > 0 and r[11].strip().endswith("×")
        assert r[13].strip() == "16 / 16"  # every cell ends where scikit-learn ends


@pytest.mark.slow
@pytest.mark.e2e
def test_bundle_bench_times_every_bundle_the_stepper_can_load():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_plotly_bundles.py"), "--rounds", "1"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines()[1:]}
    assert sorted(rows) == ["basic", "full", "gl3d"]
    for name, (_, size, unit, script, plot) in rows.items():
        assert unit == "MB" and float(size) > 0.5, name
        assert float(script) > 0 and float(plot) > 0, name
    # the point of the partial bundles: each is smaller than the full one
    assert float(rows["basic"][1]) < float(rows["gl3d"][1]) < float(rows["full"][1])
