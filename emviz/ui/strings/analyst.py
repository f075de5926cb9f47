"""Explore's analyst panel (``emviz/ui/analyst.py``) and the PNG button of the downloads."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "analyst.title": {"en": "Your result", "ja": "分析結果", "ru": "Ваш результат"},
    "analyst.choose_k": {"en": "Choose K for me", "ja": "K を自動で選ぶ",
                         "ru": "Подобрать K"},
    "analyst.choose_k_help": {
        "en": "Fit K = 1 to 10 with covariance_type = {cov} and the sidebar's init method, "
              "seed and reg_covar; take the lowest BIC among fits without a near-degenerate "
              "component, and set K to it.",
        "ja": "covariance_type = {cov} とサイドバーの初期化法・シード・reg_covar で K = 1〜10 を"
              "当てはめ、ほぼ退化した成分のない当てはめの中で BIC が最小のものを K に設定します。",
        "ru": "Подогнать K = 1…10 с covariance_type = {cov} и методом инициализации, зерном и "
              "reg_covar с боковой панели; взять наименьший BIC среди моделей без почти "
              "вырожденной компоненты и поставить это K.",
    },
    "analyst.choose_k_caption": {
        "en": "One click: BIC for K = 1 to 10 ({cov}); K becomes the best sound fit, and the "
              "curve it used is shown here.",
        "ja": "ワンクリックで K = 1〜10（{cov}）の BIC を計算し、健全な当てはめの中で最良の K を"
              "設定します。使った曲線をここに表示します。",
        "ru": "Один щелчок: BIC для K = 1…10 ({cov}); K станет лучшим надёжным вариантом, а "
              "использованная кривая появится здесь.",
    },
    "analyst.choose_k_none": {
        "en": "No K from 1 to 10 could be scored on this data (every fit collapsed or was "
              "impossible). Try a larger reg_covar.",
        "ja": "このデータでは K = 1〜10 のどれも評価できませんでした（すべて崩壊したか不可能）。"
              "reg_covar を大きくしてみてください。",
        "ru": "Ни одно K от 1 до 10 не удалось оценить на этих данных (все модели выродились "
              "или невозможны). Попробуйте больший reg_covar.",
    },
    "analyst.chose_k": {
        "en": "K = {k} ({cov}) has the lowest BIC among sound fits: {bic}.",
        "ja": "健全な当てはめの中で BIC が最小なのは K = {k}（{cov}）：{bic}。",
        "ru": "Наименьший BIC среди надёжных моделей у K = {k} ({cov}): {bic}.",
    },
    "analyst.chose_k_changed": {
        "en": "(The sidebar now says K = {k}: you changed it since.)",
        "ja": "（その後サイドバーの K は {k} に変更されています。）",
        "ru": "(Сейчас на боковой панели K = {k}: вы изменили его после выбора.)",
    },
    "analyst.choose_k_flagged": {
        "en": "Passed over as near-degenerate (hollow markers): K = {ks}.",
        "ja": "ほぼ退化しているため除外（白抜きの点）：K = {ks}。",
        "ru": "Пропущены как почти вырожденные (полые маркеры): K = {ks}.",
    },
    "analyst.summary_title": {
        "en": "Clusters at half-step {h}: size, share, mean ± sd in your units",
        "ja": "半ステップ {h} のクラスタ：大きさ・割合・元の単位での平均 ± 標準偏差",
        "ru": "Кластеры на полушаге {h}: размер, доля, среднее ± ст. откл. в ваших единицах",
    },
    "analyst.summary_help": {
        "en": "Each row goes to its most responsible component at half-step {h}. Every "
              "numeric column of the file is described in its own units, also those not "
              "clustered.",
        "ja": "各行は半ステップ {h} で最も責任の大きい成分に割り当てます。ファイルのすべての"
              "数値列（クラスタリングに使わなかった列も）を元の単位で示します。",
        "ru": "Каждая строка отнесена к компоненте с наибольшей ответственностью на полушаге "
              "{h}. Все числовые столбцы файла, и не участвовавшие в кластеризации, описаны в "
              "своих единицах.",
    },
    "analyst.component_head": {
        "en": "{k} · {n} rows ({share}%)", "ja": "{k} · {n} 行（{share}%）",
        "ru": "{k} · {n} строк ({share}%)",
    },
    "analyst.column": {"en": "column", "ja": "列", "ru": "столбец"},
    "analyst.component": {"en": "component", "ja": "成分", "ru": "компонента"},
    "analyst.true_component": {"en": "true component", "ja": "真の成分",
                               "ru": "истинная компонента"},
    "analyst.labels_title": {
        "en": "**Components × {column}** (rows) · ARI {ari}",
        "ja": "**成分 × {column}**（行数）· ARI {ari}",
        "ru": "**Компоненты × {column}** (строки) · ARI {ari}",
    },
    "analyst.assign_title": {"en": "Assign new rows", "ja": "新しい行を割り当てる",
                             "ru": "Разметить новые строки"},
    "analyst.assign_ctx": {"en": "Assigning new rows", "ja": "新しい行の割り当て",
                           "ru": "Разметка новых строк"},
    "analyst.assign_help": {
        "en": "Upload a CSV with the columns {columns}. Its rows get the label and "
              "responsibilities of the mixture at half-step {h}, after the same "
              "standardising and PCA. In Python: emviz.FittedMixture.from_json(text) with "
              "the parameters download.",
        "ja": "列 {columns} を持つ CSV をアップロードしてください。同じ標準化と PCA の後、"
              "半ステップ {h} の混合分布によるラベルと責任度を付けます。Python では、"
              "パラメータのダウンロードに emviz.FittedMixture.from_json(text) を使います。",
        "ru": "Загрузите CSV со столбцами {columns}. Его строки получат метку и "
              "ответственности смеси на полушаге {h} после той же стандартизации и PCA. В "
              "Python: emviz.FittedMixture.from_json(text) со скачанными параметрами.",
    },
    "analyst.assign_file": {"en": "New rows (CSV)", "ja": "新しい行（CSV）",
                            "ru": "Новые строки (CSV)"},
    "analyst.assigned": {
        "en": "Labelled {kept} of {n} rows. Rows per component: {counts}.",
        "ja": "{n} 行中 {kept} 行にラベルを付けました。成分ごとの行数：{counts}。",
        "ru": "Размечено строк: {kept} из {n}. Строк по компонентам: {counts}.",
    },
    "analyst.assign_skipped": {
        "en": "Rows skipped for a missing value in a needed column: {skipped}. They keep their "
              "cells, with the new columns empty.",
        "ja": "必要な列に欠損値があるため除外した行：{skipped}。セルはそのままで、"
              "新しい列は空です。",
        "ru": "Пропущено строк из-за пустого значения в нужном столбце: {skipped}. Их ячейки "
              "сохранены, новые столбцы пусты.",
    },
    "analyst.assign_download": {"en": "Download the new rows with labels (CSV)",
                                "ja": "ラベル付きの新しい行をダウンロード（CSV）",
                                "ru": "Скачать новые строки с метками (CSV)"},
    "analyst.script_title": {"en": "Reproduce in scikit-learn",
                             "ja": "scikit-learn で再現する",
                             "ru": "Повторить в scikit-learn"},
    "analyst.script_upload": {
        "en": "A Python script that reads {file} with pandas, applies the same preprocessing, "
              "and builds GaussianMixture(weights_init=…, means_init=…, precisions_init=…) "
              "from this run's start: it prints the same log-likelihood curve. Run it next to "
              "the file.",
        "ja": "{file} を pandas で読み、同じ前処理をして、この実行の初期値から "
              "GaussianMixture(weights_init=…, means_init=…, precisions_init=…) を作る Python "
              "スクリプトです。同じ対数尤度の曲線を出力します。ファイルと同じ場所で実行して"
              "ください。",
        "ru": "Скрипт Python: читает {file} через pandas, применяет ту же предобработку и "
              "строит GaussianMixture(weights_init=…, means_init=…, precisions_init=…) из "
              "начала этого запуска; он печатает ту же кривую логарифма правдоподобия. "
              "Запускайте рядом с файлом.",
    },
    "analyst.script_sample": {
        "en": "A Python script that reads the sample {file} (in the app's assets folder) with "
              "pandas, applies the same preprocessing, and builds GaussianMixture("
              "weights_init=…, means_init=…, precisions_init=…) from this run's start: it "
              "prints the same log-likelihood curve.",
        "ja": "サンプル {file}（アプリの assets フォルダ）を pandas で読み、同じ前処理をして、"
              "この実行の初期値から GaussianMixture(weights_init=…, means_init=…, "
              "precisions_init=…) を作る Python スクリプトです。同じ対数尤度の曲線を出力します。",
        "ru": "Скрипт Python: читает пример {file} (папка assets приложения) через pandas, "
              "применяет ту же предобработку и строит GaussianMixture(weights_init=…, "
              "means_init=…, precisions_init=…) из начала этого запуска; он печатает ту же "
              "кривую логарифма правдоподобия.",
    },
    "analyst.script_synthetic": {
        "en": "A Python script that reads the generated points from {file} (Download → Data "
              "with labels) and builds GaussianMixture(weights_init=…, means_init=…, "
              "precisions_init=…) from this run's start: it prints the same log-likelihood "
              "curve.",
        "ja": "生成した点を {file}（ダウンロード → ラベル付きデータ）から読み、この実行の初期値"
              "から GaussianMixture(weights_init=…, means_init=…, precisions_init=…) を作る "
              "Python スクリプトです。同じ対数尤度の曲線を出力します。",
        "ru": "Скрипт Python: читает сгенерированные точки из {file} (Скачать → Данные с "
              "метками) и строит GaussianMixture(weights_init=…, means_init=…, "
              "precisions_init=…) из начала этого запуска; он печатает ту же кривую "
              "логарифма правдоподобия.",
    },
    "analyst.script_download": {"en": "Download the script (.py)",
                                "ja": "スクリプトをダウンロード（.py）",
                                "ru": "Скачать скрипт (.py)"},
    "analyst.script_show": {"en": "Show the script", "ja": "スクリプトを表示",
                            "ru": "Показать скрипт"},
    "export.png_make": {"en": "Make a PNG", "ja": "PNG を作る", "ru": "Сделать PNG"},
    "export.png_making": {
        "en": "Drawing the PNG in a headless Chromium (at most {seconds} s)…",
        "ja": "ヘッドレス Chromium で PNG を描いています（最長 {seconds} 秒）…",
        "ru": "PNG рисуется в headless Chromium (не дольше {seconds} с)…",
    },
}
