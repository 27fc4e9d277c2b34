"""``nianbao crawl`` and ``nianbao portals``: run the crawler, then load what it captured.

``nianbao crawl`` runs the ``reports`` spider in this process (Scrapy's CrawlerProcess) over a
selection of the portal registry (``--province``, ``--portal``) or one ``--start-url``, writing
WARC captures, ``manifest.jsonl`` and ``runs.jsonl`` to ``--out``; with ``--db`` it then loads
that directory into the archive with ``archive.load.load_crawl``. This module is the one place
allowed to import both the crawler and the archive (style guide D).

Exit status: 0 when every portal's list walk completed (broken report links are counted as
errors but are normal on real portals), 1 when the selection or registry is invalid, 2 when a
portal's list pages failed or its circuit breaker tripped, so its reports may be incomplete
(the other portals still ran, and everything fetched is kept), or when a portal that yielded
reports before lists none at all (``archive.monitor``; one ``ALERT`` line per portal on stderr).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crawler.registry import DEFAULT_REGISTRY, PLATFORMS, RegistryError, load_registry, select_portals


def _portals(registry: Path, province: str | None, portal: str | None):
    try:
        return select_portals(load_registry(registry), portal=portal, province=province)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from None


def _run_spider(out: Path, registry: Path, spider_args: dict, throttle: bool, overrides: tuple[str, ...]) -> None:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("NIANBAO_OUTPUT_DIR", str(out), priority="cmdline")
    settings.set("NIANBAO_REGISTRY", str(registry), priority="cmdline")
    if not throttle:  # a local replica or benchmark: measure the engine, not the politeness
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--set")
        settings.set(name.strip(), value, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl("reports", **{k: v for k, v in spider_args.items() if v is not None})
    process.start()


def _runs(out: Path) -> list[dict]:
    path = out / "runs.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines if line.strip()]


@click.command("crawl")
@click.option("--province", help="Crawl every registry portal of this province (e.g. 浙江省).")
@click.option("--portal", help="Crawl these registry portal ids (comma-separated), or 'all'.")
@click.option("--start-url", help="Crawl one column URL that is not in the registry.")
@click.option("--platform", type=click.Choice(sorted(PLATFORMS)), default="auto", show_default=True,
              help="Platform of --start-url; 'auto' detects it from the column page.")
@click.option("--browser", is_flag=True, help="Render --start-url's list pages in Chromium (script-built lists).")
@click.option("--registry", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_REGISTRY,
              envvar="NIANBAO_REGISTRY", show_default=True, help="Portal registry file (TOML).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("crawl-output"),
              envvar="NIANBAO_OUTPUT_DIR", show_default=True,
              help="Capture directory: warc/, manifest.jsonl, runs.jsonl. Re-using it makes the crawl incremental.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="After crawling, load the captures into this archive (SQLite file).")
@click.option("--since-year", type=int, help="Skip listings whose title or URL names only years before this.")
@click.option("--sample", type=int, help="At most this many report pages per portal (smoke tests).")
@click.option("--no-throttle", is_flag=True,
              help="No download delay and no AutoThrottle: for the local replica only, never for real portals.")
@click.option("--set", "-s", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy or NIANBAO_* setting (repeatable).")
def crawl(province, portal, start_url, platform, browser, registry, out, db, since_year, sample,
          no_throttle, overrides):
    """Crawl portals for annual reports and keep every response in WARC files.

    Choose exactly one of --province, --portal or --start-url. Progress lines show pages,
    reports found and errors per portal; a summary follows the crawl.
    """
    chosen = [name for name, value in (("--province", province), ("--portal", portal), ("--start-url", start_url))
              if value]
    if len(chosen) != 1:
        raise click.UsageError("choose exactly one of --province, --portal or --start-url")
    # validated here, before Scrapy starts, so a bad registry or selection is one clear line
    registry_portals = [] if start_url else [p.to_dict() for p in _portals(registry, province, portal)]
    spider_args = {"portal": portal, "province": province, "start_url": start_url,
                   "platform": platform if start_url else None, "browser": "true" if browser else None,
                   "since_year": since_year, "sample": sample}
    earlier = len(_runs(out))
    _run_spider(out, registry, spider_args, throttle=not no_throttle, overrides=overrides)

    troubled = False
    for run in _runs(out)[earlier:]:
        state = "CIRCUIT OPEN" if run.get("circuit_open") else (run.get("finish_reason") or "?")
        click.echo(f"{run['portal_id']}: {run['pages']} pages, {run['reports']} reports, "
                   f"{run['attachments']} attachments, {run['errors']} errors ({state})")
        troubled |= not run.get("lists_complete", True)
    click.echo(f"captures in {out}/manifest.jsonl")
    if db is not None:
        from archive.cli.archive import refusal_as_error
        from archive.load import load_crawl

        with refusal_as_error():
            summary = load_crawl(db, out, portals=registry_portals or None)
        click.echo(f"loaded into {db}: {json.dumps(summary.to_dict(), ensure_ascii=False)}")
    from archive.monitor import portal_alerts, reports_yielded

    alerts = portal_alerts(_runs(out)[earlier:], reports_yielded(db, _runs(out)[:earlier]))
    for alert in alerts:  # a portal that failed or went silent: one loud line each (issue 6)
        click.echo(alert.line(), err=True)
    sys.exit(2 if troubled or alerts else 0)


@click.command("portals")
@click.option("--province", help="Only the portals of this province.")
@click.option("--registry", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_REGISTRY,
              envvar="NIANBAO_REGISTRY", show_default=True, help="Portal registry file (TOML).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per portal instead of a table.")
def portals(province, registry, as_json):
    """List the portal registry (validated on load)."""
    for portal in _portals(registry, province, None):
        if as_json:
            click.echo(json.dumps(portal.to_dict(), ensure_ascii=False))
            continue
        flags = " ".join(f for f, on in (("browser", portal.browser), ("unverified", not portal.verified)) if on)
        click.echo(f"{portal.id}\t{portal.province}\t{portal.name_zh}\t{portal.platform}\t"
                   f"{portal.start_urls[0]}" + (f"\t[{flags}]" if flags else ""))
