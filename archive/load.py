"""Loading documents into the archive: a crawl directory, files downloaded by hand, re-parses.

All three paths parse exact bytes with ``parsers.parse`` and store each report as a unit
(``archive.store``), committed in groups of whole reports (``Commits``), so a crash mid-load
leaves whole reports only, and the next load skips what is already in and completes the rest. A capture already parsed by the
current parser version is not parsed again. None of them writes an archive Datasette is serving
(``archive.serving_lock``): they refuse with ``ArchiveInUse`` before touching anything.

Crawl directory layout (written by the crawler)::

    <crawl_dir>/manifest.jsonl   one parsers.models.CaptureRecord per line
    <crawl_dir>/warc/*.warc.gz   the responses, at the manifest's offsets
    <crawl_dir>/runs.jsonl       one line per portal per crawler process: portal_id, run_id,
                                 started_at, finished_at, pages, reports, known_skipped,
                                 attachments, errors, list_errors, lists_complete,
                                 circuit_open, finish_reason (optional: scope)
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import mimetypes
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import parsers
from archive.db import open_db
from archive.gazetteer import Place, place_for_code, resolve_agency
from archive.parallel import Crashed, ordered_map
from archive.serving_lock import writing
from archive.store import (
    Commits, ParsedCapture, PreparedReport, delete_report, prepare_report, upsert_capture,
)
from archive.warc import CaptureMissing, append_resource, read_payload
from parsers.models import CaptureRecord, ParseError

Progress = Callable[[int], None]


def _writes_archive(command: str):
    """Run the decorated load holding the archive (``archive.serving_lock.writing``): a load
    into an archive Datasette is serving raises ``ArchiveInUse`` before it touches anything."""
    def decorate(load):
        @functools.wraps(load)
        def guarded(db_path, *args, **options):
            with writing(db_path, command):
                return load(db_path, *args, **options)
        return guarded
    return decorate


@dataclass
class LoadSummary:
    """Counts of what a load did; ``actions`` counts store outcomes (new, updated, unchanged,
    kept), ``parse_failures`` documents that gave no report, by status."""

    captures: int = 0
    skipped: int = 0
    actions: Counter = field(default_factory=Counter)
    parse_failures: Counter = field(default_factory=Counter)
    missing: list[str] = field(default_factory=list)
    bad_manifest_lines: int = 0

    def to_dict(self) -> dict:
        return {
            "captures": self.captures,
            "skipped": self.skipped,
            "actions": dict(self.actions),
            "parse_failures": dict(self.parse_failures),
            "missing": self.missing,
            "bad_manifest_lines": self.bad_manifest_lines,
        }


@dataclass
class _Group:
    """A report page with the attachments that hang on it (or a lone document)."""

    main: dict
    attachments: list[dict] = field(default_factory=list)

    @property
    def members(self) -> list[dict]:
        return [self.main, *self.attachments]


def _parse(row: dict, data: bytes, *, listing_title=None, listing_date=None) -> ParsedCapture:
    capture = ParsedCapture(row=row, parser_version=parsers.PARSER_VERSION)
    try:
        capture.report = parsers.parse(
            data,
            url=row.get("final_url") or row.get("url"),
            listing_title=listing_title or row.get("listing_title"),
            listing_date=listing_date or row.get("listing_date"),
            content_type=row.get("content_type"),
        )
    except parsers.NotAnnualReport as error:
        capture.status, capture.message = "not_report", str(error)
    except parsers.UnreadableDocument as error:
        capture.status, capture.message = "unreadable", str(error)
    except ParseError as error:
        capture.status, capture.message = "error", str(error)
    except Exception as error:  # a parser bug must not stop the load of every other report
        capture.status, capture.message = "error", f"{type(error).__name__}: {error}"
    else:
        capture.status = "complete" if capture.report.is_complete else "partial"
    return capture


def _pick(group: _Group, read: Callable[[dict], bytes]) -> tuple[ParsedCapture | None, list]:
    """Parse a group; the source is the page, unless only an attachment has the tables."""
    main = _parse(group.main, read(group.main))
    parsed = [main]
    if group.attachments and not (main.report and main.report.cells):
        title = group.main.get("listing_title") or (main.report.title if main.report else None)
        for attachment in group.attachments:
            parsed.append(
                _parse(attachment, read(attachment), listing_title=title,
                       listing_date=group.main.get("listing_date"))
            )
    with_report = [p for p in parsed if p.report]
    if not with_report:
        return None, parsed
    source = max(with_report, key=lambda p: (len(p.report.cells), p is main))
    return source, [p for p in parsed if p is not source]


@dataclass
class _Job:
    """One group to parse and prepare in a worker, with all it needs from the database."""

    group: _Group
    locations: dict[str, str]  # sha256 -> WARC file on this machine
    place: Place
    agency: str | None = None
    place_from_agency: bool = False


@dataclass
class _Prepared:
    """What a worker made of a group: a report to write; else the captures that gave none
    (parsed, with their status); else why a capture could not be read."""

    report: PreparedReport | None = None
    failures: list[ParsedCapture] = field(default_factory=list)
    missing: str | None = None


def _prepare_group(job: _Job) -> _Prepared:
    """Read, parse and prepare one group: no database, so it runs in a worker process."""
    group = job.group
    try:
        source, others = _pick(group, _reader(job.locations))
    except CaptureMissing as error:
        return _Prepared(missing=str(error))
    if source is None:
        return _Prepared(failures=others)
    place = job.place
    if job.agency:
        source.report = dataclasses.replace(source.report, agency=job.agency)
    if job.place_from_agency:
        place = _merge(place, resolve_agency(source.report.agency))
    from_attachment = source.row is not group.main
    url = (group.main.get("final_url") or group.main.get("url")) if from_attachment else None
    title = group.main.get("listing_title") if from_attachment else None
    return _Prepared(report=prepare_report(source, related=others, place=place, url=url,
                                           title=title or source.report.title))


# A document whose parse killed its worker process at this many loads in a row gets the parser
# version as a verdict: plain loads stop trying it, ``reparse`` after a parser upgrade (or
# ``reparse --all``) tries it again. Two, not one: a first death may have been the
# out-of-memory killer or another passing cause.
WORKER_DEATHS_FOR_VERDICT = 2


def _ordinal(n: int) -> str:
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _deaths_before(db, sha256: str) -> int:
    """At how many loads in a row a worker died parsing this capture (``captures.worker_deaths``,
    cleared by any parse that ends); a verdict of an older parser counts afresh."""
    row = db.execute("select worker_deaths, parser_version from captures where sha256 = ?",
                     [sha256]).fetchone()
    if not row or not row[0]:
        return 0
    deaths, version = row
    return 0 if version is not None and version != parsers.PARSER_VERSION else deaths


def _crashed(db, group: _Group, crash: Crashed) -> _Prepared:
    """Each document of the group as an error, its worker deaths counted."""
    failures = []
    for member in group.members:
        deaths = _deaths_before(db, member["sha256"]) + 1
        verdict = deaths >= WORKER_DEATHS_FOR_VERDICT
        then = ("not tried again until a parser upgrade or reparse --all" if verdict
                else "tried again at the next load")
        failures.append(ParsedCapture(
            row=member, status="error",
            message=f"not parsed: {crash.message}; {_ordinal(deaths)} time with parser version "
                    f"{parsers.PARSER_VERSION}, {then}",
            parser_version=parsers.PARSER_VERSION if verdict else None, worker_deaths=deaths))
    return _Prepared(failures=failures)


def _write_group(commits: Commits, group: _Group, prepared: _Prepared | Crashed,
                 summary: LoadSummary) -> list[str]:
    """Write what a worker prepared (SQL only); returns the reports it orphaned."""
    if isinstance(prepared, Crashed):
        prepared = _crashed(commits.db, group, prepared)
    if prepared.missing:
        summary.missing.append(prepared.missing)
        return []
    if prepared.report is None:
        for capture in prepared.failures:
            upsert_capture(commits.db, capture.to_row(None))
            summary.parse_failures[capture.status] += 1
        return []
    outcome = commits.write(prepared.report)
    summary.actions[outcome.action] += 1
    return outcome.orphaned


def _merge(given: Place, resolved: Place) -> Place:
    """Fill what was not given from the gazetteer, only where the two agree."""
    if given.adcode:
        return given
    for name in ("province", "city", "county"):
        mine, theirs = getattr(given, name), getattr(resolved, name)
        if mine and theirs and mine != theirs:
            return given
    return Place(**{
        name: getattr(given, name) or getattr(resolved, name)
        for name in ("province", "city", "county", "adcode", "level")
    })


def _refresh_orphans(commits: Commits, report_ids: Iterable[str], summary: LoadSummary) -> None:
    """A re-parse moved a capture to another report: re-point or drop the report it left."""
    db = commits.db
    for report_id in sorted(set(report_ids)):
        left = [dict(r) for r in db.query(
            "select * from captures where report_id = ? and role != 'list'", [report_id])]
        current = db.execute("select capture_sha256 from reports where id = ?", [report_id]).fetchone()
        if current and any(c["sha256"] == current[0] for c in left):
            continue
        with db.atomic():
            delete_report(db, report_id)
        for capture in left:
            group = _Group(capture)
            job = _Job(group, _locations(db, group), _place_of_capture(db, capture))
            _write_group(commits, group, _prepare_group(job), summary)


def _place_of_portal(portal: dict | None) -> Place:
    if not portal:
        return Place()
    place = Place(**{k: portal.get(k) or None for k in ("province", "city", "county", "adcode", "level")})
    if place.adcode and not place.province:
        return dataclasses.replace(place_for_code(place.adcode), level=place.level)
    return place


def _place_of_capture(db, capture: dict) -> Place:
    if capture.get("portal_id"):
        rows = list(db.query("select * from portals where id = ?", [capture["portal_id"]]))
        return _place_of_portal(rows[0] if rows else None)
    return Place()


def _portal_row(portal: dict) -> dict:
    row = {k: portal.get(k) for k in
           ("id", "name_zh", "province", "city", "county", "adcode", "level", "platform", "notes")}
    urls = portal.get("start_urls")
    row["start_urls"] = json.dumps(list(urls), ensure_ascii=False) if urls is not None else None
    return row


def _groups(rows: list[dict]) -> list[_Group]:
    """Report pages with their attachments; attachments whose page is absent stand alone."""
    pages, groups = {}, {}
    for row in rows:
        if row["role"] == "report":
            group = _Group(row)
            groups[id(group)] = group
            for url in {row.get("url"), row.get("final_url")} - {None}:
                pages.setdefault(url, group)
    for row in rows:
        if row["role"] == "attachment":
            parent = pages.get(row.get("parent_url"))
            if parent is not None:
                parent.attachments.append(row)
            else:
                groups[id(row)] = _Group(row)
    return list(groups.values())


def _read_manifest(path: Path, summary: LoadSummary) -> list[dict]:
    rows, seen = [], set()
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            try:
                record = CaptureRecord.from_dict(json.loads(line))
            except (ValueError, TypeError):  # a line cut short by a crawler that was killed
                summary.bad_manifest_lines += 1
                continue
            if record.sha256 not in seen:
                seen.add(record.sha256)
                rows.append(record.to_dict())
    return rows


def _warc_path(crawl_dir: Path, warc_file: str) -> Path:
    for candidate in (crawl_dir / "warc" / warc_file, crawl_dir / warc_file):
        if candidate.exists():
            return candidate.resolve()
    return (crawl_dir / "warc" / warc_file).resolve()


def _done(db, group: _Group) -> bool:
    shas = [m["sha256"] for m in group.members]
    loaded = db.execute(
        f"select count(*) from captures where parser_version >= ? and sha256 in "
        f"({', '.join('?' * len(shas))})",
        [parsers.PARSER_VERSION, *shas],
    ).fetchone()[0]
    return loaded == len(shas)


def _locations(db, group: _Group) -> dict[str, str]:
    shas = [m["sha256"] for m in group.members]
    return dict(db.execute(
        f"select sha256, warc_path from _capture_locations where sha256 in "
        f"({', '.join('?' * len(shas))})", shas).fetchall())


def _reader(locations: dict[str, str]) -> Callable[[dict], bytes]:
    def read(row: dict) -> bytes:
        if row["sha256"] not in locations:
            raise CaptureMissing(f"no stored location for capture {row['sha256']}")
        return read_payload(locations[row["sha256"]], row["warc_offset"])

    return read


def default_jobs() -> int:
    """Worker processes a load uses unless told: one per CPU this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _load_groups(db, groups: list[_Group], place_of, summary, progress, jobs: int | None,
                 **options) -> None:
    """Parse and prepare the groups in ``jobs`` worker processes, write them here in order."""
    jobs = default_jobs() if jobs is None else jobs
    work = (_Job(g, _locations(db, g), place_of(g.main), **options) for g in groups)
    chunk = max(1, min(8, len(groups) // (4 * jobs)))
    orphans = []
    with Commits(db) as commits:
        for job, prepared in ordered_map(_prepare_group, work, jobs=jobs, chunk=chunk):
            orphans += _write_group(commits, job.group, prepared, summary)
            commits.stored()
            summary.captures += len(job.group.members)
            if progress:
                progress(len(job.group.members))
        _refresh_orphans(commits, orphans, summary)
    db.execute("pragma optimize")


@_writes_archive("load")
def load_crawl(db_path, crawl_dir, portals: list[dict] | None = None, *,
               progress: Progress | None = None, total: Progress | None = None,
               jobs: int | None = None) -> LoadSummary:
    """Load a crawl directory into the archive at ``db_path`` (created if missing).

    :param db_path: the SQLite file.
    :param crawl_dir: directory holding ``manifest.jsonl``, ``warc/`` and ``runs.jsonl``.
    :param portals: the portal registry as dicts (id, name_zh, province, city, county,
        adcode, level, platform, start_urls, notes); a portal's place is every one of its
        reports' place. Portals the manifest names but the list lacks get a bare row.
    :param progress: called with the number of captures handled after each report.
    :param total: called once, before work starts, with the number of captures to handle
        (report pages and attachments; list pages are only recorded).
    :param jobs: worker processes that read, parse and prepare documents while this process
        writes (default ``default_jobs()``: one per CPU); 1 does everything in this process.
    :returns: a ``LoadSummary``.
    :raises archive.serving_lock.ArchiveInUse: Datasette is serving the archive; nothing written.
    """
    crawl_dir = Path(crawl_dir)
    summary = LoadSummary()
    db = open_db(db_path)
    rows = _read_manifest(crawl_dir / "manifest.jsonl", summary)
    registry = {p["id"]: p for p in portals or ()}
    with db.atomic():
        db["portals"].upsert_all([_portal_row(p) for p in registry.values()], pk="id")
        known = {r["id"] for r in db.query("select id from portals")}
        bare = sorted({r["portal_id"] for r in rows if r.get("portal_id")} - known)
        db["portals"].insert_all([{"id": portal_id} for portal_id in bare], pk="id")
        db["_capture_locations"].upsert_all(
            [{"sha256": r["sha256"], "warc_path": str(_warc_path(crawl_dir, r["warc_file"]))}
             for r in rows],
            pk="sha256",
        )
        db["captures"].upsert_all(
            [{**r, "report_id": None} for r in rows if r["role"] == "list"], pk="sha256"
        )
    places = {
        r["id"]: _place_of_portal(dict(r)) for r in db.query("select * from portals")
    }
    groups = []
    documents = [r for r in rows if r["role"] != "list"]
    if total:
        total(len(documents))
    for group in _groups(documents):
        if _done(db, group):
            summary.skipped += len(group.members)
            if progress:
                progress(len(group.members))
        else:
            groups.append(group)
    # The registry's place first; what it leaves blank, the agency's name may fill (gazetteer).
    _load_groups(db, groups, lambda row: places.get(row.get("portal_id"), Place()), summary,
                 progress, jobs, place_from_agency=True)
    _load_runs(db, crawl_dir / "runs.jsonl")
    db.close()
    return summary


def _flag(value) -> int | None:
    return None if value is None else int(bool(value))


def _load_runs(db, path: Path) -> None:
    """One ``crawl_runs`` row per line: a portal in one crawler process. Scale-out workers
    each write their own output directory, whose name is the row's ``worker``."""
    if not path.exists():
        return
    worker = path.resolve().parent.name
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            run = json.loads(line)
        except ValueError:
            continue
        started = run.get("started") or run.get("started_at")
        if not run.get("portal_id") or not started:
            continue
        runs.append({
            "portal_id": run["portal_id"],
            "started": started,
            "worker": worker,
            "run_id": run.get("run_id") or "",
            "finished": run.get("finished") or run.get("finished_at"),
            "scope": run.get("scope"),
            "pages": run.get("pages"),
            "reports_found": run.get("reports_found", run.get("reports")),
            "reports_known": run.get("known_skipped"),
            "attachments": run.get("attachments"),
            "errors": run.get("errors"),
            "list_errors": run.get("list_errors"),
            "lists_complete": _flag(run.get("lists_complete")),
            "circuit_open": _flag(run.get("circuit_open")),
            "status": run.get("status") or run.get("finish_reason"),
        })
    with db.atomic():
        known = {r["id"] for r in db.query("select id from portals")}
        db["portals"].insert_all(
            [{"id": p} for p in sorted({r["portal_id"] for r in runs} - known)], pk="id"
        )
        db["crawl_runs"].upsert_all(runs, pk=("portal_id", "started", "worker", "run_id"))
        # New = the report's first capture was fetched during the run; updated = a later one was.
        db.execute(
            """update crawl_runs set
                 reports_new = (select count(distinct c.report_id) from captures c
                   where c.portal_id = crawl_runs.portal_id and c.report_id is not null
                     and c.fetched_at >= crawl_runs.started
                     and (crawl_runs.finished is null or c.fetched_at <= crawl_runs.finished)
                     and c.fetched_at = (select min(fetched_at) from captures f
                                         where f.report_id = c.report_id)),
                 reports_updated = (select count(distinct c.report_id) from captures c
                   where c.portal_id = crawl_runs.portal_id and c.report_id is not null
                     and c.fetched_at >= crawl_runs.started
                     and (crawl_runs.finished is null or c.fetched_at <= crawl_runs.finished)
                     and c.fetched_at > (select min(fetched_at) from captures f
                                         where f.report_id = c.report_id))"""
        )


def _files(paths: Iterable) -> list[Path]:
    found = []
    for path in map(Path, paths):
        found += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return found


@_writes_archive("ingest")
def ingest_files(db_path, paths, *, agency: str | None = None, province: str | None = None,
                 city: str | None = None, county: str | None = None, adcode: str | None = None,
                 level: str | None = None, url: str | None = None,
                 progress: Progress | None = None, total: Progress | None = None,
                 jobs: int | None = None) -> LoadSummary:
    """Load documents a person downloaded by hand.

    Each file's exact bytes are appended to ``<db stem>.captures/ingest.warc.gz`` beside the
    database, so it can be re-parsed later like any crawled capture.

    :param db_path: the SQLite file (created if missing).
    :param paths: files and directories (walked recursively, in name order).
    :param agency: overrides the agency the parser found (also sets the report's identity).
    :param province: the place, when known; otherwise it is resolved from the agency's
        name with the gazetteer, and left empty when that is not certain.
    :param city: see ``province``.
    :param county: see ``province``.
    :param adcode: the 6-digit division code; fills province/city/county from the gazetteer.
    :param level: administrative level (province, city, county, township, department).
    :param url: where the document was published, if known (only with a single file).
    :param progress: called with 1 after each file.
    :param total: called once, before work starts, with the number of files.
    :param jobs: worker processes that parse (see ``load_crawl``).
    :raises archive.serving_lock.ArchiveInUse: Datasette is serving the archive; nothing written.
    """
    db_path = Path(db_path)
    summary = LoadSummary()
    db = open_db(db_path)
    store_dir = db_path.with_name(db_path.stem + ".captures")
    given = Place(province=province, city=city, county=county, adcode=adcode, level=level)
    if adcode and not province:
        given = dataclasses.replace(place_for_code(adcode), level=level or place_for_code(adcode).level)
    groups = []
    files = _files(paths)
    if total:
        total(len(files))
    for path in files:
        data = path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        row = {
            "sha256": sha256,
            "url": url,
            "final_url": url,
            "fetched_at": datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(),
            "status": None,
            "content_type": mimetypes.guess_type(path.name)[0],
            "size": len(data),
            "role": "report",
            "listing_title": None,
        }
        group = _Group(row)
        if _done(db, group):
            summary.skipped += 1
            if progress:
                progress(1)
            continue
        located = db.execute(
            "select warc_path, c.warc_offset, c.warc_file from _capture_locations l "
            "join captures c using (sha256) where sha256 = ?", [sha256]).fetchone()
        if located:
            warc_path, row["warc_offset"], row["warc_file"] = located
        else:
            warc = store_dir / "ingest.warc.gz"
            row["warc_offset"] = append_resource(warc, url or f"file:{path.name}", data,
                                                 row["content_type"])
            row["warc_file"] = f"{store_dir.name}/{warc.name}"
            warc_path = str(warc.resolve())
        with db.atomic():
            db["_capture_locations"].upsert({"sha256": sha256, "warc_path": warc_path}, pk="sha256")
        groups.append(group)
    _load_groups(db, groups, lambda row: given, summary, progress, jobs, agency=agency,
                 place_from_agency=not given.adcode)
    db.close()
    return summary


@_writes_archive("reparse")
def reparse(db_path, *, all_captures: bool = False, progress: Progress | None = None,
            total: Callable[[int], None] | None = None, jobs: int | None = None) -> LoadSummary:
    """Parse stored captures again after a parser upgrade.

    :param db_path: the archive.
    :param all_captures: re-parse every capture, not only those parsed by an older
        ``parsers.PARSER_VERSION`` (or never parsed).
    :param progress: called with the number of captures handled after each report.
    :param total: called once, before work starts, with the number of captures to handle.
    :param jobs: worker processes that parse (see ``load_crawl``).
    :raises archive.serving_lock.ArchiveInUse: Datasette is serving the archive; nothing written.
    """
    summary = LoadSummary()
    db = open_db(db_path)
    condition = "1" if all_captures else "(parser_version is null or parser_version < ?)"
    params = [] if all_captures else [parsers.PARSER_VERSION]
    stale = {r["sha256"] for r in db.query(
        f"select sha256 from captures where role != 'list' and {condition}", params)}
    rows = [dict(r) for r in db.query("select * from captures where role != 'list'")]
    groups = [g for g in _groups(rows) if any(m["sha256"] in stale for m in g.members)]
    if total:
        total(sum(len(g.members) for g in groups))

    # Places as they stand before the re-parse: a crawled capture's portal's, else the place
    # its report was given (options or gazetteer at ingest).
    portals = {r["id"]: _place_of_portal(dict(r)) for r in db.query("select * from portals")}
    kept = {
        sha256: Place(*place) for sha256, *place in db.execute(
            "select c.sha256, r.province, r.city, r.county, r.adcode, r.level from captures c "
            "join reports r on r.id = c.report_id where c.role != 'list'").fetchall()
    }

    def place_of(row: dict) -> Place:
        if row.get("portal_id"):
            return portals.get(row["portal_id"], Place())
        return kept.get(row["sha256"], Place())

    _load_groups(db, groups, place_of, summary, progress, jobs, place_from_agency=True)
    db.close()
    return summary
