"""What every page shares: language, presenter mode, the shareable link, projector CSS.

``app.py`` calls, in order::

    sidebar_common.setup()        # before st.navigation: a shared link is applied once
    page = st.navigation(pages())
    slot = sidebar_common.render()  # language, presenter toggle, CSS, notes about the link
    page.run()
    sidebar_common.finish(page, slot)  # the URL now describes what is on screen

A link is read only on the first run of a browser session (opening the link); after that
the URL follows the settings. Bad parts of a link fall back to defaults with a note that
names the parameters (never echoes their values).
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from emviz.ui import housekeeping, presenter, urlstate
from emviz.ui.i18n import DEFAULT_LANGUAGE, LANG_KEY, LANGUAGES, t
from emviz.ui.state import DEFAULTS

_LOADED = "url_loaded"
_NOTES = "url_notes"
_FIRST_QUERY = "url_first_query"
#: The toggle that shows the link in a code box with a copy button.
SHOW_LINK = "share_show_link"
#: Pages that show the Explore timeline (the link carries its half-step).
STEPPED_PAGES = ("", "explore")


def _current_query() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def _apply_link() -> None:
    ss = st.session_state
    decoded = urlstate.decode(_current_query())
    values = dict(decoded.values)
    if values.get("data_source") == "Sample" and ("tbl_columns" in values
                                                  or "tbl_label" in values
                                                  or "tbl_mode" in values):
        name = values.get("sample_name", DEFAULTS["sample_name"])
        try:
            from emviz.ui import cache, data_panel  # only links to samples need them

            tbl = cache.table_info("sample", name, "")
            decoded.rejected += urlstate.check_table_columns(values, tbl.numeric_columns,
                                                             tbl.text_columns)
            # What a new file gets (the data panel's defaults), then the link's settings on
            # top: a refused column or label is back at its default, and the chart shows.
            # Marking the file as seen keeps the panel from resetting the link's settings.
            ss["tbl_for"] = None
            data_panel._reset_table_controls(tbl, f"sample:{name}:")
        except Exception:  # the sample is checked again (and reported) by the page
            values.pop("tbl_columns", None)
            values.pop("tbl_label", None)
    if "data_source" in values:  # the link chose the data: a lab's first visit keeps it
        ss[urlstate.LINKED_DATA] = True
    for key, value in values.items():
        ss[key] = value
    if not decoded.clean:
        ss[_NOTES] = decoded


def setup() -> None:
    """Apply a shared link (first run of the session only); make sure lang/presenter exist."""
    housekeeping.start()  # once per server: uploads leave with their sessions
    ss = st.session_state
    if _LOADED not in ss:
        ss[_LOADED] = True
        try:
            _apply_link()
        except Exception:  # a link must never break the page
            ss[_NOTES] = urlstate.Decoded(rejected=["?"])
    if ss.get(LANG_KEY) not in LANGUAGES:
        ss[LANG_KEY] = DEFAULT_LANGUAGE
    ss.setdefault("presenter", False)


def render() -> DeltaGenerator:
    """Sidebar top: language and presenter mode; projector CSS; notes about the link.

    Returns the sidebar slot where :func:`finish` puts the share box.
    """
    ss = st.session_state
    with st.sidebar:
        st.selectbox(t("common.language"), tuple(LANGUAGES), key=LANG_KEY,
                     format_func=LANGUAGES.get)
        st.toggle(t("presenter.toggle"), key="presenter", help=t("presenter.help"))
        slot = st.empty()
    presenter.inject_css(bool(ss["presenter"]))
    notes = ss.get(_NOTES)
    if notes is not None:
        if notes.upload:
            st.warning(t("share.upload_link"), icon=":material/link_off:")
        if notes.rejected:
            st.warning(t("share.bad_link", names=", ".join(notes.rejected)),
                       icon=":material/link_off:")
        if notes.unknown:
            st.info(t("share.unknown", count=notes.unknown), icon=":material/link:")
    return slot


def _share_box(slot: DeltaGenerator, query: dict[str, list[str]], url_path: str) -> None:
    base = (st.context.url or "").split("?", 1)[0] or f"/{url_path}"
    link = f"{base}?{urlencode(query, doseq=True)}"
    # The box is refilled on every run, so it would close when its toggle reruns the page:
    # open it while the link is asked for.
    shown = bool(st.session_state.get(SHOW_LINK))
    with slot.container(), st.expander(t("share.title"), icon=":material/link:", expanded=shown):
        st.caption(t("share.help"))
        # st.code (for its copy button) only on request: it loads a 1.6 MB syntax
        # highlighter, and drawn on every first page it put the first chart 2-3 s later.
        if st.toggle(t("share.show"), key=SHOW_LINK):
            st.code(link, language=None, wrap_lines=True)
        if st.session_state.get("data_source") == "Upload CSV":
            st.warning(t("share.upload"))
        else:
            st.caption(t("share.upload"))


def finish(page: st.Page, slot: DeltaGenerator) -> None:
    """Write what is on screen into the URL (only when it changed) and offer the link."""
    ss = st.session_state
    stepped = page.url_path in STEPPED_PAGES
    if not stepped:
        ss.pop(urlstate.PENDING_STEP, None)
    query = urlstate.encode(ss, include_step=stepped, page=page.url_path)
    first = ss.setdefault(_FIRST_QUERY, query)
    if query != first:  # the user changed something: the link's notes no longer apply,
        ss.pop(_NOTES, None)  # nor its positions for labs not opened yet
        ss.pop(urlstate.PENDING_LAB, None)
    if _current_query() != query:
        st.query_params.from_dict(query)
    _share_box(slot, query, page.url_path)
