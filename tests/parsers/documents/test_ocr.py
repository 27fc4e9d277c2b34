"""Scanned reports: OCR with Tesseract chi_sim, per-cell confidence, no silent wrong number (issue 3).

scripts/install.sh installs tesseract-ocr and tesseract-ocr-chi-sim, so these tests rely on
them; the path without Tesseract is tested by pointing NIANBAO_TESSERACT at a missing binary.
"""

import json
import re
import statistics

import pytest
from click.testing import CliRunner

from archive.cli import cli
from parsers import parse
from parsers.documents import read_layout
from parsers.models import Table, UnreadableDocument
from tests.fixtures.parsers.documents import report_model as model
from parsers.ocr import MIN_NUMBER_CONFIDENCE
from tests.parsers.documents.conftest import DOCUMENTS, document_bytes, layout_of


def number_cells(grid):
    """(row, column) -> text of the slots of a grid that hold numbers in the report."""
    return {(r, c): text for r, row in enumerate(grid) for c, text in enumerate(row) if text.replace(".", "").isdigit()}


def test_a_scanned_pdf_is_ocrd_with_a_confidence_for_every_cell(scanned_layout):
    assert scanned_layout.ocr
    tables = [b for b in scanned_layout.blocks if isinstance(b, Table)]
    assert len(tables) == 3
    for table in tables:
        assert len(table.confidence) == len(table.rows)
        assert all(len(c) == len(r) for c, r in zip(table.confidence, table.rows, strict=True))


def test_ocr_reads_table_3_across_its_three_pages_number_for_number(scanned_layout):
    table3 = [b for b in scanned_layout.blocks if isinstance(b, Table)][1]
    assert number_cells(table3.rows) == number_cells(model.expanded(model.TABLE3))


def test_ocrd_labels_are_corrected_to_the_official_wording(scanned_layout):
    table3 = [b for b in scanned_layout.blocks if isinstance(b, Table)][1]
    expected = model.expanded(model.TABLE3)
    labels = [row[1:3] for row in expected[3:]]
    assert sum(row[1:3] == label for row, label in zip(table3.rows[3:], labels, strict=False)) >= len(labels) - 2


def test_scanned_report_numbers_are_right_or_visibly_doubtful(scanned_report, html_report):
    assert scanned_report.ocr
    assert (scanned_report.year, scanned_report.template) == (2021, "2021")
    expected, read = html_report.cell_values(), scanned_report.cell_values()
    wrong = {key for key in expected if read.get(key) != expected[key]}
    assert len(wrong) <= 5, wrong
    # no silent wrong number: each misread cell sits in a check that does not pass, or the
    # record says which cells OCR doubted
    unsettled = {key for check in scanned_report.checks if check.status != "pass" for key in check.keys}
    doubted = any(p.code == "ocr_doubtful_cells" for p in scanned_report.problems)
    assert all(key in unsettled for key in wrong) or (wrong and doubted) or not wrong
    assert not scanned_report.is_complete


def test_every_ocrd_cell_carries_the_confidence_of_its_slot(scanned_report):
    filled = [c for c in scanned_report.cells if c.raw]
    assert len(filled) >= 190
    assert all(c.confidence is not None and 0 <= c.confidence <= 100 for c in filled)
    # the doubt rule (parsers.ocr._read_cells): a number read under MIN_NUMBER_CONFIDENCE is
    # named in an ocr_doubtful_cells problem as "'<text>' (<confidence>)"; here (under eight
    # per page) the cells of the record under that confidence are exactly the ones named
    named = sorted((text, int(conf)) for p in scanned_report.problems if p.code == "ocr_doubtful_cells"
                   for text, conf in re.findall(r"'([^']*)' \((\d+)\)", p.message))
    doubtful = [c for c in filled if c.confidence < MIN_NUMBER_CONFIDENCE]
    assert named and sorted((c.raw, round(c.confidence)) for c in doubtful) == named
    others = [c.confidence for c in filled if c.confidence >= MIN_NUMBER_CONFIDENCE]
    assert all(c.confidence < statistics.median(others) for c in doubtful)


def test_nianbao_parse_json_gives_cell_confidences_for_an_ocrd_record_only(scanned_report, monkeypatch):
    runner = CliRunner()
    plain = json.loads(runner.invoke(cli, ["parse", "--json", str(DOCUMENTS / "report.html")]).stdout)
    assert "cells_confidence" not in plain
    # the record of the scanned PDF, already OCR'd once this session (OCR takes ~20 s)
    monkeypatch.setattr("archive.cli.parse.parse_document", lambda *args, **kwargs: scanned_report)
    result = runner.invoke(cli, ["parse", "--json", str(DOCUMENTS / "report_scanned.pdf")])
    record = json.loads(result.stdout)
    assert record["cells_confidence"] == {c.key: c.confidence for c in scanned_report.cells}
    assert record["cells_confidence"].keys() == record["cells"].keys()


def test_a_page_image_is_ocrd():
    layout = layout_of("page2_scanned.png")
    assert layout.ocr and layout.media_type == "image/png"
    table3 = next(t for t in layout.blocks if isinstance(t, Table) and len(t.rows) > 10)
    assert table3.rows[3][3:] == ("34", "7", "0", "1", "1", "1", "44")
    assert table3.rows[4][3:] == ("2", "1", "0", "0", "0", "0", "3")


def test_a_garbage_text_layer_is_detected_and_the_page_ocrd():
    # A wrong ToUnicode CMap: the text layer says "Èý¡¢ÊÕµ½ºÍ´¦Àí…" for 三、收到和处理…
    layout = layout_of("garbage_text_layer.pdf")
    assert [p.code for p in layout.problems][:1] == ["garbage_text_layer"]
    assert layout.ocr
    assert not any("Ê" in getattr(b, "text", "") for b in layout.blocks)
    table3 = next(t for t in layout.blocks if isinstance(t, Table) and len(t.rows) > 10)
    assert table3.rows[3][3:] == ("34", "7", "0", "1", "1", "1", "44")


@pytest.mark.parametrize(("name", "media_type"), [("report_scanned.pdf", "application/pdf"),
                                                  ("page2_scanned.png", "image/png")])
def test_without_tesseract_a_scan_is_image_only_with_the_reason(name, media_type, monkeypatch):
    monkeypatch.setenv("NIANBAO_TESSERACT", "/nonexistent/tesseract")
    with pytest.raises(UnreadableDocument, match="image_only|image only"):
        read_layout(document_bytes(name), media_type)


def test_without_tesseract_a_garbage_text_layer_is_flagged_not_read(monkeypatch):
    monkeypatch.setenv("NIANBAO_TESSERACT", "/nonexistent/tesseract")
    with pytest.raises(UnreadableDocument, match="garbage|wrong CMap") as error:
        parse(document_bytes("garbage_text_layer.pdf"))
    assert "Tesseract" in str(error.value)


def test_a_scanners_searchable_pdf_is_ocrd_for_its_table_borders():
    # The page image under an invisible OCR text layer (as scanners make them): the text layer
    # has no cell borders, so the picture is read.
    layout = layout_of("scan_with_text_layer.pdf")
    assert layout.ocr
    table3 = next(t for t in layout.blocks if isinstance(t, Table) and len(t.rows) > 10)
    assert table3.rows[3][3:] == ("34", "7", "0", "1", "1", "1", "44")


def test_without_tesseract_a_searchable_scan_keeps_its_text_layer(monkeypatch):
    monkeypatch.setenv("NIANBAO_TESSERACT", "/nonexistent/tesseract")
    layout = layout_of("scan_with_text_layer.pdf")
    assert [p.code for p in layout.problems] == ["scan_text_layer"]
    assert not layout.ocr
    assert any("申请" in b.text for b in layout.blocks)


@pytest.mark.parametrize(
    ("chars", "garbage"),
    [
        (list("Èý¡¢ÊÕµ½ºÍ´¦ÀíÕþ¸®ÐÅÏ¢¹«¿ª") * 3, True),  # GBK bytes shown as Latin-1
        (["(cid:1234)", "(cid:88)", "(cid:7)"] * 10, True),  # glyphs with no Unicode mapping
        (list("三、收到和处理政府信息公开申请情况（cid）2021") * 2, False),
        (list("本年新收政府信息公开申请数量") + ["(cid:12)"] * 3, False),  # a few unmapped glyphs
    ],
)
def test_garbage_text_layers_are_told_from_chinese_text(chars, garbage):
    from parsers.pdf import is_garbage_text

    assert is_garbage_text(chars) is garbage
