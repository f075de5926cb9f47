"""Theory lab: the two coins of Do & Batzoglou (2008), EM on five sets of ten tosses.

Edit the sets, then step: the E-step gives P(A | set) and the expected heads/tails table; the
M-step divides its totals. Soft EM reaches θ_A ≈ 0.80, θ_B ≈ 0.52 after 10 iterations; hard EM
(pick the likelier coin) is drawn alongside.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from emviz import figures_theory as ft
from emviz.coins import (
    LABELS_DEFAULT,
    TOSSES_DEFAULT,
    CoinState,
    CoinTrace,
    complete_data_mle,
    parse_sets,
    run_coins,
)
from emviz.errors import EmvizError
from emviz.text import markdown_text
from emviz.ui import urlstate
from emviz.ui.i18n import bound, t
from emviz.ui.labs.elbo import (
    CHART_CONFIG,
    clamp_position,
    fig_labels,
    fig_options,
    half_step_buttons,
    hide_future_toggle,
    init_keys,
    kind_name,
    timeline,
)
from emviz.ui.messages import error_text, guarded

N_ITER = 10  # the paper stops after 10 iterations
DEFAULTS = {"coins_ta": 0.6, "coins_tb": 0.5, "coins_mode": "soft", "coins_pos": 0}


def sets_frame(tosses: Sequence[str], coins: Sequence[str | None]) -> pd.DataFrame:
    """The editor's table, numbered from 1 as people count trials (set 1, 2, ...)."""
    return pd.DataFrame({"tosses": list(tosses), "coin": list(coins)},
                        index=pd.RangeIndex(1, len(tosses) + 1))


def default_sets() -> pd.DataFrame:
    return sets_frame(TOSSES_DEFAULT, LABELS_DEFAULT)


def _numbered(df: pd.DataFrame) -> pd.DataFrame:
    index = df.index
    if isinstance(index, pd.RangeIndex) and index.start == 1 and index.step == 1:
        return df
    return df.set_axis(pd.RangeIndex(1, len(df) + 1), axis=0)


def _sets_editor() -> pd.DataFrame:
    ss = st.session_state
    if "coins_sets" not in ss:  # a shared link's sets (validated in urlstate), or the paper's
        linked = ss.get(urlstate.COINS_DATA)
        ss["coins_sets"] = (sets_frame([s for s, _ in linked], [c for _, c in linked])
                            if linked else default_sets())
    ss["coins_sets"] = _numbered(ss["coins_sets"])
    return st.data_editor(
        ss["coins_sets"], key="coins_editor", num_rows="dynamic", hide_index=False,
        width="stretch",
        column_config={
            "_index": st.column_config.NumberColumn(t("coins.col_set"), format="%d"),
            "tosses": st.column_config.TextColumn(t("coins.col_tosses"), required=True,
                                                  help=t("coins.col_tosses_help")),
            "coin": st.column_config.SelectboxColumn(t("coins.col_coin"), options=["A", "B"],
                                                     help=t("coins.col_coin_help")),
        },
    )


def totals_styled(table: pd.DataFrame, labels: dict[str, str]):
    """The E-step table with 2 decimals; the totals row's empty cells (no P(A|set) for a
    total) are blank, not "None"."""
    numeric = [labels[c] for c in ("p_a", "p_b", "heads_a", "tails_a", "heads_b", "tails_b")]
    table = table.copy()
    table[numeric] = table[numeric].apply(pd.to_numeric, errors="coerce")
    return table.style.format("{:.2f}", subset=numeric, na_rep="")


def _reset_sets() -> None:
    st.session_state["coins_sets"] = default_sets()
    st.session_state.pop("coins_editor", None)


def _runs(tosses: tuple[str, ...], ta: float, tb: float) -> dict[str, CoinTrace]:
    h, tl = parse_sets(tosses)
    init = CoinState(ta, tb)
    return {"soft": run_coins(h, tl, init, N_ITER), "hard": run_coins(h, tl, init, N_ITER,
                                                                      hard=True)}


def _mle(edited: pd.DataFrame, tosses: tuple[str, ...]) -> tuple[float, float] | None:
    coins = [str(c).strip().upper() for c in edited["coin"].fillna("")]
    if len(coins) != len(tosses) or any(c not in ("A", "B") for c in coins):
        return None
    try:
        h, tl = parse_sets(tosses)
        mle = complete_data_mle(h, tl, coins)
    except EmvizError:
        return None
    return mle.theta_a, mle.theta_b


def _step_text(trace: CoinTrace, h: int) -> None:
    it = (h + 1) // 2
    if h == 0:
        s = trace.states[0]
        st.info(t("coins.at_init", a=f"{s.theta_a:.2f}", b=f"{s.theta_b:.2f}"))
    elif h % 2 == 1:
        st.info(t("coins.after_e", i=it))
    else:
        e = trace.e_steps[it - 1]
        tot = e.totals
        new = trace.states[it]
        st.info(t("coins.after_m", i=it,
                  ha=f"{tot['heads_a']:.2f}", ta=f"{tot['tails_a']:.2f}", a=f"{new.theta_a:.4f}",
                  hb=f"{tot['heads_b']:.2f}", tb=f"{tot['tails_b']:.2f}", b=f"{new.theta_b:.4f}"))


def render() -> None:
    """The two-coins lab (an ``st.Page`` callable)."""
    init_keys(DEFAULTS)
    ss = st.session_state
    st.title(t("coins.title"))
    st.markdown(t("coins.intro"))
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**{t('coins.sets')}**")
        edited = _sets_editor()
        st.button(t("coins.reset_sets"), key="coins_reset_sets", on_click=_reset_sets)
    tb = bound()
    with right:
        st.number_input(t("coins.theta_a0"), 0.0, 1.0, step=0.05, key="coins_ta")
        st.number_input(t("coins.theta_b0"), 0.0, 1.0, step=0.05, key="coins_tb")
        st.radio(t("coins.mode"), ("soft", "hard"), key="coins_mode", horizontal=True,
                 format_func=lambda m: tb(f"coins.mode.{m}"), help=t("coins.mode_help"))
    tosses = tuple(str(s) for s in edited["tosses"].fillna(""))
    ss[urlstate.COINS_DATA] = tuple(  # what the shareable link carries
        (s, c if c in ("A", "B") else None)
        for s, c in zip(tosses, edited["coin"].fillna("").astype(str).str.strip().str.upper(),
                        strict=True))
    try:
        runs = _runs(tosses, float(ss["coins_ta"]), float(ss["coins_tb"]))
    except EmvizError as exc:
        st.error(markdown_text(error_text(exc)))
        return
    mode = ss["coins_mode"]
    trace = runs[mode]
    last = 2 * N_ITER
    clamp_position("coins_pos", "coins_owner", (tosses, ss["coins_ta"], ss["coins_tb"], mode),
                   last, start=0)
    half_step_buttons("coins_pos", last, "coins", run_label=t("coins.run10"))
    timeline("coins_pos", "coins_timeline", last)
    hidden = hide_future_toggle("coins_hide_future", "coins_pos")
    h = int(ss["coins_pos"])
    it = (h + 1) // 2
    state_now = trace.states[it if h % 2 == 0 else it - 1]
    kind = "init" if h == 0 else ("E" if h % 2 else "M")
    st.markdown(f"**{t('coins.mode.' + mode)} · {kind_name(kind, it)}**")
    c1, c2, c3 = st.columns(3)
    c1.metric("θ_A", f"{state_now.theta_a:.2f}")
    c2.metric("θ_B", f"{state_now.theta_b:.2f}")
    c3.metric(t("coins.loglik"), f"{trace.log_likelihood[it if h % 2 == 0 else it - 1]:.4f}")
    _step_text(trace, h)
    labels = fig_labels()
    with guarded(t("theory.drawing")):
        if h > 0:
            estep = trace.e_steps[it - 1]
            # st.table, not st.dataframe: the data grid drew the totals row's empty cells as
            # "None" whatever the Styler said; a plain table shows the Styler's text.
            st.table(totals_styled(ft.coins_table(tosses, estep, labels), labels),
                     hide_index=True)
        a, b = st.columns([1, 1]) if h > 0 else (None, st.container())
        if h > 0:
            a.plotly_chart(ft.coins_posterior_figure(trace.e_steps[it - 1], fig_options(340),
                                                     labels),
                           key="coins_posterior", width="stretch", config=CHART_CONFIG)
        b.plotly_chart(ft.coins_theta_figure(runs, it, _mle(edited, tosses), fig_options(340),
                                             labels, hide_future=hidden),
                       key="coins_theta", width="stretch", config=CHART_CONFIG)
    soft, hard = runs["soft"].states[10], runs["hard"].states[10]
    if not hidden or h == last:  # the result after 10 iterations is the future until then
        st.markdown(t("coins.compare", sa=f"{soft.theta_a:.2f}", sb=f"{soft.theta_b:.2f}",
                      ha=f"{hard.theta_a:.2f}", hb=f"{hard.theta_b:.2f}"))
    st.markdown(t("coins.formulas"))
