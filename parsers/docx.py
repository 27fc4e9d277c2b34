"""Word 2007+ (.docx) bytes to a ``Layout``, through python-docx.

Paragraphs and tables come out in the order of the document body. Merged cells become the
expanded grid of ``Table``: a horizontal merge is one ``w:tc`` with ``w:gridSpan``; a vertical
merge is a ``w:vMerge="restart"`` cell followed by ``w:vMerge`` continuation cells in the rows
below. python-docx's ``row.cells`` repeats the merged cell in every row it spans, which would
hide the merge, so the grid is built from the ``w:tc`` elements themselves. Automatic list
numbers ("一、" of a heading typed as a numbered list) are put back in front of their text
(``parsers.docx_numbering``).

Before python-docx sees the package, its declared member sizes are checked: a zip bomb (XML
that inflates more than ``MAX_RATIO`` times, or a package over ``MAX_UNPACKED`` bytes) is
refused without being inflated.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml.ns import qn

from parsers.docx_numbering import Numbering
from parsers.models import Layout, Paragraph, Table, UnreadableDocument
from parsers.table_grid import SpanCell, to_table

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_RATIO = 100
"""A member that inflates more than this many times (and past ``RATIO_FLOOR``) is a bomb."""
RATIO_FLOOR = 10 * 1024 * 1024
"""Small members may compress very well (a blank styles part); only big ones count as bombs."""
MAX_UNPACKED = 200 * 1024 * 1024


def check_package(data: bytes) -> zipfile.ZipFile:
    """Open an OOXML zip package, refusing broken packages and zip bombs before inflating.

    zipfile never inflates a member past its declared size (it fails the CRC instead), so
    checking declared sizes bounds the memory a hostile package can take.
    """
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as error:
        raise UnreadableDocument(f"broken or truncated Office package ({error})") from error
    total = 0
    for member in package.infolist():
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise UnreadableDocument(
                f"refused zip bomb: {member.filename} inflates {ratio:.0f}x to {member.file_size} bytes"
            )
    if total > MAX_UNPACKED:
        raise UnreadableDocument(f"refused Office package unpacking to {total} bytes")
    return package


def read_layout(data: bytes, media_type: str = MEDIA_TYPE) -> Layout:
    """Read a .docx into paragraphs and table grids in reading order.

    >>> read_layout(open("report.docx", "rb").read()).blocks[0]  # doctest: +SKIP
    Paragraph(text='漳平市芦芝镇人民政府2021年政府信息公开工作年度报告')
    """
    check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises KeyError/ValueError/lxml errors on damage
        raise UnreadableDocument(f"unreadable Word document ({type(error).__name__}: {error})") from error
    blocks = tuple(_blocks(document.element.body, Numbering(document)))
    title = (document.core_properties.title or "").strip() or None
    return Layout(media_type=media_type, blocks=blocks, title=title)


def _blocks(body, numbering: Numbering):
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = _paragraph_text(child)
            number = numbering.prefix(child)  # counted even for an empty paragraph, as Word does
            if text.strip():
                yield Paragraph(number + text)
        elif child.tag == qn("w:tbl"):
            table = _table(child, numbering)
            if table.rows:
                yield table
        elif child.tag == qn("w:sdt"):  # content controls wrap ordinary paragraphs and tables
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, numbering)


def _paragraph_text(p) -> str:
    """Text of a ``w:p`` with tabs and line breaks kept (python-docx's ``Paragraph.text`` rules)."""
    parts = []
    for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc, numbering: Numbering) -> str:
    texts = [(numbering.prefix(p), _paragraph_text(p)) for p in tc.iter(qn("w:p"))]
    return "\n".join(number + text for number, text in texts if text.strip()).strip()


def _table(tbl, numbering: Numbering) -> Table:
    first_column, last_column = _grid_columns(tbl)
    cells: list[SpanCell] = []
    open_merges: dict[int, SpanCell] = {}  # grid column -> the cell a vertical merge continues
    for r, tr in enumerate(tbl.iterchildren(qn("w:tr"))):
        col = _grid_before(tr)
        for tc in tr.iterchildren(qn("w:tc")):
            span = tc.grid_span
            merge = tc.vMerge  # None, "restart" or "continue"
            if merge == "continue" and col in open_merges:
                above = open_merges[col]
                above.rowspan = r - above.row + 1
            else:
                cell = SpanCell(r, col, _cell_text(tc, numbering), colspan=span)
                cells.append(cell)
                if merge == "restart":
                    open_merges[col] = cell
                else:
                    open_merges.pop(col, None)
            col += span
    for cell in cells:
        first, last = first_column(cell.col), last_column(cell.col + cell.colspan - 1)
        cell.col, cell.colspan = first, last - first + 1
    return to_table(cells)


_SLIVER_TWIPS = 30
"""Narrower grid columns (0.5 mm) are conversion artefacts: LibreOffice writes .doc tables as
docx with a 1-twip column where two rows' cell edges almost meet, doubling a table column."""


def _grid_columns(tbl):
    """Table columns of a cell's first and last ``w:tblGrid`` column, slivers left out.

    A cell starting on a sliver starts at the next real column; one ending on a sliver ends
    at the previous real column.
    """
    widths = [int(col.get(qn("w:w"), "0") or 0) for col in tbl.iterfind(f"{qn('w:tblGrid')}/{qn('w:gridCol')}")]
    kept = [i for i, width in enumerate(widths) if width >= _SLIVER_TWIPS]
    if not kept or len(kept) == len(widths):
        return lambda col: col, lambda col: col
    index = {col: i for i, col in enumerate(kept)}

    def first(col: int) -> int:
        return index[min((k for k in kept if k >= col), default=kept[-1])]

    def last(col: int) -> int:
        return index[max((k for k in kept if k <= col), default=kept[0])]

    return first, last


def _grid_before(tr) -> int:
    """Grid columns skipped at the start of a row (``w:trPr/w:gridBefore``)."""
    node = tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}")
    return int(node.get(qn("w:val"), "0")) if node is not None else 0
