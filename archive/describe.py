"""What every table and column of the archive holds, in words (for ``_readme`` and the docs).

The descriptions come from archive/datasette/metadata.yml, the one place they are written;
the wide views' value columns are described by the canonical key each one shows.
"""

from __future__ import annotations

from sqlite_utils import Database

from archive.migrations import wide_view_columns
from archive.serve import metadata_for

_INTERNAL = {
    "_sqlite_migrations": (
        "迁移记录 — schema migrations applied to this file (sqlite-utils Migrations)",
        {
            "id": "row number",
            "migration_set": "migration set name (nianbao.archive)",
            "name": "migration name, e.g. m001_initial_schema",
            "applied_at": "when it was applied (UTC)",
        },
    ),
    "_capture_locations": (
        "抓取文件位置 — where each capture's WARC file sits on the machine that built the "
        "archive; internal, left out of exports",
        {"sha256": "the capture (captures.sha256)", "warc_path": "absolute path of its WARC file"},
    ),
    "_readme": (
        "说明 — this table: what every table and column of the archive holds",
        {
            "table_name": "table or view",
            "column_name": "column; empty for the row describing the table itself",
            "description": "中文标签 — description",
        },
    ),
}
_FTS_SHADOW = "internal storage of the reports_fts full-text index (SQLite FTS5); not for queries"
_SQLITE_STATS = "SQLite's own query-planner statistics (written by ANALYZE / pragma optimize)"
_REPORT_COLUMNS = {
    "report_id": "报告 — the report (reports.id)",
    "agency": "发布机关 — the organ that published the report",
    "province": "省份 — province",
    "city": "地市 — prefecture-level city",
    "county": "区县 — county-level division",
    "year": "年度 — the year reported on",
    "template": "模板 — table template (2019, 2021)",
}


def _table_descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    tables = metadata_for("archive.db")["databases"]["archive"]["tables"]
    described = {
        name: (spec.get("description", ""), dict(spec.get("columns", {})))
        for name, spec in tables.items()
    }
    described["reports_fts"] = (
        "全文索引 — Chinese full-text index of reports (title, body) as overlapping character "
        "bigrams; its rowid is reports.fts_rowid. Query with MATCH and a bigram phrase, "
        "e.g. '\"行政 政复 复议\"' for 行政复议 (docs/search.md)",
        {"title": "title as bigram tokens (not stored: contentless index)",
         "body": "body text as bigram tokens (not stored: contentless index)"},
    )
    for view, columns in wide_view_columns().items():
        description, _ = described.get(view, ("", {}))
        values = {column: f"the value of canonical key {key} (NULL if blank or absent)"
                  for column, key in columns.items()}
        described[view] = (description, {**_REPORT_COLUMNS, **values})
    described.update(_INTERNAL)
    return described


def describe(db: Database) -> list[dict]:
    """One row per table (column_name ``""``) and per column of every table and view in ``db``.

    :param db: an archive; FTS5 shadow tables get a generic description.
    :raises KeyError: naming a table or column metadata.yml does not describe.
    """
    known = _table_descriptions()
    rows = []
    for name in [*db.table_names(), *db.view_names()]:
        internal = _FTS_SHADOW if name.startswith("reports_fts_") else _SQLITE_STATS
        if name.startswith(("reports_fts_", "sqlite_")):
            rows += [{"table_name": name, "column_name": column, "description": internal}
                     for column in ["", *(c for (c,) in db.execute(
                         f"select name from pragma_table_xinfo('{name}') where hidden != 1"))]]
            continue
        table_description, columns = known[name]
        rows.append({"table_name": name, "column_name": "", "description": table_description})
        # table_xinfo, not table_info: cells' key parts are generated columns
        for (column,) in db.execute(f"select name from pragma_table_xinfo('{name}') where hidden != 1").fetchall():
            if column not in columns:
                raise KeyError(f"{name}.{column} has no description in metadata.yml")
            rows.append({"table_name": name, "column_name": column,
                         "description": columns[column]})
    return rows
