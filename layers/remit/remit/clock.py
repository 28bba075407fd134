"""Where "now" comes from. Every function takes its clock from here, so tests and the
local runner can move time forward; nothing else calls ``datetime.now``."""

from __future__ import annotations

import json
import os
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


def clock_from_env(environ: dict[str, str] | None = None) -> Clock:
    """The deployed clock is the system clock; ``REMIT_CLOCK_FILE`` (local only) moves it."""
    env = os.environ if environ is None else environ
    path = env.get("REMIT_CLOCK_FILE")
    return OffsetFileClock(Path(path)) if path else SystemClock()
