"""Datasette plugin: links from report rows to the original document and to its capture.

Datasette links foreign keys on table pages only, and labels them with the capture's URL
(empty for files ingested by hand). This renders, on table, row and query pages alike:

* ``capture_sha256`` as a link to the ``captures`` row (the exact document the numbers came from);
* report ids in canned-query results (``report_id``, ``previous_report``, and ``id`` when it is
  a report id) as links to the ``reports`` row;
* ``url``-like columns as links to the original, opened without a referrer.
"""

import re
from urllib.parse import quote

from datasette import hookimpl
from markupsafe import Markup, escape

_REPORT_ID = re.compile(r"[0-9a-f]{16}")
_URL_COLUMNS = {"url", "final_url", "parent_url", "previous_url"}


def _link(href: str, text: str, external: bool = False) -> Markup:
    rel = ' rel="nofollow noopener noreferrer"' if external else ""
    return Markup(f'<a href="{escape(href)}"{rel}>{escape(text)}</a>')


@hookimpl
def render_cell(value, column, table, database, datasette):
    if not isinstance(value, str) or not value:
        return None
    if column == "capture_sha256":
        return _link(f"{datasette.urls.table(database, 'captures')}/{quote(value)}", value)
    is_report_column = column in ("report_id", "previous_report") or (
        column == "id" and table in (None, "reports"))
    if is_report_column and _REPORT_ID.fullmatch(value) and table != "reports":
        return _link(f"{datasette.urls.table(database, 'reports')}/{quote(value)}", value)
    if column in _URL_COLUMNS and value.startswith(("http://", "https://")):
        return _link(value, value, external=True)
    return None
