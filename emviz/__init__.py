"""emviz: the EM algorithm for Gaussian mixtures, one visible step at a time.

The public API is importable from here; the Streamlit front end lives in ``emviz.ui``
and is the only part that imports Streamlit.
"""

from emviz.data.csv import Selection, Table, load_csv
from emviz.data.summary import ClusterSummary, cluster_summary, label_table
from emviz.data.synthetic import (
    PRESETS,
    Dataset,
    adjusted_rand_index,
    display_subset,
    make_mixture,
    make_preset,
    pca_project,
    standardize,
)
from emviz.engine.coins import CoinState, CoinTrace, run_coins
from emviz.engine.em import (
    BoundTerms,
    EStep,
    HalfStep,
    LikelihoodDecrease,
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
from emviz.engine.fitted import Assignment, FittedMixture, Preprocessing
from emviz.engine.kmeans import (
    KMeansTrace,
    kmeans_plusplus,
    kmeans_run,
    soft_kmeans_resp,
    soft_kmeans_run,
)
from emviz.engine.remedies import REMEDIES, m_step_map, run_em_map, run_em_reseed
from emviz.engine.reproduce import CsvSource, sklearn_script
from emviz.engine.restarts import RestartsResult, run_restarts
from emviz.engine.selection import SelectionResult, model_selection
from emviz.engine.vbgmm import (
    VBParams,
    VBPrior,
    VBTrace,
    default_prior,
    elbo,
    run_vb,
    vb_initialize,
)
from emviz.errors import Cancelled, CollapseError, DataError, EmvizError, ParameterError
from emviz.model.params import COVARIANCE_TYPES, INIT_METHODS, Params

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "PRESETS",
    "REMEDIES",
    "Assignment",
    "BoundTerms",
    "Cancelled",
    "ClusterSummary",
    "CoinState",
    "CoinTrace",
    "CollapseError",
    "CsvSource",
    "DataError",
    "Dataset",
    "EStep",
    "EmvizError",
    "FittedMixture",
    "HalfStep",
    "KMeansTrace",
    "LikelihoodDecrease",
    "ParameterError",
    "Params",
    "Preprocessing",
    "RestartsResult",
    "Selection",
    "SelectionResult",
    "Table",
    "Trace",
    "VBParams",
    "VBPrior",
    "VBTrace",
    "adjusted_rand_index",
    "aic",
    "bic",
    "bound_terms",
    "check_data",
    "cluster_summary",
    "default_prior",
    "display_subset",
    "e_step",
    "elbo",
    "initialize",
    "kmeans_plusplus",
    "kmeans_run",
    "label_table",
    "load_csv",
    "m_step",
    "m_step_map",
    "make_mixture",
    "make_preset",
    "model_selection",
    "n_parameters",
    "pca_project",
    "reg_covar_slack",
    "run_coins",
    "run_em",
    "run_em_map",
    "run_em_reseed",
    "run_restarts",
    "run_vb",
    "sklearn_script",
    "soft_kmeans_resp",
    "soft_kmeans_run",
    "standardize",
    "vb_initialize",
]
__version__ = "0.1.0"
