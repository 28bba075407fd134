from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from remit.domain import periods
from remit.domain.periods import Period


def at(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def test_month_ends_never_drift() -> None:
    anchor = at(2026, 1, 31)
    assert [periods.boundary(anchor, 1, k).date().isoformat() for k in range(5)] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",
    ]


@pytest.mark.parametrize(
    ("months", "k", "expected"),
    [
        (3, 1, at(2026, 4, 15, 9)),
        (12, 1, at(2027, 1, 15, 9)),
        (1, -1, at(2025, 12, 15, 9)),
        (6, 2, at(2027, 1, 15, 9)),
    ],
)
def test_boundaries_count_whole_intervals_from_the_anchor(months: int, k: int, expected: datetime) -> None:
    assert periods.boundary(at(2026, 1, 15, 9), months, k) == expected


def test_index_at_finds_the_period_containing_a_moment() -> None:
    anchor = at(2026, 1, 31)
    assert periods.index_at(anchor, 1, at(2026, 2, 27)) == 0
    assert periods.index_at(anchor, 1, at(2026, 2, 28)) == 1  # a boundary starts its period
    assert periods.index_at(anchor, 1, at(2025, 12, 31)) == -1
    assert periods.index_at(anchor, 12, at(2030, 6, 1)) == 4


def test_a_period_from_a_boundary_is_whole_and_from_elsewhere_is_a_stub() -> None:
    anchor = at(2026, 2, 1)
    whole = periods.period_from(anchor, 1, at(2026, 3, 1))
    assert whole == Period(at(2026, 3, 1), at(2026, 4, 1))
    assert periods.fraction_of_full(anchor, 1, whole) == 1
    stub = periods.period_from(anchor, 1, at(2026, 1, 16))
    assert stub == Period(at(2026, 1, 16), at(2026, 2, 1))
    assert periods.fraction_of_full(anchor, 1, stub) == Decimal(16) / Decimal(31)


def test_next_boundary_at_or_after() -> None:
    anchor = at(2026, 1, 15)
    assert periods.next_boundary_at_or_after(anchor, 1, at(2026, 3, 15)) == at(2026, 3, 15)
    assert periods.next_boundary_at_or_after(anchor, 1, at(2026, 3, 15, 1)) == at(2026, 4, 15)


def test_a_period_is_labelled_with_its_dates() -> None:
    assert Period(at(2026, 1, 15, 9), at(2026, 2, 15, 9)).label() == "2026-01-15 to 2026-02-15"
