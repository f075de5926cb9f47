"""A file shaped like the real ones analysts bring, generated in memory (never committed).

``penguins_like()`` follows the layout of the Palmer penguins export: a specimen number
``index`` 1..n first, a text ``species``, measurements on very different scales (bill length
in mm around 45, body mass in grams around 4,200), integers written without decimals, ``NA``
cells, a text ``sex`` and a ``year`` with three values. The numbers are drawn from three
Gaussian groups (one per species), so a fit on the measurements has something to find.

To look at it by hand::

    python tests/csv_corpus/real_like.py /tmp/penguins_like.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

#: species -> (bill length mm, bill depth mm, flipper mm, body mass g): means
_GROUPS = {
    "Adelie": (38.8, 18.3, 190.0, 3700.0),
    "Chinstrap": (48.8, 18.4, 196.0, 3730.0),
    "Gentoo": (47.5, 15.0, 217.0, 5080.0),
}
_SDS = (2.6, 1.2, 6.5, 450.0)
HEADER = "index,species,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year"


def penguins_like(n: int = 200, seed: int = 0) -> bytes:
    """The CSV bytes: ``n`` rows, two of them with ``NA`` measurements."""
    rng = np.random.default_rng(seed)
    names = list(_GROUPS)
    species = rng.choice(len(names), size=n, p=[0.44, 0.2, 0.36])
    lines = [HEADER]
    for i in range(n):
        mean = _GROUPS[names[species[i]]]
        bill, depth, flipper, mass = (rng.normal(m, s) for m, s in zip(mean, _SDS, strict=True))
        cells = [f"{bill:.1f}", f"{depth:.1f}", f"{flipper:.0f}", f"{round(mass / 25) * 25:d}"]
        if i in (3, 117):
            cells = ["NA"] * 4
        sex = "NA" if i in (3, 8, 117) else ("female" if rng.random() < 0.5 else "male")
        year = 2007 + (3 * i) // n
        lines.append(",".join([str(i + 1), names[species[i]], *cells, sex, str(year)]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(f"usage: python {Path(__file__).name} OUTPUT.csv", file=sys.stderr)
        return 2
    Path(argv[0]).write_bytes(penguins_like())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
