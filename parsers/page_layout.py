"""Positioned lines and ruled table cells of pages, to the blocks of a ``Layout``.

A PDF text layer and an OCR'd scan both give, per page, lines of text with positions and
table cells with their boxes (from ruling lines). This module turns them into reading-order
blocks: wrapped lines into paragraphs, page numbers dropped, and a table that breaks across
pages rejoined into one grid, with the header rows a word processor repeats on every page
dropped, a row split over the break merged back into one row, a row repeated at the break
dropped, and cells merged vertically across the break kept as one cell.
"""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass, field

from parsers.models import Block, Paragraph, Table
from parsers.table_grid import SpanCell, to_table

# A cell starting one of these begins a new row of tables 2-4: "1.属于…", "（三）不予公开",
# "三、本年度办理结果", "第二十条…"; a continuation of a row split by a page break does not.
_ROW_START = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+\s*[.．、]|第)")
_PUNCTUATION = re.compile(r"[\s()（）:：,，.．“”\"'、|]")
_NUMBER = re.compile(r"^\s*[-+]?[\d０-９][\d０-９,.，．]*\s*(?:件|万元|元|%)?\s*$")
_PAGE_NUMBER = re.compile(r"^[\s\-—–－·]*(?:第\s*)?[\d０-９]+(?:\s*页)?(?:\s*[/／共]\s*[\d０-９]+\s*页?)?[\s\-—–－·]*$")


@dataclass
class Line:
    """A line of text outside tables, in page coordinates (points or pixels; top grows down)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class GeoCell:
    """A table cell: its box and text (and OCR confidence, 0-100, when read from an image)."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    confidence: float | None = None


@dataclass
class TablePart:
    """The piece of a table that sits on one page."""

    x0: float
    top: float
    x1: float
    bottom: float
    cells: list[GeoCell]


@dataclass
class Page:
    """What one page holds, in the units of its source (``unit`` = one character's height)."""

    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[TablePart] = field(default_factory=list)
    unit: float = 10.5


def join_text(pieces: list[str]) -> str:
    """Join wrapped pieces of one text: Chinese runs on, Latin words and digits get a space."""
    text = ""
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if text and text[-1].isascii() and text[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            text += " "
        text += piece
    return text


def cluster(values: list[float], tolerance: float) -> list[float]:
    """Representative positions of values that lie within ``tolerance`` of each other."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(g) / len(g) for g in groups]


def _index(positions: list[float], value: float) -> int:
    return min(range(len(positions)), key=lambda i: abs(positions[i] - value))


def _span_cells(part: TablePart, xs: list[float], tolerance: float) -> tuple[list[SpanCell], int]:
    """A page's cells placed on the column boundaries ``xs``; returns the cells and row count."""
    ys = cluster([v for c in part.cells for v in (c.top, c.bottom)], tolerance)
    cells = []
    for cell in part.cells:
        row, col = _index(ys, cell.top), _index(xs, cell.x0)
        rowspan = max(1, _index(ys, cell.bottom) - row)
        colspan = max(1, _index(xs, cell.x1) - col)
        cells.append(SpanCell(row, col, cell.text, rowspan, colspan, cell.confidence))
    return cells, len(ys) - 1


def _row_texts(cells: list[SpanCell], row: int, width: int) -> list[str]:
    """The text of each column in ``row`` counting only cells that start in that row."""
    texts = [""] * width
    for cell in cells:
        if cell.row == row:
            for c in range(cell.col, cell.col + cell.colspan):
                texts[c] = cell.text
    return texts


def _grid_rows(cells: list[SpanCell], height: int, width: int) -> list[list[str]]:
    grid = [[""] * width for _ in range(height)]
    for cell in cells:
        for r in range(cell.row, min(cell.row + cell.rowspan, height)):
            for c in range(cell.col, cell.col + cell.colspan):
                grid[r][c] = cell.text
    return grid


def _header_rows(first: list[SpanCell], first_height: int, part: list[SpanCell], height: int, width: int) -> int:
    """How many leading rows of ``part`` repeat the leading rows of the table's first page.

    Only the rows above the first number of the table can be a header. They are compared as
    the characters of their cells, in any order: OCR may cut a repeated header into other
    cells, or read it in another order, and still be the header.
    """
    grid = _grid_rows(first, first_height, width)
    header = next((r for r, row in enumerate(grid) if any(_NUMBER.match(t) for t in row)), first_height)
    for count in range(min(header, height - 1), 0, -1):
        if _alike(_texts(first, count), _texts(part, count)):
            return count
    return 0


def _texts(cells: list[SpanCell], rows: int) -> list[str]:
    return [c.text for c in cells if c.row < rows]


def _alike(header: list[str], cells: list[str]) -> bool:
    """Do ``cells`` repeat the text of ``header``, allowing for OCR misreading a few characters
    (and reading some twice, when it missed a rule between two cells)?"""
    wanted = collections.Counter(_PUNCTUATION.sub("", "".join(header)))
    found = collections.Counter(_PUNCTUATION.sub("", "".join(cells)))
    total = sum(wanted.values())
    return 0 < total and sum((wanted & found).values()) >= 0.8 * total and sum(found.values()) <= 2 * total


def _continues(last: list[str], first: list[str]) -> bool:
    """Is the first row of a page the rest of the previous page's last row (split by the break)?"""
    own = [t for t in first if t.strip()]
    if own and _ROW_START.match(own[0]):
        return False
    return not any(_NUMBER.match(a) and _NUMBER.match(b) for a, b in zip(last, first, strict=True))


def _join(parts: list[TablePart], unit: float) -> Table:
    tolerance = unit / 3
    xs = cluster([v for p in parts for c in p.cells for v in (c.x0, c.x1)], tolerance)
    width = len(xs) - 1
    cells, height = _span_cells(parts[0], xs, tolerance)
    first, first_height = list(cells), height
    for part in parts[1:]:
        new, new_height = _span_cells(part, xs, tolerance)
        drop = _header_rows(first, first_height, new, new_height, width)
        if drop:
            new = [c for c in new if c.row >= drop]
            for c in new:
                c.row -= drop
            new_height -= drop
        last_row, first_row = _row_texts(cells, height - 1, width), _row_texts(new, 0, width)
        if first_row == last_row and all(c.rowspan == 1 for c in new if c.row == 0):
            new = [c for c in new if c.row > 0]  # the row repeated at the break (seed 003)
            for c in new:
                c.row -= 1
            new_height -= 1
            if not new_height:
                continue
        split = _layout_of(cells, height - 1) == _layout_of(new, 0) and _continues(
            _grid_rows(cells, height, width)[height - 1], _grid_rows(new, new_height, width)[0])
        bottom = {(c.col, c.colspan): c for c in cells if c.row + c.rowspan == height}
        offset = height - 1 if split else height
        for cell in new:
            above = bottom.get((cell.col, cell.colspan)) if cell.row == 0 else None
            if above is not None and (split or _same_merged_cell(above, cell)):
                above.text = join_text([above.text, cell.text])
                above.rowspan += cell.rowspan - (1 if split else 0)
                if cell.confidence is not None:
                    above.confidence = min(cell.confidence, above.confidence or 100.0)
            else:
                cell.row += offset
                cells.append(cell)
        height = offset + new_height
    return to_table(cells)


def _layout_of(cells: list[SpanCell], row: int) -> set[tuple[int, int]]:
    """The column extents of the cells covering ``row``: a row cut in two keeps them."""
    return {(c.col, c.colspan) for c in cells if c.row <= row < c.row + c.rowspan}


def _same_merged_cell(above: SpanCell, below: SpanCell) -> bool:
    """A vertically merged cell cut by the page break: no new row label starts below."""
    if above.rowspan == 1 and below.rowspan == 1:
        return False
    return not below.text.strip() or not above.text.strip() or not _ROW_START.match(below.text)


def _in_margin(line: Line, page: Page) -> bool:
    margin = page.height * 0.08
    return line.bottom < margin or line.top > page.height - margin


def _running_texts(pages: list[Page]) -> set[str]:
    """Texts printed in the top or bottom margin of more than one page: running headers and
    footers ("漳平市人民政府办公室", "2021年政府信息公开工作年度报告")."""
    seen: collections.Counter[str] = collections.Counter()
    for page in pages:
        seen.update({_PAGE_NUMBER.sub("", line.text).strip() for line in page.lines if _in_margin(line, page)})
    return {text for text, count in seen.items() if count > 1 and text}


def assemble(pages: list[Page]) -> tuple[Block, ...]:
    """Blocks in reading order from the pages of one document."""
    running = _running_texts(pages)
    items: list[tuple[int, Line | TablePart]] = []
    for number, page in enumerate(pages):
        kept = [line for line in page.lines if not (_in_margin(line, page) and (
            _PAGE_NUMBER.match(line.text) or _PAGE_NUMBER.sub("", line.text).strip() in running))]
        items += [(number, item) for item in sorted([*kept, *page.tables], key=lambda i: i.top)]
    blocks: list[Block] = []
    paragraph: list[Line] = []
    table_parts: list[TablePart] = []
    previous_page = -1
    for number, item in items:
        page = pages[number]
        if isinstance(item, TablePart):
            if paragraph:
                blocks.append(Paragraph(join_text([ln.text for ln in paragraph])))
                paragraph = []
            if table_parts and not (number == previous_page + 1 and _same_columns(table_parts[-1], item, page.unit)):
                blocks.append(_join(table_parts, page.unit))
                table_parts = []
            table_parts.append(item)
        else:
            if table_parts:
                blocks.append(_join(table_parts, page.unit))
                table_parts = []
            if paragraph and _starts_paragraph(paragraph[-1], item, page, number != previous_page):
                blocks.append(Paragraph(join_text([ln.text for ln in paragraph])))
                paragraph = []
            paragraph.append(item)
        previous_page = number
    if paragraph:
        blocks.append(Paragraph(join_text([ln.text for ln in paragraph])))
    if table_parts:
        blocks.append(_join(table_parts, pages[-1].unit))
    return tuple(blocks)


def _same_columns(a: TablePart, b: TablePart, unit: float) -> bool:
    return abs(a.x0 - b.x0) <= unit and abs(a.x1 - b.x1) <= unit


def _starts_paragraph(previous: Line, line: Line, page: Page, new_page: bool) -> bool:
    """Does ``line`` begin a new paragraph rather than continue the wrapped ``previous``?

    A line with a tab is a row of a table drawn without rules: always a paragraph of its own.
    """
    if "\t" in previous.text or "\t" in line.text:
        return True
    left = min((ln.x0 for ln in page.lines), default=line.x0)
    right = max((ln.x1 for ln in page.lines), default=line.x1)
    full = previous.x1 >= right - 1.5 * page.unit
    indented = line.x0 > left + 1.2 * page.unit
    if new_page:
        return not full or indented
    gap = line.top - previous.bottom
    return not full or indented or gap > 0.9 * (line.bottom - line.top)
