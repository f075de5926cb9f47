"""Strings of the k-means vs GMM, initialisation sensitivity and model selection labs.

Keys: ``labs.*`` shared by the three labs, ``labfig.*`` words drawn in their figures,
``kmeans.*``, ``restarts.*`` and ``selection.*`` one lab each. Notation (K, σ, ln L, BIC,
n_init, reg_covar) is the same in every language.
"""

STRINGS: dict[str, dict[str, str]] = {
    # --- navigation ------------------------------------------------------------------
    "kmeans.nav": {"en": "k-means vs GMM", "ja": "k-means と GMM", "ru": "k-means и GMM"},
    "restarts.nav": {"en": "Initialisation", "ja": "初期値依存性", "ru": "Инициализация"},
    "selection.nav": {"en": "Model selection", "ja": "モデル選択", "ru": "Выбор модели"},
    # --- shared ------------------------------------------------------------------------
    "labs.data": {"en": "Data", "ja": "データ", "ru": "Данные"},
    "labs.try_preset": {
        "en": "Try a teaching preset:",
        "ja": "教材用プリセット:",
        "ru": "Учебные наборы:",
    },
    "labs.choose_data": {
        "en": "Choose data in the sidebar: a synthetic mixture, a sample or your own CSV.",
        "ja": "サイドバーでデータを選んでください（合成データ、サンプル、または自分の CSV）。",
        "ru": "Выберите данные на боковой панели: синтетическую смесь, пример или свой CSV.",
    },
    "labs.preparing": {"en": "preparing the data", "ja": "データの準備中",
                       "ru": "подготовка данных"},
    "labs.computing": {"en": "running the experiment", "ja": "実験の実行中",
                       "ru": "выполнение эксперимента"},
    "labs.drawing": {"en": "drawing the figure", "ja": "図の描画中", "ru": "построение графика"},
    "labs.data_caption": {
        "en": "**{name}** · {n} points in {d}D · columns: {columns}",
        "ja": "**{name}** · {d} 次元の {n} 点 · 列: {columns}",
        "ru": "**{name}** · {n} точек в {d}D · столбцы: {columns}",
    },
    "labs.k": {"en": "K (components)", "ja": "K（成分数）", "ru": "K (число компонент)"},
    "labs.seed": {"en": "Seed", "ja": "シード", "ru": "Seed (зерно)"},
    "labs.covariance_type": {"en": "covariance_type", "ja": "covariance_type（共分散の型）",
                             "ru": "covariance_type (тип ковариации)"},
    "labs.reg_covar": {"en": "reg_covar", "ja": "reg_covar（共分散の正則化）",
                       "ru": "reg_covar (регуляризация)"},
    "labs.open_explore": {"en": "Open in Explore", "ja": "Explore で開く",
                          "ru": "Открыть в Explore"},
    # --- figure words ---------------------------------------------------------------
    "labfig.centres": {"en": "centres", "ja": "中心", "ru": "центры"},
    "labfig.boundary": {"en": "Voronoi boundary", "ja": "ボロノイ境界", "ru": "граница Вороного"},
    "labfig.limit_x": {
        "en": "σ (shared standard deviation of soft k-means)",
        "ja": "σ（ソフト k-means の共通標準偏差）",
        "ru": "σ (общее стандартное отклонение мягкого k-means)",
    },
    "labfig.limit_y": {"en": "fraction of points", "ja": "点の割合", "ru": "доля точек"},
    "labfig.agreement": {
        "en": "soft assignment = k-means label",
        "ja": "ソフト割り当て = k-means のラベル",
        "ru": "мягкое отнесение = метка k-means",
    },
    "labfig.mean_max": {
        "en": "mean of the largest responsibility",
        "ja": "最大負担率の平均",
        "ru": "среднее наибольшей ответственности",
    },
    "labfig.current": {"en": "current σ", "ja": "現在の σ", "ru": "текущее σ"},
    # --- k-means vs GMM ------------------------------------------------------------
    "kmeans.title": {"en": "k-means vs Gaussian mixture", "ja": "k-means と混合ガウス分布",
                     "ru": "k-means и гауссова смесь"},
    "kmeans.intro": {
        "en": "Both start from **the same K centres**; each **Step** advances both by one "
              "iteration. k-means gives every point to its nearest centre (hard colours, "
              "straight Voronoi borders). EM keeps soft responsibilities and learns a weight "
              "and an ellipse per component, so it can fit unequal sizes and elongated shapes.",
        "ja": "両者は**同じ K 個の中心**から始まり、**Step** を押すたびに両方が 1 反復進みます。"
              "k-means は各点を最も近い中心に割り当てます（はっきりした色、直線のボロノイ境界）。"
              "EM はソフトな負担率を保ち、成分ごとに重みと楕円を学習するので、"
              "大きさの違う・細長いクラスタにも合わせられます。",
        "ru": "Оба алгоритма стартуют **из одних и тех же K центров**; каждый **Step** "
              "продвигает оба на одну итерацию. k-means относит каждую точку к ближайшему "
              "центру (жёсткие цвета, прямые границы Вороного). EM сохраняет мягкие "
              "ответственности и обучает вес и эллипс каждой компоненты, поэтому справляется "
              "с кластерами разного размера и вытянутой формы.",
    },
    "kmeans.step": {"en": "Step", "ja": "Step", "ru": "Step"},
    "kmeans.step_help": {
        "en": "One iteration of both: k-means assigns and moves its centres; EM does an E-step "
              "and an M-step.",
        "ja": "両方を 1 反復: k-means は割り当てて中心を動かし、"
              "EM は E ステップと M ステップを行います。",
        "ru": "Одна итерация обоих: k-means переназначает точки и сдвигает центры; EM делает "
              "E-шаг и M-шаг.",
    },
    "kmeans.run": {"en": "Run", "ja": "最後まで", "ru": "До конца"},
    "kmeans.reset": {"en": "Reset", "ja": "リセット", "ru": "Сброс"},
    "kmeans.new_init": {"en": "New init", "ja": "新しい初期値", "ru": "Новый старт"},
    "kmeans.new_init_help": {
        "en": "New shared starting centres (seed + 1).",
        "ja": "新しい共通の初期中心（シード + 1）。",
        "ru": "Новые общие начальные центры (seed + 1).",
    },
    "kmeans.status": {
        "en": "**Iteration {i}** of {last}",
        "ja": "**反復 {i}** / {last}",
        "ru": "**Итерация {i}** из {last}",
    },
    "kmeans.settings": {"en": "Settings: K, covariance type, starting centres",
                        "ja": "設定: K、共分散の型、初期中心",
                        "ru": "Настройки: K, тип ковариации, начальные центры"},
    "kmeans.gmm_cov": {"en": "GMM covariance_type", "ja": "GMM の covariance_type",
                       "ru": "covariance_type для GMM"},
    "kmeans.centre_init": {"en": "Starting centres", "ja": "初期中心の選び方",
                           "ru": "Начальные центры"},
    "kmeans.km_title": {"en": "#### k-means · iteration {it}",
                        "ja": "#### k-means · 反復 {it}",
                        "ru": "#### k-means · итерация {it}"},
    "kmeans.gmm_title": {"en": "#### Gaussian mixture (EM, {cov}) · iteration {it}",
                         "ja": "#### 混合ガウス分布（EM, {cov}）· 反復 {it}",
                         "ru": "#### Гауссова смесь (EM, {cov}) · итерация {it}"},
    "kmeans.ari": {"en": "ARI vs true labels {score}", "ja": "真のラベルとの ARI {score}",
                   "ru": "ARI с истинными метками {score}"},
    "kmeans.done_converged": {"en": "converged after {n} iterations",
                              "ja": "{n} 反復で収束", "ru": "сошёлся за {n} итераций"},
    "kmeans.done_max": {"en": "stopped at {n} iterations (not converged)",
                        "ja": "{n} 反復で停止（未収束）",
                        "ru": "остановлен на {n} итерациях (не сошёлся)"},
    "kmeans.km_caption": {"en": "Hard assignments; borders halfway between centres.",
                          "ja": "ハードな割り当て。境界は中心同士のちょうど中間です。",
                          "ru": "Жёсткие отнесения; границы посередине между центрами."},
    "kmeans.gmm_caption": {"en": "Soft colours: each point blends its responsibilities.",
                           "ja": "ソフトな色: 各点は負担率に応じて色が混ざります。",
                           "ru": "Мягкие цвета: цвет точки смешан по её ответственностям."},
    "kmeans.limit_title": {"en": "k-means is the limit of EM",
                           "ja": "k-means は EM の極限",
                           "ru": "k-means — предельный случай EM"},
    "kmeans.limit_intro": {
        "en": "Soft k-means is EM with **equal weights** and **one fixed covariance σ²I** for "
              "every component: only the means move. Run from the same centres, a large σ "
              "shares points between components; as **σ → 0** the responsibilities become "
              "0 or 1 and the updates become Lloyd's k-means steps.",
        "ja": "ソフト k-means は、すべての成分で**重みが等しく**、**共分散が固定の σ²I** の EM です"
              "（動くのは平均だけ）。同じ中心から始めると、σ が大きいときは点が成分間で共有され、"
              "**σ → 0** で負担率は 0 か 1 になり、更新は Lloyd の k-means と同じになります。",
        "ru": "Мягкий k-means — это EM с **равными весами** и **одной фиксированной ковариацией "
              "σ²I** для всех компонент: движутся только средние. При старте из тех же центров "
              "большое σ делит точки между компонентами; при **σ → 0** ответственности "
              "становятся 0 или 1, а шаги совпадают с шагами k-means Ллойда.",
    },
    "kmeans.sigma": {"en": "σ (multiple of the data's spread around the k-means centres)",
                     "ja": "σ（k-means 中心まわりのデータの広がりの倍数）",
                     "ru": "σ (в долях разброса данных вокруг центров k-means)"},
    "kmeans.sigma_help": {
        "en": "The spread is the RMS distance per feature from each point to its k-means centre.",
        "ja": "広がり = 各点から k-means の中心までの特徴量あたりの二乗平均平方根距離。",
        "ru": "Разброс — среднеквадратичное расстояние (на признак) от точки до её центра k-means.",
    },
    "kmeans.metric_sigma": {"en": "σ", "ja": "σ", "ru": "σ"},
    "kmeans.metric_agree": {"en": "Soft argmax = k-means label",
                            "ja": "ソフト割り当ての argmax = k-means のラベル",
                            "ru": "argmax мягкого = метка k-means"},
    "kmeans.metric_mean_max": {"en": "Mean largest responsibility", "ja": "最大負担率の平均",
                               "ru": "Средняя наибольшая ответственность"},
    "kmeans.limit_caption": {
        "en": "Left: soft k-means at the chosen σ (circles of radius set by σ). Right: for "
              "every σ, the fraction of points whose largest responsibility is their k-means "
              "label, and the mean largest responsibility; both reach 100% as σ → 0.",
        "ja": "左: 選んだ σ でのソフト k-means（半径が σ で決まる円）。右: 各 σ について、"
              "最大負担率の成分が k-means のラベルと一致する点の割合と、最大負担率の平均。"
              "σ → 0 で両方とも 100% になります。",
        "ru": "Слева: мягкий k-means при выбранном σ (окружности радиуса, заданного σ). Справа: "
              "для каждого σ доля точек, у которых наибольшая ответственность совпадает с меткой "
              "k-means, и средняя наибольшая ответственность; обе стремятся к 100% при σ → 0.",
    },
}
