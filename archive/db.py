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
    """
    db = Database(path)
    db.enable_wal()
    db.execute("pragma synchronous = normal")
    db.execute("pragma foreign_keys = on")
    migrate(db)
    return db
