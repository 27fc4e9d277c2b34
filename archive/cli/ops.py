"""``nianbao demo`` and ``nianbao load``: the whole pipeline on the replica, and the one loader.

``nianbao demo`` is the README's main command: it serves the replica portal (``tests/replica``)
on 127.0.0.1, crawls it with the production spider and the same registry format as real
portals (throttling off: the sites are local), builds the archive with
``archive.load.load_crawl``, prints a one-screen summary (reports found per site, checks
failed, time taken) and serves the archive in Datasette. Everything goes under ``--dir``
(``var/demo``), rebuilt on each run. ``--no-serve`` exits after building.

``nianbao load DIR...`` is the single writer of a scaled-out crawl: it loads the capture
directories of every worker (and of scheduled per-province jobs) into one archive, then
checks the latest run of each portal across all directories (``archive.monitor``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import click

from archive.cli.archive import JOBS_OPTION, refusal_as_error
from archive.load import load_crawl
from archive.monitor import PortalAlert, latest_run, portal_alerts, read_runs, reports_yielded


def load_directories(db: Path | None, directories: list[Path], portals: list[dict] | None,
                     jobs: int | None = None) -> list[PortalAlert]:
    """Load capture directories into the archive one after another (one writer), then judge
    the latest run of every directory together against the archive's history.

    :param db: the archive; None judges the runs against the directories' own history only.
    :param directories: crawl output directories (``manifest.jsonl``, ``warc/``, ``runs.jsonl``).
    :param portals: the portal registry as dicts, for places; None leaves places to the loader.
    :param jobs: worker processes parsing documents (``archive.load``); None: one per CPU.
    :returns: the alerts of portals that failed or went silent.
    """
    current, earlier = [], []
    for directory in directories:
        runs = read_runs(directory / "runs.jsonl")
        last = latest_run(runs)
        current += last
        earlier += runs[: len(runs) - len(last)]
    yielded = reports_yielded(db, earlier)  # before loading: this run's reports are not history
    for directory in directories if db is not None else ():
        with refusal_as_error():
            summary = load_crawl(db, directory, portals=portals, jobs=jobs)
        click.echo(f"loaded {directory} into {db}: {json.dumps(summary.to_dict(), ensure_ascii=False)}", err=True)
    alerts = portal_alerts(current, yielded)
    for alert in alerts:
        click.echo(alert.line(), err=True)
    return alerts


def registry_dicts(registry: Path) -> list[dict]:
    # The CLI is the one place allowed to read the crawler's registry (style guide D).
    from crawler.registry import RegistryError, load_registry

    try:
        return [portal.to_dict() for portal in load_registry(registry).values()]
    except RegistryError as error:
        raise click.ClickException(str(error)) from None


@click.command("load")
@click.argument("directories", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("nianbao.db"),
              envvar="NIANBAO_DB", show_default=True, help="The archive's SQLite file.")
@click.option("--registry", type=click.Path(dir_okay=False, path_type=Path), envvar="NIANBAO_REGISTRY",
              help="Portal registry (TOML) for places; default: the crawler's own.")
@JOBS_OPTION
def load(directories, db, registry, jobs):
    """Load crawl output directories (DIR...: scale-out workers, scheduled jobs) into one archive.

    Run it once, after the crawl processes finish: SQLite keeps one writer. Exits 2 with one
    ALERT line per portal when a portal failed or went silent in the latest run.
    """
    missing = [d for d in directories if not (d / "manifest.jsonl").exists()]
    if missing:
        raise click.UsageError(f"not a crawl output directory (no manifest.jsonl): {', '.join(map(str, missing))}")
    from crawler.registry import DEFAULT_REGISTRY

    alerts = load_directories(db, list(directories), registry_dicts(registry or DEFAULT_REGISTRY), jobs)
    sys.exit(2 if alerts else 0)


# ---------------------------------------------------------------------------------- demo

def _archive_counts(db: Path) -> dict[str, tuple[int, int, int]]:
    """Per portal: reports in the archive, reports with failed checks, failed checks."""
    conn = sqlite3.connect(f"file:{db.resolve()}?mode=ro", uri=True)
    try:
        return {
            row[0]: row[1:]
            for row in conn.execute(
                "select portal_id, count(*), sum(coalesce(failed_checks, 0) > 0), sum(coalesce(failed_checks, 0))"
                " from reports group by portal_id"
            )
        }
    finally:
        conn.close()


def _summary(portals: list[dict], runs: list[dict], counts: dict, db: Path) -> list[str]:
    by_portal = {run["portal_id"]: run for run in runs}
    header = f"{'site':<34} {'platform':<8} {'pages':>5} {'found':>5} {'archived':>8} {'failing':>7} {'errors':>6}"
    lines = [header, "-" * len(header)]
    totals = [0] * 5
    for portal in portals:
        run = by_portal.get(portal["id"], {})
        archived, failing, _ = counts.get(portal["id"], (0, 0, 0))
        row = [run.get("pages", 0), run.get("reports", 0) + run.get("attachments", 0), archived, failing,
               run.get("errors", 0)]
        totals = [t + v for t, v in zip(totals, row)]
        name = portal["name_zh"].split("（")[0]
        lines.append(f"{name:<{34 - len(name)}} {run.get('platform', portal['platform']):<8} "
                     f"{row[0]:>5} {row[1]:>5} {row[2]:>8} {row[3]:>7} {row[4]:>6}")
    lines.append("-" * len(header))
    lines.append(f"{'total':<34} {'':<8} " + " ".join(f"{v:>{w}}" for v, w in zip(totals, (5, 5, 8, 7, 6))))
    failed_checks = sum(c[2] for c in counts.values())
    lines.append(f"found = report pages and attachments captured; archived = reports in {db};")
    lines.append(f"failing = reports whose numbers don't add up ({failed_checks} failed checks in all).")
    return lines


@click.command("demo")
@click.option("--dir", "work_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("var/demo"),
              show_default=True, help="Where the demo writes (replaced on each run): captures, archive, registry.")
@click.option("--replica-port", type=int, default=0,
              help="First port of the replica's sites (site N on port+N); default: free ports.")
@click.option("--port", type=int, default=0, help="Datasette's port; default: 8001 if free, else a free one.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface Datasette listens on.")
@click.option("--no-serve", is_flag=True, help="Exit after building the archive (tests, CI) instead of serving it.")
def demo(work_dir, replica_port, port, host, no_serve):
    """Crawl the bundled replica portal, build the archive and serve it in Datasette.

    The replica runs on 127.0.0.1 and is crawled with the production spider and a registry in
    the same format as crawler/portals.toml (throttling off: the sites are local).
    """
    from archive.cli.crawl import _run_spider
    from archive.serve import free_port, serve

    Replica = _replica_class()

    started = time.monotonic()
    work_dir.mkdir(parents=True, exist_ok=True)
    out, db = work_dir / "crawl", work_dir / "demo.db"
    shutil.rmtree(out, ignore_errors=True)
    for stale in work_dir.glob("demo.db*"):
        stale.unlink()
    replica = Replica(replica_port or None).start()
    try:
        registry = replica.write_registry(work_dir / "portals.toml")
        portals = registry_dicts(registry)
        click.echo(f"replica portal: {len(replica.sites)} sites on 127.0.0.1:{replica.base_port}+; "
                   f"crawling {len(portals)} portals of {registry}", err=True)
        _run_spider(out, registry, {"portal": "all"}, throttle=False,
                    overrides=("LOG_LEVEL=WARNING", "NIANBAO_PROGRESS_INTERVAL=0"))
        crawled = time.monotonic()
        alerts = load_directories(db, [out], portals)
        loaded = time.monotonic()
        runs = latest_run(read_runs(out / "runs.jsonl"))
        click.echo("")
        for line in _summary(portals, runs, _archive_counts(db), db):
            click.echo(line)
        click.echo(f"time taken: crawl {crawled - started:.1f} s, archive {loaded - crawled:.1f} s, "
                   f"total {loaded - started:.1f} s")
        click.echo(f"alerts: {len(alerts)}" + "".join(f"\n  {a.line()}" for a in alerts))
        if no_serve:
            click.echo(f"archive: {db}")
            sys.exit(2 if alerts else 0)
        port = port or (8001 if _free(host, 8001) else free_port(host))
        click.echo(f"Datasette: http://{host}:{port}/{db.stem}   (Ctrl-C stops it)", err=False)
        sys.stdout.flush()
        with refusal_as_error():
            serve(db, port=port, host=host)
    finally:
        replica.stop()


def _replica_class():
    """``tests.replica.Replica`` from this source checkout (an editable install maps only the
    crawler, parsers and archive packages, so the checkout's root may not be on sys.path)."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "tests" / "replica").is_dir() and str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    try:
        from tests.replica import Replica
    except ImportError:
        raise click.ClickException("the demo serves tests/replica: run it from a source checkout "
                                   "(pip install -e .), e.g. bash scripts/demo.sh") from None
    return Replica


def _free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


COMMANDS = (demo, load)
