"""Hostile and broken documents get a clear reason, in bounded time and memory (issue 3)."""

import io
import multiprocessing
import stat
import time
import zipfile
import zlib

import pypdfium2
import pytest

from parsers import office, parse, pdf
from parsers.detect import sniff_media_type
from parsers.documents import read_layout
from parsers.models import Table, UnreadableDocument
from tests.parsers.documents.conftest import document_bytes


def test_an_encrypted_pdf_names_the_password():
    with pytest.raises(UnreadableDocument, match="encrypted PDF"):
        parse(document_bytes("encrypted.pdf"))


def test_a_pdf_restricted_by_an_owner_password_only_is_read_in_full(html_report):
    # no printing, no copying: encrypted, but with an empty password to open it
    data = document_bytes("restricted.pdf")
    assert b"/Encrypt" in data
    assert parse(data).cell_values() == html_report.cell_values()


@pytest.mark.parametrize("keep", [0.9, 0.5, 0.1])
def test_a_truncated_pdf_is_a_clear_error(keep):
    # Neither PDFium nor pdfminer recovers pages from a PDF cut short (its xref is gone).
    data = document_bytes("report.pdf")
    data = data[: int(len(data) * keep)]
    assert sniff_media_type(data) == "application/pdf"
    with pytest.raises(UnreadableDocument, match="damaged or truncated PDF"):
        parse(data)


def test_a_password_protected_docx_is_named_as_such():
    data = document_bytes("password.docx")
    assert sniff_media_type(data, url="http://x.gov.cn/report.docx").endswith("wordprocessingml.document")
    with pytest.raises(UnreadableDocument, match="password-protected"):
        parse(data, url="http://x.gov.cn/report.docx")


def _docx_with(document_xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(document_bytes("report.docx"))) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, document_xml if item.filename == "word/document.xml" else source.read(item))
    return buffer.getvalue()


def test_a_docx_zip_bomb_is_refused_before_inflating():
    # 64 MB of XML that deflates to ~64 KB: over 100 times
    bomb = _docx_with(b'<?xml version="1.0"?><w:document>' + b" " * (64 * 1024 * 1024) + b"</w:document>")
    assert len(bomb) < 1024 * 1024
    with pytest.raises(UnreadableDocument, match="zip bomb"):
        parse(bomb)


def test_a_docx_with_broken_xml_is_a_clear_error():
    with pytest.raises(UnreadableDocument, match="unreadable Word document"):
        parse(_docx_with(b"<w:document><w:body><w:p>"))


def test_a_truncated_docx_is_a_clear_error():
    data = document_bytes("report.docx")
    with pytest.raises(UnreadableDocument, match="broken or truncated"):
        parse(data[: len(data) // 2])


def test_a_300_page_pdf_is_read_only_up_to_the_page_cap():
    source = pypdfium2.PdfDocument(document_bytes("report.pdf"))
    big = pypdfium2.PdfDocument.new()
    for _ in range(75):
        big.import_pages(source)
    buffer = io.BytesIO()
    big.save(buffer)
    layout = read_layout(buffer.getvalue(), "application/pdf")
    assert [p.code for p in layout.problems] == ["too_many_pages"]
    assert f"read only the first {pdf.MAX_PAGES}" in layout.problems[0].message
    tables = [b for b in layout.blocks if isinstance(b, Table)]
    assert len(tables) == pdf.MAX_PAGES // 4 * 3  # 4 pages, 3 tables per copy of the report


def test_a_hung_libreoffice_is_killed_after_the_timeout(tmp_path, monkeypatch):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("NIANBAO_SOFFICE", str(fake))
    monkeypatch.setattr(office, "TIMEOUT", 1)
    with pytest.raises(UnreadableDocument, match="took longer than 1 s"):
        read_layout(document_bytes("report.doc"), "application/msword")


def test_without_libreoffice_a_doc_is_read_by_antiword_and_marked(monkeypatch):
    monkeypatch.setenv("NIANBAO_SOFFICE", "/nonexistent/soffice")
    layout = read_layout(document_bytes("report.doc"), "application/msword")
    assert layout.problems[-1].code == "read_with_antiword"
    texts = [b.text for b in layout.blocks if b.text.strip()]
    assert texts[0] == "漳平市芦芝镇人民政府2021年政府信息公开工作年度报告"
    assert any(t.startswith("|行政规范性文件") for t in texts)


def test_without_libreoffice_or_antiword_a_doc_is_unreadable(monkeypatch):
    monkeypatch.setenv("NIANBAO_SOFFICE", "/nonexistent/soffice")
    monkeypatch.setenv("NIANBAO_ANTIWORD", "/nonexistent/antiword")
    with pytest.raises(UnreadableDocument, match="neither LibreOffice nor antiword"):
        read_layout(document_bytes("report.doc"), "application/msword")


def test_damaged_legacy_word_file_is_a_clear_error():
    data = document_bytes("report.doc")
    with pytest.raises(UnreadableDocument):
        parse(data[:4096] + bytes(4096))


@pytest.mark.parametrize("name", ["report.docx", "report.xlsx", "report.xls", "report.pdf", "report.mht"])
def test_damaged_copies_never_raise_anything_but_a_parse_error(name, monkeypatch):
    # 30 copies, each with random bytes overwritten, a zeroed block or cut short: a crawl
    # parsing them must only ever see ParseError (a reason), never a library's own exception.
    # (A damaged font makes a garbage text layer; OCR of it is tested elsewhere, not here.)
    import random

    from parsers.models import ParseError

    monkeypatch.setenv("NIANBAO_TESSERACT", "/nonexistent/tesseract")

    rng = random.Random(name)
    data = document_bytes(name)
    for attempt in range(30):
        damaged = bytearray(data)
        if attempt % 3 == 0:
            for _ in range(20):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        elif attempt % 3 == 1:
            damaged = damaged[: rng.randrange(1, len(damaged))]
        else:
            start = rng.randrange(len(damaged))
            damaged[start:start + 200] = bytes(200)
        try:
            parse(bytes(damaged))
        except ParseError:
            pass


def _inflating_pdf(content_bytes: int) -> bytes:
    """A one-page PDF whose content stream inflates from a few kB to ``content_bytes`` of
    drawing operators, each of which pdfminer interprets in Python."""
    unit = b"BT /F1 12 Tf 72 712 Td (A) Tj ET\n"
    stream = zlib.compress(unit * (content_bytes // len(unit)), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    data, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(data)


def test_a_pdf_that_takes_too_long_is_stopped_at_the_time_limit(monkeypatch):
    bomb = _inflating_pdf(20_000_000)  # read in full: ~60 s and 1.4 GB (measured)
    assert len(bomb) < 100_000 and sniff_media_type(bomb) == "application/pdf"
    monkeypatch.setenv("NIANBAO_READ_SECONDS", "2")
    started = time.monotonic()
    with pytest.raises(UnreadableDocument, match="longer than 2 s"):
        parse(bomb)
    assert time.monotonic() - started < 30


def test_a_pdf_that_needs_too_much_memory_is_stopped_at_the_memory_limit(monkeypatch):
    monkeypatch.setenv("NIANBAO_READ_MEMORY_MB", "100")
    with pytest.raises(UnreadableDocument, match="NIANBAO_READ_MEMORY_MB"):
        parse(_inflating_pdf(20_000_000))
    assert parse(document_bytes("report.pdf")).is_complete  # the limit leaves a real report room


def _complete(data: bytes) -> bool:
    return parse(data).is_complete


def test_a_pdf_is_read_from_inside_a_pool_worker_too():
    # multiprocessing's pool workers are daemonic and may not start multiprocessing children
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.map(_complete, [document_bytes("report.pdf")]) == [True]
