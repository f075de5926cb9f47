"""Session state of the Explore view: specs, defaults and the stepping callbacks.

The data and model settings live in widget keys; each run turns them into two frozen,
hashable specs (:class:`SyntheticSpec` / :class:`PresetSpec` / :class:`TableSpec`, and
:class:`ModelSpec`) that key the cached fit. Stepping is two integers on the half-step
timeline of that fit:

* ``frontier``: how far the user has stepped (the slider's right end);
* ``position``: the half-step on screen (0 = init, 2i-1 = E of iteration i, 2i = M of i).

The pure helpers (``next_*``) take plain numbers so they can be tested
without Streamlit; the callbacks only read and write ``st.session_state``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

# --------------------------------------------------------------------------------------
# Frozen specs (hashable: they key st.cache_data)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticSpec:
    """A custom synthetic mixture (``emviz.data.make_mixture``)."""

    dim: int = 2
    n_components: int = 3
    n_samples: int = 1000
    separation: float = 3.0
    shape: str = "rotated"
    imbalance: float = 1.0  # largest weight / smallest weight; 1 = equal weights
    seed: int = 0

    def weights(self) -> tuple[float, ...]:
        """Geometric weights from 1 down to 1/imbalance, normalised."""
        k = self.n_components
        if k == 1 or self.imbalance <= 1:
            return tuple([1.0 / k] * k)
        raw = [self.imbalance ** (-i / (k - 1)) for i in range(k)]
        total = sum(raw)
        return tuple(w / total for w in raw)


@dataclass(frozen=True)
class PresetSpec:
    """A named teaching preset (``emviz.data.make_preset``)."""

    name: str = "well_separated"
    seed: int = 0


@dataclass(frozen=True)
class TableSpec:
    """Columns picked from a CSV: a shipped sample or an upload (identified by its digest).

    ``pca_dim`` is None when the columns are used as they are; otherwise all ``columns`` are
    standardised (if asked) and projected onto their first ``pca_dim`` principal components.
    """

    origin: str  # "sample" | "upload"
    name: str  # sample file name, or the uploaded file's name
    digest: str  # sha1 of the bytes for uploads; "" for samples
    columns: tuple[str, ...]
    label: str | None = None
    standardise: bool = False
    pca_dim: int | None = None


DataSpec = SyntheticSpec | PresetSpec | TableSpec


@dataclass(frozen=True)
class ModelSpec:
    """scikit-learn's GaussianMixture settings, by its names."""

    n_components: int = 3
    covariance_type: str = "full"
    init_params: str = "kmeans++"
    seed: int = 0
    reg_covar: float = 1e-6
    max_iter: int = 100
    tol: float = 1e-3


# --------------------------------------------------------------------------------------
# Widget keys and their defaults
# --------------------------------------------------------------------------------------
SOURCES = ("Synthetic", "Sample", "Upload CSV")
CUSTOM = "custom"
SAMPLES = {
    "old_faithful.csv": "Old Faithful geyser (272 eruptions, 2 columns)",
    "iris.csv": "Iris (150 flowers, 4 columns, species)",
    "wine.csv": "Wine (178 wines, 13 columns, cultivar)",
}
REG_COVAR_OPTIONS = (0.0, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)
TOL_OPTIONS = (0.0, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1)
N_OPTIONS = (100, 300, 1000, 3000, 10_000, 30_000, 100_000, 300_000, 1_000_000)

#: Every value widget's key and default. Kept in session state across page switches.
DEFAULTS: dict[str, Any] = {
    "data_source": "Synthetic",
    "syn_preset": "overlapping",
    "syn_dim": 2,
    "syn_k": 3,
    "syn_n": 1000,
    "syn_sep": 3.0,
    "syn_shape": "rotated",
    "syn_imbalance": 1.0,
    "syn_seed": 0,
    "sample_name": "old_faithful.csv",
    "tbl_columns": [],
    "tbl_mode": "Pick columns",
    "tbl_pca_dim": 2,
    "tbl_label": None,
    "tbl_standardise": False,
    "model_k": 3,
    "model_cov": "full",
    "model_init": "random_from_data",
    "model_seed": 0,
    "model_reg": 1e-6,
    "model_max_iter": 100,
    "model_tol": 1e-3,
    "animate": False,
    # "presenter" and "lang" belong to every page: emviz/ui/sidebar_common.py owns them.
    "show_truth": True,
}

#: Non-widget state: the stepping position and what it refers to.
STEP_DEFAULTS: dict[str, Any] = {
    "frontier": 0,
    "position": 0,
    "n_half_steps": 1,
    "fit_key": None,
    "tbl_for": None,
}


def init() -> None:
    """Create missing keys; re-store widget values so they survive hidden widgets.

    Streamlit forgets a widget's value when a run does not draw it (e.g. the synthetic
    sliders while a CSV is shown); copying it into plain session state keeps it.
    """
    ss = st.session_state
    for key, value in STEP_DEFAULTS.items():
        if key not in ss:
            ss[key] = value
    keep(DEFAULTS)


def keep(defaults: dict[str, Any]) -> None:
    """Create the missing keys; re-store the others, so that a widget's value survives the
    runs that do not draw it (a lab stops before its controls while it has no data, e.g.
    on "Upload CSV" before a file is chosen; Streamlit would then forget their values)."""
    ss = st.session_state
    for key, value in defaults.items():
        if key not in ss:
            ss[key] = list(value) if isinstance(value, list) else value
        ss[key] = ss[key]


# --------------------------------------------------------------------------------------
# Specs from the widget values
# --------------------------------------------------------------------------------------
def model_spec() -> ModelSpec:
    ss = st.session_state
    return ModelSpec(
        n_components=int(ss["model_k"]),
        covariance_type=str(ss["model_cov"]),
        init_params=str(ss["model_init"]),
        seed=int(ss["model_seed"]),
        reg_covar=float(ss["model_reg"]),
        max_iter=int(ss["model_max_iter"]),
        tol=float(ss["model_tol"]),
    )


def synthetic_spec() -> SyntheticSpec | PresetSpec:
    ss = st.session_state
    if ss["syn_preset"] != CUSTOM:
        return PresetSpec(name=str(ss["syn_preset"]), seed=int(ss["syn_seed"]))
    return SyntheticSpec(
        dim=int(ss["syn_dim"]),
        n_components=int(ss["syn_k"]),
        n_samples=int(ss["syn_n"]),
        separation=float(ss["syn_sep"]),
        shape=str(ss["syn_shape"]),
        imbalance=float(ss["syn_imbalance"]),
        seed=int(ss["syn_seed"]),
    )


# --------------------------------------------------------------------------------------
# The half-step timeline (pure)
# --------------------------------------------------------------------------------------
def kind_of(h: int) -> str:
    """"init", "E" or "M" for half-step ``h``."""
    return "init" if h == 0 else ("E" if h % 2 == 1 else "M")


def iteration_of(h: int) -> int:
    return (h + 1) // 2


def params_index(h: int) -> int:
    """Index into ``trace.params`` of the parameters drawn at half-step ``h``."""
    return 0 if h == 0 else (iteration_of(h) if h % 2 == 0 else iteration_of(h) - 1)


def resp_index(h: int) -> int | None:
    """Index into ``trace.params`` of the parameters whose responsibilities colour ``h``."""
    return None if h == 0 else iteration_of(h) - 1


def next_e(position: int, last: int) -> int | None:
    """The next half-step if it is an E-step, else None (E and M alternate)."""
    h = position + 1
    return h if h <= last and kind_of(h) == "E" else None


def next_m(position: int, last: int) -> int | None:
    """The next half-step if it is an M-step, else None."""
    h = position + 1
    return h if h <= last and kind_of(h) == "M" else None


def next_full(position: int, last: int) -> int | None:
    """End of the next M-step: a full iteration from init or an M (from an E: finish it)."""
    h = position + 1 if position % 2 == 1 else position + 2
    return h if h <= last else None


# --------------------------------------------------------------------------------------
# Callbacks (on_click / on_change)
# --------------------------------------------------------------------------------------
def _move_to(h: int | None) -> None:
    if h is None:
        return
    ss = st.session_state
    ss["position"] = h
    ss["frontier"] = max(ss["frontier"], h)


def _last() -> int:
    return int(st.session_state["n_half_steps"]) - 1


def on_e_step() -> None:
    _move_to(next_e(st.session_state["position"], _last()))


def on_m_step() -> None:
    _move_to(next_m(st.session_state["position"], _last()))


def on_step() -> None:
    """One full iteration: to the end of the next M-step (from an E: finish this one)."""
    _move_to(next_full(st.session_state["position"], _last()))


def on_run() -> None:
    _move_to(_last())


def on_reset() -> None:
    st.session_state["position"] = 0
    st.session_state["frontier"] = 0


def on_new_init() -> None:
    st.session_state["model_seed"] = int(st.session_state["model_seed"]) + 1
    on_reset()


def on_timeline() -> None:
    ss = st.session_state
    ss["position"] = min(int(ss["timeline"]), int(ss["frontier"]))


def sync_fit(key: Any, n_half_steps: int) -> None:
    """Called once per run with the current fit: a new fit starts at half-step 0."""
    ss = st.session_state
    if ss["fit_key"] != key:
        ss["fit_key"] = key
        ss["frontier"] = 0
        ss["position"] = 0
    ss["n_half_steps"] = max(int(n_half_steps), 1)
    last = ss["n_half_steps"] - 1
    ss["frontier"] = min(int(ss["frontier"]), last)
    ss["position"] = min(int(ss["position"]), int(ss["frontier"]))
