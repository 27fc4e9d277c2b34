"""Datasette plugin: Chinese search from the ordinary search box.

Datasette runs ``?_search=`` as ``match escape_fts(:search)``. This re-registers
``escape_fts`` so the words typed become phrases over the archive's bigram index
(``行政复议`` -> ``"行政 政复 复议"``, see ``archive.fts``). ``trylast`` makes it run after
Datasette's own registration, which it replaces. ``?_searchmode=raw`` bypasses it.
"""

from datasette import hookimpl

from archive.fts import match_expression


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, match_expression, deterministic=True)
