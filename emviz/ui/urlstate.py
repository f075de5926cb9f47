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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from emviz.data import PRESETS
from emviz.em import COVARIANCE_TYPES, INIT_METHODS
from emviz.ui import state
from emviz.ui.i18n import LANGUAGES

#: Longest accepted value and most accepted parameters; longer or more is hostile.
MAX_VALUE_LEN = 200
MAX_PARAMS = 64
#: Most half-steps a link can ask for (max_iter ≤ 1000 gives at most 2001 positions).
MAX_STEP = 2000
#: Streamlit's own parameters, left alone.
STREAMLIT_PARAMS = frozenset({"embed", "embed_options"})
#: Session key that carries the linked half-step until the fit exists (see explore.py).
PENDING_STEP = "url_step"

SOURCE_NAMES = {"Synthetic": "synthetic", "Sample": "sample", "Upload CSV": "upload"}
_SOURCE_VALUES = {v: k for k, v in SOURCE_NAMES.items()}
SHAPES = ("spherical", "axis-aligned", "rotated")
PCA_MODE, PICK_MODE = "Project with PCA", "Pick columns"

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
    _p("animate", "animate", _bool, _fmt_bool),
)
SYNTHETIC = (
    _p("scenario", "syn_preset", _choice((state.CUSTOM, *PRESETS))),
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
#: Every parameter name this module reads, including the ones handled by hand below.
KNOWN = frozenset(p.name for p in (*COMMON, *MODEL, *SYNTHETIC, *CUSTOM, *SAMPLE)) | {
    "src", "cols", "label", "pca", "step",
}


# --------------------------------------------------------------------------------------
# Encode
# --------------------------------------------------------------------------------------
def encode(values: Mapping[str, Any], *, include_step: bool = True) -> dict[str, list[str]]:
    """Query parameters for the settings in ``values`` (session state or a plain dict).

    Only the parameters that matter for the current data source are written. Uploaded data
    cannot travel in a URL: its link says ``src=upload`` and opens with the default data.
    ``include_step`` adds the half-step on screen (``position``), for the Explore page.
    """

    def get(key: str) -> Any:
        return values.get(key, state.DEFAULTS.get(key))

    out: dict[str, list[str]] = {}

    def put(params: Sequence[Param]) -> None:
        for p in params:
            value = get(p.key)
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
        if get("tbl_label") is not None:
            out["label"] = [str(get("tbl_label"))]
    put(MODEL)
    if include_step:
        out["step"] = [str(int(values.get("position", 0) or 0))]
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
    """

    values: dict[str, Any] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    unknown: int = 0
    upload: bool = False

    @property
    def clean(self) -> bool:
        return not (self.rejected or self.unknown or self.upload)


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
        name = str(name)
        if name in STREAMLIT_PARAMS:
            continue
        if name not in KNOWN:
            out.unknown += 1
            continue
        vals = [value] if isinstance(value, str) else [str(v) for v in list(value)[:4]]
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
    src = one("src")
    if src is not None and src not in _SOURCE_VALUES:
        out.rejected.append("src")
        src = None
    if src == "upload":
        out.upload = True
        src = None
    if src is not None:
        out.values["data_source"] = _SOURCE_VALUES[src]
    if src == "synthetic":
        read(SYNTHETIC)
        if out.values.get("syn_preset") == state.CUSTOM:
            read(CUSTOM)
    elif src == "sample":
        read(SAMPLE)
        _decode_table(raw, one, out)
    step = one("step")
    if step is not None:
        try:
            out.values[PENDING_STEP] = _int(0, MAX_STEP)(step)
        except ValueError:
            out.rejected.append("step")


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
