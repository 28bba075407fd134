from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.domain.invoice import Invoice, Payment
from remit.domain.totals import LineItem
from remit.errors import Conflict, InvalidTransition

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def draft(*units: int, terms: str = "net_30") -> Invoice:
    blank = Invoice(
        id="inv_1",
        organization_id="org_1",
        account_id="acc_1",
        currency="USD",
        payment_terms=terms,
        created_at=NOW,
        updated_at=NOW,
        version=0,
    )
    lines = [
        LineItem(id=f"li_{i}", description="x", quantity=Decimal(1), unit_amount=u)
        for i, u in enumerate(units)
    ]
    return blank.with_lines(lines, None, NOW)


def payment(amount: int) -> Payment:
    return Payment(
        id="pay_1",
        invoice_id="inv_1",
        amount=amount,
        currency="USD",
        payment_date=NOW.date(),
        method="wire_transfer",
        created_at=NOW,
    )


def test_finalizing_numbers_and_dates_the_invoice() -> None:
    issued = draft(10000).finalized("INV-2026-00001", NOW)
    assert issued.status == "issued"
    assert issued.invoice_number == "INV-2026-00001"
    assert issued.issued_at == NOW
    assert issued.due_date == date(2026, 2, 14)
    assert issued.amount_due == 10000
    assert issued.version == 2
    assert [h.status for h in issued.status_history] == ["issued"]


def test_an_invoice_without_lines_cannot_be_finalized() -> None:
    with pytest.raises(InvalidTransition) as err:
        draft().finalized("INV-1", NOW)
    assert err.value.field == "lineItems"


def test_a_zero_total_invoice_is_paid_as_it_issues() -> None:
    settled = draft(0).finalized("INV-2026-00001", NOW)
    assert settled.status == "paid"
    assert settled.paid_at == NOW
    assert [h.status for h in settled.status_history] == ["issued", "paid"]


def test_partial_payments_add_up_and_the_last_one_pays_the_invoice() -> None:
    issued = draft(10000).finalized("INV-1", NOW)
    partly = issued.with_payment(payment(4000), NOW)
    assert (partly.status, partly.amount_paid, partly.amount_due) == ("issued", 4000, 6000)
    later = NOW + timedelta(days=3)
    # Dated the day it is recorded: paidAt is the payment's date (issue 16.6), here now.
    paid = partly.with_payment(payment(6000).model_copy(update={"payment_date": later.date()}), later)
    assert (paid.status, paid.amount_paid, paid.amount_due, paid.paid_at) == ("paid", 10000, 0, later)


def test_over_payment_is_refused() -> None:
    issued = draft(10000).finalized("INV-1", NOW)
    with pytest.raises(Conflict) as err:
        issued.with_payment(payment(10001), NOW)
    assert err.value.code == "overpayment"
    assert "100.00 USD" in err.value.message


def test_voiding_keeps_the_trail_but_nothing_is_owed() -> None:
    voided = draft(10000).finalized("INV-1", NOW).voided(NOW)
    assert (voided.status, voided.total, voided.amount_due, voided.invoice_number) == (
        "void",
        10000,
        0,
        "INV-1",
    )
    assert voided.voided_at == NOW


def test_reads_report_past_due_after_the_due_date() -> None:
    issued = draft(10000, terms="net_10").finalized("INV-1", NOW)
    assert issued.reported_status(date(2026, 1, 25)) == "issued"
    assert issued.reported_status(date(2026, 1, 26)) == "past_due"


@given(
    total=st.integers(min_value=1, max_value=10**9),
    attempts=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=20),
)
def test_any_sequence_of_partial_payments_never_over_pays(total: int, attempts: list[int]) -> None:
    invoice = draft(total).finalized("INV-1", NOW)
    accepted = 0
    for amount in attempts:
        try:
            invoice = invoice.with_payment(payment(amount), NOW)
        except Conflict:
            assert amount > total - accepted  # refused only when it would over-pay
            continue
        accepted += amount
        assert invoice.amount_paid == accepted
        assert invoice.amount_due == total - accepted
        assert (invoice.status == "paid") == (accepted == total)
        if invoice.status == "paid":
            break
    assert invoice.amount_paid <= invoice.total
