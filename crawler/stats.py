"""Per-portal counters of one crawl run: what the progress display shows and runs.jsonl keeps."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class PortalStats:
    """Counters for one portal in one run. ``lists_complete`` is false when a list page failed
    or the circuit breaker tripped: the next run then walks every list page again instead of
    stopping at the first page that holds nothing new."""

    portal_id: str
    platform: str
    scope: str | None = None
    """What the run was asked to crawl: ``portal=…``, ``province=…`` or ``start_url=…``."""
    started_at: str | None = None
    finished_at: str | None = None
    finish_reason: str | None = None
    requests: int = 0
    pages: int = 0
    list_pages: int = 0
    reports: int = 0
    attachments: int = 0
    errors: int = 0
    list_errors: int = 0
    duplicates: int = 0
    known_skipped: int = 0
    robots_blocked: int = 0
    trap_stops: int = 0
    challenges_solved: int = 0
    browser_pages: int = 0
    circuit_open: bool = False
    consecutive_failures: int = 0
    error_samples: list[str] = field(default_factory=list)

    def error(self, message: str, list_page: bool = False) -> None:
        self.errors += 1
        if list_page:
            self.list_errors += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(message)

    @property
    def lists_complete(self) -> bool:
        return not self.list_errors and not self.circuit_open

    def to_run(self, run_id: str) -> dict:
        """One runs.jsonl line (the archive's crawl_runs row)."""
        data = asdict(self)
        del data["consecutive_failures"]
        data["run_id"] = run_id
        data["lists_complete"] = self.lists_complete
        return data

    def summary(self) -> str:
        state = " CIRCUIT OPEN" if self.circuit_open else ""
        return (f"{self.portal_id}: pages={self.pages} reports={self.reports} "
                f"attachments={self.attachments} errors={self.errors}{state}")
