"""The crawl-time candidate filter: permissive for reports, never for notices, guides, budgets."""

import datetime

import pytest

from crawler.candidates import candidate_reason, plausible_years
from crawler.urls import canonical_url, is_big5_mirror

TODAY = datetime.date(2026, 3, 1)


@pytest.mark.parametrize("title, url, reason", [
    ("瓦庙镇2020年政府信息公开工作年度报告", "http://x/t20210120_1.html", "title: 年度报告 + year 2020"),
    ("2023年桐屿街道政府信息公开工作年度报告", "http://x/a.html", "title: 年度报告 + year 2023"),
    ("某局2019年度政务信息公开年度报告", "http://x/a.html", "title: 年度报告 + year 2019"),
    ("二〇二一年政府信息公开工作年报", "http://x/a.html", "title: 年报 + year 2021"),
    ("新安街道2024年政府信息公開工作年度報告", "http://x/a.html", "title: 年度報告 + year 2024"),
    ("某区政府信息公开工作报告", "http://x/2018/a.html", "title: 信息公开工作报告 + URL year 2018"),
    # a unit name listed under a year directory of a 年报 column (schy.gov.cn …/zfxxgknb/n2022n/xz/zgz.htm)
    ("止戈镇", "http://schy.gov.cn/zfxxgk/zfxxgknb/n2022n/xz/zgz.htm", "url: zfxxgknb + year 2022"),
])
def test_reports_are_kept_with_a_reason(title, url, reason):
    assert candidate_reason(title, url, TODAY) == reason


@pytest.mark.parametrize("title, url", [
    ("关于做好2023年度政府信息公开工作年度报告编制工作的通知", "http://x/a.html"),
    ("国务院办公厅政府信息公开办公室关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知", "http://x/a.html"),
    ("青山县人民政府政府信息公开指南", "http://x/zfxxgknb/a.html"),
    ("2024年部门预算公开", "http://x/zfxxgknb/2024n/a.html"),
    ("2023年度部门决算", "http://x/a.html"),
    ("政府信息公开年报", "http://x/zfxxgknb/index.html"),  # a column name: no year
    ("2030年政府信息公开工作年度报告", "http://x/a.html"),  # not a plausible year yet
    ("2003年政府信息公开工作年度报告", "http://x/a.html"),  # before the 条例
])
def test_non_reports_are_dropped(title, url):
    assert candidate_reason(title, url, TODAY) is None


def test_years_inside_longer_numbers_are_not_years():
    assert plausible_years("t20230117_2902907.html 202301", TODAY) == []
    assert plausible_years("2022n/ gknb2017/", TODAY) == [2022, 2017]


def test_big5_gateway_urls_map_to_the_original():
    mirror = "http://www.beijing.gov.cn/gate/big5/www.beijing.gov.cn/zwxx/t20230117_1.html"
    assert is_big5_mirror(mirror)
    assert canonical_url(mirror) == "http://www.beijing.gov.cn/zwxx/t20230117_1.html"
    assert canonical_url("http://127.0.0.1:9/gate/big5/127.0.0.1:9/a/b.html#x") == "http://127.0.0.1:9/a/b.html"
    assert canonical_url("http://x.gov.cn/a.html#top") == "http://x.gov.cn/a.html"
    # a gateway on a host of its own (big5.www.gov.cn for www.gov.cn) names the original host in its path
    other_host = "http://big5.www.gov.cn/gate/big5/www.gov.cn/zhengce/content/202409/content_6977766.htm"
    assert is_big5_mirror(other_host)
    assert canonical_url(other_host) == "http://www.gov.cn/zhengce/content/202409/content_6977766.htm"
