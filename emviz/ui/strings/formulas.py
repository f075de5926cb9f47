"""Words for the formulas of a half-step (emviz/formulas.py): a "What just happened" panel.

``formula.<name>`` explains :class:`emviz.formulas.Formula` ``name`` in one sentence; the
mathematics itself (π, μ, Σ, r_nk, N_k) is the same in every language.
"""

STRINGS: dict[str, dict[str, str]] = {
    "formula.title": {"en": "What just happened", "ja": "いま何が起きたか",
                      "ru": "Что сейчас произошло"},
    "formula.e_step": {
        "en": "E-step: each point's responsibilities, the share of it each component explains "
              "under the current parameters.",
        "ja": "E ステップ：各点の負担率。現在のパラメータのもとで、各成分がその点をどれだけ"
              "説明するかの割合です。",
        "ru": "E-шаг: ответственности каждой точки — доля, которую объясняет каждая компонента "
              "при текущих параметрах.",
    },
    "formula.n_k": {
        "en": "M-step: N_k, the number of points component k takes, counting shares.",
        "ja": "M ステップ：N_k は、負担率の分だけ数えた成分 k の点の数です。",
        "ru": "M-шаг: N_k — сколько точек берёт компонента k, считая доли.",
    },
    "formula.pi": {
        "en": "Its weight: its share of all N points.",
        "ja": "重み：全 N 点のうち成分 k が受け持つ割合。",
        "ru": "Её вес: её доля из всех N точек.",
    },
    "formula.mu": {
        "en": "Its mean: the average of the points, each weighted by its responsibility.",
        "ja": "平均：各点を負担率で重み付けした平均。",
        "ru": "Её среднее: среднее точек, взвешенных по ответственностям.",
    },
    "formula.sigma_full": {
        "en": "Its covariance (full): the weighted spread of the points around the new mean; "
              "reg_covar is added to the diagonal.",
        "ja": "共分散（full）：新しい平均のまわりの点の重み付きの散らばり。対角に reg_covar を"
              "加えます。",
        "ru": "Её ковариация (full): взвешенный разброс точек вокруг нового среднего; к "
              "диагонали добавляется reg_covar.",
    },
    "formula.sigma_tied": {
        "en": "One covariance shared by all components (tied): the spread of every point "
              "around its components' means, weighted and pooled; reg_covar is added to the "
              "diagonal.",
        "ja": "全成分で共有する 1 つの共分散（tied）：各点の、各成分の平均のまわりの散らばりを"
              "重み付けしてまとめたもの。対角に reg_covar を加えます。",
        "ru": "Одна ковариация на все компоненты (tied): разброс всех точек вокруг средних их "
              "компонент, взвешенный и объединённый; к диагонали добавляется reg_covar.",
    },
    "formula.sigma_diag": {
        "en": "Its variances (diag): the weighted spread along each axis d separately, no "
              "correlations; plus reg_covar.",
        "ja": "分散（diag）：各軸 d ごとの重み付きの散らばり。相関は持ちません。reg_covar を"
              "加えます。",
        "ru": "Её дисперсии (diag): взвешенный разброс по каждой оси d отдельно, без "
              "корреляций; плюс reg_covar.",
    },
    "formula.sigma_spherical": {
        "en": "Its one variance (spherical): the weighted squared distance to the mean, "
              "averaged over the D axes; plus reg_covar.",
        "ja": "1 つの分散（spherical）：平均までの重み付き二乗距離を D 個の軸で平均したもの。"
              "reg_covar を加えます。",
        "ru": "Её единственная дисперсия (spherical): взвешенный квадрат расстояния до "
              "среднего, усреднённый по D осям; плюс reg_covar.",
    },
}
