"""The plotly.js bundles the browser stepper loads: the vendored partial bundles are the npm
files they claim to be, of the plotly.js version the installed plotly ships, the browser's
table of bundles says what they hold, and each stepper page loads the smallest one it needs."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import plotly
import plotly.offline
import pytest

from emviz.data.synthetic import SINGULARITY_TRAP_COLLAPSE, make_mixture, make_preset
from emviz.engine.coins import TOSSES_DEFAULT, CoinState, parse_sets, run_coins
from emviz.engine.em import initialize, run_em
from emviz.engine.kmeans import initial_centers, kmeans_run
from emviz.engine.remedies import REMEDIES
from emviz.engine.vbgmm import default_prior, run_vb, vb_initialize
from emviz.figures import stepper as S
from emviz.figures import stepper_labs as SL
from emviz.figures import stepper_theory as T
from emviz.ui import stepper

BUNDLES = stepper.plotly_bundles()
JS = (Path(stepper.__file__).parent / "stepper.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda b: b["file"])
def test_a_vendored_bundle_is_the_npm_file_of_the_installed_plotly_js_version(bundle):
    """A plotly upgrade that changes plotly.js fails here until the bundles are replaced."""
    data = (stepper.VENDOR_DIR / bundle["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == bundle["sha256"]
    header = re.search(rb"plotly\.js \((\w+) - minified\) v(\S+)", data[:300])
    assert header, f"{bundle['file']} has no plotly.js version header"
    name, version = header.group(1).decode(), header.group(2).decode()
    assert bundle["package"] == f"plotly.js-{name}-dist-min"
    assert version == bundle["version"] == plotly.offline.get_plotlyjs_version()
    # the stepper takes the bundle from window.Plotly once the script has run
    assert b"window.Plotly = Plotly;" in data[-200:]


def test_the_vendored_license_is_plotly_js_mit_license():
    text = (stepper.VENDOR_DIR / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Plotly" in text


def js_bundles() -> list[tuple[str, list[str] | None]]:
    """``PLOTLY_BUNDLES`` of stepper.js, as (file, trace types or None for all)."""
    table = re.search(r"const PLOTLY_BUNDLES = \[(.*?)\n\];", JS, re.S)
    assert table, "stepper.js has no PLOTLY_BUNDLES table"
    rows = re.findall(r'\{ file: "([^"]+)", traces: (null|\[[^\]]*\]) \}', table.group(1))
    return [(f, None if t == "null" else json.loads(t)) for f, t in rows]


def test_the_browser_knows_each_bundle_smallest_first_and_the_full_one_last():
    expected = [(b["file"], b["traces"]) for b in BUNDLES] + [(stepper.PLOTLY_JS, None)]
    assert js_bundles() == expected
    sizes = [(stepper.VENDOR_DIR / b["file"]).stat().st_size for b in BUNDLES]
    full = Path(plotly.__file__).parent / "package_data" / stepper.PLOTLY_JS
    assert sizes == sorted(sizes) and sizes[-1] < full.stat().st_size


def loaded_bundle(payload: dict) -> str:
    """The file stepper.js loads for ``payload``: the first bundle with all its trace types."""
    types = {t.get("type", "scatter") for c in payload["charts"] for t in c["figure"]["data"]}
    return next(f for f, traces in js_bundles() if traces is None or types <= set(traces))


def _em(d: int, n: int = 300):
    ds = make_mixture(dim=d, n_components=3, n_samples=n, seed=1)
    return ds.X, run_em(ds.X, initialize(ds.X, 3, "random_from_data", 0), max_iter=10, tol=1e-4)


def explore(d: int) -> dict:
    return S.em_payload(*_em(d))


def kmeans_lab(d: int) -> dict:
    from emviz.ui.labs.kmeans_vs_gmm import gmm_start

    X = make_mixture(dim=d, n_components=3, n_samples=300, seed=1).X
    c0 = initial_centers(X, 3, "kmeans++", 0)
    return SL.kmeans_gmm_payload(X, kmeans_run(X, 3, init=c0, max_iter=20),
                                 run_em(X, gmm_start(X, c0, 1e-6), "full", 1e-6, 20, 1e-4))


def singularity_lab() -> dict:
    X = make_preset("singularity_trap", 0).X
    k, method, seed = SINGULARITY_TRAP_COLLAPSE
    init = initialize(X, k, method, seed, "full", 0.0)
    return T.singularity_payload(X, REMEDIES["none"](X, init, "full", 150, 1e-6))


def vb_lab() -> dict:
    X = make_preset("well_separated", 0).X
    prior = default_prior(X, 6, weight_concentration=0.01)
    init, resp = vb_initialize(X, 6, "kmeans++", 0, prior, 0.0)
    return T.vb_payload(X, run_vb(X, init, prior, 30, 1e-6, 0.0, init_resp=resp))


def coins_lab() -> dict:
    h, t = parse_sets(TOSSES_DEFAULT)
    return T.coins_payload(TOSSES_DEFAULT, {"soft": run_coins(h, t, CoinState(0.6, 0.5), 10)},
                           "soft")


#: Each stepper page, and the bundle it should load: the basic one wherever it suffices.
PAGES = {
    "explore 1D": (lambda: explore(1), "plotly-basic.min.js"),
    "explore 2D": (lambda: explore(2), "plotly-basic.min.js"),
    "explore 3D": (lambda: explore(3), "plotly-gl3d.min.js"),
    "draw your own": (lambda: S.points_payload(np.zeros((0, 2))), "plotly-basic.min.js"),
    "k-means 1D": (lambda: kmeans_lab(1), "plotly-basic.min.js"),
    "k-means 2D": (lambda: kmeans_lab(2), "plotly-basic.min.js"),
    "k-means 3D": (lambda: kmeans_lab(3), "plotly-gl3d.min.js"),
    # the stepper draws the bound's bars and waterfall itself (marks): no waterfall trace
    "elbo": (lambda: SL.elbo_payload(*_em(2)), "plotly-basic.min.js"),
    "singularities": (singularity_lab, "plotly-basic.min.js"),
    "vb": (vb_lab, "plotly-basic.min.js"),
    "coins": (coins_lab, "plotly-basic.min.js"),
}


@pytest.mark.parametrize("page", PAGES)
def test_each_stepper_page_loads_the_smallest_bundle_that_draws_it(page):
    build, expected = PAGES[page]
    assert loaded_bundle(json.loads(S.payload_bytes(build()))) == expected
