"""A full-text search evaluated once per page: the matching rows, kept as the smaller side.

Datasette answers a search page with six statements over the same filter (the rows, the count,
four facets). Written as ``fts_rowid in (select rowid from reports_fts where … match …)``,
each one evaluates the match again and probes every report against ~100,000 matches when the
word is common (复议 is in nearly every report): most of a search page's time (docs/search.md).
Here the match is evaluated once and the result handed to the six statements as a JSON array
of rowids: the rows that match, or, when most rows match, the few that do not (the filter then
reads ``not in``), so each statement probes a short list.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Hits:
    """The result of one search over ``table``.

    :param negated: True when ``rowids`` lists the rows that do *not* match.
    :param rowids: a JSON array of the table's full-text rowids (``fts_pk``), ascending.
    """

    negated: bool
    rowids: str


@dataclass(frozen=True)
class Searchable:
    """Where a table's search lives: ``table.fts_pk`` holds the rowid of its ``fts_table`` entry."""

    table: str
    fts_table: str
    fts_pk: str


class _Universe:
    """Every full-text rowid of a table, cached per file while the file does not change."""

    def __init__(self):
        self._lock = threading.Lock()
        self._cache: dict[tuple, frozenset[int]] = {}

    @staticmethod
    def _version(path: str) -> tuple:
        return tuple((s.st_mtime_ns, s.st_size) for p in (path, f"{path}-wal")
                     if (s := _stat(p)) is not None)

    @staticmethod
    def _read(conn: sqlite3.Connection, where: Searchable) -> frozenset[int]:
        return frozenset(json.loads(conn.execute(
            f"select json_group_array([{where.fts_pk}]) from [{where.table}]").fetchone()[0]))

    def rowids(self, conn: sqlite3.Connection, where: Searchable, path: str | None) -> frozenset[int]:
        if not path:  # an in-memory database: nothing to tell its versions apart by
            return self._read(conn, where)
        key = (path, where.table, where.fts_pk, self._version(path))
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        found = self._read(conn, where)
        with self._lock:
            self._cache = {k: v for k, v in self._cache.items() if k[:3] != key[:3]}
            self._cache[key] = found
        return found


def _stat(path: str):
    try:
        return os.stat(path)
    except OSError:
        return None


UNIVERSE = _Universe()


def evaluate(conn: sqlite3.Connection, where: Searchable, expression: str,
             path: str | None = None, negated: bool | None = None) -> Hits:
    """Run the FTS5 ``expression`` once and keep the smaller side of the result.

    :param conn: a connection to the database holding ``where.table`` and ``where.fts_table``.
    :param where: the searchable table.
    :param expression: an FTS5 MATCH expression (``archive.fts.match_expression`` output).
    :param path: the database file, so the table's rowids are read once per version of the
        file; ``None`` reads them every time (an in-memory database).
    :param negated: which side to keep; ``None`` keeps the smaller one.
    :raises sqlite3.OperationalError: for an expression FTS5 rejects.
    """
    matched = json.loads(conn.execute(
        f"select json_group_array(rowid) from [{where.fts_table}] where [{where.fts_table}] match ?",
        [expression]).fetchone()[0])
    everything = UNIVERSE.rowids(conn, where, path)
    if negated is None:
        negated = 2 * len(matched) > len(everything)
    if not negated:
        return Hits(False, json.dumps(matched))  # FTS5 returns rowids ascending
    return Hits(True, json.dumps(sorted(everything.difference(matched))))
