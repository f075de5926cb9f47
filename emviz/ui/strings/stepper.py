"""Words of the browser-side stepper (emviz/stepper.py ``TEXT``; keys ``stepview.<name>``).

The English of every entry is the module's default (tests/test_i18n.py checks it). ``{h}`` and
``{last}`` are filled in by the browser.
"""

STRINGS: dict[str, dict[str, str]] = {
    "stepview.back": {
        "en": "Back",
        "ja": "戻る",
        "ru": "Назад",
    },
    "stepview.back_help": {
        "en": "One half-step back (key ←).",
        "ja": "半ステップ戻ります（← キー）。",
        "ru": "На полушаг назад (клавиша ←).",
    },
    "stepview.e": {
        "en": "E-step",
        "ja": "E ステップ",
        "ru": "E-шаг",
    },
    "stepview.e_help": {
        "en": "Recompute responsibilities (point colours) from the current ellipses (key →).",
        "ja": "現在の楕円から負担率（点の色）を再計算します（→ キー）。",
        "ru": "Пересчитать ответственности (цвета точек) по текущим эллипсам (клавиша →).",
    },
    "stepview.m": {
        "en": "M-step",
        "ja": "M ステップ",
        "ru": "M-шаг",
    },
    "stepview.m_help": {
        "en": "Re-estimate π, μ, Σ (the ellipses) from the current responsibilities (key →).",
        "ja": "現在の負担率から π, μ, Σ（楕円）を推定し直します（→ キー）。",
        "ru": "Переоценить π, μ, Σ (эллипсы) по текущим ответственностям (клавиша →).",
    },
    "stepview.step": {
        "en": "Step",
        "ja": "1 反復",
        "ru": "Итерация",
    },
    "stepview.step_help": {
        "en": "One full iteration: E-step then M-step.",
        "ja": "1 回の完全な反復：E ステップの後に M ステップ。",
        "ru": "Одна полная итерация: E-шаг, затем M-шаг.",
    },
    "stepview.play": {
        "en": "Play",
        "ja": "再生",
        "ru": "Пуск",
    },
    "stepview.pause": {
        "en": "Pause",
        "ja": "一時停止",
        "ru": "Пауза",
    },
    "stepview.play_help": {
        "en": "Play the run from here, one half-step at a time (key P).",
        "ja": "ここから半ステップずつ自動で再生します（P キー）。",
        "ru": "Проиграть запуск отсюда, по полушагу (клавиша P).",
    },
    "stepview.speed": {
        "en": "Speed",
        "ja": "速度",
        "ru": "Скорость",
    },
    "stepview.run": {
        "en": "Run",
        "ja": "最後まで",
        "ru": "До конца",
    },
    "stepview.run_help": {
        "en": "Jump to the end of the run (converged, max_iter or collapsed).",
        "ja": "実行の最後（収束、max_iter、または崩壊）までジャンプします。",
        "ru": "Перейти к концу запуска (сходимость, max_iter или вырождение).",
    },
    "stepview.reset": {
        "en": "Reset",
        "ja": "リセット",
        "ru": "Сброс",
    },
    "stepview.reset_help": {
        "en": "Back to the start of the run (key Home).",
        "ja": "実行の最初に戻ります（Home キー）。",
        "ru": "Вернуться к началу запуска (клавиша Home).",
    },
    "stepview.new_init": {
        "en": "New init",
        "ja": "再初期化",
        "ru": "Новый старт",
    },
    "stepview.new_init_help": {
        "en": "Start again from a new random initialisation (seed + 1).",
        "ja": "新しいランダム初期化（シード + 1）からやり直します。",
        "ru": "Начать заново с новой случайной инициализации (зерно + 1).",
    },
    "stepview.timeline": {
        "en": "Timeline",
        "ja": "タイムライン",
        "ru": "Шкала времени",
    },
    "stepview.timeline_help": {
        "en": "0 is the start, odd half-steps are E-steps, even ones M-steps.",
        "ja": "0 が開始、奇数の半ステップが E ステップ、偶数が M ステップです。",
        "ru": "0 — начало, нечётные полушаги — E-шаги, чётные — M-шаги.",
    },
    "stepview.predict": {
        "en": "Hide the future",
        "ja": "先を隠す",
        "ru": "Скрыть будущее",
    },
    "stepview.predict_help": {
        "en": (
            "Show the log-likelihood only as far as you have stepped, so the class can guess what "
            "comes next."
        ),
        "ja": "進めたところまでだけ対数尤度を表示します。次に何が起こるかをクラスで予想できます。",
        "ru": (
            "Показывать логарифм правдоподобия только до пройденного шага, чтобы класс мог "
            "угадать, что будет дальше."
        ),
    },
    "stepview.keys": {
        "en": "Keys: → next half-step · ← back · P play / pause · Home reset",
        "ja": "キー：→ 次の半ステップ · ← 戻る · P 再生／一時停止 · Home リセット",
        "ru": "Клавиши: → следующий полушаг · ← назад · P пуск / пауза · Home сброс",
    },
    "stepview.formula": {
        "en": "What just happened",
        "ja": "いま何が起きたか",
        "ru": "Что сейчас произошло",
    },
    "stepview.half": {
        "en": "half-step {h} of {last}",
        "ja": "半ステップ {h} / {last}",
        "ru": "полушаг {h} из {last}",
    },
    "stepview.half_hidden": {
        "en": "half-step {h}",
        "ja": "半ステップ {h}",
        "ru": "полушаг {h}",
    },
    "stepview.iteration": {
        "en": "Iteration {iteration} · {kind}",
        "ja": "反復 {iteration} · {kind}",
        "ru": "Итерация {iteration} · {kind}",
    },
    "stepview.kind_init": {
        "en": "Initialisation",
        "ja": "初期化",
        "ru": "Инициализация",
    },
    "stepview.kind_E": {
        "en": "E-step",
        "ja": "E ステップ",
        "ru": "E-шаг",
    },
    "stepview.kind_M": {
        "en": "M-step",
        "ja": "M ステップ",
        "ru": "M-шаг",
    },
    "stepview.ll": {
        "en": "log-likelihood {value}",
        "ja": "対数尤度 {value}",
        "ru": "логарифм правдоподобия {value}",
    },
    "stepview.dll": {
        "en": "ΔLL {value}",
        "ja": "ΔLL {value}",
        "ru": "ΔLL {value}",
    },
    "stepview.ari": {
        "en": "ARI vs known labels {value}",
        "ja": "既知ラベルとの ARI {value}",
        "ru": "ARI с известными метками {value}",
    },
    "stepview.explain_init": {
        "en": (
            "Starting parameters from {method} (seed {seed}). Points are grey: no responsibilities "
            "yet. Press E-step or Step."
        ),
        "ja": (
            "{method} による初期パラメータ（シード {seed}）。点は灰色です：まだ負担率がありません。"
            "E ステップまたは 1 反復を押してください。"
        ),
        "ru": (
            "Начальные параметры по методу {method} (зерно {seed}). Точки серые: ответственностей "
            "ещё нет. Нажмите «E-шаг» или «Итерация»."
        ),
    },
    "stepview.explain_init_manual": {
        "en": (
            "Starting parameters set by hand. Points are grey: no responsibilities yet. Press "
            "E-step or Step."
        ),
        "ja": (
            "手で設定した初期パラメータです。点は灰色です：まだ負担率がありません。E ステップまたは"
            " 1 反復を押してください。"
        ),
        "ru": (
            "Начальные параметры заданы вручную. Точки серые: ответственностей ещё нет. Нажмите "
            "«E-шаг» или «Итерация»."
        ),
    },
    "stepview.explain_E": {
        "en": (
            "E-step: each point is coloured by its responsibilities under the current ellipses. "
            "The ellipses have not moved."
        ),
        "ja": (
            "E ステップ：各点は現在の楕円のもとでの負担率で色付けされます。楕円は動いていません。"
        ),
        "ru": (
            "E-шаг: каждая точка окрашена по своим ответственностям при текущих эллипсах. Эллипсы "
            "не сдвинулись."
        ),
    },
    "stepview.explain_E_1d": {
        "en": (
            "E-step: the bands show each bin's responsibilities under the current densities. The "
            "densities have not moved."
        ),
        "ja": (
            "E ステップ：帯は現在の密度のもとでの各ビンの負担率を示します。密度は動いていません。"
        ),
        "ru": (
            "E-шаг: полосы показывают ответственности каждого интервала при текущих плотностях. "
            "Плотности не сдвинулись."
        ),
    },
    "stepview.explain_M": {
        "en": (
            "M-step: new π, μ, Σ from those responsibilities. The ellipses moved; the colours are "
            "still the responsibilities that moved them."
        ),
        "ja": (
            "M ステップ：その負担率から新しい π, μ, Σ を求めます。楕円が動きました。色は楕円を動か"
            "した負担率のままです。"
        ),
        "ru": (
            "M-шаг: новые π, μ, Σ по этим ответственностям. Эллипсы сдвинулись; цвета — всё ещё те "
            "ответственности, которые их сдвинули."
        ),
    },
    "stepview.explain_M_1d": {
        "en": (
            "M-step: new π, μ, σ² from those responsibilities. The densities moved; the bands are "
            "still the responsibilities that moved them."
        ),
        "ja": (
            "M ステップ：その負担率から新しい π, μ, σ² を求めます。密度が動きました。帯は密度を動か"
            "した負担率のままです。"
        ),
        "ru": (
            "M-шаг: новые π, μ, σ² по этим ответственностям. Плотности сдвинулись; полосы — всё "
            "ещё те ответственности, которые их сдвинули."
        ),
    },
    "stepview.explain_M_3d": {
        "en": (
            "M-step: new π, μ, Σ from those responsibilities. The ellipsoids moved; the colours "
            "are still the responsibilities that moved them."
        ),
        "ja": (
            "M ステップ：その負担率から新しい π, μ, Σ を求めます。楕円体が動きました。色は楕円体を"
            "動かした負担率のままです。"
        ),
        "ru": (
            "M-шаг: новые π, μ, Σ по этим ответственностям. Эллипсоиды сдвинулись; цвета — всё ещё "
            "те ответственности, которые их сдвинули."
        ),
    },
    "stepview.params_title": {
        "en": "Parameters at half-step {h} ({cov})",
        "ja": "半ステップ {h} のパラメータ（共分散 {cov}）",
        "ru": "Параметры на полушаге {h} (ковариации {cov})",
    },
    "stepview.stop_converged": {
        "en": (
            "Converged after {n_iter} iterations: the mean log-likelihood per point changed by "
            "less than tol = {tol}."
        ),
        "ja": (
            "{n_iter} 回の反復で収束しました：1 点あたりの平均対数尤度の変化が tol = {tol} 未満にな"
            "りました。"
        ),
        "ru": (
            "Сошлось за {n_iter} итераций: средний логарифм правдоподобия на точку изменился "
            "меньше чем на tol = {tol}."
        ),
    },
    "stepview.stop_max_iter": {
        "en": (
            "Stopped at max_iter = {max_iter} without converging (tol = {tol}). Raise max_iter or "
            "tol to let it finish."
        ),
        "ja": (
            "収束せずに max_iter = {max_iter} で停止しました（tol = {tol}）。max_iter か tol を大き"
            "くしてください。"
        ),
        "ru": (
            "Остановлено на max_iter = {max_iter} без сходимости (tol = {tol}). Увеличьте max_iter "
            "или tol."
        ),
    },
    "stepview.stop_collapsed": {
        "en": (
            "Stopped after {n_iter} iterations: component {component} collapsed (its covariance "
            "became singular, so the likelihood grows without bound). Increase reg_covar, lower K, "
            "or try New init."
        ),
        "ja": (
            "{n_iter} 回の反復後に停止：成分 {component} が崩壊しました（共分散が特異になり、尤度が"
            "際限なく増加します）。reg_covar を大きくする、K を減らす、または「再初期化」を試してく"
            "ださい。"
        ),
        "ru": (
            "Остановлено после {n_iter} итераций: компонента {component} выродилась (её ковариация "
            "стала вырожденной, и правдоподобие растёт неограниченно). Увеличьте reg_covar, "
            "уменьшите K или нажмите «Новый старт»."
        ),
    },
    "stepview.ll_bad": {
        "en": (
            "The log-likelihood decreased at iteration {iteration} by {amount}, more than "
            "reg_covar can explain (at most {allowed}). Exact EM never lowers the likelihood, so "
            "this points to a numerical problem ({count} such decrease(s) so far). Try "
            "standardising the columns or a larger reg_covar."
        ),
        "ja": (
            "反復 {iteration} で対数尤度が {amount} 減少しました。これは reg_covar で説明できる量（"
            "最大 {allowed}）を超えています。厳密な EM は尤度を下げないため、数値的な問題を示してい"
            "ます（これまでに {count} 回）。列を標準化するか reg_covar を大きくしてください。"
        ),
        "ru": (
            "На итерации {iteration} логарифм правдоподобия уменьшился на {amount} — больше, чем "
            "объясняет reg_covar (не более {allowed}). Точный EM никогда не уменьшает "
            "правдоподобие, значит, это численная проблема (таких уменьшений: {count}). "
            "Стандартизируйте столбцы или увеличьте reg_covar."
        ),
    },
    "stepview.ll_dips": {
        "en": (
            "The log-likelihood dipped slightly at iteration(s) {iterations}. That is expected: "
            "reg_covar = {reg} adds a small constant to every covariance's diagonal, so the M-step "
            "is not the exact maximiser. Each dip is within the bound reg_covar explains. Set "
            "reg_covar to 0 for exact EM."
        ),
        "ja": (
            "反復 {iterations} で対数尤度がわずかに下がりました。これは想定どおりです：reg_covar = "
            "{reg} は各共分散の対角に小さな定数を加えるため、M ステップは厳密な最大化になりません。"
            "各低下は reg_covar で説明できる範囲内です。厳密な EM には reg_covar を 0 にしてくださ"
            "い。"
        ),
        "ru": (
            "На итерациях {iterations} логарифм правдоподобия немного снизился. Это ожидаемо: "
            "reg_covar = {reg} добавляет небольшую константу к диагонали каждой ковариации, "
            "поэтому M-шаг — не точный максимум. Каждое снижение в пределах, объяснимых reg_covar. "
            "Для точного EM установите reg_covar = 0."
        ),
    },
    "stepview.responsibilities": {
        "en": "responsibilities",
        "ja": "負担率",
        "ru": "ответственности",
    },
    "stepview.no_resp": {
        "en": "no responsibilities before the first E-step",
        "ja": "最初の E ステップまでは負担率はありません",
        "ru": "до первого E-шага ответственностей ещё нет",
    },
    "stepview.add_hint": {
        "en": (
            "Click to add a point · Shift+click removes the nearest · drag a mean (×) at half-step "
            "0 to choose the start"
        ),
        "ja": (
            "クリックで点を追加 · Shift+クリックで最も近い点を削除 · 半ステップ 0 で平均（×）をドラ"
            "ッグして開始点を選ぶ"
        ),
        "ru": (
            "Щелчок добавляет точку · Shift+щелчок удаляет ближайшую · на полушаге 0 перетащите "
            "среднее (×), чтобы выбрать начало"
        ),
    },
    "stepview.draw_hint": {
        "en": "Click on the chart to draw points; EM starts once there are enough.",
        "ja": "グラフをクリックして点を描いてください。点が十分になると EM が始まります。",
        "ru": "Щёлкайте по графику, чтобы рисовать точки; EM начнётся, когда их станет достаточно.",
    },
    "stepview.loading": {
        "en": "Loading the stepper…",
        "ja": "ステッパーを読み込んでいます…",
        "ru": "Загрузка пошагового режима…",
    },
}
