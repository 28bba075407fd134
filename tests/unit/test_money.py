from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.errors import ValidationFailed
from remit.money import (
    MAX_MINOR,
    allocate,
    canonical,
    check_currency,
    exponent,
    format_amount,
    parse_amount,
    percent_of,
    round_half_up,
)

CURRENCIES = ["USD", "EUR", "JPY", "KWD", "BHD", "CLP"]


@pytest.mark.parametrize(("currency", "digits"), [("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3), ("CLP", 0)])
def test_exponents_follow_iso_4217(currency: str, digits: int) -> None:
    assert exponent(currency) == digits


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1500.00", "USD", 150000),
        ("1500", "USD", 150000),
        ("0.5", "USD", 50),
        ("1500", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("0.001", "KWD", 1),
        ("0", "EUR", 0),
    ],
)
def test_parse_amount(text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency, "amount") == minor


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("1.005", "USD"),
        ("1.5", "JPY"),
        ("1.2345", "KWD"),
        ("-1.00", "USD"),
        ("1e3", "USD"),
        ("", "USD"),
        (" 1", "USD"),
        ("1,00", "EUR"),
        ("NaN", "USD"),
        ("100000000000.01", "USD"),
    ],
)
def test_parse_amount_refuses_what_the_currency_cannot_hold(text: str, currency: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_amount(text, currency, "lineItems[0].unitAmount")
    assert err.value.field == "lineItems[0].unitAmount"


def test_format_amount_uses_the_currency_exponent() -> None:
    assert format_amount(150000, "USD") == "1500.00"
    assert format_amount(5, "USD") == "0.05"
    assert format_amount(1500, "JPY") == "1500"
    assert format_amount(1, "KWD") == "0.001"
    assert format_amount(-250, "EUR") == "-2.50"


@given(st.integers(min_value=0, max_value=MAX_MINOR), st.sampled_from(CURRENCIES))
def test_amounts_round_trip_exactly(minor: int, currency: str) -> None:
    assert parse_amount(format_amount(minor, currency), currency, "amount") == minor


@pytest.mark.parametrize(
    ("value", "rounded"), [("0.5", 1), ("1.5", 2), ("2.5", 3), ("2.4999", 2), ("-0.5", -1)]
)
def test_rounding_is_half_up_away_from_zero(value: str, rounded: int) -> None:
    assert round_half_up(Decimal(value)) == rounded


def test_percent_of_rounds_half_up() -> None:
    assert percent_of(4499, Decimal(7)) == 315  # 314.93
    assert percent_of(30, Decimal(5)) == 2  # 1.5 -> 2
    assert percent_of(10000, Decimal("8.875")) == 888  # 887.5 -> 888


@given(
    st.integers(min_value=0, max_value=10**9),
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30),
)
def test_allocate_splits_exactly_and_proportionally(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    whole = sum(weights)
    assert len(parts) == len(weights)
    if whole == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(total) * weight / whole
        assert abs(part - exact) < 1


def test_allocate_gives_leftover_units_to_the_largest_remainders() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(10, [5, 3, 2]) == [5, 3, 2]
    assert allocate(1, [1, 2]) == [0, 1]


def test_check_currency_normalizes_and_refuses_unknown_codes() -> None:
    assert check_currency("eur") == "EUR"
    with pytest.raises(ValidationFailed) as err:
        check_currency("ABC", "invoiceSettings.currency")
    assert err.value.field == "invoiceSettings.currency"


def test_canonical_never_uses_exponent_notation() -> None:
    assert str(canonical(Decimal("10"))) == "10"
    assert str(canonical(Decimal("19.000"))) == "19"
    assert str(canonical(Decimal("8.8750"))) == "8.875"
    assert str(canonical(Decimal("100"))) == "100"
