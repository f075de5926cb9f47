# ruff: noqa: E501  (Japanese sentences are measured in wide characters)
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
    "labs.seed": {"en": "Seed", "ja": "シード", "ru": "Зерно"},
    "labs.covariance_type": {"en": "covariance_type", "ja": "covariance_type（共分散の型）",
                             "ru": "covariance_type (тип ковариации)"},
    "labs.reg_covar": {"en": "reg_covar", "ja": "reg_covar（共分散の正則化）",
                       "ru": "reg_covar (регуляризация)"},
    # The page as the menu names it (explore.nav: Explore / 探索 / Обзор).
    "labs.open_explore": {"en": "Open in Explore", "ja": "「探索」で開く",
                          "ru": "Открыть в «Обзоре»"},
    "labs.explore_max_dim": {
        "en": "Explore draws 1 to 3 columns; this fit uses {d}, so it cannot be opened there.",
        "ja": "探索ページは 1〜3 列しか描けません。この当てはめは {d} 列を使うため、探索では"
              "開けません。",
        "ru": "«Обзор» рисует от 1 до 3 столбцов; эта модель использует {d}, поэтому её нельзя "
              "открыть там.",
    },
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
        "ja": "両者は**同じ K 個の中心**から始まり、「**1 反復**」を押すたびに両方が 1 反復"
              "進みます。"
              "k-means は各点を最も近い中心に割り当てます（はっきりした色、直線のボロノイ境界）。"
              "EM はソフトな負担率を保ち、成分ごとに重みと楕円を学習するので、"
              "大きさの違う・細長いクラスタにも合わせられます。",
        "ru": "Оба алгоритма стартуют **из одних и тех же K центров**; каждое нажатие "
              "«**Итерация**» продвигает оба на одну итерацию. k-means относит каждую точку к "
              "ближайшему центру (жёсткие цвета, прямые границы Вороного). EM сохраняет мягкие "
              "ответственности и обучает вес и эллипс каждой компоненты, поэтому справляется "
              "с кластерами разного размера и вытянутой формы.",
    },
    # The same words as Explore's stepper (stepview.*): one iteration is one Step.
    "kmeans.step": {"en": "Step", "ja": "1 反復", "ru": "Итерация"},
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
    "kmeans.new_init": {"en": "New init", "ja": "再初期化", "ru": "Новый старт"},
    "kmeans.new_init_help": {
        "en": "New shared starting centres (seed + 1).",
        "ja": "新しい共通の初期中心（シード + 1）。",
        "ru": "Новые общие начальные центры (зерно + 1).",
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
    # --- figure words: restarts and selection -------------------------------------------
    "labfig.hist_x": {"en": "final log-likelihood ln L", "ja": "最終対数尤度 ln L",
                      "ru": "итоговое логарифмическое правдоподобие ln L"},
    "labfig.hist_y": {"en": "restarts", "ja": "リスタート数", "ru": "перезапуски"},
    "labfig.ninit_pick": {"en": "n_init keeps", "ja": "n_init が選ぶ解", "ru": "выбор n_init"},
    "labfig.recommended": {"en": "best trustworthy", "ja": "信頼できる最良解",
                           "ru": "лучший надёжный"},
    "labfig.gallery_title": {"en": "#{rank} · ln L = {ll} · {count}×",
                             "ja": "#{rank} · ln L = {ll} · {count} 回",
                             "ru": "#{rank} · ln L = {ll} · {count}×"},
    "labfig.gallery_pick": {"en": " · n_init ★", "ja": " · n_init ★", "ru": " · n_init ★"},
    "labfig.gallery_suspicious": {"en": " · ⚠ suspicious", "ja": " · ⚠ 要注意",
                                  "ru": " · ⚠ подозрительный"},
    "labfig.col_method": {"en": "init method", "ja": "初期化法", "ru": "метод инициализации"},
    "labfig.col_restarts": {"en": "restarts", "ja": "リスタート", "ru": "перезапуски"},
    "labfig.col_converged": {"en": "converged", "ja": "収束", "ru": "сошлись"},
    "labfig.col_collapsed": {"en": "collapsed", "ja": "崩壊", "ru": "вырождения"},
    "labfig.col_median_iter": {"en": "median iterations", "ja": "反復回数の中央値",
                               "ru": "медиана итераций"},
    "labfig.col_fraction_top": {"en": "reach n_init pick", "ja": "n_init の解に到達",
                                "ru": "доля, дошедших до выбора n_init"},
    "labfig.col_fraction_best": {"en": "reach best trustworthy", "ja": "信頼できる最良解に到達",
                                 "ru": "доля, дошедших до лучшего надёжного"},
    "labfig.sel_x": {"en": "number of components K", "ja": "成分数 K", "ru": "число компонент K"},
    "labfig.sel_y": {"en": "{crit} (lower is better)", "ja": "{crit}（小さいほど良い）",
                     "ru": "{crit} (меньше — лучше)"},
    "labfig.sel_best": {"en": "best: K = {k}, {cov}", "ja": "最良: K = {k}, {cov}",
                        "ru": "лучшая: K = {k}, {cov}"},
    "labfig.sel_recommended": {"en": "recommended: K = {k}, {cov}", "ja": "推奨: K = {k}, {cov}",
                               "ru": "рекомендуемая: K = {k}, {cov}"},
    "labfig.sel_passed": {"en": "lowest {crit}, passed over: K = {k}, {cov}",
                          "ja": "{crit} 最小だが採らない: K = {k}, {cov}",
                          "ru": "наименьший {crit}, но отклонена: K = {k}, {cov}"},
    "labfig.true_k": {"en": "true K = {k}", "ja": "真の K = {k}", "ru": "истинное K = {k}"},
    "labfig.suspicious_cell": {"en": "near-degenerate", "ja": "ほぼ退化",
                               "ru": "почти вырожденная"},
    # --- initialisation sensitivity -----------------------------------------------
    "restarts.title": {"en": "Initialisation sensitivity", "ja": "初期値への依存性",
                       "ru": "Чувствительность к инициализации"},
    "restarts.intro": {
        "en": "EM climbs to the nearest hill of the likelihood, so where it starts decides "
              "where it ends. Run many seeded restarts: the histogram shows how often each "
              "final log-likelihood is reached, the gallery shows the **distinct** local optima "
              "(identical up to relabelling the components), best first. scikit-learn's "
              "`n_init` keeps the highest ln L (★), which is not always a sensible model (⚠).",
        "ja": "EM は尤度の最も近い山を登るので、どこから始めるかで行き着く先が決まります。"
              "シードを変えて何度もリスタートしてみましょう。ヒストグラムは各最終対数尤度に何回到達したか、"
              "ギャラリーは**異なる**局所最適解（成分の番号の付け替えを除いて同じものは 1 つ）を良い順に示します。"
              "scikit-learn の `n_init` は ln L が最大の解（★）を選びますが、"
              "それが妥当なモデルとは限りません（⚠）。",
        "ru": "EM поднимается на ближайший холм функции правдоподобия, поэтому начало "
              "определяет конец. Запустите много перезапусков с разными зёрнами: гистограмма "
              "показывает, как часто достигается каждое итоговое ln L, галерея — **различные** "
              "локальные оптимумы (совпадающие с точностью до перенумерации компонент), лучшие "
              "первыми. `n_init` в scikit-learn оставляет наибольшее ln L (★), и это не всегда "
              "разумная модель (⚠).",
    },
    "restarts.method": {"en": "Init method", "ja": "初期化法", "ru": "Метод инициализации"},
    "restarts.all_four": {"en": "all four (compare)", "ja": "4 つすべて（比較）",
                          "ru": "все четыре (сравнить)"},
    "restarts.method_help": {
        "en": "random: random responsibilities · random_from_data: K data points as centres · "
              "kmeans++: k-means++ seeding · kmeans: k-means run to convergence.",
        "ja": "random: ランダムな負担率 · random_from_data: データ点 K 個を中心に · "
              "kmeans++: k-means++ の種まき · kmeans: 収束まで k-means を実行。",
        "ru": "random: случайные ответственности · random_from_data: K точек данных как "
              "центры · kmeans++: посев k-means++ · kmeans: k-means до сходимости.",
    },
    "restarts.m": {"en": "Restarts M (per method)", "ja": "リスタート数 M（手法ごと）",
                   "ru": "Перезапуски M (на метод)"},
    "restarts.m_help": {"en": "Restart r uses seed r, so every result can be reopened.",
                        "ja": "r 番目のリスタートはシード r を使うので、どの結果も再現できます。",
                        "ru": "Перезапуск r использует зерно r, поэтому любой результат можно "
                              "открыть снова."},
    "restarts.progress": {"en": "EM restarts: {done} of {total}",
                          "ja": "EM のリスタート: {done} / {total}",
                          "ru": "Перезапуски EM: {done} из {total}"},
    "restarts.summary": {"en": "**{n} restarts** reached **{optima} distinct optima**.",
                         "ja": "**{n} 回のリスタート**で**{optima} 個の異なる最適解**に到達しました。",
                         "ru": "**{n} перезапусков** дали **{optima} различных оптимумов**."},
    "restarts.all_collapsed": {
        "en": "Every restart collapsed (a covariance became singular). Increase reg_covar or "
              "lower K.",
        "ja": "すべてのリスタートが崩壊しました（共分散が特異に）。reg_covar を大きくするか K を減らしてください。",
        "ru": "Все перезапуски выродились (ковариация стала сингулярной). Увеличьте reg_covar "
              "или уменьшите K.",
    },
    "restarts.pick_ok": {
        "en": "n_init keeps ln L = {ll}, reached by {count} of {n} restarts, and it looks sound.",
        "ja": "n_init は ln L = {ll} を選びます（{n} 回中 {count} 回到達）。妥当な解に見えます。",
        "ru": "n_init оставляет ln L = {ll}; его достигли {count} из {n} перезапусков, и он "
              "выглядит разумно.",
    },
    "restarts.suspicious_pick": {
        "en": "n_init would keep ln L = {ll}, but that optimum is near-degenerate: {reason}. "
              "Its likelihood is high because a component shrinks onto a few points (or a "
              "line), not because it explains the data better.",
        "ja": "n_init は ln L = {ll} を選びますが、この解はほぼ退化しています: {reason}。"
              "尤度が高いのは、成分が少数の点（または直線）に縮んでいるためで、"
              "データをよりよく説明しているからではありません。",
        "ru": "n_init оставил бы ln L = {ll}, но этот оптимум почти вырожден: {reason}. "
              "Правдоподобие высоко потому, что компонента сжалась на несколько точек (или "
              "прямую), а не потому, что она лучше объясняет данные.",
    },
    "restarts.unfinished_pick": {
        "en": "n_init would keep ln L = {ll}, but that optimum is unfinished: {reason}. A "
              "likelihood still climbing at max_iter is no settled answer.",
        "ja": "n_init は ln L = {ll} を選びますが、この解は未完了です: {reason}。"
              "max_iter の時点でまだ上がり続けている尤度は、定まった答えではありません。",
        "ru": "n_init оставил бы ln L = {ll}, но этот оптимум не завершён: {reason}. "
              "Правдоподобие, которое всё ещё растёт на max_iter, — не окончательный ответ.",
    },
    "restarts.recommended_unfinished": {
        "en": "No trustworthy optimum converged: every restart that reached the recommended one "
              "stopped at max_iter = {max_iter} while its likelihood was still changing.",
        "ja": "信頼できる解はどれも収束していません: 推奨される解に到達したリスタートはすべて、"
              "尤度がまだ変化している途中で max_iter = {max_iter} に達して停止しました。",
        "ru": "Ни один надёжный оптимум не сошёлся: все перезапуски, дошедшие до "
              "рекомендуемого, остановились на max_iter = {max_iter}, когда правдоподобие ещё "
              "менялось.",
    },
    "restarts.trust": {
        "en": "The best trustworthy optimum: ln L = {ll}, reached by {count} of {n} restarts.",
        "ja": "信頼できる最良解: ln L = {ll}（{n} 回中 {count} 回到達）。",
        "ru": "Лучший надёжный оптимум: ln L = {ll}; его достигли {count} из {n} перезапусков.",
    },
    "restarts.singularity_link": {"en": "Why? See the singularity lab",
                                  "ja": "なぜ？ 特異点のラボへ",
                                  "ru": "Почему? См. лабораторию о сингулярности"},
    "restarts.singularity_text": {
        "en": "Why: with a tiny reg_covar a component's covariance can shrink towards zero, "
              "and the likelihood grows without bound (the singularity of EM).",
        "ja": "理由: reg_covar が小さいと成分の共分散がゼロに近づき、尤度が際限なく大きくなります（EM の特異点）。",
        "ru": "Причина: при малом reg_covar ковариация компоненты может стремиться к нулю, и "
              "правдоподобие неограниченно растёт (сингулярность EM).",
    },
    "restarts.first_seed": {"en": "First seed", "ja": "最初のシード", "ru": "Первое зерно"},
    "restarts.first_seed_help": {
        "en": "Restart r uses seed (first seed + r), the same seeds for every init method.",
        "ja": "r 番目の再実行はシード（最初のシード + r）を使います。どの初期化法でも同じ"
              "シードです。",
        "ru": "Перезапуск r использует зерно (первое зерно + r), одинаковое для всех методов "
              "инициализации.",
    },
    "restarts.iris_button": {
        "en": "Iris, 4 columns, K=3, full, reg_covar=1e-6, k-means++",
        "ja": "アイリス、4 列、K=3、full、reg_covar=1e-6、k-means++",
        "ru": "Ирисы, 4 столбца, K=3, full, reg_covar=1e-6, k-means++",
    },
    "restarts.iris_help": {
        "en": "Iris with all 4 raw columns, 50 k-means++ restarts from seed 550: one of them "
              "reaches ln L ≈ −99 through a degenerate component, far above the sensible "
              "−180.19.",
        "ja": "アイリスの 4 列すべて（生の値）、シード 550 からの k-means++ 再実行 50 回。"
              "そのうち 1 回が退化した成分によって ln L ≈ −99 に達し、妥当な −180.19 を"
              "大きく上回ります。",
        "ru": "Ирисы, все 4 исходных столбца, 50 перезапусков k-means++ с зерном 550: один из "
              "них достигает ln L ≈ −99 за счёт вырожденной компоненты, намного выше "
              "разумного −180.19.",
    },
    "restarts.iris_story": {
        "en": "**Why {bad} is not a better model than {good}.** The restart with seed {seed} "
              "ends {gap} nats above the optimum that {count} of {n} restarts reach. Its "
              "flattest component sits on about {pts} flowers that, measured to 0.1 cm, lie almost "
              "in a plane of the 4-D space: its thinnest variance is {var}, the floor "
              "reg_covar = {reg} itself. A Gaussian that thin has an enormous density on its "
              "own points, and that alone buys the extra likelihood; with reg_covar = 0 it "
              "would grow without bound (the singularity of maximum likelihood). n_init keeps "
              "the highest ln L whatever it is (★); emviz flags it ⚠ and recommends {good}, "
              "the best optimum without a degenerate component.",
        "ja": "**なぜ {bad} は {good} より良いモデルではないのか。** シード {seed} の再実行は、"
              "{n} 回中 {count} 回が到達する最適解より {gap} nat 高い値で終わります。最も"
              "平たい成分は約 {pts} 本の花に乗っていますが、0.1 cm 単位で測られたこれらの点は"
              "4 次元空間のほぼ平面上にあります。最も細い方向の分散は {var} で、下限 "
              "reg_covar = {reg} そのものです。これほど細いガウス分布は自分の点の上で密度が"
              "極端に大きくなり、それだけで尤度が増えます。reg_covar = 0 なら尤度は際限なく"
              "増えます（最尤推定の特異点）。n_init は何であれ最大の ln L を選びます（★）。"
              "emviz はそれに ⚠ を付け、退化した成分のない最良解 {good} を推奨します。",
        "ru": "**Почему {bad} — не лучшая модель, чем {good}.** Перезапуск с зерном {seed} "
              "заканчивается на {gap} нат выше оптимума, которого достигают {count} из {n} "
              "перезапусков. Его самая плоская компонента сидит примерно на {pts} цветках, которые "
              "(при точности измерений 0,1 см) лежат почти в плоскости 4-мерного "
              "пространства: её наименьшая дисперсия равна {var}, то есть самому порогу "
              "reg_covar = {reg}. Такая тонкая гауссиана имеет огромную плотность в своих "
              "точках, и только это даёт прирост правдоподобия; при reg_covar = 0 оно росло "
              "бы неограниченно (сингулярность метода максимального правдоподобия). n_init "
              "оставляет наибольший ln L, каким бы он ни был (★); emviz помечает его ⚠ и "
              "рекомендует {good} — лучший оптимум без вырожденной компоненты.",
    },
    "restarts.iris_not_found": {
        "en": "None of these {n} restarts reached the degenerate optimum near −99: it is rare "
              "(seed 573 of k-means++ finds it). Press the iris button above to run seeds "
              "550 to 599.",
        "ja": "この {n} 回の再実行はどれも −99 付近の退化した解に達しませんでした。これは"
              "まれです（k-means++ のシード 573 が見つけます）。上のアイリスのボタンで"
              "シード 550〜599 を実行してください。",
        "ru": "Ни один из этих {n} перезапусков не достиг вырожденного оптимума около −99: "
              "это редкость (его находит k-means++ с зерном 573). Нажмите кнопку с ирисами "
              "выше, чтобы запустить зёрна 550–599.",
    },
    "restarts.metric_ninit": {"en": "n_init keeps (ln L)", "ja": "n_init が選ぶ解（ln L）",
                              "ru": "выбор n_init (ln L)"},
    "restarts.metric_recommended": {"en": "Recommended (ln L)", "ja": "推奨される解（ln L）",
                                    "ru": "Рекомендуемый (ln L)"},
    "restarts.metric_count": {"en": "{count} of {n} restarts", "ja": "{n} 回中 {count} 回",
                              "ru": "{count} из {n} перезапусков"},
    "restarts.gallery_recommended": {"en": " · ✓ recommended", "ja": " · ✓ 推奨",
                                     "ru": " · ✓ рекомендуется"},
    "restarts.view": {"en": "Columns drawn", "ja": "描く列", "ru": "Рисуемые столбцы"},
    "restarts.view_help": {
        "en": "The small plots are 2-D: pick the two columns they show.",
        "ja": "小さな図は 2 次元です。表示する 2 列を選んでください。",
        "ru": "Маленькие графики двумерные: выберите два столбца для них.",
    },
    "restarts.view_caption": {
        "en": "EM fits all {d} columns; each panel draws the fit's marginal on two of them, "
              "{x} × {y} (not a PCA projection). The marginal of a Gaussian is exact.",
        "ja": "EM は {d} 列すべてに当てはめます。各図はそのうち 2 列 {x} × {y} への周辺分布を"
              "描きます（PCA 射影ではありません）。ガウス分布の周辺分布は厳密です。",
        "ru": "EM использует все {d} столбцов; каждая панель рисует маргинальное "
              "распределение модели на двух из них, {x} × {y} (не проекция PCA). "
              "Маргинальное распределение гауссианы точное.",
    },
    "restarts.stats": {"en": "**Per init method**", "ja": "**初期化法ごと**",
                       "ru": "**По методам инициализации**"},
    "restarts.stats_caption": {
        "en": "Median iterations of the converged restarts; the fractions of restarts that "
              "end at the n_init pick and at the best trustworthy optimum.",
        "ja": "収束したリスタートの反復回数の中央値と、n_init の解・信頼できる最良解に到達したリスタートの割合。",
        "ru": "Медиана итераций сошедшихся перезапусков; доли перезапусков, пришедших к "
              "выбору n_init и к лучшему надёжному оптимуму.",
    },
    "restarts.gallery": {"en": "Distinct optima, best first", "ja": "異なる最適解（良い順）",
                         "ru": "Различные оптимумы, лучшие первыми"},
    "restarts.gallery_more": {"en": "Showing the best {shown} of {total} distinct optima.",
                              "ja": "{total} 個の異なる最適解のうち上位 {shown} 個を表示。",
                              "ru": "Показаны лучшие {shown} из {total} различных оптимумов."},
    # --- the basin map -------------------------------------------------------------------
    "restarts.basin_title": {"en": "Basin map: which starts lead where",
                             "ja": "ベイスン・マップ: どの開始点がどこへ行くか",
                             "ru": "Карта бассейнов: какое начало куда приводит"},
    "restarts.basin_intro": {
        "en": "Every component but one starts where the restart that reached **#{rank}** "
              "started ({method}, seed {seed}). Component {k}'s starting mean moves over a "
              "{n} × {n} grid spanning the data; EM runs from every cell, and the cell takes "
              "the colour of the optimum it reaches, numbered as in the gallery.",
        "ja": "1 つを除くすべての成分は、**#{rank}** に到達したリスタート（{method}、シード "
              "{seed}）と同じ位置から始まります。成分 {k} の初期平均だけをデータ全体にわたる "
              "{n} × {n} の格子の上で動かし、各セルから EM を実行して、到達した最適解の色で"
              "セルを塗ります。番号はギャラリーと同じです。",
        "ru": "Все компоненты, кроме одной, начинают там же, где перезапуск, пришедший к "
              "**#{rank}** ({method}, зерно {seed}). Начальное среднее компоненты {k} "
              "проходит по сетке {n} × {n}, покрывающей данные; EM запускается из каждой "
              "клетки, и клетка окрашивается в цвет оптимума, к которому пришла, с номером как "
              "в галерее.",
    },
    "restarts.basin_component": {"en": "Component to move", "ja": "動かす成分",
                                 "ru": "Сдвигаемая компонента"},
    "restarts.basin_component_item": {"en": "component {k}", "ja": "成分 {k}",
                                      "ru": "компонента {k}"},
    "restarts.basin_component_help": {
        "en": "Whose starting mean moves over the grid; the other components keep their start "
              "(and this one keeps its weight and covariance).",
        "ja": "格子の上で初期平均を動かす成分。他の成分は開始点のまま（この成分も重みと共分散は"
              "そのまま）です。",
        "ru": "Чьё начальное среднее движется по сетке; остальные компоненты сохраняют своё "
              "начало (а эта — свой вес и ковариацию).",
    },
    "restarts.basin_cells": {"en": "Grid", "ja": "格子", "ru": "Сетка"},
    "restarts.basin_cells_help": {
        "en": "Cells per side. Each cell is one EM run: 40 × 40 is 1,600 runs.",
        "ja": "1 辺のセル数。各セルが EM 1 回分です: 40 × 40 なら 1,600 回。",
        "ru": "Клеток по стороне. Каждая клетка — один запуск EM: 40 × 40 — это 1 600 "
              "запусков.",
    },
    "restarts.basin_button": {"en": "Draw the basin map", "ja": "ベイスン・マップを描く",
                              "ru": "Построить карту бассейнов"},
    "restarts.basin_hint": {
        "en": "EM runs once from every cell ({runs} runs), on demand; the map is then kept "
              "for these settings.",
        "ja": "ボタンを押すと各セルから EM を 1 回ずつ（{runs} 回）実行します。結果はこの設定の間"
              "保持されます。",
        "ru": "По кнопке EM запускается из каждой клетки ({runs} запусков); затем карта "
              "сохраняется для этих настроек.",
    },
    "restarts.basin_progress": {"en": "EM from {done} of {total} starts",
                                "ja": "{total} 個の開始点のうち {done} 個から EM を実行済み",
                                "ru": "EM из {done} начал из {total}"},
    "restarts.basin_summary": {
        "en": "The starts reach **{n}** distinct optima; **{share}** of them reach **#{rank}**, "
              "the optimum the restarts recommend.",
        "ja": "開始点は **{n}** 個の異なる最適解に到達します。そのうち **{share}** が、"
              "リスタートが推奨する最適解 **#{rank}** に到達します。",
        "ru": "Начала приводят к **{n}** различным оптимумам; **{share}** из них — к **#{rank}**, "
              "оптимуму, который рекомендуют перезапуски.",
    },
    "restarts.basin_summary_none": {
        "en": "The starts reach **{n}** distinct optima.",
        "ja": "開始点は **{n}** 個の異なる最適解に到達します。",
        "ru": "Начала приводят к **{n}** различным оптимумам.",
    },
    "restarts.basin_new_note": {
        "en": "new: an optimum that none of the restarts reached (numbered after theirs).",
        "ja": "新規: どのリスタートも到達しなかった最適解（番号はリスタートの解の後に続きます）。",
        "ru": "новый: оптимум, к которому не пришёл ни один перезапуск (номера идут после их "
              "оптимумов).",
    },
    "restarts.basin_why": {"en": "Why the {n} ⚠ optima on the map are near-degenerate",
                           "ja": "マップ上の ⚠ の最適解 {n} 個がほぼ退化している理由",
                           "ru": "Почему {n} оптимумов с ⚠ на карте почти вырождены"},
    "restarts.basin_click": {
        "en": "Click a cell to open its run in Explore at half-step 0, from that start.",
        "ja": "セルをクリックすると、その開始点からの実行を「探索」の半ステップ 0 で開きます。",
        "ru": "Щёлкните по клетке, чтобы открыть её запуск в «Обзоре» на полушаге 0, с этого "
              "начала.",
    },
    "restarts.basin_needs_2d": {
        "en": "The basin map moves a starting mean in the plane, so it needs data with 2 "
              "columns (these have {d}). Pick two columns, or project onto 2 with PCA.",
        "ja": "ベイスン・マップは初期平均を平面上で動かすので、2 列のデータが必要です（このデータは "
              "{d} 列）。列を 2 つ選ぶか、PCA で 2 次元に射影してください。",
        "ru": "Карта бассейнов двигает начальное среднее по плоскости, поэтому ей нужны данные с "
              "2 столбцами (здесь их {d}). Выберите два столбца или спроецируйте на 2 (PCA).",
    },
    "restarts.basin_needs_k": {
        "en": "The basin map moves one of 2 to {high} components (K = {k} here). Choose K from "
              "2 to {high}.",
        "ja": "ベイスン・マップは 2〜{high} 個の成分のうち 1 つを動かします（ここでは K = {k}）。"
              "K を 2〜{high} にしてください。",
        "ru": "Карта бассейнов двигает одну из 2–{high} компонент (здесь K = {k}). Выберите K "
              "от 2 до {high}.",
    },
    "labfig.basin_legend": {"en": "#{number} · ln L = {ll} · {cells} cells",
                            "ja": "#{number} · ln L = {ll} · {cells} セル",
                            "ru": "#{number} · ln L = {ll} · клеток: {cells}"},
    "labfig.basin_new": {"en": " · new", "ja": " · 新規", "ru": " · новый"},
    "labfig.basin_suspicious": {"en": " · ⚠", "ja": " · ⚠", "ru": " · ⚠"},
    "labfig.basin_hatch": {"en": "⚠ near-degenerate (hatched)", "ja": "⚠ ほぼ退化（斜線）",
                           "ru": "⚠ почти вырожденный (штриховка)"},
    "labfig.basin_data": {"en": "data", "ja": "データ", "ru": "данные"},
    "labfig.basin_cells": {"en": "starts", "ja": "開始点", "ru": "начала"},
    "labfig.basin_fixed": {"en": "fixed starting means", "ja": "固定した初期平均",
                           "ru": "закреплённые начальные средние"},
    "labfig.basin_component": {"en": "component {k}", "ja": "成分 {k}", "ru": "компонента {k}"},
    "labfig.basin_swept": {"en": "component {k}'s own start", "ja": "成分 {k} の元の開始点",
                           "ru": "исходное начало компоненты {k}"},
    "labfig.basin_other": {"en": "{n} other optima · {cells} cells (hover a cell)",
                           "ja": "その他の最適解 {n} 個 · {cells} セル（セルにホバーで表示）",
                           "ru": "другие оптимумы: {n} · клеток: {cells} (наведите на клетку)"},
    "labfig.basin_hover": {
        "en": "component {k} starts at ({x}, {y})<br>→ optimum #{number} · ln L = {ll}"
              "<br>{n_iter} iterations",
        "ja": "成分 {k} の開始点 ({x}, {y})<br>→ 最適解 #{number} · ln L = {ll}"
              "<br>反復 {n_iter} 回",
        "ru": "компонента {k} начинает в ({x}, {y})<br>→ оптимум #{number} · ln L = {ll}"
              "<br>итераций: {n_iter}",
    },
    "restarts.why_suspicious": {"en": "⚠ #{rank}: {reason}.", "ja": "⚠ #{rank}: {reason}。",
                                "ru": "⚠ #{rank}: {reason}."},
    "restarts.pick": {"en": "Optimum to open", "ja": "開く最適解", "ru": "Оптимум для открытия"},
    "restarts.pick_item": {"en": "#{rank} · ln L = {ll} · {method}, seed {seed}",
                           "ja": "#{rank} · ln L = {ll} · {method}, シード {seed}",
                           "ru": "#{rank} · ln L = {ll} · {method}, зерно {seed}"},
    "restarts.pick_help": {
        "en": "Click a panel's centres or pick here; Open in Explore replays that restart "
              "step by step.",
        "ja": "パネルの中心をクリックするか、ここで選びます。「『探索』で開く」でそのリスタートを"
              " 1 ステップずつ再生します。",
        "ru": "Щёлкните по центрам панели или выберите здесь; «Открыть в „Обзоре“» "
              "воспроизведёт этот перезапуск по шагам.",
    },
    # --- model selection ------------------------------------------------------------
    "selection.title": {"en": "Model selection: BIC and AIC", "ja": "モデル選択: BIC と AIC",
                        "ru": "Выбор модели: BIC и AIC"},
    "selection.intro": {
        "en": "More components always raise the likelihood, so it cannot choose K. BIC = "
              "−2 ln L + p ln N and AIC = −2 ln L + 2p charge for the p free parameters "
              "(lower is better). Every K = 1..10 is fitted with each covariance type.",
        "ja": "成分を増やせば尤度は必ず上がるので、尤度だけでは K を選べません。"
              "BIC = −2 ln L + p ln N と AIC = −2 ln L + 2p は自由パラメータ数 p に罰則を課します"
              "（小さいほど良い）。K = 1..10 をそれぞれの共分散の型で当てはめます。",
        "ru": "Добавление компонент всегда повышает правдоподобие, поэтому оно не может "
              "выбрать K. BIC = −2 ln L + p ln N и AIC = −2 ln L + 2p штрафуют за p свободных "
              "параметров (меньше — лучше). Каждое K = 1..10 подгоняется с каждым типом "
              "ковариации.",
    },
    "selection.criterion": {"en": "Criterion", "ja": "基準", "ru": "Критерий"},
    "selection.criterion_help": {
        "en": "BIC's penalty grows with ln N and prefers smaller models; AIC's does not.",
        "ja": "BIC の罰則は ln N とともに大きくなり、小さいモデルを好みます。AIC は そうではありません。",
        "ru": "Штраф BIC растёт с ln N и предпочитает меньшие модели; штраф AIC — нет.",
    },
    "selection.init": {"en": "Init method", "ja": "初期化法", "ru": "Метод инициализации"},
    "selection.n_init": {"en": "n_init (starts per cell)", "ja": "n_init（セルごとの開始数）",
                         "ru": "n_init (стартов на ячейку)"},
    "selection.n_init_help": {
        "en": "Each cell keeps its best of n_init seeded starts, as scikit-learn does.",
        "ja": "各セルは n_init 回の開始のうち最良を保持します（scikit-learn と同じ）。",
        "ru": "Каждая ячейка оставляет лучший из n_init стартов, как в scikit-learn.",
    },
    "selection.progress": {"en": "Fitting the grid: {done} of {total} fits",
                           "ja": "グリッドを当てはめ中: {done} / {total}",
                           "ru": "Подгонка сетки: {done} из {total}"},
    "selection.none_scored": {
        "en": "No cell could be scored: every fit collapsed or was impossible. Increase "
              "reg_covar.",
        "ja": "評価できるセルがありません（すべて崩壊または不可能）。reg_covar を大きくしてください。",
        "ru": "Ни одну ячейку не удалось оценить: все подгонки выродились или невозможны. "
              "Увеличьте reg_covar.",
    },
    "selection.best": {"en": "Best by {crit}: **K = {k}, {cov}** ({crit} = {score}).",
                       "ja": "{crit} による最良: **K = {k}, {cov}**（{crit} = {score}）。",
                       "ru": "Лучшая по {crit}: **K = {k}, {cov}** ({crit} = {score})."},
    "selection.vs_true": {"en": "The data were generated with K = {k}.",
                          "ja": "データは K = {k} で生成されました。",
                          "ru": "Данные сгенерированы с K = {k}."},
    "selection.recommended": {
        "en": "Recommended by {crit}: **K = {k}, {cov}** ({crit} = {score}), the best cell "
              "that is not near-degenerate.",
        "ja": "{crit} による推奨: **K = {k}, {cov}**（{crit} = {score}）。ほぼ退化していない"
              "セルのうち最良のものです。",
        "ru": "Рекомендуемая по {crit}: **K = {k}, {cov}** ({crit} = {score}) — лучшая "
              "ячейка без почти вырожденных компонент.",
    },
    "selection.passed_over_box": {
        "en": "☆ Passed over: **K = {k}, {cov}** ({crit} = {score}) has the {reason}. A "
              "near-degenerate or unfinished fit can score well without explaining the data "
              "better.",
        "ja": "☆ 採らなかったセル: **K = {k}, {cov}**（{crit} = {score}）。{reason}。"
              "ほぼ退化した当てはめや未完了の当てはめは、データをよりよく説明していなくても"
              "良いスコアになることがあります。",
        "ru": "☆ Отклонена: **K = {k}, {cov}** ({crit} = {score}): {reason}. Почти вырожденная "
              "или незавершённая подгонка может получить хорошую оценку, не объясняя данные "
              "лучше.",
    },
    "selection.none_trustworthy": {
        "en": "No cell can be recommended: every scored cell has a near-degenerate component. "
              "Increase reg_covar.",
        "ja": "推奨できるセルがありません: 評価できたセルはすべてほぼ退化した成分をもちます。"
              "reg_covar を大きくしてください。",
        "ru": "Рекомендовать нечего: у каждой оценённой ячейки есть почти вырожденная "
              "компонента. Увеличьте reg_covar.",
    },
    "selection.recommended_unfinished": {
        "en": "No trustworthy cell converged: the recommended one stopped at max_iter = "
              "{max_iter} and its score may still change.",
        "ja": "信頼できるセルはどれも収束していません: 推奨セルは max_iter = {max_iter} で"
              "停止しており、スコアはまだ変わるかもしれません。",
        "ru": "Ни одна надёжная ячейка не сошлась: рекомендуемая остановилась на max_iter = "
              "{max_iter}, и её оценка ещё может измениться.",
    },
    "selection.unscored": {"en": "{n} cell(s) without a score: {cells}.",
                           "ja": "スコアのないセル {n} 個: {cells}。",
                           "ru": "Ячеек без оценки: {n}: {cells}."},
    "selection.chart_caption": {
        "en": "One line per covariance type; ★ the recommended cell; ☆ a lower score passed "
              "over (hover for why); hollow markers are near-degenerate fits; the dashed line "
              "is the true K (synthetic data). Click a point to pick that cell below.",
        "ja": "共分散の型ごとに 1 本の線。★ は推奨セル、☆ は採らなかったより低いスコア"
              "（理由はマウスを重ねると表示）、白抜きはほぼ退化した当てはめ、破線は真の K"
              "（合成データ）。点をクリックすると下でそのセルを選べます。",
        "ru": "Одна линия на тип ковариации; ★ — рекомендуемая ячейка; ☆ — отклонённая "
              "ячейка с меньшей оценкой (причина — при наведении); полые маркеры — почти "
              "вырожденные подгонки; пунктир — истинное K (синтетические данные). Щёлкните "
              "точку, чтобы выбрать ячейку ниже.",
    },
    "selection.cell_k": {"en": "K", "ja": "K", "ru": "K"},
    "selection.cell_info": {
        "en": "{crit} = {score} · ln L = {ll} · p = {p} · {status}",
        "ja": "{crit} = {score} · ln L = {ll} · p = {p} · {status}",
        "ru": "{crit} = {score} · ln L = {ll} · p = {p} · {status}",
    },
    "selection.table": {"en": "{crit} table", "ja": "{crit} の表", "ru": "Таблица {crit}"},
    "selection.status.converged": {"en": "converged", "ja": "収束", "ru": "сошлась"},
    "selection.status.max_iter": {"en": "stopped at max_iter", "ja": "max_iter で停止",
                                  "ru": "остановлена на max_iter"},
    "selection.status.collapsed": {"en": "collapsed", "ja": "崩壊", "ru": "выродилась"},
    "selection.status.skipped": {"en": "impossible, skipped", "ja": "不可能のためスキップ",
                                 "ru": "невозможна, пропущена"},
}
