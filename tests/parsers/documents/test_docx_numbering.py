"""Automatic list numbers in Word documents come out as text (一、总体情况 typed as a list)."""

import io
import re

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from parsers import parse
from parsers.docx_numbering import chinese_number, format_number
from tests.parsers.documents.conftest import document_bytes

_ABSTRACT = (
    f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
    '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
    "</w:abstractNum>"
)
_NUM = f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'
_HEADING = re.compile(r"^[一二三四五六]、")


def numbered_headings_docx() -> bytes:
    """report.docx with its six part headings typed as a Chinese-numbered list."""
    document = docx.Document(io.BytesIO(document_bytes("report.docx")))
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(_ABSTRACT))  # abstractNum elements come before num elements
    numbering.append(parse_xml(_NUM))
    for paragraph in document.paragraphs:
        if _HEADING.match(paragraph.text):
            text = _HEADING.sub("", paragraph.text)
            for run in paragraph.runs[1:]:
                run._r.getparent().remove(run._r)
            paragraph.runs[0].text = text
            num_pr = parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>')
            paragraph._p.get_or_add_pPr().append(num_pr)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_numbered_headings_read_as_in_the_html_rendering(html_report):
    data = numbered_headings_docx()
    assert "一、总体情况" not in docx.Document(io.BytesIO(data)).paragraphs[2].text
    report = parse(data)
    assert report.sections == html_report.sections
    assert report.cell_values() == html_report.cell_values()
    assert report.problems == ()


@pytest.mark.parametrize(
    ("n", "fmt", "text"),
    [(3, "chineseCounting", "三"), (11, "chineseCountingThousand", "十一"), (2, "decimalEnclosedCircle", "②"),
     (4, "lowerRoman", "iv"), (28, "upperLetter", "BB"), (7, "decimal", "7"), (5, "decimalFullWidth", "５")],
)
def test_list_number_formats(n, fmt, text):
    assert format_number(n, fmt) == text


def test_chinese_numbers():
    assert [chinese_number(n) for n in (1, 9, 10, 15, 20, 99, 100, 110)] == \
        ["一", "九", "十", "十五", "二十", "九十九", "一百", "一百一十"]
