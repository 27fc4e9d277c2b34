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
# "三、本年度办理结果", "第二十条…"; a continuation of a row split by a page break does not
# ("第三方合法权益", the rest of "4.保护").
_ROW_START = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+\s*[.．、]|"
                        r"第[一二三四五六七八九十\d]+条)")
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
        split = (_layout_of(cells, height - 1) == _layout_of(new, 0) or _label_tail(cells, height, new)) and \
            _continues(_grid_rows(cells, height, width)[height - 1], _grid_rows(new, new_height, width)[0])
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


def _label_tail(cells: list[SpanCell], height: int, new: list[SpanCell]) -> bool:
    """Is the first row of ``new`` only the wrapped end of labels of the last row, with no number?

    A table drawn without rules has no cell boxes for the empty slots, so a row split by the
    break ("3.危及“三" | "安全一稳定”") has fewer cells below than above.
    """
    first = [c for c in new if c.row == 0]
    ending = {(c.col, c.colspan) for c in cells if c.row + c.rowspan == height and c.text.strip()}
    return bool(first) and all((c.col, c.colspan) in ending and not _NUMBER.match(c.text) for c in first)


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


_WRAP_PITCH = 1.6
"""Lines of one cell follow each other closer than this many characters (line pitch ≈ 1.3)."""
_TABLE_PITCH = 2.6
"""A table drawn without rules goes on while its lines are closer than this."""


def text_tables(lines: list[list[Line]], unit: float) -> tuple[list[TablePart], list[list[Line]]]:
    """Tables drawn without ruling lines, found from where their text sits; and the other lines.

    ``lines`` are a page's lines top to bottom, each as its segments (text split at gaps wider
    than a column gap). A table is a run of close lines, two or more of them holding several
    segments, whose single-segment lines each fit inside one column or wrap a cell of the line
    above. Columns start where segments start (Word and LibreOffice set cell text flush left).
    Within a column, a line closer than a line pitch to the one above continues its cell (a
    wrapped label "一、本年新收政府信息公\\n开申请数量", a vertical "三、本\\n年度办\\n理结果"),
    unless either is a number, the line starts a row label ("2.重复申请"), or it is the last
    label on a line with numbers (the row's own label, when rows sit as tight as lines). Rows
    start at the tops of cells; a cell reaching past the top of the next row spans it, a cell's
    text past the next column's start spans that column, a row with one cell and no number
    spans the table.

    A table whose text does not line up (two segments of one line in one column, a column
    whose starts spread over half a character, e.g. centred numbers of different widths) is
    left as lines, tab-separated, rather than risk putting a number in the wrong cell; so is
    one with a number starting a column of its own (a guess, not a column).
    """
    tables: list[TablePart] = []
    rest: list[list[Line]] = []
    i = 0
    while i < len(lines):
        end = _text_table_end(lines, i, unit)
        part = _text_table(lines[i:end], unit) if end > i + 1 else None
        if part is None:
            rest.append(lines[i])
            i += 1
        else:
            tables.append(part)
            i = end
    return tables, rest


def _column_starts(rows: list[list[Line]], unit: float) -> list[list[Line]]:
    """The segments of several-segment lines, grouped by where they start."""
    groups: list[list[Line]] = []
    for segment in sorted((s for row in rows if len(row) > 1 for s in row), key=lambda s: s.x0):
        if groups and segment.x0 - groups[-1][-1].x0 <= unit / 2:
            groups[-1].append(segment)
        else:
            groups.append([segment])
    return groups


def _fits(row: list[Line], starts: list[float], unit: float) -> bool:
    return all(not any(s.x0 + unit / 2 < x < s.x1 - unit / 2 for x in starts) for s in row)


def _wraps(previous: list[Line], segment: Line, unit: float) -> bool:
    """Is ``segment`` the wrapped next line of a cell on the line above: one pitch below, the same
    start, and short of where the next text of that line starts (a heading after the table runs on)?"""
    if segment.top - previous[0].top > _WRAP_PITCH * unit:
        return False
    for above, after in zip(previous, [*previous[1:], None]):
        if abs(above.x0 - segment.x0) <= unit / 2:
            return after is None or segment.x1 < after.x0
    return False


def _text_table_end(lines: list[list[Line]], start: int, unit: float) -> int:
    """Where the table beginning with the several-segment line ``start`` ends (``start`` if none)."""
    if len(lines[start]) < 2:
        return start
    end = start + 1
    while end < len(lines) and lines[end][0].top - lines[end - 1][0].top <= _TABLE_PITCH * unit:
        end += 1
    starts = [g[0].x0 for g in _column_starts(lines[start:end], unit)]
    last = start
    for k in range(start + 1, end):
        if len(lines[k]) < 2 and not (_fits(lines[k], starts, unit) or _wraps(lines[k - 1], lines[k][0], unit)):
            break
        last = k
    # a trailing one-segment line far below the last row is a heading after the table
    while last > start and len(lines[last]) < 2 and lines[last][0].top - lines[last - 1][0].top > _WRAP_PITCH * unit:
        last -= 1
    return last + 1


def _text_table(rows: list[list[Line]], unit: float) -> TablePart | None:
    groups = _column_starts(rows, unit)
    if sum(len(r) > 1 for r in rows) < 2 or len(groups) < 2 or any(
            g[-1].x0 - g[0].x0 > unit / 2 or (len(g) < 2 and _NUMBER.match(g[0].text)) for g in groups):
        return None
    starts = [g[0].x0 for g in groups]
    columns: list[list[list[Line]]] = [[] for _ in starts]  # per column, its cells' lines
    for row in rows:
        used = set()
        labels = [s for s in row if not _NUMBER.match(s.text)]
        # on a line with numbers the last label before them starts the row's own label cell;
        # labels left of it may continue vertically merged cells ("理结果" under "年度办")
        row_label = labels[-1] if len(labels) < len(row) and labels else None
        for segment in row:
            col = max(c for c, x in enumerate(starts) if x <= segment.x0 + unit / 2) if segment.x0 + unit / 2 >= \
                starts[0] else 0
            if col in used:
                return None
            used.add(col)
            cells = columns[col]
            previous = cells[-1][-1] if cells else None
            if previous is not None and segment.top - previous.top <= _WRAP_PITCH * unit and not (
                    _NUMBER.match(segment.text) or _NUMBER.match(previous.text) or _ROW_START.match(segment.text)
                    or segment is row_label):
                cells[-1].append(segment)
            else:
                cells.append([segment])
    tops = cluster([cell[0].top for cells in columns for cell in cells], unit / 2)
    right = max(s.x1 for row in rows for s in row) + unit / 2
    bottom = max(s.bottom for row in rows for s in row) + unit / 4
    edges_x, edges_y = [*starts, right], [*tops, bottom]
    placed = []
    for col, cells in enumerate(columns):
        for cell in cells:
            row = _index(tops, cell[0].top)
            rowspan = max(1, sum(cell[0].top + unit / 2 < t < cell[-1].bottom for t in tops) + 1)
            colspan = 1 + sum(max(s.x1 for s in cell) - unit / 2 > x for x in starts[col + 1:])
            placed.append((row, col, rowspan, colspan, join_text([s.text for s in cell])))
    for n, (row, col, rowspan, colspan, text) in enumerate(placed):
        alone = [p for p in placed if p[0] == row]
        if len(alone) == 1 and col == 0 and not _NUMBER.match(text):
            placed[n] = (row, col, rowspan, len(starts), text)  # "第二十条第（一）项" across the table
    cells_out = [GeoCell(edges_x[col], edges_y[row], edges_x[col + colspan], edges_y[row + rowspan], text)
                 for row, col, rowspan, colspan, text in placed]
    return TablePart(starts[0], tops[0], right, bottom, cells_out)
