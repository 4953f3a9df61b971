"""Go's ``text/tabwriter`` (left-aligned, space padding), which kubectl prints through.

Cells end with a tab; a column's width is its widest cell plus ``padding`` (at
least ``minwidth``) over each run of consecutive lines that have that column.
The last cell of a line is not a column and is printed as it is.
kubectl get uses ``minwidth=6, padding=3``; kubectl describe ``minwidth=0, padding=2``.

>>> print(tabwrite(["NAME\\tREADY\\tAGE", "web\\t1/1\\t5s"], minwidth=6, padding=3))
NAME   READY   AGE
web    1/1     5s
"""

from __future__ import annotations

from collections.abc import Sequence


def tabwrite(lines: Sequence[str], *, minwidth: int = 6, padding: int = 3) -> str:
    cells = [line.split("\t") for line in lines]
    widths: list[int] = []
    out: list[str] = []

    def write_lines(start: int, end: int) -> None:
        for row in cells[start:end]:
            text = []
            for j, cell in enumerate(row):
                if j < len(widths) and j < len(row) - 1:
                    # kubectl sets no TabIndent flag, so even leading empty cells pad with spaces
                    text.append(cell + " " * (widths[j] - len(cell)))
                else:
                    text.append(cell)
            out.append("".join(text))

    def format_block(line0: int, line1: int) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(cells[this]) - 1:
                this += 1
                continue
            write_lines(line0, this)
            line0 = this
            width = minwidth
            while this < line1 and column < len(cells[this]) - 1:
                width = max(width, len(cells[this][column]) + padding)
                this += 1
            widths.append(width)
            format_block(line0, this)
            widths.pop()
            line0 = this
        write_lines(line0, line1)

    format_block(0, len(cells))
    return "\n".join(out)
