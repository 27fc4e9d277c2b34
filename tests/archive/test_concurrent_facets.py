"""The reports page's default facets, computed concurrently, are Datasette's column facets."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlencode

import pytest

from archive.serve import start_server

COLUMNS = ("province", "year", "level", "template")


@pytest.fixture(scope="module")
def server(loaded_archive):
    with start_server(loaded_archive) as running:
        yield running


def _facets(server, **args) -> dict:
    query = urlencode([*args.items(), *(("_facet", column) for column in COLUMNS)])
    with urllib.request.urlopen(f"{server.database_url}/reports.json?{query}", timeout=60) as response:
        return json.load(response)["facet_results"]


@pytest.mark.parametrize("args", [{}, {"_search": "复议"}, {"year": "2021"}, {"template": "2021", "_search": "公开"}])
def test_each_default_facet_equals_datasettes_column_facet(server, args):
    facets = _facets(server, **args)
    for column in COLUMNS:
        ours, datasettes = facets[column], facets[f"{column}_2"]  # the default comes first
        assert ours["hideable"] is False and datasettes["hideable"] is True
        assert ours["type"] == datasettes["type"] == "column"
        assert ours["results"] == datasettes["results"] and ours["results"]
        assert ours["truncated"] == datasettes["truncated"]
    if "year" in args:
        assert [r["value"] for r in facets["year"]["results"] if r["selected"]] == [2021]
