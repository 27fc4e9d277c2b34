"""Crawl monitoring: which portals failed or went silent in a run, judged against their history.

A run fails loudly (the ``nianbao`` commands print one ``ALERT`` line per portal and exit
non-zero) when a portal

* **failed**: its list walk did not complete (a list page failed after retries, or its circuit
  breaker tripped) or the run did not finish, so its reports may be incomplete; or
* **went silent**: it yielded reports before (an earlier run found some, or the archive holds
  some) but this run found no report candidate at all, neither new nor already archived. An
  incremental re-crawl of an unchanged portal finds only known reports
  (``known_skipped > 0``) and is healthy; a portal whose column moved or whose markup changed
  lists nothing and is silent.

The input is the crawler's per-portal run statistics as written to ``runs.jsonl``; several
crawler processes (scale-out workers) report on the same portal in one run, so the lines of
one run are merged per portal first. This module reads the archive but never writes it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_SUMMED = ("pages", "list_pages", "reports", "attachments", "errors", "list_errors", "known_skipped")


@dataclass(frozen=True)
class PortalAlert:
    """One portal that needs a maintainer's attention after a run."""

    portal_id: str
    kind: str  # "failed" or "silent"
    detail: str

    def line(self) -> str:
        return f"ALERT {self.portal_id}: {self.kind}: {self.detail}"


def read_runs(path: str | Path) -> list[dict]:
    """The lines of a crawl directory's ``runs.jsonl`` (empty when there is none)."""
    path = Path(path)
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:  # a line cut short by a crash
            continue
    return rows


def latest_run(rows: list[dict]) -> list[dict]:
    """The lines of the last run (``run_id``) in one ``runs.jsonl``."""
    if not rows:
        return []
    last = rows[-1].get("run_id")
    return [row for row in rows if row.get("run_id") == last]


def merge_runs(runs: Iterable[dict]) -> dict[str, dict]:
    """One run's per-portal statistics, merged across the processes that crawled each portal.

    Counters are summed; the run finished only if every process finished, and the list walk
    is complete only if every process completed its share.
    """
    merged: dict[str, dict] = {}
    for run in runs:
        portal_id = run.get("portal_id")
        if not portal_id:
            continue
        into = merged.setdefault(portal_id, {
            "portal_id": portal_id, **{key: 0 for key in _SUMMED},
            "circuit_open": False, "lists_complete": True, "finish_reason": "finished",
            "error_samples": [],
        })
        for key in _SUMMED:
            into[key] += run.get(key) or 0
        into["circuit_open"] |= bool(run.get("circuit_open"))
        into["lists_complete"] &= bool(run.get("lists_complete", True))
        if run.get("finish_reason") != "finished":
            into["finish_reason"] = run.get("finish_reason") or "unknown"
        into["error_samples"] += run.get("error_samples") or []
    return merged


def reports_yielded(db_path: str | Path | None = None, earlier_runs: Iterable[dict] = ()) -> dict[str, int]:
    """How many reports each portal has yielded before: the most one earlier run found, or
    the reports the archive holds for it, whichever is larger.

    :param db_path: the archive; absent or missing means no archive history.
    :param earlier_runs: ``runs.jsonl`` lines of earlier runs (a crawl directory's memory).
    """
    yielded: dict[str, int] = {}
    for run in earlier_runs:
        if run.get("portal_id"):
            yielded[run["portal_id"]] = max(yielded.get(run["portal_id"], 0), run.get("reports") or 0)
    if db_path is None or not Path(db_path).exists():
        return yielded
    # Read-only: monitoring never creates or migrates an archive.
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
        queries = []
        if "crawl_runs" in tables:
            queries.append("select portal_id, max(coalesce(reports_found, 0)) from crawl_runs group by portal_id")
        if "reports" in tables:
            queries.append("select portal_id, count(*) from reports where portal_id is not null group by portal_id")
        for query in queries:
            for portal_id, count in conn.execute(query):
                yielded[portal_id] = max(yielded.get(portal_id, 0), count or 0)
    finally:
        conn.close()
    return yielded


def portal_alerts(runs: Iterable[dict], yielded: dict[str, int]) -> list[PortalAlert]:
    """The portals of one run that failed or went silent, in portal id order.

    :param runs: the run's ``runs.jsonl`` lines (from one or several crawler processes).
    :param yielded: reports each portal yielded before (``reports_yielded``).
    """
    alerts = []
    for portal_id, run in sorted(merge_runs(runs).items()):
        sample = f"; e.g. {run['error_samples'][0]}" if run["error_samples"] else ""
        if run["circuit_open"]:
            alerts.append(PortalAlert(portal_id, "failed", f"circuit breaker open after {run['errors']} errors{sample}"))
        elif not run["lists_complete"]:
            alerts.append(PortalAlert(portal_id, "failed", f"{run['list_errors']} list page(s) failed{sample}"))
        elif run["finish_reason"] != "finished":
            alerts.append(PortalAlert(portal_id, "failed", f"run ended with {run['finish_reason']!r}"))
        elif yielded.get(portal_id, 0) > 0 and run["reports"] == 0 and run["known_skipped"] == 0:
            alerts.append(PortalAlert(
                portal_id, "silent",
                f"no report listed ({run['pages']} pages fetched); it yielded {yielded[portal_id]} before",
            ))
    return alerts
