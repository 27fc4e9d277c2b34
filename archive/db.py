"""Opening the archive: one SQLite file, WAL journal, foreign keys on, schema migrated."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from archive.migrations import migrate


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the archive at ``path`` and bring its schema up to date.

    :param path: the SQLite file; its directory must exist.

    WAL journal with ``synchronous=NORMAL``: a crash (even ``kill -9``) loses at most the
    transaction in flight, and every transaction holds whole reports only.

    For bulk loads (this connection's settings only, nothing is stored in the file): a page
    cache of up to 256 MiB, since the cells and search indexes outgrow SQLite's 2 MiB default
    within a few thousand reports and each miss re-reads a page; and a WAL checkpoint every
    256 MiB instead of every 4 MiB: a checkpoint is the only step that waits for the disk
    (fsync), and a page changed several times between two checkpoints is copied once (at
    64 MiB, checkpoints took a quarter of a 20,000-report load's commit time: 0.25 s each).
    """
    db = Database(path)
    db.enable_wal()
    db.execute("pragma synchronous = normal")
    db.execute("pragma cache_size = -262144")
    db.execute("pragma wal_autocheckpoint = 65536")
    db.execute("pragma foreign_keys = on")
    migrate(db)
    return db
