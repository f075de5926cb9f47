"""emviz: the EM algorithm for Gaussian mixtures, one visible step at a time.

The public API is importable from here; the Streamlit front end lives in ``emviz.ui``
and is the only part that imports Streamlit.
"""

from .em import (
    COVARIANCE_TYPES,
    INIT_METHODS,
    BoundTerms,
    EStep,
    HalfStep,
    LikelihoodDecrease,
    Params,
    Trace,
    aic,
    bic,
    bound_terms,
    check_data,
    e_step,
    initialize,
    m_step,
    n_parameters,
    reg_covar_slack,
    run_em,
)
from .errors import CollapseError, DataError, EmvizError, ParameterError

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "BoundTerms",
    "CollapseError",
    "DataError",
    "EStep",
    "EmvizError",
    "HalfStep",
    "LikelihoodDecrease",
    "ParameterError",
    "Params",
    "Trace",
    "aic",
    "bic",
    "bound_terms",
    "check_data",
    "e_step",
    "initialize",
    "m_step",
    "n_parameters",
    "reg_covar_slack",
    "run_em",
]
__version__ = "0.1.0"
