"""Fixtures of the document-reader tests: the report of tests/fixtures/parsers/documents in
every format, and readings that take seconds (OCR, LibreOffice) done once per session."""

from pathlib import Path

import pytest

from parsers import parse
from parsers.documents import read_layout
from parsers.detect import sniff_media_type
from parsers.extract import report_from_layout

DOCUMENTS = Path(__file__).resolve().parents[2] / "fixtures" / "parsers" / "documents"


def document_bytes(name: str) -> bytes:
    return (DOCUMENTS / name).read_bytes()


def layout_of(name: str):
    data = document_bytes(name)
    return read_layout(data, sniff_media_type(data))


@pytest.fixture(scope="session")
def html_report():
    """The reference: the HTML rendering of the report, read by the HTML parser."""
    return parse(document_bytes("report.html"), url="http://www.zp.gov.cn/zwgk/ndbg/2021.html")


@pytest.fixture(scope="session")
def scanned_layout():
    return layout_of("report_scanned.pdf")


@pytest.fixture(scope="session")
def scanned_report(scanned_layout):
    """The scanned report's record, from the layout already OCR'd (OCR takes ~20 s)."""
    return report_from_layout(scanned_layout, url="http://www.zp.gov.cn/zwgk/ndbg/2021.pdf")
