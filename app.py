"""emviz: the EM algorithm for Gaussian mixtures, one visible step at a time.

Run with ``streamlit run app.py``. This file is only the frame; the pages live in
``emviz/ui/`` (see ``emviz/ui/pages.py``).
"""

import streamlit as st

from emviz.ui.pages import pages

st.set_page_config(
    page_title="emviz · EM for Gaussian mixtures",
    page_icon=":material/scatter_plot:",
    layout="wide",
    initial_sidebar_state="expanded",
)
st.navigation(pages()).run()
