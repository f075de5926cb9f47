"""Strings of the Explore page (emviz/ui/explore.py) and of its error messages.

Names from scikit-learn's API (covariance_type, reg_covar, max_iter, tol) and maths
(π, μ, Σ, ΔLL, ARI) stay the same in every language.
"""

STRINGS: dict[str, dict[str, str]] = {
    "explore.nav": {"en": "Explore", "ja": "探索", "ru": "Обзор"},
    "explore.kind.init": {"en": "Initialisation", "ja": "初期化", "ru": "Инициализация"},
    "explore.kind.E": {"en": "E-step", "ja": "E ステップ", "ru": "E-шаг"},
    "explore.kind.M": {"en": "M-step", "ja": "M ステップ", "ru": "M-шаг"},
    # --- Buttons ---------------------------------------------------------------------
    "explore.btn.e": {"en": "E-step", "ja": "E ステップ", "ru": "E-шаг"},
    "explore.btn.e_help": {
        "en": "Recompute responsibilities (point colours) from the current ellipses (key →).",
        "ja": "現在の楕円から負担率（点の色）を再計算します（→ キー）。",
        "ru": "Пересчитать ответственности (цвета точек) по текущим эллипсам (клавиша →).",
    },
    "explore.btn.m": {"en": "M-step", "ja": "M ステップ", "ru": "M-шаг"},
    "explore.btn.m_help": {
        "en": "Re-estimate π, μ, Σ (the ellipses) from the current responsibilities (key →).",
        "ja": "現在の負担率から π, μ, Σ（楕円）を推定し直します（→ キー）。",
        "ru": "Переоценить π, μ, Σ (эллипсы) по текущим ответственностям (клавиша →).",
    },
    "explore.btn.step": {"en": "Step", "ja": "1 反復", "ru": "Итерация"},
    "explore.btn.step_help": {
        "en": "One full iteration: E-step then M-step.",
        "ja": "1 回の完全な反復：E ステップの後に M ステップ。",
        "ru": "Одна полная итерация: E-шаг, затем M-шаг.",
    },
    "explore.btn.run": {"en": "Run", "ja": "最後まで", "ru": "До конца"},
    "explore.btn.run_help": {
        "en": "Jump to the end of the run (converged, max_iter or collapsed).",
        "ja": "実行の最後（収束、max_iter、または崩壊）までジャンプします。",
        "ru": "Перейти к концу запуска (сходимость, max_iter или вырождение).",
    },
    "explore.btn.reset": {"en": "Reset", "ja": "リセット", "ru": "Сброс"},
    "explore.btn.reset_help": {
        "en": "Back to the same initialisation (same seed, same start) (key Home).",
        "ja": "同じ初期化（同じシード、同じ開始点）に戻ります（Home キー）。",
        "ru": "Вернуться к той же инициализации (то же зерно, то же начало) (клавиша Home).",
    },
    "explore.btn.new_init": {"en": "New init", "ja": "再初期化", "ru": "Новый старт"},
    "explore.btn.new_init_help": {
        "en": "Start again from a new random initialisation (зерно + 1).",
        "ja": "新しいランダム初期化（シード + 1）からやり直します。",
        "ru": "Начать заново с новой случайной инициализации (зерно + 1).",
    },
    "explore.animate": {"en": "Animate", "ja": "アニメーション", "ru": "Анимация"},
    "explore.animate_help": {
        "en": "Play the whole run in the browser (Plotly frames).",
        "ja": "実行全体をブラウザで再生します（Plotly のフレーム）。",
        "ru": "Проиграть весь запуск в браузере (кадры Plotly).",
    },
    # --- Status line -----------------------------------------------------------------
    "explore.status.iteration": {
        "en": "Iteration {iteration} · {kind}",
        "ja": "反復 {iteration} · {kind}",
        "ru": "Итерация {iteration} · {kind}",
    },
    "explore.status.ll": {"en": "log-likelihood {value}", "ja": "対数尤度 {value}",
                          "ru": "логарифм правдоподобия {value}"},
    "explore.status.dll": {"en": "ΔLL {value}", "ja": "ΔLL {value}", "ru": "ΔLL {value}"},
    "explore.status.ari": {"en": "ARI vs known labels {value}",
                           "ja": "既知ラベルとの ARI {value}",
                           "ru": "ARI с известными метками {value}"},
    "explore.status.half": {"en": "half-step {h} of {last}", "ja": "半ステップ {h} / {last}",
                            "ru": "полушаг {h} из {last}"},
    "explore.explain.init": {
        "en": "Starting parameters from {method} (seed {seed}). Points are grey: no "
              "responsibilities yet. Press E-step or Step.",
        "ja": "{method} による初期パラメータ（シード {seed}）。点は灰色です：まだ負担率が"
              "ありません。E ステップまたは 1 反復を押してください。",
        "ru": "Начальные параметры по методу {method} (зерно {seed}). Точки серые: "
              "ответственностей ещё нет. Нажмите «E-шаг» или «Итерация».",
    },
    "explore.explain.E": {
        "en": "E-step: each point is coloured by its responsibilities under the current "
              "ellipses. The ellipses have not moved.",
        "ja": "E ステップ：各点は現在の楕円のもとでの負担率で色付けされます。楕円は"
              "動いていません。",
        "ru": "E-шаг: каждая точка окрашена по своим ответственностям при текущих эллипсах. "
              "Эллипсы не сдвинулись.",
    },
    "explore.explain.M": {
        "en": "M-step: new π, μ, Σ from those responsibilities. The ellipses moved; the "
              "colours are still the responsibilities that moved them.",
        "ja": "M ステップ：その負担率から新しい π, μ, Σ を求めます。楕円が動きました。"
              "色は楕円を動かした負担率のままです。",
        "ru": "M-шаг: новые π, μ, Σ по этим ответственностям. Эллипсы сдвинулись; цвета — "
              "всё ещё те ответственности, которые их сдвинули.",
    },
    # The same two captions for a 1D fit (densities over a histogram, no ellipses) and a 3D
    # one (ellipsoids); explore.py picks them by the number of features.
    "explore.explain.E_1d": {
        "en": "E-step: the bands under the histogram show each bin's responsibilities under "
              "the current density curves. The curves have not moved.",
        "ja": "E ステップ：ヒストグラムの下の帯は、現在の密度曲線のもとでの各ビンの負担率を"
              "示します。曲線は動いていません。",
        "ru": "E-шаг: полосы под гистограммой показывают ответственности каждого столбца при "
              "текущих кривых плотности. Кривые не сдвинулись.",
    },
    "explore.explain.M_1d": {
        "en": "M-step: new π, μ, σ² from those responsibilities. The density curves moved; the "
              "bands are still the responsibilities that moved them.",
        "ja": "M ステップ：その負担率から新しい π, μ, σ² を求めます。密度曲線が動きました。"
              "帯は曲線を動かした負担率のままです。",
        "ru": "M-шаг: новые π, μ, σ² по этим ответственностям. Кривые плотности сдвинулись; "
              "полосы — всё ещё те ответственности, которые их сдвинули.",
    },
    "explore.explain.E_3d": {
        "en": "E-step: each point is coloured by its responsibilities under the current "
              "ellipsoids. The ellipsoids have not moved.",
        "ja": "E ステップ：各点は現在の楕円体のもとでの負担率で色付けされます。楕円体は"
              "動いていません。",
        "ru": "E-шаг: каждая точка окрашена по своим ответственностям при текущих эллипсоидах. "
              "Эллипсоиды не сдвинулись.",
    },
    "explore.explain.M_3d": {
        "en": "M-step: new π, μ, Σ from those responsibilities. The ellipsoids moved; the "
              "colours are still the responsibilities that moved them.",
        "ja": "M ステップ：その負担率から新しい π, μ, Σ を求めます。楕円体が動きました。"
              "色は楕円体を動かした負担率のままです。",
        "ru": "M-шаг: новые π, μ, Σ по этим ответственностям. Эллипсоиды сдвинулись; цвета — "
              "всё ещё те ответственности, которые их сдвинули.",
    },
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
    "explore.stop.converged": {
        "en": "Converged after {n_iter} iterations: the mean log-likelihood per point changed "
              "by less than tol = {tol}.",
        "ja": "{n_iter} 回の反復で収束しました：1 点あたりの平均対数尤度の変化が "
              "tol = {tol} 未満になりました。",
        "ru": "Сошлось за {n_iter} итераций: средний логарифм правдоподобия на точку "
              "изменился меньше чем на tol = {tol}.",
    },
    "explore.stop.max_iter": {
        "en": "Stopped at max_iter = {max_iter} without converging (tol = {tol}). Raise "
              "max_iter or tol to let it finish.",
        "ja": "収束せずに max_iter = {max_iter} で停止しました（tol = {tol}）。max_iter か "
              "tol を大きくしてください。",
        "ru": "Остановлено на max_iter = {max_iter} без сходимости (tol = {tol}). Увеличьте "
              "max_iter или tol.",
    },
    "explore.stop.collapsed": {
        "en": "Stopped after {n_iter} iterations: component {component} collapsed (its "
              "covariance became singular, so the likelihood grows without bound). Increase "
              "reg_covar, lower K, or try New init.",
        "ja": "{n_iter} 回の反復後に停止：成分 {component} が崩壊しました（共分散が特異に"
              "なり、尤度が際限なく増加します）。reg_covar を大きくする、K を減らす、または"
              "「再初期化」を試してください。",
        "ru": "Остановлено после {n_iter} итераций: компонента {component} выродилась (её "
              "ковариация стала вырожденной, и правдоподобие растёт неограниченно). Увеличьте "
              "reg_covar, уменьшите K или нажмите «Новый старт».",
    },
    "explore.timeline": {
        "en": "Timeline (half-steps computed so far)",
        "ja": "タイムライン（計算済みの半ステップ）",
        "ru": "Шкала времени (вычисленные полушаги)",
    },
    "explore.timeline_help": {
        "en": "Scrub back and forth over the steps taken so far: 0 is the start, odd numbers "
              "are E-steps, even numbers M-steps.",
        "ja": "これまでのステップを前後に移動できます：0 が開始、奇数が E ステップ、偶数が "
              "M ステップです。",
        "ru": "Перемещайтесь по пройденным шагам: 0 — начало, нечётные — E-шаги, чётные — "
              "M-шаги.",
    },
    "explore.ll_bad": {
        "en": "The log-likelihood decreased at iteration {iteration} by {amount}, more than "
              "reg_covar can explain (at most {allowed}). Exact EM never lowers the "
              "likelihood, so this points to a numerical problem ({count} such decrease(s) so "
              "far). Try standardising the columns or a larger reg_covar.",
        "ja": "反復 {iteration} で対数尤度が {amount} 減少しました。これは reg_covar で説明"
              "できる量（最大 {allowed}）を超えています。厳密な EM は尤度を下げないため、"
              "数値的な問題を示しています（これまでに {count} 回）。列を標準化するか "
              "reg_covar を大きくしてください。",
        "ru": "На итерации {iteration} логарифм правдоподобия уменьшился на {amount} — больше, "
              "чем объясняет reg_covar (не более {allowed}). Точный EM никогда не уменьшает "
              "правдоподобие, значит, это численная проблема (таких уменьшений: {count}). "
              "Стандартизируйте столбцы или увеличьте reg_covar.",
    },
    "explore.ll_dips": {
        "en": "The log-likelihood dipped slightly at iteration(s) {iterations}. That is "
              "expected: reg_covar = {reg} adds a small constant to every covariance's "
              "diagonal, so the M-step is not the exact maximiser. Each dip is within the "
              "bound reg_covar explains. Set reg_covar to 0 for exact EM.",
        "ja": "反復 {iterations} で対数尤度がわずかに下がりました。これは想定どおりです："
              "reg_covar = {reg} は各共分散の対角に小さな定数を加えるため、M ステップは厳密な"
              "最大化になりません。各低下は reg_covar で説明できる範囲内です。厳密な EM には "
              "reg_covar を 0 にしてください。",
        "ru": "На итерациях {iterations} логарифм правдоподобия немного снизился. Это "
              "ожидаемо: reg_covar = {reg} добавляет небольшую константу к диагонали каждой "
              "ковариации, поэтому M-шаг — не точный максимум. Каждое снижение в пределах, "
              "объяснимых reg_covar. Для точного EM установите reg_covar = 0.",
    },
    "explore.points_note": {
        "en": "showing {shown} of {n} points (EM uses all of them)",
        "ja": "{n} 点中 {shown} 点を表示（EM はすべての点を使用）",
        "ru": "показано {shown} из {n} точек (EM использует все)",
    },
    "explore.params_title": {
        "en": "**Parameters at half-step {h}** ({cov} covariances)",
        "ja": "**半ステップ {h} のパラメータ**（共分散 {cov}）",
        "ru": "**Параметры на полушаге {h}** (ковариации {cov})",
    },
    "explore.anim_title": {
        "en": "**Animation of the whole run** · {n_iter} iterations, {n_half} half-steps",
        "ja": "**実行全体のアニメーション** · {n_iter} 反復、{n_half} 半ステップ",
        "ru": "**Анимация всего запуска** · {n_iter} итераций, {n_half} полушагов",
    },
    "explore.anim_help": {
        "en": "Press ▶ Play under the chart; drag its slider to any half-step. It runs in your "
              "browser. Switch Animate off to step by hand.",
        "ja": "グラフの下の ▶ Play を押すか、スライダーで任意の半ステップへ移動します。"
              "ブラウザ内で動作します。手動で進めるにはアニメーションをオフにしてください。",
        "ru": "Нажмите ▶ Play под графиком или перетащите ползунок к любому полушагу. Всё "
              "работает в браузере. Выключите «Анимация», чтобы идти по шагам вручную.",
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
    "explore.no_data": {
        "en": "Choose data in the sidebar: upload a CSV, pick a sample, or use a synthetic "
              "mixture.",
        "ja": "サイドバーでデータを選んでください：CSV をアップロードするか、サンプルを"
              "選ぶか、合成混合分布を使います。",
        "ru": "Выберите данные на боковой панели: загрузите CSV, возьмите пример или "
              "синтетическую смесь.",
    },
    # --- What was going on when something failed (used in error messages) ------------
    "ctx.figure": {"en": "drawing the figure", "ja": "図の描画", "ru": "построение рисунка"},
    "ctx.loglik": {"en": "drawing the log-likelihood", "ja": "対数尤度の描画",
                   "ru": "построение графика правдоподобия"},
    "ctx.table": {"en": "building the parameter table", "ja": "パラメータ表の作成",
                  "ru": "построение таблицы параметров"},
    "ctx.step": {"en": "showing this step", "ja": "このステップの表示",
                 "ru": "показ этого шага"},
    "ctx.animation": {"en": "building the animation", "ja": "アニメーションの作成",
                      "ru": "построение анимации"},
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
