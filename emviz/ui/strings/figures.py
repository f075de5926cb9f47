"""Words drawn in the core figures (:data:`emviz.figures.TEXT`), keyed ``fig.<key>``.

The English text is the figure module's own default, written once; mathematical notation
(π, μ, ℓ, χ², Σ, ln p) is identical in every language. The UI passes these to the figures
through ``FigureOptions(text=...)`` (see :func:`emviz.ui.i18n.figure_text`).
"""

from __future__ import annotations

from emviz.figures import TEXT

#: key -> (Japanese, Russian)
_JA_RU: dict[str, tuple[str, str]] = {
    "data_density": ("データ（密度）", "данные (плотность)"),
    "histogram": ("ヒストグラム", "гистограмма"),
    "truth": ("真の分布", "истинная смесь"),
    "truth_dashed": ("真の分布（破線）", "истинная смесь (пунктир)"),
    "truth_sections": ("真の分布（主断面）", "истинная смесь (главные сечения)"),
    "mixture": ("混合分布 p(x)", "смесь p(x)"),
    "unassigned": ("未割り当て", "не распределено"),
    "density": ("密度", "плотность"),
    "responsibility": ("負担率", "ответственность"),
    "no_resp": ("最初の E ステップまでは負担率はありません",
                "до первого E-шага ответственностей ещё нет"),
    "mean_of": ("k = {k} の平均", "среднее k = {k}"),
    "mean": ("平均", "среднее"),
    "coverage_2d": ("{coverage} 確率楕円（χ²、自由度 2）",
                    "эллипсы {coverage} (χ², 2 степени свободы)"),
    "coverage_3d": ("{coverage} 確率楕円体（χ²、自由度 3）",
                    "эллипсоиды {coverage} (χ², 3 степени свободы)"),
    "play": ("▶ 再生", "▶ Пуск"),
    "pause": ("❚❚ 一時停止", "❚❚ Пауза"),
    "now": ("E で点を塗り直し、M で形を当てはめ直す · 現在: ",
            "E перекрашивает точки, M подгоняет формы · сейчас: "),
    "init": ("初期", "начало"),
    "half_step": ("反復 {it} · {step}", "ит. {it} · {step}"),
    "converged": ("反復 {n} で収束（Δℓ/N < tol = {tol:g}）",
                  "сошёлся на итерации {n} (Δℓ/N < tol = {tol:g})"),
    "max_iter": ("max_iter = {max_iter} で停止（未収束）",
                 "остановлен на max_iter = {max_iter} (не сошёлся)"),
    "collapsed": ("反復 {n} で成分 k = {k} が崩壊",
                  "компонента k = {k} выродилась на итерации {n}"),
    "loglik_trace": ("対数尤度 ℓ", "логарифм правдоподобия ℓ"),
    "iteration": ("反復", "итерация"),
    "explained": ("reg_covar で説明できる減少", "снижение, объяснимое reg_covar"),
    "explained_hover": (
        "ℓ が {amount:.3g} 減少（≤ {allowed:.3g}、reg_covar = {reg:g} による上限）。"
        "M ステップは厳密な最大化ではないので、これは想定どおりです",
        "ℓ снизился на {amount:.3g} ≤ {allowed:.3g} — предел, который даёт reg_covar = "
        "{reg:g}: M-шаг не является точной максимизацией, так что это ожидаемо",
    ),
    "unexplained": ("説明できない減少", "необъяснимое снижение"),
    "unexplained_hover": (
        "ℓ が {amount:.3g} 減少し、reg_covar で説明できる量（{allowed:.3g}）を超えました。"
        "厳密な EM では ℓ は決して減少しません — バグです",
        "ℓ снизился на {amount:.3g}, больше, чем объясняет reg_covar ({allowed:.3g}): точный "
        "EM никогда не уменьшает ℓ — это ошибка",
    ),
    "loglik_axis": ("対数尤度の合計 ℓ(θ)", "суммарный логарифм правдоподобия ℓ(θ)"),
    "loglik_title": ("対数尤度 ℓ(θ) = Σₙ ln p(xₙ | θ)",
                     "логарифм правдоподобия ℓ(θ) = Σₙ ln p(xₙ | θ)"),
}

STRINGS: dict[str, dict[str, str]] = {
    f"fig.{key}": {"en": TEXT[key], "ja": ja, "ru": ru} for key, (ja, ru) in _JA_RU.items()
}
