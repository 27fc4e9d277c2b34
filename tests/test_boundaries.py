"""Import-direction rules between crawler/, parsers/ and archive/ (style guide, section D)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "parsers": {"crawler", "archive", "scrapy", "scrapy_playwright", "sqlite_utils", "datasette"},
    "crawler": {"archive", "sqlite_utils", "datasette"},
    "archive": {"crawler", "scrapy", "scrapy_playwright"},
}
# The `nianbao` command orchestrates crawl-then-load; it alone may cross the line.
EXEMPT = {ROOT / "archive" / "cli"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if not any(exempt in path.parents for exempt in EXEMPT):
            yield path


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_boundaries(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in modules(package)
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}


def test_every_module_has_a_docstring():
    missing = [
        str(path.relative_to(ROOT))
        for package in FORBIDDEN
        for path in (ROOT / package).rglob("*.py")
        if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []
