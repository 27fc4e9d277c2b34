"""Monitoring (issue 6): a run fails loudly when a portal that yielded reports lists none or errors out."""

import re
import sqlite3
import subprocess

import pytest

from archive.db import open_db
from archive.monitor import merge_runs, portal_alerts, read_runs, reports_yielded
from tests.ops.conftest import ENV, ROOT, manifest, nianbao
from tests.replica.server import REGISTRY_BASE_PORT

# In the fixture run two workers crawled: a went silent (4 list pages, nothing listed), b is an
# unchanged portal re-crawled incrementally (everything listed is archived already), c lost a
# list page, d tripped its circuit breaker, e never yielded anything (a new portal: not silent).
YIELDED = {"zhejiang_a_gov": 12, "zhejiang_b_gov": 7, "zhejiang_c_gov": 5, "zhejiang_d_gov": 3}


@pytest.fixture
def two_worker_run(fixture_path):
    return read_runs(fixture_path("ops", "runs_two_workers.jsonl"))


def test_workers_lines_merge_per_portal(two_worker_run):
    merged = merge_runs(two_worker_run)
    assert merged["zhejiang_b_gov"]["known_skipped"] == 7 and merged["zhejiang_b_gov"]["pages"] == 3
    assert merged["zhejiang_a_gov"]["pages"] == 4 and merged["zhejiang_a_gov"]["lists_complete"]


def test_silent_and_failed_portals_are_named_one_line_each(two_worker_run):
    lines = [alert.line() for alert in portal_alerts(two_worker_run, YIELDED)]
    assert lines == [
        "ALERT zhejiang_a_gov: silent: no report listed (4 pages fetched); it yielded 12 before",
        "ALERT zhejiang_c_gov: failed: 1 list page(s) failed; e.g. http://c.example/index_2.html: HTTP 500",
        "ALERT zhejiang_d_gov: failed: circuit breaker open after 8 errors; e.g. http://d.example/: TimeoutError",
    ]


def test_without_history_an_empty_portal_is_not_silent(two_worker_run):
    assert [a.portal_id for a in portal_alerts(two_worker_run, {})] == ["zhejiang_c_gov", "zhejiang_d_gov"]


def test_history_comes_from_crawl_runs_and_the_reports_held(tmp_path):
    db = open_db(tmp_path / "archive.db")
    db["portals"].insert_all([{"id": "p1"}, {"id": "p2"}], pk="id")
    db["crawl_runs"].insert_all([
        {"portal_id": "p1", "started": "2026-01-05T00:00:00Z", "reports_found": 9},
        {"portal_id": "p1", "started": "2026-01-12T00:00:00Z", "reports_found": 0},
    ])
    db.close()
    earlier = [{"portal_id": "p2", "reports": 4}, {"portal_id": "p3", "reports": 0}]
    assert reports_yielded(tmp_path / "archive.db", earlier) == {"p1": 9, "p2": 4, "p3": 0}
    assert reports_yielded(tmp_path / "missing.db") == {}
    assert not (tmp_path / "missing.db").exists()  # monitoring never creates an archive


def run(*args):
    return subprocess.run(nianbao(*args), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=240)


def test_crawl_fails_loudly_when_a_portal_goes_silent_and_recovers(ops_registry, tmp_path):
    portal = "replica_zhejiang_xikou_gov"
    out, db = tmp_path / "out", tmp_path / "archive.db"
    crawl = ("crawl", "--portal", portal, "--out", out, "--db", db, "--no-throttle", "-s", "NIANBAO_PROGRESS_INTERVAL=0")
    first = run(*crawl, "--registry", ops_registry)
    assert first.returncode == 0, first.stderr[-2000:]
    # The portal's column moves: its start URL now answers with an ordinary page listing no report.
    rows = manifest(out)
    parents = {r["parent_url"] for r in rows if r["role"] == "attachment"}
    report_page = next(r["url"] for r in rows if r["role"] == "report" and "xxgkAnnualReport" not in r["url"]
                       and r["final_url"] not in parents)  # an inline report: it links to no document
    moved = tmp_path / "moved.toml"
    text = ops_registry.read_text(encoding="utf-8")
    start = next(line for line in text.splitlines() if "/col/col1229460362/index.html" in line)
    moved.write_text(text.replace(start, f'start_urls = ["{report_page}"]'), encoding="utf-8")
    silent = run(*crawl, "--registry", moved, "--set", "NIANBAO_LOG_LEVEL=WARNING")
    assert silent.returncode == 2
    alerts = [line for line in silent.stderr.splitlines() if line.startswith("ALERT")]
    assert len(alerts) == 1 and alerts[0].startswith(f"ALERT {portal}: silent: no report listed")
    # Back at its address, an incremental re-crawl finds only known reports: healthy again.
    again = run(*crawl, "--registry", ops_registry)
    assert again.returncode == 0 and "ALERT" not in again.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from crawl_runs where portal_id = ?", [portal]).fetchone()[0] == 3


def test_a_portal_that_errors_out_is_an_alert(tmp_path, ops_replica):
    dead = ROOT / "tests" / "replica" / "portals_unreachable.toml"
    registry = tmp_path / "dead.toml"
    registry.write_text(re.sub(r"127\.0\.0\.1:(\d+)",  # the replica's sites sit at base port + offset
                               lambda m: f"127.0.0.1:{int(m.group(1)) - REGISTRY_BASE_PORT + ops_replica.base_port}",
                               dead.read_text(encoding="utf-8")), encoding="utf-8")
    result = run("crawl", "--portal", "replica_gansu_tingji_gov", "--registry", registry, "--out", tmp_path / "out",
                 "--no-throttle", "-s", "NIANBAO_RETRY_BACKOFF=0.01", "-s", "NIANBAO_PROGRESS_INTERVAL=0")
    assert result.returncode == 2
    assert "ALERT replica_gansu_tingji_gov: failed: circuit breaker open" in result.stderr
