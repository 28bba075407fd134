"""The local cloud's movable clock: real time plus an offset in a JSON file that every
function reads through ``remit.clock.OffsetFileClock`` (env ``REMIT_CLOCK_FILE``).

It only moves forward: data written "in the future" must never end up ahead of now."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pydantic import TypeAdapter

from remit.clock import OffsetFileClock

# pydantic parses ISO 8601 durations, counting a month as 30 days and a year as 365
# (documented in docs/local.md).
_DURATION = TypeAdapter(timedelta)


class ClockError(ValueError):
    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration such as ``P3D``, ``PT12H``, ``P1W`` or ``P1M``."""
    try:
        if not isinstance(text, str) or not text.strip().upper().startswith("P"):
            raise ValueError(text)
        return _DURATION.validate_python(text.strip().upper())
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ClockError(
            "validation_error", "advance must be an ISO 8601 duration such as P3D or PT2H", "advance"
        ) from exc


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date or date-time; without a UTC offset it is taken as UTC."""
    if not isinstance(text, str):
        raise ClockError("validation_error", "now must be an ISO 8601 date-time string", "now")
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            raise ClockError("validation_error", "now must be an ISO 8601 date-time", "now") from None
        parsed = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class LocalClock:
    """Reads and moves the shared clock file. Moves are serialised within this process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def offset(self) -> timedelta:
        try:
            data = json.loads(self.path.read_text() or "{}")
        except FileNotFoundError:
            return timedelta(0)
        return timedelta(seconds=float(data.get("offsetSeconds", 0)))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset()

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ClockError("clock_backwards", "the clock only moves forward", "advance")
        with self._lock:
            self._write(self.offset() + delta)
        return self.now()

    def move_to(self, when: datetime) -> datetime:
        with self._lock:
            current = self.now()
            if when < current:
                raise ClockError(
                    "clock_backwards",
                    f"the clock only moves forward: it is already {current.isoformat()}",
                    "now",
                )
            self._write(when - datetime.now(UTC))
        return self.now()

    def _write(self, offset: timedelta) -> None:
        before = self._mtime_ns()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        OffsetFileClock(self.path).write_offset(offset)
        # OffsetFileClock re-reads the file only when its mtime changes, and two writes
        # within one filesystem timestamp tick (a few ms) can share an mtime: make sure
        # this one is seen.
        after = self._mtime_ns()
        if before is not None and after is not None and after <= before:
            os.utime(self.path, ns=(before + 1_000_000, before + 1_000_000))

    def _mtime_ns(self) -> int | None:
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return None


def describe(clock: LocalClock) -> dict[str, object]:
    """What ``GET /_local/clock`` answers."""
    return {"now": clock.now().isoformat(), "offsetSeconds": clock.offset().total_seconds()}
