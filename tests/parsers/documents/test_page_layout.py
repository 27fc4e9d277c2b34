"""Tables broken across pages are rejoined (issue 3): built here from cell boxes, as a PDF's
ruling lines or a scan's give them, to pin each kind of break by itself."""

from parsers.models import Paragraph, Table
from parsers.page_layout import GeoCell, Line, Page, TablePart, assemble, text_tables

COLUMNS = (0, 100, 150, 200)
HEADER = ("项目", "自然人", "总计")


def page(rows, top=100, header=True, lines=()):
    """A page holding one table: rows of 3 texts, 20 points high each."""
    cells, y = [], top
    for row in ([HEADER] if header else []) + list(rows):
        cells += [GeoCell(COLUMNS[i], y, COLUMNS[i + 1], y + 20, text) for i, text in enumerate(row)]
        y += 20
    part = TablePart(0, top, 200, y, cells)
    return Page(width=600, height=800, tables=[part], lines=list(lines), unit=10)


def only_table(pages) -> Table:
    blocks = assemble(pages)
    assert [type(b) for b in blocks] == [Table]
    return blocks[0]


def test_repeated_header_rows_are_dropped():
    table = only_table([page([("1.属于国家秘密", "0", "0")]), page([("2.重复申请", "1", "1")])])
    assert table.rows == (HEADER, ("1.属于国家秘密", "0", "0"), ("2.重复申请", "1", "1"))


def test_a_row_repeated_at_the_break_is_kept_once():
    # seed 003 prints "8.属于行政查询事项" at the foot of one page and the head of the next
    row = ("8.属于行政查询事项", "0", "0")
    table = only_table([page([row]), page([row, ("1.本机关不掌握相关政府信息", "2", "2")], header=False)])
    assert table.rows == (HEADER, row, ("1.本机关不掌握相关政府信息", "2", "2"))


def test_a_row_split_by_the_break_is_merged_with_its_numbers_on_either_side():
    table = only_table([page([("2.申请人逾期未按收费", "", "")]), page([("通知要求缴纳费用", "3", "3")])])
    assert table.rows == (HEADER, ("2.申请人逾期未按收费通知要求缴纳费用", "3", "3"))
    assert table.origins[1] == ((1, 0), (1, 1), (1, 2))


def test_a_new_row_after_the_break_is_not_merged():
    table = only_table([page([("1.信访举报投诉类申请", "", "")]), page([("2.重复申请", "", "")])])
    assert len(table.rows) == 3


def test_tables_of_different_width_on_consecutive_pages_stay_apart():
    other = page([("行政复议", "1", "1")], header=False)
    other.tables[0].x1 = 400
    other.tables[0].cells[-1].x1 = 400
    blocks = assemble([page([("规章", "0", "0")]), other])
    assert [type(b) for b in blocks] == [Table, Table]


def test_page_numbers_in_the_margin_do_not_separate_the_parts():
    first = page([("规章", "0", "0")], lines=[Line("- 2 -", 280, 320, 770, 780)])
    table = only_table([first, page([("行政许可", "5", "5")])])
    assert table.rows[-1] == ("行政许可", "5", "5")


def test_wrapped_lines_are_one_paragraph_and_a_short_line_ends_it():
    lines = [Line("本报告根据条例编制，全文包括总体情况、主动公开", 0, 500, 0, 10),
             Line("政府信息情况。", 0, 70, 14, 24), Line("一、总体情况", 0, 60, 40, 50)]
    blocks = assemble([Page(width=600, height=800, lines=lines, unit=10)])
    assert blocks == (Paragraph("本报告根据条例编制，全文包括总体情况、主动公开政府信息情况。"), Paragraph("一、总体情况"))


def test_running_headers_and_footers_do_not_separate_the_parts():
    header = Line("漳平市人民政府信息公开", 200, 400, 20, 30)
    first = page([("规章", "0", "0")], lines=[header, Line("第 1 页 共 2 页", 280, 320, 770, 780)])
    second = page([("行政许可", "5", "5")], lines=[header, Line("第 2 页 共 2 页", 280, 320, 770, 780)])
    table = only_table([first, second])
    assert table.rows[-1] == ("行政许可", "5", "5")


def test_a_heading_printed_once_in_the_top_margin_is_kept():
    first = page([("规章", "0", "0")], top=200, lines=[Line("二、主动公开政府信息情况", 0, 200, 40, 50)])
    blocks = assemble([first])
    assert blocks[0] == Paragraph("二、主动公开政府信息情况")


def test_a_page_holding_only_the_repeated_header_and_row_adds_nothing():
    row = ("8.属于行政查询事项", "0", "0")
    table = only_table([page([row]), page([row]), page([("1.本机关不掌握相关政府信息", "2", "2")])])
    assert table.rows == (HEADER, row, ("1.本机关不掌握相关政府信息", "2", "2"))


def segments(*rows):
    """A page's lines as segments: each row is (top, [(x0, text), ...]), 10-point characters."""
    return [[Line(text, x0, x0 + 10 * len(text), top, top + 10) for x0, text in items] for top, items in rows]


def test_a_table_without_rules_is_read_from_where_its_text_starts():
    # 14 points is one line pitch (a wrapped label), 24 a new row
    lines = segments(
        (100, [(0, "项目"), (100, "自然人"), (150, "总计")]),
        (124, [(0, "一、本年新收政"), (100, "3"), (150, "3")]),
        (138, [(0, "府信息公开申请")]),
        (162, [(0, "2.重复申请"), (100, "12"), (150, "12")]),
        (200, [(0, "五、存在的主要问题及改进情况")]),
    )
    tables, rest = text_tables(lines, 10)
    assert [[s.text for s in line] for line in rest] == [["五、存在的主要问题及改进情况"]]
    page = Page(width=600, height=800, tables=tables, unit=10)
    assert only_table([page]).rows == (HEADER, ("一、本年新收政府信息公开申请", "3", "3"), ("2.重复申请", "12", "12"))


def test_text_that_does_not_line_up_is_no_table():
    # centred numbers of different widths start anywhere: no column can be trusted with them
    lines = segments(
        (100, [(0, "项目"), (100, "自然人"), (150, "总计")]),
        (124, [(0, "1.属于国家秘密"), (104, "3"), (157, "3")]),
        (148, [(0, "2.重复申请"), (100, "12"), (150, "1234")]),
    )
    tables, rest = text_tables(lines, 10)
    assert tables == [] and len(rest) == 3
