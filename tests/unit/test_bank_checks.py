"""What the hosted pages check in a new bank account before anything reaches a gateway: a US
routing number's ABA checksum, an IBAN's country length and mod-97 check digits, the
holder's name and the accepted mandate; each problem is named for the page to translate."""

from __future__ import annotations

import pytest

from remit.pages.bank import BankForm, compact, iban_valid, routing_number_valid


@pytest.mark.parametrize(
    ("routing", "valid"),
    [
        ("110000000", True),  # Stripe's test routing number
        ("021000021", True),  # a real one (JPMorgan Chase, NY)
        ("011000015", True),
        ("110000001", False),  # one digit off: the checksum catches it
        ("021000012", False),  # two digits swapped
        ("11000000", False),  # eight digits
        ("11000000a", False),
    ],
)
def test_routing_numbers_have_nine_digits_and_a_matching_checksum(routing: str, valid: bool) -> None:
    assert routing_number_valid(routing) is valid


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("DE89 3704 0044 0532 0130 00", True),
        ("de62370400440532013001", True),
        ("FR14 2004 1010 0505 0001 3M02 606", True),
        ("NL91ABNA0417164300", True),
        ("DE89370400440532013001", False),  # last digit changed: mod 97 is no longer 1
        ("DE98370400440532013000", False),  # check digits swapped
        ("DE8937040044053201300", False),  # one character short for Germany
        ("XX89370400440532013000", False),  # no such country
        ("", False),
    ],
)
def test_ibans_are_checked_for_length_and_mod_97(iban: str, valid: bool) -> None:
    assert iban_valid(compact(iban)) is valid


def ach(**changes: str | bool) -> BankForm:
    fields: dict[str, object] = {
        "type": "ach",
        "holder": "Globex LLC",
        "routing_number": "110000000",
        "account_number": "000123456789",
        "account_type": "checking",
        "mandate": True,
    }
    return BankForm(**{**fields, **changes})  # type: ignore[arg-type]


def test_each_problem_of_a_bank_form_is_named_first_the_mandate_then_the_holder_then_numbers() -> None:
    assert ach().problem() is None
    assert ach(mandate=False).problem() == "mandate_missing"
    assert ach(holder="  ").problem() == "holder_missing"
    assert ach(routing_number="110000001").problem() == "routing_invalid"
    assert ach(account_number="12").problem() == "account_invalid"
    assert ach(account_type="brokerage").problem() == "account_invalid"
    sepa = BankForm(type="sepa", holder="Beispiel GmbH", iban="DE89 3704 0044 0532 0130 00", mandate=True)
    assert sepa.problem() is None
    assert sepa.last4() == "3000"
    assert BankForm(type="sepa", holder="B", iban="DE89370400440532013001", mandate=True).problem() == (
        "iban_invalid"
    )
    # Stripe.js tokenized the numbers in the browser: only its id arrives, and it must be one.
    assert BankForm(type="sepa", holder="", token="pm_1Sepa", mandate=True).problem() is None
    assert BankForm(type="sepa", holder="", token="DE89370400440532013000", mandate=True).problem() == (
        "account_invalid"
    )
