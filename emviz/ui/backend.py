"""The back-end functions the UI calls for data and figures, in one place.

``emviz.data`` and ``emviz.figures`` are being written alongside the UI; until they land,
a deliberately small stand-in (``_interim``) keeps the app running. Delete the fallback
once both modules exist.
"""

from __future__ import annotations

try:
    from emviz.data import (
        PRESETS,
        adjusted_rand_index,
        display_subset,
        make_mixture,
        make_preset,
        pca_project,
        standardize,
    )
except ImportError:  # emviz.data not landed yet
    from emviz.ui._interim import (
        PRESETS,
        adjusted_rand_index,
        display_subset,
        make_mixture,
        make_preset,
        pca_project,
        standardize,
    )

try:
    from emviz.figures import (
        FigureOptions,
        animation_figure,
        loglik_figure,
        mixture_figure,
        params_table,
    )
except ImportError:  # emviz.figures not landed yet
    from emviz.ui._interim import (
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
