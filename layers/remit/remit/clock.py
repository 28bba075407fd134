"""Where "now" comes from. Every function takes its clock from here, so tests and the
local runner can move time forward; nothing else calls ``datetime.now``."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that only moves when told to (tests)."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 15, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta

    def set(self, when: datetime) -> None:
        self.current = when


@dataclass
class OffsetFileClock:
    """Real time plus an offset kept in a JSON file (``{"offsetSeconds": 259200}``).

    The local runner writes the file when someone moves the clock; every process that
    reads it (gateway, scheduler, tests, the admin CLI) then agrees on "now". The file is
    re-read only when it changes.
    """

    path: Path
    _seen: tuple[int, int, int] | None = None
    _offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return datetime.now(UTC)
        # Writers replace the file (a new inode each time), so two writes within one
        # timestamp tick are still told apart.
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            data = json.loads(self.path.read_text() or "{}")
            self._offset = timedelta(seconds=float(data.get("offsetSeconds", 0)))
            self._seen = seen
        return datetime.now(UTC) + self._offset

    def write_offset(self, offset: timedelta) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"offsetSeconds": offset.total_seconds()}))
        os.replace(tmp, self.path)


def clock_at(path: str | None) -> Clock:
    """The deployed clock is the system clock; a clock file (``REMIT_CLOCK_FILE``, local
    only, see remit.settings) moves it."""
    return OffsetFileClock(Path(path)) if path else SystemClock()


def clock_from_env(environ: Mapping[str, str]) -> Clock:
    """The clock an environment names (the admin CLI reads the local cloud's env file)."""
    return clock_at(environ.get("REMIT_CLOCK_FILE"))
