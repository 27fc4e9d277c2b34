"""Reports whose part headings are missing or unusual still give their parts and their tables,
without spurious ``unknown_row_label`` problems from one table's rows read as another's.

Fixtures: the Word-pasted 2021 page with "一、概述", table 2's heading as a ``<caption>``,
table 3's as a row spanning the table and table 4's numbered "（四）"; seed 003 with its tables
moved into an appendix (附表1-3) after part six; seed 004 numbered "第一部分", "2.", "（三）"…
and seed 004 with no headings at all.
"""

import json

import pytest

from parsers import parse
from tests.conftest import FIXTURES
from tests.parsers.golden import golden_path, seed_files

PARSERS = FIXTURES / "parsers"
SEEDS = {seed.stem[:3]: seed for seed in seed_files()}


def parsed(name):
    return parse((PARSERS / name).read_bytes())


def golden_cells(seed):
    return json.loads(golden_path(SEEDS[seed]).read_text(encoding="utf-8"))["cells"]


def test_headings_in_captions_and_spanning_rows():
    report = parsed("headings_in_captions_2021.html")
    original = parsed("word_chrome_2021.html")
    assert report.problems == ()
    assert report.cell_values() == original.cell_values()
    assert report.sections["overview"].startswith("2021年，我局认真贯彻落实")  # under 一、概述
    assert report.sections["active"].startswith("第二十条第（一）项")  # heading was the <caption>
    assert report.sections["requests"].startswith("（本列数据的勾稽关系为")  # heading was the first row
    assert report.sections["review_litigation"].startswith("行政复议")  # heading numbered （四）
    assert "三、收到和处理政府信息公开申请情况" not in report.sections["active"]


def test_tables_in_an_appendix_after_part_six():
    report = parsed("appendix_tables_2020.txt")
    assert report.problems == ()
    assert report.cell_values() == golden_cells("003")
    assert report.sections["requests"] == "2020年，我镇没有收到政府信息公开申请，详见附表2。"
    assert report.sections["other"].endswith("(此件主动公开)")  # the appendix is not part six
    assert report.published_date == "2021-01-18"


def test_parts_numbered_otherwise():
    report = parsed("numbered_otherwise_2020.txt")
    assert report.problems == ()
    assert report.cell_values() == golden_cells("004")
    assert report.sections["other"] == "无。"
    # "（二）主动公开政府信息情况。" inside the overview stays a sub-heading
    assert "（二）主动公开政府信息情况。" in report.sections["overview"]


def test_no_headings_at_all_tables_found_by_their_headers():
    report = parsed("no_headings_2020.txt")
    assert report.cell_values() == golden_cells("004")
    assert {p.code for p in report.problems} == {"missing_section"}  # partial, and says why
    assert len(report.problems) == 6


@pytest.mark.parametrize(
    "name", ["headings_in_captions_2021.html", "appendix_tables_2020.txt", "numbered_otherwise_2020.txt", "no_headings_2020.txt"]
)
def test_no_row_is_read_into_the_wrong_table(name):
    codes = {p.code for p in parsed(name).problems}
    assert not codes & {"unknown_row_label", "ambiguous_row", "missing_table", "missing_row", "missing_cells"}


def test_a_sentence_naming_another_table_does_not_cut_a_part():
    # a short note at table 3's page break that mentions 行政复议 and 诉讼 is not table 4's
    # header: the rows after it are still table 3's
    text = SEEDS["003"].read_text(encoding="utf-8")
    page_break = "7.属于行政执法案卷\t\t0\t0\t0\t0\t0\t0\t0\t\n"
    assert text.count(page_break) == 1
    noted = text.replace(page_break, page_break + "注：本年无行政复议、行政诉讼\n")
    report = parse(noted.encode())
    assert report.problems == ()
    assert report.cell_values() == golden_cells("003")
