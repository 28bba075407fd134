"""The receivables report: buckets by days past due, per currency, money in this month,
and void as zero. Checked against figures worked out by hand and against a recomputation
from every invoice of the organization."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from remit import money
from remit.clock import FixedClock
from remit.domain.receivables import BUCKETS, OpenInvoice, bucket, outstanding
from remit.schemas.invoice import PaymentIn
from remit.services.context import Context
from remit.services.invoices import InvoiceService
from remit.services.receivables import ReceivablesService
from tests.dashboard.conftest import Browser, Keys, issued_invoice

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


def at(clock: FixedClock, when: datetime) -> None:
    clock.set(when)


def test_report_from_the_store_matches_hand_figures_and_a_recomputation(
    ctx: Context, clock: FixedClock, org: str
) -> None:
    invoices = InvoiceService(ctx)
    # Issued on 2026-03-01 with net_30: due 2026-03-31, 76 days late on 2026-06-15.
    at(clock, datetime(2026, 3, 1, 10, tzinfo=UTC))
    old_usd = issued_invoice(ctx, org, "1000.00", "USD")
    voided = issued_invoice(ctx, org, "5000.00", "USD")
    written_off = issued_invoice(ctx, org, "300.00", "EUR")
    # Issued 2026-05-01: due 2026-05-31, 15 days late.
    at(clock, datetime(2026, 5, 1, 10, tzinfo=UTC))
    eur = issued_invoice(ctx, org, "250.50", "EUR")
    jpy = issued_invoice(ctx, org, "12000", "JPY")
    # Issued this month: not yet due.
    at(clock, datetime(2026, 6, 2, 10, tzinfo=UTC))
    current_usd = issued_invoice(ctx, org, "80.00", "USD")
    paid_in_full = issued_invoice(ctx, org, "40.00", "USD")

    at(clock, datetime(2026, 5, 20, 10, tzinfo=UTC))  # last month: not "this month"
    invoices.record_payment(org, old_usd, PaymentIn.model_validate({"amount": "100.00", "method": "check"}))
    at(clock, datetime(2026, 6, 10, 10, tzinfo=UTC))
    invoices.record_payment(
        org, old_usd, PaymentIn.model_validate({"amount": "150.00", "method": "wire_transfer"})
    )
    invoices.record_payment(
        org, paid_in_full, PaymentIn.model_validate({"amount": "40.00", "method": "check"})
    )
    invoices.record_payment(org, jpy, PaymentIn.model_validate({"amount": "2000", "method": "wire_transfer"}))
    invoices.void(org, voided)
    invoices.mark_uncollectible(org, written_off)
    at(clock, datetime(2026, 6, 15, 12, tzinfo=UTC))

    report = ReceivablesService(ctx).report(org)
    usd, eur_row, jpy_row = (report.currency(c) for c in ("USD", "EUR", "JPY"))
    assert usd is not None
    assert eur_row is not None
    assert jpy_row is not None
    assert [c.currency for c in report.currencies] == ["EUR", "JPY", "USD"]
    # USD: 1000 - 100 - 150 = 750 in 61-90; 80 current; the voided 5000 and the paid 40 are 0.
    assert usd.buckets == {**dict.fromkeys(BUCKETS, 0), "61_90": 75_000, "current": 8_000}
    assert usd.outstanding == 83_000
    assert usd.collected_this_month == 15_000 + 4_000  # May's 100.00 is not this month
    assert usd.voided_this_month == 1
    assert eur_row.buckets == {**dict.fromkeys(BUCKETS, 0), "1_30": 25_050}
    assert eur_row.written_off_this_month == 30_000
    assert jpy_row.buckets["1_30"] == 10_000  # 0 decimals: 12000 - 2000 yen
    assert jpy_row.collected_this_month == 2_000
    del eur, current_usd

    # Recompute from every invoice the organization has, through the API's own listing.
    expected: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    cursor = None
    while True:
        page = invoices.list(org, account_id=None, statuses=[], limit=100, cursor=cursor)
        for inv in page.data:
            if inv.status in ("issued", "past_due"):
                expected[inv.currency][bucket(inv.due_date, report.as_of)] += money.parse_amount(
                    inv.amount_due, inv.currency, "amountDue"
                )
        cursor = page.next_cursor
        if cursor is None:
            break
    assert {c.currency: c.buckets for c in report.currencies if c.outstanding} == dict(expected)


def test_home_page_shows_the_figures_and_a_voided_invoice_as_zero(
    browser: Browser, keys: Keys, ctx: Context, clock: FixedClock, org: str
) -> None:
    at(clock, datetime(2026, 6, 1, 10, tzinfo=UTC))
    kept = issued_invoice(ctx, org, "120.00", "USD")
    voided = issued_invoice(ctx, org, "5000.00", "USD")
    InvoiceService(ctx).void(org, voided)
    browser.session = keys.token(org, "finance")
    page = browser.get("/dashboard")
    assert page.status == 200
    assert 'data-total="outstanding"><strong>120.00 USD' in page.body
    assert "5,000" not in page.body
    assert "5000" not in page.body
    assert 'data-total="voided">1<' in page.body
    del kept
