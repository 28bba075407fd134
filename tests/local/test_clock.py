"""``/_local/clock``: read and move the clock every function reads."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from remit_local.clock import parse_duration
from remit_local.stack import LocalStack
from tests.local.client import call


def clock(stack: LocalStack) -> dict[str, object]:
    reply = call("GET", f"{stack.api_url}/_local/clock")
    assert reply.status == 200
    return dict(reply.json)


def test_get_shows_now_and_offset(stack: LocalStack) -> None:
    shown = clock(stack)
    assert set(shown) == {"now", "offsetSeconds"}
    now = datetime.fromisoformat(str(shown["now"]))
    assert abs(now - stack.clock.now()) < timedelta(seconds=5)


def test_advance_moves_the_clock_and_reports_what_ran(stack: LocalStack) -> None:
    started = time.monotonic()
    before = clock(stack)
    reply = call("POST", f"{stack.api_url}/_local/clock", {"advance": "P3DT2H"})
    took = timedelta(seconds=time.monotonic() - started)
    assert reply.status == 200, reply
    assert reply.json["offsetSeconds"] == pytest.approx(float(before["offsetSeconds"]) + 3 * 86400 + 7200)
    moved = datetime.fromisoformat(reply.json["now"]) - datetime.fromisoformat(str(before["now"]))
    # The move itself, plus at most the real time the two calls took (a pass runs in the
    # second: on a loaded machine that is seconds, and a fixed allowance flaked).
    assert timedelta(days=3, hours=2) <= moved <= timedelta(days=3, hours=2) + took
    assert set(reply.json["ran"]) == {"at", "scheduled", "queues"}


def test_now_sets_a_later_time(stack: LocalStack) -> None:
    target = (stack.clock.now() + timedelta(days=40)).replace(microsecond=0)
    started = time.monotonic()
    reply = call("POST", f"{stack.api_url}/_local/clock", {"now": target.isoformat()})
    took = timedelta(seconds=time.monotonic() - started)
    assert reply.status == 200, reply
    # The clock goes on ticking while the call runs what fell due in those 40 days (slow on
    # a loaded machine): it reads the target plus at most the call's own duration.
    now = datetime.fromisoformat(reply.json["now"])
    assert target <= now <= target + took + timedelta(seconds=1)


def test_the_clock_never_moves_backwards(stack: LocalStack) -> None:
    before = clock(stack)
    earlier = (stack.clock.now() - timedelta(days=1)).isoformat()
    reply = call("POST", f"{stack.api_url}/_local/clock", {"now": earlier})
    assert reply.status == 422
    assert reply.json["code"] == "clock_backwards"
    assert reply.json["field"] == "now"
    assert clock(stack)["offsetSeconds"] == before["offsetSeconds"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'["advance"]', 422),
        (b"{}", 422),
        (b'{"advance": "P1D", "now": "2030-01-01T00:00:00Z"}', 422),
        (b'{"advance": "three days"}', 422),
        (b'{"advance": "-P1D"}', 422),
        (b'{"advance": 3}', 422),
        (b'{"now": "yesterday-ish"}', 422),
        (b'{"advance": "P1D", "extra": true}', 422),
    ],
)
def test_bad_requests_are_refused_in_remit_error_shape(stack: LocalStack, body: bytes, status: int) -> None:
    before = clock(stack)["offsetSeconds"]
    reply = call("POST", f"{stack.api_url}/_local/clock", raw=body)
    assert reply.status == status
    assert set(reply.json) == {"code", "message", "field"}
    assert clock(stack)["offsetSeconds"] == before


def test_other_methods_are_refused(stack: LocalStack) -> None:
    reply = call("DELETE", f"{stack.api_url}/_local/clock")
    assert reply.status == 405
    assert call("GET", f"{stack.api_url}/_local/nothing-here").status == 404


def test_functions_read_the_moved_clock(stack: LocalStack, new_org: Callable[..., tuple[str, str]]) -> None:
    _, key = new_org("Clockwork Ltd")
    call("POST", f"{stack.api_url}/_local/clock", {"advance": "P10D"})
    account = call("POST", f"{stack.api_url}/accounts", {"name": "Customer"}, key=key).json
    created = datetime.fromisoformat(account["createdAt"].replace("Z", "+00:00"))
    assert abs(created - stack.clock.now()) < timedelta(seconds=10)
    assert created - datetime.now(created.tzinfo) > timedelta(days=9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P3D", timedelta(days=3)),
        ("PT36H", timedelta(hours=36)),
        ("P1W", timedelta(weeks=1)),
        ("P1M", timedelta(days=30)),  # documented approximation
        ("P1Y2M3DT4H5M6S", timedelta(days=365 + 60 + 3, hours=4, minutes=5, seconds=6)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("p2d", timedelta(days=2)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
