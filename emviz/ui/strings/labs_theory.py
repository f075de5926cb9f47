# ruff: noqa: E501  (translations read better unbroken)
"""Strings of the theory labs (ELBO/KL, singularities, variational Bayes, the two coins).

Keys: ``theory.*`` shared by the four pages (``theory.fig.*`` label the figures of
:mod:`emviz.figures_theory`), then ``elbo.*``, ``sing.*``, ``vb.*`` and ``coins.*``.
"""

STRINGS: dict[str, dict[str, str]] = {
    "labs.hide_future": {"en": "Hide the future", "ja": "先を隠す", "ru": "Скрыть будущее"},
    "labs.hide_future_help": {
        "en": "Draw the curves only up to the current iteration, so the class can predict what "
              "comes next before it is shown. Turning it on goes back to the start.",
        "ja": "曲線を現在の反復までだけ描きます。次に何が起こるかを、表示される前に予想できます。"
              "オンにすると最初に戻ります。",
        "ru": "Рисовать кривые только до текущей итерации, чтобы аудитория могла предсказать "
              "следующий шаг до того, как он показан. При включении — возврат к началу.",
    },
    # ---- shared -----------------------------------------------------------------------
    "theory.data": {"en": "Data", "ja": "データ", "ru": "Данные"},
    "theory.model": {"en": "Model", "ja": "モデル", "ru": "Модель"},
    "theory.choose_data": {
        "en": "Choose data in the sidebar: a synthetic mixture, a sample or a CSV file.",
        "ja": "サイドバーでデータを選んでください（合成混合、サンプル、CSV ファイル）。",
        "ru": "Выберите данные на боковой панели: синтетическую смесь, пример или CSV-файл.",
    },
    "theory.preparing": {"en": "preparing the data", "ja": "データの準備中",
                         "ru": "подготовка данных"},
    "theory.running_em": {"en": "running EM", "ja": "EM の実行中", "ru": "запуск EM"},
    "theory.drawing": {"en": "drawing the figure", "ja": "図の描画中",
                       "ru": "построение рисунка"},
    "theory.k": {"en": "K (components)", "ja": "K（成分数）", "ru": "K (число компонент)"},
    "theory.covariance_type": {"en": "covariance_type", "ja": "covariance_type（共分散の型）",
                               "ru": "covariance_type (тип ковариации)"},
    "theory.seed": {"en": "Seed", "ja": "シード", "ru": "Зерно"},
    "theory.e_step": {"en": "E-step", "ja": "E ステップ", "ru": "E-шаг"},
    "theory.m_step": {"en": "M-step", "ja": "M ステップ", "ru": "M-шаг"},
    "theory.step": {"en": "Step (E+M)", "ja": "1 反復（E+M）", "ru": "Итерация (E+M)"},
    "theory.run": {"en": "Run to the end", "ja": "最後まで実行", "ru": "До конца"},
    "theory.reset": {"en": "Reset", "ja": "リセット", "ru": "Сброс"},
    "theory.e_step_help": {
        "en": "Set q to the posterior p(Z|X, θ) of the current parameters.",
        "ja": "q を現在のパラメータの事後分布 p(Z|X, θ) にします。",
        "ru": "Положить q равным апостериорному p(Z|X, θ) при текущих параметрах.",
    },
    "theory.m_step_help": {
        "en": "Move θ to the maximiser of L(q, θ) for the current q.",
        "ja": "現在の q に対して L(q, θ) を最大にする θ へ移します。",
        "ru": "Перевести θ в точку максимума L(q, θ) при текущем q.",
    },
    "theory.step_help": {"en": "Finish the current iteration (E-step and M-step).",
                         "ja": "現在の反復（E と M）を完了します。",
                         "ru": "Завершить текущую итерацию (E- и M-шаг)."},
    "theory.run_help": {"en": "Jump to the last half-step.", "ja": "最後の半ステップへ移動します。",
                        "ru": "Перейти к последнему полушагу."},
    "theory.reset_help": {"en": "Back to the start.", "ja": "最初に戻ります。",
                          "ru": "Вернуться к началу."},
    "theory.timeline": {"en": "Half-step", "ja": "半ステップ", "ru": "Полушаг"},
    "theory.timeline_help": {
        "en": "0 is the start; odd numbers are E-steps, even numbers M-steps.",
        "ja": "0 は開始点、奇数は E ステップ、偶数は M ステップです。",
        "ru": "0 — начало; нечётные — E-шаги, чётные — M-шаги.",
    },
    "theory.half_step_of": {"en": "half-step {h} of {last}", "ja": "半ステップ {h} / {last}",
                            "ru": "полушаг {h} из {last}"},
    "theory.kind.init": {"en": "Start (iteration {i})", "ja": "開始（反復 {i}）",
                         "ru": "Начало (итерация {i})"},
    "theory.kind.E": {"en": "E-step of iteration {i}", "ja": "反復 {i} の E ステップ",
                      "ru": "E-шаг итерации {i}"},
    "theory.kind.M": {"en": "M-step of iteration {i}", "ja": "反復 {i} の M ステップ",
                      "ru": "M-шаг итерации {i}"},
    # ---- figure labels (emviz.figures_theory.DEFAULT_LABELS) --------------------------
    "theory.fig.elbo": {"en": "L(q, θ)", "ja": "L(q, θ)", "ru": "L(q, θ)"},
    "theory.fig.kl": {"en": "KL(q ‖ p(Z|X, θ))", "ja": "KL(q ‖ p(Z|X, θ))",
                      "ru": "KL(q ‖ p(Z|X, θ))"},
    "theory.fig.lnp": {"en": "ln p(X|θ)", "ja": "ln p(X|θ)", "ru": "ln p(X|θ)"},
    "theory.fig.q": {"en": "Q = E_q[ln p(X, Z|θ)]", "ja": "Q = E_q[ln p(X, Z|θ)]",
                     "ru": "Q = E_q[ln p(X, Z|θ)]"},
    "theory.fig.entropy": {"en": "H(q)", "ja": "H(q)", "ru": "H(q)"},
    "theory.fig.init": {"en": "init", "ja": "初期", "ru": "начало"},
    "theory.fig.half_step": {"en": "half-step", "ja": "半ステップ", "ru": "полушаг"},
    "theory.fig.above_baseline": {"en": "nats above the baseline", "ja": "基準線からの高さ（nat）",
                                  "ru": "нат над базовой линией"},
    "theory.fig.baseline_note": {
        "en": "Bars start at a baseline of {baseline} nats (just below the lowest L shown), <br>"
        "so small changes stay visible: height = value − baseline, and L + KL = ln p exactly.",
        "ja": "棒は基準線 {baseline} nat（表示中の最小の L のすぐ下）から始まります。<br>"
        "小さな変化も見えるよう、高さ = 値 − 基準線。L + KL = ln p が厳密に成り立ちます。",
        "ru": "Столбцы начинаются от базовой линии {baseline} нат (чуть ниже наименьшего L), <br>"
        "чтобы были видны малые изменения: высота = значение − база, L + KL = ln p точно.",
    },
    "theory.fig.no_q": {"en": "no q yet", "ja": "q はまだない", "ru": "q ещё нет"},
    "theory.fig.decomposition": {"en": "nats", "ja": "nat", "ru": "нат"},
    "theory.fig.decomp_note": {
        "en": "L = Q + H(q); ln p = L + KL. <br>Values in nats (totals over the N points).",
        "ja": "L = Q + H(q)、ln p = L + KL。<br>値は nat 単位（N 点の合計）。",
        "ru": "L = Q + H(q); ln p = L + KL. <br>Значения в натах (суммы по N точкам).",
    },
    "theory.fig.iteration": {"en": "iteration", "ja": "反復", "ru": "итерация"},
    "theory.fig.det": {"en": "det Σ_k (log scale)", "ja": "det Σ_k（対数目盛）",
                       "ru": "det Σ_k (лог. шкала)"},
    "theory.fig.loglik": {"en": "log-likelihood ℓ", "ja": "対数尤度 ℓ",
                          "ru": "логарифм правдоподобия ℓ"},
    "theory.fig.component": {"en": "k = {k}", "ja": "k = {k}", "ru": "k = {k}"},
    "theory.fig.collapsed_at": {
        "en": "component {k} collapsed: det Σ → 0, ℓ → +∞",
        "ja": "成分 {k} が崩壊: det Σ → 0、ℓ → +∞",
        "ru": "компонента {k} схлопнулась: det Σ → 0, ℓ → +∞",
    },
    "theory.fig.infinite": {"en": "ℓ = +∞", "ja": "ℓ = +∞", "ru": "ℓ = +∞"},
    "theory.fig.baseline_run": {"en": "without a remedy", "ja": "対策なし",
                                "ru": "без защиты"},
    "theory.fig.vb_elbo": {"en": "ELBO L(q)", "ja": "ELBO L(q)", "ru": "ELBO L(q)"},
    "theory.fig.vb_weights": {"en": "expected weight E[π_k]", "ja": "重みの期待値 E[π_k]",
                              "ru": "ожидаемый вес E[π_k]"},
    "theory.fig.threshold": {"en": "threshold {threshold}", "ja": "しきい値 {threshold}",
                             "ru": "порог {threshold}"},
    "theory.fig.p_a": {"en": "P(A | set)", "ja": "P(A | 組)", "ru": "P(A | серия)"},
    "theory.fig.p_b": {"en": "P(B | set)", "ja": "P(B | 組)", "ru": "P(B | серия)"},
    "theory.fig.set": {"en": "set", "ja": "組", "ru": "серия"},
    "theory.fig.theta": {"en": "θ", "ja": "θ", "ru": "θ"},
    "theory.fig.soft": {"en": "soft EM", "ja": "ソフト EM", "ru": "мягкий EM"},
    "theory.fig.hard": {"en": "hard EM", "ja": "ハード EM", "ru": "жёсткий EM"},
    "theory.fig.theta_a": {"en": "θ_A", "ja": "θ_A", "ru": "θ_A"},
    "theory.fig.theta_b": {"en": "θ_B", "ja": "θ_B", "ru": "θ_B"},
    "theory.fig.mle": {
        "en": "labels known: θ_A = {a:.2f}, θ_B = {b:.2f}",
        "ja": "ラベル既知: θ_A = {a:.2f}、θ_B = {b:.2f}",
        "ru": "метки известны: θ_A = {a:.2f}, θ_B = {b:.2f}",
    },
    "theory.fig.tosses": {"en": "tosses", "ja": "投げた結果", "ru": "броски"},
    "theory.fig.heads": {"en": "heads", "ja": "表", "ru": "орлы"},
    "theory.fig.tails": {"en": "tails", "ja": "裏", "ru": "решки"},
    "theory.fig.heads_a": {"en": "heads → A", "ja": "表 → A", "ru": "орлы → A"},
    "theory.fig.tails_a": {"en": "tails → A", "ja": "裏 → A", "ru": "решки → A"},
    "theory.fig.heads_b": {"en": "heads → B", "ja": "表 → B", "ru": "орлы → B"},
    "theory.fig.tails_b": {"en": "tails → B", "ja": "裏 → B", "ru": "решки → B"},
    "theory.fig.total": {"en": "total", "ja": "合計", "ru": "итого"},
    "elbo.nav": {"en": "Lower bound (ELBO/KL)", "ja": "下界（ELBO/KL）", "ru": "Нижняя граница (ELBO/KL)"},
    "sing.nav": {"en": "Singularities", "ja": "特異点", "ru": "Сингулярности"},
    "vb.nav": {"en": "Variational Bayes", "ja": "変分ベイズ", "ru": "Вариационный Байес"},
    "coins.nav": {"en": "Two coins", "ja": "2 枚のコイン", "ru": "Две монеты"},
    # ---- ELBO / KL ----------------------------------------------------------------------
    "elbo.title": {"en": "Why EM works: the lower bound, live",
                   "ja": "EM が働く理由：下界をリアルタイムで",
                   "ru": "Почему EM работает: нижняя граница вживую"},
    "elbo.intro": {
        "en": "For any distribution q over the hidden assignments Z, "
        "**ln p(X|θ) = L(q, θ) + KL(q ‖ p(Z|X, θ))** with "
        "L(q, θ) = Σ_Z q(Z) ln [p(X, Z|θ) / q(Z)] and KL ≥ 0, so L is a lower bound "
        "(Bishop, PRML figs. 9.11–9.14). The **E-step** sets q = p(Z|X, θ): KL = 0 and L "
        "touches ln p. The **M-step** maximises L over θ with q fixed: L rises, ln p rises at "
        "least as much, and KL > 0 opens up again. Step through it on the data in the sidebar.",
        "ja": "隠れた割り当て Z 上の任意の分布 q について "
        "**ln p(X|θ) = L(q, θ) + KL(q ‖ p(Z|X, θ))** が成り立ちます。ここで "
        "L(q, θ) = Σ_Z q(Z) ln [p(X, Z|θ) / q(Z)]、KL ≥ 0 なので L は下界です"
        "（Bishop PRML 図 9.11–9.14）。**E ステップ**は q = p(Z|X, θ) とし、KL = 0 で L が ln p "
        "に接します。**M ステップ**は q を固定して L を θ について最大化します。L が上がり、"
        "ln p は少なくとも同じだけ上がり、KL > 0 が再び開きます。サイドバーのデータで一歩ずつ"
        "確かめてください。",
        "ru": "Для любого распределения q по скрытым меткам Z "
        "**ln p(X|θ) = L(q, θ) + KL(q ‖ p(Z|X, θ))**, где "
        "L(q, θ) = Σ_Z q(Z) ln [p(X, Z|θ) / q(Z)] и KL ≥ 0, так что L — нижняя граница "
        "(Бишоп, PRML, рис. 9.11–9.14). **E-шаг** полагает q = p(Z|X, θ): KL = 0, и L касается "
        "ln p. **M-шаг** максимизирует L по θ при фиксированном q: L растёт, ln p растёт не "
        "меньше, и снова появляется KL > 0. Пройдите по шагам на данных с боковой панели.",
    },
    "elbo.exact_note": {
        "en": "reg_covar = 0 (exact EM), init random_from_data: ln p never decreases.",
        "ja": "reg_covar = 0（厳密な EM）、初期化 random_from_data：ln p は決して減りません。",
        "ru": "reg_covar = 0 (точный EM), инициализация random_from_data: ln p не убывает.",
    },
    "elbo.at_init": {
        "en": "Start: ln p(X|θ) = {lnp}. There is no q yet, so no bound: press E-step.",
        "ja": "開始：ln p(X|θ) = {lnp}。まだ q がないので下界もありません。E ステップを押してください。",
        "ru": "Начало: ln p(X|θ) = {lnp}. q ещё нет, значит, нет и границы: нажмите «E-шаг».",
    },
    "elbo.after_e": {
        "en": "After the E-step q = p(Z|X, θ), so KL = 0 (here {kl}, rounding) and L touches "
        "ln p. θ did not move, so ln p is unchanged.",
        "ja": "E ステップ後は q = p(Z|X, θ) なので KL = 0（ここでは丸め誤差 {kl}）、L は ln p に"
        "接します。θ は動かないので ln p は変わりません。",
        "ru": "После E-шага q = p(Z|X, θ), поэтому KL = 0 (здесь {kl} — округление), и L касается "
        "ln p. θ не изменился, значит, ln p тот же.",
    },
    "elbo.after_m": {
        "en": "After the M-step θ maximises L(q, θ) for the old q: ln p changed by {dlnp}, and "
        "KL = {kl} > 0 because q is now stale. The next E-step closes that gap.",
        "ja": "M ステップ後、θ は古い q に対して L(q, θ) を最大化します。ln p の変化は {dlnp}、"
        "q が古くなったため KL = {kl} > 0 です。次の E ステップがこの差を閉じます。",
        "ru": "После M-шага θ максимизирует L(q, θ) при старом q: ln p изменился на {dlnp}, а "
        "KL = {kl} > 0, потому что q устарело. Следующий E-шаг закроет этот зазор.",
    },
    "elbo.why": {
        "en": "**Why Q?** L(q, θ) = Q(θ, θ_old) + H(q) with "
        "Q = Σ_n Σ_k r_nk ln [π_k N(x_n; μ_k, Σ_k)] and H(q) = −Σ_n Σ_k r_nk ln r_nk. "
        "H does not depend on θ, so maximising Q in the M-step maximises L. "
        "Hence ln p(θ_new) ≥ L(q, θ_new) ≥ L(q, θ_old) = ln p(θ_old).",
        "ja": "**なぜ Q か？** L(q, θ) = Q(θ, θ_old) + H(q)、ここで "
        "Q = Σ_n Σ_k r_nk ln [π_k N(x_n; μ_k, Σ_k)]、H(q) = −Σ_n Σ_k r_nk ln r_nk。"
        "H は θ に依存しないので、M ステップで Q を最大化すれば L も最大化されます。"
        "よって ln p(θ_new) ≥ L(q, θ_new) ≥ L(q, θ_old) = ln p(θ_old)。",
        "ru": "**Почему Q?** L(q, θ) = Q(θ, θ_old) + H(q), где "
        "Q = Σ_n Σ_k r_nk ln [π_k N(x_n; μ_k, Σ_k)] и H(q) = −Σ_n Σ_k r_nk ln r_nk. "
        "H не зависит от θ, поэтому максимизация Q на M-шаге максимизирует L. "
        "Отсюда ln p(θ_new) ≥ L(q, θ_new) ≥ L(q, θ_old) = ln p(θ_old).",
    },
    "elbo.collapsed": {
        "en": "This run stopped because component {k} collapsed (reg_covar = 0); see the "
        "Singularities lab.",
        "ja": "成分 {k} が崩壊したため（reg_covar = 0）この実行は停止しました。特異点ラボを"
        "参照してください。",
        "ru": "Прогон остановлен: компонента {k} схлопнулась (reg_covar = 0); см. лабораторию "
        "«Сингулярности».",
    },
    # ---- singularities ------------------------------------------------------------------
    "sing.title": {"en": "Singularities: when the likelihood runs off to +∞",
                   "ja": "特異点：尤度が +∞ に発散するとき",
                   "ru": "Сингулярности: когда правдоподобие уходит в +∞"},
    "sing.intro": {
        "en": "If a mean μ_k sits on a data point and Σ_k shrinks, N(x_n; μ_k, Σ_k) → ∞, so "
        "ℓ(θ) = Σ_n ln Σ_k π_k N(x_n; μ_k, Σ_k) has no maximum: with reg_covar = 0 EM can "
        "climb into that hole (det Σ_k → 0). A single Gaussian cannot do this; a mixture can, "
        "because the other components still explain the rest of the data. Pick a remedy and "
        "watch the collapse disappear.",
        "ja": "平均 μ_k がデータ点上にあり Σ_k が縮むと N(x_n; μ_k, Σ_k) → ∞ となり、"
        "ℓ(θ) = Σ_n ln Σ_k π_k N(x_n; μ_k, Σ_k) には最大値がありません。reg_covar = 0 の EM は"
        "この穴に登っていきます（det Σ_k → 0）。単一のガウス分布では起こりませんが、混合では"
        "他の成分が残りのデータを説明するので起こります。対策を選び、崩壊が消えるのを見てください。",
        "ru": "Если среднее μ_k совпадает с точкой данных, а Σ_k сжимается, то N(x_n; μ_k, Σ_k) → ∞, "
        "и у ℓ(θ) = Σ_n ln Σ_k π_k N(x_n; μ_k, Σ_k) нет максимума: при reg_covar = 0 EM может "
        "скатиться в эту яму (det Σ_k → 0). Одна гауссиана так не может, а смесь — может, потому "
        "что остальные компоненты объясняют прочие данные. Выберите защиту и посмотрите, как "
        "схлопывание исчезает.",
    },
    "sing.settings": {"en": "Singularity lab", "ja": "特異点ラボ", "ru": "Лаборатория сингулярностей"},
    "sing.source": {"en": "Data", "ja": "データ", "ru": "Данные"},
    "sing.source.trap": {"en": "Singularity trap preset", "ja": "特異点トラップ（プリセット）",
                         "ru": "Пресет «ловушка сингулярности»"},
    "sing.source.current": {"en": "Current data source (below)", "ja": "現在のデータソース（下）",
                            "ru": "Текущий источник данных (ниже)"},
    "sing.init": {"en": "init_params", "ja": "init_params（初期化）",
                  "ru": "init_params (инициализация)"},
    "sing.remedy": {"en": "Remedy", "ja": "対策", "ru": "Защита"},
    "sing.remedy_help": {
        "en": "Each remedy runs from the same start as the plain run.",
        "ja": "どの対策も対策なしの実行と同じ初期値から始まります。",
        "ru": "Каждая защита стартует из той же точки, что и обычный прогон.",
    },
    "sing.remedy.none": {"en": "None (reg_covar = 0)", "ja": "なし（reg_covar = 0）",
                         "ru": "Нет (reg_covar = 0)"},
    "sing.remedy.reg_covar": {"en": "Covariance floor", "ja": "共分散の下限",
                              "ru": "Нижняя граница ковариации"},
    "sing.remedy.reseed": {"en": "Re-seed the component", "ja": "成分の再配置",
                           "ru": "Перезапуск компоненты"},
    "sing.remedy.map": {"en": "MAP (conjugate prior)", "ja": "MAP（共役事前分布）",
                        "ru": "MAP (сопряжённый априор)"},
    "sing.remedy_desc.none": {
        "en": "Plain EM with reg_covar = 0: nothing stops a component shrinking onto a point.",
        "ja": "reg_covar = 0 の素の EM：成分が 1 点に縮むのを止めるものはありません。",
        "ru": "Обычный EM с reg_covar = 0: ничто не мешает компоненте сжаться в точку.",
    },
    "sing.remedy_desc.reg_covar": {
        "en": "Σ_k ← S_k + εI after each M-step: no variance can fall below ε.",
        "ja": "各 M ステップ後に Σ_k ← S_k + εI：分散は ε より小さくなれません。",
        "ru": "Σ_k ← S_k + εI после каждого M-шага: дисперсия не может стать меньше ε.",
    },
    "sing.remedy_desc.reseed": {
        "en": "When det Σ_k collapses, restart component k at a far-away point with the data's "
        "covariance (k-means++ style); exact EM otherwise.",
        "ja": "det Σ_k が崩壊したら、成分 k を遠い点にデータの共分散で置き直します（k-means++ 風）。"
        "それ以外は厳密な EM です。",
        "ru": "Когда det Σ_k схлопывается, компонента k перезапускается в далёкой точке с "
        "ковариацией данных (как в k-means++); в остальном — точный EM.",
    },
    "sing.remedy_desc.map": {
        "en": "Inverse-Wishart prior on Σ_k (Fraley & Raftery 2007): Σ_k = (Λ_P + W_k + …) / "
        "(ν_P + N_k + D + 2) ⪰ Λ_P / (ν_P + N_k + D + 2), never singular.",
        "ja": "Σ_k に逆ウィシャート事前分布（Fraley & Raftery 2007）：Σ_k = (Λ_P + W_k + …) / "
        "(ν_P + N_k + D + 2) ⪰ Λ_P / (ν_P + N_k + D + 2)、決して特異になりません。",
        "ru": "Обратное распределение Уишарта на Σ_k (Fraley & Raftery 2007): Σ_k = (Λ_P + W_k + …) / "
        "(ν_P + N_k + D + 2) ⪰ Λ_P / (ν_P + N_k + D + 2), никогда не вырождается.",
    },
    "sing.floor": {"en": "reg_covar floor ε", "ja": "reg_covar の下限 ε",
                   "ru": "нижняя граница reg_covar ε"},
    "sing.floor_auto": {"en": "auto (10⁻³ × data variance)", "ja": "自動（10⁻³ × データの分散）",
                        "ru": "авто (10⁻³ × дисперсия данных)"},
    "sing.collapsed": {
        "en": "**Collapse detected** at iteration {it}: component {k} shrank onto (nearly) one "
        "point. Its det Σ fell from {det0} to {det}, which is zero to machine precision: there the "
        "likelihood is unbounded (ℓ → +∞). EM stopped here instead of crashing.",
        "ja": "反復 {it} で**崩壊を検出**：成分 {k} が（ほぼ）1 点に縮みました。det Σ は {det0} から "
        "{det} に減少しました。これは計算機精度でゼロであり、尤度は有界でなくなります（ℓ → +∞）。EM はクラッシュせず"
        "ここで停止しました。",
        "ru": "**Обнаружено схлопывание** на итерации {it}: компонента {k} сжалась (почти) в одну "
        "точку. Её det Σ упал с {det0} до {det}, то есть до нуля с машинной точностью: там "
        "правдоподобие не ограничено (ℓ → +∞). EM остановился здесь, а не упал.",
    },
    "sing.why": {
        "en": "ℓ rises at every step, exactly as EM promises, but what it climbs towards is a "
        "degenerate spike, not a better model: maximum likelihood is ill-posed for mixtures. "
        "Switch on a remedy above.",
        "ja": "ℓ は EM の約束どおり毎ステップ増加しますが、向かう先はより良いモデルではなく退化した"
        "尖りです。混合分布の最尤推定は不良設定なのです。上で対策を選んでください。",
        "ru": "ℓ растёт на каждом шаге, как и обещает EM, но стремится к вырожденному пику, а не к "
        "лучшей модели: метод максимального правдоподобия для смесей некорректен. Включите "
        "защиту выше.",
    },
    "sing.no_collapse": {
        "en": "No collapse with these settings. Try the singularity trap preset, a larger K or "
        "another seed.",
        "ja": "この設定では崩壊は起きません。特異点トラップのプリセット、より大きな K、別のシードを"
        "試してください。",
        "ru": "При этих настройках схлопывания нет. Попробуйте пресет «ловушка», большее K или "
        "другое зерно.",
    },
    "sing.no_collapse_baseline": {
        "en": "Even without a remedy this run does not collapse, so there is nothing to prevent "
        "here. The dashed line is the run without a remedy.",
        "ja": "対策なしでもこの実行は崩壊しないので、防ぐものはありません。破線は対策なしの実行です。",
        "ru": "Даже без защиты этот прогон не схлопывается, так что предотвращать нечего. "
        "Пунктир — прогон без защиты.",
    },
    "sing.prevented": {
        "en": "**{remedy} prevents the collapse.** Without it EM collapsed at iteration {it} "
        "(dashed line); with it the run finishes after {n} iterations with every det Σ_k "
        "bounded away from 0.",
        "ja": "**{remedy} で崩壊を防げます。** 対策なしでは反復 {it} で崩壊しました（破線）。対策ありでは"
        "{n} 反復で終了し、すべての det Σ_k は 0 から離れています。",
        "ru": "**{remedy} предотвращает схлопывание.** Без неё EM схлопнулся на итерации {it} "
        "(пунктир); с ней прогон завершается за {n} итераций, и все det Σ_k отделены от 0.",
    },
    "sing.iteration": {"en": "Iteration", "ja": "反復", "ru": "Итерация"},
    "sing.dets": {
        "en": "Iteration {it}: det Σ_k = {dets}; ℓ = {ll}.",
        "ja": "反復 {it}：det Σ_k = {dets}、ℓ = {ll}。",
        "ru": "Итерация {it}: det Σ_k = {dets}; ℓ = {ll}.",
    },
    "sing.notes": {"en": "What the remedy did ({n} notes)", "ja": "対策の記録（{n} 件）",
                   "ru": "Что сделала защита ({n} записей)"},
    # ---- variational Bayes ----------------------------------------------------------------
    "vb.title": {"en": "Variational Bayes GMM: surplus components die off",
                 "ja": "変分ベイズ GMM：余分な成分が消えていく",
                 "ru": "Вариационный байесовский GMM: лишние компоненты отмирают"},
    "vb.intro": {
        "en": "Priors π ~ Dir(α_0) and μ_k, Λ_k ~ N(m_0, (β_0 Λ_k)⁻¹) W(W_0, ν_0) (Bishop §10.2). "
        "Start with more components than clusters: with a small concentration α_0, "
        "E[π_k] = α_k / Σ_j α_j of the surplus ones goes to 0 while the ELBO rises; with a "
        "large α_0 they all survive. Move the slider.",
        "ja": "事前分布 π ~ Dir(α_0)、μ_k, Λ_k ~ N(m_0, (β_0 Λ_k)⁻¹) W(W_0, ν_0)（Bishop §10.2）。"
        "クラスタより多い成分から始めます。集中度 α_0 が小さいと、余分な成分の "
        "E[π_k] = α_k / Σ_j α_j は ELBO の上昇とともに 0 に向かいます。α_0 が大きいと全成分が"
        "残ります。スライダーを動かしてください。",
        "ru": "Априорные распределения π ~ Dir(α_0) и μ_k, Λ_k ~ N(m_0, (β_0 Λ_k)⁻¹) W(W_0, ν_0) "
        "(Бишоп, §10.2). Начните с числа компонент больше числа кластеров: при малой концентрации "
        "α_0 у лишних E[π_k] = α_k / Σ_j α_j стремится к 0, пока ELBO растёт; при большой α_0 "
        "выживают все. Подвигайте ползунок.",
    },
    "vb.settings": {"en": "Variational Bayes", "ja": "変分ベイズ", "ru": "Вариационный Байес"},
    "vb.source": {"en": "Data", "ja": "データ", "ru": "Данные"},
    "vb.source.well_separated": {"en": "3 clusters in 2D (well separated)",
                                 "ja": "2 次元の 3 クラスタ（よく分離）",
                                 "ru": "3 кластера в 2D (хорошо разделены)"},
    "vb.source.six_clusters_3d": {"en": "6 clusters in 3D", "ja": "3 次元の 6 クラスタ",
                                  "ru": "6 кластеров в 3D"},
    "vb.source.current": {"en": "Current data source (below)", "ja": "現在のデータソース（下）",
                          "ru": "Текущий источник данных (ниже)"},
    "vb.k": {"en": "K (components to start with)", "ja": "K（初期の成分数）",
             "ru": "K (начальное число компонент)"},
    "vb.k_help": {"en": "Deliberately more than the data need.",
                  "ja": "データが必要とするより意図的に多くします。",
                  "ru": "Намеренно больше, чем нужно данным."},
    "vb.alpha": {"en": "Weight concentration α_0", "ja": "重みの集中度 α_0",
                 "ru": "Концентрация весов α_0"},
    "vb.alpha_help": {
        "en": "Small: few components survive. Large: all of them do.",
        "ja": "小さいと生き残る成分は少なく、大きいと全成分が残ります。",
        "ru": "Малая — выживают немногие компоненты, большая — все.",
    },
    "vb.prior_type": {"en": "Weight prior", "ja": "重みの事前分布", "ru": "Априор на веса"},
    "vb.type.dirichlet_distribution": {"en": "Dirichlet distribution", "ja": "ディリクレ分布",
                                       "ru": "Распределение Дирихле"},
    "vb.type.dirichlet_process": {"en": "Dirichlet process (stick-breaking)",
                                  "ja": "ディリクレ過程（棒折り）",
                                  "ru": "Процесс Дирихле (ломание палки)"},
    "vb.iteration": {"en": "Iteration", "ja": "反復", "ru": "Итерация"},
    "vb.surviving": {"en": "Components alive now", "ja": "現在生きている成分",
                     "ru": "Живых компонент сейчас"},
    "vb.surviving_final": {"en": "Alive at the end", "ja": "最後に生き残った成分",
                           "ru": "Выжило в конце"},
    "vb.never_decreases": {
        "en": "The ELBO never decreased over {n} iterations (stop: {stop}); reg_covar = 0, so "
        "each update is the exact coordinate-ascent step.",
        "ja": "ELBO は {n} 反復の間一度も減少しませんでした（停止理由：{stop}）。reg_covar = 0 なので"
        "各更新は厳密な座標上昇ステップです。",
        "ru": "ELBO ни разу не уменьшилась за {n} итераций (остановка: {stop}); reg_covar = 0, "
        "поэтому каждое обновление — точный шаг покоординатного подъёма.",
    },
    "vb.stop.converged": {"en": "converged", "ja": "収束", "ru": "сходимость"},
    "vb.stop.max_iter": {"en": "reached max_iter", "ja": "max_iter に到達",
                         "ru": "достигнут max_iter"},
    "vb.stop.collapsed": {"en": "a covariance became singular", "ja": "共分散が特異になった",
                          "ru": "ковариация стала вырожденной"},
    "vb.decreased": {
        "en": "The ELBO decreased at iteration {it} by {amount}: that should not happen; please "
        "report it.",
        "ja": "反復 {it} で ELBO が {amount} 減少しました。本来起こらないはずなので報告してください。",
        "ru": "ELBO уменьшилась на итерации {it} на {amount}: так быть не должно, сообщите об этом.",
    },
    "vb.drawn": {
        "en": "Drawn: the {n} components with E[π_k] > {threshold}, in their own colours.",
        "ja": "表示：E[π_k] > {threshold} の {n} 個の成分（それぞれの色）。",
        "ru": "Показаны {n} компонент с E[π_k] > {threshold}, каждая своим цветом.",
    },
    "vb.formulas": {
        "en": "**Updates** (N_k = Σ_n r_nk): α_k = α_0 + N_k, β_k = β_0 + N_k, "
        "m_k = (β_0 m_0 + N_k x̄_k)/β_k, ν_k = ν_0 + N_k, "
        "W_k⁻¹ = W_0⁻¹ + N_k S_k + β_0 N_k/(β_0 + N_k) (x̄_k − m_0)(x̄_k − m_0)ᵀ; "
        "ln ρ_nk = E[ln π_k] + ½E[ln|Λ_k|] − (D/2) ln 2π − ½E[(x_n − μ_k)ᵀΛ_k(x_n − μ_k)].",
        "ja": "**更新式**（N_k = Σ_n r_nk）：α_k = α_0 + N_k、β_k = β_0 + N_k、"
        "m_k = (β_0 m_0 + N_k x̄_k)/β_k、ν_k = ν_0 + N_k、"
        "W_k⁻¹ = W_0⁻¹ + N_k S_k + β_0 N_k/(β_0 + N_k) (x̄_k − m_0)(x̄_k − m_0)ᵀ；"
        "ln ρ_nk = E[ln π_k] + ½E[ln|Λ_k|] − (D/2) ln 2π − ½E[(x_n − μ_k)ᵀΛ_k(x_n − μ_k)]。",
        "ru": "**Обновления** (N_k = Σ_n r_nk): α_k = α_0 + N_k, β_k = β_0 + N_k, "
        "m_k = (β_0 m_0 + N_k x̄_k)/β_k, ν_k = ν_0 + N_k, "
        "W_k⁻¹ = W_0⁻¹ + N_k S_k + β_0 N_k/(β_0 + N_k) (x̄_k − m_0)(x̄_k − m_0)ᵀ; "
        "ln ρ_nk = E[ln π_k] + ½E[ln|Λ_k|] − (D/2) ln 2π − ½E[(x_n − μ_k)ᵀΛ_k(x_n − μ_k)].",
    },
    # ---- the two coins --------------------------------------------------------------------
    "coins.title": {"en": "The two coins (Do & Batzoglou, 2008)",
                    "ja": "2 枚のコイン（Do & Batzoglou, 2008）",
                    "ru": "Две монеты (Do & Batzoglou, 2008)"},
    "coins.intro": {
        "en": "Each set of tosses was made with coin A or coin B, but we are not told which. "
        "**E-step:** P(A | set) = θ_A^h (1−θ_A)^t / [θ_A^h (1−θ_A)^t + θ_B^h (1−θ_B)^t], and "
        "each set's heads and tails are credited to A and B in those proportions. "
        "**M-step:** θ_A = Σ P(A|set)·h / Σ P(A|set)·(h+t), and the same for B.",
        "ja": "各組の投げはコイン A か B のどちらかで行われましたが、どちらかは分かりません。"
        "**E ステップ：** P(A | 組) = θ_A^h (1−θ_A)^t / [θ_A^h (1−θ_A)^t + θ_B^h (1−θ_B)^t]。"
        "各組の表と裏をこの比率で A と B に割り振ります。"
        "**M ステップ：** θ_A = Σ P(A|組)·h / Σ P(A|組)·(h+t)、B も同様。",
        "ru": "Каждая серия бросков сделана монетой A или B, но какой — неизвестно. "
        "**E-шаг:** P(A | серия) = θ_A^h (1−θ_A)^t / [θ_A^h (1−θ_A)^t + θ_B^h (1−θ_B)^t], и "
        "орлы и решки серии засчитываются A и B в этих долях. "
        "**M-шаг:** θ_A = Σ P(A|серия)·h / Σ P(A|серия)·(h+t), и так же для B.",
    },
    "coins.sets": {"en": "Sets of tosses (editable)", "ja": "投げの組（編集可）",
                   "ru": "Серии бросков (можно править)"},
    "coins.col_set": {"en": "Set", "ja": "組", "ru": "Серия"},
    "coins.col_tosses": {"en": "Tosses (H/T)", "ja": "結果（H/T）", "ru": "Броски (H/T)"},
    "coins.col_tosses_help": {"en": "H for heads, T for tails, e.g. HTTHH.",
                              "ja": "H は表、T は裏（例：HTTHH）。",
                              "ru": "H — орёл, T — решка, например HTTHH."},
    "coins.col_coin": {"en": "True coin (optional)", "ja": "本当のコイン（任意）",
                       "ru": "Истинная монета (необязательно)"},
    "coins.col_coin_help": {
        "en": "If every set has a label, the complete-data estimates are drawn dotted.",
        "ja": "すべての組にラベルがあれば、完全データの推定値を点線で描きます。",
        "ru": "Если у всех серий есть метки, оценки по полным данным рисуются пунктиром.",
    },
    "coins.reset_sets": {"en": "Restore the paper's sets", "ja": "論文の組に戻す",
                         "ru": "Вернуть серии из статьи"},
    "coins.theta_a0": {"en": "Start θ_A", "ja": "θ_A の初期値", "ru": "Начальное θ_A"},
    "coins.theta_b0": {"en": "Start θ_B", "ja": "θ_B の初期値", "ru": "Начальное θ_B"},
    "coins.mode": {"en": "Assignment", "ja": "割り当て", "ru": "Назначение"},
    "coins.mode.soft": {"en": "Soft EM", "ja": "ソフト EM", "ru": "Мягкий EM"},
    "coins.mode.hard": {"en": "Hard EM", "ja": "ハード EM", "ru": "Жёсткий EM"},
    "coins.mode_help": {
        "en": "Hard EM gives each set wholly to the likelier coin (P = 0 or 1).",
        "ja": "ハード EM は各組を可能性の高いコインに丸ごと割り当てます（P = 0 または 1）。",
        "ru": "Жёсткий EM целиком отдаёт серию более вероятной монете (P = 0 или 1).",
    },
    "coins.run10": {"en": "Run 10 iterations", "ja": "10 反復を実行",
                    "ru": "10 итераций"},
    "coins.loglik": {"en": "log-likelihood", "ja": "対数尤度", "ru": "лог. правдоподобие"},
    "coins.at_init": {
        "en": "Start: θ_A = {a}, θ_B = {b}. Press E-step to see which coin each set probably "
        "came from.",
        "ja": "開始：θ_A = {a}、θ_B = {b}。E ステップを押すと、各組がどちらのコインらしいかが"
        "分かります。",
        "ru": "Начало: θ_A = {a}, θ_B = {b}. Нажмите «E-шаг», чтобы увидеть, какой монетой, "
        "вероятно, сделана каждая серия.",
    },
    "coins.after_e": {
        "en": "E-step {i}: P(A | set) for each set, and the expected heads and tails credited to "
        "each coin (table). θ has not changed yet.",
        "ja": "E ステップ {i}：各組の P(A | 組) と、各コインに割り振られた表・裏の期待数（表）。"
        "θ はまだ変わっていません。",
        "ru": "E-шаг {i}: P(A | серия) для каждой серии и ожидаемые орлы и решки каждой монеты "
        "(таблица). θ пока не изменился.",
    },
    "coins.after_m": {
        "en": "M-step {i}: θ_A = {ha} / ({ha} + {ta}) = {a} and θ_B = {hb} / ({hb} + {tb}) = {b}, "
        "from the totals row.",
        "ja": "M ステップ {i}：合計行から θ_A = {ha} / ({ha} + {ta}) = {a}、"
        "θ_B = {hb} / ({hb} + {tb}) = {b}。",
        "ru": "M-шаг {i}: по строке итогов θ_A = {ha} / ({ha} + {ta}) = {a} и "
        "θ_B = {hb} / ({hb} + {tb}) = {b}.",
    },
    "coins.compare": {
        "en": "After 10 iterations: **soft EM** θ_A = {sa}, θ_B = {sb} (the paper: 0.80, 0.52); "
        "**hard EM** θ_A = {ha}, θ_B = {hb}. Hard EM throws away the uncertainty, so it "
        "behaves like k-means on the sets.",
        "ja": "10 反復後：**ソフト EM** θ_A = {sa}、θ_B = {sb}（論文：0.80、0.52）、"
        "**ハード EM** θ_A = {ha}、θ_B = {hb}。ハード EM は不確かさを捨てるので、組に対する "
        "k-means のように振る舞います。",
        "ru": "После 10 итераций: **мягкий EM** θ_A = {sa}, θ_B = {sb} (в статье: 0.80, 0.52); "
        "**жёсткий EM** θ_A = {ha}, θ_B = {hb}. Жёсткий EM отбрасывает неопределённость и "
        "ведёт себя как k-means на сериях.",
    },
    "coins.formulas": {
        "en": "With the coins known (B, A, A, B, A) the answer is direct: θ_A = 24/30 = 0.80, "
        "θ_B = 9/20 = 0.45. EM replaces the unknown labels by their probabilities and "
        "iterates; the observed-data log-likelihood Σ_s ln Σ_c ½ θ_c^h (1−θ_c)^t never "
        "decreases.",
        "ja": "コインが分かっていれば（B, A, A, B, A）答えは直接求まります：θ_A = 24/30 = 0.80、"
        "θ_B = 9/20 = 0.45。EM は未知のラベルを確率で置き換えて反復します。観測データの対数尤度 "
        "Σ_s ln Σ_c ½ θ_c^h (1−θ_c)^t は決して減少しません。",
        "ru": "Если монеты известны (B, A, A, B, A), ответ прямой: θ_A = 24/30 = 0.80, "
        "θ_B = 9/20 = 0.45. EM заменяет неизвестные метки их вероятностями и повторяет; "
        "логарифм правдоподобия наблюдаемых данных Σ_s ln Σ_c ½ θ_c^h (1−θ_c)^t не убывает.",
    },
}
