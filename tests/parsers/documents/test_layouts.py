"""Every reader gives the grid of the report's tables exactly, merged cells expanded (issue 3)."""

import pytest

from parsers.models import Paragraph, Table
from tests.fixtures.parsers.documents import report_model as model
from tests.parsers.documents.conftest import layout_of

# LibreOffice made report.pdf and report.doc from report.docx; report.xls from report.xlsx.
READERS = ["report.docx", "report.pdf", "report.doc", "report.xlsx", "report.xls", "report.mht"]


def tables(layout):
    return [b for b in layout.blocks if isinstance(b, Table)]


@pytest.fixture(scope="module", params=READERS)
def layout(request):
    return layout_of(request.param)


def test_every_table_grid_equals_the_report(layout):
    assert [t.rows for t in tables(layout)] == [model.expanded(t) for t in model.TABLES]


def test_merged_cells_share_one_origin(layout):
    table3 = tables(layout)[1]
    # "三、本年度办理结果" spans rows 5-26 of column 0; "（三）不予公开" rows 7-14 of column 1.
    assert {table3.origins[r][0] for r in range(5, 27)} == {(5, 0)}
    assert {table3.origins[r][1] for r in range(7, 15)} == {(7, 1)}
    assert table3.origins[7][2] != table3.origins[8][2]  # two items, not one merged cell


def test_text_outside_tables_comes_in_reading_order(layout):
    texts = [b.text if isinstance(b, Paragraph) else "<table>" for b in layout.blocks]
    headings = ["一、总体情况", "二、主动公开政府信息情况", "<table>", "三、收到和处理政府信息公开申请情况", "<table>",
                "四、政府信息公开行政复议、行政诉讼情况", "<table>", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    positions = [texts.index(h, texts.index(headings[i - 1]) + 1 if i else 0) for i, h in enumerate(headings)]
    assert positions == sorted(positions)


def test_wrapped_pdf_lines_are_joined_into_the_paragraphs_of_the_document():
    paragraphs = [b.text for b in layout_of("report.pdf").blocks if isinstance(b, Paragraph)]
    assert model.INTRO in paragraphs
    assert all(text in paragraphs for text in model.OVERVIEW)


def test_pdf_table_3_broken_over_three_pages_is_one_table():
    # In report.pdf table 3 starts on page 2 and ends on page 4; LibreOffice repeats its three
    # header rows on pages 3 and 4 ("重复标题行") and splits the rows "1.本机关不掌握相关政府信息"
    # (pages 2/3) and "2.申请人逾期未按收费通知要求…" (pages 3/4) across the breaks.
    table3 = tables(layout_of("report.pdf"))[1]
    assert len(table3.rows) == len(model.expanded(model.TABLE3)) == 28
    assert table3.rows[15][2] == "1.本机关不掌握相关政府信息"
    assert table3.rows[24][2] == "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    assert [r[0] for r in table3.rows].count("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）") == 3


def test_pdf_table_2_broken_between_rows_keeps_every_row():
    table2 = tables(layout_of("report.pdf"))[0]
    assert [r[0] for r in table2.rows[10:]] == ["行政强制", "第二十条第（八）项", "信息内容", "行政事业性收费"]


@pytest.mark.parametrize("name", ["report2019.docx", "report2019.pdf"])
def test_template_2019_grids_equal_the_report(name):
    assert [t.rows for t in tables(layout_of(name))] == [model.expanded(t) for t in model.TABLES_2019]
