"""The back-end functions the UI calls for data and figures, gathered in one place.

UI modules import ``backend as be`` so that a page reads ``be.mixture_figure(...)`` and the
list of back-end entry points the front end depends on is visible at a glance.
"""

from __future__ import annotations

from emviz.data.synthetic import (
    PRESETS,
    adjusted_rand_index,
    display_subset,
    make_mixture,
    make_preset,
    pca_project,
    standardize,
)
from emviz.figures.mixture import (
    FigureOptions,
    animation_figure,
    loglik_figure,
    mixture_figure,
    params_table,
)

__all__ = [
    "PRESETS",
    "FigureOptions",
    "adjusted_rand_index",
    "animation_figure",
    "display_subset",
    "loglik_figure",
    "make_mixture",
    "make_preset",
    "mixture_figure",
    "params_table",
    "pca_project",
    "standardize",
]
