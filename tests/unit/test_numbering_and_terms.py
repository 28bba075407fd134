from __future__ import annotations

from datetime import date

import pytest

from remit.domain.numbering import NumberFormat
from remit.domain.terms import days_until_due, due_date
from remit.errors import ValidationFailed


@pytest.mark.parametrize(
    ("prefix", "fmt", "on", "seq", "number", "scope"),
    [
        ("INV-", "YYYY-NNNNN", date(2024, 1, 20), 1, "INV-2024-00001", "INV-2024-*"),
        ("INV-", "YYYY-NNNNN", date(2024, 12, 31), 123456, "INV-2024-123456", "INV-2024-*"),
        ("", "YYYYMM-NNNN", date(2026, 3, 5), 42, "202603-0042", "202603-*"),
        ("A/", "YY.MM.DD/NNN", date(2026, 3, 5), 7, "A/26.03.05/007", "A/26.03.05/*"),
        ("ACME", "NNNNNN", date(2026, 3, 5), 9, "ACME000009", "ACME*"),
    ],
)
def test_numbers_render_from_the_format(
    prefix: str, fmt: str, on: date, seq: int, number: str, scope: str
) -> None:
    parsed = NumberFormat.parse(prefix, fmt)
    assert parsed.number(on, seq) == number
    assert parsed.scope(on) == scope


def test_yearly_formats_restart_each_year_and_flat_ones_never() -> None:
    yearly = NumberFormat.parse("INV-", "YYYY-NNNNN")
    assert yearly.scope(date(2025, 12, 31)) != yearly.scope(date(2026, 1, 1))
    assert yearly.scope(date(2026, 1, 1)) == yearly.scope(date(2026, 12, 31))
    flat = NumberFormat.parse("INV-", "NNNNN")
    assert flat.scope(date(2025, 12, 31)) == flat.scope(date(2026, 1, 1))


@pytest.mark.parametrize(
    ("prefix", "fmt", "field"),
    [
        ("INV-", "YYYY", "invoiceNumberFormat"),
        ("INV-", "NN", "invoiceNumberFormat"),
        ("INV-", "NNN-NNN", "invoiceNumberFormat"),
        ("INV-", "YYYY-XNNNN", "invoiceNumberFormat"),
        ("INV-", "NNNNNNNNNNN", "invoiceNumberFormat"),
        ("INV <", "NNNNN", "invoicePrefix"),
    ],
)
def test_bad_formats_are_refused_naming_the_field(prefix: str, fmt: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        NumberFormat.parse(prefix, fmt)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("terms", "days"), [("due_on_receipt", 0), ("net_0", 0), ("net_30", 30), ("net_365", 365)]
)
def test_payment_terms(terms: str, days: int) -> None:
    assert days_until_due(terms) == days


def test_due_date_counts_calendar_days_from_issue() -> None:
    assert due_date("net_30", date(2026, 1, 15)) == date(2026, 2, 14)
    assert due_date("net_45", date(2024, 1, 20)) == date(2024, 3, 5)  # across a leap February
    assert due_date("due_on_receipt", date(2026, 1, 15)) == date(2026, 1, 15)


@pytest.mark.parametrize("terms", ["net_366", "net_-1", "net30", "cod", ""])
def test_bad_terms_are_refused(terms: str) -> None:
    with pytest.raises(ValidationFailed):
        days_until_due(terms)
