"""The two coins: EM on the smallest problem that still has hidden labels.

Do & Batzoglou, "What is the expectation maximization algorithm?", Nature Biotechnology
26:897 (2008). Five sets of ten tosses; each set was made with coin A or coin B, but which one
is hidden. With ``h_s`` heads and ``t_s`` tails in set ``s`` and a prior ``P(A) = π_A``:

* E-step: ``P(A | set s) = π_A θ_A^h (1-θ_A)^t / [π_A θ_A^h (1-θ_A)^t + π_B θ_B^h (1-θ_B)^t]``
  (in log space), and the expected counts ``P(A|s)·h_s``, ``P(A|s)·t_s`` (and the same for B).
* M-step: ``θ_A = Σ_s P(A|s) h_s / Σ_s P(A|s)(h_s + t_s)`` (and the same for B).

Hard EM replaces ``P(A|s)`` by 1 for the likelier coin (ties go to A). Everything is pure:
steps return frozen records, and a run is a :class:`CoinTrace` a UI can index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from scipy.special import logsumexp, xlog1py, xlogy

from emviz._messages import error
from emviz._validation import MAX_RUNS, as_float_array, check_bool, check_instance, check_int
from emviz.engine.loop import run_loop
from emviz.errors import DataError, ParameterError

#: The five sets of the paper's figure 1, in order.
TOSSES_DEFAULT: tuple[str, ...] = (
    "HTTTHHTHTH",
    "HHHHTHHHHH",
    "HTHHHHHTHH",
    "HTHTTTHHTT",
    "THHHTHHHTH",
)
#: The true coins of :data:`TOSSES_DEFAULT` (figure 1a): θ_A = 24/30, θ_B = 9/20.
LABELS_DEFAULT: tuple[str, ...] = ("B", "A", "A", "B", "A")

_COIN_INDEX: dict[str, int] = {"A": 0, "B": 1}


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------
def parse_sets(strings: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Count heads and tails in each set of tosses.

    Parameters
    ----------
    strings : iterable of str
        One string per set, e.g. ``"HTTTHHTHTH"``. ``H``/``T`` in either case; spaces are
        ignored so ``"H T T H"`` is fine.

    Returns
    -------
    heads : array of shape (n_sets,), int
    tails : array of shape (n_sets,), int

    Raises
    ------
    DataError
        If there are no sets, a set is empty, or a set has a character other than H or T.
    """
    if isinstance(strings, str):
        raise error(DataError, "coins.single_string", value=strings)
    if not isinstance(strings, Iterable) or isinstance(strings, bytes | Mapping):
        raise error(DataError, "check.sequence", name="strings", type=type(strings).__name__)
    sets = list(strings)
    if not sets:
        raise error(DataError, "coins.no_sets")
    heads = np.empty(len(sets), dtype=np.int64)
    tails = np.empty(len(sets), dtype=np.int64)
    for s, raw in enumerate(sets):
        if not isinstance(raw, str):
            raise error(DataError, "coins.set_not_string", s=s + 1, value=raw)
        text = "".join(raw.split()).upper()
        if not text:
            raise error(DataError, "coins.set_empty", s=s + 1)
        bad = sorted(set(text) - {"H", "T"})
        if bad:
            raise error(DataError, "coins.set_bad_chars", s=s + 1, value=raw,
                        chars=", ".join(repr(c) for c in bad))
        heads[s] = text.count("H")
        tails[s] = len(text) - heads[s]
    return heads, tails


def _check_counts(heads: Any, tails: Any) -> tuple[np.ndarray, np.ndarray]:
    h = as_float_array(heads, "heads", DataError)
    t = as_float_array(tails, "tails", DataError)
    if h.ndim != 1 or h.shape != t.shape or h.size == 0:
        raise error(DataError, "coins.counts_shape", heads=h.shape, tails=t.shape)
    if not (np.all(np.isfinite(h)) and np.all(np.isfinite(t))) or np.any(h < 0) or np.any(t < 0):
        raise error(DataError, "coins.counts_values")
    if np.any(h + t == 0):
        s = int(np.flatnonzero(h + t == 0)[0])
        raise error(DataError, "coins.set_no_toss", s=s + 1)
    return h, t


def _check_prior(prior_a: float) -> float:
    ok = isinstance(prior_a, int | float | np.integer | np.floating) and not isinstance(
        prior_a, bool)
    if not ok or not 0.0 < float(prior_a) < 1.0:
        raise error(ParameterError, "coins.prior", value=prior_a)
    return float(prior_a)


# --------------------------------------------------------------------------------------
# Frozen records
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CoinState:
    """The two coins' head probabilities.

    Parameters
    ----------
    theta_a, theta_b : float
        ``P(heads)`` for coin A and coin B, each in [0, 1].
    """

    theta_a: float
    theta_b: float

    def __post_init__(self) -> None:
        for name in ("theta_a", "theta_b"):
            raw = getattr(self, name)
            ok = isinstance(raw, int | float | np.integer | np.floating) and not isinstance(
                raw, bool)
            value = float(raw) if ok else float("nan")
            if not 0.0 <= value <= 1.0:
                raise error(ParameterError, "coins.state_probability", name=name,
                            value=getattr(self, name))
            object.__setattr__(self, name, value)

    @property
    def thetas(self) -> np.ndarray:
        """array of shape (2,): ``[θ_A, θ_B]``."""
        return np.array([self.theta_a, self.theta_b])


class CoinEStep(NamedTuple):
    """An E-step: which coin made each set, and the expected heads/tails table.

    Attributes
    ----------
    p_a, p_b : array of shape (n_sets,)
        ``P(A | set)`` and ``P(B | set) = 1 - P(A | set)`` (0/1 for hard EM).
    heads_a, tails_a, heads_b, tails_b : array of shape (n_sets,)
        Expected counts credited to each coin, e.g. ``heads_a = p_a · heads``.
    log_likelihood : float
        Observed-data log-likelihood ``Σ_s ln Σ_c π_c θ_c^h (1-θ_c)^t`` of ``state`` (the
        ordered sequences, so no binomial coefficient). Soft EM never decreases it.
    expected_complete_log_likelihood : float
        ``Σ_s Σ_c P(c|s) ln[π_c θ_c^h (1-θ_c)^t]``; for hard EM this is the log-likelihood
        of the chosen labels, which hard EM never decreases.
    state : CoinState
        The parameters this E-step used (the M-step keeps a coin's θ when it gets no tosses).
    """

    p_a: np.ndarray
    p_b: np.ndarray
    heads_a: np.ndarray
    tails_a: np.ndarray
    heads_b: np.ndarray
    tails_b: np.ndarray
    log_likelihood: float
    expected_complete_log_likelihood: float
    state: CoinState

    @property
    def totals(self) -> dict[str, float]:
        """Column sums of the expected table: ``heads_a``, ``tails_a``, ``heads_b``, ``tails_b``."""
        return {
            "heads_a": float(self.heads_a.sum()),
            "tails_a": float(self.tails_a.sum()),
            "heads_b": float(self.heads_b.sum()),
            "tails_b": float(self.tails_b.sum()),
        }


# --------------------------------------------------------------------------------------
# E-steps (soft and hard) and the M-step
# --------------------------------------------------------------------------------------
def _log_joint(h: np.ndarray, t: np.ndarray, state: CoinState, prior_a: float) -> np.ndarray:
    """``ln[π_c θ_c^h (1-θ_c)^t]``; array of shape (n_sets, 2). xlogy keeps 0·ln 0 = 0."""
    theta = state.thetas
    log_prior = np.log([prior_a, 1.0 - prior_a])
    return xlogy(h[:, None], theta) + xlog1py(t[:, None], -theta) + log_prior


def _posterior_soft(log_joint: np.ndarray) -> np.ndarray:
    log_norm = logsumexp(log_joint, axis=1, keepdims=True)
    return np.exp(log_joint - log_norm)


def _posterior_hard(log_joint: np.ndarray) -> np.ndarray:
    # argmax returns the first maximum, so ties go to coin A.
    post = np.zeros_like(log_joint)
    post[np.arange(len(log_joint)), np.argmax(log_joint, axis=1)] = 1.0
    return post


_POSTERIORS: dict[bool, Callable[[np.ndarray], np.ndarray]] = {
    False: _posterior_soft,
    True: _posterior_hard,
}


def _e_step(heads: Any, tails: Any, state: CoinState, prior_a: float, hard: bool) -> CoinEStep:
    h, t = _check_counts(heads, tails)
    log_joint = _log_joint(h, t, state, _check_prior(prior_a))
    point_ll = logsumexp(log_joint, axis=1)
    if not np.all(np.isfinite(point_ll)):
        s = int(np.flatnonzero(~np.isfinite(point_ll))[0])
        raise error(ParameterError, "coins.impossible_set", s=s + 1, heads=int(h[s]),
                    tails=int(t[s]), theta_a=state.theta_a, theta_b=state.theta_b)
    post = _POSTERIORS[bool(hard)](log_joint)
    with np.errstate(invalid="ignore"):
        q = float(np.sum(np.where(post > 0, post * log_joint, 0.0)))
    p_a, p_b = post[:, 0], post[:, 1]
    return CoinEStep(p_a, p_b, p_a * h, p_a * t, p_b * h, p_b * t, float(point_ll.sum()), q, state)


def coin_e_step(heads: Any, tails: Any, state: CoinState, prior_a: float = 0.5) -> CoinEStep:
    """Soft E-step: the posterior probability of each coin for every set.

    Parameters
    ----------
    heads, tails : array-like of shape (n_sets,)
        Counts per set (see :func:`parse_sets`).
    state : CoinState
    prior_a : float, default 0.5
        ``P(coin A)`` before seeing a set (the paper: equal chance).

    Returns
    -------
    CoinEStep

    Raises
    ------
    ParameterError
        If a set is impossible under both coins (e.g. θ_A = θ_B = 1 and a set has a tail).
    """
    return _e_step(heads, tails, state, prior_a, hard=False)


def hard_e_step(heads: Any, tails: Any, state: CoinState, prior_a: float = 0.5) -> CoinEStep:
    """Hard E-step: give each set wholly to the likelier coin (ties → A).

    Same arguments and return type as :func:`coin_e_step`; ``p_a`` is 0 or 1.
    """
    return _e_step(heads, tails, state, prior_a, hard=True)


def coin_m_step(estep: CoinEStep) -> CoinState:
    """M-step: each coin's θ is its share of expected heads.

    ``θ_A = Σ heads_a / Σ (heads_a + tails_a)``. A coin credited with no tosses (possible in
    hard EM) keeps its previous θ, so the step is always defined.

    Parameters
    ----------
    estep : CoinEStep

    Returns
    -------
    CoinState
    """
    thetas = []
    for h, t, old in (
        (estep.heads_a, estep.tails_a, estep.state.theta_a),
        (estep.heads_b, estep.tails_b, estep.state.theta_b),
    ):
        n = float(h.sum() + t.sum())
        thetas.append(float(h.sum()) / n if n > 0 else old)
    # Rounding can land a hair outside [0, 1] only if all counts are heads or tails.
    return CoinState(*np.clip(thetas, 0.0, 1.0))


# --------------------------------------------------------------------------------------
# Running EM
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CoinTrace:
    """A run of (soft or hard) EM on the two coins.

    Attributes
    ----------
    states : tuple of CoinState, length n_iter + 1
        ``states[0]`` is the start, ``states[i]`` the state after ``i`` iterations.
    e_steps : tuple of CoinEStep, length n_iter + 1
        ``e_steps[i]`` is the E-step on ``states[i]``; ``states[i+1] = coin_m_step(e_steps[i])``.
    log_likelihood : array of shape (n_iter + 1,)
        Observed-data log-likelihood of each state.
    complete_log_likelihood : array of shape (n_iter + 1,)
        ``e_steps[i].expected_complete_log_likelihood``.
    hard : bool
    prior_a : float
    """

    states: tuple[CoinState, ...]
    e_steps: tuple[CoinEStep, ...]
    log_likelihood: np.ndarray
    complete_log_likelihood: np.ndarray
    hard: bool
    prior_a: float

    @property
    def n_iter(self) -> int:
        return len(self.states) - 1

    @property
    def final(self) -> CoinState:
        return self.states[-1]

    @property
    def thetas(self) -> np.ndarray:
        """array of shape (n_iter + 1, 2): ``[θ_A, θ_B]`` per state."""
        return np.array([s.thetas for s in self.states])


_E_STEPS: dict[bool, Callable[..., CoinEStep]] = {False: coin_e_step, True: hard_e_step}


class _CoinKernel:
    """:func:`run_coins`'s kernel for :func:`emviz.engine.loop.em_loop`; it keeps every E-step
    (the figures show each one's table)."""

    def __init__(self, heads: Any, tails: Any, e_step_fn: Callable[..., CoinEStep],
                 prior_a: float) -> None:
        self._heads, self._tails, self._e_step, self._prior_a = heads, tails, e_step_fn, prior_a
        self.e_steps: list[CoinEStep] = []

    def e_step(self, state: CoinState) -> tuple[float, CoinEStep]:
        est = self._e_step(self._heads, self._tails, state, self._prior_a)
        self.e_steps.append(est)
        return est.log_likelihood, est

    def m_step(self, state: CoinState, est: CoinEStep) -> CoinState:
        return coin_m_step(est)

    def objective(self, state: CoinState) -> float:
        return self.e_step(state)[0]


def run_coins(
    heads: Any,
    tails: Any,
    init: CoinState = CoinState(0.6, 0.5),
    n_iter: int = 10,
    hard: bool = False,
    prior_a: float = 0.5,
) -> CoinTrace:
    """Run ``n_iter`` iterations of EM (soft, or hard with ``hard=True``).

    Parameters
    ----------
    heads, tails : array-like of shape (n_sets,)
    init : CoinState, default CoinState(0.6, 0.5)
        The paper's start.
    n_iter : int, default 10
        Always runs exactly this many iterations, so the published "after 10 iterations"
        numbers are ``trace.states[10]``.
    hard : bool, default False
    prior_a : float, default 0.5

    Returns
    -------
    CoinTrace
    """
    n_iter = check_int(n_iter, "n_iter", 0, MAX_RUNS)
    check_instance(init, "init", CoinState)
    hard = check_bool(hard, "hard")
    kernel = _CoinKernel(heads, tails, _E_STEPS[bool(hard)], prior_a)
    # tol = 0: the stop rule never fires, so exactly n_iter iterations, as the paper counts.
    run = run_loop(kernel, init, 1, int(n_iter), 0.0)
    states, e_steps = run.states, kernel.e_steps
    ll = np.array([e.log_likelihood for e in e_steps])
    cll = np.array([e.expected_complete_log_likelihood for e in e_steps])
    ll.flags.writeable = False
    cll.flags.writeable = False
    return CoinTrace(tuple(states), tuple(e_steps), ll, cll, bool(hard), float(prior_a))


def complete_data_mle(heads: Any, tails: Any, labels: Sequence[str]) -> CoinState:
    """Maximum-likelihood θs when the coin of every set is known (figure 1a).

    Parameters
    ----------
    heads, tails : array-like of shape (n_sets,)
    labels : sequence of {"A", "B"}, length n_sets

    Returns
    -------
    CoinState
        ``θ_c = heads of coin c / tosses of coin c``.

    Raises
    ------
    DataError
        If a label is not A or B, the lengths differ, or a coin has no sets.
    """
    h, t = _check_counts(heads, tails)
    labs = [str(lab).strip().upper() for lab in labels]
    if len(labs) != len(h):
        raise error(DataError, "coins.labels_length", n_sets=len(h), n_labels=len(labs))
    bad = [lab for lab in labs if lab not in _COIN_INDEX]
    if bad:
        raise error(DataError, "coins.labels_values", value=bad[0])
    idx = np.array([_COIN_INDEX[lab] for lab in labs])
    thetas = []
    for c, name in enumerate("AB"):
        sel = idx == c
        if not sel.any():
            raise error(DataError, "coins.labels_one_coin", coin=name)
        thetas.append(float(h[sel].sum() / (h[sel].sum() + t[sel].sum())))
    return CoinState(*thetas)
