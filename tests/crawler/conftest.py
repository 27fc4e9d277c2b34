"""Fixtures for crawler tests: the replica portal on free 127.0.0.1 ports, and crawls of it.

Crawls run in a subprocess (``python -m scrapy crawl reports``): Twisted's reactor cannot be
restarted inside one pytest process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse

from crawler.platforms import ADAPTERS
from crawler.platforms.base import Follow, Listing
from tests.replica import Replica

ROOT = Path(__file__).resolve().parents[2]
# Throttling off and short backoffs: politeness is tested by its settings, speed matters here.
FAST = {
    "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "NIANBAO_RETRY_BACKOFF": "0.05",
    "NIANBAO_PROGRESS_INTERVAL": "0", "NIANBAO_CHALLENGE_WAIT": "0.2", "LOG_LEVEL": "INFO",
}
PLAIN_SITES = ("trs", "hanweb", "anhui", "gkmlpt", "generic")
ALL_SITES = (*PLAIN_SITES, "browser", "challenge")


def crawl_command(out: Path, registry: Path, *spider_args: str, **settings: str) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "reports"]
    for arg in spider_args:
        command += ["-a", arg]
    for name, value in {**FAST, "NIANBAO_OUTPUT_DIR": str(out), "NIANBAO_REGISTRY": str(registry),
                        **settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_crawl(out: Path, registry: Path, *spider_args: str, **settings: str) -> subprocess.CompletedProcess:
    result = subprocess.run(crawl_command(out, registry, *spider_args, **settings), cwd=ROOT,
                            capture_output=True, text=True, timeout=240, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def saved_response(path: Path, meta: dict | None = None) -> TextResponse:
    """A response rebuilt from a ``scrapy savefixture`` file and its .url/.headers sidecars:
    the real URL (relative links resolve) and the real Content-Type (decoding is exercised)."""
    status_line, *lines = path.with_name(path.name + ".headers").read_text(encoding="utf-8").splitlines()
    headers = dict(line.split(": ", 1) for line in lines if ": " in line)
    url = path.with_name(path.name + ".url").read_text(encoding="utf-8").strip()
    cls = HtmlResponse if "html" in headers.get("Content-Type", "") else TextResponse
    return cls(url=url, status=int(status_line.split()[1]), headers=headers, body=path.read_bytes(),
               request=Request(url, meta=meta or {}))


def found(platform: str, response, portal) -> tuple[list[Listing], list[Follow]]:
    """What a platform adapter's ``parse_list`` yields for a page: its listings, its follows."""
    out = list(ADAPTERS[platform].parse_list(response, portal))
    return [x for x in out if isinstance(x, Listing)], [x for x in out if isinstance(x, Follow)]


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def runs(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "runs.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def replica():
    server = Replica().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def replica_registry(replica, tmp_path_factory):
    return replica.write_registry(tmp_path_factory.mktemp("registry") / "portals.toml")


@pytest.fixture(scope="session")
def first_crawl(replica, replica_registry, tmp_path_factory):
    """One complete crawl of every replica portal (browser ones included)."""
    out = tmp_path_factory.mktemp("crawl")
    before = replica.hits.copy()
    result = run_crawl(out, replica_registry, "portal=all")
    hits = replica.hits.copy()
    hits.subtract(before)
    return out, +hits, result
