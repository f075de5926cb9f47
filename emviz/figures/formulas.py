"""The formulas of one EM half-step, ready to show without LaTeX: MathML and plain text.

For a "What just happened" panel: :func:`step_formulas` gives, for an E-step, the
responsibilities; for an M-step, N_k, π_k, μ_k and the covariance update of the model's
covariance type (scikit-learn's meaning, reg_covar added as scikit-learn adds it). Each
:class:`Formula` carries

* ``mathml``: a ``<math>`` element (MathML Core, drawn natively by current browsers, no
  script or font needed), and
* ``text``: the same in plain Unicode with the ``x_n`` / ``Σ_k`` notation the labs already
  print (for a caption, a tooltip or a screen reader).

The words that go with each formula, in English, Japanese and Russian, are in the UI catalog
the catalogs ``emviz/i18n/<lang>.json`` under ``formula.<name>`` (``formula.title`` is the panel's
title). Notation follows the theory the labs show: data x_1..x_N in R^D, K components,
responsibilities r_nk.
"""

from __future__ import annotations

from dataclasses import dataclass

from emviz._messages import error
from emviz._validation import check_choice
from emviz.errors import ParameterError


@dataclass(frozen=True)
class Formula:
    """One equation: its catalog name and two renderings.

    Attributes
    ----------
    name : str
        ``formula.<name>`` in the UI catalog explains it in words.
    mathml : str
        A ``<math display="block">`` element.
    text : str
        Plain Unicode, e.g. ``"π_k = N_k / N"``.
    """

    name: str
    mathml: str
    text: str


# --- MathML pieces ------------------------------------------------------------------------
def _mi(x: str) -> str:
    return f"<mi>{x}</mi>"


def _mo(x: str) -> str:
    return f"<mo>{x}</mo>"


def _index(sub: str) -> str:
    """``nk`` as two italic letters (one multi-letter <mi> would read as an upright name)."""
    return _mi(sub) if len(sub) == 1 else _row(*(_mi(c) for c in sub))


def _sub(base: str, sub: str) -> str:
    return f"<msub>{_mi(base)}{_index(sub)}</msub>"


def _row(*parts: str) -> str:
    return "<mrow>" + "".join(parts) + "</mrow>"


def _frac(num: str, den: str) -> str:
    return f"<mfrac>{_row(num)}{_row(den)}</mfrac>"


def _sum(index: str, upper: str) -> str:
    below = _row(_mi(index), _mo("="), "<mn>1</mn>")
    return f"<munderover>{_mo('∑')}{below}{_mi(upper)}</munderover>"


def _math(*parts: str) -> str:
    return '<math display="block">' + _row(*parts) + "</math>"


def _gauss(x: str, mean: str, cov: str) -> str:
    """𝒩(x | μ, Σ)."""
    return _row(_mi("𝒩"), _mo("("), x, _mo("|"), mean, _mo(","), cov, _mo(")"))


def _outer(x: str, mean: str) -> str:
    """(x − μ)(x − μ)ᵀ."""
    diff = _row(_mo("("), x, _mo("−"), mean, _mo(")"))
    return _row(diff, f"<msup>{diff}{_mi('T')}</msup>")


_X_N, _MU_K, _R_NK, _N_K = _sub("x", "n"), _sub("μ", "k"), _sub("r", "nk"), _sub("N", "k")
_REG_I = _row(_mo("+"), _mi("reg_covar"), _mo("·"), _mi("I"))


# --- The formulas ----------------------------------------------------------------------------
E_STEP = Formula(
    "e_step",
    _math(_R_NK, _mo("="), _frac(
        _row(_sub("π", "k"), _gauss(_X_N, _MU_K, _sub("Σ", "k"))),
        _row(_sum("j", "K"), _sub("π", "j"), _gauss(_X_N, _sub("μ", "j"), _sub("Σ", "j"))))),
    "r_nk = π_k 𝒩(x_n | μ_k, Σ_k) / Σ_j π_j 𝒩(x_n | μ_j, Σ_j)",
)
N_K = Formula("n_k", _math(_N_K, _mo("="), _sum("n", "N"), _R_NK), "N_k = Σ_n r_nk")
PI = Formula("pi", _math(_sub("π", "k"), _mo("="), _frac(_N_K, _mi("N"))), "π_k = N_k / N")
MU = Formula(
    "mu",
    _math(_MU_K, _mo("="), _frac("<mn>1</mn>", _N_K), _sum("n", "N"), _R_NK, _X_N),
    "μ_k = (1/N_k) Σ_n r_nk x_n",
)
SIGMA: dict[str, Formula] = {
    "full": Formula(
        "sigma_full",
        _math(_sub("Σ", "k"), _mo("="), _frac("<mn>1</mn>", _N_K), _sum("n", "N"), _R_NK,
              _outer(_X_N, _MU_K), _REG_I),
        "Σ_k = (1/N_k) Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ + reg_covar·I",
    ),
    "tied": Formula(
        "sigma_tied",
        _math(_mi("Σ"), _mo("="), _frac("<mn>1</mn>", _mi("N")), _sum("k", "K"), _sum("n", "N"),
              _R_NK, _outer(_X_N, _MU_K), _REG_I),
        "Σ = (1/N) Σ_k Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ + reg_covar·I",
    ),
    "diag": Formula(
        "sigma_diag",
        _math(f"<msubsup>{_mi('σ')}{_index('kd')}<mn>2</mn></msubsup>", _mo("="),
              _frac("<mn>1</mn>", _N_K), _sum("n", "N"), _R_NK,
              f"<msup>{_row(_mo('('), _sub('x', 'nd'), _mo('−'), _sub('μ', 'kd'), _mo(')'))}"
              "<mn>2</mn></msup>", _mo("+"), _mi("reg_covar")),
        "σ²_kd = (1/N_k) Σ_n r_nk (x_nd − μ_kd)² + reg_covar",
    ),
    "spherical": Formula(
        "sigma_spherical",
        _math(f"<msubsup>{_mi('σ')}{_index('k')}<mn>2</mn></msubsup>", _mo("="),
              _frac("<mn>1</mn>", _row(_N_K, _mi("D"))), _sum("n", "N"), _R_NK,
              f"<msup>{_row(_mo('‖'), _X_N, _mo('−'), _MU_K, _mo('‖'))}<mn>2</mn></msup>",
              _mo("+"), _mi("reg_covar")),
        "σ²_k = (1/(N_k D)) Σ_n r_nk ‖x_n − μ_k‖² + reg_covar",
    ),
}


def step_formulas(kind: str, covariance_type: str = "full") -> tuple[Formula, ...]:
    """What half-step ``kind`` computes, in order.

    Parameters
    ----------
    kind : {"init", "E", "M"}
        The half-step (as :attr:`emviz.engine.em.HalfStep.kind`); ``"init"`` computes nothing
        shown here (its start is one M-step from the initial responsibilities).
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    tuple of Formula
        E: the responsibilities. M: N_k, π_k, μ_k, then the covariance update.
    """
    check_choice(covariance_type, "covariance_type", tuple(SIGMA))
    by_kind = {"init": (), "E": (E_STEP,), "M": (N_K, PI, MU, SIGMA[covariance_type])}
    if kind not in by_kind:
        raise error(ParameterError, "formulas.kind", allowed=tuple(by_kind), value=kind)
    return by_kind[kind]


__all__ = ["E_STEP", "MU", "N_K", "PI", "SIGMA", "Formula", "step_formulas"]
