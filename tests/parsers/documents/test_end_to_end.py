"""The same report out of PDF, Word, WPS, spreadsheets and MHT equals its HTML rendering (issue 3).

Every cell of tables 2-4, the six parts, title, agency, year, template and date: the document
readers hand ``parsers.extract`` the same layout the HTML reader does.
"""

import pytest

from parsers import parse
from tests.parsers.documents.conftest import document_bytes

URL = "http://www.zp.gov.cn/zwgk/ndbg/"
DOCUMENTS = [
    ("report.pdf", "application/pdf"),
    ("report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("report.doc", "application/msword"),
    ("report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("report.xls", "application/vnd.ms-excel"),
    ("report.mht", "message/rfc822"),
]


@pytest.mark.parametrize(("name", "media_type"), DOCUMENTS)
def test_every_cell_equals_the_html_rendering(name, media_type, html_report):
    report = parse(document_bytes(name), url=URL + name)
    assert report.media_type == media_type
    assert report.cell_values() == html_report.cell_values()
    assert {c.key: c.raw for c in report.cells} == {c.key: c.raw for c in html_report.cells}
    assert [c.status for c in report.checks] == [c.status for c in html_report.checks]
    assert report.problems == ()


@pytest.mark.parametrize(("name", "media_type"), DOCUMENTS)
def test_record_fields_equal_the_html_rendering(name, media_type, html_report):
    report = parse(document_bytes(name), url=URL + name)
    fields = ("title", "agency", "year", "template", "published_date")
    assert {f: getattr(report, f) for f in fields} == {f: getattr(html_report, f) for f in fields}
    assert (report.title, report.year, report.template) == ("漳平市芦芝镇人民政府2021年政府信息公开工作年度报告", 2021, "2021")
    if name.startswith("report.xls"):  # the workbook holds the tables and headings, not the prose
        return
    assert report.sections == html_report.sections


def test_a_wps_file_is_read_through_libreoffice(html_report):
    # Kingsoft WPS saves .wps in the Word 97 format: the same bytes a portal serves as .wps.
    report = parse(document_bytes("report.doc"), url=URL + "report.wps", content_type="application/kswps")
    assert report.cell_values() == html_report.cell_values()


def test_a_doc_that_is_really_word_html_is_parsed_as_html(html_report):
    # Word's "save as web page" under a .doc name and an msword Content-Type, in GB2312.
    page = document_bytes("report.html").decode("utf-8").replace("charset='utf-8'", "charset='gb2312'")
    page = page.replace("<html>", '<html xmlns:o="urn:schemas-microsoft-com:office:office">')
    report = parse(page.encode("gb18030"), url=URL + "report.doc", content_type="application/msword")
    assert report.media_type == "text/html"
    assert report.cell_values() == html_report.cell_values()


def test_a_docx_served_as_a_zip_is_read_as_docx(html_report):
    report = parse(document_bytes("report.docx"), url=URL + "report.zip", content_type="application/zip")
    assert report.cell_values() == html_report.cell_values()


@pytest.mark.parametrize("name", ["report2019.docx", "report2019.pdf"])
def test_a_template_2019_report_equals_its_html_rendering(name):
    # the same organ a year earlier: 第二十条第（九）项 with a money amount, one （六）其他处理 row
    reference = parse(document_bytes("report2019.html"))
    report = parse(document_bytes(name), url=URL + name)
    assert (report.year, report.template) == (2020, "2019")
    assert report.cell_values() == reference.cell_values()
    assert report.cell_values()["active.art20_9.procurement.amount"] == 1190.1
    assert report.sections == reference.sections
    assert report.problems == ()


def test_tables_drawn_without_rules_give_a_partial_record_and_no_wrong_number(html_report):
    # No ruling lines: pdfplumber finds no table. Columns become tabs ("规章\t0\t0\t0"), which
    # the extractor reads where rows are simple; table 3's wrapped labels defeat it, and the
    # record says so instead of guessing.
    from parsers.documents import read_layout

    data = document_bytes("borderless.pdf")
    texts = [b.text for b in read_layout(data, "application/pdf").blocks]
    assert "规章\t0\t0\t0" in texts and "行政规范性文件\t3\t1\t17" in texts
    report = parse(data)
    read = {k: v for k, v in report.cell_values().items() if v is not None}
    expected = html_report.cell_values()
    assert read and all(expected[k] == v for k, v in read.items())
    assert not report.is_complete


def test_rtf_is_read_through_libreoffice(html_report, tmp_path):
    # (.odt takes the same path: LibreOffice to docx)
    from tests.fixtures.parsers.documents.make_fixtures import soffice_convert

    source = tmp_path / "report.docx"
    source.write_bytes(document_bytes("report.docx"))
    report = parse(soffice_convert(source, "rtf", tmp_path).read_bytes())
    assert report.media_type == "application/rtf"
    assert report.cell_values() == html_report.cell_values()
