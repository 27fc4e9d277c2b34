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


@pytest.mark.parametrize("name", ["borderless.pdf", "borderless_tight.pdf"])
def test_tables_drawn_without_rules_equal_the_html_rendering(name, html_report):
    # No ruling lines (Word tables without borders, printed to PDF): pdfplumber finds no table.
    # Columns come from where the text starts, wrapped labels are joined within their cell
    # ("一、本年新收政府信息公" + "开申请数量"), vertical labels ("三、本/年度办/理结果") stay one
    # cell, and table 3 is rejoined over pages 2-4, rows split by the breaks included.
    # In borderless_tight.pdf rows follow each other as closely as a cell's wrapped lines.
    report = parse(document_bytes(name), url=URL + name)
    assert report.cell_values() == html_report.cell_values()
    assert {c.key: c.raw for c in report.cells} == {c.key: c.raw for c in html_report.cells}
    assert [c.status for c in report.checks] == [c.status for c in html_report.checks]
    # the prose parts read the same; the table parts' text differs only where a merged cell's
    # span is invisible without borders ("第二十条第（一）项" over four columns)
    prose = ("overview", "problems", "other")
    assert {k: report.sections[k] for k in prose} == {k: html_report.sections[k] for k in prose}
    assert set(report.sections) == set(html_report.sections)
    assert report.problems == ()


def test_rtf_is_read_through_libreoffice(html_report, tmp_path):
    # (.odt takes the same path: LibreOffice to docx)
    from tests.fixtures.parsers.documents.make_fixtures import soffice_convert

    source = tmp_path / "report.docx"
    source.write_bytes(document_bytes("report.docx"))
    report = parse(soffice_convert(source, "rtf", tmp_path).read_bytes())
    assert report.media_type == "application/rtf"
    assert report.cell_values() == html_report.cell_values()
