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

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

# --------------------------------------------------------------------------------------
# Frozen specs (hashable: they key st.cache_data)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticSpec:
    """A custom synthetic mixture (``emviz.data.synthetic.make_mixture``)."""

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
    """A named teaching preset (``emviz.data.synthetic.make_preset``)."""

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


@dataclass(frozen=True)
class EditedSpec:
    """Data the user edited on the chart: ``base`` without the rows ``removed``, then the
    points ``added`` (in the order they were added).

    ``base`` None is an empty canvas to draw on (2-D, axes fixed at :data:`CANVAS_RANGES`).
    Indices in ``removed`` are rows of the base data, sorted.
    """

    base: SyntheticSpec | PresetSpec | TableSpec | None = None
    removed: tuple[int, ...] = ()
    added: tuple[tuple[float, float], ...] = ()


DataSpec = SyntheticSpec | PresetSpec | TableSpec | EditedSpec

#: The axes of an empty canvas to draw on.
CANVAS_RANGES = ((0.0, 10.0), (0.0, 10.0))

#: Params as nested tuples (hashable): (weights, means, covariances).
Start = tuple[tuple[float, ...], tuple[tuple[float, ...], ...],
              tuple[tuple[tuple[float, ...], ...], ...]]


@dataclass(frozen=True)
class ModelSpec:
    """scikit-learn's GaussianMixture settings, by its names.

    ``init_params == "manual"`` starts from ``start`` (set by hand: a dragged mean, or the
    start kept while the user edits the data), as scikit-learn's ``weights_init``,
    ``means_init`` and ``precisions_init`` would.
    """

    n_components: int = 3
    covariance_type: str = "full"
    init_params: str = "kmeans++"
    seed: int = 0
    reg_covar: float = 1e-6
    max_iter: int = 100
    tol: float = 1e-3
    start: Start | None = None


# --------------------------------------------------------------------------------------
# Widget keys and their defaults
# --------------------------------------------------------------------------------------
SOURCES = ("Synthetic", "Sample", "Upload CSV")
CUSTOM = "custom"
#: The scenario "draw your own data": an empty canvas.
DRAW = "draw"
#: The start set by hand is this init method (not one of the engine's).
MANUAL = "manual"
#: Session key of what the Explore stepper on screen shows (its payload id, data and start).
STEPPER_CONTEXT = "explore_stepper_context"
SAMPLES = {
    "old_faithful.csv": "Old Faithful geyser (272 eruptions, 2 columns)",
    "iris.csv": "Iris (150 flowers, 4 columns, species)",
    "wine.csv": "Wine (178 wines, 13 columns, cultivar)",
}
REG_COVAR_OPTIONS = (0.0, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)
TOL_OPTIONS = (0.0, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1)
N_OPTIONS = (100, 300, 1000, 3000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
#: The 1D histogram's bins: the rule (emviz.figures.mixture.histogram_edges) or a fixed count.
AUTO_BINS = "auto"
HIST_BINS = (AUTO_BINS, 10, 20, 30, 50, 80, 120, 200)

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
    "tbl_pca_columns": [],
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
    # "presenter" and "lang" belong to every page: emviz/ui/sidebar_common.py owns them.
    "show_truth": True,
    "hist_bins": AUTO_BINS,
}

#: Non-widget state: the stepping position and what it refers to.
STEP_DEFAULTS: dict[str, Any] = {
    "frontier": 0,
    "position": 0,
    "n_half_steps": 1,
    "fit_key": None,
    "tbl_for": None,
    # the start set by hand (Start), the method it replaced, and the user's data edits
    "model_start": None,
    "model_init_auto": None,
    "model_start_for": None,
    "data_edits": None,
}


def suggest_model(values: Any, data: Any, only_missing: Any = ()) -> None:
    """Give the model the K, covariance type and init a preset suggests (a teacher's one click).

    ``values`` is session state (or any mutable mapping); ``data`` anything with
    ``suggested_k``, ``suggested_covariance_type`` and ``suggested_init`` attributes. A
    suggested init comes with seed 0, the start its suggestion was checked with. Keys in
    ``only_missing`` (a shared link's own settings) are left as they are.
    """
    suggestions = {
        "model_k": int(data.suggested_k) if getattr(data, "suggested_k", None) else None,
        "model_cov": getattr(data, "suggested_covariance_type", None) or None,
        "model_init": getattr(data, "suggested_init", None) or None,
    }
    if suggestions["model_init"] is not None:
        suggestions["model_seed"] = 0
    for key, value in suggestions.items():
        if value is not None and key not in only_missing:
            values[key] = value


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
    k = int(ss["model_k"])
    manual = ss["model_init"] == MANUAL and ss.get("model_start") is not None
    return ModelSpec(
        n_components=k,
        covariance_type=str(ss["model_cov"]),
        init_params=str(ss["model_init"]),
        seed=int(ss["model_seed"]),
        reg_covar=float(ss["model_reg"]),
        max_iter=int(ss["model_max_iter"]),
        tol=float(ss["model_tol"]),
        start=ss["model_start"] if manual else None,
    )


def check_manual(data_key: str) -> None:
    """Drop a start by hand that no longer fits: other data, or another K.

    Call before the model widgets are drawn (their values cannot change after that).
    """
    ss = st.session_state
    if ss.get("model_init") != MANUAL:
        return
    start = ss.get("model_start")
    if (start is None or ss.get("model_start_for") != data_key
            or len(start[0]) != int(ss["model_k"])):
        leave_manual()


def auto_init(ss: MutableMapping[str, Any] | None = None) -> str:
    """The init method a start by hand replaced (or the default one)."""
    ss = st.session_state if ss is None else ss
    method = ss.get("model_init_auto")
    return method if method and method != MANUAL else DEFAULTS["model_init"]


def leave_manual(ss: MutableMapping[str, Any] | None = None) -> None:
    """Back to the init method that the start by hand replaced."""
    ss = st.session_state if ss is None else ss
    if ss.get("model_init") == MANUAL:
        ss["model_init"] = auto_init(ss)
    ss["model_start"] = None


def set_manual_start(start: Start, data_key: str,
                     ss: MutableMapping[str, Any] | None = None) -> None:
    """Start EM from ``start`` from now on (init method "manual"), on the data ``data_key``."""
    ss = st.session_state if ss is None else ss
    if ss["model_init"] != MANUAL:
        ss["model_init_auto"] = ss["model_init"]
    ss["model_init"] = MANUAL
    ss["model_start"] = start
    ss["model_start_for"] = data_key


def data_key(spec: DataSpec) -> str:
    """Which data a start by hand belongs to: the data before any edit."""
    return repr(spec.base if isinstance(spec, EditedSpec) else spec)


def start_of(params: Any) -> Start:
    """``Params`` as a hashable :data:`Start`."""
    return (tuple(float(w) for w in params.weights),
            tuple(tuple(float(v) for v in m) for m in params.means),
            tuple(tuple(tuple(float(v) for v in row) for row in c) for c in params.covariances))


def edited(spec: DataSpec) -> DataSpec:
    """``spec`` with the user's edits on it, if they were made on this very data."""
    ss = st.session_state
    edits = ss.get("data_edits")
    base = spec.base if isinstance(spec, EditedSpec) else spec
    if isinstance(edits, EditedSpec) and edits.base == base:
        return edits
    ss["data_edits"] = None
    return spec


def apply_edits(current: DataSpec, n_base: int, added: list, removed: list) -> EditedSpec:
    """The data after the user's clicks, as one flat edit of the base data.

    ``removed`` indexes the points of ``current`` as drawn: the base rows kept, in order,
    then the points added so far. ``n_base`` is the number of base rows.
    """
    base, r0, a0 = ((current.base, current.removed, current.added)
                    if isinstance(current, EditedSpec) else (current, (), ()))
    gone = set(r0)
    kept = [i for i in range(n_base) if i not in gone]
    drop_added: set[int] = set()
    for i in removed:
        i = int(i)
        if 0 <= i < len(kept):
            gone.add(kept[i])
        elif len(kept) <= i < len(kept) + len(a0):
            drop_added.add(i - len(kept))
    points = [p for j, p in enumerate(a0) if j not in drop_added]
    points += [(float(x), float(y)) for x, y in added]
    return EditedSpec(base, tuple(sorted(gone)), tuple(points))


def synthetic_spec() -> SyntheticSpec | PresetSpec | EditedSpec:
    ss = st.session_state
    if ss["syn_preset"] == DRAW:
        return EditedSpec(None)
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


def on_new_init(ss: MutableMapping[str, Any] | None = None) -> None:
    """A new random start: the next seed (and the start by hand is dropped)."""
    ss = st.session_state if ss is None else ss
    leave_manual(ss)
    ss["model_seed"] = int(ss["model_seed"]) + 1
    ss["position"] = ss["frontier"] = 0


def on_timeline() -> None:
    ss = st.session_state
    ss["position"] = min(int(ss["timeline"]), int(ss["frontier"]))


def sync_fit(key: Any, n_half_steps: int) -> bool:
    """Called once per run with the current fit; True if it is a new one (it starts at 0)."""
    ss = st.session_state
    new = ss["fit_key"] != key
    if new:
        ss["fit_key"] = key
        ss["frontier"] = 0
        ss["position"] = 0
    ss["n_half_steps"] = max(int(n_half_steps), 1)
    last = ss["n_half_steps"] - 1
    ss["frontier"] = min(int(ss["frontier"]), last)
    ss["position"] = min(int(ss["position"]), int(ss["frontier"]))
    return new
