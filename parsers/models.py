"""The records that flow between the crawler, the parsers and the archive.

Everything here is a frozen dataclass with plain-data helpers (``to_dict``), so the three
parts of nianbao agree on one vocabulary without importing each other:

* ``Layout`` is what a document reader (HTML, text, PDF, Word, spreadsheet, OCR) extracts
  from bytes: paragraphs and table grids in reading order, before any domain knowledge.
* ``Report`` is what the parser makes of a layout: the canonical record of one annual report.
* ``CaptureRecord`` is one line of the crawler's JSON-lines manifest: where the exact bytes
  of a fetched response sit in a WARC file, and why they were kept. The archive loads it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

PARSER_VERSION = 6
"""Bumped whenever parser output changes, so the archive re-parses only what is older."""

Template = Literal["2019", "2021", "pre2019"]
CheckStatus = Literal["pass", "fail", "not_assessable"]


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Paragraph:
    """A run of text outside any table (a heading, a paragraph, one line of plain text)."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table as a rectangular grid.

    Merged cells are expanded: a cell spanning two rows and three columns appears in all six
    slots, and ``origins`` gives, for each slot, the (row, column) of the cell it came from,
    so a consumer can tell a repeated merged label from two equal cells.
    ``confidence`` holds per-slot OCR confidences (0-100) when the grid was read from an image.
    """

    rows: tuple[tuple[str, ...], ...]
    origins: tuple[tuple[tuple[int, int], ...], ...] = ()
    confidence: tuple[tuple[float | None, ...], ...] = ()


Block = Paragraph | Table


@dataclass(frozen=True)
class Layout:
    """What a document reader found in a document, before domain extraction."""

    media_type: str
    blocks: tuple[Block, ...]
    title: str | None = None
    published_date: str | None = None
    """From document metadata (``<meta name="PubDate">``, 发布日期 blocks), ``YYYY-MM-DD``."""
    ocr: bool = False
    problems: tuple[Problem, ...] = ()
    """Problems the reader met (an unreadable page, an image-only document without OCR)."""


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class Cell:
    """One number of tables 2-4 under its canonical key ``table.row.column``.

    ``value`` is None for a blank cell (not filled in), which is not a zero. Money is
    normalised to 万元 in ``value`` while ``raw`` keeps the text as printed.
    """

    key: str
    value: int | float | None
    raw: str
    confidence: float | None = None


@dataclass(frozen=True)
class Check:
    """One arithmetic rule of the template evaluated on one report.

    ``expected`` is the stated total, ``actual`` the sum of its parts, both computed with
    blanks counted as 0; ``blanks`` says whether a blank cell was involved.
    """

    rule: str
    keys: tuple[str, ...]
    expected: int | float
    actual: int | float
    status: CheckStatus
    blanks: bool = False


@dataclass(frozen=True)
class Problem:
    """Why a record is partial or a document could not be parsed, in words a person can act on."""

    code: str
    message: str
    key: str | None = None


@dataclass(frozen=True)
class Report:
    """The canonical record of one annual report."""

    title: str | None
    agency: str | None
    year: int | None
    template: Template | None
    published_date: str | None
    sections: dict[str, str]
    body_text: str
    cells: tuple[Cell, ...]
    checks: tuple[Check, ...]
    problems: tuple[Problem, ...]
    media_type: str = "text/html"
    ocr: bool = False
    url: str | None = None
    parser_version: int = PARSER_VERSION

    @property
    def is_complete(self) -> bool:
        return not self.problems

    @property
    def failed_checks(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "fail")

    def cell_values(self) -> dict[str, int | float | None]:
        return {c.key: c.value for c in self.cells}

    def to_dict(self) -> dict:
        """The record as plain JSON-ready data; ``cells`` flattened to key -> value (and, for an
        OCR'd record only, ``cells_confidence``: key -> OCR confidence 0-100 or None)."""
        data = dataclasses.asdict(self)
        data["cells"] = self.cell_values()
        data["cells_raw"] = {c.key: c.raw for c in self.cells}
        if self.ocr:
            data["cells_confidence"] = {c.key: c.confidence for c in self.cells}
        data["status"] = "complete" if self.is_complete else "partial"
        return data


class ParseError(Exception):
    """A document that yields no report at all; the message is the one-line reason."""


class NotAnnualReport(ParseError):
    """The document is readable but is not a government information disclosure annual report."""


class UnreadableDocument(ParseError):
    """The bytes cannot be read as any supported document type (empty, junk, broken, encrypted)."""


# --------------------------------------------------------------------------- crawl manifest


@dataclass(frozen=True)
class CaptureRecord:
    """One line of the crawler's JSON-lines manifest: a response kept byte-exact in a WARC file.

    ``role`` is ``list`` (a column page), ``report`` (a candidate report page) or
    ``attachment`` (a file linked from a report page; ``parent_url`` names that page).
    """

    portal_id: str
    url: str
    final_url: str
    fetched_at: str
    status: int
    content_type: str | None
    size: int
    sha256: str
    warc_file: str
    warc_offset: int
    role: Literal["list", "report", "attachment"]
    listing_title: str | None = None
    listing_date: str | None = None
    candidate_reason: str | None = None
    parent_url: str | None = None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CaptureRecord:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


__all__ = [
    "PARSER_VERSION",
    "Block",
    "CaptureRecord",
    "Cell",
    "Check",
    "Layout",
    "NotAnnualReport",
    "Paragraph",
    "ParseError",
    "Problem",
    "Report",
    "Table",
    "UnreadableDocument",
]
