"""Every page of the app, in menu order. Adding a lab is one line in :func:`pages`."""

from __future__ import annotations

import streamlit as st

from emviz.ui import explore, sidebar_common
from emviz.ui.i18n import t
from emviz.ui.labs import (
    coins,
    elbo,
    init_sensitivity,
    kmeans_vs_gmm,
    model_selection,
    singularity,
    vbgmm,
)


def pages() -> list[st.Page]:
    """The ``st.Page`` objects for ``st.navigation`` (the first one is the home page)."""
    return [
        st.Page(explore.render, title=t("explore.nav"), icon=":material/insights:",
                url_path=sidebar_common.HOME_ALIAS, default=True),
        st.Page(kmeans_vs_gmm.render, title=t("kmeans.nav"), url_path="kmeans"),
        st.Page(init_sensitivity.render, title=t("restarts.nav"), url_path="initialisation"),
        st.Page(model_selection.render, title=t("selection.nav"), url_path="selection"),
        st.Page(elbo.render, title=t("elbo.nav"), url_path="elbo"),
        st.Page(singularity.render, title=t("sing.nav"), url_path="singularity"),
        st.Page(vbgmm.render, title=t("vb.nav"), url_path="vbgmm"),
        st.Page(coins.render, title=t("coins.nav"), url_path="coins"),
    ]
