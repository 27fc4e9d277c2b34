"""Publishing the archive with Datasette: read-only, with metadata, plugins and limits.

The database is served *immutable* (opened read-only, so no statement can change it, and
Datasette offers the file for download), with an SQL time limit and a row cap. Immutable
means Datasette assumes the file never changes, so each server process holds the archive's
serving lock (``archive.serving_lock``) for its lifetime: a load into it is refused while it
is served, and a server is refused while a load writes it (serve an exported copy). The metadata
in ``archive/datasette/metadata.yml`` is written for a database called ``archive``; it is
re-keyed to the served file's name. Plugins: ``archive/datasette/plugins`` (Chinese search)
and the installed datasette-dashboards (charts at ``/-/dashboards``).
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from archive.db import open_db
from archive.serving_lock import ServingLock

DATASETTE_DIR = Path(__file__).parent / "datasette"
METADATA = DATASETTE_DIR / "metadata.yml"
PLUGINS_DIR = DATASETTE_DIR / "plugins"
SETTINGS = {
    "sql_time_limit_ms": 5000,  # canned queries over 100,000 reports take up to ~2 s
    "max_returned_rows": 1000,
    "facet_time_limit_ms": 1000,
    "suggest_facets": "off",  # suggestions run a query per column on every table page
    "truncate_cells_html": 300,  # report_texts.body_text would otherwise fill the page
    "allow_download": "on",
    "default_page_size": 50,
}


def metadata_for(db_path: str | Path) -> dict:
    """The Datasette metadata for the archive at ``db_path`` (database name = file stem)."""
    name = Path(db_path).stem
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    metadata["databases"] = {name: metadata["databases"]["archive"]}
    for dashboard in metadata["plugins"]["datasette-dashboards"].values():
        for chart in dashboard["charts"].values():
            if chart.get("db") == "archive":
                chart["db"] = name
    return metadata


def datasette_command(db_path: str | Path, *, port: int = 8001, host: str = "127.0.0.1",
                      metadata_path: str | Path) -> list[str]:
    """The ``datasette serve`` command line that publishes ``db_path``.

    :param db_path: the archive (served immutable, i.e. read-only).
    :param port: TCP port.
    :param host: interface to listen on; 127.0.0.1 unless publishing deliberately.
    :param metadata_path: where ``metadata_for(db_path)`` was written as JSON.
    """
    command = [
        sys.executable, "-m", "datasette", "serve",
        "--immutable", str(Path(db_path).resolve()),
        "--metadata", str(metadata_path),
        "--plugins-dir", str(PLUGINS_DIR),
        "--host", host, "--port", str(port),
    ]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    return command


def _prepare(db_path) -> None:
    """Bring an archive made by an older nianbao up to date, then fold its WAL into the file.

    The published queries rely on the migrations' indexes (at 100,000 reports the refusal query
    scans every cell without m004's), and immutable mode reads the main file only. A file that
    cannot be written (a read-only copy) is served as it is, with a warning.
    """
    conn = sqlite3.connect(db_path)
    try:
        is_archive = conn.execute(
            "select 1 from sqlite_master where name = '_sqlite_migrations'").fetchone()
    finally:
        conn.close()
    try:
        if is_archive:
            open_db(db_path).close()  # applies pending migrations
        conn = sqlite3.connect(db_path)
        try:
            conn.execute("pragma wal_checkpoint(truncate)")
        finally:
            conn.close()
    except sqlite3.OperationalError as error:
        print(f"warning: {db_path} is served as it is ({error}); an archive made by an older "
              "nianbao may lack indexes its queries need", file=sys.stderr)


def _write_metadata(db_path, directory: Path, lock: ServingLock) -> Path:
    """Write the metadata file; the first server of an archive brings the file up to date."""
    if lock.alone or not lock.held:
        _prepare(db_path)
    lock.share()
    path = directory / f"{Path(db_path).stem}-metadata.json"
    path.write_text(json.dumps(metadata_for(db_path), ensure_ascii=False), encoding="utf-8")
    return path


def serve(db_path: str | Path, port: int = 8001, host: str = "127.0.0.1") -> int:
    """Serve the archive in the foreground until interrupted; returns Datasette's exit code.

    :param db_path: the archive file; it must exist.
    :param port: TCP port.
    :param host: interface to listen on.
    :raises ArchiveInUse: a load is writing the archive.
    """
    if not Path(db_path).exists():
        raise FileNotFoundError(db_path)
    with tempfile.TemporaryDirectory(prefix="nianbao-serve-") as tmp:
        process = _launch(db_path, port, host, Path(tmp))
        try:
            return process.wait()
        except KeyboardInterrupt:  # Datasette got the same Ctrl-C
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            return 0


def _launch(db_path, port: int, host: str, directory: Path, **popen) -> subprocess.Popen:
    """Start Datasette holding the archive's serving lock (it keeps it until it ends)."""
    lock = ServingLock(db_path)
    try:
        command = datasette_command(db_path, port=port, host=host,
                                    metadata_path=_write_metadata(db_path, directory, lock))
        process = subprocess.Popen(command, pass_fds=(lock.fd,) if lock.held else (), **popen)
        lock.record(process.pid, host, port)
    finally:
        lock.release()
    return process


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A Datasette process started by ``start_server``; ``url`` is its root, ``stop()`` ends it."""

    process: subprocess.Popen
    url: str
    database_url: str
    _tmp: tempfile.TemporaryDirectory
    _log: object

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
        self._tmp.cleanup()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_server(db_path: str | Path, port: int | None = None, host: str = "127.0.0.1",
                 timeout: float = 60) -> Server:
    """Start Datasette in the background and return once it answers.

    :param db_path: the archive file.
    :param port: TCP port; a free one when omitted.
    :param host: interface to listen on.
    :param timeout: seconds to wait for the server to answer before giving up.
    :raises ArchiveInUse: a load is writing the archive.
    """
    port = port or free_port(host)
    tmp = tempfile.TemporaryDirectory(prefix="nianbao-serve-")
    # Datasette logs every request: to a file, since an unread pipe would fill and block it.
    log = open(Path(tmp.name) / "datasette.log", "w+b")
    try:
        process = _launch(db_path, port, host, Path(tmp.name), stdout=log,
                          stderr=subprocess.STDOUT)
    except BaseException:
        log.close()
        tmp.cleanup()
        raise
    url = f"http://{host}:{port}"
    server = Server(process, url, f"{url}/{Path(db_path).stem}", tmp, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            error = log.read().decode("utf-8", "replace")
            log.close()
            tmp.cleanup()
            raise RuntimeError(f"datasette exited with {process.returncode}: {error[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/-/versions.json", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise TimeoutError(f"datasette did not answer on {url} within {timeout} s")
