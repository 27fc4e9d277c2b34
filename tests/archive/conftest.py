"""Fixtures of the archive tests: the fixture documents as one simulated crawl, loaded into
a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.load import load_crawl
from tests.archive.crawl_output import Doc, write_crawl

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PARSER_FIXTURES = FIXTURES / "parsers"
ARCHIVE_FIXTURES = FIXTURES / "archive"
PORTAL = {
    "id": "fujian_sanming_gov", "name_zh": "三明市人民政府", "province": "福建省", "city": "三明市",
    "county": None, "adcode": "350400", "level": "city", "platform": "generic",
    "start_urls": ["http://127.0.0.1:9/ndbg/"], "notes": "",
}
# Fixture reports of the crawl (parsers' wrinkle fixtures plus one without 复议).
REPORT_FILES = [
    PARSER_FIXTURES / "inconsistent_2021.html",
    PARSER_FIXTURES / "blank_totals_2021.html",
    PARSER_FIXTURES / "gbk_meta_2019.html",
    PARSER_FIXTURES / "split_table_2021.html",
    PARSER_FIXTURES / "table3_missing_2020.html",
    PARSER_FIXTURES / "pre2019_2017.html",
    PARSER_FIXTURES / "notice_2022.html",
    ARCHIVE_FIXTURES / "no_review_2016.html",
]
BASE = "http://127.0.0.1:9"
RUNS = [
    {"portal_id": "fujian_sanming_gov", "platform": "generic",
     "started_at": "2026-03-02T07:59:00+00:00", "finished_at": "2026-03-02T08:10:00+00:00",
     "finish_reason": "finished", "pages": 12, "reports": 9, "errors": 0},
    {"portal_id": "fujian_ninghua_gov", "platform": "generic",
     "started_at": "2026-03-02T07:59:00+00:00", "finished_at": None,
     "finish_reason": "shutdown", "pages": 3, "reports": 0, "errors": 4},
]


def fixture_docs() -> list[Doc]:
    docs = [Doc(b"<html><body><a href='/a.html'>list</a></body></html>", f"{BASE}/ndbg/", role="list")]
    docs += [Doc(path.read_bytes(), f"{BASE}/ndbg/{path.name}", listing_title=None)
             for path in REPORT_FILES]
    page = ARCHIVE_FIXTURES / "attachment_page_2021.html"
    docs.append(Doc(page.read_bytes(), f"{BASE}/ndbg/{page.name}",
                    listing_title="漳平市芦芝镇人民政府2021年政府信息公开工作年度报告",
                    listing_date="2022-01-20"))
    docs.append(Doc((PARSER_FIXTURES / "documents" / "report.pdf").read_bytes(),
                    f"{BASE}/files/report.pdf", role="attachment", content_type="application/pdf",
                    parent_url=f"{BASE}/ndbg/{page.name}"))
    return docs


def table_contents(db_path) -> dict[str, list[tuple]]:
    """Every row of every table and view, sorted: the database's content, independent of layout."""
    conn = sqlite3.connect(db_path)
    try:
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type in ('table', 'view') "
            "and name not like 'reports_fts_%' and name not like 'sqlite_%' "
            "and name != '_sqlite_migrations'")]
        contents = {n: sorted(map(repr, conn.execute(f"select * from [{n}]"))) for n in names}
        contents["reports_fts_terms"] = sorted(map(repr, conn.execute(
            "select rowid from reports_fts where reports_fts match '\"复议\"'")))
        return contents
    finally:
        conn.close()


@pytest.fixture(scope="session")
def crawl_dir(tmp_path_factory) -> Path:
    return write_crawl(tmp_path_factory.mktemp("crawl"), fixture_docs(), RUNS)


@pytest.fixture(scope="session")
def loaded_archive(tmp_path_factory, crawl_dir) -> Path:
    """The fixture crawl loaded once; tests that only read share it."""
    db_path = tmp_path_factory.mktemp("archive") / "nianbao.db"
    load_crawl(db_path, crawl_dir, [PORTAL])
    return db_path
