"""The receivables arithmetic: buckets by days past due, per currency, void as zero
(tests/integration/test_receivables.py runs the aggregates over DynamoDB Local's stream)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from remit.domain.receivables import (
    BUCKETS,
    OpenInvoice,
    bucket,
    outstanding,
)

TODAY = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("days_late", "expected"),
    [(-5, "current"), (0, "current"), (1, "1_30"), (30, "1_30"), (31, "31_60"), (60, "31_60"),
     (61, "61_90"), (90, "61_90"), (91, "over_90"), (400, "over_90")],
)  # fmt: skip
def test_bucket_boundaries(days_late: int, expected: str) -> None:
    assert bucket(TODAY - timedelta(days=days_late), TODAY) == expected


def test_outstanding_adds_issued_amounts_due_per_currency_and_nothing_else() -> None:
    due = TODAY - timedelta(days=45)
    report = outstanding(
        [
            OpenInvoice("a", "issued", "USD", 10_000, due),
            OpenInvoice("b", "issued", "USD", 2_550, TODAY),
            OpenInvoice("c", "issued", "JPY", 5_000, due),
            OpenInvoice("d", "void", "USD", 99_999, due),
            OpenInvoice("e", "paid", "USD", 0, due),
            OpenInvoice("f", "uncollectible", "USD", 7_000, due),
        ],
        TODAY,
    )
    assert sorted(report) == ["JPY", "USD"]
    assert report["USD"].buckets == {**dict.fromkeys(BUCKETS, 0), "current": 2_550, "31_60": 10_000}
    assert report["USD"].outstanding == 12_550
    assert report["USD"].overdue == 10_000
    assert report["JPY"].buckets["31_60"] == 5_000  # yen, never added to dollars
