"""Optimistic concurrency: read, decide, write conditionally; if someone else wrote first,
read again and decide again. Each attempt re-checks the rules, so a retry can end in a
409 (the invoice got paid meanwhile) but never in a double effect."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from remit.errors import ConcurrentUpdate
from remit.store.errors import StaleWrite

T = TypeVar("T")

MAX_ATTEMPTS = 60


def optimistic(attempt: Callable[[int], T], *, what: str) -> T:
    """Run ``attempt(n)`` until it commits without a StaleWrite. The backoff is short and
    jittered (full jitter, capped at 200 ms) so twenty writers on one counter spread out."""
    for n in range(MAX_ATTEMPTS):
        try:
            return attempt(n)
        except StaleWrite:
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2**n)))  # noqa: S311 - jitter, not secrets
    raise ConcurrentUpdate(f"{what} kept changing while we tried to update it; try again")
