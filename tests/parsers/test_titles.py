"""Title, agency and date are the report's own or null with a problem — never a sentence of
the text, never another article's date.

Review of issue 2 (a Hangzhou-style 2021 page): the page's only title was in ``<title>`` and
its body opened with the preamble "根据《中华人民共和国政府信息公开条例》规定编制本报告。…", which
became both title and agency (the agency with its "2023年" cut out). Fixtures:
``title_in_head_only_2021.html`` (that shape) and ``heading_variants_2021.html`` (``<title>``
with the site's name after "_", odd part headings), ``related_dates_2021.html`` (a
related-articles box with older reports' 发布时间 before the article's own),
``signature_year_typo_2021.html`` (signed with a date before the year reported on ended),
``period_year_stale_2021.html`` (a statistics period copied from last year's report),
``title_two_lines_2021.txt`` (the organ on its own line above the rest of the title),
``site_name_meta_title_2021.html`` (the site's name in `<meta name="title">`, the column's
name in `<h1>`), ``update_time_footer_2021.html`` (a labelled update time under the page).
"""

import pytest

from parsers import parse
from parsers.classify import find_agency, find_title, find_year, is_plausible_title
from tests.conftest import FIXTURES

PARSERS = FIXTURES / "parsers"
PREAMBLE = "根据《中华人民共和国政府信息公开条例》规定编制本报告。本报告中所列数据统计期限为2023年1月1日至12月31日。"


def test_title_from_the_page_title_when_the_body_opens_with_prose():
    report = parse((PARSERS / "title_in_head_only_2021.html").read_bytes())
    assert report.title == "云溪市2023年政府信息公开工作年度报告"
    # "…市" titles complete like "…镇"/"…县" ones: the city's government
    assert report.agency == "云溪市人民政府"
    assert (report.year, report.template) == (2023, "2021")
    assert report.problems == ()
    # the text keeps the document's words, year included
    assert report.body_text.startswith(PREAMBLE)
    assert report.sections["other"] == "依据《政府信息公开信息处理费管理办法》规定，2023年全市未收取信息处理费。"


def test_title_from_a_page_title_with_the_site_name():
    report = parse((PARSERS / "heading_variants_2021.html").read_bytes())
    assert (report.title, report.agency, report.year) == ("云溪市统计局2022年政府信息公开工作年度报告", "云溪市统计局", 2022)


def test_no_title_anywhere_gives_null_title_and_agency_with_problems():
    data = (PARSERS / "title_in_head_only_2021.html").read_bytes()
    data = data.replace("<title>云溪市2023年政府信息公开工作年度报告</title>".encode(), "<title>云溪市人民政府</title>".encode())
    report = parse(data)
    assert (report.title, report.agency) == (None, None)
    assert {p.code for p in report.problems} == {"no_title", "no_agency"}
    assert report.year == 2023  # from the statistics period
    assert report.cell_values() == parse((PARSERS / "title_in_head_only_2021.html").read_bytes()).cell_values()


@pytest.mark.parametrize(
    "text",
    [
        PREAMBLE,
        "根据《中华人民共和国政府信息公开条例》规定编制本报告",  # no full stop, still 《》
        "现将本单位2020年政府信息公开工作年度报告如下：",
        "本报告",
        "关于做好2022年政府信息公开工作年度报告编制发布工作的通知",
        "首页/政务公开/年度报告/云溪市2023年政府信息公开工作年度报告",  # a breadcrumb
        "首页 » 政务公开 » 云溪市2023年政府信息公开工作年度报告",
    ],
)
def test_sentences_are_not_titles(text):
    assert not is_plausible_title(text)
    assert find_title([text], None, None) is None
    assert find_agency(None, text) is None


@pytest.mark.parametrize(
    ("lines", "page_title", "title"),
    [
        (["2021年度", "宁化县水利局政府信息公开工作年度报告"], None, "2021年度宁化县水利局政府信息公开工作年度报告"),
        (["《云溪市2023年政府信息公开工作年度报告》"], None, "《云溪市2023年政府信息公开工作年度报告》"),
        # a column name without an organ gives way to a title that names one
        (["政府信息公开年度报告", PREAMBLE], "云溪市2023年政府信息公开工作年度报告", "云溪市2023年政府信息公开工作年度报告"),
        (["政府信息公开年度报告"], None, "政府信息公开年度报告"),
    ],
)
def test_find_title(lines, page_title, title):
    assert find_title(lines, page_title, None) == title


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        ("《云溪市2023年政府信息公开工作年度报告》", "云溪市人民政府"),
        ("关于云溪市统计局2022年度政府信息公开工作年度报告", "云溪市统计局"),
        ("云溪市统计局二〇二二年政府信息公开工作年度报告", "云溪市统计局"),
        ("政府信息公开年度报告", None),  # names no organ
    ],
)
def test_agency_is_an_organ_name_or_none(title, agency):
    assert find_agency(title, "") == agency


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        ("云溪市政务公开办公室2022年政府信息公开工作年度报告", "云溪市政务公开办公室"),
        ("云溪市统计局2022年政府信息公开工作年度报告（全文）", "云溪市统计局"),
    ],
)
def test_agency_beside_notes_and_office_names(title, agency):
    assert find_agency(title, "") == agency


def test_published_date_is_the_articles_not_a_related_articles_box():
    # a related-articles box before the article lists last year's report "发布时间：2023-01-30"
    report = parse((PARSERS / "related_dates_2021.html").read_bytes())
    assert report.published_date == "2024-01-19"
    assert (report.title, report.agency, report.year) == ("青河镇2023年政府信息公开工作年度报告", "青河镇人民政府", 2023)
    assert "相关文章" not in report.body_text


def test_a_date_before_the_year_ends_is_no_publication_date():
    # signed "2022年1月18日" under the 2022 report: last year's date typed out of habit
    report = parse((PARSERS / "signature_year_typo_2021.html").read_bytes())
    assert (report.agency, report.year, report.published_date) == ("云溪市审计局", 2022, None)
    assert [p.code for p in report.problems] == ["implausible_date"]


@pytest.mark.parametrize(
    ("body", "year"),
    [
        ("本报告中所列数据统计期限为2025年1月1日至12月31日。", 2025),
        ("所列数据的统计期限自二〇二〇年一月一日起至十二月三十一日止。", 2020),
        ("统计时间：2021年1月1日至2021年12月31日", 2021),
    ],
)
def test_year_from_the_statistics_period(body, year):
    assert find_year("", None, "本机关" * 300 + body) == year


def test_title_and_statistics_period_naming_different_years():
    # the 2023 report's preamble still says "统计期限为2022年…", copied from last year's
    report = parse((PARSERS / "period_year_stale_2021.html").read_bytes())
    assert (report.agency, report.year) == ("云溪市水利局", 2023)
    assert [(p.code, p.message) for p in report.problems] == [
        ("year_conflict", "the title names 2023, the statistics period 2022")]


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (["云溪市统计局", "2023年政府信息公开工作年度报告", PREAMBLE], "云溪市统计局2023年政府信息公开工作年度报告"),
        # the site's name left above the title is not joined to it; a menu word never is
        (["云溪市人民政府", "云溪市统计局2023年政府信息公开工作年度报告"], "云溪市统计局2023年政府信息公开工作年度报告"),
        (["首页", "2023年政府信息公开工作年度报告"], "2023年政府信息公开工作年度报告"),
    ],
)
def test_title_broken_after_the_organ(lines, title):
    assert find_title(lines, None, None) == title


def test_title_broken_after_the_organ_in_a_text_report():
    # Word text with the organ on its own line above "2021年政府信息公开工作年度报告": the
    # title lost its organ and the record its agency, with no problem said
    report = parse((PARSERS / "title_two_lines_2021.txt").read_bytes())
    assert (report.title, report.agency) == ("永安市林业局2021年政府信息公开工作年度报告", "永安市林业局")
    assert report.is_complete


def test_a_site_name_in_the_title_meta_does_not_hide_the_page_title():
    # <meta name="title" content="云溪市人民政府门户网站"> before <title>…年度报告</title>, and
    # the column's name "政府信息公开年度报告" as the page's <h1>
    report = parse((PARSERS / "site_name_meta_title_2021.html").read_bytes())
    assert (report.title, report.agency) == ("云溪市民政局2023年政府信息公开工作年度报告", "云溪市民政局")
    assert report.problems == ()


def test_an_update_time_under_the_page_is_no_signature_date():
    # "更新时间：2024年5月20日" in a box under the article was taken as the signature's date
    report = parse((PARSERS / "update_time_footer_2021.html").read_bytes())
    assert (report.agency, report.year, report.published_date) == ("云溪市医疗保障局", 2022, None)
    assert report.problems == ()
