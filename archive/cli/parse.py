"""``nianbao parse``: parse report files and print their records (or JSON lines).

Exit status: 0 when every file gave a complete record, 2 when some record is partial,
1 when some file is not an annual report or cannot be read (one line on stderr says why).
One bad file never stops the others.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from parsers import ParseError, Report, parse as parse_document

EXIT_COMPLETE, EXIT_PARTIAL, EXIT_FAILED = 0, 2, 1
_SEVERITY = {EXIT_COMPLETE: 0, EXIT_PARTIAL: 1, EXIT_FAILED: 2}


def _summary(path: str, report: Report) -> str:
    failed = [c.rule for c in report.failed_checks]
    lines = [
        f"{path}: {report.title}",
        f"  agency {report.agency or '?'} · year {report.year or '?'} · template {report.template or '?'}"
        f" · published {report.published_date or '?'}",
        f"  {sum(c.value is not None for c in report.cells)} of {len(report.cells)} cells filled · "
        f"{len(report.checks)} checks, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""),
    ]
    lines += [f"  problem [{p.code}] {p.message}" for p in report.problems]
    lines.append("  complete" if report.is_complete else "  PARTIAL")
    return "\n".join(lines)


@click.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--url", default=None, help="Source URL of the document (with several files, applies to all).")
@click.option("--listing-title", default=None, help="Link text of the document on the portal's list page.")
@click.option("--listing-date", default=None, help="Date shown next to the link on the list page.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file, one per line.")
def parse(files: tuple[str, ...], url: str | None, listing_title: str | None, listing_date: str | None, as_json: bool) -> None:
    """Parse annual report FILES (HTML, text, PDF, Word…) into checked records."""
    worst = EXIT_COMPLETE
    for name in files:
        code = _parse_one(name, url, listing_title, listing_date, as_json)
        worst = max(worst, code, key=_SEVERITY.__getitem__)
    sys.exit(worst)


def _parse_one(name: str, url, listing_title, listing_date, as_json: bool) -> int:
    try:
        data = Path(name).read_bytes()
        report = parse_document(data, url=url, listing_title=listing_title, listing_date=listing_date)
    except ParseError as error:
        click.echo(f"{name}: {error}", err=True)
        return EXIT_FAILED
    except OSError as error:
        click.echo(f"{name}: cannot read file: {error.strerror or error}", err=True)
        return EXIT_FAILED
    except Exception as error:  # a parser bug must not stop the other files or print a traceback
        click.echo(f"{name}: internal parser error ({type(error).__name__}: {error})", err=True)
        return EXIT_FAILED
    if as_json:
        record = report.to_dict()
        record["file"] = name
        click.echo(json.dumps(record, ensure_ascii=False))
    else:
        click.echo(_summary(name, report))
    return EXIT_COMPLETE if report.is_complete else EXIT_PARTIAL
