"""The README's main command, ``nianbao demo``: replica → crawl → archive → Datasette (issue 6).

``--no-serve`` exits after building, so the test can check the archive it built against
what the replica publishes; a second run serves it and is stopped like a user's Ctrl-C.
"""

import json
import os
import signal
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from tests.ops.conftest import ENV, ROOT, free_port, nianbao, stop
from tests.replica import Replica
from tests.replica.server import free_base_port
from tests.replica.sites import SITE_CLASSES

# Every site of tests/replica/portals.toml (the demo registry), browser and challenge included.
DEMO_SITES = ("trs", "hanweb", "anhui", "gkmlpt", "generic", "browser", "challenge")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo") / "var" / "demo"
    base = free_base_port(len(SITE_CLASSES))
    result = subprocess.run(nianbao("demo", "--no-serve", "--dir", work, "--replica-port", base), cwd=ROOT,
                            env=ENV, capture_output=True, text=True, timeout=300)
    # The same sites on the same ports publish the same bytes: the reference for the archive.
    reference = Replica(base).start()
    reference.stop()
    return work, result, reference


def test_demo_exits_cleanly_after_building(demo_run):
    work, result, _ = demo_run
    assert result.returncode == 0, result.stderr[-3000:]
    assert (work / "demo.db").exists() and (work / "crawl" / "manifest.jsonl").exists()
    assert "alerts: 0" in result.stdout


def test_demo_archive_holds_every_published_report_once(demo_run):
    work, _, reference = demo_run
    with sqlite3.connect(work / "demo.db") as conn:
        captured = [tuple(row) for row in conn.execute("select role, sha256 from captures where role != 'list'")]
        reports_by_portal = dict(conn.execute("select portal_id, count(*) from reports group by portal_id"))
        runs = conn.execute("select count(*), sum(pages) from crawl_runs").fetchone()
    assert sorted(captured) == sorted({(e.role, e.sha256) for e in reference.expected(*DEMO_SITES)})
    assert len(reports_by_portal) == len(DEMO_SITES) and all(n > 0 for n in reports_by_portal.values())
    assert runs[0] == len(DEMO_SITES) and runs[1] > len(captured)  # each portal's run stats in crawl_runs


def test_demo_summary_lists_every_site_with_its_archived_reports(demo_run):
    work, result, _ = demo_run
    with sqlite3.connect(work / "demo.db") as conn:
        archived = dict(conn.execute(
            "select p.name_zh, count(r.id) from portals p left join reports r on r.portal_id = p.id group by p.id"))
    lines = result.stdout.splitlines()
    for name, count in archived.items():
        row = next(line for line in lines if line.startswith(name.split("（")[0]))
        assert int(row.split()[4]) == count, row  # columns: site platform pages found archived …
    total = next(line for line in lines if line.startswith("total"))
    assert int(total.split()[3]) == sum(archived.values())
    assert any(line.startswith("time taken: crawl ") for line in lines)


def test_demo_serves_the_archive_until_interrupted(tmp_path):
    port = free_port()
    demo = subprocess.Popen(nianbao("demo", "--dir", tmp_path / "demo", "--port", port), cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        url = None
        while url is None and time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            if line.startswith("Datasette: "):
                url = line.split()[1]
        assert url == f"http://127.0.0.1:{port}/demo"
        query = urllib.parse.urlencode({"sql": "select count(*) as n from reports", "_shape": "array"})
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}.json?{query}", timeout=5) as response:
                    served = json.load(response)[0]["n"]
                break
            except OSError:
                time.sleep(0.2)
        with sqlite3.connect(tmp_path / "demo" / "demo.db") as conn:
            assert served == conn.execute("select count(*) from reports").fetchone()[0] > 200
        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        assert demo.wait(timeout=30) is not None
        with pytest.raises(OSError):
            urllib.request.urlopen(f"{url}.json", timeout=2)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGTERM)
        stop(demo)
