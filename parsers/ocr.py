"""Scanned pages and image-only reports to text and table grids, through Tesseract (chi_sim).

A scanned report page is mostly a ruled table. The page is deskewed, the ruling lines are
found in the image (long runs of dark pixels), turned into cell boxes by pdfplumber's own
edge-to-cell geometry, and erased. The cells of each table are cropped and read by Tesseract
in one call, stacked in a column (numbers once more with a digits-only whitelist); the rest
of the page is read as lines. Each cell keeps the lowest confidence of its words, so a doubtful
digit shows in ``Table.confidence``, and doubtful cells are named in a problem. Labels are
corrected to the official wording once tables are rejoined (``corrected``).

The Tesseract command is ``tesseract`` or the ``NIANBAO_TESSERACT`` environment variable;
when it (or its ``chi_sim`` data) is missing, ``available()`` is False and callers archive the
document as image only with a clear problem.
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess

import numpy as np
import pdfplumber.table
import pytesseract
from PIL import Image, ImageOps

from parsers import ocr_lexicon
from parsers.models import Block, Layout, Problem, Table, UnreadableDocument
from parsers.page_layout import GeoCell, Line, Page, TablePart, assemble, join_text

LANGUAGE = "chi_sim"
TIMEOUT = 120
"""Seconds Tesseract may spend on one page before the page is given up."""
MAX_IMAGE_PIXELS = 60_000_000
"""A bigger image is a decompression bomb or a poster, not a report page."""
MAX_FRAMES = 12
_DARK = 140
MIN_NUMBER_CONFIDENCE = 70
"""Tesseract's confidence (0-100) under which an OCR'd number is reported as doubtful."""
_TOUCH = 3
"""A border runs into the rules at its ends (pixels); a stroke of a character stops short."""


def tesseract_command() -> str:
    return os.environ.get("NIANBAO_TESSERACT", "tesseract")


@functools.cache
def _has_language(command: str) -> bool:
    try:
        listing = subprocess.run([command, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return LANGUAGE in listing.stdout.split()


def available() -> bool:
    """Is Tesseract installed with Simplified Chinese data?"""
    command = tesseract_command()
    return shutil.which(command) is not None and _has_language(command)


def read_layout(data: bytes, media_type: str) -> Layout:
    """Read an image file (PNG, JPEG, TIFF with one page per frame, …) as a scanned report.

    Raises ``UnreadableDocument`` for a broken image, one too big to be a page, and when
    Tesseract is missing (the reason starts with ``image_only``: nothing can be read).
    """
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise UnreadableDocument(f"image of {image.width}x{image.height} pixels is too big to be a report page")
        if not available():
            raise UnreadableDocument(f"image_only: the document is an image and Tesseract ({tesseract_command()}) "
                                     "with chi_sim is not installed: archived as image only")
        frames = []
        for index in range(min(getattr(image, "n_frames", 1), MAX_FRAMES)):
            image.seek(index)
            frames.append(ImageOps.exif_transpose(image).convert("L"))
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise UnreadableDocument(f"unreadable image ({error})") from error
    problems: list[Problem] = []
    pages = [read_page(frame, problems, page_number=n + 1) for n, frame in enumerate(frames)]
    return Layout(media_type=media_type, blocks=corrected(assemble(pages)), ocr=True, problems=tuple(problems))


def corrected(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """OCR'd blocks with table labels set to the official wording they almost match.

    Done once tables are rejoined across pages, so that the two halves of a label split by a
    page break are corrected together (``parsers.ocr_lexicon``).
    """
    result = []
    for block in blocks:
        if isinstance(block, Table):
            rows = tuple(tuple(ocr_lexicon.correct(text) for text in row) for row in block.rows)
            block = Table(rows=rows, origins=block.origins, confidence=block.confidence)
        result.append(block)
    return tuple(result)


def read_page(image: Image.Image, problems: list[Problem], page_number: int = 1) -> Page:
    """OCR one page image into lines and table parts (pixel coordinates)."""
    grey = _deskewed(image.convert("L"))
    dark = np.asarray(grey) < _DARK
    tolerance = max(grey.height / 300, 4)
    horizontal = _ruling(dark, max(grey.width // 15, 20))
    h_edges = _edges(horizontal, "h")
    # Vertical rules of one-row cells are short (a row is ~1.5 characters high), as short as
    # a character's stroke: keep only those running from one horizontal rule to another.
    vertical = _ruling(dark.T, max(grey.height // 120, 12)).T
    v_edges = [e for e in _edges(vertical, "v") if _bounded(e, h_edges, _TOUCH)]
    cleaned = np.asarray(grey).copy()
    cleaned[horizontal] = 255
    for edge in v_edges:
        rows, cols = slice(int(edge["top"]), int(edge["bottom"]) + 1), slice(*edge["band"])
        cleaned[rows, cols][vertical[rows, cols]] = 255
    page = Page(width=grey.width, height=grey.height)
    tables = _tables(h_edges + v_edges, tolerance)
    try:
        for part in tables:
            doubtful = _read_cells(cleaned, part.cells)
            if doubtful:
                problems.append(Problem("ocr_doubtful_cells", f"page {page_number}: {len(doubtful)} table cell(s) "
                                        f"read with low confidence or not at all: {', '.join(doubtful[:8])}"))
            cleaned[int(part.top):int(part.bottom) + 1, int(part.x0):int(part.x1) + 1] = 255
        words = _tesseract_words(Image.fromarray(cleaned), "--psm 3")
    except (RuntimeError, pytesseract.TesseractError) as error:
        problems.append(Problem("ocr_failed", f"page {page_number}: Tesseract failed ({error})"))
        return page
    heights = sorted(w["height"] for w in words) or [grey.height / 60]
    page.unit = heights[len(heights) // 2]
    page.tables = tables
    page.lines = _lines(words)
    return page


def _deskewed(grey: Image.Image) -> Image.Image:
    """The page turned upright: the angle (within ±2°) whose rows of ink are sharpest.

    Scanned pages lie a little askew; ruling lines then break into steps and crop badly.
    """
    small = grey.reduce(4)
    best, best_score = 0.0, -1.0
    for tenth in range(-20, 21):
        turned = np.asarray(small.rotate(tenth / 10, fillcolor=255)) < _DARK
        score = float(np.var(turned.sum(axis=1)))
        if score > best_score:
            best, best_score = tenth / 10, score
    return grey.rotate(best, fillcolor=255, resample=Image.BICUBIC) if best else grey


_GAP = 40
"""White pixels between two cells stacked in the composite image Tesseract reads."""
_NUMERIC = re.compile(r"^[\d.]{1,8}$")
_DIGITS = "--psm 6 -c tessedit_char_whitelist=0123456789."


def _read_cells(cleaned: np.ndarray, cells: list[GeoCell]) -> list[str]:
    """OCR the cells of a table, all in one Tesseract call, from a column of their crops.

    Read in place, digits alone in a cell ("0") are often dropped as noise by page layout
    analysis; stacked one under another as one uniform block (``--psm 6``) they are read.
    Then the short cells of the columns that hold numbers are read again with digits only,
    so a "1" cannot come out as "工" or a "3" as "纪". Returns the doubtful readings: cells
    with ink read as blank, and numbers read with confidence under ``MIN_NUMBER_CONFIDENCE``.
    """
    crops = {id(cell): crop for cell in cells if (crop := _crop(cleaned, cell)) is not None}
    readings = _read_stacked([crops[id(c)] for c in cells if id(c) in crops], "--psm 6")
    for cell, (text, confidence) in zip([c for c in cells if id(c) in crops], readings, strict=True):
        cell.text, cell.confidence = text, confidence
    numeric = [c for c in _numeric_columns(cells)
               if id(c) in crops and len(c.text) <= 8 and ocr_lexicon.correct(c.text) not in ocr_lexicon.LABELS]
    for cell, (text, confidence) in zip(numeric, _read_stacked([crops[id(c)] for c in numeric], _DIGITS),
                                        strict=True):
        # Digit-only reading is unsure of a lone "1"; two readings agreeing make it sure.
        agreed = text == cell.text and cell.confidence is not None
        cell.text, cell.confidence = text, max(confidence, cell.confidence) if agreed else confidence
    unread = ["(blank)" for c in cells if id(c) in crops and not c.text]
    unsure = [f"{c.text!r} ({c.confidence:.0f})" for c in numeric
              if c.text and c.confidence is not None and c.confidence < MIN_NUMBER_CONFIDENCE]
    return unread + unsure


def _crop(cleaned: np.ndarray, cell: GeoCell) -> np.ndarray | None:
    """The ink of a cell, trimmed to its bounding box, or None for a blank cell."""
    inset = 5  # stay clear of what is left of the erased rules
    crop = cleaned[int(cell.top) + inset:int(cell.bottom) - inset, int(cell.x0) + inset:int(cell.x1) - inset]
    rows, cols = np.nonzero(crop < _DARK) if crop.size else ((), ())
    if len(rows) < 4:
        return None
    return crop[rows.min():rows.max() + 1, cols.min():cols.max() + 1]


def _numeric_columns(cells: list[GeoCell]) -> list[GeoCell]:
    """Cells of the columns, and of the rows, where most filled cells read as numbers."""
    columns: dict[tuple[int, int], list[GeoCell]] = {}
    rows: dict[tuple[int, int], list[GeoCell]] = {}
    for cell in cells:
        columns.setdefault((round(cell.x0 / 10), round(cell.x1 / 10)), []).append(cell)
        rows.setdefault((round(cell.top / 10), round(cell.bottom / 10)), []).append(cell)
    chosen: dict[int, GeoCell] = {}
    for line in [*columns.values(), *rows.values()]:
        filled = [c for c in line if c.text]
        if filled and sum(bool(_NUMERIC.match(c.text)) for c in filled) >= 0.6 * len(filled):
            chosen.update((id(c), c) for c in filled)
    return list(chosen.values())


def _read_stacked(crops: list[np.ndarray], config: str) -> list[tuple[str, float]]:
    """(text, lowest confidence) of each crop, read in one call from the crops stacked."""
    if not crops:
        return []
    bands, top = [], _GAP
    for crop in crops:
        bands.append((top, top + crop.shape[0]))
        top += crop.shape[0] + _GAP
    canvas = np.full((top, max(c.shape[1] for c in crops) + 2 * _GAP), 255, dtype=np.uint8)
    for (y, _), crop in zip(bands, crops, strict=True):
        canvas[y:y + crop.shape[0], _GAP:_GAP + crop.shape[1]] = crop
    words = _tesseract_words(Image.fromarray(canvas), config)
    readings = []
    for low, high in bands:
        mine = [w for w in words if low - _GAP / 2 <= w["top"] + w["height"] / 2 <= high + _GAP / 2]
        readings.append((join_text([line.text for line in _lines(mine)]), min((w["conf"] for w in mine), default=0.0)))
    return readings


def _tesseract_words(image: Image.Image, config: str) -> list[dict]:
    """Words Tesseract reads, in its reading order, with boxes, confidences and line keys."""
    pytesseract.pytesseract.tesseract_cmd = tesseract_command()  # pytesseract's documented setting
    data = pytesseract.image_to_data(image, lang=LANGUAGE, config=config,
                                     output_type=pytesseract.Output.DICT, timeout=TIMEOUT)
    words = []
    for i, text in enumerate(data["text"]):
        confidence = float(data["conf"][i])
        text = text.replace("|", "")  # remnants of ruling lines; no report cell holds a "|"
        if text.strip() and confidence >= 0:
            words.append({"text": text.strip(), "conf": confidence, "left": data["left"][i], "top": data["top"][i],
                          "width": data["width"][i], "height": data["height"][i],
                          "line": (data["block_num"][i], data["par_num"][i], data["line_num"][i])})
    return words


def _lines(words: list[dict]) -> list[Line]:
    """Words grouped into Tesseract's lines, each left to right, lines top to bottom."""
    grouped: dict[tuple[int, int, int], list[dict]] = {}
    for word in words:
        grouped.setdefault(word["line"], []).append(word)
    lines = []
    for row in grouped.values():
        row.sort(key=lambda w: w["left"])
        lines.append(Line(join_text([w["text"] for w in row]), row[0]["left"],
                          max(w["left"] + w["width"] for w in row), min(w["top"] for w in row),
                          max(w["top"] + w["height"] for w in row)))
    return sorted(lines, key=lambda ln: ln.top)


def _bounded(edge: dict, h_edges: list[dict], tolerance: float) -> bool:
    """Does a vertical segment start and end on horizontal rules (a cell border, not a stroke)?"""
    def on_rule(y: float) -> bool:
        return any(abs(h["top"] - y) <= tolerance and h["x0"] - tolerance <= edge["x0"] <= h["x1"] + tolerance
                   for h in h_edges)

    return on_rule(edge["top"]) and on_rule(edge["bottom"])


def _ruling(dark: np.ndarray, length: int) -> np.ndarray:
    """Pixels on horizontal runs of dark pixels at least ``length`` long."""
    padded = np.pad(dark.astype(np.int32), ((0, 0), (1, 0)))
    sums = np.cumsum(padded, axis=1)
    full = (sums[:, length:] - sums[:, :-length]) == length  # window starting at each column is all dark
    # Spread each full window back over the pixels it covers.
    starts = np.pad(full.astype(np.int32), ((0, 0), (0, length - 1)))
    cover = np.cumsum(np.pad(starts, ((0, 0), (1, 0))), axis=1)
    covered = (cover[:, length:] - cover[:, :-length]) > 0
    return np.pad(covered, ((0, 0), (length - 1, 0)))[:, : dark.shape[1]]


def _edges(mask: np.ndarray, orientation: str) -> list[dict]:
    """Line segments of a ruling mask as pdfplumber edge dicts (pixel coordinates)."""
    along = mask if orientation == "h" else mask.T
    rows = np.flatnonzero(along.any(axis=1))
    edges = []
    if rows.size == 0:
        return edges
    groups = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)  # adjacent rows = one thick line
    for group in groups:
        band = along[group].any(axis=0)
        padded = np.concatenate(([False], band, [False]))
        changes = np.flatnonzero(padded[1:] != padded[:-1])
        position = float(group.mean())
        for start, end in zip(changes[::2], changes[1::2], strict=True):
            if orientation == "h":
                edges.append({"x0": float(start), "x1": float(end), "top": position, "bottom": position,
                              "width": float(end - start), "height": 0.0, "orientation": "h",
                              "object_type": "line"})
            else:
                edges.append({"x0": position, "x1": position, "top": float(start), "bottom": float(end),
                              "width": 0.0, "height": float(end - start), "orientation": "v",
                              "object_type": "line", "band": (int(group[0]), int(group[-1]) + 1)})
    return edges


def _tables(edges: list[dict], tolerance: float) -> list[TablePart]:
    """Cell boxes from ruling segments, through pdfplumber's table geometry."""
    if not edges:
        return []
    # Scanned rules break where the toner was thin: join collinear pieces across small gaps.
    merged = pdfplumber.table.merge_edges(edges, tolerance, tolerance, 3 * tolerance, 3 * tolerance)
    cells = pdfplumber.table.intersections_to_cells(
        pdfplumber.table.edges_to_intersections(merged, tolerance, tolerance))
    parts = []
    for group in pdfplumber.table.cells_to_tables(cells):
        if len(group) < 2:
            continue
        geo = [GeoCell(x0, top, x1, bottom, "") for x0, top, x1, bottom in group]
        parts.append(TablePart(min(c.x0 for c in geo), min(c.top for c in geo),
                               max(c.x1 for c in geo), max(c.bottom for c in geo), geo))
    return parts
