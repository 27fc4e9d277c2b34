"""Which provinces are due for a crawl on a given day, from the schedule file.

The schedule (``crawler/schedule.toml``) gives a crawl interval in days for the publishing
season (January-April by default) and for the rest of the year, with per-province
overrides. ``due_provinces`` compares those intervals with when each province was last
crawled; it reads no clock and touches no file, so callers pass ``today`` and the history.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULT_SCHEDULE = Path(__file__).with_name("schedule.toml")


class ScheduleError(ValueError):
    """The schedule file is malformed; the message says where."""


@dataclass(frozen=True)
class ProvinceSchedule:
    """How often one province is crawled in and out of the publishing season."""

    province: str
    season_months: frozenset[int]
    season_every_days: int
    off_season_every_days: int

    def interval_on(self, day: date) -> int:
        if day.month in self.season_months:
            return self.season_every_days
        return self.off_season_every_days

    def is_due(self, day: date, last_crawled: date | None) -> bool:
        return last_crawled is None or (day - last_crawled).days >= self.interval_on(day)


def load_schedule(known_provinces: list[str], path: Path = DEFAULT_SCHEDULE) -> list[ProvinceSchedule]:
    """Read the schedule file into one ``ProvinceSchedule`` per province to crawl.

    :param known_provinces: the provinces of the portal registry; ``provinces = "all"``
        means these, and an override for a province outside them is an error.
    :param path: the TOML schedule file.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScheduleError(f"{path}: {exc}") from exc
    defaults = data.get("defaults", {})
    overrides = data.get("province", {})
    chosen = defaults.get("provinces", "all")
    provinces = list(known_provinces) if chosen == "all" else list(chosen)
    unknown = sorted((set(provinces) | set(overrides)) - set(known_provinces))
    if unknown:
        raise ScheduleError(f"{path}: provinces not in the portal registry: {', '.join(unknown)}")
    return [_province_schedule(name, defaults, overrides.get(name, {}), path) for name in provinces]


def _province_schedule(name: str, defaults: dict, override: dict, path: Path) -> ProvinceSchedule:
    merged = {**defaults, **override}
    months = merged.get("season_months", [1, 2, 3, 4])
    if not months or any(not isinstance(m, int) or not 1 <= m <= 12 for m in months):
        raise ScheduleError(f"{path}: {name}: season_months must be month numbers 1-12")
    intervals = {}
    for key in ("season_every_days", "off_season_every_days"):
        value = merged.get(key)
        if not isinstance(value, int) or value < 1:
            raise ScheduleError(f"{path}: {name}: {key} must be a whole number of days >= 1")
        intervals[key] = value
    return ProvinceSchedule(name, frozenset(months), **intervals)


def due_provinces(
    schedules: list[ProvinceSchedule], today: date, last_crawled: dict[str, date]
) -> list[str]:
    """The provinces whose interval has passed since their last crawl (never crawled: due)."""
    return [s.province for s in schedules if s.is_due(today, last_crawled.get(s.province))]
