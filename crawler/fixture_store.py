"""Saved pages for offline tests: where ``scrapy savefixture`` puts a fetched response.

A fixture is the body exactly as Scrapy received it (a GBK page stays GBK; gzip transfer
encoding is undone, as in the WARC captures) plus two sidecars::

    tests/fixtures/crawler/<platform>/<portal_id>/<role>[_<n>].<ext>
    tests/fixtures/crawler/<platform>/<portal_id>/<role>[_<n>].<ext>.url       the URL that answered
    tests/fixtures/crawler/<platform>/<portal_id>/<role>[_<n>].<ext>.headers   status line and headers

Tests rebuild the response from the three files (``saved_response`` in tests/crawler/conftest.py),
with the real URL so relative links resolve and the real ``Content-Type`` so decoding is exercised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from crawler.capture_store import stored_headers

ROLES = ("list", "report", "attachment")
# What the URL's own suffix may be kept as; anything else is named from the Content-Type.
_KNOWN_SUFFIXES = {".html", ".htm", ".shtml", ".xml", ".json", ".js", ".pdf", ".doc", ".docx", ".wps",
                   ".xls", ".xlsx", ".et", ".rtf", ".ofd", ".txt"}
_TYPE_SUFFIXES = (("html", ".html"), ("json", ".json"), ("javascript", ".js"), ("xml", ".xml"),
                  ("pdf", ".pdf"), ("wordprocessingml", ".docx"), ("msword", ".doc"),
                  ("spreadsheetml", ".xlsx"), ("ms-excel", ".xls"), ("text/plain", ".txt"))


class FixtureExists(FileExistsError):
    """The URL was saved before: a fixture is fetched once."""


@dataclass(frozen=True)
class Fetched:
    """A response to save: the URL that answered, its status, headers as served, the body."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers if k.lower() == "content-type"), "")


def suffix_for(url: str, content_type: str) -> str:
    """``.html`` for ``…/index.html?uid=1&pageNum=2``; from the Content-Type when the URL has none."""
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix in _KNOWN_SUFFIXES:
        return ".html" if suffix in (".htm", ".shtml") else suffix
    kind = content_type.lower()
    return next((ext for word, ext in _TYPE_SUFFIXES if word in kind), ".bin")


def saved_urls(folder: Path) -> dict[str, Path]:
    """URL -> fixture for every ``.url`` sidecar in a portal's folder."""
    if not folder.is_dir():
        return {}
    return {path.read_text(encoding="utf-8").strip(): path.with_suffix("") for path in folder.glob("*.url")}


def fixture_path(folder: Path, role: str, suffix: str) -> Path:
    """The first free ``<role>.<ext>``, ``<role>_2.<ext>``, … in ``folder``."""
    taken = {p.name for p in folder.glob(f"{role}*")} if folder.is_dir() else set()
    n = 1
    while True:
        name = f"{role}{suffix}" if n == 1 else f"{role}_{n}{suffix}"
        if name not in taken and f"{name}.url" not in taken:
            return folder / name
        n += 1


def save_fixture(fixtures: Path, platform: str, portal_id: str, role: str, fetched: Fetched,
                 requested_url: str, force: bool = False) -> Path:
    """Write the body and its ``.url``/``.headers`` sidecars; returns the body's path.

    Raises ``FixtureExists`` when the portal's folder already holds this URL (unless ``force``,
    which overwrites that fixture in place).
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", platform) or not re.fullmatch(r"[a-z][a-z0-9_]*", portal_id):
        raise ValueError("platform and portal id must be lowercase ASCII names")
    folder = fixtures / platform / portal_id
    earlier = saved_urls(folder)
    previous = earlier.get(fetched.url) or earlier.get(requested_url)
    if previous is not None and not force:
        raise FixtureExists(f"{requested_url} is already saved as {previous} (--force to fetch it again)")
    path = previous or fixture_path(folder, role, suffix_for(fetched.url, fetched.content_type))
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fetched.body)
    path.with_name(path.name + ".url").write_text(fetched.url + "\n", encoding="utf-8")
    lines = [f"HTTP/1.1 {fetched.status}"]
    lines += [f"{k}: {v}" for k, v in stored_headers(fetched.headers, fetched.body)]
    path.with_name(path.name + ".headers").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

