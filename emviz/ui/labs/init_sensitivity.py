"""Lab placeholder (being written)."""

import streamlit as st


def render() -> None:
    st.info("Coming soon.")
