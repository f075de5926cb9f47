"""The initialisation lab's basin map: which starts lead EM to which optimum.

A panel of :mod:`emviz.ui.labs.init_sensitivity`, drawn under the gallery. The fixed start is
the start of the restart that reached the optimum picked in the gallery's "Optimum to open"
(its init method and seed); the reader picks which component's starting mean moves over the
grid. Computed on demand (a button), with a progress bar, and cached per data, model, start,
component and grid (:func:`emviz.engine.basins.basin_map`). Clicking a cell opens that cell's run in
Explore at half-step 0, from that start (``init_params = manual``).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import streamlit as st

from emviz.engine.basins import GRID, MAX_COMPONENTS, N_FEATURES, BasinMap, basin_map
from emviz.engine.em import initialize
from emviz.engine.restarts import RestartsResult
from emviz.errors import Cancelled, EmvizError
from emviz.figures.labs import TEXT as LAB_TEXT
from emviz.figures.labs import basin_figure, shown_basins
from emviz.figures.mixture import CHART_CONFIG
from emviz.numbers import percent
from emviz.ui import cache, jobs, state
from emviz.ui.i18n import bound, t
from emviz.ui.labs._common import GOTO_EXPLORE, figure_options
from emviz.ui.memo import cached
from emviz.ui.messages import as_markdown, guarded
from emviz.ui.state import DataSpec
from emviz.ui.urlstate import PENDING_STEP

if TYPE_CHECKING:  # the lab imports this panel
    from emviz.ui.labs.init_sensitivity import Settings

#: Widget keys: the component to move (0-based), cells per side, the chart's selection.
COMPONENT, CELLS, CHART = "rs_basin_component", "rs_basin_cells", "rs_basin_chart"
#: The inputs of the map the reader asked for (the button sets it; other inputs hide it).
REQUESTED = "rs_basin_for"
GRID_SIZES = (20, 30, GRID, 60)
DEFAULTS: dict[str, Any] = {COMPONENT: 0, CELLS: GRID}


@dataclass(frozen=True)
class MapInputs:
    """Everything that decides a map besides the data and the restarts' settings."""

    method: str
    seed: int
    component: int
    cells: int


@cached(max_entries=8, upload_entries=2)
def compute(spec: DataSpec, settings: Settings, inputs: MapInputs, _known: RestartsResult,
            _raw: bytes | None = None) -> BasinMap | str:
    """The map (cached per data, restarts settings and inputs), or the engine's message.

    ``_known`` is the restarts of ``spec`` and ``settings`` (so the key covers it). The
    progress bar lives inside: a cache hit replays it as finished. A rerun requested while
    the map runs (a click elsewhere) stops it at the next progress report, and nothing is
    cached.
    """
    X = cache.prepared(spec, _raw=_raw).X
    total = inputs.cells * inputs.cells
    bar = st.progress(0.0, text=t("restarts.basin_progress", done=0, total=f"{total:,}"))
    shown = [0]

    def report(done: int, total: int) -> None:
        pct = 100 * done // total
        if pct != shown[0]:  # one message per percent, not one per cell
            shown[0] = pct
            bar.progress(done / total, text=t("restarts.basin_progress", done=f"{done:,}",
                                              total=f"{total:,}"))

    try:
        start = initialize(X, settings.k, inputs.method, inputs.seed, settings.covariance_type,
                           settings.reg_covar)
        return basin_map(X, start, inputs.component, settings.covariance_type,
                         settings.reg_covar, settings.max_iter, settings.tol,
                         grid=inputs.cells, known=_known, progress=report,
                         should_stop=jobs.should_stop)
    except Cancelled:  # a closed tab: never cached
        raise
    except EmvizError as exc:
        return str(exc)
    finally:
        bar.empty()


# --------------------------------------------------------------------------------------
# Opening a cell in Explore (pure: a session mapping, the map's context, the chart's event)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CellContext:
    """What opening a cell needs: the map, its model and start, and the data it ran on."""

    bmap: BasinMap
    settings: Settings
    inputs: MapInputs
    data_key: str


def picked_cell(event: Any, shape: tuple[int, int]) -> tuple[int, int] | None:
    """(row, col) of the cell a chart selection event points at, or None.

    The event comes from the browser: anything malformed is ignored. A cell's ``customdata``
    row arrives as a list, or, when the figure sent it as a typed array, as an object keyed
    "0", "1", ...
    """
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for p in points if isinstance(points, list) else []:
        cd = p.get("customdata") if isinstance(p, dict) else None
        if isinstance(cd, dict):
            cd = [cd.get("0"), cd.get("1")]
        if not isinstance(cd, list | tuple) or len(cd) < 2:
            continue
        try:
            row, col = int(cd[0]), int(cd[1])
        except (TypeError, ValueError, OverflowError):
            continue
        if 0 <= row < shape[0] and 0 <= col < shape[1]:
            return row, col
    return None


def open_cell(ss: MutableMapping[str, Any], ctx: CellContext, row: int, col: int) -> None:
    """Explore's model becomes the map's, started by hand from cell (row, col), at half-step 0.

    The init method and seed that made the fixed start stay behind the manual start, so
    leaving "manual" in Explore goes back to that restart. Edits made in Explore to this data
    are dropped: the cell's run is the one on the lab's data.
    """
    s = ctx.settings
    model = {"model_k": int(s.k), "model_cov": s.covariance_type,
             "model_init": ctx.inputs.method, "model_seed": int(ctx.inputs.seed),
             "model_reg": float(s.reg_covar), "model_max_iter": int(s.max_iter),
             "model_tol": float(s.tol)}
    for key, value in model.items():
        ss[key] = value
    state.set_manual_start(state.start_of(ctx.bmap.start_at(row, col)), ctx.data_key, ss)
    ss["data_edits"] = None
    ss["position"] = ss["frontier"] = 0
    ss[PENDING_STEP] = 0  # Explore goes to half-step 0 even when the run is the one it shows
    ss[GOTO_EXPLORE] = True


def _request(key: str) -> None:
    """Button callback: draw the map for the inputs ``key`` stands for."""
    st.session_state[REQUESTED] = key


def _on_select(ctx: CellContext) -> None:
    ss = st.session_state
    cell = picked_cell(ss.get(CHART), ctx.bmap.shape)
    if cell is not None:
        open_cell(ss, ctx, *cell)


# --------------------------------------------------------------------------------------
# The panel
# --------------------------------------------------------------------------------------
def _fig_text() -> dict[str, str]:
    return {k: t(f"labfig.{k}") for k in LAB_TEXT if k.startswith("basin_")}


def available(n_features: int, k: int) -> str | None:
    """Why there is no map for this data and K (translated), or None when there is."""
    if n_features != N_FEATURES:
        return t("restarts.basin_needs_2d", d=n_features)
    if not 2 <= k <= MAX_COMPONENTS:
        return t("restarts.basin_needs_k", k=k, high=MAX_COMPONENTS)
    return None


def _controls(k: int) -> Any:
    """The component and grid pickers; returns the slot for the button beside them."""
    ss = st.session_state
    for key, value in DEFAULTS.items():
        if key not in ss:
            ss[key] = value
    if int(ss[COMPONENT]) >= k:
        ss[COMPONENT] = 0
    tb = bound()
    c = st.columns([1.2, 1.2, 1], vertical_alignment="bottom")
    c[0].selectbox(t("restarts.basin_component"), range(k), key=COMPONENT,
                   format_func=lambda j: tb("restarts.basin_component_item", k=j + 1),
                   help=t("restarts.basin_component_help"))
    c[1].select_slider(t("restarts.basin_cells"), GRID_SIZES, key=CELLS,
                       format_func=lambda n: f"{n} × {n}", help=t("restarts.basin_cells_help"))
    return c[2]


def _summary(bmap: BasinMap, known: RestartsResult) -> None:
    """How many optima the starts reach, and how many reach the recommended one."""
    total = bmap.labels.size
    reached = sum(b.n_cells > 0 for b in bmap.basins)
    rec = known.recommended_index
    if rec is not None and rec < len(bmap.basins):
        st.markdown(t("restarts.basin_summary", n=reached, rank=rec + 1,
                      share=percent(bmap.basins[rec].n_cells / total)))
    else:
        st.markdown(t("restarts.basin_summary_none", n=reached))


def _notes(bmap: BasinMap) -> None:
    """Under the map: what "new" means, and why the coloured ⚠ optima are near-degenerate."""
    if any(b.n_cells and not b.from_restarts for b in bmap.basins):
        st.caption(t("restarts.basin_new_note"))
    flagged = [i for i in shown_basins(bmap) if bmap.basins[i].suspicious]
    if not flagged:
        return
    with st.expander(t("restarts.basin_why", n=len(flagged)), icon=":material/warning:"):
        for i in flagged:
            st.caption(t("restarts.why_suspicious", rank=i + 1,
                         reason=as_markdown(bmap.basins[i].reason)))


def render(data: cache.Prepared, spec: DataSpec, raw: bytes | None, settings: Settings,
           result: RestartsResult, pick: int) -> None:
    """The basin map section, for the restarts ``result`` and the gallery's picked optimum."""
    st.subheader(t("restarts.basin_title"))
    why_not = available(data.n_features, settings.k)
    if why_not is not None:
        st.info(why_not, icon=":material/grid_off:")
        return
    optimum = result.optima[pick]
    method, seed = optimum.methods[0], optimum.seeds[0]
    button_slot = _controls(settings.k)
    ss = st.session_state
    inputs = MapInputs(method, int(seed), int(ss[COMPONENT]), int(ss[CELLS]))
    st.markdown(t("restarts.basin_intro", rank=pick + 1, method=method, seed=seed,
                  k=inputs.component + 1, n=inputs.cells))
    key = repr((spec, settings, inputs))
    button_slot.button(t("restarts.basin_button"), key="rs_basin_go", type="primary",
                       width="stretch", on_click=_request, args=(key,),
                       disabled=ss.get(REQUESTED) == key)
    if ss.get(REQUESTED) != key:
        st.caption(t("restarts.basin_hint", runs=f"{inputs.cells * inputs.cells:,}"))
        return
    bmap = compute(spec, settings, inputs, result, _raw=raw)
    if isinstance(bmap, str):
        st.error(as_markdown(bmap), icon="🚫")
        return
    _summary(bmap, result)
    ctx = CellContext(bmap, settings, inputs, state.data_key(spec))
    with guarded(t("labs.drawing")):
        fig = basin_figure(data.X, bmap, figure_options(data, spec, height=600),
                           text=_fig_text())
        st.plotly_chart(fig, key=CHART, width="stretch", config=CHART_CONFIG,
                        on_select=partial(_on_select, ctx), selection_mode="points")
    st.caption(t("restarts.basin_click"))
    _notes(bmap)
