"""Payment terms: ``net_N`` (due N days after issue) and ``due_on_receipt``."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated

from pydantic import StringConstraints

from remit.errors import ValidationFailed

MAX_NET_DAYS = 365
# net_0 .. net_365, spelled without leading zeros.
TERMS_PATTERN = r"^(due_on_receipt|net_([0-9]|[1-9][0-9]|[12][0-9][0-9]|3[0-5][0-9]|36[0-5]))$"

PaymentTerms = Annotated[str, StringConstraints(pattern=TERMS_PATTERN)]

_NET = re.compile(r"^net_([0-9]{1,3})$")


def days_until_due(terms: str) -> int:
    if terms == "due_on_receipt":
        return 0
    match = _NET.match(terms)
    if not match or int(match.group(1)) > MAX_NET_DAYS:
        raise ValidationFailed(
            f"payment terms must be due_on_receipt or net_N with N from 0 to {MAX_NET_DAYS}",
            field="paymentTerms",
        )
    return int(match.group(1))


def due_date(terms: str, issued_on: date) -> date:
    """Due dates are calendar days counted from the issue date (a day in the account's zone)."""
    return issued_on + timedelta(days=days_until_due(terms))
