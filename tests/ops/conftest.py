"""Fixtures for operations tests: the replica, a real redis-server and a real scrapyd on 127.0.0.1.

Crawls and ``nianbao`` commands run in subprocesses (Twisted's reactor cannot restart inside
one pytest process); the replica runs in this process so tests can read what was requested.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.replica import Replica

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
# The five plain-HTTP replica sites: the scale-out tests leave Chromium out (two workers
# would start two browsers on a 2-core machine); the demo test crawls every site.
PLAIN_PORTALS = {
    "trs": "replica_hubei_qingshan_gov", "hanweb": "replica_zhejiang_xikou_gov",
    "anhui": "replica_anhui_donghe_gov", "gkmlpt": "replica_guangdong_nanling_gov",
    "generic": "replica_sichuan_xishan_gov",
}
FAST = {
    "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "NIANBAO_RETRY_BACKOFF": "0.05",
    "NIANBAO_PROGRESS_INTERVAL": "0", "LOG_LEVEL": "INFO",
}


def nianbao(*args) -> list[str]:
    """The command line of ``nianbao ARGS`` run from this checkout."""
    return [sys.executable, "-c", "from archive.cli import main; main()", *map(str, args)]


def crawl_command(out: Path, registry: Path, portals, **settings) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"portal={','.join(portals)}"]
    for name, value in {**FAST, "NIANBAO_OUTPUT_DIR": out, "NIANBAO_REGISTRY": registry, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def manifest(out: Path) -> list[dict]:
    path = out / "manifest.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def ops_replica():
    server = Replica().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ops_registry(ops_replica, tmp_path_factory):
    return ops_replica.write_registry(tmp_path_factory.mktemp("ops-registry") / "portals.toml")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on a free 127.0.0.1 port, persistence off, in a temporary directory."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (scripts/install.sh installs it)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        stop(process)
        pytest.fail("redis-server did not answer")
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    stop(process)


@pytest.fixture(scope="session")
def scrapyd_url(tmp_path_factory):
    """A real scrapyd on a free 127.0.0.1 port, its eggs, logs and queue in a temporary directory."""
    port = free_port()
    workdir = tmp_path_factory.mktemp("scrapyd")
    (workdir / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n"
        "jobs_to_keep = 5\npoll_interval = 0.5\nmax_proc = 2\n",
        encoding="utf-8",
    )
    log = open(workdir / "scrapyd.out", "wb")
    process = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/daemonstatus.json", timeout=2) as response:
                if json.load(response)["status"] == "ok":
                    break
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    else:
        stop(process)
        pytest.fail("scrapyd did not answer")
    if process.poll() is not None:
        log.close()
        pytest.fail(f"scrapyd exited: {(workdir / 'scrapyd.out').read_text()[-2000:]}")
    yield url
    stop(process)
    log.close()
