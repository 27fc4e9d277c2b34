"""nianbao's parsers: document bytes in, one checked, normalised ``Report`` out.

Pure functions only: no network, no clock, no database, no Scrapy. The public API is
``parse()`` plus the record types of ``parsers.models``.

``parse`` sniffs the media type from the bytes (``parsers.detect``), reads HTML and plain
text itself (``parsers.html``, ``parsers.plaintext``) and every other document type through
``parsers.documents``, then hands the resulting ``Layout`` to ``parsers.extract``.
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
from parsers import html, plaintext  # noqa: E402  (after the models they build on)
from parsers.charset import decode
from parsers.detect import sniff_media_type
from parsers.extract import report_from_layout

MAX_MARKUP_BYTES = 16 * 1024 * 1024
"""HTML or text larger than this is no report page (real ones are well under 2 MB)."""


def parse(
    data: bytes,
    *,
    url: str | None = None,
    listing_title: str | None = None,
    listing_date: str | None = None,
    content_type: str | None = None,
) -> Report:
    """Parse one fetched document into a ``Report``.

    ``url``, ``listing_title`` (the link text on the portal's list page), ``listing_date`` and
    ``content_type`` (the HTTP header) are provenance; they help with the title, year, date and
    charset but are never required. Raises ``NotAnnualReport`` or ``UnreadableDocument``
    (both ``ParseError``) with a one-line reason.

    >>> report = parse(open("report.html", "rb").read(), url="https://example.gov.cn/a.html")
    >>> report.cell_values()["requests.new.total"]
    3
    """
    media_type = sniff_media_type(data, content_type=content_type, url=url)
    if media_type in ("text/html", "text/plain") and len(data) > MAX_MARKUP_BYTES:
        raise UnreadableDocument(
            f"{media_type} document of {len(data) / 1e6:.1f} MB is over the "
            f"{MAX_MARKUP_BYTES // (1024 * 1024)} MB limit for a report page"
        )
    if media_type == "text/html":
        layout = html.read_layout(data, content_type)
    elif media_type == "text/plain":
        layout = plaintext.read_layout(decode(data, content_type)[0])
    else:
        # PDF, Word, WPS, spreadsheets and images: their readers (and their heavy libraries)
        # load only when such a document arrives.
        from parsers.documents import read_layout as read_document

        layout = read_document(data, media_type)
    return report_from_layout(layout, url=url, listing_title=listing_title, listing_date=listing_date)


__all__ = [
    "MAX_MARKUP_BYTES",
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
    "parse",
]
