"""Scale-out (issue 6): two crawler processes share one Redis frontier on a real redis-server.

Every published report is archived exactly once, no page is fetched twice, and a worker
killed with SIGKILL mid-crawl loses nothing: its in-flight requests go back to the queue.
The reference is one ordinary process crawling the same replica portals.
"""

import collections
import os
import signal
import sqlite3
import subprocess
import threading
import time
import uuid

import pytest

from tests.ops.conftest import ENV, PLAIN_PORTALS, ROOT, crawl_command, manifest, nianbao, stop

ROBOTS = "/robots.txt"


@pytest.fixture(scope="module")
def fetched(ops_replica):
    """Requests the replica answers, by (port, method, path with query): its own counter keeps
    paths only, and paginated lists share a path."""
    log = collections.Counter()
    lock = threading.Lock()
    for server in ops_replica.servers:
        handler = server.RequestHandlerClass

        class Logged(handler):
            def parse_request(self):
                parsed = super().parse_request()
                if parsed:
                    with lock:
                        log[(self.server.server_address[1], self.command, self.path)] += 1
                return parsed

        server.RequestHandlerClass = Logged
    yield log
    for server in ops_replica.servers:
        server.RequestHandlerClass = server.RequestHandlerClass.__mro__[1]


def hits_during(log, action):
    before = log.copy()
    action()
    hits = log.copy()
    hits.subtract(before)
    return +hits


def archived(db):
    with sqlite3.connect(db) as conn:
        reports = {row[0] for row in conn.execute("select id from reports")}
        captures = collections.Counter(
            (row[0], row[1]) for row in conn.execute("select role, sha256 from captures where role != 'list'"))
    return reports, captures


def load(db, *directories, registry):
    result = subprocess.run(nianbao("load", *directories, "--db", db, "--registry", registry, "--jobs", "1"), cwd=ROOT, env=ENV,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def start_worker(out, registry, redis_url, crawl, heartbeat=2.0, **extra):
    # A worker silent for three heartbeats counts as dead: on a busy 2-core machine 2 s keeps
    # live workers alive; the kill test uses a short one so the survivor notices soon.
    settings = {"NIANBAO_REDIS_URL": redis_url, "NIANBAO_REDIS_CRAWL": crawl, "NIANBAO_REDIS_HEARTBEAT": heartbeat,
                **extra}
    with open(out.with_suffix(".log"), "wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(crawl_command(out, registry, PLAIN_PORTALS.values(), **settings), cwd=ROOT,
                                env=ENV, stdout=subprocess.DEVNULL, stderr=log)


def finish(worker, timeout=180):
    try:
        assert worker.wait(timeout=timeout) == 0
    finally:
        stop(worker)


@pytest.fixture(scope="module")
def single_process(fetched, ops_registry, tmp_path_factory):
    """The reference: one ordinary process (Scrapy's own scheduler) crawls the plain sites."""
    out = tmp_path_factory.mktemp("single") / "out"
    db = out.parent / "single.db"

    def crawl():
        result = subprocess.run(crawl_command(out, ops_registry, PLAIN_PORTALS.values()), cwd=ROOT, env=ENV,
                                capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stderr[-3000:]

    hits = hits_during(fetched, crawl)
    load(db, out, registry=ops_registry)
    return out, db, hits


@pytest.fixture(scope="module")
def two_workers(fetched, ops_replica, ops_registry, redis_url, single_process, tmp_path_factory):
    base = tmp_path_factory.mktemp("two")
    outs = [base / "w1", base / "w2"]
    crawl = f"test-{uuid.uuid4().hex[:8]}"

    def crawl_with_two():
        workers = [start_worker(out, ops_registry, redis_url, crawl, NIANBAO_REDIS_MIN_WORKERS=2, DOWNLOAD_DELAY="0.05")
                   for out in outs]
        for worker in workers:
            finish(worker)

    # Both workers seed nothing until both have joined (a worker starting seconds after the
    # other on a busy machine still takes part), an idle worker asks the shared queue at every
    # heartbeat (2 s), and paced pages (0.2 s each, two at a time per site: Scrapy 2.19 holds a
    # site to two only with a download delay) make the crawl last longer than that even for
    # one worker alone (TRS: 130 requests); so each worker takes requests from the shared queue,
    # however the machine schedules them.
    ops_replica.delay = 0.2
    try:
        hits = hits_during(fetched, crawl_with_two)
    finally:
        ops_replica.delay = 0.0
    db = base / "two.db"
    load(db, *outs, registry=ops_registry)
    return outs, db, hits


def test_two_workers_archive_every_report_exactly_once(ops_replica, single_process, two_workers):
    outs, db, _ = two_workers
    rows = [row for out in outs for row in manifest(out) if row["role"] != "list"]
    got = [(row["role"], row["sha256"]) for row in rows]
    expected = {(e.role, e.sha256) for e in ops_replica.expected(*PLAIN_PORTALS)}
    assert len(got) == len(set(got)), "a report was captured by both workers"
    assert set(got) == expected
    # both workers joined before seeding, and both did part of the work
    for out in outs:
        log = out.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
        assert "2 workers joined crawl" in log
        assert any(r["role"] != "list" for r in manifest(out)), f"{out.name} archived nothing"
    reports, captures = archived(db)
    single_reports, single_captures = archived(single_process[1])
    assert reports == single_reports and len(reports) > 200
    assert captures == single_captures and max(captures.values()) == 1


def test_two_workers_fetch_no_url_twice(single_process, two_workers):
    _, _, single = single_process
    _, _, hits = two_workers
    gets = {key: n for key, n in hits.items() if key[1] == "GET" and not key[2].startswith(ROBOTS)}
    assert {key for key, n in gets.items() if n > 1} == set()
    # Together the workers fetched exactly the URLs one process fetches (the count may differ
    # only for the replica's flaky page: it answers 503 the first time it is ever asked).
    assert set(gets) == {key for key in single if key[1] == "GET" and not key[2].startswith(ROBOTS)}
    # POST pagination (Hanweb's dataproxy.jsp) differs by body under one path: same count
    posts = {key: n for key, n in hits.items() if key[1] == "POST"}
    assert posts == {key: n for key, n in single.items() if key[1] == "POST"}
    assert sum(n for key, n in hits.items() if key[2].startswith(ROBOTS)) <= 2 * len(PLAIN_PORTALS)


def test_urls_are_captured_by_one_worker_only(two_workers):
    outs, _, _ = two_workers
    urls = collections.Counter(row["url"] for out in outs for row in manifest(out))
    assert [url for url, n in urls.items() if n > 1] == []


def test_a_worker_killed_mid_crawl_loses_nothing(ops_replica, ops_registry, redis_url, single_process,
                                                 tmp_path_factory):
    base = tmp_path_factory.mktemp("killed")
    victim_out, survivor_out = base / "victim", base / "survivor"
    crawl = f"test-{uuid.uuid4().hex[:8]}"
    ops_replica.delay = 0.05  # slow pages: the victim has requests in flight when it dies
    try:
        victim = start_worker(victim_out, ops_registry, redis_url, crawl, heartbeat=0.5)
        deadline = time.monotonic() + 60
        while len(manifest(victim_out)) < 30 and time.monotonic() < deadline:
            time.sleep(0.02)
        survivor = start_worker(survivor_out, ops_registry, redis_url, crawl, heartbeat=0.5)
        assert victim.poll() is None, "the victim finished before it could be killed"
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        finish(survivor)
    finally:
        ops_replica.delay = 0.0
    log = survivor_out.with_suffix(".log").read_bytes().decode("utf-8", "replace")
    assert "re-queued its" in log, "the survivor never recovered the victim's in-flight requests"
    captured = {(r["role"], r["sha256"]) for out in (victim_out, survivor_out) for r in manifest(out)
                if r["role"] != "list"}
    assert captured == {(e.role, e.sha256) for e in ops_replica.expected(*PLAIN_PORTALS)}
    db = base / "killed.db"
    load(db, victim_out, survivor_out, registry=ops_registry)
    reports, captures = archived(db)
    single_reports, single_captures = archived(single_process[1])
    assert reports == single_reports
    assert captures == single_captures
