"""Interrupted crawls resume without loss or duplicates; a dead portal never stops the crawl."""

import os
import signal
import subprocess
import time

import pytest

from tests.crawler.conftest import ROOT, crawl_command, manifest, run_crawl, runs
from tests.replica import Replica
from tests.replica.server import free_base_port


@pytest.fixture
def slow_replica():
    """A fresh replica whose every response takes 30 ms, so a crawl can be killed midway."""
    server = Replica(delay=0.03).start()
    yield server
    server.stop()


def test_kill_9_mid_crawl_then_resume_loses_and_doubles_nothing(slow_replica, tmp_path):
    registry = slow_replica.write_registry(tmp_path / "portals.toml")
    out = tmp_path / "out"
    portals = "portal=replica_hubei_qingshan_gov,replica_zhejiang_xikou_gov"
    crawl = subprocess.Popen(crawl_command(out, registry, portals), cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            path = out / "manifest.jsonl"
            if path.exists() and path.read_bytes().count(b'"role": "report"') >= 40:
                break
            time.sleep(0.05)
        os.kill(crawl.pid, signal.SIGKILL)
    finally:
        crawl.wait(timeout=30)
    interrupted = manifest(out)
    assert 40 <= sum(r["role"] == "report" for r in interrupted) < 150, "kill should land mid-crawl"
    assert not (out / "runs.jsonl").exists(), "a killed run never reports itself finished"

    run_crawl(out, registry, portals)
    rows = manifest(out)
    got = [(r["role"], r["sha256"]) for r in rows if r["role"] != "list"]
    expected = {(e.role, e.sha256) for e in slow_replica.expected("trs", "hanweb")}
    assert len(got) == len(set(got)), "resume archived something twice"
    assert set(got) == expected
    assert rows[:len(interrupted)] == interrupted, "resume rewrote what was already archived"
    assert {r["portal_id"] for r in runs(out) if r["finished_at"]} == {
        "replica_hubei_qingshan_gov", "replica_zhejiang_xikou_gov"}


def test_dead_portal_trips_its_breaker_and_the_crawl_goes_on(replica, tmp_path):
    registry = replica.write_registry(tmp_path / "portals.toml")
    text = (ROOT / "tests/replica/portals_unreachable.toml").read_text(encoding="utf-8")
    registry.write_text(text.replace("127.0.0.1:8773", f"127.0.0.1:{replica.base_port + 8}")
                        .replace("127.0.0.1:8769", f"127.0.0.1:{replica.base_port + 4}"), encoding="utf-8")
    before = replica.hits[("dead", "GET", "/zfxxgknb/col6/")]
    out = tmp_path / "out"
    run_crawl(out, registry, "portal=all", NIANBAO_CIRCUIT_BREAKER_FAILURES="3", RETRY_TIMES="1")
    stats = {r["portal_id"]: r for r in runs(out)}
    dead = stats["replica_gansu_tingji_gov"]
    assert dead["circuit_open"] and not dead["lists_complete"]
    assert dead["errors"] >= 3 and dead["reports"] == 0
    assert dead["requests"] < 6 * 2, "the breaker must stop requests to the dead portal"
    healthy = stats["replica_sichuan_xishan_gov"]
    assert healthy["reports"] == 24 and healthy["errors"] == 0 and healthy["finish_reason"] == "finished"
    assert replica.hits[("dead", "GET", "/zfxxgknb/col6/")] - before <= 2


def test_free_base_port_finds_a_run_of_ports():
    base = free_base_port(9)
    assert 1024 < base < 65535 - 9


def test_oversized_download_is_an_error_not_a_crash(replica, replica_registry, tmp_path):
    # the Hanweb site's one attachment is an 88 kB PDF; everything else is smaller
    run_crawl(tmp_path, replica_registry, "portal=replica_zhejiang_xikou_gov", DOWNLOAD_MAXSIZE="60000",
              DOWNLOAD_WARNSIZE="0")
    (stats,) = runs(tmp_path)
    assert stats["errors"] == 1 and stats["attachments"] == 0 and stats["reports"] == 71  # 48 + 5 endpoint + 18 pageNum
    assert "downfile.jsp" in stats["error_samples"][0]


def test_since_year_and_sample_narrow_a_crawl(replica_registry, tmp_path):
    run_crawl(tmp_path / "since", replica_registry, "portal=replica_anhui_donghe_gov", "since_year=2023")
    titles = [r["listing_title"] for r in manifest(tmp_path / "since") if r["role"] == "report"]
    # 8 township reports for 2023 in the column, plus the year routes 341/2023, 341/2024, 342/2023
    assert len(titles) == 11 and all("2023年" in t or "2024年" in t for t in titles)
    run_crawl(tmp_path / "sample", replica_registry, "portal=replica_hubei_qingshan_gov", "sample=3")
    assert sum(r["role"] == "report" for r in manifest(tmp_path / "sample")) == 3
