"""Media-type sniffing from the bytes (issue 3): never from the extension or Content-Type alone."""

import io
import os

import pytest

from parsers.detect import DOCX, HTML, MHT, PDF, PNG, TEXT, XLSX, sniff_media_type
from parsers.models import UnreadableDocument


def _docx_bytes() -> bytes:
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("政府信息公开工作年度报告")
    document.save(buffer)
    return buffer.getvalue()


def _xlsx_bytes() -> bytes:
    import openpyxl

    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "自然人"
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_docx_named_zip_served_as_octet_stream_is_a_docx():
    assert sniff_media_type(_docx_bytes(), "application/octet-stream", "http://x.gov.cn/a.zip") == DOCX


def test_an_xlsx_served_as_msword_is_an_xlsx():
    assert sniff_media_type(_xlsx_bytes(), "application/msword", "http://x.gov.cn/a.doc") == XLSX


def test_a_pdf_named_doc_is_a_pdf():
    assert sniff_media_type(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/msword", "a.doc") == PDF


def test_a_doc_that_is_really_word_html_is_html():
    word_html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office">\r\n<head><meta http-equiv=Content-Type '
        'content="text/html; charset=gb2312"></head><body><p class=MsoNormal>一、总体情况</p></body></html>'
    ).encode("gbk")
    assert sniff_media_type(word_html, "application/msword", "http://x.gov.cn/report.doc") == HTML


def test_an_mht_saved_page_is_a_mime_message():
    mht = b"From: <Saved by Windows Internet Explorer 8>\r\nSubject: report\r\nMIME-Version: 1.0\r\n" \
          b'Content-Type: multipart/related;\r\n\tboundary="----=_NextPart"\r\n\r\n'
    assert sniff_media_type(mht, "application/msword", "a.doc") == MHT


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-16"])
def test_plain_chinese_text_is_text_in_any_encoding(encoding):
    text = "漳平市芦芝镇人民政府2020年政府信息公开工作年度报告\n一、总体情况\n本年新收政府信息公开申请数量\t0\n"
    assert sniff_media_type(text.encode(encoding)) == TEXT


def test_gbk_html_without_declaration_is_html():
    assert sniff_media_type("<div><table><tr><td>自然人</td></tr></table></div>".encode("gbk")) == HTML


def test_png_by_magic_number():
    assert sniff_media_type(b"\x89PNG\r\n\x1a\n" + bytes(40), "text/html") == PNG


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "empty file"), (b" \r\n\t ", "empty file"), (bytes(range(256)) * 20, "binary data")],
)
def test_empty_and_junk_are_unreadable_with_a_reason(data, reason):
    with pytest.raises(UnreadableDocument, match=reason):
        sniff_media_type(data)


def test_random_bytes_are_junk():
    with pytest.raises(UnreadableDocument, match="binary data"):
        sniff_media_type(os.urandom(4096))


@pytest.mark.parametrize(
    ("name", "url", "expected"),
    [
        ("report.doc", "http://x.gov.cn/a.pdf", "application/msword"),
        ("report.doc", "http://x.gov.cn/a.wps", "application/msword"),  # Kingsoft WPS writes Word 97
        ("report.xls", "http://x.gov.cn/a.doc", "application/vnd.ms-excel"),
        ("report.mht", "http://x.gov.cn/a.doc", "message/rfc822"),
        ("report_scanned.pdf", "http://x.gov.cn/a.jpg", "application/pdf"),
        ("page2_scanned.png", "http://x.gov.cn/a.pdf", "image/png"),
        ("password.docx", "http://x.gov.cn/a.docx", DOCX),
        ("password.docx", "http://x.gov.cn/a.xlsx", XLSX),  # encrypted: only the name tells
    ],
)
def test_fixture_documents_are_sniffed_from_their_bytes(name, url, expected):
    from tests.parsers.documents.conftest import document_bytes

    assert sniff_media_type(document_bytes(name), "application/octet-stream", url) == expected


def test_a_truncated_docx_is_still_a_docx():
    data = _docx_bytes()
    assert sniff_media_type(data[: len(data) // 2]) == DOCX


def test_a_pdf_after_a_junk_prefix_is_a_pdf():
    assert sniff_media_type(b"\xef\xbb\xbf\r\n%PDF-1.4\n1 0 obj") == PDF


def test_a_damaged_ole_file_is_unreadable():
    with pytest.raises(UnreadableDocument, match="OLE"):
        sniff_media_type(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
