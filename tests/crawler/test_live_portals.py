"""Live smoke check of the real registry (``pytest -m live``; deselected by default).

For each seeded portal, a two-report sample crawl must reach at least one list page: the
check a maintainer runs before setting ``verified = true`` on a row.
"""

import pytest

from crawler.registry import DEFAULT_REGISTRY, load_registry
from tests.crawler.conftest import manifest, run_crawl, runs


@pytest.mark.live
@pytest.mark.parametrize("portal_id", list(load_registry(DEFAULT_REGISTRY)))
def test_real_portal_lists_pages(portal_id, tmp_path):
    run_crawl(tmp_path, DEFAULT_REGISTRY, f"portal={portal_id}", "sample=2",
              AUTOTHROTTLE_ENABLED="True", DOWNLOAD_DELAY="1")
    (stats,) = runs(tmp_path)
    assert stats["list_pages"] >= 1, stats["error_samples"]
    assert any(row["role"] == "list" for row in manifest(tmp_path))
