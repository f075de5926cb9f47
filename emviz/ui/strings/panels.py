"""Strings of the sidebar panels (emviz/ui/data_panel.py and emviz/ui/model_panel.py).

scikit-learn's parameter names (n_components, covariance_type, init_params, random_state,
reg_covar, max_iter, tol) and their values are code: they stay the same in every language.
"""

STRINGS: dict[str, dict[str, str]] = {
    # --- Data source -----------------------------------------------------------------
    "panels.source": {"en": "Source", "ja": "データ元", "ru": "Источник"},
    "panels.source.Synthetic": {"en": "Synthetic", "ja": "合成", "ru": "Синтетические"},
    "panels.source.Sample": {"en": "Sample", "ja": "サンプル", "ru": "Пример"},
    "panels.source.Upload CSV": {"en": "Upload CSV", "ja": "CSV をアップロード",
                                 "ru": "Загрузить CSV"},
    # --- Synthetic -------------------------------------------------------------------
    "panels.scenario": {"en": "Scenario", "ja": "シナリオ", "ru": "Сценарий"},
    "panels.scenario_help": {
        "en": "Teaching presets set their own data and suggest K; 'Custom' opens every knob.",
        "ja": "教材用プリセットはデータを設定し K を提案します。「カスタム」ではすべての"
              "設定を変更できます。",
        "ru": "Учебные наборы задают свои данные и предлагают K; «Своя смесь» открывает все "
              "настройки.",
    },
    "panels.custom": {"en": "Custom mixture", "ja": "カスタム混合分布", "ru": "Своя смесь"},
    "panels.preset.well_separated": {"en": "Well separated", "ja": "よく分離",
                                     "ru": "Хорошо разделённые"},
    "panels.preset.draw": {"en": "Draw your own data", "ja": "自分でデータを描く",
                           "ru": "Нарисовать свои данные"},
    "panels.preset.overlapping": {"en": "Overlapping", "ja": "重なり合う",
                                  "ru": "Перекрывающиеся"},
    "panels.preset.elongated": {"en": "Elongated", "ja": "細長い", "ru": "Вытянутые"},
    "panels.preset.unequal_sizes": {"en": "Unequal sizes", "ja": "大きさが不均等",
                                    "ru": "Неравные размеры"},
    "panels.preset.three_peaks_1d": {"en": "Three peaks (1D)", "ja": "3 つの山（1 次元）",
                                     "ru": "Три пика (1D)"},
    "panels.preset.six_clusters_3d": {"en": "Six clusters (3D)", "ja": "6 つのクラスタ（3 次元）",
                                      "ru": "Шесть кластеров (3D)"},
    "panels.preset.singularity_trap": {"en": "Singularity trap", "ja": "特異点の罠",
                                       "ru": "Ловушка вырождения"},
    "panels.preset.kmeans_agrees": {"en": "k-means agrees", "ja": "k-means と一致",
                                    "ru": "k-means согласен"},
    "panels.dim": {"en": "Dimension", "ja": "次元", "ru": "Размерность"},
    "panels.true_k": {"en": "True number of components", "ja": "真の成分数",
                      "ru": "Истинное число компонент"},
    "panels.n": {"en": "Number of points (N)", "ja": "点の数 (N)", "ru": "Число точек (N)"},
    "panels.sep": {"en": "Separation", "ja": "分離度", "ru": "Разделённость"},
    "panels.sep_help": {
        "en": "Distance between true means, in units of their spread.",
        "ja": "真の平均間の距離（広がりを単位とする）。",
        "ru": "Расстояние между истинными средними в единицах их разброса.",
    },
    "panels.shape": {"en": "Component shape", "ja": "成分の形", "ru": "Форма компонент"},
    "panels.shape.spherical": {"en": "spherical", "ja": "球状", "ru": "сферическая"},
    "panels.shape.axis-aligned": {"en": "axis-aligned", "ja": "軸に平行",
                                  "ru": "вдоль осей"},
    "panels.shape.rotated": {"en": "rotated", "ja": "回転", "ru": "повёрнутая"},
    "panels.imbalance": {
        "en": "Weight imbalance (largest ÷ smallest)",
        "ja": "重みの不均衡（最大 ÷ 最小）",
        "ru": "Дисбаланс весов (наибольший ÷ наименьший)",
    },
    "panels.data_seed": {"en": "Data seed", "ja": "データのシード", "ru": "Зерно данных"},
    "panels.data_seed_help": {"en": "Same seed, same points.", "ja": "同じシードなら同じ点。",
                              "ru": "То же зерно — те же точки."},
    "panels.show_truth": {
        "en": "Show true components (dashed)",
        "ja": "真の成分を表示（破線）",
        "ru": "Показать истинные компоненты (пунктир)",
    },
    # --- Tables (samples and uploads) ------------------------------------------------
    "panels.more_cols": {
        "en": "More than 3 numeric columns",
        "ja": "数値列が 3 つを超えています",
        "ru": "Больше 3 числовых столбцов",
    },
    "panels.more_cols_help": {
        "en": "EM is drawn in 1 to 3 dimensions: pick columns, or project all of them.",
        "ja": "EM は 1〜3 次元で描画されます：列を選ぶか、すべてを射影してください。",
        "ru": "EM рисуется в 1–3 измерениях: выберите столбцы или спроецируйте все.",
    },
    "panels.mode.Pick columns": {"en": "Pick columns", "ja": "列を選ぶ",
                                 "ru": "Выбрать столбцы"},
    "panels.mode.Project with PCA": {"en": "Project with PCA", "ja": "PCA で射影",
                                     "ru": "Проекция PCA"},
    "panels.mode.all": {"en": "Use all columns", "ja": "すべての列を使う",
                        "ru": "Все столбцы"},
    "panels.more_cols_help_all": {
        "en": "This lab never draws the fit in its own coordinates, so EM can use every "
              "numeric column; its small plots show a 2-D view. Or pick up to 3 columns, or "
              "project all of them with PCA.",
        "ja": "このラボは当てはめを元の座標で描かないので、EM はすべての数値列を使えます"
              "（小さな図は 2 次元の断面を表示）。3 列までを選ぶか、PCA で射影することも"
              "できます。",
        "ru": "Эта лаборатория не рисует модель в исходных координатах, поэтому EM может "
              "использовать все числовые столбцы; маленькие графики показывают 2-D вид. "
              "Или выберите до 3 столбцов, или спроецируйте все с помощью PCA.",
    },
    "panels.all_refused": {
        "en": "This page draws the fit in 1 to 3 dimensions, so it cannot use all {n} "
              "columns. Your data stays loaded: project it with PCA or pick up to 3 columns "
              "in the sidebar. (All columns work in the Initialisation and Model selection "
              "labs.)",
        "ja": "このページは当てはめを 1〜3 次元で描くため、{n} 列すべては使えません。"
              "データは読み込まれたままです。サイドバーで PCA で射影するか、3 列までを選んで"
              "ください（すべての列は「初期値依存性」と「モデル選択」のラボで使えます）。",
        "ru": "Эта страница рисует модель в 1–3 измерениях и не может использовать все {n} "
              "столбцов. Данные остаются загруженными: спроецируйте их с помощью PCA или "
              "выберите до 3 столбцов на боковой панели. (Все столбцы можно использовать в "
              "лабораториях «Инициализация» и «Выбор модели».)",
    },
    "panels.using_all": {
        "en": "EM clusters all {n} numeric columns as they are.",
        "ja": "EM は {n} 個の数値列すべてをそのまま使ってクラスタリングします。",
        "ru": "EM кластеризует все {n} числовых столбцов как есть.",
    },
    "panels.pca_dims": {"en": "PCA dimensions", "ja": "PCA の次元数", "ru": "Размерность PCA"},
    "panels.projecting": {
        "en": "Projecting {n} numeric columns onto {d} principal components.",
        "ja": "{n} 個の数値列を {d} 個の主成分に射影しています。",
        "ru": "{n} числовых столбцов проецируются на {d} главные компоненты.",
    },
    "panels.columns": {"en": "Columns to cluster (1 to 3)", "ja": "クラスタリングする列（1〜3）",
                       "ru": "Столбцы для кластеризации (1–3)"},
    "panels.label": {"en": "Known labels (optional)", "ja": "既知のラベル（任意）",
                     "ru": "Известные метки (необязательно)"},
    "panels.label_help": {
        "en": "A text column with known classes: the fit is scored against it (ARI).",
        "ja": "既知のクラスを持つテキスト列：当てはめをこれと比較して評価します（ARI）。",
        "ru": "Текстовый столбец с известными классами: с ним сравнивается результат (ARI).",
    },
    "panels.none": {"en": "(none)", "ja": "（なし）", "ru": "(нет)"},
    "panels.standardise": {"en": "Standardise columns", "ja": "列を標準化",
                           "ru": "Стандартизировать столбцы"},
    "panels.standardise_help": {
        "en": "Rescale each column to mean 0 and standard deviation 1.",
        "ja": "各列を平均 0、標準偏差 1 にスケーリングします。",
        "ru": "Привести каждый столбец к среднему 0 и стандартному отклонению 1.",
    },
    "panels.how_read": {"en": "How the file was read", "ja": "ファイルの読み込み方法",
                        "ru": "Как был прочитан файл"},
    "panels.pick_warning": {
        "en": "Pick 1 to 3 numeric columns to cluster.",
        "ja": "クラスタリングする数値列を 1〜3 個選んでください。",
        "ru": "Выберите от 1 до 3 числовых столбцов для кластеризации.",
    },
    "panels.sample": {"en": "Sample dataset", "ja": "サンプルデータ", "ru": "Пример данных"},
    "panels.sample.old_faithful.csv": {
        "en": "Old Faithful geyser (272 eruptions, 2 columns)",
        "ja": "オールド・フェイスフル間欠泉（272 回の噴出、2 列）",
        "ru": "Гейзер Old Faithful (272 извержения, 2 столбца)",
    },
    "panels.sample.iris.csv": {
        "en": "Iris (150 flowers, 4 columns, species)",
        "ja": "アヤメ（150 個体、4 列、種）",
        "ru": "Ирисы (150 цветков, 4 столбца, вид)",
    },
    "panels.sample.wine.csv": {
        "en": "Wine (178 wines, 13 columns, cultivar)",
        "ja": "ワイン（178 本、13 列、品種）",
        "ru": "Вино (178 вин, 13 столбцов, сорт)",
    },
    "panels.sources": {
        "en": "Sources and licences: assets/SOURCES.md",
        "ja": "出典とライセンス：assets/SOURCES.md",
        "ru": "Источники и лицензии: assets/SOURCES.md",
    },
    "panels.csv_file": {"en": "CSV file", "ja": "CSV ファイル", "ru": "CSV-файл"},
    "panels.csv_help": {
        "en": "A header row, 1 to 3 numeric columns to cluster, and optionally a text column "
              "of known labels.",
        "ja": "ヘッダー行、クラスタリングする 1〜3 個の数値列、必要なら既知ラベルのテキスト"
              "列。",
        "ru": "Строка заголовков, 1–3 числовых столбца для кластеризации и, по желанию, "
              "текстовый столбец известных меток.",
    },
    "panels.upload_summary": {
        "en": "{rows} rows · {numeric} numeric · {text} text columns",
        "ja": "{rows} 行 · 数値列 {numeric} · テキスト列 {text}",
        "ru": "{rows} строк · {numeric} числовых · {text} текстовых столбцов",
    },
    "ctx.sample": {"en": "loading the sample", "ja": "サンプルの読み込み",
                   "ru": "загрузка примера"},
    "ctx.file": {"en": "reading the file", "ja": "ファイルの読み込み", "ru": "чтение файла"},
    # --- Model -----------------------------------------------------------------------
    "panels.k": {"en": "K (n_components)", "ja": "K（n_components）", "ru": "K (n_components)"},
    "panels.cov_help": {
        "en": "full: any ellipse per component · tied: one shared ellipse · diag: "
              "axis-aligned ellipses · spherical: circles.",
        "ja": "full：成分ごとに任意の楕円 · tied：共通の楕円 1 つ · diag：軸に平行な楕円 · "
              "spherical：円。",
        "ru": "full: любой эллипс у каждой компоненты · tied: один общий эллипс · diag: "
              "эллипсы вдоль осей · spherical: окружности.",
    },
    "panels.init_help": {
        "en": "How the starting responsibilities are chosen before the first M-step. "
              "manual: keep the start on screen and set it by hand (drag a mean at "
              "half-step 0).",
        "ja": "最初の M ステップの前に、初期の負担率をどう選ぶか。manual：画面上の開始点を"
              "保ち、手で設定します（半ステップ 0 で平均をドラッグ）。",
        "ru": "Как выбираются начальные ответственности перед первым M-шагом. manual: "
              "оставить начало на экране и задать его вручную (перетащите среднее на "
              "полушаге 0).",
    },
    "panels.seed": {"en": "Seed (random_state)", "ja": "シード（random_state）",
                    "ru": "Зерно (random_state)"},
    "panels.seed_help": {"en": "'New init' adds 1.", "ja": "「再初期化」で 1 増えます。",
                         "ru": "«Новый старт» прибавляет 1."},
    "panels.reg_help": {
        "en": "Added to every covariance's diagonal. 0 is exact EM, whose log-likelihood "
              "never decreases but whose components can collapse.",
        "ja": "各共分散の対角に加えます。0 は厳密な EM で、対数尤度は決して減りませんが、"
              "成分が崩壊することがあります。",
        "ru": "Добавляется к диагонали каждой ковариации. 0 — точный EM: его правдоподобие "
              "не убывает, но компоненты могут вырождаться.",
    },
    "panels.reg_zero": {"en": "0 (exact EM)", "ja": "0（厳密な EM）", "ru": "0 (точный EM)"},
    "panels.tol_zero": {"en": "0 (run max_iter)", "ja": "0（max_iter まで実行）",
                        "ru": "0 (до max_iter)"},
    "panels.tol_help": {
        "en": "Stop when the mean log-likelihood per point changes by less.",
        "ja": "1 点あたりの平均対数尤度の変化がこれより小さくなったら停止します。",
        "ru": "Остановиться, когда средний логарифм правдоподобия на точку изменится меньше.",
    },
    "panels.skipped": {
        "en": "Not picked by default (you can still pick them):",
        "ja": "既定では選ばない列（手動で選ぶことはできます）：",
        "ru": "Не выбраны по умолчанию (их можно выбрать вручную):",
    },
    "panels.pca_columns": {"en": "Columns to project", "ja": "射影する列",
                           "ru": "Столбцы для проекции"},
    "panels.pca_columns_help": {
        "en": "Leave out columns that should not shape the components (identifiers, years, "
              "codes).",
        "ja": "主成分に影響させたくない列（識別子、年、コードなど）は外してください。",
        "ru": "Уберите столбцы, которые не должны определять компоненты (идентификаторы, "
              "годы, коды).",
    },
    "panels.pca_too_few": {
        "en": "PCA needs at least 2 columns: add columns to project, or switch to "
              "\"Pick columns\".",
        "ja": "PCA には 2 列以上が必要です。射影する列を追加するか「列を選ぶ」に切り替えて"
              "ください。",
        "ru": "Для PCA нужно не меньше 2 столбцов: добавьте столбцы или переключитесь на "
              "«Выбрать столбцы».",
    },
    "panels.pca_standardised": {
        "en": "Standardised before PCA: the columns' spreads differ up to {ratio}×, and "
              "unscaled, the column in the largest units would be the first component by "
              "itself.",
        "ja": "PCA の前に標準化しました。列のばらつきは最大 {ratio} 倍違い、そのままでは単位の"
              "大きな列だけで第 1 主成分が決まってしまいます。",
        "ru": "Перед PCA столбцы стандартизированы: их разброс различается до {ratio}×, и без "
              "масштабирования столбец в самых крупных единицах один задал бы первую "
              "компоненту.",
    },
    "panels.pca_raw": {
        "en": "The columns' spreads differ up to {ratio}×: without standardising, "
              "'{column}' alone decides the first component (and the variance kept).",
        "ja": "列のばらつきは最大 {ratio} 倍違います。標準化しないと '{column}' だけで"
              "第 1 主成分（と保持される分散）が決まります。",
        "ru": "Разброс столбцов различается до {ratio}×: без стандартизации один '{column}' "
              "определит первую компоненту (и долю сохранённой дисперсии).",
    },
    "panels.scales_differ": {
        "en": "These columns' spreads differ {ratio}×, so each axis gets its own scale. "
              "Standardise to give them equal weight in the fit.",
        "ja": "これらの列のばらつきは {ratio} 倍違うため、軸ごとに別の目盛りで描きます。"
              "当てはめで同じ重みを与えるには標準化してください。",
        "ru": "Разброс этих столбцов различается в {ratio}×, поэтому у каждой оси свой "
              "масштаб. Стандартизируйте, чтобы они весили в модели одинаково.",
    },
    "panels.standardised_note": {
        "en": "Standardised: the columns' spreads differ {ratio}× in the file's units.",
        "ja": "標準化済み：元の単位では列のばらつきが {ratio} 倍違います。",
        "ru": "Стандартизировано: в исходных единицах разброс столбцов различается в {ratio}×.",
    },
    "panels.standardise_now": {"en": "Standardise", "ja": "標準化する",
                               "ru": "Стандартизировать"},
    "panels.upload_kept": {
        "en": "Using **{name}**, uploaded earlier in this session. Drop another file above "
              "to replace it.",
        "ja": "このセッションで先にアップロードした **{name}** を使っています。置き換えるには"
              "上に別のファイルをドロップしてください。",
        "ru": "Используется **{name}**, загруженный ранее в этом сеансе. Чтобы заменить его, "
              "перетащите выше другой файл.",
    },
    "panels.upload_forget": {"en": "Remove", "ja": "削除", "ru": "Убрать"},
    "panels.upload_forget_help": {
        "en": "Forget the uploaded file on every page.",
        "ja": "アップロードしたファイルをすべてのページで破棄します。",
        "ru": "Забыть загруженный файл на всех страницах.",
    },
}
