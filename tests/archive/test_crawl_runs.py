"""crawl_runs: one row per portal per crawler process; the silent-portals query follows the
monitor's rule (failed list walks and portals that list nothing where they used to, not
healthy incremental re-crawls)."""

from __future__ import annotations

import sqlite3

from archive.load import load_crawl
from archive.monitor import portal_alerts, reports_yielded
from archive.serve import metadata_for
from tests.archive.crawl_output import write_crawl

EARLIER = "2026-03-01T08:00:00+00:00"
LATEST = "2026-04-01T08:00:00+00:00"


def _run(portal_id, started, *, reports=0, known=0, lists_complete=True, circuit_open=False,
         finish_reason="finished", run_id="run-a"):
    return {
        "portal_id": portal_id, "platform": "generic", "run_id": run_id, "scope": "province=福建省",
        "started_at": started, "finished_at": started.replace("08:00", "09:00") if finish_reason == "finished" else None,
        "finish_reason": finish_reason, "pages": 4, "list_pages": 2, "reports": reports,
        "attachments": 0, "errors": 0 if lists_complete else 2, "list_errors": 0 if lists_complete else 2,
        "known_skipped": known, "circuit_open": circuit_open, "lists_complete": lists_complete,
    }


# Each portal's history: its lines of an earlier run, then the lines of the latest run, one
# per crawler process (scale-out worker); the second tuple item is the worker that wrote it.
HISTORY = {
    # an incremental re-crawl of an unchanged portal: nothing new, its known reports listed
    "fujian_healthy_gov": ([_run("fujian_healthy_gov", EARLIER, reports=5)],
                           [(_run("fujian_healthy_gov", LATEST, known=5), "worker-a")]),
    # a column that moved: the portal lists nothing although it yielded reports before
    "fujian_silent_gov": ([_run("fujian_silent_gov", EARLIER, reports=3)],
                          [(_run("fujian_silent_gov", LATEST), "worker-a")]),
    "fujian_brokenlist_gov": ([_run("fujian_brokenlist_gov", EARLIER, reports=2)],
                              [(_run("fujian_brokenlist_gov", LATEST, reports=1, lists_complete=False), "worker-a")]),
    "fujian_tripped_gov": ([], [(_run("fujian_tripped_gov", LATEST, circuit_open=True, lists_complete=False),
                                 "worker-a")]),
    "fujian_killed_gov": ([_run("fujian_killed_gov", EARLIER, reports=1)],
                          [(_run("fujian_killed_gov", LATEST, reports=1, finish_reason="shutdown"), "worker-a")]),
    # never had a report: an empty portal is not silent
    "fujian_empty_gov": ([], [(_run("fujian_empty_gov", LATEST), "worker-a")]),
    # two workers started the portal in the same second: one found its known reports
    "fujian_split_gov": ([_run("fujian_split_gov", EARLIER, reports=4)],
                         [(_run("fujian_split_gov", LATEST, run_id="run-a"), "worker-a"),
                          (_run("fujian_split_gov", LATEST, known=4, run_id="run-b"), "worker-b")]),
}


def _archive(tmp_path):
    db_path = tmp_path / "a.db"
    earlier = [line for lines, _ in HISTORY.values() for line in lines]
    load_crawl(db_path, write_crawl(tmp_path / "earlier", [], earlier))
    for worker in ("worker-a", "worker-b"):
        lines = [line for _, latest in HISTORY.values() for line, name in latest if name == worker]
        load_crawl(db_path, write_crawl(tmp_path / worker, [], lines))
    return db_path


def test_workers_starting_a_portal_in_the_same_second_keep_a_row_each(tmp_path):
    conn = sqlite3.connect(_archive(tmp_path))
    rows = conn.execute(
        "select worker, run_id, reports_found, reports_known, lists_complete from crawl_runs "
        "where portal_id = 'fujian_split_gov' and started = ? order by worker", [LATEST]).fetchall()
    conn.close()
    assert rows == [("worker-a", "run-a", 0, 0, 1), ("worker-b", "run-b", 0, 4, 1)]


def test_silent_portals_flags_failed_runs_and_silence_not_incremental_recrawls(tmp_path):
    db_path = _archive(tmp_path)
    sql = metadata_for(db_path)["databases"][db_path.stem]["queries"]["silent_portals"]["sql"]
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    flagged = {row["id"]: row["problem"] for row in conn.execute(sql)}
    conn.close()
    assert flagged == {
        "fujian_silent_gov": "silent: no report listed",
        "fujian_brokenlist_gov": "failed: list pages failed",
        "fujian_tripped_gov": "failed: circuit breaker open",
        "fujian_killed_gov": "failed: run did not finish",
    }
    # the same portals as the crawl monitor alerts on, with the same kind
    earlier = [line for lines, _ in HISTORY.values() for line in lines]
    latest = [line for _, lines in HISTORY.values() for line, _ in lines]
    alerts = portal_alerts(latest, reports_yielded(earlier_runs=earlier))
    assert {a.portal_id: a.kind for a in alerts} == {p: k.split(":")[0] for p, k in flagged.items()}
