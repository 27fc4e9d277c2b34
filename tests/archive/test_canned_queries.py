"""The canned queries give the rows of a straightforward reference query, and use their indexes.

The published queries (archive/datasette/metadata.yml) are rewritten for speed at 100,000
reports: the ranked search looks up only its best 200 reports, the refusal share is one
grouped pass over a partial index, the others read partial indexes of migration m004. Each
is compared here, row for row and in order, with a plain formulation of the same question on
a small archive built to hold the cases that matter: ties, blank and missing cells, reports
without an agency or a province, several failed checks in one report, years missing between
others, a limit that cuts through equal values.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

import parsers
from archive.db import open_db
from archive.fts import match_expression
from archive.gazetteer import Place
from archive.serve import METADATA, start_server
from archive.store import ParsedCapture, store_report
from tests.archive.conftest import PARSER_FIXTURES

QUERIES = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["archive"]["queries"]
BASES = {  # template -> parsed fixture reports it varies
    "2021": ["inconsistent_2021.html", "blank_totals_2021.html"],
    "2019": ["gbk_meta_2019.html", "table3_missing_2020.html"],
    "pre2019": ["pre2019_2017.html"],
}
AGENCIES = 12
YEARS = range(2016, 2025)
PROVINCES = ("福建省", "浙江省", None)


def _template(year: int) -> str:
    return "2021" if year >= 2021 else "2019" if year >= 2019 else "pre2019"


def _varied(base, agency_no: int, year: int) -> parsers.models.Report:
    """One report of the small archive: the base's numbers scaled (equal values recur), some
    requests.new.total blank or missing, refusals varied, some checks failed, bodies cut to
    varied lengths."""
    factor = 1 + (agency_no + year) % 3
    cells = []
    for cell in base.cells:
        value = cell.value * factor if isinstance(cell.value, int) else cell.value
        if cell.key.startswith("requests.withheld.") and cell.key.endswith(".total"):
            # the fixtures refuse nothing: refusals that vary, some blank
            value = None if (agency_no + year) % 5 == 0 else (agency_no + year + len(cell.key)) % 4
        if cell.key == "requests.new.total":
            if (agency_no + year) % 7 == 0:
                continue  # the report has no such cell
            if (agency_no * year) % 11 == 0:
                value = None  # a blank cell
        cells.append(dataclasses.replace(cell, value=value))
    checks = list(base.checks)
    if checks and (agency_no * year) % 4 == 0:  # two more failures, shown in check order
        checks[0] = dataclasses.replace(checks[0], status="fail", expected=checks[0].actual + 1)
        checks[-1] = dataclasses.replace(checks[-1], status="fail", expected=checks[-1].actual + 2)
    agency = None if agency_no == 0 else f"第{agency_no}号机关"
    title = f"{agency or '某机关'}{year}年政府信息公开工作年度报告"
    body = base.body_text[: 300 + (agency_no * 131 + year * 17) % 2500]
    return dataclasses.replace(
        base, title=title, agency=agency, year=year, template=_template(year),
        cells=tuple(cells), checks=tuple(checks), body_text=f"{title}\n{body}",
        url=f"http://127.0.0.1/{agency_no}/{year}.html",
    )


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """~70 reports of 12 agencies (one without a name) over 2016-2024, with gaps."""
    bases = {template: [parsers.parse((PARSER_FIXTURES / name).read_bytes(), url="http://127.0.0.1/")
                        for name in names]
             for template, names in BASES.items()}
    db_path = tmp_path_factory.mktemp("canned") / "canned.db"
    db = open_db(db_path)
    for agency_no in range(AGENCIES):
        for year in YEARS:
            if (agency_no + year) % 4 == 1 or (agency_no == 0 and year % 3):
                continue  # a year the agency published nothing
            choices = bases[_template(year)]
            report = _varied(choices[(agency_no + year) % len(choices)], agency_no, year)
            sha256 = hashlib.sha256(report.url.encode()).hexdigest()
            row = {"sha256": sha256, "url": report.url, "final_url": report.url,
                   "fetched_at": f"{year + 1}-04-01T08:00:00+00:00", "status": 200,
                   "content_type": "text/html", "size": len(report.body_text), "role": "report"}
            store_report(db, ParsedCapture(row=row, report=report, status="complete",
                                           parser_version=parsers.PARSER_VERSION),
                         place=Place(province=PROVINCES[agency_no % len(PROVINCES)]))
    db.close()
    return db_path


@pytest.fixture(scope="module")
def conn(archive):
    conn = sqlite3.connect(f"file:{archive}?immutable=1", uri=True)
    conn.create_function("escape_fts", 1, match_expression, deterministic=True)
    yield conn
    conn.close()


def _rows(conn, sql: str, **params) -> list[tuple]:
    return conn.execute(sql, params).fetchall()


def _plan(conn, sql: str, **params) -> list[str]:
    return [row[3] for row in conn.execute(f"explain query plan {sql}", params)]


REFERENCE = {
    "search": """
        select r.id, r.title, r.agency, r.province, r.year, r.failed_checks, r.url
        from reports_fts join reports r on r.fts_rowid = reports_fts.rowid
        where reports_fts match escape_fts(:q)
        order by rank, reports_fts.rowid
        limit 200""",
    "inconsistent_reports": """
        select r.id, r.title, r.agency, r.province, r.year, r.failed_checks,
          (select group_concat(line, '; ') from (
             select c.rule || ': ' || c.expected || ' ≠ ' || c.actual as line from checks c
             where c.report_id = r.id and c.status = 'fail' order by c.seq)) as failed,
          r.url
        from reports r
        where r.failed_checks > 0
          and exists (select 1 from checks c where c.report_id = r.id and c.status = 'fail')
        order by r.year desc, r.failed_checks desc, r.province, r.agency, r.id""",
    "agencies_by_requests": """
        select * from (
          select r.agency, r.province, r.year,
            (select value from cells where report_id = r.id
               and key = 'requests.new.total') as requests_received,
            r.id as report_id
          from reports r)
        where requests_received is not null
        order by requests_received desc, year desc, report_id
        limit 1000""",
    "refusal_share_by_province_year": """
        select province, year, count(*) as reports, sum(handled) as handled,
          sum(refused) as refused,
          round(100.0 * sum(refused) / nullif(sum(handled), 0), 2) as refused_percent
        from (
          select r.province, r.year,
            (select value from cells where report_id = r.id
               and key = 'requests.total.total') as handled,
            (select sum(value) from cells where report_id = r.id
               and key like 'requests.withheld.%.total') as refused
          from reports r
          where r.template in ('2019', '2021'))
        group by province, year
        order by year desc, refused_percent desc, province""",
    "missing_reports": """
        select prev.agency, prev.province, prev.year + 1 as missing_year,
          prev.id as previous_report, prev.url as previous_url
        from reports prev
        left join reports cur on cur.agency = prev.agency and cur.year = prev.year + 1
        where cur.id is null and prev.agency is not null
          and prev.year < (select max(year) from reports)
        order by missing_year desc, prev.province, prev.agency, prev.id""",
}


def test_the_small_archive_holds_the_cases_that_matter(conn):
    reports = _rows(conn, "select count(*), count(agency), count(province) from reports")[0]
    assert reports[0] >= 60 and reports[1] < reports[0] and reports[2] < reports[0]
    failing = _rows(conn, "select count(*) from reports where failed_checks >= 3")[0][0]
    blanks = _rows(conn, "select count(*) from cell_values where key = 'requests.new.total' "
                         "and value is null")[0][0]
    ties = _rows(conn, "select count(*) from (select value from cell_values "
                       "where key = 'requests.new.total' group by value having count(*) > 2)")[0][0]
    refusals = _rows(conn, "select count(distinct value), count(*) - count(value) from cell_values "
                           "where key like 'requests.withheld.%.total'")[0]
    assert failing >= 3 and blanks >= 2 and ties >= 2 and refusals[0] >= 3 and refusals[1] >= 8


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_canned_query_gives_the_rows_of_the_reference_query(conn, name):
    params = {"q": "复议"} if name == "search" else {}
    expected = _rows(conn, REFERENCE[name], **params)
    assert len(expected) >= 5
    assert _rows(conn, QUERIES[name]["sql"], **params) == expected


@pytest.mark.parametrize("name", ["search", "agencies_by_requests"])
def test_a_limit_that_cuts_through_equal_values_cuts_where_the_reference_does(conn, name):
    limit = "limit 200" if name == "search" else "limit 1000"
    params = {"q": "复议"} if name == "search" else {}
    for cut in (3, 7, 20):
        sql = QUERIES[name]["sql"].replace(limit, f"limit {cut}")
        assert sql != QUERIES[name]["sql"]
        assert _rows(conn, sql, **params) == _rows(conn, REFERENCE[name].replace(limit, f"limit {cut}"),
                                                   **params)


@pytest.mark.parametrize("words", ["行政复议", "依申请公开", "第3号机关", "没有这个词"])
def test_search_ranks_like_the_reference_for_other_words(conn, words):
    assert _rows(conn, QUERIES["search"]["sql"], q=words) == _rows(conn, REFERENCE["search"], q=words)


@pytest.mark.parametrize("name, index", [
    ("agencies_by_requests", "idx_cell_values_requests_new"),
    ("refusal_share_by_province_year", "idx_cell_values_refusal"),
    ("inconsistent_reports", "idx_check_results_failed"),
])
def test_canned_query_reads_its_partial_index(conn, name, index):
    # A partial index is used only while the query repeats its condition term for term; the
    # planner has no statistics, so the plan here is the plan at 100,000 reports.
    assert any(index in step for step in _plan(conn, QUERIES[name]["sql"]))


def test_search_looks_up_only_its_best_reports(conn):
    # Joining the matches to reports row by row once scanned the whole table per result (3.4 s
    # at 100,000 reports); the best 200 are looked up by fts_rowid, and no step reads all reports.
    plan = _plan(conn, QUERIES["search"]["sql"], q="复议")
    assert "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)" in plan
    assert any("idx_reports_fts_rowid (fts_rowid=?)" in step for step in plan)
    assert not any(step.split()[:2] in (["SCAN", "reports"], ["SCAN", "r"]) for step in plan)


def test_datasette_serves_every_canned_query_with_the_rows_sqlite_gives(archive, conn):
    with start_server(archive) as server:
        for name, query in QUERIES.items():
            params = {"q": "复议"} if ":q" in query["sql"] else {}
            url = f"{server.database_url}/{name}.json?_shape=array" + "".join(
                f"&{k}={quote(v)}" for k, v in params.items())
            with urllib.request.urlopen(url, timeout=30) as response:
                served = json.loads(response.read())
            assert [tuple(row.values()) for row in served] == _rows(conn, query["sql"], **params), name


def test_the_refusal_chart_gives_the_shares_of_the_reference_query(conn):
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    chart = metadata["plugins"]["datasette-dashboards"]["overview"]["charts"]["refusal-by-year"]
    reference = """
        select year, round(100.0 * sum(refused) / nullif(sum(handled), 0), 2) as refused_percent
        from (
          select r.year,
            (select value from cells where report_id = r.id and key = 'requests.total.total') as handled,
            (select sum(value) from cells where report_id = r.id
               and key like 'requests.withheld.%.total') as refused
          from reports r
          where r.template in ('2019', '2021'))
        group by year order by year"""
    expected = _rows(conn, reference)
    assert len(expected) >= 3 and any(share for _, share in expected)
    assert _rows(conn, chart["query"]) == expected
