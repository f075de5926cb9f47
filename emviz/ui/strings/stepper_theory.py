"""Words of the singularity, variational Bayes and two-coins steppers
(emviz/stepper_theory.py ``TEXT``; keys ``steptheory.<name>``).

The English of every entry is the module's default (tests/test_i18n.py checks it). ``{h}`` and
``{last}`` are filled in by the browser.
"""

STRINGS: dict[str, dict[str, str]] = {
    # ---- the controls, where a position is a whole iteration --------------------------------
    "steptheory.it_back_help": {
        "en": "One iteration back (key ←).",
        "ja": "1 反復戻ります（← キー）。",
        "ru": "На одну итерацию назад (клавиша ←).",
    },
    "steptheory.it_step_help": {
        "en": "One more iteration: an E-step then an M-step (key →).",
        "ja": "1 反復進みます：E ステップの後に M ステップ（→ キー）。",
        "ru": "Ещё одна итерация: E-шаг, затем M-шаг (клавиша →).",
    },
    "steptheory.it_play_help": {
        "en": "Play the run from here, one iteration at a time (key P).",
        "ja": "ここから 1 反復ずつ自動で再生します（P キー）。",
        "ru": "Проиграть запуск отсюда, по одной итерации (клавиша P).",
    },
    "steptheory.it_run_help": {
        "en": "Jump to the end of the run.",
        "ja": "実行の最後までジャンプします。",
        "ru": "Перейти к концу запуска.",
    },
    "steptheory.it_timeline_help": {
        "en": "0 is the start; each position is one more iteration (an E-step then an M-step).",
        "ja": "0 が開始で、1 つ進むごとに 1 反復（E ステップの後に M ステップ）です。",
        "ru": "0 — начало; каждая позиция — ещё одна итерация (E-шаг, затем M-шаг).",
    },
    "steptheory.it_keys": {
        "en": "Keys: → next iteration · ← back · P play / pause · Home reset",
        "ja": "キー：→ 次の反復 · ← 戻る · P 再生／一時停止 · Home リセット",
        "ru": "Клавиши: → следующая итерация · ← назад · P пуск / пауза · Home сброс",
    },
    "steptheory.it_half": {
        "en": "iteration {h} of {last}",
        "ja": "反復 {h} / {last}",
        "ru": "итерация {h} из {last}",
    },
    "steptheory.it_half_hidden": {
        "en": "iteration {h}",
        "ja": "反復 {h}",
        "ru": "итерация {h}",
    },
    "steptheory.it_label": {
        "en": "iteration {i}",
        "ja": "反復 {i}",
        "ru": "итерация {i}",
    },
    "steptheory.it_start": {
        "en": "Start (iteration 0)",
        "ja": "開始（反復 0）",
        "ru": "Начало (итерация 0)",
    },
    "steptheory.it_title": {
        "en": "Iteration {i}",
        "ja": "反復 {i}",
        "ru": "Итерация {i}",
    },
    "steptheory.predict_help": {
        "en": "Draw the curves only as far as you have stepped, so the class can predict what "
              "comes next.",
        "ja": "進めたところまでだけ曲線を描きます。次に何が起こるかをクラスで予想できます。",
        "ru": "Рисовать кривые только до пройденного шага, чтобы аудитория могла предсказать, "
              "что будет дальше.",
    },
    # ---- singularities ----------------------------------------------------------------------
    "steptheory.sing_ll": {
        "en": "log-likelihood ℓ",
        "ja": "対数尤度 ℓ",
        "ru": "лог. правдоподобие ℓ",
    },
    "steptheory.sing_min_det": {
        "en": "smallest det Σ_k",
        "ja": "最小の det Σ_k",
        "ru": "наименьший det Σ_k",
    },
    "steptheory.sing_min_det_value": {
        "en": "{det} (k = {k})",
        "ja": "{det}（k = {k}）",
        "ru": "{det} (k = {k})",
    },
    "steptheory.sing_dets": {
        "en": "det Σ_k = {dets}",
        "ja": "det Σ_k = {dets}",
        "ru": "det Σ_k = {dets}",
    },
    "steptheory.sing_caption": {
        "en": "The points are coloured by the responsibilities of the ellipses shown.",
        "ja": "点は表示中の楕円による負担率で色分けされています。",
        "ru": "Точки окрашены по ответственностям показанных эллипсов.",
    },
    "steptheory.sing_caption_collapsed": {
        "en": "The collapsed state: no E-step is possible, so the points keep the colours of the "
              "iteration before.",
        "ja": "崩壊した状態：E ステップができないため、点は 1 つ前の反復の色のままです。",
        "ru": "Схлопнувшееся состояние: E-шаг невозможен, поэтому точки сохраняют цвета "
              "предыдущей итерации.",
    },
    "steptheory.sing_collapsed": {
        "en": "Collapse detected at iteration {it}: component {k} shrank onto (nearly) one "
              "point. Its det Σ fell from {det0} to {det}, which is zero to machine precision: "
              "there the likelihood is unbounded (ℓ → +∞). EM stopped here instead of crashing. "
              "ℓ rose at every step, exactly as EM promises, but what it climbed towards is a "
              "degenerate spike, not a better model: maximum likelihood is ill-posed for "
              "mixtures. Switch on a remedy above.",
        "ja": "反復 {it} で崩壊を検出：成分 {k} が（ほぼ）1 点に縮みました。det Σ は {det0} から "
              "{det} に減少しました。これは計算機精度でゼロであり、尤度は有界でなくなります"
              "（ℓ → +∞）。EM はクラッシュせずここで停止しました。ℓ は EM の約束どおり毎ステップ"
              "増加しましたが、向かった先はより良いモデルではなく退化した尖りです。混合分布の"
              "最尤推定は不良設定なのです。上で対策を選んでください。",
        "ru": "Обнаружено схлопывание на итерации {it}: компонента {k} сжалась (почти) в одну "
              "точку. Её det Σ упал с {det0} до {det}, то есть до нуля с машинной точностью: "
              "там правдоподобие не ограничено (ℓ → +∞). EM остановился здесь, а не упал. "
              "ℓ росло на каждом шаге, как и обещает EM, но стремилось к вырожденному пику, а не "
              "к лучшей модели: метод максимального правдоподобия для смесей некорректен. "
              "Включите защиту выше.",
    },
    "steptheory.sing_no_collapse": {
        "en": "No collapse with these settings. Try the singularity trap preset, a larger K or "
              "another seed.",
        "ja": "この設定では崩壊は起きません。特異点トラップのプリセット、より大きな K、別のシードを"
              "試してください。",
        "ru": "При этих настройках схлопывания нет. Попробуйте пресет «ловушка», большее K или "
              "другое зерно.",
    },
    "steptheory.sing_no_collapse_baseline": {
        "en": "Even without a remedy this run does not collapse, so there is nothing to prevent "
              "here. The dashed line is the run without a remedy.",
        "ja": "対策なしでもこの実行は崩壊しないので、防ぐものはありません。破線は対策なしの実行"
              "です。",
        "ru": "Даже без защиты этот прогон не схлопывается, так что предотвращать нечего. "
              "Пунктир — прогон без защиты.",
    },
    "steptheory.sing_prevented": {
        "en": "{remedy} prevents the collapse. Without it EM collapsed at iteration {it} (dashed "
              "line); with it the run finishes after {n} iterations with every det Σ_k bounded "
              "away from 0.",
        "ja": "{remedy} で崩壊を防げます。対策なしでは反復 {it} で崩壊しました（破線）。"
              "対策ありでは {n} 反復で終了し、すべての det Σ_k は 0 から離れています。",
        "ru": "{remedy} предотвращает схлопывание. Без неё EM схлопнулся на итерации {it} "
              "(пунктир); с ней прогон завершается за {n} итераций, и все det Σ_k отделены от 0.",
    },
    # ---- variational Bayes ------------------------------------------------------------------
    "steptheory.vb_alive": {
        "en": "Components alive now",
        "ja": "現在生きている成分",
        "ru": "Живых компонент сейчас",
    },
    "steptheory.vb_alive_value": {
        "en": "{n} / {k}",
        "ja": "{n} / {k}",
        "ru": "{n} / {k}",
    },
    "steptheory.vb_elbo": {
        "en": "ELBO",
        "ja": "ELBO",
        "ru": "ELBO",
    },
    "steptheory.vb_drawn": {
        "en": "Drawn: the {n} components with E[π_k] > {threshold}. Each has the same number and "
              "colour in both charts.",
        "ja": "表示：E[π_k] > {threshold} の {n} 個の成分。どちらの図でも番号と色は同じです。",
        "ru": "Показаны {n} компонент с E[π_k] > {threshold}. На обоих графиках у каждой тот же "
              "номер и цвет.",
    },
    "steptheory.vb_end": {
        "en": "After {n} iterations ({stop}): {alive} of {k} components survive.",
        "ja": "{n} 反復後（{stop}）：{k} 個中 {alive} 個の成分が生き残りました。",
        "ru": "После {n} итераций ({stop}): выжили {alive} из {k} компонент.",
    },
    "steptheory.vb_end_exact": {
        "en": "After {n} iterations ({stop}): {alive} of {k} components survive. The ELBO never "
              "decreased; reg_covar = 0, so each update is the exact coordinate-ascent step.",
        "ja": "{n} 反復後（{stop}）：{k} 個中 {alive} 個の成分が生き残りました。ELBO は一度も"
              "減少しませんでした。reg_covar = 0 なので各更新は厳密な座標上昇ステップです。",
        "ru": "После {n} итераций ({stop}): выжили {alive} из {k} компонент. ELBO ни разу не "
              "уменьшилась; reg_covar = 0, поэтому каждое обновление — точный шаг "
              "покоординатного подъёма.",
    },
    "steptheory.vb_decreased": {
        "en": "The ELBO decreased at iteration {it} by {amount}: that should not happen; please "
              "report it.",
        "ja": "反復 {it} で ELBO が {amount} 減少しました。本来起こらないはずなので"
              "報告してください。",
        "ru": "ELBO уменьшилась на итерации {it} на {amount}: так быть не должно, сообщите об "
              "этом.",
    },
    "steptheory.vb_stop_converged": {
        "en": "converged",
        "ja": "収束",
        "ru": "сходимость",
    },
    "steptheory.vb_stop_max_iter": {
        "en": "reached max_iter",
        "ja": "max_iter に到達",
        "ru": "достигнут max_iter",
    },
    "steptheory.vb_stop_collapsed": {
        "en": "a covariance became singular",
        "ja": "共分散が特異になった",
        "ru": "ковариация стала вырожденной",
    },
    # ---- the two coins ----------------------------------------------------------------------
    "steptheory.coins_e_help": {
        "en": "P(A | set) for every set, and each set's heads and tails credited to the two "
              "coins in those proportions (key →).",
        "ja": "各組の P(A | 組) を求め、各組の表と裏をその割合で 2 枚のコインに割り振ります"
              "（→ キー）。",
        "ru": "P(A | серия) для каждой серии; орлы и решки серии делятся между монетами в этих "
              "долях (клавиша →).",
    },
    "steptheory.coins_m_help": {
        "en": "New θ_A and θ_B from the totals row of the table (key →).",
        "ja": "表の合計行から新しい θ_A と θ_B を求めます（→ キー）。",
        "ru": "Новые θ_A и θ_B по строке итогов таблицы (клавиша →).",
    },
    "steptheory.coins_run": {
        "en": "Run 10 iterations",
        "ja": "10 反復を実行",
        "ru": "10 итераций",
    },
    "steptheory.coins_run_help": {
        "en": "Jump to the end of the run (the paper stops after 10 iterations).",
        "ja": "実行の最後へジャンプします（論文は 10 反復で止めています）。",
        "ru": "Перейти к концу запуска (в статье — 10 итераций).",
    },
    "steptheory.coins_soft": {
        "en": "Soft EM",
        "ja": "ソフト EM",
        "ru": "Мягкий EM",
    },
    "steptheory.coins_hard": {
        "en": "Hard EM",
        "ja": "ハード EM",
        "ru": "Жёсткий EM",
    },
    "steptheory.coins_kind_init": {
        "en": "Start (iteration {i})",
        "ja": "開始（反復 {i}）",
        "ru": "Начало (итерация {i})",
    },
    "steptheory.coins_kind_E": {
        "en": "E-step of iteration {i}",
        "ja": "反復 {i} の E ステップ",
        "ru": "E-шаг итерации {i}",
    },
    "steptheory.coins_kind_M": {
        "en": "M-step of iteration {i}",
        "ja": "反復 {i} の M ステップ",
        "ru": "M-шаг итерации {i}",
    },
    "steptheory.coins_loglik": {
        "en": "log-likelihood",
        "ja": "対数尤度",
        "ru": "лог. правдоподобие",
    },
    "steptheory.coins_at_init": {
        "en": "Start: θ_A = {a}, θ_B = {b}. Press E-step to see which coin each set probably "
              "came from.",
        "ja": "開始：θ_A = {a}、θ_B = {b}。E ステップを押すと、各組がどちらのコインらしいかが"
              "分かります。",
        "ru": "Начало: θ_A = {a}, θ_B = {b}. Нажмите «E-шаг», чтобы увидеть, какой монетой, "
              "вероятно, сделана каждая серия.",
    },
    "steptheory.coins_after_e": {
        "en": "E-step {i}: P(A | set) for each set, and the expected heads and tails credited to "
              "each coin (table). θ has not changed yet.",
        "ja": "E ステップ {i}：各組の P(A | 組) と、各コインに割り振られた表・裏の期待数（表）。"
              "θ はまだ変わっていません。",
        "ru": "E-шаг {i}: P(A | серия) для каждой серии и ожидаемые орлы и решки каждой монеты "
              "(таблица). θ пока не изменился.",
    },
    "steptheory.coins_after_m": {
        "en": "M-step {i}: θ_A = {ha} / ({ha} + {ta}) = {a} and θ_B = {hb} / ({hb} + {tb}) = "
              "{b}, from the totals row.",
        "ja": "M ステップ {i}：合計行から θ_A = {ha} / ({ha} + {ta}) = {a}、θ_B = {hb} / "
              "({hb} + {tb}) = {b}。",
        "ru": "M-шаг {i}: по строке итогов θ_A = {ha} / ({ha} + {ta}) = {a} и θ_B = {hb} / "
              "({hb} + {tb}) = {b}.",
    },
    "steptheory.coins_table0": {
        "en": "The sets: no E-step yet, so no heads or tails are credited to a coin.",
        "ja": "投げの組：まだ E ステップがないので、表も裏もどちらのコインにも"
              "割り振られていません。",
        "ru": "Серии: E-шага ещё не было, поэтому орлы и решки не отнесены ни к одной монете.",
    },
    "steptheory.coins_table": {
        "en": "E-step {i}: P(coin | set) and the heads and tails credited to each coin; the "
              "M-step divides the totals.",
        "ja": "E ステップ {i}：P(コイン | 組) と各コインに割り振られた表と裏。M ステップは合計を"
              "割り算します。",
        "ru": "E-шаг {i}: P(монета | серия) и орлы и решки, отнесённые к каждой монете; M-шаг "
              "делит итоги.",
    },
    "steptheory.coins_no_estep": {
        "en": "no E-step yet",
        "ja": "まだ E ステップなし",
        "ru": "E-шага ещё не было",
    },
    "steptheory.coins_compare": {
        "en": "After 10 iterations: soft EM θ_A = {sa}, θ_B = {sb} (the paper: 0.80, 0.52); "
              "hard EM θ_A = {ha}, θ_B = {hb}. Hard EM throws away the uncertainty, so it "
              "behaves like k-means on the sets.",
        "ja": "10 反復後：ソフト EM θ_A = {sa}、θ_B = {sb}（論文：0.80、0.52）、ハード EM "
              "θ_A = {ha}、θ_B = {hb}。ハード EM は不確かさを捨てるので、組に対する k-means の"
              "ように振る舞います。",
        "ru": "После 10 итераций: мягкий EM θ_A = {sa}, θ_B = {sb} (в статье: 0.80, 0.52); "
              "жёсткий EM θ_A = {ha}, θ_B = {hb}. Жёсткий EM отбрасывает неопределённость и "
              "ведёт себя как k-means на сериях.",
    },
}
