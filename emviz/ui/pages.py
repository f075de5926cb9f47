"""Every page of the app, in menu order. Adding a lab is one line in :func:`pages`."""

from __future__ import annotations

import streamlit as st

from emviz.ui import explore


def pages() -> list[st.Page]:
    """The ``st.Page`` objects for ``st.navigation`` (the first one is the home page)."""
    return [
        st.Page(explore.render, title="Explore", icon=":material/insights:",
                url_path="explore", default=True),
        # Labs (later issues), one line each, e.g.:
        # st.Page(kmeans_lab.render, title="k-means vs GMM", url_path="kmeans"),
    ]
