"""What every page shares: language, presenter mode, the shareable link, projector CSS.

``app.py`` calls, in order::

    sidebar_common.setup()        # before st.navigation: a shared link is applied once
    sidebar_common.route(pages)   # /explore, /KMeans: the page meant, or a note
    page = st.navigation(pages)
    slot = sidebar_common.render()  # language, presenter toggle, CSS, notes about the link
    page.run()
    sidebar_common.finish(page, slot)  # the URL now describes what is on screen

A link is read only on the first run of a browser session (opening the link); after that
the URL follows the settings. Bad parts of a link fall back to defaults with a note that
names the parameters (never echoes their values); so do parts that do not apply, and a
scenario without ``src=`` means synthetic data (with a note saying so).

History: Streamlit writes ``st.query_params`` with ``history.pushState``, so every step
added an entry and Back walked through them (five Backs did nothing visible). A small
script (:data:`HISTORY_JS`) turns a push that keeps the page into a replace: Back leaves
the page, or returns to the previous page, as in any other web app.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import urlencode

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from emviz.ui import housekeeping, jobs, presenter, state, urlstate
from emviz.ui.i18n import DEFAULT_LANGUAGE, LANG_KEY, LANGUAGES, t
from emviz.ui.state import DEFAULTS

_LOADED = "url_loaded"
_NOTES = "url_notes"
#: The link's path named no page (the note lists the pages that exist).
_NO_PAGE = "url_no_page"
_FIRST_QUERY = "url_first_query"
#: Set during a session's first run: its URL is left as the browser opened it (see finish).
_FIRST_RUN = "url_first_run"
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
    if values:  # its first heavy request stays within the work budget
        ss[jobs.LINKED] = True
    for key, value in values.items():
        ss[key] = value
    _suggest_for_scenario(values)
    if not decoded.clean:
        ss[_NOTES] = decoded


def _suggest_for_scenario(values: dict) -> None:
    """A hand-written ``?scenario=…`` gets the model its preset suggests (as choosing it in
    the sidebar does), except for what the link sets itself (a copied link sets it all)."""
    name = values.get("syn_preset")
    if values.get("data_source") != "Synthetic" or name in (None, state.CUSTOM):
        return
    from emviz.ui import cache  # imported here: only scenario links need it

    try:
        data = cache.prepared(state.PresetSpec(name, int(values.get("syn_seed", 0))))
    except Exception:  # the page shows the data's error; the link's settings still apply
        return
    state.suggest_model(st.session_state, data, only_missing=values)


#: Session key a page's callback sets to open Explore on the next run (the frame switches).
GOTO_EXPLORE = "lab_goto_explore"
_PAGES = "_emviz_pages"


def switch_if_asked(page_list: Sequence[st.Page]) -> None:
    """After ``st.navigation``: open Explore (the first page) if a callback asked for it, and
    remember the pages so that a page can link to another by its path (:func:`page_at`)."""
    st.session_state[_PAGES] = {p.url_path: p for p in page_list}
    if st.session_state.pop(GOTO_EXPLORE, False) and page_list:
        st.switch_page(page_list[0])


def page_at(url_path: str) -> st.Page | None:
    """The page at ``url_path`` (as :func:`switch_if_asked` last saw the page list)."""
    return st.session_state.get(_PAGES, {}).get(url_path)


def route(page_list: Sequence[st.Page]) -> None:
    """Before ``st.navigation``: open the page a link's path means, whatever its case.

    ``/explore`` is Explore (its home page lives at ``/``) and ``/KMeans`` is ``/kmeans``.
    A path that names no page opens Explore with a note listing the pages, instead of
    Streamlit's English "Page not found" dialog. Only a first visit carries a path to
    resolve (later runs name their page by its hash); if Streamlit's page resolution ever
    changes shape, this does nothing and Streamlit's own behaviour remains.
    """
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        manager = get_script_run_ctx().pages_manager
        requested = manager.intended_page_name
        if not requested or manager.intended_page_script_hash:
            return
        target = urlstate.resolve_page(requested, {p.url_path: p.url_path for p in page_list},
                                       home=HOME_ALIAS)
        if target is None:
            st.session_state[_NO_PAGE] = True
            target = ""
        if target != requested:
            manager.set_script_intent("", target)
    except Exception:  # never let routing break the page; Streamlit's default applies
        return


#: The path that also means the home page (Explore, served at ``/``).
HOME_ALIAS = "explore"


def _page_list_note(page_list: Sequence[st.Page]) -> str:
    return " · ".join(f"**{p.title}** `/{p.url_path or HOME_ALIAS}`" for p in page_list)


def setup() -> None:
    """Apply a shared link (first run of the session only); make sure lang/presenter exist."""
    housekeeping.start()  # once per server: uploads leave with their sessions
    ss = st.session_state
    ss.pop(_FIRST_RUN, None)  # a later run: the history script is running by now
    if _LOADED not in ss:
        ss[_LOADED] = True
        ss[_FIRST_RUN] = True
        try:
            _apply_link()
        except Exception:  # a link must never break the page
            ss[_NOTES] = urlstate.Decoded(rejected=["?"])
    if ss.get(LANG_KEY) not in LANGUAGES:
        ss[LANG_KEY] = DEFAULT_LANGUAGE
    ss.setdefault("presenter", False)
    # The data and model choices belong to the session, not to a page: re-stored on every
    # page, so a page that does not draw them (the coins lab) does not reset them.
    state.init()


#: Streamlit writes the query string with history.pushState (one entry per step or setting);
#: a push that stays on the page becomes a replace, so Back leaves the page or returns to the
#: previous one. A push from a path that is no page of the app (a hand-typed /KMeans or
#: /explore, which Streamlit then rewrites to the page's own path) replaces too. Installed
#: once per browser tab; ``__PAGES__`` and ``__BASE__`` are filled in by :func:`history_js`.
HISTORY_JS = r"""
<script id="emviz-history">
(() => {
  if (window.__emvizHistory) return;
  window.__emvizHistory = true;
  const pages = new Set(__PAGES__);
  const base = __BASE__;
  const page = (path) => {
    let p = decodeURIComponent(path);
    if (base && p.startsWith(base)) p = p.slice(base.length);
    return p.replace(/^\/+|\/+$/g, "");
  };
  const push = window.history.pushState.bind(window.history);
  window.history.pushState = function (data, unused, url) {
    const next = new URL(url, window.location.href);
    const here = window.location.pathname;
    if (next.pathname === here || !pages.has(page(here))) {
      return window.history.replaceState(data, unused, url);
    }
    return push(data, unused, url);
  };
})();
</script>
"""


#: A first run's link correction (a sample link naming a column the file lacks): the address
#: bar gets the query the page shows, replacing the entry.
_REPLACE_QUERY_JS = r"""
<script>
(() => {
  const query = __QUERY__;
  const url = new URL(window.location.href);
  url.search = "";
  for (const [name, values] of Object.entries(query)) {
    for (const value of values) url.searchParams.append(name, value);
  }
  window.history.replaceState(window.history.state, "", url);
})();
</script>
"""


def _js_literal(value: object) -> str:
    """JSON, and no "</script>" can end the script early (the values may be user text)."""
    return json.dumps(value).replace("<", "\\u003c")


def history_js(url_paths: Sequence[str], base_url_path: str = "") -> str:
    """:data:`HISTORY_JS` for these page paths (``""`` is the home page) under this base."""
    base = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""

    return (HISTORY_JS.replace("__PAGES__", _js_literal(sorted(set(url_paths))))
            .replace("__BASE__", _js_literal(base)))


def _page_key(url_path: str) -> str:
    """One name per page: Explore is both "" (the home page's path) and "explore"."""
    return "" if url_path == HOME_ALIAS else url_path


def _query_for(url_path: str) -> dict[str, list[str]]:
    stepped = url_path in STEPPED_PAGES
    return urlstate.encode(st.session_state, include_step=stepped, page=url_path)


def _first_run() -> bool:
    """In the session's first full script run (not a fragment's rerun after it)."""
    if not st.session_state.get(_FIRST_RUN):
        return False
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        return not (ctx is not None and ctx.fragment_ids_this_run)
    except Exception:  # a changed Streamlit: write the link (one extra history entry at most)
        return False


def _forget_link_notes_once_changed(url_path: str | None, before: bool = False) -> None:
    """The user changed a setting since the link was opened: its notes no longer apply,
    nor its positions for labs not opened yet.

    Checked after the page ran, and also ``before`` the notes are drawn, so a click that
    changes something removes them at once; but only on the page the link opened, since
    another page writes other settings (and a lab must first take its linked position).
    """
    ss = st.session_state
    if url_path is None or _FIRST_QUERY not in ss:
        return
    first_page, first_query = ss[_FIRST_QUERY]
    if (before and _page_key(url_path) != first_page) or _query_for(url_path) == first_query:
        return
    for key in (_NOTES, _NO_PAGE, urlstate.PENDING_LAB):
        ss.pop(key, None)


def render(page_list: Sequence[st.Page] = (), page: st.Page | None = None) -> DeltaGenerator:
    """Sidebar top: language and presenter mode; projector CSS; notes about the link.

    ``page_list`` (every page) feeds the history script and the list of pages shown for
    a path that names none; ``page`` (the one about to run) tells whether the user has
    changed anything since opening the link. Returns the sidebar slot where :func:`finish`
    puts the share box.
    """
    ss = st.session_state
    _forget_link_notes_once_changed(page.url_path if page else None, before=True)
    with st.sidebar:
        st.selectbox(t("common.language"), tuple(LANGUAGES), key=LANG_KEY,
                     format_func=LANGUAGES.get)
        st.toggle(t("presenter.toggle"), key="presenter", help=t("presenter.help"))
        slot = st.empty()
        if page_list:
            base = str(st.get_option("server.baseUrlPath") or "")
            st.html(history_js([p.url_path for p in page_list], base),
                    unsafe_allow_javascript=True)
    presenter.inject_css(bool(ss["presenter"]))
    if ss.get(_NO_PAGE) and page_list:
        st.info(t("share.no_page", pages=_page_list_note(page_list)), icon=":material/map:")
    notes = ss.get(_NOTES)
    if notes is not None:
        if notes.upload:
            st.warning(t("share.upload_link"), icon=":material/link_off:")
        if notes.rejected:
            st.warning(t("share.bad_link", names=", ".join(notes.rejected)),
                       icon=":material/link_off:")
        if notes.implied:
            st.info(t("share.implied", source=t(f"panels.source.{_SOURCE_LABEL[notes.implied]}")),
                    icon=":material/link:")
        if notes.ignored:
            st.info(t("share.ignored", names=", ".join(notes.ignored)), icon=":material/link:")
        if notes.unknown:
            st.info(t("share.unknown", count=notes.unknown), icon=":material/link:")
    return slot


#: A link's source name -> the sidebar's option (whose label the catalog translates).
_SOURCE_LABEL = {v: k for k, v in urlstate.SOURCE_NAMES.items()}


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


def sync_url(url_path: str) -> dict[str, list[str]]:
    """Write what is on screen into the URL (only when it changed); return the query.

    Also called from the Explore stepper's fragment, which reruns alone when the browser
    reports where stepping paused.

    Not in a session's first run: the script that turns Streamlit's history pushes into
    replaces (:data:`HISTORY_JS`) arrives in that run and is not yet running when the run
    ends, so writing then would add one history entry. The address bar keeps the link as
    opened until the next run, and the share box shows the full link from the start.
    """
    ss = st.session_state
    if url_path not in STEPPED_PAGES:
        ss.pop(urlstate.PENDING_STEP, None)
    query = _query_for(url_path)
    ss.setdefault(_FIRST_QUERY, (_page_key(url_path), query))
    _forget_link_notes_once_changed(url_path)
    if _current_query() != query:
        if _first_run():
            # the browser corrects its address bar itself (a replace: no history entry);
            # Streamlit hears the query at the next run
            st.html(_REPLACE_QUERY_JS.replace("__QUERY__", _js_literal(query)),
                    unsafe_allow_javascript=True)
        else:
            st.query_params.from_dict(query)
    return query


def link_shown() -> bool:
    """Whether the share box shows the link (then it must follow every change)."""
    return bool(st.session_state.get(SHOW_LINK))


def finish(page: st.Page, slot: DeltaGenerator) -> None:
    """Write what is on screen into the URL (only when it changed) and offer the link."""
    query = sync_url(page.url_path)
    _share_box(slot, query, page.url_path)
