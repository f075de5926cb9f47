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
}
