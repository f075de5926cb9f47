"""Strings shared by every page (navigation, language, generic messages)."""

STRINGS: dict[str, dict[str, str]] = {
    "common.language": {"en": "Language", "ja": "言語", "ru": "Язык"},
    "common.unexpected_error": {
        "en": "Something went wrong that emviz did not expect. Your data was not changed. "
        "Try other settings; the details below help us fix it.",
        "ja": "予期しないエラーが発生しました。データは変更されていません。"
        "設定を変えて再試行してください。下の詳細は修正に役立ちます。",
        "ru": "Произошла непредвиденная ошибка. Ваши данные не изменены. "
        "Попробуйте другие настройки; подробности ниже помогут нам её исправить.",
    },
    "common.details": {"en": "Details", "ja": "詳細", "ru": "Подробности"},
    # spinners shown while a cached step computes (only if it takes over half a second)
    "spinner.reading": {"en": "Reading the file…", "ja": "ファイルを読み込んでいます…",
                        "ru": "Читаем файл…"},
    "spinner.preparing": {"en": "Preparing the data…", "ja": "データを準備しています…",
                          "ru": "Готовим данные…"},
    "spinner.fitting": {"en": "Running EM…", "ja": "EM を実行しています…",
                        "ru": "Выполняется EM…"},
    "spinner.stepper": {"en": "Preparing the steps for the browser…",
                        "ja": "ブラウザ用のステップを準備しています…",
                        "ru": "Готовим шаги для браузера…"},
    "cache.manual_dims": {
        "en": "The start set by hand has {d} feature(s), but the data has {n_features}. "
              "Choose another init_params.",
        "ja": "手で設定した開始点の特徴量は {d} 個ですが、データは {n_features} 個です。"
              "別の init_params を選んでください。",
        "ru": "У заданного вручную начала признаков: {d}, а у данных: {n_features}. "
              "Выберите другой init_params.",
    },
    "cache.unknown_sample": {
        "en": "Unknown sample {name!r}. Expected one of the files in assets/.",
        "ja": "サンプル {name!r} は存在しません。"
              "assets/ にあるファイルのいずれかを指定してください。",
        "ru": "Неизвестный пример {name!r}. Ожидался один из файлов в assets/.",
    },
    "cache.upload_gone": {
        "en": "The uploaded file is no longer available (the server keeps uploads only in "
              "memory, for this browser session). Expected the file to still be attached; "
              "please upload it again.",
        "ja": "アップロードしたファイルはもう利用できません(サーバーはアップロードをこのブラウザー"
              "セッションの間だけメモリーに保持します)。もう一度アップロードしてください。",
        "ru": "Загруженный файл больше недоступен (сервер хранит загрузки только в памяти, на "
              "время этой сессии браузера). Загрузите его, пожалуйста, ещё раз.",
    },
}
