"""Strings about heavy work: the work budget, its confirmation, and links clamped to it
(emviz/ui/jobs.py)."""

STRINGS: dict[str, dict[str, str]] = {
    "jobs.over_budget": {
        "en": "This run asks for {times}× the work one click may start ({units} point-component "
              "updates; the budget is {budget}). It would keep the server busy for minutes. "
              "Reduce the iterations, runs or components, or run it anyway.",
        "ja": "この実行は 1 回のクリックで始められる作業量の {times} 倍です"
              "（点×成分の更新 {units} 回、上限は {budget} 回）。"
              "サーバーが数分間ふさがります。反復回数・実行回数・成分数を"
              "減らすか、このまま実行してください。",
        "ru": "Этот запуск требует в {times} раза больше работы, чем разрешено на одно нажатие "
              "({units} обновлений «точка × компонента»; предел {budget}). Сервер будет занят "
              "несколько минут. Уменьшите число итераций, запусков или компонент либо "
              "запустите всё равно.",
    },
    "jobs.run_anyway": {
        "en": "Run anyway",
        "ja": "このまま実行",
        "ru": "Запустить всё равно",
    },
    "jobs.run_anyway_help": {
        "en": "Runs this request once; it stops by itself if you close the tab.",
        "ja": "この設定で一度だけ実行します。タブを閉じると自動的に止まります。",
        "ru": "Запускает этот расчёт один раз; он сам остановится, если закрыть вкладку.",
    },
    "jobs.busy": {
        "en": "A computation started in this tab is still running. Wait for it to finish, "
              "then try again.",
        "ja": "このタブで始めた計算がまだ実行中です。終わるのを待ってからもう一度お試しください。",
        "ru": "Расчёт, начатый в этой вкладке, ещё идёт. Дождитесь его окончания и повторите.",
    },
    "jobs.link_clamped": {
        "en": "This link asked for {setting} = {asked}, more work than a link may start on this "
              "data; it runs with {allowed}. Raise it yourself to run more.",
        "ja": "このリンクは {setting} = {asked} を指定していますが、このデータではリンクから始め"
              "られる作業量を超えるため、{allowed} で実行しています。さらに実行するには自分で"
              "値を上げてください。",
        "ru": "Ссылка задаёт {setting} = {asked}: для этих данных это больше работы, чем может "
              "запустить ссылка; расчёт идёт с {allowed}. Чтобы посчитать больше, увеличьте "
              "значение сами.",
    },
    "jobs.setting.max_iter": {
        "en": "iterations",
        "ja": "最大反復回数",
        "ru": "итераций",
    },
    "jobs.setting.n_restarts": {
        "en": "restarts per method",
        "ja": "手法ごとの再スタート数",
        "ru": "перезапусков на метод",
    },
    "jobs.setting.n_init": {
        "en": "starts per cell",
        "ja": "セルごとの初期値の数",
        "ru": "стартов на ячейку",
    },
}
