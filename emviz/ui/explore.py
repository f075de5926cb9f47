"""The Explore page: pick data and a model, then step EM and watch it converge.

Layout for a projector: every control in the sidebar; the main area is the stepping
buttons, one status line, the timeline, and the figure, with the log-likelihood curve and
the parameter table underneath.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from emviz.em import HalfStep, Trace
from emviz.ui import backend as be
from emviz.ui import cache, data_panel, model_panel, state
from emviz.ui.messages import attempt, guarded
from emviz.ui.state import DataSpec, ModelSpec

KIND_NAMES = {"init": "Initialisation", "E": "E-step", "M": "M-step"}
ASSETS = Path(__file__).resolve().parents[2] / "assets"


def _styles(presenter: bool) -> None:
    """Static CSS from assets/ (never user text)."""
    files = ["emviz.css", "presenter.css"] if presenter else ["emviz.css"]
    css = "\n".join((ASSETS / f).read_text() for f in files if (ASSETS / f).is_file())
    if css:
        st.html(f"<style>{css}</style>")


# --------------------------------------------------------------------------------------
# Pieces of the page
# --------------------------------------------------------------------------------------
def _buttons(last: int) -> None:
    ss = st.session_state
    pos = int(ss["position"])
    animating = bool(ss["animate"])
    cols = st.columns([1, 1, 1, 1, 1, 1, 1.3], vertical_alignment="center")
    specs = [
        ("E-step", "btn_e", state.on_e_step, state.next_e(pos, last) is None,
         "Recompute responsibilities (point colours) from the current ellipses."),
        ("M-step", "btn_m", state.on_m_step, state.next_m(pos, last) is None,
         "Re-estimate π, μ, Σ (the ellipses) from the current responsibilities."),
        ("Step", "btn_step", state.on_step, state.next_full(pos, last) is None,
         "One full iteration: E-step then M-step."),
        ("Run", "btn_run", state.on_run, pos >= last,
         "Jump to the end of the run (converged, max_iter or collapsed)."),
        ("Reset", "btn_reset", state.on_reset, pos == 0 and ss["frontier"] == 0,
         "Back to the same initialisation (same seed, same start)."),
        ("New init", "btn_new_init", state.on_new_init, False,
         "Start again from a new random initialisation (seed + 1)."),
    ]
    for col, (label, key, callback, disabled, tip) in zip(cols, specs, strict=False):
        col.button(label, key=key, on_click=callback, disabled=disabled or animating,
                   help=tip, width="stretch", type="primary" if key == "btn_step" else "secondary")
    cols[-1].toggle("Animate", key="animate",
                    help="Play the whole run in the browser (Plotly frames).")


def _status(trace: Trace, h: int, hs: HalfStep, model: ModelSpec, ari: float | None) -> None:
    pi = state.params_index(h)
    ll = float(trace.log_likelihood[pi])
    parts = [f"**Iteration {hs.iteration} · {KIND_NAMES[hs.kind]}**",
             f"log-likelihood {ll:,.2f}"]
    if hs.kind == "M":
        parts.append(f"ΔLL {ll - float(trace.log_likelihood[pi - 1]):+,.3g}")
    if ari is not None:
        parts.append(f"ARI vs known labels {ari:.3f}")
    parts.append(f"half-step {h} of {trace.n_half_steps - 1}")
    st.markdown(" · ".join(parts))
    explain = {
        "init": f"Starting parameters from {model.init_params} (seed {model.seed}). Points are "
                "grey: no responsibilities yet. Press E-step or Step.",
        "E": "E-step: each point is coloured by its responsibilities under the current "
             "ellipses. The ellipses have not moved.",
        "M": "M-step: new π, μ, Σ from those responsibilities. The ellipses moved; the "
             "colours are still the responsibilities that moved them.",
    }
    st.caption(explain[hs.kind])


def _end_of_run(trace: Trace) -> None:
    msg = state.stop_message(trace.stop_reason, trace.n_iter, trace.tol, trace.max_iter,
                             trace.collapsed_component)
    show = {"converged": st.success, "max_iter": st.info, "collapsed": st.warning}
    show.get(trace.stop_reason, st.info)(msg)


def _timeline() -> None:
    ss = st.session_state
    frontier = int(ss["frontier"])
    ss["timeline"] = int(ss["position"])
    st.slider("Timeline (half-steps computed so far)", 0, max(frontier, 1), key="timeline",
              on_change=state.on_timeline, disabled=frontier == 0,
              help="Scrub back and forth over the steps taken so far: 0 is the start, odd "
                   "numbers are E-steps, even numbers M-steps.")


def _likelihood_notes(trace: Trace, upto_iteration: int) -> None:
    drops = [d for d in trace.decreases() if d.iteration <= upto_iteration]
    bad = [d for d in drops if not d.explained]
    if bad:
        first = bad[0]
        st.warning(
            f"The log-likelihood decreased at iteration {first.iteration} by "
            f"{first.amount:.3g}, more than reg_covar can explain (at most "
            f"{first.allowed:.3g}). Exact EM never lowers the likelihood, so this points to "
            f"a numerical problem ({len(bad)} such decrease(s) so far). Try standardising "
            "the columns or a larger reg_covar."
        )
    elif drops:
        its = ", ".join(str(d.iteration) for d in drops[:5])
        st.info(
            f"The log-likelihood dipped slightly at iteration(s) {its}. That is expected: "
            f"reg_covar = {trace.reg_covar:g} adds a small constant to every covariance's "
            "diagonal, so the M-step is not the exact maximiser. Each dip is within the "
            "bound reg_covar explains. Set reg_covar to 0 for exact EM."
        )


def _options(data: cache.Prepared, spec: DataSpec, title: str = "") -> be.FigureOptions:
    ss = st.session_state
    n, shown = data.n_samples, len(data.display)
    note = f"showing {shown:,} of {n:,} points (EM uses all of them)" if shown < n else None
    return be.FigureOptions(
        presenter=bool(ss["presenter"]),
        height=640 if ss["presenter"] else 560,  # a projector: let the figure fill the room
        show_truth=bool(ss["show_truth"]) and data.truth is not None,
        column_names=data.columns,
        title=title,
        max_points_note=note,
        uirevision=repr(spec),  # same data: keep zoom and 3D camera across steps
    )


def _ari(data: cache.Prepared, resp: np.ndarray | None) -> float | None:
    if data.labels is None or resp is None:
        return None
    truth = data.labels[data.display]
    pred = np.argmax(resp, axis=1)
    if truth.dtype.kind in "iu":  # synthetic: -1 marks outliers without a true component
        keep = truth >= 0
        truth, pred = truth[keep], pred[keep]
    if truth.size < 2:
        return None
    return float(be.adjusted_rand_index(truth, pred))


def _step_view(spec: DataSpec, model: ModelSpec, raw: bytes | None,
               data: cache.Prepared, trace: Trace) -> None:
    ss = st.session_state
    h = int(ss["position"])
    hs = trace.half_step(h)
    ri = state.resp_index(h)
    resp = None if ri is None else cache.display_resp(spec, model, ri, _raw=raw)
    fit_resp = cache.display_resp(spec, model, state.params_index(h), _raw=raw)
    _status(trace, h, hs, model, _ari(data, fit_resp) if h > 0 else None)
    _timeline()
    with guarded("drawing the figure"):
        fig = be.mixture_figure(data.X_display, hs.params, resp,
                                truth=data.truth if ss["show_truth"] else None,
                                options=_options(data, spec))
        st.plotly_chart(fig, key="explore_chart", width="stretch",
                        config={"displaylogo": False})
    if h == trace.n_half_steps - 1:
        _end_of_run(trace)
    _likelihood_notes(trace, state.iteration_of(int(ss["frontier"])))
    left, right = st.columns([3, 2])
    with left, guarded("drawing the log-likelihood"):
        ll_fig = be.loglik_figure(trace, h, _options(data, spec))
        st.plotly_chart(ll_fig, key="loglik_chart", width="stretch",
                        config={"displaylogo": False})
    with right, guarded("building the parameter table"):
        st.markdown(f"**Parameters at half-step {h}** ({trace.covariance_type} covariances)")
        # st.table, not st.dataframe: plain HTML, no data-grid JavaScript to load.
        st.table(be.params_table(hs.params, trace.covariance_type), hide_index=True)


def _animate_view(spec: DataSpec, model: ModelSpec, raw: bytes | None,
                  data: cache.Prepared, trace: Trace) -> None:
    st.markdown(f"**Animation of the whole run** · {trace.n_iter} iterations, "
                f"{trace.n_half_steps} half-steps")
    st.caption("Press ▶ Play under the chart; drag its slider to any half-step. It runs in "
               "your browser. Switch Animate off to step by hand.")
    with guarded("building the animation"):
        fig = cache.animation(spec, model, _options(data, spec), _raw=raw)
        st.plotly_chart(fig, key="animation_chart", width="stretch",
                        config={"displaylogo": False})
    _end_of_run(trace)


def _caption(data: cache.Prepared) -> None:
    dims = f"{data.n_samples:,} points in {data.n_features}D"
    st.caption(f"**{data.name}** · {dims} · columns: {', '.join(data.columns)}")
    if data.description:
        st.caption(data.description)
    shown = len(data.display)
    if shown < data.n_samples:
        st.caption(f"The figure is showing {shown:,} of {data.n_samples:,} points, chosen at "
                   "random; EM uses all of them.")
    for note in data.notes:
        st.caption(note)


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------
def render() -> None:
    """The Explore page (an ``st.Page`` callable)."""
    state.init()
    with st.sidebar:
        st.subheader("Data")
        picked = data_panel.render()
        st.subheader("Model")
        model_panel.render()
        st.subheader("Display")
        st.toggle("Presenter mode (large text)", key="presenter")
    model = state.model_spec()
    _styles(bool(st.session_state["presenter"]))

    if picked is None:
        st.info("Choose data in the sidebar: upload a CSV, pick a sample, or use a synthetic "
                "mixture.")
        return
    spec, raw = picked
    data = attempt(lambda: cache.prepared(spec, _raw=raw), "preparing the data")
    if data is None:
        return
    fit = attempt(lambda: cache.fit(spec, model, _raw=raw), "running EM")
    if fit is None:
        return
    if fit.trace is None:
        (st.warning if fit.error_kind == "collapse" else st.error)(fit.error)
        _caption(data)
        return
    trace = fit.trace
    state.sync_fit((spec, model), trace.n_half_steps)
    _buttons(trace.n_half_steps - 1)
    if st.session_state["animate"]:
        _animate_view(spec, model, raw, data, trace)
    else:
        with guarded("showing this step"):
            _step_view(spec, model, raw, data, trace)
    _caption(data)
