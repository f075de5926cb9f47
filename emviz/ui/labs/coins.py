"""Theory lab: the two coins of Do & Batzoglou (2008), EM on five sets of ten tosses.

Edit the sets, then step: the E-step gives P(A | set) and the expected heads/tails table; the
M-step divides its totals. Soft EM reaches θ_A ≈ 0.80, θ_B ≈ 0.52 after 10 iterations; hard EM
(pick the likelier coin) is drawn alongside.

The run steps in the browser (:func:`emviz.figures.stepper_theory.coins_payload`): E-step, M-step,
Step, the table of credited heads and tails, the posterior bars and θ over iterations follow
the half-step without a rerun.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from emviz.engine.coins import (
    LABELS_DEFAULT,
    TOSSES_DEFAULT,
    CoinState,
    CoinTrace,
    complete_data_mle,
    parse_sets,
    run_coins,
)
from emviz.errors import EmvizError
from emviz.figures import stepper_theory as spt
from emviz.text import markdown_text
from emviz.ui import urlstate
from emviz.ui.i18n import bound, current_language, t
from emviz.ui.labs import stepping_theory as steps
from emviz.ui.labs._common import fig_options, init_keys
from emviz.ui.messages import attempt, error_text

N_ITER = 10  # the paper stops after 10 iterations
#: Where the position lives (a shared link carries it as ``coins_pos``).
POSITION = "coins_pos"
STEPPER = "coins_stepper"
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
    mle = _mle(edited, tosses)
    last = 2 * N_ITER
    run = (tosses, float(ss["coins_ta"]), float(ss["coins_tb"]), mode)
    steps.position(POSITION, "coins_owner", run, last, start=0)
    lang = current_language()
    options = fig_options(340)
    sent = attempt(lambda: steps.payload(
        ("coins", run, mle, options, lang),
        lambda: spt.coins_payload(tosses, runs, mode, mle=mle, options=options,
                                  labels=steps.labels(lang), text=steps.text(lang))),
        t("theory.drawing"))
    if sent is None:
        return
    steps.follow(STEPPER, sent, position_key=POSITION, last=last, run=run, url_path="coins")
    st.markdown(t("coins.formulas"))
