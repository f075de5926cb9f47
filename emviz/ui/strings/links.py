"""Strings about links and page paths (emviz/ui/sidebar_common.py, emviz/ui/explore.py)."""

STRINGS: dict[str, dict[str, str]] = {
    "share.implied": {
        "en": "This link names data settings but no data source; it is read as {source} data.",
        "ja": "このリンクにはデータの設定がありますがデータ元の指定がないため、「{source}」の"
              "データとして開きました。",
        "ru": "В ссылке есть настройки данных, но не указан источник; она открыта как "
              "«{source}».",
    },
    "share.ignored": {
        "en": "Some settings in this link do not apply to its data and were ignored ({names}).",
        "ja": "このリンクの一部の設定（{names}）はそのデータに当てはまらないため、無視しました。",
        "ru": "Некоторые настройки ссылки не относятся к её данным и пропущены ({names}).",
    },
    "share.no_page": {
        "en": "There is no page at this address, so Explore is shown. The pages are: {pages}.",
        "ja": "このアドレスのページはないため、探索を表示しています。ページ一覧：{pages}。",
        "ru": "По этому адресу нет страницы, поэтому показан «Обзор». Страницы: {pages}.",
    },
}
