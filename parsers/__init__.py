"""nianbao's parsers: document bytes in, one checked, normalised ``Report`` out.

Pure functions only: no network, no clock, no database, no Scrapy. The public API is
``parse()`` plus the record types of ``parsers.models``.
"""

from parsers.models import (
    PARSER_VERSION,
    CaptureRecord,
    Cell,
    Check,
    Layout,
    NotAnnualReport,
    Paragraph,
    ParseError,
    Problem,
    Report,
    Table,
    UnreadableDocument,
)

__all__ = [
    "PARSER_VERSION",
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
