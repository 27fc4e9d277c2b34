"""Each real-world wrinkle of the report format, reproduced by its own fixture file.

Fixtures live in tests/fixtures/parsers/; HTML ones are portal pages with Word-pasted
(MsoNormal) tables, saved in the encoding they declare (or fail to declare).
"""

import pytest

from parsers import NotAnnualReport, parse
from parsers.charset import decode
from parsers.html import read_layout
from tests.conftest import FIXTURES

PARSERS = FIXTURES / "parsers"


def parsed(name, **kwargs):
    return parse((PARSERS / name).read_bytes(), **kwargs)


def row(report, key):
    values = report.cell_values()
    columns = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
    return [values[f"requests.{key}.{c}"] for c in columns]


def test_word_pasted_2021_report_in_portal_chrome():
    report = parsed("word_chrome_2021.html")
    assert (report.title, report.agency, report.year, report.template) == (
        "宁化县水利局2021年政府信息公开工作年度报告", "宁化县水利局", 2021, "2021")
    assert report.published_date == "2022-01-25"  # 发布日期 of the 索引号 block, not 生成日期 or the signature
    assert report.is_complete and all(c.status == "pass" for c in report.checks)
    values = report.cell_values()
    assert [values[f"active.art20_1.normative.{c}"] for c in ("issued", "repealed", "in_force")] == [3, 1, 12]
    assert values["active.art20_5.licensing.decisions"] == 156  # a value cell spanning three columns
    assert values["active.art20_8.fees.amount"] == 3.5  # header says 单位：万元
    assert row(report, "new") == [5, 2, 0, 0, 0, 0, 7]
    assert row(report, "withheld.third_party") == [1, 0, 0, 0, 0, 0, 1]  # under the vertical label 不/予/公/开
    assert row(report, "not_processed.duplicate") == [0, 1, 0, 0, 0, 0, 1]
    assert row(report, "other.other") == [0] * 7
    assert [values[f"review_litigation.review.{c}"] for c in ("upheld", "corrected", "other", "pending", "total")] == [1, 0, 0, 1, 2]
    assert values["review_litigation.litigation_direct.upheld"] == 1
    for chrome in ("当前位置", "相关链接", "ICP", "索引号", "网站标识码", "分享到", "English"):
        assert chrome not in report.body_text
    assert report.sections["other"].startswith("本年度未收取信息处理费")


@pytest.mark.parametrize(
    ("name", "agency", "content_type"),
    [
        ("gbk_meta_2019.html", "清流县交通运输局", None),  # <meta charset=gb2312> only
        ("gbk_undeclared_2020.html", "明溪县夏阳乡人民政府", None),  # no declaration anywhere
        ("wrong_charset_2020.html", "将乐县万全乡人民政府", None),  # says utf-8, is GBK
        ("wrong_charset_2020.html", "将乐县万全乡人民政府", "text/html; charset=ISO-8859-1"),  # wrong header too
    ],
)
def test_gbk_pages_decode_however_they_are_labelled(name, agency, content_type):
    report = parsed(name, content_type=content_type)
    assert report.agency == agency
    assert report.is_complete
    assert "主动公开政府信息情况" not in report.sections["overview"]


def test_utf8_page_wrongly_labelled_gb2312_stays_utf8():
    data = (PARSERS / "word_chrome_2021.html").read_bytes().replace(b"charset=utf-8", b"charset=gb2312")
    assert decode(data)[1] == "utf-8"
    assert parse(data).agency == "宁化县水利局"


def test_2019_template_with_procurement_money_in_yuan():
    report = parsed("gbk_meta_2019.html")
    values = report.cell_values()
    raw = {c.key: c.raw for c in report.cells}
    assert report.template == "2019" and report.year == 2019 and report.published_date == "2020-03-16"
    assert values["active.art20_9.procurement.items"] == 8
    assert values["active.art20_9.procurement.amount"] == 25.1 and raw["active.art20_9.procurement.amount"] == "251000元"
    assert [values[f"active.art20_5.licensing.{c}"] for c in ("prev_items", "change", "decisions")] == [35, -2, 410]
    assert values["active.art20_5.other_services.change"] == 1
    assert values["active.art20_1.normative.total"] == 15  # header "对外公开<br>总数量"


def test_table_split_across_pages_with_repeated_header_and_row():
    report = parsed("split_table_2021.html")
    assert report.is_complete
    assert row(report, "withheld.query_matter") == [1, 0, 0, 0, 0, 0, 1]
    assert row(report, "unable.unclear") == [1, 0, 0, 0, 0, 0, 1]
    assert row(report, "total") == [4, 0, 0, 0, 0, 0, 4]
    assert all(c.status == "pass" for c in report.checks)


def test_split_row_that_disagrees_with_itself_is_a_problem_not_a_guess():
    data = (PARSERS / "split_table_2021.html").read_text(encoding="utf-8")
    repeated = data.rindex("8.属于行政查询事项")
    changed = data[:repeated] + data[repeated:].replace(">1<", ">3<", 1)
    report = parse(changed.encode())
    assert not report.is_complete
    assert report.cell_values()["requests.withheld.query_matter.natural_person"] is None
    assert "conflicting_rows" in {p.code for p in report.problems}


def test_blank_total_column_makes_row_checks_not_assessable():
    report = parsed("blank_totals_2021.html")
    checks = {c.rule: c for c in report.checks}
    assert report.cell_values()["requests.granted.total"] is None
    assert checks["requests.row_sum.granted"].status == "not_assessable"
    assert checks["requests.row_sum.new"].status == "pass" and not checks["requests.row_sum.new"].blanks
    assert checks["requests.balance.total"].status == "pass" and checks["requests.balance.total"].blanks  # 3 + ∅ = 3 + ∅
    assert checks["requests.outcomes.natural_person"].status == "pass"
    assert checks["review_litigation.sum.litigation_direct"].status == "pass"
    assert checks["review_litigation.sum.litigation_direct"].blanks
    assert not report.failed_checks and report.is_complete
    # exactly the two rules the spec makes not assessable: the granted row's empty total, and
    # the total column's outcomes (7 stated in 总计, its parts left empty)
    assert {c.rule for c in report.checks if c.status == "not_assessable"} == {
        "requests.row_sum.granted",
        "requests.outcomes.total",
    }


def test_inconsistent_report_names_its_failing_checks():
    report = parsed("inconsistent_2021.html")
    assert report.agency == "沙县区凤岗街道办事处"  # the title names the district: no completion
    assert {c.rule for c in report.failed_checks} == {
        "requests.row_sum.new",  # 7 + 2 != 10
        "requests.balance.total",  # 10 + 0 != 9 + 0
        "review_litigation.sum.review",  # 2 + 1 != 2
    }
    failing = next(c for c in report.checks if c.rule == "requests.row_sum.new")
    assert (failing.expected, failing.actual, failing.blanks) == (10, 9, False)


def test_text_in_number_cells_is_flagged_and_never_a_number():
    report = parsed("text_in_cells_2020.html")
    values = report.cell_values()
    assert values["requests.new.natural_person"] is None
    assert values["active.art20_9.procurement.amount"] is None
    problems = {(p.code, p.key) for p in report.problems}
    assert ("text_in_number_cell", "requests.new.natural_person") in problems
    assert ("text_in_number_cell", "active.art20_9.procurement.amount") in problems
    assert {c.key: c.raw for c in report.cells}["requests.new.natural_person"] == "详见附件"


def test_missing_table_3_is_partial_and_its_checks_not_assessable():
    report = parsed("table3_missing_2020.html")
    assert ("missing_table", "requests") in {(p.code, p.key) for p in report.problems}
    assert all(v is None for k, v in report.cell_values().items() if k.startswith("requests."))
    assert {c.status for c in report.checks if c.rule.startswith("requests.")} == {"not_assessable"}
    assert "共收到政府信息公开申请3件" in report.sections["requests"]


def test_full_width_digits_and_blank_marks():
    report = parsed("marks_fullwidth_2020.txt")
    values = report.cell_values()
    assert [values[f"active.art20_5.licensing.{c}"] for c in ("prev_items", "change", "decisions")] == [23, None, 105]
    assert [values[f"active.art20_5.other_services.{c}"] for c in ("prev_items", "change", "decisions")] == [0, 0, 0]  # 无
    assert [values[f"active.art20_6.penalty.{c}"] for c in ("prev_items", "change", "decisions")] == [None] * 3  # /
    assert values["active.art20_9.procurement.amount"] == 12.5
    assert row(report, "new") == [2, 0, None, None, 0, 0, 2]
    assert row(report, "granted") == [1, 0, None, None, 0, 0, 1]
    assert values["review_litigation.litigation_direct.total"] is None
    assert report.is_complete


def test_stray_cell_resolved_only_when_one_reading_adds_up():
    report = parsed("stray_cell_2020.txt")
    assert row(report, "new") == [3, 1, 0, 0, 0, 0, 4]  # the stray "2" dropped: only reading where 3+1 = 4
    assert row(report, "not_processed.duplicate") == [None] * 7
    assert [(p.code, p.key) for p in report.problems] == [("ambiguous_row", "requests.not_processed.duplicate")]


def test_pipe_rows_and_label_variants_2021():
    report = parsed("pipe_label_variants_2021.txt")
    values = report.cell_values()
    assert report.template == "2021" and report.is_complete
    assert values["active.art20_1.normative.in_force"] == 9  # header "现行有效件"
    assert values["active.art20_8.fees.amount"] == 0.8
    assert row(report, "withheld.other_law") == [1, 0, 0, 0, 0, 0, 1]  # "其他法律法规禁止公开"
    assert row(report, "other.overdue_correction") == [1, 0, 0, 0, 0, 0, 1]  # under "(六)其它处理"
    assert values["review_litigation.review.other"] == 1


def test_pre2019_report_is_text_only():
    report = parsed("pre2019_2017.html")
    assert (report.year, report.template, report.cells, report.checks) == (2017, "pre2019", (), ())
    assert report.is_complete
    assert "共受理政府信息公开申请26件" in report.sections["requests"]
    assert report.sections["review_litigation"].startswith("2017年未发生")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("notice_2022.html", "a notice, not an annual report"),
        ("portal_news.html", "no annual-report title"),
        # a notice quoting the reference format, six headings and "XX单位2022年…年度报告" included:
        # it was parsed as a report titled with its own first sentence
        ("notice_with_template_2022.html", "a notice, not an annual report"),
    ],
)
def test_pages_that_are_not_reports(name, reason):
    with pytest.raises(NotAnnualReport, match=reason):
        parsed(name)


def test_html_tables_become_expanded_grids():
    layout = read_layout((PARSERS / "word_chrome_2021.html").read_bytes())
    review = [b for b in layout.blocks if hasattr(b, "rows") and b.rows[0][0] == "行政复议"][0]
    assert all(len(r) == 15 for r in review.rows)
    assert review.rows[1][:5] == ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    assert review.origins[2][0] == (1, 0)  # the rowspan=2 header cell


def test_header_cells_spanning_other_columns_than_the_data_cells_2019():
    # Every table 3 header cell spans two grid columns and every data cell one: the header
    # grid would put "总计" in column 15 where no data row reaches. Read by labels instead.
    report = parsed("header_spans_2019.html")
    assert (report.agency, report.year, report.template, report.published_date) == (
        "泰宁县市场监督管理局", 2020, "2019", "2021-01-28")
    assert report.is_complete and all(c.status == "pass" for c in report.checks)
    assert row(report, "new") == [4, 1, None, None, None, None, 5]  # &nbsp; cells are blank, not 0
    assert row(report, "carried_over") == [0, None, None, None, None, None, 0]
    assert row(report, "unable.not_held") == [1, None, None, None, None, None, 1]
    assert row(report, "withheld.third_party") == [0, None, None, None, None, None, 0]  # under 不/予/公/开
    values = report.cell_values()
    raw = {c.key: c.raw for c in report.cells}
    assert [values[f"active.art20_1.normative.{c}"] for c in ("made", "published", "total")] == [2, 2, 17]
    assert raw["active.art20_1.normative.total"] == "17件"  # "0件", "17件": counts with their unit
    assert [values[f"active.art20_5.other_services.{c}"] for c in ("prev_items", "change", "decisions")] == [None] * 3
    assert values["active.art20_5.licensing.change"] == -1
    assert values["active.art20_9.procurement.amount"] == 9.2 and raw["active.art20_9.procurement.amount"] == "9.2万元"
    assert [values[f"review_litigation.litigation_after_review.{c}"] for c in ("upheld", "total")] == [None, None]


def test_inconsistent_2019_report_names_its_failing_checks():
    report = parsed("inconsistent_2019.txt")
    assert (report.agency, report.template) == ("灵武市梧桐树乡人民政府", "2019")
    assert report.is_complete  # read right; the report contradicts itself
    failing = {c.rule: (c.expected, c.actual) for c in report.failed_checks}
    assert failing == {
        "requests.balance.natural_person": (3, 4),  # 3 new + 0 carried over != 4 total + 0 forward
        "requests.outcomes.natural_person": (4, 3),  # 总计 says 4, the outcomes 2 + 1
        "requests.row_sum.total": (4, 5),  # 4 + 1 != 4
        "review_litigation.sum.review": (1, 2),  # 1 upheld + 1 corrected != 1
    }


def test_2021_table_2_in_full_with_fees_in_wan_yuan():
    report = parsed("fees_wan_2021.html")
    values = report.cell_values()
    raw = {c.key: c.raw for c in report.cells}
    assert report.is_complete
    assert {k: v for k, v in values.items() if k.startswith("active.")} == {
        "active.art20_1.rules.issued": 1,
        "active.art20_1.rules.repealed": 0,
        "active.art20_1.rules.in_force": 4,  # header "现行有效件"
        "active.art20_1.normative.issued": 5,
        "active.art20_1.normative.repealed": 2,
        "active.art20_1.normative.in_force": 27,
        "active.art20_5.licensing.decisions": 1203,
        "active.art20_6.penalty.decisions": 0,  # "0件"
        "active.art20_6.coercion.decisions": None,  # "—": not filled in
        "active.art20_8.fees.amount": 9.2,
    }
    assert raw["active.art20_8.fees.amount"] == "9.2万元" and raw["active.art20_6.penalty.decisions"] == "0件"


def test_2021_fees_in_yuan_are_normalised_to_wan_yuan():
    report = parsed("fees_yuan_2021.txt")
    fee = next(c for c in report.cells if c.key == "active.art20_8.fees.amount")
    assert (fee.value, fee.raw) == (25.1, "251000元")  # the cell's own unit beats the header's 万元
    assert report.is_complete
