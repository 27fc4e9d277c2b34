"""Spreadsheets (.xlsx through openpyxl, .xls through xlrd) to a ``Layout``.

Some organs publish the report, or just its tables, as a workbook. Each sheet is cut at its
blank rows: a run of rows with one cell each (a title, a part heading) becomes paragraphs, any
other run a ``Table`` grid with its merged ranges expanded.
Numbers are written as a person would read them: integers without ``.0``.
"""

from __future__ import annotations

import io

import openpyxl
import xlrd

from parsers.docx import check_package
from parsers.models import Block, Layout, Paragraph, UnreadableDocument
from parsers.table_grid import SpanCell, to_table

MAX_CELLS = 200_000
"""A report's tables hold a few hundred cells; more is not a report."""


def read_layout(data: bytes, media_type: str) -> Layout:
    """Read every sheet of an .xlsx or .xls workbook into a sheet-name paragraph and a grid."""
    if media_type == "application/vnd.ms-excel":
        sheets = _xls_sheets(data)
    else:
        sheets = _xlsx_sheets(data)
    blocks: list[Block] = []
    for cells in sheets:
        blocks += _regions(cells)
    return Layout(media_type=media_type, blocks=tuple(blocks))


def _regions(cells: list[SpanCell]) -> list[Block]:
    """A sheet's blocks: runs of rows separated by blank rows; a run where no row holds two
    cells is text (one paragraph per row), any other run is a table."""
    by_row: dict[int, list[SpanCell]] = {}
    for cell in cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            by_row.setdefault(r, []).append(cell)
    blocks: list[Block] = []
    run: list[int] = []
    for r in [*sorted(by_row), None]:
        if run and (r is None or r != run[-1] + 1):
            members = {id(c): c for row in run for c in by_row[row]}.values()
            if all(len(by_row[row]) == 1 for row in run):
                blocks += [Paragraph(by_row[row][0].text) for row in run if by_row[row][0].row == row]
            else:
                blocks.append(to_table(_trim([SpanCell(c.row, c.col, c.text, c.rowspan, c.colspan) for c in members])))
            run = []
        if r is not None:
            run.append(r)
    return blocks


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_sheets(data: bytes):
    check_package(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as error:  # openpyxl raises KeyError/ValueError/zip errors on damage
        raise UnreadableDocument(f"unreadable workbook ({type(error).__name__}: {error})") from error
    for sheet in workbook.worksheets:
        if sheet.max_row * sheet.max_column > MAX_CELLS:
            raise UnreadableDocument(f"sheet {sheet.title} has {sheet.max_row}x{sheet.max_column} cells")
        merged = {(m.min_row, m.min_col): m for m in sheet.merged_cells.ranges}
        covered = {(r, c) for m in merged.values() for r in range(m.min_row, m.max_row + 1)
                   for c in range(m.min_col, m.max_col + 1)} - set(merged)
        cells = []
        for row in sheet.iter_rows():
            for cell in row:
                key = (cell.row, cell.column)
                if key in covered:
                    continue
                span = merged.get(key)
                text = _text(cell.value)
                if not text and span is None:
                    continue
                cells.append(SpanCell(cell.row - 1, cell.column - 1, text,
                                      span.max_row - span.min_row + 1 if span else 1,
                                      span.max_col - span.min_col + 1 if span else 1))
        yield cells


def _xls_sheets(data: bytes):
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as error:  # xlrd raises XLRDError, CompDocError, struct errors
        raise UnreadableDocument(f"unreadable .xls workbook ({type(error).__name__}: {error})") from error
    for index in range(book.nsheets):
        try:
            sheet = book.sheet_by_index(index)  # on_demand: the sheet's records are parsed here
        except Exception as error:  # xlrd raises struct/Index/Key errors on damaged records
            raise UnreadableDocument(f"damaged .xls sheet {index + 1} ({type(error).__name__}: {error})") from error
        if sheet.nrows * sheet.ncols > MAX_CELLS:
            raise UnreadableDocument(f"sheet {sheet.name} has {sheet.nrows}x{sheet.ncols} cells")
        merged = {(r0, c0): (r1 - r0, c1 - c0) for r0, r1, c0, c1 in sheet.merged_cells}
        covered = {(r, c) for (r0, c0), (h, w) in merged.items() for r in range(r0, r0 + h)
                   for c in range(c0, c0 + w)} - set(merged)
        cells = []
        for r in range(sheet.nrows):
            for c in range(sheet.ncols):
                if (r, c) in covered:
                    continue
                text = _text(sheet.cell_value(r, c))
                rowspan, colspan = merged.get((r, c), (1, 1))
                if text or (r, c) in merged:
                    cells.append(SpanCell(r, c, text, rowspan, colspan))
        book.unload_sheet(index)
        yield cells


def _trim(cells: list[SpanCell]) -> list[SpanCell]:
    """Move the cells to the grid's origin (a table starts anywhere in its sheet)."""
    if not cells:
        return cells
    top, left = min(c.row for c in cells), min(c.col for c in cells)
    for cell in cells:
        cell.row -= top
        cell.col -= left
    return cells
