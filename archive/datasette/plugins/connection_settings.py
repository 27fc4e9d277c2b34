"""Datasette plugin: a page cache and memory map sized for the search index, per connection.

Every search page runs the full-text match six times (rows, count, four facets), and a
common word's position lists at 100,000 reports span megabytes. SQLite's default page cache
(2 MiB per connection) keeps none of it between those queries, so each one re-reads the
doclists through the OS. Datasette opens the file read-only (immutable), so these settings
change nothing in it; they last as long as the connection. docs/search.md has the figures.
"""

from datasette import hookimpl

CACHE_KIB = 131072  # 128 MiB per connection (Datasette keeps 3 read connections by default)
MMAP_BYTES = 1 << 30  # map up to 1 GiB of the file: pages are read without a copy


@hookimpl
def prepare_connection(conn):
    conn.execute(f"pragma cache_size = -{CACHE_KIB}")
    conn.execute(f"pragma mmap_size = {MMAP_BYTES}")
