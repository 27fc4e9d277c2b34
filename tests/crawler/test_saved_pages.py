"""Platform adapters on pages saved with ``scrapy savefixture`` (tests/fixtures/crawler/<platform>/):
offline, from the bytes and headers as served, so list parsing, pagination and decoding are
pinned without a server. The pages come from the replica portal (real portals cannot be
fetched from here); refresh one with ``scrapy savefixture URL --portal ID --force``."""

import pytest

from crawler.middlewares import CharsetRepairMiddleware
from crawler.platforms import ADAPTERS
from crawler.registry import load_registry
from tests.crawler.conftest import found, saved_response
from tests.replica import REGISTRY


@pytest.fixture(scope="module")
def portals():
    return load_registry(REGISTRY)


def page(fixture_path, platform, portal_id, name, meta=None):
    return saved_response(fixture_path("crawler", platform, portal_id, name), meta)


def test_trs_first_and_later_list_pages(fixture_path, portals):
    portal = portals["replica_hubei_qingshan_gov"]
    listings, follows = found("trs", page(fixture_path, "trs", portal.id, "list.html"), portal)
    # createPageHTML('page_div',4,0,'index','html',36): index_1 … index_3 after index.html
    assert [f.request.url.rsplit("/", 1)[1] for f in follows] == ["index_1.html", "index_2.html", "index_3.html"]
    assert len(listings) == 10 and listings[0].title == "青山县发展和改革局2023年政府信息公开工作年度报告"
    assert listings[0].url.endswith("/zwgk/zfxxgknb/2023n/bmnb/202401/t20240110_5427.html")  # ./ resolved
    assert listings[0].date == "2024-01-10"
    later, _ = found("trs", page(fixture_path, "trs", portal.id, "list_2.html"), portal)
    assert len(later) == 10 and not {i.url for i in later} & {i.url for i in listings}


def test_trs_report_page_is_not_a_list_and_has_no_attachment(fixture_path, portals):
    report = page(fixture_path, "trs", "replica_hubei_qingshan_gov", "report.html")
    assert report.xpath("string(//h1)").get() == "青山县发展和改革局2023年政府信息公开工作年度报告"
    assert list(ADAPTERS["trs"].attachments(report)) == []


def test_hanweb_page_num_first_and_last_pages(fixture_path, portals):
    portal = portals["replica_zhejiang_xikou_gov"]
    listings, follows = found("hanweb", page(fixture_path, "hanweb", portal.id, "list.html"), portal)
    assert len(listings) == 8 and [(f.kind, f.request.url.split("/col/")[1]) for f in follows] == [
        ("page", "col42150/index.html?uid=380055&pageNum=2")]
    last, follows = found("hanweb", page(fixture_path, "hanweb", portal.id, "list_2.html"), portal)
    assert len(last) == 4 and follows == []


def test_anhui_list_and_next_page(fixture_path, portals):
    portal = portals["replica_anhui_donghe_gov"]
    listings, follows = found("anhui", page(fixture_path, "anhui", portal.id, "list.html"), portal)
    assert len(listings) == 10 and all("/public/6596/" in i.url for i in listings)
    assert [f.request.url.rsplit("&", 1)[1] for f in follows if f.kind == "page"] == ["page=2"]
    later, follows = found("anhui", page(fixture_path, "anhui", portal.id, "list_2.html"), portal)
    assert len(later) == 8 and [f for f in follows if f.kind == "page"] == []


def test_gkmlpt_shell_then_api_page(fixture_path, portals):
    portal = portals["replica_guangdong_nanling_gov"]
    shell = page(fixture_path, "gkmlpt", portal.id, "list.html", meta={"gkmlpt_cat": "2947"})
    listings, follows = found("gkmlpt", shell, portal)
    assert listings == [] and follows[0].request.url.endswith("/gkmlpt/api/all/2947?page=1&sid=662021")
    api = page(fixture_path, "gkmlpt", portal.id, "list.json")
    listings, follows = found("gkmlpt", api, portal)
    assert len(listings) == 10 and follows == []  # page 2 asks for nothing more
    assert all("/gkmlpt/content/0/" in i.url and i.date for i in listings)


def test_generic_gbk_pages_decode_with_and_without_a_wrong_http_charset(fixture_path, portals):
    portal = portals["replica_sichuan_xishan_gov"]
    first = page(fixture_path, "generic", portal.id, "list.html")
    assert "charset" not in first.headers.get("Content-Type").decode()  # only <meta> says gb2312
    listings, follows = found("generic", first, portal)
    assert listings[0].title == "西山县审计局2023年政府信息公开工作年度报告"
    assert [f.request.url.rsplit("/", 1)[1] for f in follows] == ["list.asp?page=2"]
    mislabelled = page(fixture_path, "generic", portal.id, "list_2.html")
    assert mislabelled.headers.get("Content-Type") == b"text/html; charset=utf-8"  # but the bytes are GBK
    repaired = CharsetRepairMiddleware().process_response(mislabelled.request, mislabelled)
    listings, _ = found("generic", repaired, portal)
    assert len(listings) == 9 and all("年" in (i.title or "") for i in listings if "content_" in i.url)
    assert "西山县人民防空办公室2023年政府信息公开工作年度报告" in {i.title for i in listings}
