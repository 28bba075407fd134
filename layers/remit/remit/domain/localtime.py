"""Local days and times in an IANA zone, and the one rule that turns them into UTC instants.

Stored times stay UTC instants; calendar rules (issue date, due dates, reminders, dunning)
count in the account's local days. ``at_local`` is the only place a local day plus a local
time of day becomes an instant, so DST is handled once:

- a time that does not exist that day (02:30 on a spring-forward day) runs at the first
  instant after the gap (03:00 local, the moment the clocks jump to);
- a time that occurs twice (01:30 on a fall-back day) runs once, at its first occurrence
  (fold=0).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from remit.errors import ValidationFailed

DEFAULT_ZONE = "UTC"
DEFAULT_RUN_TIME = "09:00"
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def is_zone_name(name: object) -> bool:
    """True for a zone of the IANA database the ``tzdata`` package pins (not a path, not
    a POSIX TZ string, not a link the system happens to have): the same list everywhere,
    so the API's schema, which lists them, is the same on every machine."""
    return isinstance(name, str) and name in _known_zones()


def zone_names() -> tuple[str, ...]:
    """Every accepted zone name, sorted (the API's schema lists them)."""
    return tuple(sorted(_known_zones()))


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    from importlib.resources import files

    return frozenset(files("tzdata").joinpath("zones").read_text().split())


def check_zone(name: str, field: str = "timeZone") -> str:
    if not is_zone_name(name):
        raise ValidationFailed(f"{name!r} is not an IANA time zone name", field=field)
    return name


def parse_run_time(value: str, field: str = "dailyRunTime") -> time:
    match = _HHMM.match(value)
    if not match:
        raise ValidationFailed("must be a local time of day HH:MM (00:00 to 23:59)", field=field)
    return time(int(match.group(1)), int(match.group(2)))


def local_day(instant: datetime, zone_name: str) -> date:
    """The calendar day an instant falls on in the zone."""
    return _utc(instant).astimezone(zone(zone_name)).date()


def at_local(day: date, at: time, zone_name: str) -> datetime:
    """The UTC instant of local ``day`` at local time ``at`` (see the module doc for DST)."""
    tz = zone(zone_name)
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz)
    instant = wall.astimezone(UTC)
    # A wall time in a gap does not round-trip (zoneinfo maps it with the offset from
    # before the gap, past the gap's end); re-anchor it to the instant the gap ends.
    if instant.astimezone(tz).replace(tzinfo=None) != wall.replace(tzinfo=None):
        instant = _first_after_gap(wall, tz)
    return instant


def start_of_local_day(day: date, zone_name: str) -> datetime:
    """00:00 local on ``day`` (or the first instant of the day if midnight is skipped)."""
    return at_local(day, time(0, 0), zone_name)


def _first_after_gap(wall: datetime, tz: ZoneInfo) -> datetime:
    # Offsets before and after the gap: a gap means the offset after is larger.
    before = wall.replace(fold=0).utcoffset() or timedelta(0)
    after = wall.replace(fold=1).utcoffset() or timedelta(0)
    naive = wall.replace(tzinfo=None)
    # The gap's wall-clock end is where local time resumes; the same instant seen from
    # both sides. wall - before is "too late"; wall - after is "too early" (inside).
    late = (naive - before).replace(tzinfo=UTC)
    early = (naive - after).replace(tzinfo=UTC)
    if late < early:
        late, early = early, late
    # Binary search the transition instant between early and late at minute resolution.
    lo, hi = early, late
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant
