"""``nianbao ingest | reparse | serve | export``: building and publishing the archive.

``ingest`` loads documents downloaded by hand, or a crawl output directory (one holding
``manifest.jsonl``) with the portal registry's places; ``reparse`` re-runs the parsers over
stored captures after a parser upgrade; ``serve`` publishes the archive read-only in
Datasette; ``export`` writes the clean copy people download.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from archive.export import export as export_archive
from archive.load import default_jobs, ingest_files, load_crawl, reparse as reparse_archive
from archive.serve import serve as serve_archive
from archive.serving_lock import ArchiveInUse

DB_OPTION = click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("nianbao.db"),
    envvar="NIANBAO_DB", show_default=True, help="The archive's SQLite file.",
)

JOBS_OPTION = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=default_jobs, show_default="CPU count",
    help="Worker processes that parse documents while one process writes the archive "
         "(1: everything in this process).",
)


@contextmanager
def refusal_as_error() -> Iterator[None]:
    """A load refused because the archive is served (or a server because a load writes it)
    ends the command with its one-line message and exit code 1."""
    try:
        yield
    except ArchiveInUse as error:
        raise click.ClickException(str(error)) from None


def _registry_portals() -> list[dict] | None:
    # The CLI is the one place allowed to read the crawler's registry (style guide D).
    from crawler.registry import RegistryError, load_registry

    try:
        return [portal.to_dict() for portal in load_registry().values()]
    except RegistryError as error:
        click.echo(f"portal registry not read ({error}); places left empty", err=True)
        return None


class _Bar:
    """A click progress bar whose length is known only once the work is counted."""

    def __init__(self, label: str):
        self.label, self.bar = label, None

    def total(self, length: int) -> None:
        self.bar = click.progressbar(length=length, label=self.label, file=sys.stderr)
        self.bar.__enter__()

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _run(label: str, load, *args, **options) -> None:
    """Run a load with a progress bar on stderr, then print its summary as one JSON line."""
    bar = _Bar(label)
    try:
        with refusal_as_error():
            summary = load(*args, progress=bar.advance, total=bar.total, **options)
    finally:
        bar.close()
    click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@DB_OPTION
@click.option("--agency", help="The publishing organ, overriding what the parser finds.")
@click.option("--province", help="Province (e.g. 浙江省); else resolved from the agency's name.")
@click.option("--city", help="Prefecture-level city (e.g. 杭州市).")
@click.option("--county", help="County-level division (e.g. 西湖区).")
@click.option("--adcode", help="6-digit division code; fills province, city and county.")
@click.option("--level", help="Administrative level: province, city, county, township, department.")
@click.option("--url", help="Where the document was published (a single file only).")
@JOBS_OPTION
def ingest(paths, db, agency, province, city, county, adcode, level, url, jobs):
    """Load documents downloaded by hand (FILE|DIR...), or crawl output directories.

    A directory holding manifest.jsonl is a crawl output directory: its captures load with the
    portal registry's places. Anything else is read as documents; each file's bytes are kept
    in <db stem>.captures/ingest.warc.gz beside the database.
    """
    crawl_dirs = [p for p in paths if p.is_dir() and (p / "manifest.jsonl").exists()]
    documents = [p for p in paths if p not in crawl_dirs]
    if url and (len(documents) != 1 or documents[0].is_dir()):
        raise click.UsageError("--url names one document; give exactly one file with it")
    if crawl_dirs:
        portals = _registry_portals()
        for crawl_dir in crawl_dirs:
            _run(f"loading {crawl_dir}", load_crawl, db, crawl_dir, portals, jobs=jobs)
    if documents:
        _run("ingesting", ingest_files, db, documents, agency=agency, province=province,
             city=city, county=county, adcode=adcode, level=level, url=url, jobs=jobs)


@click.command("reparse")
@DB_OPTION
@click.option("--all", "all_captures", is_flag=True,
              help="Re-parse every capture, not only those parsed by an older parser version.")
@JOBS_OPTION
def reparse(db, all_captures, jobs):
    """Re-run the parsers over stored captures after a parser upgrade."""
    if not db.exists():
        raise click.UsageError(f"no archive at {db}")
    _run("re-parsing", reparse_archive, db, all_captures=all_captures, jobs=jobs)


@click.command("serve")
@DB_OPTION
@click.option("--port", type=int, default=8001, show_default=True, help="TCP port.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (0.0.0.0 publishes to the network).")
def serve(db, port, host):
    """Publish the archive read-only in Datasette (search, facets, canned queries, charts)."""
    if not db.exists():
        raise click.UsageError(f"no archive at {db}")
    click.echo(f"serving {db} at http://{host}:{port}/{db.stem}", err=True)
    with refusal_as_error():
        code = serve_archive(db, port=port, host=host)
    raise SystemExit(code)


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@DB_OPTION
def export(path, db):
    """Write a clean, VACUUMed copy of the archive to PATH, with a _readme table."""
    if not db.exists():
        raise click.UsageError(f"no archive at {db}")
    click.echo(str(export_archive(db, path)))


COMMANDS = (ingest, reparse, serve, export)
