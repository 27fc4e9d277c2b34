"""Platform adapters on the replica's pages (fetched over 127.0.0.1), and --platform auto."""

import urllib.request

import pytest
from scrapy.http import FormRequest, HtmlResponse, TextResponse

from crawler.platforms import ADAPTERS
from crawler.platforms.base import normalise_date
from crawler.platforms.detect import detect_platform
from crawler.platforms.hanweb import page_num_count
from crawler.platforms.trs import page_count
from crawler.registry import load_registry
from tests.crawler.conftest import found, manifest, run_crawl, runs


def fetch(url: str) -> TextResponse:
    with urllib.request.urlopen(url) as reply:
        body, content_type = reply.read(), reply.headers.get("Content-Type", "")
    cls = HtmlResponse if "html" in content_type else TextResponse
    return cls(url=url, body=body, headers={"Content-Type": content_type})


@pytest.fixture(scope="module")
def portals(replica_registry):
    return load_registry(replica_registry)


@pytest.mark.parametrize("portal_id, platform", [
    ("replica_hubei_qingshan_gov", "trs"),
    ("replica_zhejiang_xikou_gov", "hanweb"),
    ("replica_anhui_donghe_gov", "anhui"),
    ("replica_guangdong_nanling_gov", "gkmlpt"),
    ("replica_sichuan_xishan_gov", "generic"),
])
def test_auto_detection_from_the_column_page(portals, portal_id, platform):
    assert detect_platform(fetch(portals[portal_id].start_urls[0])) == platform


def test_trs_pager_script_and_subcolumns(portals, replica):
    portal = portals["replica_hubei_qingshan_gov"]
    listings, follows = found("trs", fetch(replica.origin("trs") + "/zwgk/zfxxgknb/2023n/bmnb/index.html"), portal)
    # 35 departments + a budget item, 10 per page: createPageHTML says 4 pages
    assert [f.request.url.rsplit("/", 1)[1] for f in follows if f.kind == "page"] == ["index_1.html", "index_2.html", "index_3.html"]
    assert len(listings) == 10 and all("/2023n/bmnb/2024" in item.url for item in listings)
    _, follows = found("trs", fetch(portal.start_urls[0]), portal)
    assert sorted(f.request.url.split("/zfxxgknb/")[1] for f in follows if f.kind == "subcolumn") == ["2023n/", "2024n/"]


def test_trs_page_count_signatures():
    assert page_count("createPageHTML('paging',25,1,'index','html',500);") == (25, "index", "html")
    assert page_count('function createPageHTML(a,b){} createPageHTML(10, 0, "dezlist", "shtml");') == (10, "dezlist", "shtml")
    assert page_count("var countPage = 7;") == (7, "index", "html")
    assert page_count("<p>no pager</p>") is None


def test_hanweb_datastore_then_dataproxy_posts(portals):
    portal = portals["replica_zhejiang_xikou_gov"]
    listings, follows = found("hanweb", fetch(portal.start_urls[0]), portal)
    assert len(listings) == 8 and all("/art/" in item.url for item in listings)
    assert all(item.date and item.title for item in listings)
    posts = [f.request for f in follows]
    assert all(isinstance(r, FormRequest) and r.method == "POST" for r in posts)
    assert [r.url.split("?")[1] for r in posts] == ["startrecord=9&endrecord=32&perpage=8",
                                                    "startrecord=33&endrecord=51&perpage=8"]
    assert b"columnid=1229460362" in posts[0].body and b"unitid=212860" in posts[0].body
    endpoints = [f.request.url for f in ADAPTERS["hanweb"].start(portal) if f.kind == "endpoint"]
    assert len(endpoints) == 6 and all("xxgkAnnualReport.jsp?area=" in u for u in endpoints)


def test_hanweb_page_num_column_follows_one_page_at_a_time_to_the_end(portals, replica):
    """Newer jcms (field guide §2.2): ``col/col42150/index.html?uid=380055&pageNum=2``; the pager
    is built by script, so the next page's URL comes from the datastore's unit and the page count."""
    portal = portals["replica_zhejiang_xikou_gov"]
    column = replica.origin("hanweb") + "/col/col42150/index.html"
    pages, url, seen = [], column, set()
    while url:
        listings, follows = found("hanweb", fetch(url), portal)
        pages.append(len(listings))
        seen |= {item.url for item in listings}
        assert all(f.kind == "page" and f.request.method == "GET" for f in follows) and len(follows) <= 1
        url = follows[0].request.url if follows else None
        assert url is None or url == f"{column}?uid=380055&pageNum={len(pages) + 1}"
    # 18 township reports + a notice + a budget, 8 per page: the third page is the last
    assert pages == [8, 8, 4] and len(seen) == 20
    published = {e.url for e in replica.expected("hanweb") if "/art_42150_" in e.url}
    assert len(published) == 18 and published <= seen


def test_hanweb_page_num_count_signatures():
    assert page_num_count("$('#380055').jpage({perPage:15,totalRecord:31})") == 3
    assert page_num_count('<span class="default_pgTotalPage">7</span>') == 7
    assert page_num_count("<datastore><recordset></recordset></datastore>") is None


def test_hanweb_page_num_start_url_and_last_page():
    body = ("<div id='380055'><script type='text/xml'><datastore><recordset>"
            "<record><![CDATA[<li><a href='/art/2025/1/8/art_42150_1.html' title='t'>t</a></li>]]></record>"
            "</recordset></datastore></script></div><script>$('#380055').jpage({perPage:1,totalRecord:2});</script>")
    first = HtmlResponse(url="http://127.0.0.1:1/col/col42150/index.html?uid=380055&pageNum=1", body=body.encode(),
                         headers={"Content-Type": "text/html; charset=utf-8"})
    _, follows = found("hanweb", first, None)
    assert [f.request.url for f in follows] == ["http://127.0.0.1:1/col/col42150/index.html?uid=380055&pageNum=2"]
    last = first.replace(url="http://127.0.0.1:1/col/col42150/index.html?uid=380055&pageNum=2")
    assert found("hanweb", last, None)[1] == []


def test_hanweb_page_num_that_repeats_page_one_ends_the_column(replica, tmp_path):
    """A statically published column ignores ``?pageNum=``: page 2 repeats page 1, so the crawl
    fetches it once, stops there (no walk to the stale count's page 3) and archives page 1."""
    column = replica.origin("hanweb") + "/col/col42151/index.html"
    before = replica.hits[("hanweb", "GET", "/col/col42151/index.html")]
    run_crawl(tmp_path, tmp_path / "unused.toml", f"start_url={column}", "platform=hanweb")
    assert replica.hits[("hanweb", "GET", "/col/col42151/index.html")] - before == 2
    rows = manifest(tmp_path)
    assert {r["sha256"] for r in rows if r["role"] == "report"} == {e.sha256 for e in replica.site("hanweb").static_expected}
    (run,) = runs(tmp_path)
    assert run["trap_stops"] == 1 and run["errors"] == 0 and run["lists_complete"]


def test_gkmlpt_reads_sid_and_walks_the_api(portals):
    portal = portals["replica_guangdong_nanling_gov"]
    (start,) = ADAPTERS["gkmlpt"].start(portal)
    shell = fetch(start.request.url.split("#")[0])
    shell.request = start.request
    listings, follows = found("gkmlpt", HtmlResponse(url=shell.url, body=shell.body, request=start.request,
                                                     headers={"Content-Type": "text/html"}), portal)
    assert listings == [] and follows[0].request.url.endswith("/gkmlpt/api/all/2947?page=1&sid=662021")


def test_anhui_report_routes_are_endpoints(portals):
    follows = list(ADAPTERS["anhui"].start(portals["replica_anhui_donghe_gov"]))
    assert [f.kind for f in follows].count("endpoint") == 6
    assert follows[0].kind == "column"


def test_dates_in_listings():
    assert normalise_date("发布日期：2023年1月9日") == "2023-01-09"
    assert normalise_date("2026/01/19 10:00") == "2026-01-19"
    assert normalise_date("2023-13-40") is None


def test_start_url_with_platform_auto_crawls_a_hanweb_column(replica, tmp_path):
    column = replica.origin("hanweb") + "/col/col1229460362/index.html"
    run_crawl(tmp_path, tmp_path / "unused.toml", f"start_url={column}", "platform=auto")
    rows = manifest(tmp_path)
    reports = {r["sha256"] for r in rows if r["role"] == "report"}
    expected = {e.sha256 for e in replica.expected("hanweb") if e.role == "report" and "/art_1229460362_" in e.url}
    assert reports == expected
    assert sum(r["role"] == "list" for r in rows) == 3  # column page + two dataproxy batches


def test_anhui_style_page_n_lists_are_pages_of_the_same_column():
    body = ('<a href="/XxgkContent/showList/996/0/page_2.html">2</a>'
            '<a href="/XxgkAnnualReport/show/6477.html">东至县2022年政府信息公开工作年度报告</a>').encode()
    response = HtmlResponse(url="http://127.0.0.1:1/XxgkContent/showList/996/0/page_1.html", body=body,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    listings, follows = found("generic", response, None)
    assert [(f.kind, f.request.url.rsplit("/", 1)[1]) for f in follows] == [("page", "page_2.html")]
    assert [item.url.rsplit("/", 1)[1] for item in listings] == ["6477.html"]


@pytest.mark.browser
def test_start_url_with_browser_renders_a_script_built_list(replica, tmp_path):
    column = replica.origin("browser") + "/xxgk/gknb/index.html"
    run_crawl(tmp_path, tmp_path / "unused.toml", f"start_url={column}", "platform=generic", "browser=true")
    reports = {r["sha256"] for r in manifest(tmp_path) if r["role"] == "report"}
    assert reports == {e.sha256 for e in replica.expected("browser")}


def test_hanweb_older_javascript_proxy_answer(fixture_path):
    """Shape of the older jslib proxy (field guide §2.2, Gansu): records in a JS array."""
    folder = fixture_path("crawler", "hanweb")
    url = (folder / "jslib_dataproxy.js.url").read_text().strip()
    response = TextResponse(url=url, body=(folder / "jslib_dataproxy.js").read_bytes(),
                            headers={"Content-Type": "text/javascript; charset=utf-8"})
    listings, follows = found("hanweb", response, None)
    assert follows == []
    assert [(item.url.rsplit("/", 1)[1], item.date) for item in listings] == [
        ("art_1229460362_87415.html", "2024-01-18"), ("art_1229460362_87300.html", "2024-01-10"),
        ("art_1229460362_87299.html", "2024-01-09")]
    assert listings[2].title == "路桥区财政局2023年政府信息公开工作年度报告"
