"""Checking what a customer types for a new bank account, before anything reaches a gateway:
a US routing number's checksum (ABA), an IBAN's length for its country and its mod-97
check digits (ISO 13616). Each check says what is wrong in a word the page translates.

Small and explicit on purpose: the layer carries no bank-data library for two checksums."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Literal

BankType = Literal["ach", "sepa"]
# What a page offers for a currency: ACH debits dollars, SEPA euros.
BANK_FOR_CURRENCY: dict[str, BankType] = {"USD": "ach", "EUR": "sepa"}

# IBAN lengths of the SEPA countries (ISO 13616 registry).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "VA": 22,
}  # fmt: skip
_SPACES = re.compile(r"[\s-]+")
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]+$")
_ROUTING_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)

BankProblem = Literal[
    "holder_missing", "routing_invalid", "account_invalid", "iban_invalid", "mandate_missing"
]


def compact(value: str) -> str:
    return _SPACES.sub("", value).upper()


def routing_number_valid(routing: str) -> bool:
    """Nine digits whose weighted sum (3, 7, 1, ...) is a multiple of ten."""
    if len(routing) != 9 or not routing.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(routing, _ROUTING_WEIGHTS, strict=True)) % 10 == 0


def account_number_valid(account: str) -> bool:
    """US account numbers are 4 to 17 digits."""
    return account.isdigit() and 4 <= len(account) <= 17


def iban_valid(iban: str) -> bool:
    """``iban`` compact (``compact``): a SEPA country's length, and the number made of the
    country and check digits moved to the end (letters as 10..35) is 1 modulo 97."""
    if not _IBAN_SHAPE.match(iban) or IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(string.ascii_uppercase.index(c) + 10) if c.isalpha() else c for c in rearranged)
    return int(digits) % 97 == 1


@dataclass(frozen=True)
class BankForm:
    """A new bank account as the page's form has it. On the sandbox the numbers name one
    of its test methods and go no further; on Stripe, Stripe.js turned them into a
    PaymentMethod in the browser and only its id (``token``) arrives."""

    type: BankType
    holder: str
    routing_number: str = ""
    account_number: str = ""
    account_type: str = "checking"  # ACH: checking or savings
    iban: str = ""
    mandate: bool = False
    token: str = ""

    def problem(self) -> BankProblem | None:
        """What is wrong with the form, the first thing a customer should fix; None: fine."""
        if not self.mandate:
            return "mandate_missing"
        if self.token:
            # Stripe checked the numbers in the browser; the holder went with them.
            return None if self.token.startswith("pm_") and len(self.token) <= 255 else "account_invalid"
        if not self.holder.strip():
            return "holder_missing"
        if self.type == "ach":
            if not routing_number_valid(compact(self.routing_number)):
                return "routing_invalid"
            if not account_number_valid(compact(self.account_number)) or self.account_type not in (
                "checking",
                "savings",
            ):
                return "account_invalid"
            return None
        return None if iban_valid(compact(self.iban)) else "iban_invalid"

    def last4(self) -> str:
        number = compact(self.account_number if self.type == "ach" else self.iban)
        return number[-4:]
