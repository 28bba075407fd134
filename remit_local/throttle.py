"""API Gateway's throttling, emulated: token buckets (a rate per second and a burst), one
per method for the stage's ``MethodSettings`` and one per usage plan key for the usage
plan's ``Throttle``, which is what keeps one organization from starving the others.

The limits come from template.yaml (restapi.py reads them); the clock is injectable so a
test can drain a bucket and refill it without sleeping."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limit:
    rate: float  # tokens added per second
    burst: int  # the most tokens the bucket holds (API Gateway's burst limit)


class TokenBucket:
    """Full at first; each request takes a token; tokens come back at ``rate`` a second."""

    def __init__(self, limit: Limit, now: float) -> None:
        self.limit = limit
        self.tokens = float(limit.burst)
        self.updated = now

    def take(self, now: float) -> float | None:
        """None when a token was taken, else the seconds until there is one."""
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(float(self.limit.burst), self.tokens + elapsed * self.limit.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        if self.limit.rate <= 0:
            return math.inf
        return (1 - self.tokens) / self.limit.rate


class Throttle:
    """Buckets by name (("method", api, resource, method) or ("key", api, key)), made on
    first use. Thread-safe: the gateway serves requests from many threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[Hashable, TokenBucket] = {}
        self._lock = threading.Lock()

    def take(self, name: Hashable, limit: Limit) -> float | None:
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(name)
            if bucket is None or bucket.limit != limit:
                bucket = self._buckets[name] = TokenBucket(limit, now)
            return bucket.take(now)


def retry_after(wait: float) -> str:
    """A Retry-After header value: whole seconds, at least one."""
    return str(max(1, math.ceil(wait))) if math.isfinite(wait) else "60"


# -- what the template says --------------------------------------------------------------


def decode_resource_path(path: str) -> str:
    """A MethodSettings ResourcePath as the route's resource: "/~1i~1{token}" -> "/i/{token}"
    ("/*" stays the wildcard)."""
    if path in ("/*", "*"):
        return "/*"
    return "/" + path.lstrip("/").replace("~1", "/").lstrip("/") if path.startswith("/~1") else path


def method_limits(
    settings: list[Mapping[str, Any]], resolve: Callable[[Any], Any]
) -> dict[tuple[str, str], Limit]:
    """(resource, METHOD) -> Limit from a stage's MethodSettings; ("/*", "*") is the default
    for every method the others do not name."""
    limits: dict[tuple[str, str], Limit] = {}
    for setting in settings:
        rate, burst = setting.get("ThrottlingRateLimit"), setting.get("ThrottlingBurstLimit")
        if rate is None and burst is None:
            continue
        key = (
            decode_resource_path(str(setting.get("ResourcePath", "/*"))),
            str(setting.get("HttpMethod", "*")).upper(),
        )
        try:
            limits[key] = Limit(
                float(resolve(rate) if rate is not None else math.inf), int(resolve(burst) or 0)
            )
        except ValueError:
            continue  # a limit the local cloud cannot work out: not emulated
    return limits


def limit_for(
    limits: Mapping[tuple[str, str], Limit], resource: str, method: str
) -> tuple[tuple[str, str], Limit] | None:
    """The most specific setting for ``method resource`` (its own, else the default)."""
    for key in ((resource, method), (resource, "*"), ("/*", method), ("/*", "*")):
        if key in limits:
            return key, limits[key]
    return None
