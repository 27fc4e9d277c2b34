"""PDF bytes to a ``Layout``: text layer through pdfplumber, scans through OCR.

pdfplumber was chosen by measurement (docs/documents.md): on our LibreOffice-made reports it
reads text and ruled tables (cell boxes included, so merged cells keep their spans) in about
0.04 s a page, and it is MIT-licensed; PyMuPDF is AGPL and pypdfium2 has no table finder.
pypdfium2 (already a pdfplumber dependency) opens the file first, because it tells an
encrypted file from a damaged one and counts pages cheaply, and it rasterises pages for OCR.

Per page: ruled tables become cells with their boxes and text, other text becomes lines, and
``parsers.page_layout.assemble`` turns the pages into paragraphs and grids, rejoining tables
broken across pages. A page with no text layer (a scan) or a garbage one (a font with a wrong
ToUnicode CMap: printable junk instead of Chinese) is OCR'd when Tesseract is installed, and
otherwise reported as a problem. Work is bounded: at most ``MAX_PAGES`` pages are read and
at most ``MAX_OCR_PAGES`` OCR'd.
"""

from __future__ import annotations

import io
import re

import pdfplumber
import pypdfium2

from parsers import ocr
from parsers.models import Layout, Problem, UnreadableDocument
from parsers.page_layout import GeoCell, Line, Page, TablePart, assemble, join_text, text_tables

MEDIA_TYPE = "application/pdf"
MAX_PAGES = 60
"""Reports run to 30 pages at most; a longer PDF is a compilation or junk: read the start."""
MAX_OCR_PAGES = 12
"""OCR takes seconds a page; a report's tables fit in far fewer scanned pages than this."""
OCR_DPI = 200
"""Scans are made at 150-300 dpi; 200 gives Tesseract ~30 px characters at 10.5 pt."""
_MIN_TEXT_CHARS = 20
_COLUMN_GAP = 1.5
"""A gap wider than this many characters inside a line separates columns, not words."""
_CELL_GAP = 0.6
"""Where no table is ruled, a gap this wide may part two cells: a label filling its cell ends
a little short of the number in the next ("…政府信息公" 1.3 characters before "34")."""
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# What a wrong CMap yields: Latin-1 letters for GBK bytes, pdfminer's "(cid:123)", private use
# code points, the replacement character.
_JUNK = re.compile(r"\(cid:\d+\)|[\u00c0-\u00ff\u0080-\u00bf\ue000-\uf8ff\ufffd]")


def read_layout(data: bytes, media_type: str = MEDIA_TYPE) -> Layout:
    """Read a PDF into paragraphs and table grids; OCR the pages that have no usable text.

    Raises ``UnreadableDocument`` for an encrypted or damaged file, and when nothing at all
    can be read (an image-only PDF without Tesseract: the reason names it, ``image_only``).
    Pages read partly (some scanned without Tesseract, a garbage text layer, too many pages)
    come back as ``Layout.problems``.
    """
    document = _open_pdfium(data)
    problems: list[Problem] = []
    total = len(document)
    if total == 0:
        raise UnreadableDocument("PDF with no pages")
    if total > MAX_PAGES:
        problems.append(Problem("too_many_pages", f"PDF has {total} pages; read only the first {MAX_PAGES}"))
    pages: list[Page] = []
    needs_ocr: list[int] = []
    garbage: list[int] = []
    scans_with_text: set[int] = set()
    title = None
    try:
        with pdfplumber.open(io.BytesIO(data), pages=range(1, min(total, MAX_PAGES) + 1)) as pdf:
            title = _title(pdf.metadata)
            for number, page in enumerate(pdf.pages):
                text_page, verdict = _read_page(page)
                if verdict == "garbage":
                    garbage.append(number)
                if verdict == "scan_with_text":
                    scans_with_text.add(number)
                if verdict != "text":
                    needs_ocr.append(number)
                pages.append(text_page)
                page.close()
    except Exception as error:  # pdfminer raises assorted errors on damaged content streams
        raise UnreadableDocument(f"damaged PDF: {type(error).__name__}: {error}") from error
    if garbage:
        problems.append(Problem("garbage_text_layer", "the text layer of page(s) "
                                f"{_numbers(garbage)} is not Chinese text (a font with a wrong CMap); read as image"))
    used_ocr = _ocr_pages(document, pages, needs_ocr, problems, scans_with_text)
    blocks = ocr.corrected(assemble(pages)) if used_ocr else assemble(pages)
    document.close()
    if not blocks:
        reasons = "; ".join(p.message for p in problems) or "PDF with no text and no images"
        raise UnreadableDocument(f"nothing readable: {reasons}")
    return Layout(media_type=media_type, blocks=blocks, title=title, ocr=used_ocr, problems=tuple(problems))


def _open_pdfium(data: bytes) -> pypdfium2.PdfDocument:
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        if "password" in str(error).lower():
            raise UnreadableDocument("encrypted PDF: it cannot be opened without its password") from error
        raise UnreadableDocument(f"damaged or truncated PDF ({error})") from error


def _numbers(indexes: list[int]) -> str:
    return ", ".join(str(i + 1) for i in indexes)


def _title(metadata: dict) -> str | None:
    title = metadata.get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-16" if title.startswith(b"\xfe\xff") else "latin-1", errors="replace")
    if not isinstance(title, str):
        return None
    # Word's PDF printer titles files "Microsoft Word - 2021年报.docx".
    title = re.sub(r"^Microsoft Word - |\.(?:docx?|wps|pdf)$", "", title.strip())
    return title if _CJK.search(title) else None


def _ocr_pages(document, pages: list[Page], numbers: list[int], problems: list[Problem],
               scans_with_text: set[int]) -> bool:
    """Replace the pages in ``numbers`` by their OCR reading; say why when it cannot be done.

    Without Tesseract a scan with a text layer (``scans_with_text``) keeps what its text
    layer says; the others are lost to the record.
    """
    if not numbers:
        return False
    if not ocr.available():
        missing = f"Tesseract ({ocr.tesseract_command()}) is not installed"
        kept = [n for n in numbers if n in scans_with_text]
        lost = [n for n in numbers if n not in scans_with_text]
        if lost:
            problems.append(Problem("image_only", f"page(s) {_numbers(lost)} have no readable text layer and "
                                    f"{missing}: archived as image only"))
        if kept:
            problems.append(Problem("scan_text_layer", f"page(s) {_numbers(kept)} are scans; {missing}, so their "
                                    "tables were taken from the scanner's text layer, without cell borders"))
        return False
    if len(numbers) > MAX_OCR_PAGES:
        problems.append(Problem("too_many_pages", f"OCR'd only the first {MAX_OCR_PAGES} of "
                                f"{len(numbers)} scanned pages"))
    for number in numbers[:MAX_OCR_PAGES]:
        page = document[number]
        width, height = page.get_size()
        # a poster-sized page at 200 dpi would be gigapixels: cap the image, not the reader
        scale = min(OCR_DPI / 72, (ocr.MAX_IMAGE_PIXELS / max(width * height, 1)) ** 0.5)
        image = page.render(scale=scale, grayscale=True).to_pil()
        pages[number] = ocr.read_page(image, problems, page_number=number + 1)
    return True


def _read_page(page) -> tuple[Page, str]:
    """A page's lines and table parts, and a verdict: ``text``, ``scan`` (no text),
    ``scan_with_text`` (a page-sized image under text, no ruled table) or ``garbage``."""
    chars = [c for c in page.chars if c["text"].strip()]
    text = "".join(c["text"] for c in chars)
    width, height = float(page.width), float(page.height)
    sizes = sorted(c["size"] for c in chars)
    unit = sizes[len(sizes) // 2] if sizes else 10.5
    result = Page(width=width, height=height, unit=unit)
    if len(text) < _MIN_TEXT_CHARS:
        return result, "scan" if page.images or not text else "text"
    if is_garbage_text([c["text"] for c in chars]):
        return result, "garbage"
    tables = page.find_tables()
    if not tables and _covered_by_image(page):
        # A scanner's searchable PDF: the page is a picture under an invisible OCR text layer
        # with no cell borders; read the picture (keep the text layer for want of Tesseract).
        result.lines = [Line(*line) for line in _char_lines(chars, unit, columns=True)]
        return result, "scan_with_text"
    remaining = chars
    for table in tables:
        boxes = [tuple(map(float, cell)) for cell in table.cells]
        inside: dict[int, list[dict]] = {i: [] for i in range(len(boxes))}
        outside = []
        for char in remaining:
            cx, cy = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
            box = next((i for i, (x0, top, x1, bottom) in enumerate(boxes)
                        if x0 <= cx <= x1 and top <= cy <= bottom), None)
            (inside[box] if box is not None else outside).append(char)
        remaining = outside
        cells = [GeoCell(*box, text=join_text([t for t, *_ in _char_lines(inside[i], unit)]))
                 for i, box in enumerate(boxes)]
        x0, top, x1, bottom = map(float, table.bbox)
        result.tables.append(TablePart(x0, top, x1, bottom, cells))
    if tables:
        result.lines = [Line(*line) for line in _char_lines(remaining, unit, columns=True)]
        return result, "text"
    # No ruling lines at all: tables drawn without rules are found from where their text sits.
    result.tables, rest = text_tables(_segment_lines(remaining, unit), unit)
    result.lines = [_joined(segments, unit) for segments in rest]
    return result, "text"


def is_garbage_text(chars: list[str]) -> bool:
    """Is a text layer junk (over 30% junk characters, under 20% Chinese)?

    Each item is one character as pdfminer gives it; an unmapped glyph is one "(cid:123)".
    """
    junk = sum(bool(_JUNK.fullmatch(c)) for c in chars)
    chinese = sum(bool(_CJK.match(c)) for c in chars)
    return junk > 0.3 * len(chars) and chinese < 0.2 * len(chars)


def _covered_by_image(page) -> bool:
    area = float(page.width) * float(page.height)
    return any((float(i["x1"]) - float(i["x0"])) * (float(i["bottom"]) - float(i["top"])) >= 0.8 * area
               for i in page.images)


def _char_lines(chars: list[dict], unit: float, columns: bool = False) -> list[tuple[str, float, float, float,
                                                                                   float]]:
    """Chars grouped into lines, top to bottom: (text, x0, x1, top, bottom).

    With ``columns``, a gap wider than ``_COLUMN_GAP`` characters becomes a tab: outside ruled
    tables such gaps separate the columns of a table drawn without rules ("规章\t0\t0\t0").
    Inside a cell they are letter spacing ("总  计" set to fill the cell) and are dropped.
    """
    lines = []
    for group in _line_groups(chars, unit):
        members = sorted(group, key=lambda c: c["x0"])
        text, previous = "", None
        for char in members:
            gap = char["x0"] - previous["x1"] if previous else 0
            if previous and gap > unit * _COLUMN_GAP and columns:
                text += "\t"
            elif previous and gap > unit * 0.3 and (char["text"].isascii() or previous["text"].isascii()):
                text += " "
            text += char["text"]
            previous = char
        lines.append((text, members[0]["x0"], max(c["x1"] for c in members), min(c["top"] for c in members),
                      max(c["bottom"] for c in members)))
    return lines


def _line_groups(chars: list[dict], unit: float) -> list[list[dict]]:
    """Chars in lines (tops within half a character), top to bottom."""
    groups: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: c["top"]):
        if groups and char["top"] - groups[-1][0]["top"] <= unit / 2:
            groups[-1].append(char)
        else:
            groups.append([char])
    return groups


def _segment_lines(chars: list[dict], unit: float) -> list[list[Line]]:
    """Each line's pieces between gaps wider than ``_CELL_GAP`` characters, with their boxes."""
    lines = []
    for group in _line_groups(chars, unit):
        pieces: list[list[dict]] = []
        for char in sorted(group, key=lambda c: c["x0"]):
            if pieces and char["x0"] - pieces[-1][-1]["x1"] <= unit * _CELL_GAP:
                pieces[-1].append(char)
            else:
                pieces.append([char])
        lines.append([Line(*_char_lines(piece, unit)[0]) for piece in pieces])
    return lines


def _joined(segments: list[Line], unit: float) -> Line:
    """A line's segments as one line, spaced as ``_char_lines(columns=True)`` spaces them."""
    text = segments[0].text
    for previous, segment in zip(segments, segments[1:]):
        gap = segment.x0 - previous.x1
        if gap > unit * _COLUMN_GAP:
            text += "\t"
        elif segment.text[0].isascii() or previous.text[-1].isascii():
            text += " "
        text += segment.text
    return Line(text, segments[0].x0, segments[-1].x1, min(s.top for s in segments), max(s.bottom for s in segments))
