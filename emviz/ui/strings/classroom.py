"""Strings for the classroom features shared by every page: presenter mode, links, exports."""

STRINGS: dict[str, dict[str, str]] = {
    # --- Presenter mode --------------------------------------------------------------
    "presenter.toggle": {
        "en": "Presenter mode",
        "ja": "プレゼンターモード",
        "ru": "Режим презентации",
    },
    "presenter.help": {
        "en": "For a projector: large text, thick lines, bigger points. Collapse the sidebar "
              "with « so the figure fills the screen.",
        "ja": "プロジェクター用：大きな文字、太い線、大きな点。サイドバーを « で閉じると図が"
              "画面いっぱいに表示されます。",
        "ru": "Для проектора: крупный текст, толстые линии, крупные точки. Сверните боковую "
              "панель кнопкой «, чтобы рисунок занял весь экран.",
    },
    # --- Shareable links -------------------------------------------------------------
    "share.title": {"en": "Share this view", "ja": "この画面を共有", "ru": "Поделиться видом"},
    "share.help": {
        "en": "This link (it is also in your address bar) holds every setting on screen: data, "
              "model, step, page, presenter mode and language. Whoever opens it sees this view.",
        "ja": "このリンク（アドレスバーにも表示）には、データ・モデル・ステップ・ページ・"
              "プレゼンターモード・言語など画面上のすべての設定が含まれます。開いた人には同じ"
              "画面が表示されます。",
        "ru": "Эта ссылка (она же в адресной строке) хранит все настройки на экране: данные, "
              "модель, шаг, страницу, режим презентации и язык. Открывший её увидит тот же вид.",
    },
    "share.show": {
        "en": "Show the link, with a copy button",
        "ja": "リンクを表示（コピーボタン付き）",
        "ru": "Показать ссылку с кнопкой копирования",
    },
    "share.upload": {
        "en": "Uploaded data cannot travel in a link: whoever opens it gets the default data. "
              "Send the CSV file separately.",
        "ja": "アップロードしたデータはリンクに含められません。リンクを開いた人には既定の"
              "データが表示されます。CSV ファイルは別途送ってください。",
        "ru": "Загруженные данные нельзя передать ссылкой: открывший её получит данные по "
              "умолчанию. Отправьте CSV-файл отдельно.",
    },
    "share.bad_link": {
        "en": "Part of this link could not be used ({names}); those settings are back at their "
              "defaults.",
        "ja": "このリンクの一部（{names}）は使用できなかったため、それらの設定は既定値に"
              "戻しました。",
        "ru": "Часть ссылки использовать не удалось ({names}); эти настройки возвращены к "
              "значениям по умолчанию.",
    },
    "share.unknown": {
        "en": "This link has {count} setting(s) emviz does not know; they were ignored.",
        "ja": "このリンクには emviz が認識しない設定が {count} 個あり、無視しました。",
        "ru": "В ссылке есть неизвестные emviz настройки ({count} шт.); они пропущены.",
    },
    "share.upload_link": {
        "en": "This link was made with an uploaded file, which cannot travel in a URL, so the "
              "default data is shown. Ask for the CSV file and upload it.",
        "ja": "このリンクはアップロードされたファイルで作成されましたが、ファイルは URL に"
              "含められないため既定のデータを表示しています。CSV ファイルを入手して"
              "アップロードしてください。",
        "ru": "Ссылка сделана с загруженным файлом, который нельзя передать в URL, поэтому "
              "показаны данные по умолчанию. Попросите CSV-файл и загрузите его.",
    },
    # --- Exports ---------------------------------------------------------------------
    "export.title": {"en": "Download", "ja": "ダウンロード", "ru": "Скачать"},
    "export.no_figure": {
        "en": "There is no figure on screen to save. Expected a drawn chart; fix the message "
              "above, then try again.",
        "ja": "保存できる図が画面にありません。"
              "上のメッセージを解決してから、もう一度お試しください。",
        "ru": "На экране нет рисунка, который можно сохранить. Устраните проблему из сообщения "
              "выше и попробуйте снова.",
    },
    "export.params": {"en": "Parameters (JSON)", "ja": "パラメータ（JSON）",
                      "ru": "Параметры (JSON)"},
    "export.params_help": {
        "en": "π, μ, Σ at this half-step with the log-likelihood, every setting and the "
              "preprocessing (columns, standardising, PCA). emviz.FittedMixture.from_json(text) "
              "labels new rows with it.",
        "ja": "この半ステップでの π, μ, Σ と対数尤度、すべての設定、前処理（列・標準化・PCA）。"
              "emviz.FittedMixture.from_json(text) で新しい行にラベルを付けられます。",
        "ru": "π, μ, Σ на этом полушаге, логарифм правдоподобия, все настройки и "
              "предобработка (столбцы, стандартизация, PCA). emviz.FittedMixture.from_json(text) "
              "размечает по ним новые строки.",
    },
    "export.csv": {"en": "Data with labels (CSV)", "ja": "ラベル付きデータ（CSV）",
                   "ru": "Данные с метками (CSV)"},
    "export.csv_help": {
        "en": "Your file with every cell exactly as written, plus em_component (the hard "
              "label) and em_resp_1 … em_resp_K under the parameters shown. Rows EM did not "
              "use (a missing value) have these cells empty.",
        "ja": "すべてのセルを書かれたとおりに残したファイルに、表示中のパラメータによる "
              "em_component（ハードラベル）と em_resp_1 … em_resp_K を追加します。EM が使わ"
              "なかった行（欠損値あり）ではこれらのセルは空です。",
        "ru": "Ваш файл, где каждая ячейка записана как была, плюс em_component (жёсткая "
              "метка) и em_resp_1 … em_resp_K при показанных параметрах. В строках, не "
              "вошедших в EM (с пропуском), эти ячейки пусты.",
    },
    "export.html": {"en": "Animation (offline HTML)", "ja": "アニメーション（オフライン HTML）",
                    "ru": "Анимация (офлайн HTML)"},
    "export.html_help": {
        "en": "One self-contained file (about 5 MB) that plays the whole run in any browser, "
              "with no internet.",
        "ja": "インターネットなしで任意のブラウザで全過程を再生できる単一ファイル（約 5 MB）。",
        "ru": "Один самодостаточный файл (около 5 МБ): весь запуск проигрывается в любом "
              "браузере без интернета.",
    },
    "export.png": {"en": "Figure (PNG)", "ja": "図（PNG）", "ru": "Рисунок (PNG)"},
    "export.png_help": {
        "en": "The figure on screen as a {width} × {height} image.",
        "ja": "画面の図を {width} × {height} の画像として保存します。",
        "ru": "Рисунок с экрана как изображение {width} × {height}.",
    },
    "export.png_missing": {
        "en": "The PNG export needs kaleido and Chromium on the server, which are not "
              "available here; use the camera icon in the chart's toolbar instead.",
        "ja": "PNG 出力にはサーバー上の kaleido と Chromium が必要ですが、利用できません。代わりに"
              "グラフのツールバーのカメラアイコンを使ってください。",
        "ru": "Для PNG нужны kaleido и Chromium на сервере, а их здесь нет; используйте "
              "значок камеры на панели инструментов графика.",
    },
    "export.upload_note": {
        "en": "The CSV holds your uploaded rows; keep it with the link, which cannot carry "
              "them.",
        "ja": "CSV にはアップロードした行が含まれます。リンクには含められないので、一緒に"
              "保管してください。",
        "ru": "CSV содержит загруженные строки; храните его вместе со ссылкой, которая их не "
              "передаёт.",
    },
}
