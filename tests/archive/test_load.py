"""Loading a crawl directory and hand-downloaded files into a real SQLite archive."""

from __future__ import annotations

import json
import sqlite3

from archive.load import ingest_files, load_crawl
from tests.archive.conftest import (
    ARCHIVE_FIXTURES, BASE, PARSER_FIXTURES, PORTAL, REPORT_FILES, fixture_docs,
    table_contents,
)
from tests.archive.crawl_output import Doc, write_crawl


def _rows(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def test_crawl_loads_every_report_with_its_portal_place(loaded_archive):
    reports = _rows(loaded_archive, "select * from reports order by year, agency")
    # 8 report files: the notice is not a report; the attachment page adds one report.
    assert len(reports) == len(REPORT_FILES) - 1 + 1
    assert {r["province"] for r in reports} == {"福建省"}
    assert {r["city"] for r in reports} == {"三明市"}
    assert {r["adcode"] for r in reports} == {"350400"}
    assert {r["portal_id"] for r in reports} == {"fujian_sanming_gov"}
    inconsistent = [r for r in reports if r["failed_checks"]]
    assert [r["agency"] for r in inconsistent] == ["沙县区凤岗街道办事处"]


def test_cells_checks_and_problems_follow_the_parsed_report(loaded_archive):
    import parsers

    report = parsers.parse((PARSER_FIXTURES / "inconsistent_2021.html").read_bytes(),
                           url=f"{BASE}/ndbg/inconsistent_2021.html")
    (row,) = _rows(loaded_archive, "select * from reports where agency = ?", [report.agency])
    cells = {r["key"]: r["value"] for r in _rows(
        loaded_archive, "select key, value from cells where report_id = ?", [row["id"]])}
    assert cells == report.cell_values()
    assert row["cell_count"] == len(report.cells)
    failed = _rows(loaded_archive, "select rule, keys, expected, actual from checks "
                   "where report_id = ? and status = 'fail' order by seq", [row["id"]])
    assert [(f["rule"], json.loads(f["keys"]), f["expected"], f["actual"]) for f in failed] == [
        (c.rule, list(c.keys), c.expected, c.actual) for c in report.failed_checks]
    (split,) = _rows(loaded_archive, "select table_key, row_key, column_key from cells "
                     "where report_id = ? and key = 'requests.withheld.state_secret.total'", [row["id"]])
    assert split == {"table_key": "requests", "row_key": "withheld.state_secret", "column_key": "total"}


def test_partial_report_keeps_its_problems(loaded_archive):
    (row,) = _rows(loaded_archive, "select * from reports where agency like '尤溪县西城镇%'")
    assert row["parse_status"] == "partial"
    problems = _rows(loaded_archive, "select code, message from problems where report_id = ?", [row["id"]])
    assert len(problems) == row["problem_count"] >= 1


def test_report_page_without_tables_takes_its_record_from_the_attachment(loaded_archive):
    (row,) = _rows(loaded_archive, "select * from reports where agency = '漳平市芦芝镇人民政府'")
    (pdf,) = _rows(loaded_archive, "select * from captures where role = 'attachment'")
    assert row["capture_sha256"] == pdf["sha256"]
    assert row["url"] == f"{BASE}/ndbg/attachment_page_2021.html"  # the page people open
    assert row["cell_count"] == 200
    (page,) = _rows(loaded_archive, "select * from captures where url = ?", [row["url"]])
    assert page["report_id"] == row["id"] and page["parse_status"] == "not_report"


def test_non_reports_are_kept_as_captures_with_the_reason(loaded_archive):
    (notice,) = _rows(loaded_archive, "select * from captures where url like '%notice_2022%'")
    assert notice["report_id"] is None
    assert notice["parse_status"] == "not_report" and "notice" in notice["parse_message"]
    (listing,) = _rows(loaded_archive, "select * from captures where role = 'list'")
    assert listing["parse_status"] is None


def test_crawl_runs_count_new_reports_per_run(loaded_archive):
    runs = {r["portal_id"]: r for r in _rows(loaded_archive, "select * from crawl_runs")}
    assert runs["fujian_sanming_gov"]["reports_new"] == 8
    assert runs["fujian_sanming_gov"]["reports_updated"] == 0
    assert runs["fujian_ninghua_gov"]["finished"] is None
    assert runs["fujian_ninghua_gov"]["errors"] == 4
    # a portal only named by runs.jsonl still gets a portals row (foreign key)
    assert _rows(loaded_archive, "select id from portals where id = 'fujian_ninghua_gov'")


def test_loading_the_same_crawl_twice_changes_nothing(tmp_path, crawl_dir):
    db_path = tmp_path / "a.db"
    first = load_crawl(db_path, crawl_dir, [PORTAL])
    before = table_contents(db_path)
    second = load_crawl(db_path, crawl_dir, [PORTAL])
    assert table_contents(db_path) == before
    assert first.actions["new"] == 8
    assert second.skipped == first.captures and not second.actions


def test_corrected_report_becomes_a_new_capture_and_the_report_follows_it(tmp_path):
    original = (PARSER_FIXTURES / "inconsistent_2021.html").read_bytes()
    # The agency publishes a correction on 2022-02-15 at a new URL: table 4's review total fixed.
    corrected = original.replace("2022-01-27".encode(), "2022-02-15".encode())
    assert corrected != original
    crawl = write_crawl(tmp_path / "crawl", [Doc(original, f"{BASE}/a.html")])
    db_path = tmp_path / "a.db"
    load_crawl(db_path, crawl, [PORTAL])
    (before,) = _rows(db_path, "select * from reports")
    write_crawl(crawl, [Doc(corrected, f"{BASE}/a-corrected.html",
                            fetched_at="2026-04-01T08:00:00+00:00")])
    summary = load_crawl(db_path, crawl, [PORTAL])
    (after,) = _rows(db_path, "select * from reports")
    assert summary.actions == {"updated": 1}
    assert after["id"] == before["id"]  # same agency and year: the same report
    assert after["capture_sha256"] != before["capture_sha256"]
    assert after["published_date"] == "2022-02-15"
    history = _rows(db_path, "select sha256, published_date from captures where report_id = ? "
                    "order by published_date", [after["id"]])
    assert [h["published_date"] for h in history] == ["2022-01-27", "2022-02-15"]
    # the older capture arriving again later does not take the report back
    write_crawl(crawl, [Doc(original, f"{BASE}/a.html", fetched_at="2026-05-01T08:00:00+00:00")])
    load_crawl(db_path, crawl, [PORTAL])
    assert _rows(db_path, "select capture_sha256 from reports")[0]["capture_sha256"] == after["capture_sha256"]


def test_damaged_manifest_line_and_missing_warc_do_not_stop_the_load(tmp_path):
    crawl = write_crawl(tmp_path / "crawl", fixture_docs()[1:3])
    with open(crawl / "manifest.jsonl", "a", encoding="utf-8") as manifest:
        line = json.loads((crawl / "manifest.jsonl").read_text(encoding="utf-8").splitlines()[0])
        line.update(sha256="f" * 64, warc_file="warc/gone.warc.gz", url=f"{BASE}/gone.html",
                    final_url=f"{BASE}/gone.html")
        manifest.write(json.dumps(line) + "\n")
        manifest.write('{"portal_id": "fujian_sanming_gov", "url": "http://127.0.0.1:9/cut')
    summary = load_crawl(tmp_path / "a.db", crawl, [PORTAL])
    assert summary.bad_manifest_lines == 1
    assert len(summary.missing) == 1 and "gone.warc.gz" in summary.missing[0]
    assert summary.actions["new"] == 2


def test_ingest_resolves_the_place_from_the_agency_name(tmp_path):
    summary = ingest_files(tmp_path / "a.db", [PARSER_FIXTURES / "gbk_meta_2019.html",
                                               ARCHIVE_FIXTURES / "no_review_2016.html"])
    assert summary.actions == {"new": 2}
    rows = {r["agency"]: r for r in _rows(tmp_path / "a.db", "select * from reports")}
    transport = rows["清流县交通运输局"]
    assert (transport["province"], transport["city"], transport["county"], transport["adcode"]) == (
        "福建省", "三明市", "清流县", "350423")
    assert transport["url"] is None and transport["portal_id"] is None
    warc = tmp_path / "a.captures" / "ingest.warc.gz"
    assert warc.exists()


def test_ingest_leaves_the_place_empty_when_the_name_is_not_certain(tmp_path):
    ingest_files(tmp_path / "a.db", [FIXTURES_SEED_WAMIAO])
    (row,) = _rows(tmp_path / "a.db", "select * from reports")
    assert row["agency"] == "瓦庙镇人民政府"  # townships are not in the gazetteer
    assert (row["province"], row["adcode"], row["level"]) == (None, None, None)


def test_ingest_options_win_over_the_gazetteer(tmp_path):
    ingest_files(tmp_path / "a.db", [FIXTURES_SEED_WAMIAO], province="四川省", level="township",
                 agency="瓦庙镇人民政府")
    (row,) = _rows(tmp_path / "a.db", "select * from reports")
    assert (row["province"], row["city"], row["level"]) == ("四川省", None, "township")


def test_ingesting_the_same_files_twice_changes_nothing(tmp_path):
    files = [PARSER_FIXTURES / "gbk_meta_2019.html", ARCHIVE_FIXTURES]
    ingest_files(tmp_path / "a.db", files)
    before = table_contents(tmp_path / "a.db")
    size = (tmp_path / "a.captures" / "ingest.warc.gz").stat().st_size
    summary = ingest_files(tmp_path / "a.db", files)
    assert table_contents(tmp_path / "a.db") == before
    assert (tmp_path / "a.captures" / "ingest.warc.gz").stat().st_size == size
    assert summary.skipped == 3


FIXTURES_SEED_WAMIAO = PARSER_FIXTURES.parent / "seeds" / "000_e091965162a3741c.txt"


def test_crawled_report_of_a_portal_without_a_place_gets_it_from_the_agency_name(tmp_path):
    doc = Doc((PARSER_FIXTURES / "gbk_meta_2019.html").read_bytes(), f"{BASE}/a.html",
              portal_id="adhoc_127_0_0_1")
    load_crawl(tmp_path / "a.db", write_crawl(tmp_path / "crawl", [doc]), None)
    (row,) = _rows(tmp_path / "a.db", "select * from reports")
    assert (row["province"], row["county"], row["adcode"]) == ("福建省", "清流县", "350423")
    assert row["portal_id"] == "adhoc_127_0_0_1"
