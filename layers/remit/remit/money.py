"""Money: an integer count of minor units plus an ISO 4217 currency.

No float ever holds money. The API speaks decimal strings ("1500.00"); everything inside
speaks integers. Conversions happen here and only here, and every rounding is explicit
(``round_half_up``), so the rules in docs/money.md can be read off this file.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache

from babel.numbers import get_currency_precision, list_currencies

from remit.errors import ValidationFailed

# The largest amount any field may hold, in minor units: 13 nines is 100 billion dollars
# less a cent, far beyond an invoice, far inside int64 and DynamoDB's 38 digits.
MAX_DIGITS = 13
MAX_MINOR = 10**MAX_DIGITS - 1

# Any currency's amount: a decimal string with at most 4 places (CLF, UYW have 4).
AMOUNT_PATTERN = rf"^[0-9]{{1,{MAX_DIGITS}}}(\.[0-9]{{1,4}})?$"
_AMOUNT = re.compile(AMOUNT_PATTERN)


class AmountOutOfRange(ValidationFailed):
    """An amount of the right shape that its currency cannot hold (too many places, too
    large). Where the currency was implied (the account's, the invoice's), the service
    answers it as a conflict with that state; where the request named it, as bad input."""


def currencies_by_places() -> dict[int, list[str]]:
    """ISO 4217 codes grouped by their exponent: {0: [JPY ...], 2: [EUR, USD ...], ...}."""
    groups: dict[int, list[str]] = {}
    for code in sorted(known_currencies()):
        groups.setdefault(exponent(code), []).append(code)
    return dict(sorted(groups.items()))


def amount_pattern(places: int) -> str:
    """An amount in a currency with ``places`` decimals: no more places than it has and at
    most MAX_MINOR in minor units. Schemas that know the currency state this pattern and
    parse_amount checks it, so the two say the same."""
    whole = MAX_DIGITS - places
    return rf"^[0-9]{{1,{whole}}}(\.[0-9]{{1,{places}}})?$" if places else rf"^[0-9]{{1,{whole}}}$"


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@lru_cache(maxsize=512)
def exponent(currency: str) -> int:
    """Digits after the decimal point: USD 2, JPY 0, KWD 3 (ISO 4217, as CLDR publishes it)."""
    return int(get_currency_precision(currency))


def check_currency(code: str, field: str = "currency") -> str:
    """Return the upper-cased code if it is an ISO 4217 currency, else refuse naming ``field``."""
    upper = code.upper()
    if upper not in known_currencies():
        raise ValidationFailed(f"{code!r} is not an ISO 4217 currency code", field=field)
    return upper


def parse_amount(text: str, currency: str, field: str) -> int:
    """Parse a decimal string into minor units, refusing anything the currency cannot hold.

    "1500.00" USD -> 150000; "1500" JPY -> 1500; "1.005" USD is refused rather than
    rounded, because silently changing an amount someone typed is worse than asking.
    """
    if not isinstance(text, str) or not _AMOUNT.fullmatch(text):
        raise ValidationFailed('must be a non-negative decimal string such as "1500.00"', field=field)
    digits = exponent(currency)
    whole, _, frac = text.partition(".")
    if len(frac) > digits:
        raise AmountOutOfRange(f"{currency} amounts have at most {digits} decimal places", field=field)
    if not re.fullmatch(amount_pattern(digits), text):
        raise AmountOutOfRange(
            f"amount exceeds the maximum of {format_amount(MAX_MINOR, currency)}", field=field
        )
    minor: int = int(whole) * 10**digits + (int(frac.ljust(digits, "0")) if digits else 0)
    return minor


def format_amount(minor: int, currency: str) -> str:
    """Minor units back to the API's decimal string: 150000 USD -> "1500.00"."""
    digits = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}" if digits else f"{sign}{whole}"


def round_half_up(value: Decimal) -> int:
    """Round a fractional count of minor units to a whole one, halves away from zero.

    This is the one rounding rule of Remit (commercial rounding, as invoices are read by
    people): 0.5 cent becomes 1 cent, -0.5 becomes -1.
    """
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(minor: int, percent: Decimal) -> int:
    """``percent`` % of an amount, rounded half up to a whole minor unit."""
    return round_half_up(Decimal(minor) * percent / 100)


def to_decimal(text: str | int | Decimal, field: str) -> Decimal:
    """A plain decimal (quantity, percentage) from the API, never via float."""
    try:
        value = Decimal(str(text))
    except InvalidOperation as exc:
        raise ValidationFailed("must be a decimal number", field=field) from exc
    if not value.is_finite():
        raise ValidationFailed("must be a finite decimal number", field=field)
    return value


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights`` so the parts sum exactly.

    Largest-remainder method: each part gets its floor share, and the units left over go
    to the largest fractional remainders, earlier positions first on ties. Used to spread
    an invoice-level discount over the lines it reduces.
    """
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    shares = [divmod(total * w, whole) for w in weights]
    parts = [q for q, _ in shares]
    leftover = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return parts


def canonical(value: Decimal) -> Decimal:
    """The shortest plain form of a decimal: 19.0 -> 19, 8.8750 -> 8.875, never 1E+1."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal  # type: ignore[operator]
