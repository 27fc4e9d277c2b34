"""``nianbao export``: a clean copy of the archive for download.

The copy is made with ``VACUUM INTO`` (a consistent snapshot even while a load runs), loses
the machine-specific ``_capture_locations`` table, gains a ``_readme`` table describing every
table and column, uses a rollback journal instead of WAL (one self-contained file), has its
full-text index merged into one segment (FTS5 ``optimize``), and is vacuumed again so it
carries no free pages.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlite_utils import Database

from archive.db import open_db
from archive.describe import describe

PRIVATE_TABLES = ("_capture_locations",)


def export(db_path: str | Path, destination: str | Path) -> Path:
    """Write a clean, VACUUMed copy of the archive at ``db_path`` to ``destination``.

    :param db_path: the archive.
    :param destination: the file to write; replaced if it exists (only once the copy is
        complete, so a failed export never leaves a half-written file behind).
    :returns: the destination path.
    """
    destination = Path(destination)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    source = open_db(db_path)
    try:
        source.execute("vacuum into ?", [str(partial)])
    finally:
        source.close()
    copy = Database(partial)
    try:
        copy.execute("pragma journal_mode = delete")
        for table in PRIVATE_TABLES:
            copy[table].drop(ignore=True)
        copy["_readme"].create(
            {"table_name": str, "column_name": str, "description": str},
            pk=("table_name", "column_name"),
        )
        copy["_readme"].insert_all(describe(copy))
        # Merge the search index's segments into one (loads leave dozens, one per commit
        # group): each search then reads one doclist per token instead of one per segment.
        copy.execute("insert into reports_fts (reports_fts) values ('optimize')")
        copy.execute("vacuum")
    except BaseException:
        copy.close()
        partial.unlink(missing_ok=True)
        raise
    copy.close()
    os.replace(partial, destination)
    return destination
