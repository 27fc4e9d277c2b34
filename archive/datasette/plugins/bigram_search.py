"""Datasette plugin: Chinese search from the ordinary search box, the match run once per page.

* ``escape_fts`` is re-registered so the words typed become phrases over the archive's bigram
  index (``行政复议`` -> ``"行政 政复 复议"``, see ``archive.fts``); ``trylast`` makes it replace
  Datasette's own. Canned queries and hand-written SQL use it.
* Tables configured with ``plugins: {bigram_search: {fts_table: …, fts_pk: …}}`` in the
  metadata get their ``?_search=`` (and ``?_search_<column>=``) from this plugin's
  ``filters_from_request`` hook instead of Datasette's: the match is evaluated once
  (``archive.search_hits``) and the page's six statements read its result through
  ``search_rowids(…)``. Such tables have no ``fts_table`` in their metadata, so Datasette's
  own search filter stays out of the way; the hook shows the search box itself.
  ``?_searchmode=raw`` passes FTS5 syntax through unchanged.

A result is kept for the page that asked for it (the last ``PAGES_KEPT`` pages); the SQL
carries the search too, so a statement run later (the page's "View and edit SQL" link)
evaluates it again instead of failing.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections import OrderedDict

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import sqlite_timelimit
from datasette.views.base import DatasetteError

from archive.fts import match_expression
from archive.search_hits import Hits, Searchable, evaluate

PAGES_KEPT = 64
_pages: OrderedDict[str, Hits] = OrderedDict()
_pages_lock = threading.Lock()


def _remember(hits: Hits) -> str:
    key = uuid.uuid4().hex
    with _pages_lock:
        _pages[key] = hits
        while len(_pages) > PAGES_KEPT:
            _pages.popitem(last=False)
    return key


def _recalled(key: str) -> Hits | None:
    with _pages_lock:
        return _pages.get(key)


@hookimpl(trylast=True)
def prepare_connection(conn, database, datasette):
    conn.create_function("escape_fts", 1, match_expression, deterministic=True)
    served = datasette.databases.get(database)  # None for Datasette's own _memory connections
    path = served.path if served else None

    def search_rowids(page, table, fts_table, fts_pk, expression, negated):
        hits = _recalled(page)
        if hits is None or hits.negated != bool(negated):
            hits = evaluate(conn, Searchable(table, fts_table, fts_pk), expression, path,
                            negated=bool(negated))
        return hits.rowids

    conn.create_function("search_rowids", 6, search_rowids)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _terms(request, columns: list[str]) -> list[tuple[str | None, str]]:
    """(column or None for all columns, words) for each non-blank ``_search…`` argument."""
    terms = []
    for key in request.args:
        if key == "_search":
            column = None
        elif key.startswith("_search_") and key != "_searchmode":
            column = key[len("_search_"):]
            if column not in columns:
                raise DatasetteError(f"Cannot search by column {column!r}: the search covers "
                                     f"{', '.join(columns)}", status=400)
        else:
            continue
        words = request.args[key]
        if words.strip():
            terms.append((column, words))
    return terms


def _expression(terms: list[tuple[str | None, str]], raw: bool) -> str:
    parts = []
    for column, words in terms:
        expression = words if raw else match_expression(words)
        parts.append(expression if column is None else f"{column} : ({expression})")
    return parts[0] if len(parts) == 1 else " AND ".join(f"({part})" for part in parts)


@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    config = datasette.plugin_config("bigram_search", database=database, table=table)
    if not config:
        return None
    where = Searchable(table, config["fts_table"], config["fts_pk"])

    async def inner():
        context = {"supports_search": True, "search": request.args.get("_search", "")}
        db = datasette.get_database(database)
        columns = await db.table_columns(where.fts_table)
        terms = _terms(request, columns)
        if not terms:
            return FilterArguments([], extra_context=context)
        raw = request.args.get("_searchmode", config.get("searchmode")) == "raw"
        expression = _expression(terms, raw)

        def run(conn):
            with sqlite_timelimit(conn, datasette.setting("sql_time_limit_ms")):
                return evaluate(conn, where, expression, db.path)

        try:
            hits = await db.execute_fn(run)
        except sqlite3.OperationalError as error:
            reason = (f"it took longer than {datasette.setting('sql_time_limit_ms')} ms"
                      if str(error) == "interrupted" else str(error))
            raise DatasetteError(f"Search {expression!r} failed: {reason}",
                                 title="Invalid search", status=400) from error
        rowids = "search_rowids(:_search_page, {}, {}, {}, :_search_match, {})".format(
            _literal(where.table), _literal(where.fts_table), _literal(where.fts_pk),
            int(hits.negated))
        return FilterArguments(
            # unary + keeps SQLite from driving the page's statements from the hits through an
            # index on the pk (reports has one: idx_reports_fts_rowid): a row lookup per hit,
            # then a sort, where scanning a covering index in page order stops after one page
            [f"+[{where.fts_pk}] {'not in' if hits.negated else 'in'} "
             f"(select value from json_each({rowids}))"],
            params={"_search_page": _remember(hits), "_search_match": expression},
            human_descriptions=[
                f'search matches "{words}"' if column is None
                else f'search column "{column}" matches "{words}"' for column, words in terms],
            extra_context=context,
        )

    return inner
