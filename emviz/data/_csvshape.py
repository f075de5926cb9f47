"""The shape of CSV text before it is parsed: lines, delimiters, the widest line.

:mod:`emviz.data.csv` asks this before it builds anything per field, so that a file whose parse
would need far more memory than its size (millions of fields on one line, millions of tiny
fields) is refused before it costs that memory. The text is counted block by block with
NumPy: the memory used is a few times one block, whatever the size of the file.

Quotes are ignored on purpose. Every field a CSV parser can produce ends at a delimiter or a
line break, quoted or not, so the counts here are upper bounds that no quoting (well-formed
or crafted) can get around.

This module is pure: it imports only the standard library and NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Shape", "shape_of"]

#: Characters counted per block (the boolean masks of one block stay a few MB).
BLOCK_CHARS = 1 << 20

_LF, _CR = 10, 13
_BLANK_BYTES = (9, 10, 11, 12, 13, 32, 34)  # whitespace, line breaks and the quote


@dataclass(frozen=True)
class Shape:
    """Counts over a whole CSV text.

    Attributes
    ----------
    n_lines : int
        Physical lines: line breaks (``\\n``, ``\\r\\n`` or a lone ``\\r``), plus one for
        a last line without a break.
    n_delimiters : int
        Delimiter characters in the text, quoted or not.
    widest : int
        The most delimiters on one physical line, plus one: the most fields a line can add.
    widest_line : int
        1-based number of the first line with that many delimiters.
    first_fields : int
        Delimiters plus one on the first line that holds something other than whitespace,
        delimiters and quotes (the header, or the first data row); 0 if there is none.
    quoted : bool
        Whether the text contains a double quote.
    """

    n_lines: int
    n_delimiters: int
    widest: int
    widest_line: int
    first_fields: int
    quoted: bool

    @property
    def max_fields(self) -> int:
        """An upper bound on the number of fields any parse of the text can produce."""
        return self.n_delimiters + self.n_lines


def shape_of(text: str, delimiter: str, block: int = BLOCK_CHARS) -> Shape:
    """Count lines and delimiters of ``text``, block by block.

    Parameters
    ----------
    text : str
        The decoded CSV text.
    delimiter : str
        One ASCII character.
    block : int, optional
        Characters per block.

    Returns
    -------
    Shape
    """
    sep = ord(delimiter)
    blank = np.zeros(256, dtype=bool)
    blank[[*_BLANK_BYTES, sep]] = True
    n_lines = n_delims = 0
    widest, widest_line, first_fields = 0, 0, 0
    carry_delims = 0  # delimiters on the line that runs on into the next block
    carry_content = False
    tail = False  # the text after the last line break is not empty
    for at in range(0, len(text), block):
        chunk = text[at:at + block]
        b = np.frombuffer(chunk.encode("utf-8", "surrogatepass"), dtype=np.uint8)
        lf, cr = b == _LF, b == _CR
        follows_lf = np.empty_like(lf)
        follows_lf[:-1] = lf[1:]
        follows_lf[-1] = text[at + block:at + block + 1] == "\n"
        ends = np.flatnonzero(lf | (cr & ~follows_lf))  # '\r\n' ends at its '\n'
        delims = np.cumsum(b == sep, dtype=np.int64)
        content = np.cumsum(~blank[b], dtype=np.int64)
        n_delims += int(delims[-1])
        if ends.size:
            at_end = delims[ends]
            per_line = np.diff(at_end, prepend=0)
            per_line[0] += carry_delims
            line_content = np.diff(content[ends], prepend=0) > 0
            line_content[0] |= carry_content
            top = int(np.argmax(per_line))
            if per_line[top] + 1 > widest:
                widest, widest_line = int(per_line[top]) + 1, n_lines + top + 1
            if not first_fields and line_content.any():
                first_fields = int(per_line[int(np.argmax(line_content))]) + 1
            n_lines += int(ends.size)
            carry_delims = int(delims[-1] - at_end[-1])
            carry_content = bool(content[-1] > content[ends[-1]])
            tail = bool(ends[-1] < b.size - 1)
        else:
            carry_delims += int(delims[-1])
            carry_content |= bool(content[-1] > 0)
            tail = tail or b.size > 0
    if tail:  # the last line has no line break
        n_lines += 1
        if carry_delims + 1 > widest:
            widest, widest_line = carry_delims + 1, n_lines
        if not first_fields and carry_content:
            first_fields = carry_delims + 1
    return Shape(n_lines=n_lines, n_delimiters=n_delims, widest=widest,
                 widest_line=widest_line, first_fields=first_fields, quoted='"' in text)
