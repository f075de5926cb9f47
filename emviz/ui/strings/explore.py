"""Strings of the Explore page (emviz/ui/explore.py) and of its error messages.

Names from scikit-learn's API (covariance_type, reg_covar, max_iter, tol) and maths
(π, μ, Σ, ΔLL, ARI) stay the same in every language.
"""

STRINGS: dict[str, dict[str, str]] = {
    "explore.nav": {"en": "Explore", "ja": "探索", "ru": "Обзор"},
    # --- Buttons ---------------------------------------------------------------------
    # --- Status line -----------------------------------------------------------------
    "explore.points_note": {
        "en": "showing {shown} of {n} points (EM uses all of them)",
        "ja": "{n} 点中 {shown} 点を表示（EM はすべての点を使用）",
        "ru": "показано {shown} из {n} точек (EM использует все)",
    },
    "explore.caption": {
        "en": "**{name}** · {n} points in {d}D · columns: {columns}",
        "ja": "**{name}** · {n} 点、{d} 次元 · 列：{columns}",
        "ru": "**{name}** · {n} точек, {d}D · столбцы: {columns}",
    },
    "explore.subsample": {
        "en": "The figure is showing {shown} of {n} points, chosen at random; EM uses all of "
              "them.",
        "ja": "図には無作為に選んだ {n} 点中 {shown} 点を表示しています。EM はすべての点を"
              "使います。",
        "ru": "На рисунке {shown} из {n} точек, выбранных случайно; EM использует все.",
    },
    "explore.side.data": {"en": "Data", "ja": "データ", "ru": "Данные"},
    "explore.side.model": {"en": "Model", "ja": "モデル", "ru": "Модель"},
    "explore.side.display": {"en": "Display", "ja": "表示", "ru": "Отображение"},
    "explore.bins": {"en": "Histogram bins", "ja": "ヒストグラムのビン数",
                     "ru": "Столбцы гистограммы"},
    "explore.bins_auto": {"en": "auto", "ja": "自動", "ru": "авто"},
    "explore.bins_help": {
        "en": "How many bins the 1D histogram has. auto picks the count whose histogram best "
              "estimates the density (Shimazaki–Shinomoto), so a narrow component gets "
              "enough bins to look like its bell curve.",
        "ja": "1 次元ヒストグラムのビン数。自動では、密度をもっともよく推定するビン数を選び"
              "ます（島崎・篠本の方法）。幅の狭い成分にも、その釣り鐘形が見えるだけのビンが"
              "割り当てられます。",
        "ru": "Сколько столбцов у одномерной гистограммы. «авто» выбирает число, при котором "
              "гистограмма лучше всего оценивает плотность (метод Симадзаки — Синомото), так "
              "что узкая компонента получает достаточно столбцов, чтобы выглядеть колоколом.",
    },
    "explore.no_data": {
        "en": "Choose data in the sidebar: upload a CSV, pick a sample, or use a synthetic "
              "mixture.",
        "ja": "サイドバーでデータを選んでください：CSV をアップロードするか、サンプルを"
              "選ぶか、合成混合分布を使います。",
        "ru": "Выберите данные на боковой панели: загрузите CSV, возьмите пример или "
              "синтетическую смесь.",
    },
    "explore.step_clamped": {
        "en": "The link asked for half-step {step}, but this run ends at half-step {last}: "
              "showing its last half-step.",
        "ja": "リンクは半ステップ {step} を指定していますが、この実行は半ステップ {last} で"
              "終わります。最後の半ステップを表示します。",
        "ru": "Ссылка указывает полушаг {step}, но этот запуск заканчивается на полушаге "
              "{last}: показан последний полушаг.",
    },
    # --- Editing on the chart -----------------------------------------------------------
    "explore.edited_name": {"en": "{name}, edited", "ja": "{name}（編集済み）",
                            "ru": "{name}, изменено"},
    "explore.edits": {
        "en": "Edited by hand: {added} point(s) added, {removed} removed",
        "ja": "手で編集：{added} 点を追加、{removed} 点を削除",
        "ru": "Изменено вручную: добавлено точек — {added}, удалено — {removed}",
    },
    "explore.manual_start": {
        "en": "EM starts from a start set by hand (init_params = manual)",
        "ja": "EM は手で設定した開始点から始まります（init_params = manual）",
        "ru": "EM начинается с заданного вручную начала (init_params = manual)",
    },
    "explore.no_link": {
        "en": "a shared link cannot carry these",
        "ja": "共有リンクにはこれらは含まれません",
        "ru": "ссылка их не передаёт",
    },
    "explore.discard": {"en": "Undo edits", "ja": "編集を取り消す", "ru": "Отменить правки"},
    "explore.discard_help": {
        "en": "Back to the data as chosen in the sidebar, and to its init method.",
        "ja": "サイドバーで選んだデータと初期化方法に戻ります。",
        "ru": "Вернуться к данным, выбранным на боковой панели, и к их способу инициализации.",
    },
    "explore.draw_more": {
        "en": "Draw your own data: EM needs at least {k} distinct points (K = {k}); {n} so far.",
        "ja": "自分でデータを描く：EM には異なる点が少なくとも {k} 個必要です（K = {k}）。"
              "現在 {n} 点。",
        "ru": "Нарисуйте свои данные: EM нужно не меньше {k} различных точек (K = {k}); "
              "сейчас {n}.",
    },
    # --- What was going on when something failed (used in error messages) ------------
    "ctx.figure": {"en": "drawing the figure", "ja": "図の描画", "ru": "построение рисунка"},
    "ctx.prepare": {"en": "preparing the data", "ja": "データの準備", "ru": "подготовка данных"},
    "ctx.fit": {"en": "running EM", "ja": "EM の実行", "ru": "запуск EM"},
    "ctx.export": {"en": "preparing the downloads", "ja": "ダウンロードの準備",
                   "ru": "подготовка файлов"},
    "messages.unexpected": {
        "en": "Something went wrong while {context}. Try other settings or press Reset; if it "
              "keeps happening, please report it with the details below.",
        "ja": "{context}中に問題が発生しました。設定を変えるかリセットを押してください。"
              "繰り返し起こる場合は、下の詳細を添えて報告してください。",
        "ru": "Что-то пошло не так ({context}). Попробуйте другие настройки или нажмите "
              "«Сброс»; если ошибка повторяется, сообщите о ней с подробностями ниже.",
    },
}
