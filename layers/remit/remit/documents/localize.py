"""Numbers, money and dates for a reader: Babel formats them for the account's language
(1,234.56 $ in English, 1.234,56 € in German, 1 234,56 € in French)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal, format_percent

from remit.money import exponent


@lru_cache(maxsize=64)
def locale_of(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def major(minor: int, currency: str) -> Decimal:
    """Minor units as an exact Decimal in the major unit (150000 USD -> 1500.00)."""
    return Decimal(minor).scaleb(-exponent(currency))


def money(minor: int, currency: str, language: str) -> str:
    return format_currency(major(minor, currency), currency, locale=locale_of(language))


def number(value: Decimal, language: str) -> str:
    return format_decimal(value, locale=locale_of(language))


def percent(rate: Decimal, language: str) -> str:
    """A rate given in percent (19 -> "19 %" in German, "19%" in English)."""
    # The locale's own pattern ("19 %" in German), keeping a rate's decimals (7.5 %).
    return format_percent(rate / 100, locale=locale_of(language), decimal_quantization=False)


def day(value: date | None, language: str) -> str:
    # babel.dates (with its plural rules) costs ~20 ms to import; load it when first used.
    from babel.dates import format_date

    return "" if value is None else format_date(value, format="medium", locale=locale_of(language))
