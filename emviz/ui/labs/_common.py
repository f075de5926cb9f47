"""What the lab pages share: their data panel and presets, figure options, session defaults,
a position that follows its run, and "Open in Explore" (which only sets session state; the
app's frame switches page, so no lab imports the page list)."""

from __future__ import annotations

import streamlit as st

from emviz.figures import theory as ft
from emviz.figures.mixture import FigureOptions
from emviz.text import markdown_text
from emviz.ui import backend as be
from emviz.ui import cache, data_panel, sidebar_common, state, urlstate
from emviz.ui.i18n import figure_text, t
from emviz.ui.messages import as_markdown, attempt
from emviz.ui.naming import data_name
from emviz.ui.state import DataSpec, PresetSpec

# ======================================================================================
# Shared lab plumbing (used by init_sensitivity and model_selection too)
# ======================================================================================
#: Session key set by an "Open in Explore" callback; the app's frame switches page.
GOTO_EXPLORE = sidebar_common.GOTO_EXPLORE


#: Explore draws 1 to 3 features; a fit on more cannot be opened there.
EXPLORE_MAX_DIM = 3


def apply_preset(name: str) -> None:
    """Callback: synthetic data from teaching preset ``name``, with the model it suggests."""
    ss = st.session_state
    ss["data_source"] = "Synthetic"
    ss["syn_preset"] = name
    try:
        data = cache.prepared(PresetSpec(name, int(ss["syn_seed"])))
    except Exception:  # the main run shows the error; a callback must not raise
        return
    state.suggest_model(ss, data)


def _data_untouched() -> bool:
    ss, d = st.session_state, state.DEFAULTS
    return all(ss[k] == d[k] for k in ("data_source", "syn_preset", "syn_seed"))


def lab_data(lab: str, preset: str, quick: tuple[str, ...], all_columns: bool = False
             ) -> tuple[DataSpec, bytes | None, cache.Prepared] | None:
    """Sidebar data panel (shared with Explore) and the prepared data, or None.

    On a lab's first visit, data still at Explore's default becomes the lab's ``preset``
    (the one that makes its point at once); data the user chose, or a shared link's data,
    is kept. ``quick`` presets get one-click buttons above the lab. ``all_columns``: the lab
    can cluster more than 3 columns (see :func:`emviz.ui.data_panel.render`).
    """
    state.init()
    ss = st.session_state
    visited = f"lab_visited_{lab}"
    if visited not in ss:
        ss[visited] = True
        if _data_untouched() and not ss.get(urlstate.LINKED_DATA, False):
            apply_preset(preset)
    with st.sidebar:
        st.subheader(t("labs.data"))
        picked = data_panel.render(all_columns=all_columns)
    cols = st.columns([1.3] + [1] * len(quick), vertical_alignment="center")
    cols[0].caption(t("labs.try_preset"))
    for col, name in zip(cols[1:], quick, strict=True):
        col.button(t(f"panels.preset.{name}"), key=f"{lab}_quick_{name}", on_click=apply_preset,
                   args=(name,), width="stretch",
                   type="primary" if (ss["data_source"] == "Synthetic"
                                      and ss["syn_preset"] == name) else "secondary")
    if picked is None:
        st.info(data_panel.missing_text(t("labs.choose_data")))
        return None
    spec, raw = picked
    data = attempt(lambda: cache.prepared(spec, _raw=raw), t("labs.preparing"))
    if data is None:
        return None
    return spec, raw, data


def data_caption(data: cache.Prepared, spec: DataSpec) -> None:
    """The data's name (as the sidebar calls it), size and columns, and its description."""
    st.caption(t("labs.data_caption", name=data_name(spec, data.name), n=f"{data.n_samples:,}",
                 d=data.n_features, columns=", ".join(markdown_text(c) for c in data.columns)))
    if data.description:
        st.caption(as_markdown(data.description))


def presenter() -> bool:
    return bool(st.session_state.get("presenter", False))


def figure_options(data: cache.Prepared, spec: DataSpec, title: str = "",
                   height: int = 520) -> FigureOptions:
    return FigureOptions(presenter=presenter(), show_truth=False, column_names=data.columns,
                         title=title, height=height + (120 if presenter() else 0),
                         uirevision=repr(spec), text=figure_text())


def true_k(data: cache.Prepared) -> int | None:
    """The number of true components (synthetic data only)."""
    return None if data.truth is None else int(data.truth.n_components)


def open_in_explore(k: int, covariance_type: str, init: str, seed: int, reg_covar: float,
                    max_iter: int, tol: float) -> None:
    """Callback: set Explore's model to this run; the next run opens Explore."""
    ss = st.session_state
    ss.update({
        "model_k": int(k), "model_cov": covariance_type, "model_init": init,
        "model_seed": int(seed), "model_reg": float(reg_covar),
        "model_max_iter": int(max_iter), "model_tol": float(tol),
    })
    ss[GOTO_EXPLORE] = True


def fig_options(height: int = 460, **extra) -> be.FigureOptions:
    return be.FigureOptions(presenter=presenter(), height=height, text=figure_text(), **extra)


def fig_labels() -> dict[str, str]:
    """:data:`emviz.figures.theory.DEFAULT_LABELS` in the session's language."""
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
