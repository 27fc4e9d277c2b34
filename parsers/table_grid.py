"""Spanning cells to a ``Table`` grid, shared by every document reader.

Word, spreadsheets, PDF geometry and OCR all describe a table as cells that may span rows
and columns. ``SpanCell`` is that common description; ``to_table`` expands it into the
rectangular grid of ``parsers.models.Table``: a merged cell's text in every slot it covers,
``origins`` naming the slot it came from, and OCR confidences when the cells carry them.
"""

from __future__ import annotations

from dataclasses import dataclass

from parsers.models import Table


@dataclass
class SpanCell:
    """One cell of a table: its top-left slot, its spans and its text (``confidence`` for OCR)."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    confidence: float | None = None


def to_table(cells: list[SpanCell]) -> Table:
    """Expand spanning cells into a rectangular ``Table``; slots no cell covers stay ``""``.

    >>> to_table([SpanCell(0, 0, "合计", colspan=2), SpanCell(1, 0, "1"), SpanCell(1, 1, "2")]).rows
    (('合计', '合计'), ('1', '2'))
    """
    if not cells:
        return Table(rows=())
    cells = _without_split_columns(cells)
    height = max(c.row + c.rowspan for c in cells)
    width = max(c.col + c.colspan for c in cells)
    rows = [[""] * width for _ in range(height)]
    origins = [[(r, c) for c in range(width)] for r in range(height)]
    confidence = [[None] * width for _ in range(height)]
    for cell in cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                rows[r][c] = cell.text
                origins[r][c] = (cell.row, cell.col)
                confidence[r][c] = cell.confidence
    with_confidence = any(c.confidence is not None for c in cells)
    return Table(
        rows=tuple(tuple(r) for r in rows),
        origins=tuple(tuple(r) for r in origins),
        confidence=tuple(tuple(r) for r in confidence) if with_confidence else (),
    )


def _without_split_columns(cells: list[SpanCell]) -> list[SpanCell]:
    """Drop grid columns no cell starts in: every row spans them the same way.

    Word (and LibreOffice writing docx) keeps a column grid of every width ever used, so a
    cell may span two grid columns in every row, which would double a column of the table.
    """
    starts = sorted({c.col for c in cells} | {0})
    index = {col: i for i, col in enumerate(starts)}

    def new(col: int) -> int:
        return index[max(s for s in starts if s <= col)]

    return [SpanCell(c.row, new(c.col), c.text, c.rowspan, new(c.col + c.colspan - 1) - new(c.col) + 1,
                     c.confidence) for c in cells]

