"""AppTest: the k-means vs GMM and lower-bound labs send their whole run to the browser's
stepper, in every language, and a link's position opens there.

AppTest cannot run the stepper's JavaScript; ``tests/stepper_view.py`` reads what the page
sends it. What the browser does with it is tested in tests/e2e/test_labs_stepping.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from emviz.data.synthetic import make_preset
from emviz.engine.em import initialize, run_em
from emviz.engine.kmeans import initial_centers, kmeans_run
from emviz.ui.i18n import LANGUAGES, translate
from emviz.ui.labs.kmeans_vs_gmm import gmm_start
from tests.stepper_view import at_h, ok, open_page, sent

LANGS = list(LANGUAGES)


def tr(key: str, lang: str, **fmt) -> str:
    return translate(key, lang, **fmt)


# --- k-means vs GMM ------------------------------------------------------------------------
def lab_runs(seed: int = 0):
    """The lab's default: unequal sizes, K = 3, full, k-means++ centres from seed 0."""
    X = make_preset("unequal_sizes", 0).X
    c0 = initial_centers(X, 3, "kmeans++", seed)
    return (kmeans_run(X, 3, init=c0, max_iter=100),
            run_em(X, gmm_start(X, c0, 1e-6), "full", 1e-6, 100, 1e-4))


@pytest.mark.parametrize("lang", LANGS)
def test_kmeans_lab_sends_both_runs_in_the_readers_language(lang):
    at = open_page("kmeans", {"lang": lang})
    head, p = sent(at)
    km, gm = lab_runs()
    assert p["n"] == max(km.n_iter, gm.n_iter) + 1 and head["goto"] == 0
    assert p["text"]["step"] == tr("stepview.step", lang)
    assert p["text"]["keys"] == tr("kmeans.sv.keys", lang)
    assert p["text"]["half"] == tr("kmeans.sv.half", lang)
    assert p["labels"][4] == tr("kmeans.sv.position", lang, i=4)
    assert at_h(p["status"]["title"], 0) == tr("kmeans.sv.both_moving", lang)
    done = tr("kmeans.done_converged", lang, n=km.n_iter)
    assert at_h(p["status"]["title"], km.n_iter) == tr("kmeans.sv.km_done", lang, done=done)
    assert [m["label"] for m in p["metrics"]] == [tr("kmeans.sv.ari_km", lang),
                                                 tr("kmeans.sv.ari_em", lang)]
    titles = [c["figure"]["layout"]["title"]["text"] for c in p["charts"]]
    assert titles == [tr("kmeans.sv.km_title", lang), tr("kmeans.sv.gmm_title", lang,
                                                         cov="full")]
    means = p["charts"][1]["channels"][0]  # EM's means at the last iteration
    got = at_h(means, p["n"] - 1)[-1]
    assert np.allclose(np.c_[_floats(got["x"]), _floats(got["y"])], gm.params[-1].means,
                       atol=1e-5)
    assert not p["presenter"]


def _floats(spec: dict) -> np.ndarray:
    import base64

    return np.frombuffer(base64.b64decode(spec["bdata"]), spec["dtype"])


def test_kmeans_lab_in_presenter_mode_sends_presenter_charts():
    at = open_page("kmeans", presenter=True)
    p = sent(at)[1]
    assert p["presenter"] and p["charts"][0]["figure"]["layout"]["height"] == 640


def test_kmeans_new_centres_open_at_the_start():
    at = open_page("kmeans", {"km_iter": "5"})
    head, p = sent(at)
    assert head["goto"] == 5 and at.session_state["km_iter"] == 5
    at.session_state["km_seed"] = 1  # what New init does (seed + 1), then a new run
    at.session_state["km_iter"] = 0
    at = ok(at.run())
    head2, p2 = sent(at)
    assert p2["id"] != p["id"] and head2["goto"] == 0 and head2["nonce"] > head["nonce"]
    assert (at.query_params["km_seed"], at.query_params["km_iter"]) == ("1", "0")


# --- the lower bound -----------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_elbo_lab_sends_every_half_step_in_the_readers_language(lang):
    at = open_page("elbo", {"lang": lang})
    head, p = sent(at)
    X = make_preset("overlapping", 0).X
    trace = run_em(X, initialize(X, 3, "random_from_data", 0, "full", 0.0), "full", 0.0, 200,
                   1e-6)
    assert p["n"] == trace.n_half_steps and head["goto"] == 1
    assert p["text"]["e"] == tr("stepview.e", lang) and p["text"]["m"] == tr("stepview.m", lang)
    assert at_h(p["status"]["title"], 3) == tr("theory.kind.E", lang, i=2)
    assert at_h(p["status"]["title"], 4) == tr("theory.kind.M", lang, i=2)
    caption = at_h(p["status"]["caption"], 0)
    assert caption == tr("elbo.at_init", lang, lnp=f"{trace.log_likelihood[0]:,.3f}")
    assert at_h(p["metrics"][0], p["n"] - 1) == f"{trace.log_likelihood[-1]:,.3f}"
    bound = p["charts"][0]
    names = [d["name"] for d in bound["figure"]["data"][:3]]
    assert names == [tr(f"theory.fig.{k}", lang) for k in ("elbo", "kl", "lnp")]
    assert p["formula"] is not None  # what just happened, per half-step kind
    assert tr("elbo.why", lang) in [m.value for m in at.markdown]


def test_elbo_lab_follows_its_sidebar_model():
    at = open_page("elbo")
    p = sent(at)[1]
    at.sidebar.number_input(key="elbo_k").set_value(2)
    at = ok(at.run())
    head, p2 = sent(at)
    assert p2["id"] != p["id"] and head["goto"] == 1  # a new run opens on its first E-step
    assert len(p2["charts"][1]["hover"]["params"][0]["weights"]["bdata"]) > 0


# --- links ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("page", "key", "h"), [("kmeans", "km_iter", 7), ("elbo", "elbo_pos", 6)])
def test_a_links_position_opens_there_and_a_pause_writes_the_link(page, key, h):
    at = open_page(page, {key: str(h)})
    head, _ = sent(at)
    assert head["goto"] == h and at.session_state[key] == h
    at.session_state[key] = h + 1  # the browser reports that stepping paused at h + 1
    at = ok(at.run())
    assert at.query_params[key] == str(h + 1)
    assert sent(at)[0] == head  # the browser already is there: nothing to send


@pytest.mark.parametrize(("page", "key"), [("kmeans", "km_iter"), ("elbo", "elbo_pos")])
def test_a_position_past_the_run_opens_at_its_end(page, key):
    at = open_page(page, {key: "2000"})
    head, p = sent(at)
    assert head["goto"] == p["n"] - 1
