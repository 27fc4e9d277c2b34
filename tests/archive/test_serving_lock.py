"""A load into an archive Datasette is serving (immutable) is refused, and a server while a load
writes it: real servers started with ``start_server``, real ``nianbao`` commands."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.serve import start_server
from archive.serving_lock import ArchiveInUse, writing
from tests.archive.conftest import PARSER_FIXTURES, table_contents

NEW_DOCUMENT = PARSER_FIXTURES / "header_spans_2019.html"  # not in the fixture crawl


@pytest.fixture
def archive(loaded_archive, tmp_path):
    db = tmp_path / "nianbao.db"
    shutil.copy(loaded_archive, db)
    return db


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ingest(db):
    return CliRunner().invoke(cli, ["ingest", str(NEW_DOCUMENT), "--db", str(db), "--jobs", "1"])


def _reports(db) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select count(*) from reports").fetchone()[0]
    finally:
        conn.close()


def test_loads_into_a_served_archive_are_refused_until_its_servers_stop(archive, crawl_dir, tmp_path):
    before, digest, reports = table_contents(archive), _digest(archive), _reports(archive)
    first = start_server(archive)
    try:
        with start_server(archive) as second:  # several servers share one file
            refused = _ingest(archive)
            assert refused.exit_code == 1
            (line,) = refused.output.strip().splitlines()
            assert line.startswith(f"Error: {archive} is being served by Datasette")
            for server in (first, second):
                port = server.url.rsplit(":", 1)[1]
                assert f"pid {server.process.pid} on port {port}" in line
            assert "stop it" in line and "nianbao export" in line
            for command in (["load", str(crawl_dir)], ["reparse", "--all"]):
                result = CliRunner().invoke(cli, [*command, "--db", str(archive), "--jobs", "1"])
                assert result.exit_code == 1 and "is being served by Datasette" in result.output
            # reading is never blocked: the download copy is made while it is served
            copy = tmp_path / "copy.db"
            exported = CliRunner().invoke(cli, ["export", str(copy), "--db", str(archive)])
            assert exported.exit_code == 0, exported.output
            assert _reports(copy) == reports
        assert "is being served" in _ingest(archive).output  # the first one still serves
    finally:
        first.stop()
    assert _digest(archive) == digest and table_contents(archive) == before
    assert not (tmp_path / "nianbao.captures").exists()  # not even the document's bytes kept

    loaded = _ingest(archive)
    assert loaded.exit_code == 0, loaded.output
    assert _reports(archive) == reports + 1


def test_a_server_killed_with_sigkill_leaves_no_lock(archive):
    server = start_server(archive)
    try:
        assert _ingest(archive).exit_code == 1
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        loaded = _ingest(archive)
        assert loaded.exit_code == 0, loaded.output
    finally:
        server.stop()


def test_a_server_is_refused_while_a_load_writes_the_archive(archive):
    with writing(archive, "ingest"):  # what every load holds while it writes
        with pytest.raises(ArchiveInUse, match=rf"being written by nianbao ingest \(pid {os.getpid()}\)"):
            start_server(archive)
        # the command line says so in one line, and exits non-zero instead of waiting
        served = subprocess.run(
            [sys.executable, "-c", "from archive.cli import main; main()", "serve", "--db",
             str(archive), "--port", "0"],
            capture_output=True, text=True, timeout=60)
        assert served.returncode == 1
        assert served.stderr.strip().splitlines()[-1].startswith(
            f"Error: {archive} is being written by nianbao ingest (pid {os.getpid()})")
    with start_server(archive) as server:  # once the load is over
        assert server.process.poll() is None
