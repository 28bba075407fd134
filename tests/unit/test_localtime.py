"""The local day + local time -> UTC instant rule (remit.domain.localtime)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.domain.localtime import at_local, check_zone, is_zone_name, local_day, parse_run_time
from remit.errors import ValidationFailed

NINE = time(9, 0)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone_name", "day", "at", "expected"),
    [
        # New York: spring forward 8 March 2026 02:00 -> 03:00; fall back 1 November 02:00 -> 01:00.
        ("America/New_York", date(2026, 3, 7), NINE, utc(2026, 3, 7, 14)),
        ("America/New_York", date(2026, 3, 8), NINE, utc(2026, 3, 8, 13)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7)),  # 03:00 EDT
        ("America/New_York", date(2026, 11, 1), NINE, utc(2026, 11, 1, 14)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),  # EDT
        # Berlin: 29 March 02:00 -> 03:00; 25 October 03:00 -> 02:00.
        ("Europe/Berlin", date(2026, 3, 29), NINE, utc(2026, 3, 29, 7)),
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1)),  # 03:00 CEST
        ("Europe/Berlin", date(2026, 10, 25), NINE, utc(2026, 10, 25, 8)),
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),  # CEST
        # Kolkata: +05:30, no DST.
        ("Asia/Kolkata", date(2026, 6, 1), NINE, utc(2026, 6, 1, 3, 30)),
        # Lord Howe: +11 in summer, +10:30 in winter, a half-hour shift (5 April / 4 October 2026).
        ("Australia/Lord_Howe", date(2026, 1, 15), NINE, utc(2026, 1, 14, 22)),
        ("Australia/Lord_Howe", date(2026, 7, 15), NINE, utc(2026, 7, 14, 22, 30)),
        ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 15, 30)),
        # Kiritimati +14 and Pago Pago -11: the same local day is 25 hours apart in UTC.
        ("Pacific/Kiritimati", date(2026, 12, 2), NINE, utc(2026, 12, 1, 19)),
        ("Pacific/Pago_Pago", date(2026, 12, 2), NINE, utc(2026, 12, 2, 20)),
        ("UTC", date(2026, 12, 2), NINE, utc(2026, 12, 2, 9)),
    ],
)
def test_at_local(zone_name: str, day: date, at: time, expected: datetime) -> None:
    assert at_local(day, at, zone_name) == expected


def test_nine_runs_once_on_dst_days() -> None:
    for zone_name, day in [
        ("America/New_York", date(2026, 3, 8)),
        ("America/New_York", date(2026, 11, 1)),
        ("Europe/Berlin", date(2026, 3, 29)),
        ("Europe/Berlin", date(2026, 10, 25)),
    ]:
        runs = {at_local(day, NINE, zone_name)}
        assert len(runs) == 1
        assert local_day(runs.pop(), zone_name) == day


def test_local_day() -> None:
    # 20:00 in New York on 1 December is 01:00 UTC on 2 December.
    assert local_day(utc(2026, 12, 2, 1), "America/New_York") == date(2026, 12, 1)
    assert local_day(utc(2026, 12, 2, 1), "Pacific/Auckland") == date(2026, 12, 2)
    assert local_day(utc(2026, 12, 2, 12), "Pacific/Auckland") == date(2026, 12, 3)


def test_zone_names() -> None:
    assert is_zone_name("America/New_York")
    assert is_zone_name("UTC")
    for bad in ["Mars/Olympus", "", "../etc/passwd", "/etc/localtime", "EST5EDT,M3.2.0", 5]:
        assert not is_zone_name(bad)
    with pytest.raises(ValidationFailed) as caught:
        check_zone("Mars/Olympus")
    assert caught.value.field == "timeZone"


def test_parse_run_time() -> None:
    assert parse_run_time("09:00") == NINE
    assert parse_run_time("23:59") == time(23, 59)
    for bad in ["9:00", "24:00", "09:60", "0900", ""]:
        with pytest.raises(ValidationFailed):
            parse_run_time(bad)


ZONES = st.sampled_from(
    [
        "America/New_York",
        "Europe/Berlin",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        "Pacific/Auckland",
        "UTC",
    ]
)


@given(
    zone_name=ZONES,
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_instant_is_on_its_local_day_at_or_after_the_wall_time(zone_name: str, day: date, at: time) -> None:
    instant = at_local(day, at, zone_name)
    assert local_day(instant, zone_name) == day
    wall = instant.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)
    # Exactly the wall time, or (in a gap) the first instant after it, within the gap's length.
    assert datetime.combine(day, at) <= wall < datetime.combine(day, at) + timedelta(hours=2)
    # Nothing earlier on the same day has a later-or-equal wall time: it is the first such instant.
    earlier = instant - timedelta(seconds=1)
    assert (
        earlier.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None) < datetime.combine(day, at)
        or local_day(earlier, zone_name) != day
    )
