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
    "share.step_clamped": {
        "en": "This link asks for half-step {asked}, but this run ends at half-step {last}: "
              "showing its last half-step.",
        "ja": "このリンクは半ステップ {asked} を指定していますが、この実行は半ステップ "
              "{last} で終わるため、最後の半ステップを表示しています。",
        "ru": "Ссылка просит полушаг {asked}, но этот запуск заканчивается на полушаге {last}: "
              "показан последний полушаг.",
    },
    "share.no_page": {
        "en": "There is no page at this address, so Explore is shown. The pages are: {pages}.",
        "ja": "このアドレスのページはないため、探索を表示しています。ページ一覧：{pages}。",
        "ru": "По этому адресу нет страницы, поэтому показан «Обзор». Страницы: {pages}.",
    },
}
