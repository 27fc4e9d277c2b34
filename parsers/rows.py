"""A layout's blocks as one stream of prose lines and table rows.

Table blocks (from HTML, Word, PDF or OCR readers) give their grid rows directly and are
marked ``grid``: their columns line up, so cells can be located through the header grid.
A merged cell fills every slot it covers in ``cells`` (so numbers stay in their columns), but
``Row.text``, the row as text, gives it once, in the slot where it starts.
Paragraph lines give rows in three text forms seen in real extracted text:

* one cell per line: a line ``"\\t<cell>"`` starts a cell, a following line without a tab
  continues it ("\\t商业" + "企业", vertical labels "\\t不" "予" "公" "开"), and a blank line
  followed by a tab line starts the next row;
* tab-separated rows: ``"规章\\t0\\t0\\t1"``;
* ``|``-separated rows: ``"| 规章 | 0 | 0 | 1 |"`` (rules like ``---|---`` are skipped).

Blank lines outside tabbed rows stay in the stream as empty ``Line``s (``gap``, or ``blank_cell``
for a line of only non-breaking or ideographic spaces, a copied ``&nbsp;`` cell): one cell per
line *without* tabs is rebuilt into rows later (``parsers.cell_lines``), once the table it
belongs to is known, and there a blank line may be a blank cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import repeat
from operator import ne

from parsers.models import Layout, Table
from parsers.sections import heading_key
from parsers.text import clean_line

_RULE_CELL = re.compile(r"^[\s\-:=+]{3,}$")
_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
_CONTINUATION_MAX = 16


@dataclass(frozen=True)
class Line:
    """A line of prose (outside any table); ``text`` is empty for a blank line."""

    text: str
    blank_cell: bool = False
    """A blank line that held only non-breaking/ideographic spaces (a copied ``&nbsp;`` cell)."""


@dataclass(frozen=True)
class Row:
    """One table row; ``grid`` rows come from a Table block whose columns line up."""

    cells: tuple[str, ...]
    table: int
    grid: bool = False
    readings: tuple[tuple[str, ...], ...] = ()
    """Rebuilt text rows whose blank cells were blank lines: every placement of the values
    that the text allows (more than one: the row is ambiguous unless one reading adds up)."""
    confidence: tuple[float | None, ...] = ()
    """OCR confidence (0-100) of each of ``cells``, for a Table block read from an image;
    empty for every other row."""
    covered: tuple[bool, ...] = ()
    """For a Table block's row: whether each of ``cells`` only repeats a merged cell that starts
    in an earlier slot (above or to the left); empty when no slot is covered."""

    @property
    def text(self) -> str:
        """The row as one tab-separated line of text, its columns in place: a merged cell's text
        once, in the slot where it starts, its other slots empty (``cells`` repeats it in every
        slot); trailing empty slots are dropped, and a row of only empty slots is ``""``."""
        if not self.covered:
            return "\t".join(self.cells).rstrip()
        return "\t".join("" if covered else cell for cell, covered in zip(self.cells, self.covered)).rstrip()


Item = Line | Row
_GAP = Line("")
_BLANK_CELL = Line("", blank_cell=True)


def layout_items(layout: Layout) -> list[Item]:
    """Every block of ``layout`` as Lines and Rows in reading order."""
    items: list[Item] = []
    pending: list[str] = []
    table_id = 0
    for block in layout.blocks:
        if isinstance(block, Table):
            if pending:
                table_id = _text_items(pending, items, table_id)
                pending = []
            table_id += 1
            for index, row in enumerate(block.rows):
                cells = tuple(map(clean_line, row))
                heading = _spanning_heading(cells)
                confidence = tuple(block.confidence[index]) if index < len(block.confidence) else ()
                items.append(Line(heading) if heading else Row(
                    cells, table_id, grid=True, confidence=confidence, covered=_covered(block, index)))
        else:
            pending.extend(block.text.split("\n"))
    if pending:
        _text_items(pending, items, table_id)
    return items


def _covered(table: Table, index: int) -> tuple[bool, ...]:
    """Which slots of row ``index`` a merged cell starting elsewhere covers (empty: none)."""
    origins = table.origins[index] if index < len(table.origins) else ()
    covered = tuple(map(ne, origins, zip(repeat(index), range(len(origins)))))
    return covered if any(covered) else ()


def _spanning_heading(cells: tuple[str, ...]) -> str | None:
    """A part's heading written as a table row spanning every column
    ("三、收到和处理政府信息公开申请情况" atop table 3): a heading line, not a table row."""
    text = cells[0] if cells else ""
    if not text or any(c != text for c in cells[1:] if c) or len(text) > 40:
        return None
    if not _HEADING.match(text) and not text.endswith(("情况", "事项")):
        return None  # a lone "行政复议" over a header is the table's own
    return text if heading_key(text, -1) is not None else None


def _is_blank(line: str) -> bool:
    return not line.strip() and not line.startswith("\t")


def _is_cell_line(line: str) -> bool:
    return line.startswith("\t") and line.count("\t") == 1


def _split_row(line: str) -> tuple[str, ...] | None:
    """Cells of a tab- or |-separated row line, or None for prose."""
    if "\t" in line and not _is_cell_line(line):
        return tuple(clean_line(c) for c in line.split("\t"))
    if line.count("|") >= 2:
        body = line.strip()
        if body.startswith("|"):
            body = body[1:]
        if body.endswith("|"):
            body = body[:-1]
        return tuple(clean_line(c) for c in body.split("|"))
    return None


def _is_continuation(lines: list[str], index: int, gap: int) -> bool:
    """A short tab-less line right after a cell line (at most one blank between), itself
    followed by another cell line or continuation: the rest of a cell broken across lines."""
    line = lines[index].strip()
    if gap > 1 or not line or len(line) > _CONTINUATION_MAX or _HEADING.match(line):
        return False
    following = index + 1
    blanks = 0
    while following < len(lines) and _is_blank(lines[following]):
        following += 1
        blanks += 1
    if following >= len(lines) or blanks > 1:
        return False
    nxt = lines[following]
    return _is_cell_line(nxt) or (
        "\t" not in nxt and len(nxt.strip()) <= _CONTINUATION_MAX and not _HEADING.match(nxt)
        and _is_continuation(lines, following, blanks)
    )


def _text_items(lines: list[str], items: list[Item], table_id: int) -> int:
    """Append the Lines and Rows of a run of text lines; returns the last table id used."""
    row: list[str] | None = None
    gap = 0  # blank lines since the last content line
    in_table = False

    def close() -> None:
        nonlocal row
        if row is not None:
            items.append(Row(tuple(clean_line(c) for c in row), table_id))
            row = None

    for index, line in enumerate(lines):
        if _is_blank(line):
            gap += 1
            if row is None:
                items.append(_GAP if not line or line.strip(" \t\r\f") == "" else _BLANK_CELL)
            continue
        if _is_cell_line(line):
            if row is None or gap > 0:
                close()
                if not in_table:
                    table_id += 1
                    in_table = True
                row = []
            row.append(line[1:])
        elif row is not None and _is_continuation(lines, index, gap):
            row[-1] += line.strip()
        else:
            close()
            cells = _split_row(line)
            if cells is None:
                in_table = False
                items.append(Line(clean_line(line)))
            elif not all(_RULE_CELL.match(c) for c in cells if c) or not any(cells):
                if not in_table:
                    table_id += 1
                    in_table = True
                items.append(Row(cells, table_id))
        gap = 0
    close()
    return table_id
