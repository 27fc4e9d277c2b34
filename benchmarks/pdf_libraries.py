"""Measure PDF libraries side by side on the same report: speed, table accuracy, licence.

Candidates, each on the 6-page test report (tests/fixtures/parsers/documents/report.pdf with
its first two pages again), pinned to one core:

* pdfplumber (MIT): what ``parsers.pdf`` uses; raw (chars + ``find_tables`` + ``extract``) and
  through ``parsers.pdf.read_layout`` (cells placed on the grid, pages rejoined).
* pypdfium2 (Apache-2.0/BSD) + our own grid: ruling lines from the page's path objects, cells
  through pdfplumber's edge geometry, characters from PDFium's text page.
* PyMuPDF (AGPL-3.0): ``find_tables`` + ``extract``; not a dependency, measured when installed
  (``pip install --target DIR --no-deps pymupdf`` and ``PYTHONPATH=DIR``).

"cells" counts the report's table cells (each merged cell once) whose text a reader returns
exactly (line breaks inside a cell removed); "grids" counts tables that come out as the
report's whole expanded grid, rejoined across pages. Run: ``python3 -m benchmarks.pdf_libraries``.
"""

from __future__ import annotations

import collections
import io
import os
import statistics
import time
from pathlib import Path

import pdfplumber
import pypdfium2
import pypdfium2.raw as pdfium_raw

from parsers import ocr, pdf
from parsers.models import Table
from parsers.page_layout import GeoCell, Line, Page, TablePart, assemble
from tests.fixtures.parsers.documents import report_model as model

RUNS = 5
DOCUMENTS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "parsers" / "documents"


def document_bytes(name: str) -> bytes:
    return (DOCUMENTS / name).read_bytes()


def six_page_report() -> bytes:
    """The 4-page report with its first two pages appended: 6 pages, 5 table parts more."""
    source = pypdfium2.PdfDocument(document_bytes("report.pdf"))
    target = pypdfium2.PdfDocument.new()
    target.import_pages(source)
    target.import_pages(source, [0, 1])
    buffer = io.BytesIO()
    target.save(buffer)
    return buffer.getvalue()


def expected_cells() -> collections.Counter:
    """Each cell of the report's tables once, as printed (three copies: 6 pages hold 1.5 reports
    of tables, but the count is taken against one report's tables)."""
    return collections.Counter(text for table in model.TABLES for row in table for text, _, _ in row)


def cells_found(texts: list[str]) -> int:
    found = collections.Counter(t.replace("\n", "") for t in texts if t)
    return sum((expected_cells() & found).values())


def grids_right(blocks) -> int:
    grids = [b.rows for b in blocks if isinstance(b, Table)]
    return sum(model.expanded(t) in grids for t in model.TABLES)


def pdfplumber_raw(data: bytes):
    texts = []
    with pdfplumber.open(io.BytesIO(data)) as document:
        for page in document.pages:
            page.chars  # noqa: B018  (text for paragraphs, as a reader needs it)
            for table in page.find_tables():
                texts += [c for row in table.extract() for c in row if c]
    return texts, None


def pdfplumber_reader(data: bytes):
    layout = pdf.read_layout(data)
    return [t for b in layout.blocks if isinstance(b, Table) for t in _origin_texts(b)], layout.blocks


def _origin_texts(table: Table) -> list[str]:
    seen = {}
    for r, row in enumerate(table.rows):
        for c, text in enumerate(row):
            seen.setdefault(table.origins[r][c], text)
    return list(seen.values())


def pdfium_with_own_grid(data: bytes):
    document = pypdfium2.PdfDocument(data)
    pages = []
    for page in document:
        width, height = page.get_size()
        edges = []
        for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_PATH]):
            left, bottom, right, top = obj.get_bounds()
            top, bottom = height - top, height - bottom
            if right - left < 3 < bottom - top:
                x = (left + right) / 2
                edges.append({"x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0, "height": bottom - top,
                              "orientation": "v", "object_type": "line"})
            elif bottom - top < 3 < right - left:
                y = (top + bottom) / 2
                edges.append({"x0": left, "x1": right, "top": y, "bottom": y, "width": right - left, "height": 0,
                              "orientation": "h", "object_type": "line"})
        parts = ocr._tables(edges, 3)
        text_page = page.get_textpage()
        chars = []
        for i in range(text_page.count_chars()):
            text = text_page.get_text_range(i, 1)
            if text.strip():
                left, bottom, right, top = text_page.get_charbox(i)
                chars.append({"text": text, "x0": left, "x1": right, "top": height - top, "bottom": height - bottom,
                              "size": 10.5})
        loose = []
        for char in chars:
            cx, cy = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
            cell = next((c for p in parts for c in p.cells if c.x0 <= cx <= c.x1 and c.top <= cy <= c.bottom), None)
            if cell is None:
                loose.append(char)
            else:
                cell.text += char["text"]
        lines = [Line(*line) for line in pdf._char_lines(loose, 10.5)]
        tables = [TablePart(p.x0, p.top, p.x1, p.bottom, [GeoCell(c.x0, c.top, c.x1, c.bottom, c.text)
                                                          for c in p.cells]) for p in parts]
        pages.append(Page(width=width, height=height, lines=lines, tables=tables, unit=10.5))
    blocks = assemble(pages)
    return [t for b in blocks if isinstance(b, Table) for t in _origin_texts(b)], blocks


def pymupdf_raw(data: bytes):
    import pymupdf

    texts = []
    for page in pymupdf.open(stream=data, filetype="pdf"):
        page.get_text()
        for table in page.find_tables().tables:
            texts += [c for row in table.extract() for c in row if c]
    return texts, None


CANDIDATES = [
    ("pdfplumber 0.11, raw find_tables", "MIT", pdfplumber_raw),
    ("pdfplumber + parsers.pdf (ours)", "MIT", pdfplumber_reader),
    ("pypdfium2 + own grid", "Apache-2.0/BSD-3", pdfium_with_own_grid),
    ("PyMuPDF find_tables", "AGPL-3.0", pymupdf_raw),
]


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    data = six_page_report()
    pages = len(pypdfium2.PdfDocument(data))
    total = sum(expected_cells().values())
    print(f"{pages}-page report, {total} distinct table cells, best of {RUNS} runs, one core")
    print(f"{'candidate':36} {'licence':17} {'s/doc':>7} {'s/page':>7} {'cells':>9} {'grids':>6}")
    for name, licence, read in CANDIDATES:
        try:
            texts, blocks = read(data)
        except ImportError:
            print(f"{name:36} {licence:17} not installed")
            continue
        timings = []
        for _ in range(RUNS):
            start = time.process_time()
            read(data)
            timings.append(time.process_time() - start)
        best = min(timings)
        grids = f"{grids_right(blocks)}/3" if blocks is not None else "-"
        print(f"{name:36} {licence:17} {best:7.3f} {best / pages:7.3f} {cells_found(texts):4}/{total:<4} {grids:>6}"
              f"   (median {statistics.median(timings):.3f} s)")


if __name__ == "__main__":
    main()
