"""The schedule decides which provinces are due: frequent in the publishing season, monthly after."""

from datetime import date

import pytest

from crawler.schedule import DEFAULT_SCHEDULE, ScheduleError, due_provinces, load_schedule

PROVINCES = ["北京市", "浙江省", "广东省"]


@pytest.fixture
def schedules(fixture_path):
    return load_schedule(PROVINCES, fixture_path("ops", "schedule.toml"))


def test_never_crawled_provinces_are_due(schedules):
    assert due_provinces(schedules, date(2026, 7, 1), {}) == PROVINCES


def test_in_season_a_province_is_due_weekly_and_override_every_three_days(schedules):
    last = {p: date(2026, 2, 1) for p in PROVINCES}
    assert due_provinces(schedules, date(2026, 2, 3), last) == []
    assert due_provinces(schedules, date(2026, 2, 4), last) == ["北京市"]
    assert due_provinces(schedules, date(2026, 2, 8), last) == PROVINCES


def test_out_of_season_a_province_is_due_monthly(schedules):
    last = {p: date(2026, 6, 1) for p in PROVINCES}
    assert due_provinces(schedules, date(2026, 6, 30), last) == []
    assert due_provinces(schedules, date(2026, 7, 1), last) == PROVINCES


def test_an_override_for_a_province_outside_the_registry_is_rejected(fixture_path):
    with pytest.raises(ScheduleError, match="火星省"):
        load_schedule(PROVINCES, fixture_path("ops", "schedule_unknown_province.toml"))


def test_an_interval_below_one_day_is_rejected(fixture_path):
    with pytest.raises(ScheduleError, match="season_every_days"):
        load_schedule(PROVINCES, fixture_path("ops", "schedule_bad_interval.toml"))


def test_the_shipped_schedule_loads_for_its_overridden_provinces():
    schedules = {s.province: s for s in load_schedule(["北京市", "广东省", "浙江省"], DEFAULT_SCHEDULE)}
    assert schedules["北京市"].interval_on(date(2026, 3, 1)) == 3
    assert schedules["浙江省"].interval_on(date(2026, 3, 1)) == 7
    assert schedules["浙江省"].interval_on(date(2026, 9, 1)) == 30
