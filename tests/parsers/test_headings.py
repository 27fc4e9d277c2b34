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
from parsers.sections import heading_key
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


def test_heading_variants_of_a_2021_page():
    # review of issue 2: "三、收到和处理信息公开申请情况" and "五、存在的不足及改进措施" were not
    # recognised, so their parts were reported missing
    report = parsed("heading_variants_2021.html")
    assert report.problems == ()
    assert report.sections["overview"] == "2022年，我局认真贯彻落实《条例》，统计信息公开及时准确。"
    assert report.sections["requests"].startswith("（本列数据的勾稽关系为")
    assert report.sections["problems"] == "一是公开栏目更新不够及时；二是解读形式单一。下一步将完善发布机制。"
    assert report.sections["other"] == "本年度未收取信息处理费。"
    assert parsed("title_in_head_only_2021.html").sections["problems"].startswith("对照新要求新任务")


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("一、总体情况", "overview"), ("一、概述", "overview"), ("一、基本情况", "overview"), ("总体情况", "overview"),
        ("二、主动公开政府信息情况", "active"), ("二、主动公开情况", "active"),
        ("三、收到和处理政府信息公开申请情况", "requests"), ("三、收到和处理信息公开申请情况", "requests"),
        ("三、依申请公开政府信息情况", "requests"),
        ("四、政府信息公开行政复议、行政诉讼情况", "review_litigation"), ("四、行政复议、行政诉讼情况", "review_litigation"),
        ("四、政府信息公开行政复议和行政诉讼情况", "review_litigation"),
        ("五、存在的主要问题及改进情况", "problems"), ("五、存在问题及改进情况", "problems"),
        ("五、存在的问题及改进情况", "problems"), ("五、主要问题及改进情况", "problems"),
        ("五、存在的主要问题和改进情况", "problems"), ("五、存在的不足及改进措施", "problems"),
        ("五、存在的主要问题及下一步工作打算", "problems"), ("存在问题及改进情况", "problems"),
        ("六、其他需要报告的事项", "other"), ("六、其它需要报告的事项", "other"), ("六、其他需报告的事项", "other"),
        ("其它需要报告的事项", "other"),
    ],
)
def test_heading_vocabulary(heading, key):
    assert heading_key(heading, -1) == key
