"""The published archive, driven like a journalist would: a real Datasette server on 127.0.0.1
and headless Chromium (Playwright)."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import quote

import pytest
from playwright.sync_api import sync_playwright

from archive.serve import start_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(loaded_archive):
    with start_server(loaded_archive) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _query(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _listed_ids(page) -> set[str]:
    # the reports table's first column is its primary key, rendered as a link to the row
    return {cell.inner_text().strip() for cell in page.locator("table.rows-and-columns tbody tr td.col-id").all()}


@pytest.mark.parametrize("words", ["复议", "行政复议", "交通运输局"])
def test_search_box_finds_exactly_the_reports_containing_the_words(server, page, loaded_archive, words):
    expected = {r[0] for r in _query(
        loaded_archive, "select id from reports join report_texts on report_id = id "
        "where title like ? or body_text like ?",
        [f"%{words}%", f"%{words}%"])}
    everything = {r[0] for r in _query(loaded_archive, "select id from reports")}
    assert expected and expected != everything  # the fixtures include a report without them
    page.goto(f"{server.database_url}/reports")
    page.fill("input[name=_search]", words)
    page.press("input[name=_search]", "Enter")
    page.wait_for_url(re.compile(r"_search="))
    assert _listed_ids(page) == expected
    assert page.input_value("input[name=_search]") == words  # the box shows what was typed


def test_facet_click_narrows_the_list(server, page, loaded_archive):
    page.goto(f"{server.database_url}/reports")
    everything = _listed_ids(page)
    page.locator(".facet-info[data-column=year] a", has_text="2021").first.click()
    page.wait_for_url(re.compile(r"year=2021"))
    narrowed = _listed_ids(page)
    expected = {r[0] for r in _query(loaded_archive, "select id from reports where year = 2021")}
    assert narrowed == expected and narrowed < everything


def test_canned_query_lists_the_report_whose_numbers_do_not_add_up(server, page):
    page.goto(server.database_url)
    page.get_by_role("link", name=re.compile("数字对不上的报告")).click()
    page.wait_for_url(re.compile("/inconsistent_reports$"))
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 1
    assert "沙县区凤岗街道办事处" in rows.first.inner_text()
    assert "requests.balance.total: 10 ≠ 9" in rows.first.inner_text()


def test_report_row_links_to_the_original_and_to_its_capture(server, page, loaded_archive):
    ((report_id, url, sha256),) = _query(
        loaded_archive, "select id, url, capture_sha256 from reports where agency = '沙县区凤岗街道办事处'")
    page.goto(f"{server.database_url}/reports/{report_id}")
    assert page.locator(f"a[href='{url}']").count() >= 1
    page.locator(f"a[href$='/captures/{sha256}']").first.click()
    page.wait_for_url(re.compile(f"/captures/{sha256}$"))
    assert "inconsistent_2021.html" in page.locator("table").first.inner_text()


def test_download_link_returns_the_sqlite_file(server, page, loaded_archive, tmp_path):
    page.goto(server.database_url)
    link = page.locator("a[href$='.db']").first
    response = page.request.get(server.url + link.get_attribute("href"))
    assert response.ok
    body = response.body()
    assert body.startswith(b"SQLite format 3\x00")
    copy = tmp_path / "download.db"
    copy.write_bytes(body)
    assert _query(copy, "pragma integrity_check") == [("ok",)]
    assert _query(copy, "select count(*) from reports") == _query(loaded_archive, "select count(*) from reports")


@pytest.mark.parametrize("statement", [
    "delete from reports",
    "update reports set year = 1900",
    "insert into portals (id) values ('intruder')",
    "drop table cells",
])
def test_write_attempts_are_refused(server, page, loaded_archive, statement):
    before = _query(loaded_archive, "select count(*), sum(year) from reports")
    response = page.goto(f"{server.database_url}?sql={quote(statement)}")
    assert response.status == 400
    assert "Statement must be a SELECT" in page.content()
    for path in ("/reports", "/inconsistent_reports", "", "/reports/-/insert"):
        post = page.request.post(f"{server.database_url}{path}", data={"sql": statement})
        assert post.status == 405 and "read-only" in post.text()
    assert _query(loaded_archive, "select count(*), sum(year) from reports") == before


def test_dashboard_renders_charts(server, page):
    page.goto(f"{server.url}/-/dashboards/overview")
    page.wait_for_selector("svg, canvas", timeout=15000)
    assert "年报概览" in page.content()
