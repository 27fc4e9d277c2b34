"""End-to-end: crawl the replica portal over 127.0.0.1 and compare with what it publishes.

The crawl includes the script-built list and the 412 challenge, so it drives headless Chromium.
"""

import collections
import gzip
import hashlib
import json
import shutil

import pytest
from warcio.archiveiterator import ArchiveIterator

from parsers.models import CaptureRecord
from tests.crawler.conftest import ALL_SITES, manifest, run_crawl, runs

pytestmark = pytest.mark.browser


def captured(out):
    return [(row["role"], row["sha256"]) for row in manifest(out) if row["role"] != "list"]


def why_missing(replica, out, missing) -> str:
    """Which published captures a crawl missed, and what its runs say went wrong per portal."""
    urls = sorted(e.url for e in replica.expected(*ALL_SITES) if (e.role, e.sha256) in missing)
    errors = {r["portal_id"]: (r["finish_reason"], r["error_samples"]) for r in runs(out) if r["errors"]}
    return f"missed {len(urls)} published captures: {urls}; per-portal errors: {errors}"


def test_crawl_archives_exactly_the_published_reports(replica, first_crawl):
    out, _, _ = first_crawl
    got = captured(out)
    expected = {(e.role, e.sha256) for e in replica.expected(*ALL_SITES)}
    assert len(got) == len(set(got)), "something was archived twice"
    assert set(got) - expected == set(), "archived something that is not a published report"
    assert expected - set(got) == set(), why_missing(replica, out, expected - set(got))
    # the replica's truth has every kind: inline pages, PDF/DOCX attachments, a PDF listed directly
    assert collections.Counter(role for role, _ in expected) == {"report": 261, "attachment": 7}


def test_every_manifest_line_points_at_its_exact_bytes(first_crawl):
    out, _, _ = first_crawl
    for row in manifest(out):
        record = CaptureRecord.from_dict(row)
        with open(out / record.warc_file, "rb") as fh:
            fh.seek(record.warc_offset)
            warc = next(iter(ArchiveIterator(fh)))
            body = warc.content_stream().read()
        assert warc.rec_headers.get_header("WARC-Target-URI") == record.final_url
        assert hashlib.sha256(body).hexdigest() == record.sha256
        assert warc.rec_headers.get_header("WARC-Payload-Digest").startswith("sha256:")
        assert warc.http_headers.get_statuscode() == str(record.status)
        assert len(body) == record.size


def test_attachments_name_their_report_page(first_crawl):
    out, _, _ = first_crawl
    rows = manifest(out)
    report_urls = {r["final_url"] for r in rows if r["role"] == "report"}
    attachments = [r for r in rows if r["role"] == "attachment"]
    assert attachments and all(r["parent_url"] in report_urls for r in attachments)
    kinds = {r["content_type"].split(";")[0] for r in attachments}
    assert kinds == {"application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def test_listing_title_date_and_reason_are_kept(first_crawl):
    out, _, _ = first_crawl
    by_url = {r["url"]: r for r in manifest(out)}
    trs = next(r for u, r in by_url.items() if r["listing_title"] == "青山县审计局2023年政府信息公开工作年度报告")
    assert trs["listing_date"] and trs["listing_date"].startswith("2024-")
    assert trs["candidate_reason"] == "title: 年度报告 + year 2023"
    endpoint = next(r for u, r in by_url.items() if "xxgkAnnualReport.jsp" in u)
    assert endpoint["candidate_reason"].startswith("endpoint page")


def test_gbk_site_titles_are_decoded(first_crawl):
    """GBK pages that declare their charset only in <meta> (no HTTP charset)."""
    out, _, _ = first_crawl
    gbk = [r for r in manifest(out) if r["portal_id"] == "replica_sichuan_xishan_gov" and r["role"] == "report"]
    assert len(gbk) == 24
    assert "西山县统计局2023年政府信息公开工作年度报告" in {r["listing_title"] for r in gbk}
    page = next(r for r in gbk if r["content_type"] == "text/html")
    assert "charset" not in page["content_type"]


def test_non_reports_mirrors_robots_and_traps_are_not_fetched(replica, first_crawl):
    out, hits, _ = first_crawl
    fetched = {path for (_site, _method, path) in hits}
    titles = {r["listing_title"] for r in manifest(out)}
    assert not any("通知" in (t or "") or "指南" in (t or "") or "预算" in (t or "") for t in titles)
    assert not any(path.startswith("/gate/big5/") for path in fetched), "Big5 gateway was crawled"
    assert not any(site == "big5" for (site, _m, _p) in hits), "the Big5 gateway on another host was crawled"
    # listed only through that gateway: archived from the original URL, under its listing title
    (taoyuan,) = [r for r in manifest(out) if r["listing_title"] == "青山县桃源乡人民政府2024年政府信息公开工作年度報告"]
    assert taoyuan["url"].startswith(replica.origin("trs") + "/zwgk/zfxxgknb/2024n/xzjd/")
    assert ("generic", "GET", "/gk/private/content_999.html") not in hits, "robots.txt ignored"
    generic_pages = sum(n for (site, _m, path), n in hits.items() if site == "generic" and path == "/gk/zfxxgknb/list.asp")
    assert generic_pages == 3, "pagination trap: page 4 repeats page 3 and must end the column"


def test_platform_protocols_were_used(first_crawl):
    _, hits, _ = first_crawl
    assert hits[("hanweb", "POST", "/module/web/jpage/dataproxy.jsp")] == 2
    assert hits[("hanweb", "GET", "/col/col42150/index.html")] == 3  # index.html, ?uid=380055&pageNum=2, 3
    assert hits[("gkmlpt", "GET", "/gkmlpt/api/all/2947")] == 3
    assert hits[("trs", "GET", "/zwgk/zfxxgknb/2023n/bmnb/index_2.html")] == 1


def test_stats_count_failures_per_portal(first_crawl):
    out, hits, _ = first_crawl
    stats = {r["portal_id"]: r for r in runs(out)}
    trs = stats["replica_hubei_qingshan_gov"]
    assert trs["errors"] == 1 and "404" in trs["error_samples"][0]  # the broken link
    assert trs["duplicates"] == 1  # the byte-identical repost
    assert trs["lists_complete"] and trs["finished_at"]
    assert stats["replica_sichuan_xishan_gov"]["robots_blocked"] == 1
    assert stats["replica_sichuan_xishan_gov"]["trap_stops"] == 1
    flaky = [n for (site, _m, path), n in hits.items() if site == "trs" and path.endswith(".html") and n == 2]
    assert len(flaky) == 1, "the flaky 503 page is fetched twice: once failing, once served"
    assert all(r["started_at"] and r["run_id"] and r["scope"] == "portal=all" for r in stats.values())


def test_browser_only_where_needed(replica, first_crawl):
    out, _, _ = first_crawl
    stats = {r["portal_id"]: r for r in runs(out)}
    assert stats["replica_jiangsu_beiling_gov"]["browser_pages"] == 2
    assert stats["replica_jiangsu_beiling_gov"]["reports"] == 10
    challenge = stats["replica_hubei_dongling_gov"]
    assert challenge["challenges_solved"] == 1 and challenge["reports"] == 6
    # one 412 for the first plain request; after the browser earned the cookie, none
    assert replica.site("challenge").challenges <= 2
    plain = [p for p, s in stats.items() if p not in ("replica_jiangsu_beiling_gov", "replica_hubei_dongling_gov")]
    assert all(stats[p]["browser_pages"] == 0 and stats[p]["challenges_solved"] == 0 for p in plain)


def test_recrawl_of_unchanged_replica_fetches_only_list_pages(replica, replica_registry, first_crawl, tmp_path):
    out, first_hits, _ = first_crawl
    again = tmp_path / "again"
    shutil.copytree(out, again)
    before = replica.hits.copy()
    run_crawl(again, replica_registry, "portal=all")
    hits = replica.hits.copy()
    hits.subtract(before)
    hits = +hits
    assert sum(hits.values()) <= 0.10 * sum(first_hits.values())
    assert manifest(again) == manifest(out), "an unchanged portal must add no capture"
    report_paths = {path for (site, _m, path) in hits if "/t20" in path or "/art/" in path or "post_" in path}
    challenge_reloads = {p for p in report_paths if p.startswith("/zfxxgk/zfxxgknb/index")}
    assert report_paths - challenge_reloads == set()


def test_challenge_cookies_spare_the_next_run_the_browser_until_they_expire(replica, replica_registry, first_crawl,
                                                                            tmp_path):
    out, _, _ = first_crawl
    saved = json.loads((out / "challenge_cookies.json").read_text(encoding="utf-8"))
    assert list(saved) == ["replica_hubei_dongling_gov"]
    assert {c["name"] for c in saved["replica_hubei_dongling_gov"]} == {"NBWAF_T", "NBWAF_S"}
    site = replica.site("challenge")

    # The next scheduled run: the saved cookies go with the first request, no 412, no browser.
    again = tmp_path / "again"
    shutil.copytree(out, again)
    (again / "manifest.jsonl").write_text("")  # so the run fetches every report again, all with cookies
    before = site.challenges
    run_crawl(again, replica_registry, "portal=replica_hubei_dongling_gov")
    run = runs(again)[-1]
    assert site.challenges == before, "a saved challenge cookie was not sent"
    assert run["challenges_solved"] == 0 and run["browser_pages"] == 0 and run["reports"] == 6

    # Session cookies older than NIANBAO_CHALLENGE_COOKIE_MAX_AGE are not sent: solved afresh.
    stale = tmp_path / "stale"
    shutil.copytree(out, stale)
    old = {pid: [dict(c, saved_at=c["saved_at"] - 7200) for c in cookies] for pid, cookies in saved.items()}
    (stale / "challenge_cookies.json").write_text(json.dumps(old), encoding="utf-8")
    run_crawl(stale, replica_registry, "portal=replica_hubei_dongling_gov", NIANBAO_CHALLENGE_COOKIE_MAX_AGE="3600")
    assert site.challenges > before and runs(stale)[-1]["challenges_solved"] == 1
    fresh = json.loads((stale / "challenge_cookies.json").read_text(encoding="utf-8"))["replica_hubei_dongling_gov"]
    assert min(c["saved_at"] for c in fresh) > max(c["saved_at"] for c in saved["replica_hubei_dongling_gov"])


def test_warc_files_are_gzip_members(first_crawl):
    out, _, _ = first_crawl
    for path in (out / "warc").glob("*.warc.gz"):
        with gzip.open(path) as fh:
            assert fh.read(8) == b"WARC/1.0"
    assert json.loads((out / "runs.jsonl").read_text().splitlines()[0])["finish_reason"] == "finished"
