"""Datasette plugin: a table's default column facets computed side by side, not one after another.

Datasette 0.65 runs a page's facet queries one after another. Each default facet of ``reports``
(province, year, level, template) is a pass over every matching report: ~25 ms at 100,000
reports for a search word found in two thirds of them, a hundred milliseconds for the four.
SQLite releases the GIL while it works, so Datasette's own pool of SQL threads
(``num_sql_threads``) can run them at once on a machine with more than one core.

Facets declared as ``{concurrent: column}`` in a table's metadata are column facets: the same
query, values, counts, labels and links as Datasette's ``column`` facets (and reported with type
``column``), only executed concurrently. Facets a reader adds with ``?_facet=`` stay Datasette's.
"""

from __future__ import annotations

import asyncio

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args


class ConcurrentColumnFacet(Facet):
    """Column facets whose queries run concurrently; see the module docstring."""

    type = "concurrent"

    async def facet_results(self):
        selected = self.get_querystring_pairs()
        size = self.get_facet_size()
        outcomes = await asyncio.gather(*(
            self._column(config["config"].get("column") or config["config"]["simple"],
                         config["source"], selected, size)
            for config in self.get_configs()))
        return ([result for result, _ in outcomes if result],
                [column for _, column in outcomes if column])

    async def _column(self, column: str, source: str, selected, size: int):
        """(the facet's result, None), or (None, column) when its query ran out of time."""
        sql = (f"select {escape_sqlite(column)} as value, count(*) as count from ({self.sql}) "
               f"where {escape_sqlite(column)} is not null group by {escape_sqlite(column)} "
               f"order by count desc, value limit {size + 1}")
        try:
            rows = (await self.ds.execute(
                self.database, sql, self.params, truncate=False,
                custom_time_limit=self.ds.setting("facet_time_limit_ms"))).rows
        except QueryInterrupted:
            return None, column
        values = [row["value"] for row in rows[:size]]
        labels = await self.ds.expand_foreign_keys(self.database, self.table, column, values)
        name_in_query = f"{column}__exact" if column.startswith("_") else column
        items = []
        for row in rows[:size]:
            is_selected = (name_in_query, str(row["value"])) in selected
            path = (path_with_removed_args(self.request, {name_in_query: str(row["value"])})
                    if is_selected else path_with_added_args(self.request, {name_in_query: row["value"]}))
            items.append({
                "value": row["value"],
                "label": labels.get((column, row["value"]), row["value"]),
                "count": row["count"],
                "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
                "selected": is_selected,
            })
        return {
            "name": column,
            "type": "column",
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(
                path_with_removed_args(self.request, {f"_facet_{self.type}": column})),
            "results": items,
            "truncated": len(rows) > size,
        }, None


@hookimpl
def register_facet_classes():
    return [ConcurrentColumnFacet]
