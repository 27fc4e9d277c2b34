"""Benchmark of the archive's canned queries: each one's time on a given archive.

Runs every query of ``archive/datasette/metadata.yml`` (``queries:``) the way Datasette
does: on a read-only, immutable connection with the Chinese ``escape_fts`` registered,
reading at most ``max_returned_rows + 1`` rows. Prints, per query, the first run (cold
page cache of the connection) and the median of the repeats, in wall and CPU time, and the
rows read; with ``--http`` also each query's HTML and JSON page served by Datasette (the
page time a journalist waits, rendering included). Datasette's SQL time limit
(``archive.serve.SETTINGS``) is the bound a journalist hits; the goal is well under a second
at 100,000 reports. The queries need their partial indexes (migration m004, rebuilt over the
report's number by m008): an archive last opened by an older loader lacks them (the script
says so, and opens the file read-only: migrate it with ``archive.db.open_db``).

    python3 benchmarks/canned_queries.py --db /tmp/nianbao-bench.db [--rounds 3] [--q 复议] [--http]
    python3 benchmarks/canned_queries.py --load-cost 4000

Build an archive to run it on with ``python3 benchmarks/archive.py --keep --db PATH``.
``--load-cost N`` measures what the queries' indexes cost the loader instead:
it writes the same N prepared reports (``benchmarks/archive.py``'s, through ``Commits.write``
as the loader's writing process does) into a fresh archive with and one without those
indexes, in alternating batches, and prints the writer's CPU per report of each.
Another process on the machine inflates wall time but hardly CPU time: report both, and the
load (``uptime``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

import parsers  # noqa: E402

from archive.db import open_db  # noqa: E402
from archive.fts import match_expression  # noqa: E402
from archive.migrations import INDEXES_BY_REPORT_NUMBER as QUERY_INDEXES  # noqa: E402
from archive.store import Commits, ParsedCapture, prepare_report  # noqa: E402
from archive.serve import METADATA, SETTINGS  # noqa: E402


def canned_queries() -> dict[str, dict]:
    """The archive's canned queries by name, as the metadata declares them."""
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    return metadata["databases"]["archive"]["queries"]


def connect(db_path: Path) -> sqlite3.Connection:
    """A connection like Datasette's for ``--immutable``: read-only, escape_fts re-registered."""
    conn = sqlite3.connect(f"file:{db_path.resolve()}?immutable=1", uri=True)
    conn.create_function("escape_fts", 1, match_expression, deterministic=True)
    return conn


def run_once(conn: sqlite3.Connection, sql: str, params: dict) -> tuple[float, float, int]:
    """(wall ms, CPU ms, rows) of one run, fetching as many rows as Datasette would."""
    wall, cpu = time.perf_counter(), time.process_time()
    rows = conn.execute(sql, params).fetchmany(SETTINGS["max_returned_rows"] + 1)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, len(rows)


def _archive_benchmark():
    """benchmarks/archive.py as a module (its fixture-derived reports and their variation)."""
    spec = importlib.util.spec_from_file_location("archive_benchmark", ROOT / "benchmarks/archive.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_cost(reports: int) -> None:
    """Print the writer's CPU per report storing ``reports`` reports without and with the
    queries' indexes.

    As the loader does: ``prepare_report`` (done by worker processes in a load, so outside
    the clock here), then ``Commits.write`` and ``stored`` in the one writing process, where
    every index is paid. Two fresh archives, one without the indexes, take the same reports
    in alternating batches of 100 (alternating which goes first), so a machine whose speed
    drifts under other loads weighs on both alike.
    """
    bench = _archive_benchmark()
    bases = bench.base_reports()
    counties = sorted(c for c in bench.DIVISION_DATA if not c.endswith("00"))
    cpu = {False: 0.0, True: 0.0}
    with tempfile.TemporaryDirectory(prefix="nianbao-canned-") as tmp:
        dbs = {indexed: open_db(Path(tmp) / f"indexed-{indexed}.db") for indexed in cpu}
        for name in QUERY_INDEXES:
            dbs[False].execute(f"drop index {name}")
        commits = {indexed: Commits(db).__enter__() for indexed, db in dbs.items()}
        for first in range(0, reports, 100):
            batch = []
            for i in range(first, min(reports, first + 100)):
                report, row, place = bench.varied(i, bases, counties)
                batch.append(prepare_report(ParsedCapture(
                    row=row, report=report, status="complete",
                    parser_version=parsers.PARSER_VERSION), place=place))
            for indexed in (False, True) if first % 200 else (True, False):
                started = time.process_time()
                for prepared in batch:
                    commits[indexed].write(prepared)
                    commits[indexed].stored()
                cpu[indexed] += time.process_time() - started
        for indexed, db in dbs.items():
            commits[indexed].__exit__(None, None, None)
            db.close()
    without, with_ = (cpu[k] / reports * 1000 for k in (False, True))
    print(f"load cost of the queries' indexes ({reports} reports each way, interleaved): "
          f"{without:.3f} -> {with_:.3f} ms CPU per report in the writing process "
          f"({with_ - without:+.3f} ms, {100 * (with_ - without) / without:+.1f} %); "
          f"load average {os.getloadavg()[0]:.2f}")


def http_times(db_path: Path, rounds: int, words: str, only: list[str] | None) -> None:
    """Print each canned query's page time through Datasette (``archive.serve.start_server``)."""
    from urllib.parse import quote

    from archive.serve import start_server

    timed_get = _archive_benchmark().timed_get
    with start_server(db_path, timeout=600) as server:
        timed_get(f"{server.database_url}/reports")  # the server's first request is slower
        for name, query in canned_queries().items():
            if only and name not in only:
                continue
            search = f"?q={quote(words)}" if ":q" in query["sql"] else ""
            for kind, suffix in (("HTML", ""), ("JSON", ".json")):
                url = f"{server.database_url}/{name}{suffix}{search}"
                first = timed_get(url)
                median = statistics.median([timed_get(url) for _ in range(rounds)] or [first])
                print(f"{name:32} {kind:4} page: first {first:7.0f} ms   median {median:7.0f} ms",
                      flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="the archive to query (read only)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each query after the first")
    parser.add_argument("--q", default="复议", help="the words for the search query")
    parser.add_argument("--only", nargs="*", help="names of the queries to run (default: all)")
    parser.add_argument("--http", action="store_true",
                        help="also time each query's HTML and JSON page served by Datasette")
    parser.add_argument("--load-cost", type=int, metavar="N",
                        help="instead: the load cost of the queries' indexes, storing N reports")
    args = parser.parse_args()
    if args.load_cost:
        load_cost(args.load_cost)
        return
    if args.db is None or not args.db.exists():
        parser.error(f"--db {args.db}: no such archive")
    conn = connect(args.db)
    reports = conn.execute("select count(*) from reports").fetchone()[0]
    print(f"{args.db}: {reports} reports; load average {os.getloadavg()[0]:.2f}; "
          f"time limit {SETTINGS['sql_time_limit_ms']} ms")
    indexes = {row[0] for row in conn.execute("select name from sqlite_master where type = 'index'")}
    missing = sorted(set(QUERY_INDEXES) - indexes)
    if missing:
        print(f"NOTE: this archive lacks the queries' indexes {', '.join(missing)} (m004, m008; "
              "not migrated since): the figures below are without them")
    for name, query in canned_queries().items():
        if args.only and name not in args.only:
            continue
        params = {"q": args.q} if ":q" in query["sql"] else {}
        first = run_once(conn, query["sql"], params)
        repeats = [run_once(conn, query["sql"], params) for _ in range(args.rounds)] or [first]
        wall = statistics.median(r[0] for r in repeats)
        cpu = statistics.median(r[1] for r in repeats)
        print(f"{name:32} first {first[0]:7.0f} ms   median {wall:7.0f} ms wall "
              f"{cpu:7.0f} ms CPU   {first[2]:5} rows", flush=True)
    conn.close()
    if args.http:
        http_times(args.db, args.rounds, args.q, args.only)


if __name__ == "__main__":
    main()
