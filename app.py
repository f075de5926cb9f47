"""emviz: the EM algorithm for Gaussian mixtures, one visible step at a time.

Run with ``streamlit run app.py``. This file is only the frame; the pages live in
``emviz/ui/`` (see ``emviz/ui/pages.py``), and what every page shares (language, presenter
mode, the shareable link) in ``emviz/ui/sidebar_common.py``.
"""

import streamlit as st

from emviz.ui import sidebar_common
from emviz.ui.pages import pages

st.set_page_config(
    page_title="emviz · EM for Gaussian mixtures",
    page_icon=":material/scatter_plot:",
    layout="wide",
    initial_sidebar_state="expanded",
)
sidebar_common.setup()  # a shared link's settings (and language) before the menu is built
if st.session_state["presenter"]:  # the figure gets the screen; » brings the controls back
    st.set_page_config(initial_sidebar_state="collapsed")
every_page = pages()
sidebar_common.route(every_page)  # /explore and /KMeans open their page
page = st.navigation(every_page)
sidebar_common.switch_if_asked(every_page)  # "Open in Explore" from a lab
slot = sidebar_common.render(every_page, page)
page.run()
sidebar_common.finish(page, slot)
