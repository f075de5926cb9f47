"""Theory lab: ln p(X|θ) = L(q, θ) + KL(q ‖ p(Z|X, θ)), live at every half-step.

The bars are Bishop's PRML figures 9.11-9.14 on the current data: after an E-step KL = 0 and L
touches ln p; after an M-step θ moves, ln p and L rise, and KL > 0 opens up again.

The first section holds small helpers the four theory labs share (data from the Explore
sidebar, figure options, translated figure labels, half-step buttons).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from emviz import figures_theory as ft
from emviz.em import COVARIANCE_TYPES, Trace
from emviz.numbers import sig
from emviz.ui import backend as be
from emviz.ui import cache, data_panel, state, urlstate
from emviz.ui.i18n import figure_text, t
from emviz.ui.memo import cached
from emviz.ui.messages import as_markdown, attempt, guarded

CHART_CONFIG = {"displaylogo": False}


# --------------------------------------------------------------------------------------
# Shared by the theory labs
# --------------------------------------------------------------------------------------
def presenter() -> bool:
    return bool(st.session_state.get("presenter", False))


def fig_options(height: int = 460, **extra) -> be.FigureOptions:
    return be.FigureOptions(presenter=presenter(), height=height, text=figure_text(), **extra)


def fig_labels() -> dict[str, str]:
    """:data:`emviz.figures_theory.DEFAULT_LABELS` in the session's language."""
    return {key: t(f"theory.fig.{key}") for key in ft.DEFAULT_LABELS}


def init_keys(defaults: dict) -> None:
    ss = st.session_state
    for key, value in defaults.items():
        if key not in ss:
            ss[key] = value
        ss[key] = ss[key]  # keep widget values while the widget is not drawn


def prefer_own_data(key: str) -> None:
    """First visit of a lab with its own teaching data (radio ``key``): a user who brought
    data (a sample or an upload) finds it selected ("current"), not replaced by the preset."""
    ss = st.session_state
    if key not in ss and ss.get("data_source", state.DEFAULTS["data_source"]) != "Synthetic":
        ss[key] = "current"


def current_data() -> tuple[object, bytes | None, cache.Prepared] | None:
    """The Explore page's data source (its sidebar widgets), prepared; None if unusable."""
    state.init()
    with st.sidebar:
        st.subheader(t("theory.data"))
        picked = data_panel.render()
    if picked is None:
        st.info(data_panel.missing_text(t("theory.choose_data")))
        return None
    spec, raw = picked
    data = attempt(lambda: cache.prepared(spec, _raw=raw), t("theory.preparing"))
    return None if data is None else (spec, raw, data)


def clamp_position(key: str, owner_key: str, owner: object, last: int, start: int) -> int:
    """The half-step position ``ss[key]``, reset to ``start`` when ``owner`` (the run) changes."""
    ss = st.session_state
    if ss.get(owner_key) != owner:  # a new run: its start, or the position a link asks for
        ss[owner_key] = owner
        ss[key] = min(urlstate.take_linked(ss, key, start), last)
    ss[key] = max(0, min(int(ss.get(key, 0)), last))
    return int(ss[key])


def half_step_buttons(key: str, last: int, prefix: str,
                      run_label: str | None = None) -> None:
    """E-step / M-step / Step / Run / Reset buttons moving ``ss[key]`` on the half-step line."""
    ss = st.session_state
    pos = int(ss[key])

    def go(to: Callable[[int], int]) -> Callable[[], None]:
        def callback() -> None:
            ss[key] = max(0, min(to(int(ss[key])), last))
        return callback

    specs = [
        (t("theory.e_step"), "e", go(lambda p: p + 1), pos % 2 == 1 or pos >= last,
         t("theory.e_step_help")),
        (t("theory.m_step"), "m", go(lambda p: p + 1), pos % 2 == 0 or pos >= last,
         t("theory.m_step_help")),
        (t("theory.step"), "step", go(lambda p: p + 2 if p % 2 == 0 else p + 1), pos >= last,
         t("theory.step_help")),
        (run_label or t("theory.run"), "run", go(lambda p: last), pos >= last,
         t("theory.run_help")),
        (t("theory.reset"), "reset", go(lambda p: 0), pos == 0, t("theory.reset_help")),
    ]
    cols = st.columns(len(specs))
    for col, (label, name, callback, disabled, tip) in zip(cols, specs, strict=True):
        col.button(label, key=f"{prefix}_btn_{name}", on_click=callback, disabled=disabled,
                   help=tip, width="stretch",
                   type="primary" if name in ("e", "m") else "secondary")


def timeline(key: str, slider_key: str, last: int) -> None:
    ss = st.session_state
    ss[slider_key] = int(ss[key])

    def moved() -> None:
        ss[key] = int(ss[slider_key])

    st.slider(t("theory.timeline"), 0, max(last, 1), key=slider_key, on_change=moved,
              disabled=last == 0, help=t("theory.timeline_help"))


def hide_future_toggle(key: str, position_key: str) -> bool:
    """A toggle that hides what the run does after the position on screen.

    Turning it on goes back to the start (position 0), so a class can predict each step
    before it is drawn. Returns whether the future is hidden.
    """
    ss = st.session_state
    ss.setdefault(key, False)
    ss[key] = ss[key]  # keep the choice while another page is shown

    def turned() -> None:
        if ss[key]:
            ss[position_key] = 0

    st.toggle(t("labs.hide_future"), key=key, on_change=turned, help=t("labs.hide_future_help"))
    return bool(ss[key])


def kind_name(kind: str, iteration: int) -> str:
    return t(f"theory.kind.{kind}", i=iteration)


# --------------------------------------------------------------------------------------
# The ELBO lab
# --------------------------------------------------------------------------------------
DEFAULTS = {"elbo_k": 3, "elbo_cov": "full", "elbo_seed": 0, "elbo_pos": 1}


def _model() -> state.ModelSpec:
    ss = st.session_state
    # reg_covar = 0: the exact M-step, so "ln p never decreases" holds to the last digit.
    return state.ModelSpec(n_components=int(ss["elbo_k"]), covariance_type=str(ss["elbo_cov"]),
                           init_params="random_from_data", seed=int(ss["elbo_seed"]),
                           reg_covar=0.0, max_iter=200, tol=1e-6)


def _sidebar() -> None:
    with st.sidebar:
        st.subheader(t("theory.model"))
        st.number_input(t("theory.k"), 1, 12, key="elbo_k")
        st.selectbox(t("theory.covariance_type"), COVARIANCE_TYPES, key="elbo_cov")
        st.number_input(t("theory.seed"), 0, 1_000_000, key="elbo_seed")
        st.caption(t("elbo.exact_note"))


@cached(max_entries=256, upload_entries=64)
def _bound(spec, model: state.ModelSpec, h: int, _raw: bytes | None = None) -> ft.BoundPoint:
    X = cache.prepared(spec, _raw=_raw).X
    return ft.bound_at(X, cache.fit(spec, model, _raw=_raw).trace, h)


def _status(points: list[ft.BoundPoint], trace: Trace) -> None:
    cur = points[-1]
    it = (cur.h + 1) // 2
    st.markdown(f"**{kind_name(cur.kind, it)}** · " + t("theory.half_step_of", h=cur.h,
                                                          last=trace.n_half_steps - 1))
    if cur.terms is None:
        st.info(t("elbo.at_init", lnp=f"{cur.log_likelihood:,.3f}"))
        return
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric("ln p(X|θ)", f"{cur.terms.log_likelihood:,.3f}")
    c2.metric("L(q, θ)", f"{cur.terms.elbo:,.3f}")
    # After an E-step KL is 0 exactly; computed term by term it is float noise (~1e-16),
    # which "4.6e-16" would present as a value: below the rounding of ln p it is shown as 0.
    noise = 1e-12 * max(1.0, abs(cur.terms.log_likelihood))
    c3.metric("KL(q ‖ p)", sig(cur.terms.kl if cur.terms.kl > noise else 0.0))
    c4.metric("Q(θ, θ_old)", f"{cur.terms.expected_complete:,.3f}")
    c5.metric("H(q)", f"{cur.terms.entropy:,.3f}")
    prev = points[-2] if len(points) > 1 else None
    if cur.kind == "E":
        st.success(t("elbo.after_e", kl=sig(abs(cur.terms.kl), 2)))
    elif prev is not None:
        change = cur.log_likelihood - prev.log_likelihood
        st.success(t("elbo.after_m", dlnp=sig(change, signed=True), kl=sig(cur.terms.kl)))


def render() -> None:
    """The ELBO/KL lab (an ``st.Page`` callable)."""
    init_keys(DEFAULTS)
    st.title(t("elbo.title"))
    st.markdown(t("elbo.intro"))
    picked = current_data()
    _sidebar()
    if picked is None:
        return
    spec, raw, data = picked
    model = _model()
    fit = attempt(lambda: cache.fit(spec, model, _raw=raw), t("theory.running_em"))
    if fit is None:
        return
    if fit.trace is None:
        (st.warning if fit.error_kind == "collapse" else st.error)(as_markdown(fit.error))
        return
    trace = fit.trace
    last = trace.n_half_steps - 1
    clamp_position("elbo_pos", "elbo_owner", (spec, model), last, start=1)
    half_step_buttons("elbo_pos", last, "elbo")
    timeline("elbo_pos", "elbo_timeline", last)
    h = int(st.session_state["elbo_pos"])
    with guarded(t("theory.drawing")):
        points = [_bound(spec, model, i, _raw=raw) for i in range(max(0, h - 8), h + 1)]
        _status(points, trace)
        labels = fig_labels()
        left, right = st.columns([3, 2])
        left.plotly_chart(ft.bound_bars_figure(points, fig_options(), labels),
                          key="elbo_bars", width="stretch", config=CHART_CONFIG)
        if points[-1].terms is not None:
            right.plotly_chart(ft.decomposition_figure(points[-1], fig_options(), labels),
                               key="elbo_waterfall", width="stretch", config=CHART_CONFIG)
        st.markdown(t("elbo.why"))
        hs = trace.half_step(h)
        ri = state.resp_index(h)
        resp = None if ri is None else cache.display_resp(spec, model, ri, _raw=raw)
        fig = be.mixture_figure(data.X_display, hs.params, resp,
                                options=fig_options(420, column_names=data.columns,
                                                    uirevision=repr(spec)))
        st.plotly_chart(fig, key="elbo_mixture", width="stretch", config=CHART_CONFIG)
    if trace.stop_reason == "collapsed":
        st.warning(t("elbo.collapsed", k=(trace.collapsed_component or 0) + 1))

