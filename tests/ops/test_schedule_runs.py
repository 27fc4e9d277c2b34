"""``nianbao schedule`` (issue 6): due provinces run as Scrapyd jobs on a real scrapyd, or locally.

The replica's registry has one portal in 浙江省 (Hanweb) and one in 安徽省 (Anhui's platform);
tests/fixtures/ops/schedule_replica.toml schedules both.
"""

import json
import sqlite3
import subprocess
import urllib.request

import pytest

from tests.ops.conftest import ENV, ROOT, manifest, nianbao

SITES_BY_PROVINCE = {"浙江省": ("hanweb",), "安徽省": ("anhui",)}


SCHEDULE = ROOT / "tests" / "fixtures" / "ops" / "schedule_replica.toml"


def schedule(*args, registry, timeout=240):
    command = nianbao("schedule", "--registry", registry, "--schedule", SCHEDULE,
                      "--no-throttle", "-s", "NIANBAO_PROGRESS_INTERVAL=0", "-s", "NIANBAO_RETRY_BACKOFF=0.05", *args)
    return subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout)


def captured(directory):
    return {(row["role"], row["sha256"]) for row in manifest(directory) if row["role"] != "list"}


def scrapyd_jobs(url):
    with urllib.request.urlopen(f"{url}/listjobs.json?project=nianbao", timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def scrapyd_round(scrapyd_url, ops_registry, tmp_path_factory):
    out = tmp_path_factory.mktemp("scheduled") / "crawls"
    db = out.parent / "archive.db"
    result = schedule("--out", out, "--db", db, "--today", "2026-02-01", "--scrapyd", scrapyd_url, "--wait",
                      "--timeout", "200", registry=ops_registry)
    return out, db, result


def test_one_scrapyd_job_per_due_province_crawls_and_writes_captures(ops_replica, scrapyd_url, scrapyd_round):
    out, db, result = scrapyd_round
    assert result.returncode == 0, result.stderr[-3000:]
    state = json.loads((out / "schedule-state.json").read_text(encoding="utf-8"))["provinces"]
    assert set(state) == set(SITES_BY_PROVINCE)
    jobs = {state[p]["job"] for p in state}
    assert len(jobs) == 2 and all(state[p]["last_scheduled"] == "2026-02-01" for p in state)
    assert jobs <= {job["id"] for job in scrapyd_jobs(scrapyd_url)["finished"]}
    for province, sites in SITES_BY_PROVINCE.items():
        expected = {(e.role, e.sha256) for e in ops_replica.expected(*sites)}
        assert captured(out / province) == expected, province
    with sqlite3.connect(db) as conn:
        provinces = dict(conn.execute("select province, count(*) from reports group by province"))
    assert set(provinces) == set(SITES_BY_PROVINCE) and min(provinces.values()) > 5


def test_a_second_run_the_same_day_schedules_nothing(scrapyd_url, scrapyd_round, ops_registry):
    out, _, _ = scrapyd_round
    before = len(scrapyd_jobs(scrapyd_url)["finished"])
    again = schedule("--out", out, "--today", "2026-02-01", "--scrapyd", scrapyd_url,
                     registry=ops_registry)
    assert again.returncode == 0 and "0 of 2 provinces due" in again.stderr
    assert len(scrapyd_jobs(scrapyd_url)["finished"]) == before and not scrapyd_jobs(scrapyd_url)["pending"]
    # three days later only 浙江省 (every 3 days in season) is due; 安徽省 waits for its week
    later = schedule("--out", out, "--today", "2026-02-04", "--dry-run", registry=ops_registry)
    assert "1 of 2 provinces due: 浙江省" in later.stderr


def test_local_schedule_runs_due_crawls_without_a_daemon(ops_replica, ops_registry, tmp_path):
    out, db = tmp_path / "crawls", tmp_path / "archive.db"
    out.mkdir()
    # 安徽省 was crawled ten days ago: not due off-season (monthly); 浙江省 never was.
    (out / "schedule-state.json").write_text(json.dumps(
        {"provinces": {"安徽省": {"last_scheduled": "2026-06-21", "via": "local"}}}), encoding="utf-8")
    result = schedule("--local", "--out", out, "--db", db, "--today", "2026-07-01",
                      registry=ops_registry)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "1 of 2 provinces due: 浙江省" in result.stderr
    assert captured(out / "浙江省") == {(e.role, e.sha256) for e in ops_replica.expected("hanweb")}
    assert not (out / "安徽省").exists()
    state = json.loads((out / "schedule-state.json").read_text(encoding="utf-8"))["provinces"]
    assert state["浙江省"] == {"last_scheduled": "2026-07-01", "via": "local", "exit_code": 0}
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(distinct portal_id) from crawl_runs").fetchone()[0] == 1
