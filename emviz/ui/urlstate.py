"""What is on screen <-> the URL's query string, so a copied link reproduces the view.

Pure functions (no ``st.*`` calls): :func:`encode` turns the session's settings into query
parameters and :func:`decode` turns query parameters back into session-state values. The
glue that reads and writes ``st.query_params`` lives in :mod:`emviz.ui.sidebar_common`.

The page (Explore or a lab) travels in the URL's path (``/kmeans?…``), as ``st.navigation``
already puts it there. Everything else is a short, readable parameter, e.g.
``/explore?lang=ja&presenter=1&src=synthetic&scenario=overlapping&dseed=0&k=3&cov=full&…``.

A query string is untrusted input: every value is checked against an allow-list or a range
before it reaches session state. A value that fails keeps that setting's default and its
parameter *name* (never the value) is reported, so the page can show a note. Nothing here
raises on any input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from emviz.data.synthetic import PRESETS
from emviz.engine.remedies import REMEDIES
from emviz.engine.vbgmm import WEIGHT_PRIOR_TYPES
from emviz.model.params import COVARIANCE_TYPES, INIT_METHODS
from emviz.ui import state
from emviz.ui.i18n import LANGUAGES

#: Longest accepted value and most accepted parameters; longer or more is hostile.
MAX_VALUE_LEN = 200
MAX_PARAMS = 64
#: Most positions a link can ask for inside a lab's run (max_iter ≤ 1000 gives at most 2001
#: positions). Explore's ``step`` takes any number and clamps it to its run, with a note.
MAX_STEP = 2000
#: Streamlit's own parameters, left alone.
STREAMLIT_PARAMS = frozenset({"embed", "embed_options"})
#: Session key that carries the linked half-step until the fit exists (see explore.py).
PENDING_STEP = "url_step"
#: Session key holding a link's positions inside a lab's run ({session key: value}); the
#: lab resets its position when it builds a run, so it takes the linked one instead
#: (:func:`take_linked`).
PENDING_LAB = "url_lab_positions"
#: Session flag: a link chose the data, so a lab's first visit keeps it (no teaching preset).
LINKED_DATA = "url_linked_data"

SOURCE_NAMES = {"Synthetic": "synthetic", "Sample": "sample", "Upload CSV": "upload"}
_SOURCE_VALUES = {v: k for k, v in SOURCE_NAMES.items()}
SHAPES = ("spherical", "axis-aligned", "rotated")
PCA_MODE, PICK_MODE, ALL_MODE = "Project with PCA", "Pick columns", "All columns"

_INT = re.compile(r"-?[0-9]{1,12}", re.ASCII)
_FLOAT = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,3})?", re.ASCII)


# --------------------------------------------------------------------------------------
# Parsers: str -> value, raising ValueError for anything outside the allow-list / range
# --------------------------------------------------------------------------------------
def _choice(options: Sequence[Any]) -> Callable[[str], Any]:
    by_text = {str(o): o for o in options}

    def parse(text: str) -> Any:
        if text not in by_text:
            raise ValueError("not an allowed value")
        return by_text[text]

    return parse


def _int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not _INT.fullmatch(text):
            raise ValueError("not an integer")
        value = int(text)
        if not lo <= value <= hi:
            raise ValueError("out of range")
        return value

    return parse


def _float(text: str) -> float:
    if not _FLOAT.fullmatch(text):
        raise ValueError("not a number")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def _float_option(options: Sequence[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = _float(text)
        for option in options:
            if math.isclose(value, option, rel_tol=1e-9, abs_tol=0.0):
                return option
        raise ValueError("not an allowed value")

    return parse


def _float_grid(lo: float, hi: float, step: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = _float(text)
        n = round((value - lo) / step)
        snapped = lo + n * step
        if not (lo <= snapped <= hi and math.isclose(value, snapped, abs_tol=1e-9)):
            raise ValueError("off the slider's grid")
        return snapped

    return parse


def _bool(text: str) -> bool:
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    raise ValueError("not 0 or 1")


def _fmt_bool(value: Any) -> str:
    return "1" if value else "0"


def _fmt_float(value: Any) -> str:
    return format(float(value), "g")


def _fmt_exact(value: Any) -> str:
    return repr(float(value))


def _unit(text: str) -> float:
    """A probability typed into a number input: any finite number in [0, 1]."""
    value = _float(text)
    if not 0.0 <= value <= 1.0:
        raise ValueError("not in [0, 1]")
    return value


_PAIR = re.compile(r"([0-9]{1,2}),([0-9]{1,2})", re.ASCII)


def _pair(text: str) -> str:
    """Two column indices "i,j" with i < j (the initialisation lab's 2-D view)."""
    m = _PAIR.fullmatch(text)
    if m is None or not int(m[1]) < int(m[2]):
        raise ValueError("not two increasing column indices")
    return f"{int(m[1])},{int(m[2])}"


def _floor(text: str) -> Any:
    """The singularity lab's covariance floor: "auto" or one of its values."""
    return "auto" if text == "auto" else _float_option(SING_FLOORS)(text)


def _fmt_floor(value: Any) -> str:
    return "auto" if value == "auto" else _fmt_float(value)


@dataclass(frozen=True)
class Param:
    """One query parameter: its name, the session key it fills and how to read/write it."""

    name: str
    key: str
    parse: Callable[[str], Any]
    fmt: Callable[[Any], str] = str
    default: Any = field(default=None)


def _p(name: str, key: str, parse: Callable[[str], Any], fmt: Callable[[Any], str] = str) -> Param:
    return Param(name, key, parse, fmt, state.DEFAULTS.get(key))


COMMON = (
    _p("lang", "lang", _choice(tuple(LANGUAGES)), str),
    _p("presenter", "presenter", _bool, _fmt_bool),
)
MODEL = (
    _p("k", "model_k", _int(1, 20)),
    _p("cov", "model_cov", _choice(COVARIANCE_TYPES)),
    _p("init", "model_init", _choice(INIT_METHODS)),
    _p("seed", "model_seed", _int(0, 1_000_000)),
    _p("reg", "model_reg", _float_option(state.REG_COVAR_OPTIONS), _fmt_float),
    _p("iters", "model_max_iter", _int(1, 1000)),
    _p("tol", "model_tol", _float_option(state.TOL_OPTIONS), _fmt_float),
    _p("truth", "show_truth", _bool, _fmt_bool),
)
#: How Explore draws the data; written only when not at its default (most links are not 1D).
DISPLAY = (
    _p("bins", "hist_bins", _choice(state.HIST_BINS)),
)
SYNTHETIC = (
    _p("scenario", "syn_preset", _choice((state.CUSTOM, *PRESETS, state.DRAW))),
    _p("dseed", "syn_seed", _int(0, 1_000_000)),
)
CUSTOM = (
    _p("dim", "syn_dim", _choice((1, 2, 3))),
    _p("truek", "syn_k", _int(1, 10)),
    _p("n", "syn_n", _choice(state.N_OPTIONS)),
    _p("sep", "syn_sep", _float_grid(0.5, 8.0, 0.5), _fmt_float),
    _p("shape", "syn_shape", _choice(SHAPES)),
    _p("imb", "syn_imbalance", _float_grid(1.0, 20.0, 1.0), _fmt_float),
)
SAMPLE = (
    _p("sample", "sample_name", _choice(tuple(state.SAMPLES))),
    _p("std", "tbl_standardise", _bool, _fmt_bool),
)
# --- The labs' own controls ----------------------------------------------------------
# Allow-lists copied from the labs (tests/app/test_urlstate.py checks they agree), so this
# module stays free of Streamlit pages. A lab parameter's name is its session key.
KM_INITS = ("kmeans++", "random")
KM_SIGMAS = (0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
INIT_ALL = "all four"
INIT_COUNTS = (10, 20, 50, 100, 200, 500)
INIT_GALLERY = 12
MS_CRITERIA = ("bic", "aic")
MS_N_INIT = (1, 3, 5)
MS_K = tuple(range(1, 11))
SING_SOURCES = ("trap", "current")
SING_FLOORS = (1e-6, 1e-4, 1e-2, 1e-1)
VB_SOURCES = ("well_separated", "six_clusters_3d", "current")
VB_ALPHAS = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
COIN_MODES = ("soft", "hard")
#: The coins lab's sets: at most this many, each at most this many tosses.
MAX_COIN_SETS, MAX_TOSSES = 30, 100
_SEED = _int(0, 1_000_000)


def _lab(key: str, parse: Callable[[str], Any], fmt: Callable[[Any], str] = str) -> Param:
    return Param(key, key, parse, fmt)


#: Per page (its url_path): the controls that define what the lab shows.
LAB_PARAMS: dict[str, tuple[Param, ...]] = {
    "kmeans": (
        _lab("km_init", _choice(KM_INITS)),
        _lab("km_seed", _SEED),
        _lab("km_iter", _int(0, MAX_STEP)),
        _lab("km_sigma", _float_option(KM_SIGMAS), _fmt_float),
    ),
    "initialisation": (
        _lab("init_method", _choice((INIT_ALL, *INIT_METHODS))),
        _lab("init_m", _choice(INIT_COUNTS)),
        _lab("init_seed", _SEED),
        _lab("init_pick", _int(0, INIT_GALLERY - 1)),
        _lab("init_view", _pair),
    ),
    "selection": (
        _lab("ms_criterion", _choice(MS_CRITERIA)),
        _lab("ms_init", _choice(INIT_METHODS)),
        _lab("ms_n_init", _choice(MS_N_INIT)),
        _lab("ms_k", _choice(MS_K)),
        _lab("ms_cov", _choice(COVARIANCE_TYPES)),
    ),
    "elbo": (
        _lab("elbo_k", _int(1, 12)),
        _lab("elbo_cov", _choice(COVARIANCE_TYPES)),
        _lab("elbo_seed", _SEED),
        _lab("elbo_pos", _int(0, MAX_STEP)),
    ),
    "singularity": (
        _lab("sing_source", _choice(SING_SOURCES)),
        _lab("sing_k", _int(1, 12)),
        _lab("sing_cov", _choice(COVARIANCE_TYPES)),
        _lab("sing_init", _choice(INIT_METHODS)),
        _lab("sing_seed", _SEED),
        _lab("sing_remedy", _choice(tuple(REMEDIES))),
        _lab("sing_floor", _floor, _fmt_floor),
        _lab("sing_it", _int(0, MAX_STEP)),
    ),
    "vbgmm": (
        _lab("vb_source", _choice(VB_SOURCES)),
        _lab("vb_k", _int(1, 20)),
        _lab("vb_alpha", _float_option(VB_ALPHAS), _fmt_float),
        _lab("vb_type", _choice(WEIGHT_PRIOR_TYPES)),
        _lab("vb_seed", _SEED),
        _lab("vb_it", _int(0, MAX_STEP)),
    ),
    "coins": (
        _lab("coins_ta", _unit, _fmt_exact),
        _lab("coins_tb", _unit, _fmt_exact),
        _lab("coins_mode", _choice(COIN_MODES)),
        _lab("coins_pos", _int(0, MAX_STEP)),
    ),
}
#: Positions inside a lab's run: they wait in :data:`PENDING_LAB` until the run exists.
POSITIONS = frozenset({"km_iter", "elbo_pos", "sing_it", "vb_it", "coins_pos"})
#: The coins lab's sets travel as repeated ``coins_set=HTTTHHTHTH.B`` (coin optional).
COINS_SET, COINS_DATA = "coins_set", "coins_data"
_TOSSES = re.compile(rf"[HTht ]{{1,{MAX_TOSSES}}}", re.ASCII)

#: The initialisation lab was once served at /restarts with controls named ``rs_*``: links
#: shared then keep opening it (the path through :func:`resolve_page`, the names in decode).
PAGE_ALIASES = {"restarts": "initialisation"}
LEGACY_NAMES = {"rs_" + p.name.removeprefix("init_"): p.name
                for p in LAB_PARAMS["initialisation"]}

#: Every parameter name this module reads, including the ones handled by hand below.
KNOWN = frozenset(p.name for p in (*COMMON, *MODEL, *DISPLAY, *SYNTHETIC, *CUSTOM,
                                   *SAMPLE)) | {
    "src", "cols", "label", "pca", "all", "step", COINS_SET,
    "animate",  # older links switched a separate animation on; Play now lives in the stepper
} | frozenset(p.name for params in LAB_PARAMS.values() for p in params)


def _coin_set(text: str) -> tuple[str, str | None]:
    """One set of tosses from a link: ``HTTH`` or ``HTTH.A`` / ``HTTH.B``."""
    tosses, _, coin = text.partition(".")
    if not _TOSSES.fullmatch(tosses) or coin not in ("", "A", "B"):
        raise ValueError("not a set of H/T tosses with an optional coin A or B")
    return tosses, coin or None


def _fmt_coin_set(pair: Sequence[Any]) -> str:
    tosses, coin = pair
    return f"{tosses}.{coin}" if coin in ("A", "B") else str(tosses)


def resolve_page(requested: str, url_paths: Mapping[str, str], home: str = "") -> str | None:
    """The page a link's path means: its ``url_path``, or None if it names no page.

    Paths compare without case and surrounding slashes (``/KMeans/`` is ``kmeans``);
    ``home`` is another name of the home page (whose ``url_path`` is ``""``).

    Parameters
    ----------
    requested : str
        The path the browser asked for, without the app's base path.
    url_paths : mapping of str to str
        Every page's ``url_path`` -> the value to return for it (usually itself).
    """
    name = str(requested).strip("/").casefold()
    by_name = {str(path).strip("/").casefold(): target for path, target in url_paths.items()}
    if home and "" in by_name:
        by_name.setdefault(home.casefold(), by_name[""])
    return by_name.get(name)


def take_linked(session: MutableMapping[str, Any], key: str, default: int) -> int:
    """The linked position for ``key`` (once), else ``default``. For a lab building a run."""
    pending = session.get(PENDING_LAB)
    if isinstance(pending, dict) and key in pending:
        return int(pending.pop(key))
    return int(default)


# --------------------------------------------------------------------------------------
# Encode
# --------------------------------------------------------------------------------------
def encode(values: Mapping[str, Any], *, include_step: bool = True,
           page: str = "") -> dict[str, list[str]]:
    """Query parameters for the settings in ``values`` (session state or a plain dict).

    Only the parameters that matter for the current data source are written. Uploaded data
    cannot travel in a URL: its link says ``src=upload`` and opens with the default data.
    ``include_step`` adds the half-step on screen (``position``), for the Explore page.
    ``page`` (a url_path) adds that lab's own controls (:data:`LAB_PARAMS`).
    """

    def get(key: str) -> Any:
        return values.get(key, state.DEFAULTS.get(key))

    out: dict[str, list[str]] = {}

    def put(params: Sequence[Param]) -> None:
        for p in params:
            value = get(p.key)
            if p.key == "model_init" and value == state.MANUAL:  # a start by hand stays here
                value = values.get("model_init_auto") or state.DEFAULTS["model_init"]
            if value is not None:
                out[p.name] = [p.fmt(value)]

    put(COMMON)
    source = SOURCE_NAMES.get(str(get("data_source")), "synthetic")
    out["src"] = [source]
    if source == "synthetic":
        put(SYNTHETIC)
        if get("syn_preset") == state.CUSTOM:
            put(CUSTOM)
    elif source == "sample":
        put(SAMPLE)
        if get("tbl_mode") == PCA_MODE:
            out["pca"] = [str(int(get("tbl_pca_dim")))]
        else:
            out["cols"] = [str(c) for c in get("tbl_columns") or []]
        if get("tbl_mode") == ALL_MODE:
            out["all"] = ["1"]
        if get("tbl_label") is not None:
            out["label"] = [str(get("tbl_label"))]
    put(MODEL)
    put([p for p in DISPLAY if get(p.key) != p.default])
    if include_step:
        out["step"] = [str(int(values.get("position", 0) or 0))]
    put(LAB_PARAMS.get(page, ()))
    if page == "coins" and values.get(COINS_DATA):
        out[COINS_SET] = [_fmt_coin_set(pair) for pair in values[COINS_DATA]]
    return {k: v for k, v in out.items() if v}


# --------------------------------------------------------------------------------------
# Decode
# --------------------------------------------------------------------------------------
@dataclass
class Decoded:
    """What a query string asks for.

    Attributes
    ----------
    values : dict
        Session-state key -> validated value, only for parameters present and valid.
    rejected : list of str
        Names of known parameters whose value was refused (they keep their defaults).
    unknown : int
        How many parameters were not recognised (ignored).
    upload : bool
        The link was made while an uploaded file was shown (the data cannot be restored).
    implied : str or None
        The data source (``"synthetic"`` or ``"sample"``) a link without ``src=`` implies
        by naming that source's settings (e.g. ``scenario=``), else None.
    ignored : list of str
        Names of valid parameters that do not apply to the link's data source (e.g.
        ``scenario`` with ``src=sample``, ``truek`` for a named scenario); not applied.
    """

    values: dict[str, Any] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    unknown: int = 0
    upload: bool = False
    implied: str | None = None
    ignored: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.rejected or self.unknown or self.upload or self.implied
                    or self.ignored)


def _text(text: str) -> str:
    """A column or label name from a link: printable, short."""
    if not text or len(text) > MAX_VALUE_LEN or not text.isprintable():
        raise ValueError("not a column name")
    return text


def decode(query: Mapping[str, Sequence[str] | str]) -> Decoded:
    """Validated session-state values from query parameters; never raises.

    Parameters
    ----------
    query : mapping of str to str or list of str
        E.g. ``{name: st.query_params.get_all(name) for name in st.query_params}``.
    """
    out = Decoded()
    try:
        _decode_into(query, out)
    except Exception:  # belt and braces: a link must never break the page
        return Decoded(rejected=["?"])
    return out


def _decode_into(query: Mapping[str, Sequence[str] | str], out: Decoded) -> None:
    items = list(query.items())
    if len(items) > MAX_PARAMS:
        out.rejected.append("…")
        items = items[:MAX_PARAMS]
    raw: dict[str, list[str]] = {}
    for name, value in items:
        name = LEGACY_NAMES.get(str(name), str(name))
        if name in STREAMLIT_PARAMS:
            continue
        if name not in KNOWN:
            out.unknown += 1
            continue
        cap = MAX_COIN_SETS + 1 if name == COINS_SET else 4
        vals = [value] if isinstance(value, str) else [str(v) for v in list(value)[:cap]]
        raw[name] = vals

    def one(name: str) -> str | None:
        vals = raw.get(name)
        if not vals:
            return None
        if len(vals) != 1 or len(vals[0]) > MAX_VALUE_LEN:
            out.rejected.append(name)
            return None
        return vals[0]

    def read(params: Sequence[Param]) -> None:
        for p in params:
            text = one(p.name)
            if text is None:
                continue
            try:
                out.values[p.key] = p.parse(text)
            except ValueError:
                out.rejected.append(p.name)

    read(COMMON)
    read(MODEL)
    read(DISPLAY)
    src = one("src")
    if src is not None and src not in _SOURCE_VALUES:
        out.rejected.append("src")
        src = None
    if src == "upload":
        out.upload = True
        src = None
    if src is None and "src" not in out.rejected and not out.upload:
        src = _implied_source(raw)
        out.implied = src
    if src is not None:
        out.values["data_source"] = _SOURCE_VALUES[src]
    if src == "synthetic":
        read(SYNTHETIC)
        if out.values.get("syn_preset") == state.CUSTOM:
            read(CUSTOM)
    elif src == "sample":
        read(SAMPLE)
        _decode_table(raw, one, out)
    applied = _SOURCE_PARAMS.get(src, frozenset())
    if src == "synthetic" and out.values.get("syn_preset") == state.CUSTOM:
        applied = applied | _CUSTOM_NAMES
    out.ignored = sorted(n for n in raw if n in _DATA_PARAMS - applied)
    step = one("step")
    if step is not None:
        try:  # any half-step: Explore clamps it to the run's last one, with a note
            out.values[PENDING_STEP] = _int(0, 10**12 - 1)(step)
        except ValueError:
            out.rejected.append("step")
    for params in LAB_PARAMS.values():
        read(params)
    positions = {k: out.values.pop(k) for k in POSITIONS if k in out.values}
    if positions:
        out.values[PENDING_LAB] = positions
    _decode_coins(raw, out)


_SYNTHETIC_NAMES = frozenset(p.name for p in SYNTHETIC)
_CUSTOM_NAMES = frozenset(p.name for p in CUSTOM)
_SAMPLE_NAMES = frozenset(p.name for p in SAMPLE) | {"cols", "label", "pca", "all"}
#: The parameters that describe the data, by the source they belong to.
_SOURCE_PARAMS = {"synthetic": _SYNTHETIC_NAMES, "sample": _SAMPLE_NAMES}
_DATA_PARAMS = _SYNTHETIC_NAMES | _CUSTOM_NAMES | _SAMPLE_NAMES


def _implied_source(raw: Mapping[str, Any]) -> str | None:
    """The source a hand-written link means without saying ``src=``: a scenario (or a custom
    mixture's settings) means synthetic data, a sample or its columns mean that sample. Both
    at once, or neither, imply nothing."""
    synthetic = any(n in raw for n in _SYNTHETIC_NAMES | _CUSTOM_NAMES)
    sample = any(n in raw for n in _SAMPLE_NAMES)
    return "synthetic" if synthetic and not sample else "sample" if sample and not synthetic \
        else None


def _decode_coins(raw: dict[str, list[str]], out: Decoded) -> None:
    sets = raw.get(COINS_SET)
    if not sets:
        return
    try:
        if len(sets) > MAX_COIN_SETS or any(len(v) > MAX_VALUE_LEN for v in sets):
            raise ValueError("too many or too long")
        out.values[COINS_DATA] = tuple(_coin_set(v) for v in sets)
    except ValueError:
        out.rejected.append(COINS_SET)


def _decode_table(raw: dict[str, list[str]], one: Callable[[str], str | None],
                  out: Decoded) -> None:
    pca = one("pca")
    if pca is not None:
        try:
            out.values["tbl_pca_dim"] = _int(1, 3)(pca)
            out.values["tbl_mode"] = PCA_MODE
        except ValueError:
            out.rejected.append("pca")
    if "cols" in raw:
        try:
            cols = [_text(c) for c in raw["cols"]]
            if not 1 <= len(cols) <= 3 or len(set(cols)) != len(cols):
                raise ValueError("1 to 3 distinct columns")
            out.values["tbl_columns"] = cols
            out.values["tbl_mode"] = PICK_MODE
        except ValueError:
            out.rejected.append("cols")
    label = one("label")
    if label is not None:
        try:
            out.values["tbl_label"] = _text(label)
        except ValueError:
            out.rejected.append("label")
    every = one("all")
    if every is not None:
        try:
            if _bool(every):
                out.values["tbl_mode"] = ALL_MODE
        except ValueError:
            out.rejected.append("all")


def check_table_columns(values: dict[str, Any], numeric: Sequence[str],
                        text: Sequence[str]) -> list[str]:
    """Drop linked column names the sample does not have; return the rejected params.

    Mutates ``values`` (a :attr:`Decoded.values` dict) in place.
    """
    rejected = []
    cols = values.get("tbl_columns")
    if cols is not None and not set(cols) <= set(numeric):
        del values["tbl_columns"]
        rejected.append("cols")
    label = values.get("tbl_label")
    if label is not None and label not in text:
        del values["tbl_label"]
        rejected.append("label")
    return rejected
