"""The labs: one module per page, each an ``st.Page`` callable ``render()``."""
