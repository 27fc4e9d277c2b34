"""``nianbao schedule``: crawl the provinces that are due, through Scrapyd or without a daemon.

The schedule file (``crawler/schedule.toml``) says how often each province is crawled; a
small state file (``<out>/schedule-state.json``) remembers when each province was last
scheduled, so running the command daily (cron, a systemd timer) starts only what is due.

* Through Scrapyd (default): the project is deployed from ``scrapy.cfg`` with scrapyd-deploy
  (it builds the egg with the ``setup.py`` shim; Scrapyd finds ``crawler.settings`` through
  the ``scrapy`` entry point in pyproject.toml), then one ``reports`` job per due province is
  scheduled with ``province=`` and the job's own capture directory ``<out>/<province>/``.
  ``--wait`` waits for the jobs, then loads and checks them like ``--local`` does.
* ``--local``: no daemon; the due provinces are crawled one after another in subprocesses
  (``python -m scrapy crawl reports``), then loaded into ``--db`` by this one process.

Each province keeps its own capture directory, so its re-crawls are incremental. After
loading, portals that failed or went silent are printed as ``ALERT`` lines and the command
exits 2 (``archive.monitor``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import click

from archive.cli.ops import load_directories, registry_dicts
from archive.monitor import PortalAlert, read_runs

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STATE_FILE = "schedule-state.json"


def _read_state(out: Path) -> dict:
    path = out / STATE_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"provinces": {}}


def _write_state(out: Path, state: dict) -> None:
    path = out / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)  # atomic: a crash never leaves half a state file


def _settings(out: Path, registry: Path, throttle: bool, overrides: tuple[str, ...]) -> list[str]:
    settings = [f"NIANBAO_OUTPUT_DIR={out.resolve()}", f"NIANBAO_REGISTRY={registry.resolve()}"]
    if not throttle:
        settings += ["AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0"]
    for item in overrides:
        if "=" not in item:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--set")
        settings.append(item)
    return settings


def _deploy(scrapyd_url: str) -> None:
    if not (PROJECT_ROOT / "scrapy.cfg").exists():
        raise click.ClickException(f"no scrapy.cfg in {PROJECT_ROOT}: deploy from a source checkout")
    result = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "-p", "nianbao"], cwd=PROJECT_ROOT,
        env={**os.environ, "NIANBAO_SCRAPYD_URL": scrapyd_url.rstrip("/") + "/"}, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise click.ClickException(f"scrapyd-deploy to {scrapyd_url} failed: {(result.stderr + result.stdout)[-2000:]}")
    click.echo(f"deployed nianbao to {scrapyd_url}", err=True)


def _schedule_jobs(scrapyd_url: str, jobs: dict[str, list[str]]) -> dict[str, str]:
    from scrapyd_client.pyclient import ScrapydClient

    client = ScrapydClient(scrapyd_url.rstrip("/"))
    scheduled = {}
    for province, settings in jobs.items():
        args = [("province", province)] + [("setting", s) for s in settings]
        scheduled[province] = client.schedule("nianbao", "reports", args=args)
        click.echo(f"{province}: scrapyd job {scheduled[province]}", err=True)
    return scheduled


def _wait_for_jobs(scrapyd_url: str, job_ids: set[str], timeout: float) -> None:
    from scrapyd_client.pyclient import ScrapydClient

    client = ScrapydClient(scrapyd_url.rstrip("/"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished = {job["id"] for job in client.jobs("nianbao").get("finished", [])}
        if job_ids <= finished:
            return
        time.sleep(1)
    raise click.ClickException(f"scrapyd jobs still running after {timeout:.0f} s: {sorted(job_ids)}")


def _crawl_locally(province: str, settings: list[str]) -> int:
    command = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"province={province}"]
    for setting in settings:
        command += ["-s", setting]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    click.echo(f"{province}: crawling", err=True)
    return subprocess.run(command, env=env).returncode


def _check(db: Path | None, directories: dict[str, Path], runs_before: dict[str, int],
           portals: list[dict]) -> list[PortalAlert]:
    """Load (with --db) and judge the run each province directory just received."""
    silent_jobs = [
        PortalAlert(province, "failed", "the crawl job recorded no run (see its log)")
        for province, directory in directories.items()
        if len(read_runs(directory / "runs.jsonl")) <= runs_before[province]
    ]
    for alert in silent_jobs:
        click.echo(alert.line(), err=True)
    ran = [d for p, d in directories.items() if len(read_runs(d / "runs.jsonl")) > runs_before[p]]
    return silent_jobs + load_directories(db, ran, portals)


@click.command("schedule")
@click.option("--schedule", "schedule_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Schedule file (TOML); default: crawler/schedule.toml.")
@click.option("--registry", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="NIANBAO_REGISTRY",
              help="Portal registry (TOML); default: crawler/portals.toml.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("var/crawls"),
              show_default=True, help="One capture directory per province under this, and schedule-state.json.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="Load the finished crawls into this archive (with --local or --wait).")
@click.option("--scrapyd", "scrapyd_url", default="http://127.0.0.1:6800/", envvar="NIANBAO_SCRAPYD_URL",
              show_default=True, help="Scrapyd to deploy to and schedule on.")
@click.option("--local", is_flag=True, help="No daemon: crawl the due provinces one after another here.")
@click.option("--wait", is_flag=True, help="Scrapyd: wait for the jobs to finish, then load and check them.")
@click.option("--timeout", type=float, default=6 * 3600, show_default=True, help="Seconds --wait waits at most.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Judge what is due as on this date (YYYY-MM-DD).")
@click.option("--force", is_flag=True, help="Crawl every province of the schedule, due or not.")
@click.option("--dry-run", is_flag=True, help="Only print the provinces that are due.")
@click.option("--no-throttle", is_flag=True,
              help="No download delay and no AutoThrottle: for the local replica only, never for real portals.")
@click.option("--set", "-s", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Scrapy or NIANBAO_* setting for every crawl (repeatable).")
def schedule(schedule_file, registry, out, db, scrapyd_url, local, wait, timeout, today, force, dry_run,
             no_throttle, overrides):
    """Crawl the provinces that are due: one Scrapyd job per province, or --local without a daemon.

    Run it daily from cron or a systemd timer; it starts only what the schedule says is due
    and remembers what it started in OUT/schedule-state.json.
    """
    from crawler.registry import DEFAULT_REGISTRY, load_registry
    from crawler.schedule import DEFAULT_SCHEDULE, ScheduleError, due_provinces, load_schedule

    registry = registry or DEFAULT_REGISTRY
    portals = registry_dicts(registry)
    provinces = sorted({p["province"] for p in portals if p["province"]})
    try:
        schedules = load_schedule(provinces, schedule_file or DEFAULT_SCHEDULE)
    except ScheduleError as error:
        raise click.ClickException(str(error)) from None
    day = today.date() if today else date.today()
    state = _read_state(out)
    last = {name: date.fromisoformat(entry["last_scheduled"]) for name, entry in state["provinces"].items()}
    due = [s.province for s in schedules] if force else due_provinces(schedules, day, last)
    click.echo(f"{day}: {len(due)} of {len(schedules)} provinces due: {', '.join(due) or 'none'}", err=True)
    if dry_run or not due:
        return
    load_registry(registry)  # validated above; fail before deploying anything
    out.mkdir(parents=True, exist_ok=True)
    directories = {province: out / province for province in due}
    runs_before = {p: len(read_runs(d / "runs.jsonl")) for p, d in directories.items()}
    jobs = {p: _settings(d, registry, not no_throttle, overrides) for p, d in directories.items()}
    if local:
        for province, settings in jobs.items():
            code = _crawl_locally(province, settings)
            state["provinces"][province] = {"last_scheduled": day.isoformat(), "via": "local", "exit_code": code}
            _write_state(out, state)
    else:
        _deploy(scrapyd_url)
        job_ids = _schedule_jobs(scrapyd_url, jobs)
        for province, job in job_ids.items():
            state["provinces"][province] = {"last_scheduled": day.isoformat(), "via": scrapyd_url, "job": job}
        _write_state(out, state)
        if not wait:
            click.echo(f"jobs scheduled; when they finish: nianbao load {out}/<province> --db <archive>", err=True)
            return
        _wait_for_jobs(scrapyd_url, set(job_ids.values()), timeout)
    alerts = _check(db, directories, runs_before, portals)
    sys.exit(2 if alerts else 0)
