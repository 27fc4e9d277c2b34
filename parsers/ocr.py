"""Scanned pages and image-only reports to text and table grids, through Tesseract (chi_sim).

A scanned report page is mostly a ruled table. The ruling lines are found in the image
(long runs of dark pixels), turned into cell boxes by pdfplumber's own edge-to-cell geometry,
and erased; Tesseract then reads the cleaned page once (``image_to_data``: words with boxes
and confidences), and each word goes to the cell that holds its centre. Cells carry the lowest
confidence of their words, so a doubtful digit shows in ``Table.confidence``.

The Tesseract command is ``tesseract`` or the ``NIANBAO_TESSERACT`` environment variable;
when it (or its ``chi_sim`` data) is missing, ``available()`` is False and callers archive the
document as image only with a clear problem.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess

import numpy as np
import pdfplumber.table
import pytesseract
from PIL import Image, ImageOps

from parsers.models import Layout, Problem, UnreadableDocument
from parsers.page_layout import GeoCell, Line, Page, TablePart, assemble, join_text

LANGUAGE = "chi_sim"
TIMEOUT = 120
"""Seconds Tesseract may spend on one page before the page is given up."""
MAX_IMAGE_PIXELS = 60_000_000
"""A bigger image is a decompression bomb or a poster, not a report page."""
MAX_FRAMES = 12
_DARK = 140
_MIN_CONFIDENCE = 0


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
    """Read an image file (PNG, JPEG, TIFF with one page per frame, …) as a scanned report."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # Pillow raises DecompressionBombError above 2x this
    try:
        image = Image.open(io.BytesIO(data))
        frames = []
        for index in range(min(getattr(image, "n_frames", 1), MAX_FRAMES)):
            image.seek(index)
            frames.append(ImageOps.exif_transpose(image).convert("L"))
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise UnreadableDocument(f"unreadable image ({error})") from error
    problems: list[Problem] = []
    if not available():
        problems.append(Problem("image_only", f"the document is an image and Tesseract ({tesseract_command()}) "
                                "with chi_sim is not installed: archived as image only"))
        return Layout(media_type=media_type, blocks=(), problems=tuple(problems))
    pages = [read_page(frame, problems, page_number=n + 1) for n, frame in enumerate(frames)]
    return Layout(media_type=media_type, blocks=assemble(pages), ocr=True, problems=tuple(problems))


def read_page(image: Image.Image, problems: list[Problem], page_number: int = 1) -> Page:
    """OCR one page image into lines and table parts (pixel coordinates)."""
    grey = image.convert("L")
    dark = np.asarray(grey) < _DARK
    horizontal, vertical = _ruling(dark), _ruling(dark.T).T
    edges = _edges(horizontal, "h") + _edges(vertical, "v")
    cleaned = np.asarray(grey).copy()
    cleaned[horizontal | vertical] = 255
    try:
        words = _tesseract_words(Image.fromarray(cleaned), bool(edges))
    except (RuntimeError, pytesseract.TesseractError) as error:
        problems.append(Problem("ocr_failed", f"page {page_number}: Tesseract failed ({error})"))
        return Page(width=grey.width, height=grey.height)
    heights = sorted(w["height"] for w in words) or [40]
    page = Page(width=grey.width, height=grey.height, unit=heights[len(heights) // 2])
    tables = _tables(edges, page.unit)
    loose = []
    for word in words:
        cx, cy = word["left"] + word["width"] / 2, word["top"] + word["height"] / 2
        for part in tables:
            cell = next((c for c in part.cells if c.x0 <= cx <= c.x1 and c.top <= cy <= c.bottom), None)
            if cell is not None:
                cell.text += ("\n" if cell.text else "") + word["text"]  # finished below
                cell.confidence = min(word["conf"], cell.confidence if cell.confidence is not None else 100.0)
                break
        else:
            loose.append(word)
    for part in tables:
        for cell in part.cells:
            cell.text = _cell_text(cell.text)
    page.tables = tables
    page.lines = _lines(loose)
    return page


def _tesseract_words(image: Image.Image, has_table: bool) -> list[dict]:
    """Words Tesseract reads with their boxes and confidences (0-100), in reading order."""
    config = "--psm 11" if has_table else "--psm 3"  # sparse text: cells are scattered
    data = pytesseract.image_to_data(image, lang=LANGUAGE, config=config,
                                     output_type=pytesseract.Output.DICT, timeout=TIMEOUT)
    words = []
    for i, text in enumerate(data["text"]):
        confidence = float(data["conf"][i])
        if text.strip() and confidence >= _MIN_CONFIDENCE:
            words.append({"text": text.strip(), "conf": confidence, "left": data["left"][i], "top": data["top"][i],
                          "width": data["width"][i], "height": data["height"][i],
                          "line": (data["block_num"][i], data["par_num"][i], data["line_num"][i])})
    return words


def _cell_text(raw: str) -> str:
    return join_text(raw.split("\n"))


def _lines(words: list[dict]) -> list[Line]:
    """Words outside tables grouped into lines by position (top to bottom, left to right)."""
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: w["top"] + w["height"] / 2):
        middle = word["top"] + word["height"] / 2
        if rows and abs(middle - (rows[-1][0]["top"] + rows[-1][0]["height"] / 2)) <= rows[-1][0]["height"] / 2:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w["left"])
        lines.append(Line(join_text([w["text"] for w in row]), row[0]["left"],
                          max(w["left"] + w["width"] for w in row), min(w["top"] for w in row),
                          max(w["top"] + w["height"] for w in row)))
    return lines


def _ruling(dark: np.ndarray) -> np.ndarray:
    """Pixels on horizontal runs of dark pixels at least a fifteenth of the width long."""
    length = max(dark.shape[1] // 15, 20)
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
                              "object_type": "line"})
    return edges


def _tables(edges: list[dict], unit: float) -> list[TablePart]:
    """Cell boxes from ruling segments, through pdfplumber's table geometry."""
    if not edges:
        return []
    tolerance = max(unit / 3, 3)
    merged = pdfplumber.table.merge_edges(edges, tolerance, tolerance, tolerance, tolerance)
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
