"""What request bodies accept, exactly as docs/openapi.json says: found by schemathesis,
kept by these tests."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from remit.schemas.account import AccountCreate, AccountPatch
from remit.schemas.common import Currency, IsoDateTime, Percent
from remit.schemas.decimals import LineQuantity
from remit.schemas.invoice import DiscountIn, PaymentIn
from remit.schemas.organization import InvoiceSettingsPatch
from remit_local.template import ROOT


@pytest.mark.parametrize(
    ("given", "taken"),
    [
        ("19", Decimal(19)),
        ("7.5", Decimal("7.5")),
        (1.5, Decimal("1.5")),
        (0.30000000000000004, Decimal("0.3")),
        (100, Decimal(100)),
    ],
)
def test_percentages_take_decimal_strings_and_numbers(given: Any, taken: Decimal) -> None:
    assert TypeAdapter(Percent).validate_python(given) == taken


@pytest.mark.parametrize(
    "given", ["101", "1e2", "abc", "-1", True, None, 0.12345, -3.7e16, 1e300, {"x": 1}, [19]]
)
def test_percentages_refuse_everything_else(given: Any) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Percent).validate_python(given)


@pytest.mark.parametrize("given", ["0", "0.000", "-2", "1.1234567", "1000000000", 0])
def test_quantities_are_positive_with_six_places_at_most(given: Any) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(LineQuantity).validate_python(given)
    assert TypeAdapter(LineQuantity).validate_python("0.000001") == Decimal("0.000001")


def test_currencies_are_iso_4217_in_upper_case() -> None:
    adapter = TypeAdapter(Currency)
    assert adapter.validate_python("EUR") == "EUR"
    for bad in ("eur", "AAA", "EU", "EURO"):
        with pytest.raises(ValidationError):
            adapter.validate_python(bad)


def test_times_are_iso_8601_with_an_offset() -> None:
    adapter = TypeAdapter(IsoDateTime)
    assert adapter.validate_python("2026-02-15T09:05:00Z").year == 2026
    for bad in ("0.5", 1700000000, "2026-02-15", "2026-02-15T09:05:00"):
        with pytest.raises(ValidationError):
            adapter.validate_python(bad)


def test_whole_numbers_may_be_written_as_24_0_but_not_as_strings_or_booleans() -> None:
    assert AccountCreate.model_validate({"name": "x", "autoPayDaysBefore": 3.0}).auto_pay_days_before == 3
    for bad in ("3", True, 3.5):
        with pytest.raises(ValidationError):
            AccountCreate.model_validate({"name": "x", "autoPayDaysBefore": bad})
    with pytest.raises(ValidationError):
        AccountCreate.model_validate({"name": "x", "autoPayEnabled": 1})


def test_null_clears_only_what_can_be_cleared() -> None:
    assert AccountPatch.model_validate({"email": None}).email is None
    with pytest.raises(ValidationError, match="left out, but not null") as refused:
        AccountPatch.model_validate({"name": None})
    assert refused.value.errors()[0]["loc"] == ("name",)
    assert InvoiceSettingsPatch.model_validate({"logoUrl": None}).logo_url is None
    for field in ("invoicePrefix", "accentColor", "lateFeePercentage"):
        with pytest.raises(ValidationError):
            InvoiceSettingsPatch.model_validate({field: None})
    # The schema says the same: null only where it clears.
    schema = AccountPatch.model_json_schema(by_alias=True)["properties"]
    assert {"type": "null"} in schema["email"]["anyOf"]
    assert "anyOf" not in schema["name"] or {"type": "null"} not in schema["name"]["anyOf"]


def test_a_discount_is_exactly_one_of_percent_or_amount() -> None:
    assert DiscountIn.model_validate({"percent": "10"}).percent == Decimal(10)
    for bad in ({}, {"percent": "10", "amount": "5.00"}, {"percent": None, "amount": "5.00"}):
        with pytest.raises(ValidationError):
            DiscountIn.model_validate(bad)
    assert DiscountIn.model_json_schema(by_alias=True)["oneOf"] == [
        {"required": ["percent"]},
        {"required": ["amount"]},
    ]


def test_ranges_reach_the_openapi_document_as_json_schema_keywords() -> None:
    # Pydantic writes "ge"/"le" when it cannot fold a range into the integer schema; JSON
    # Schema has no such keywords, so clients (and schemathesis) would send 0 for a 1..60.
    document = json.loads((ROOT / "docs" / "openapi.json").read_text())
    lost: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            lost.extend(f"{path}.{k}" for k in ("ge", "le", "gt", "lt") if k in node)
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(document, "")
    assert lost == []
    days = AccountCreate.model_json_schema(by_alias=True)["properties"]["autoPayDaysBefore"]["anyOf"][0]
    assert (days["minimum"], days["maximum"]) == (1, 60)


def test_emails_are_what_a_mail_server_takes_unquoted() -> None:
    # SES refuses (and moto's check misreads) an address that needs quoting, such as one
    # with a parenthesis; schemathesis found a stored one failing every send with a 502.
    for good in ("billing@example.com", "ap+remit@mail.acme.co.uk", "o'neil@x.io"):
        assert AccountCreate.model_validate({"name": "x", "email": good}).email == good
    for bad in ("a(b@c.de", "ä@ü.de", "a@b", "a@-b.cc", "a@b.cc\n", "a\x1c@b.cc", "a b@c.de"):
        with pytest.raises(ValidationError):
            AccountCreate.model_validate({"name": "x", "email": bad})


def test_patterns_read_the_same_in_every_regex_dialect() -> None:
    # Python's \d takes Arabic-Indic digits and its $ a trailing newline; OpenAPI readers
    # (ECMAScript) take neither, so the code must not either.
    for bad in ("15\n", "\u0661\u0665", "15.5\n", "\uff11\uff15"):  # Arabic-Indic, full-width
        with pytest.raises(ValidationError):
            PaymentIn.model_validate({"amount": bad, "method": "check"})
        with pytest.raises(ValidationError):
            TypeAdapter(Percent).validate_python(bad)
    assert PaymentIn.model_validate({"amount": "15.5", "method": "check"}).amount == "15.5"
    for bad in ("net_\u0663\u0660", "net_30\n"):
        with pytest.raises(ValidationError):
            AccountPatch.model_validate({"invoiceSettings": {"paymentTerms": bad}})
