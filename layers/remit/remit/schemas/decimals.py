"""Decimal inputs (percentages, quantities) whose JSON schema says exactly what is
accepted: a decimal string in the range with at most so many places, or a JSON number in
the range. A number that is a float's rendering of such a decimal (0.30000000000000004
for 0.3) is taken as that decimal; anything else is refused, never rounded."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

# How far a float may sit from the decimal it stands for: well above binary noise
# (~1e-16 relative), well below the smallest step any field allows (1e-6).
_NOISE = Decimal("1e-9")


def _trim(value: Decimal) -> Decimal:
    """0.3000 -> 0.3 and 100.0 -> 100, without normalize()'s exponent form (1E+2)."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _parse(places: int, pattern: str) -> Any:
    step = Decimal(1).scaleb(-places)
    shape = re.compile(pattern)

    def parse(value: Any) -> Decimal:
        if isinstance(value, str):
            if not shape.fullmatch(value):
                raise ValueError(f"not a decimal in range with at most {places} places")
            return Decimal(value)
        if isinstance(value, Decimal):  # from Python callers, not from JSON
            value = str(value)
            if not shape.fullmatch(value):
                raise ValueError(f"not a decimal in range with at most {places} places")
            return Decimal(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("give a decimal string or a number")
        try:
            exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation as exc:
            raise ValueError("not a finite number") from exc
        if not exact.is_finite():
            raise ValueError("not a finite number")
        try:
            nearest = exact.quantize(step)
        except InvalidOperation as exc:  # more digits than a Decimal context holds
            raise ValueError("out of range") from exc
        if abs(exact - nearest) > _NOISE:
            raise ValueError(f"at most {places} decimal places")
        return _trim(nearest)

    return parse


def _schema(pattern: str, minimum: int, maximum: int, places: int, exclusive: bool) -> WithJsonSchema:
    number: dict[str, Any] = {"type": "number", "maximum": maximum}
    number["multipleOf"] = float(Decimal(1).scaleb(-places))
    number["exclusiveMinimum" if exclusive else "minimum"] = minimum
    return WithJsonSchema({"anyOf": [{"type": "string", "pattern": pattern}, number]})


def _quantity_pattern(digits: int) -> str:
    """Positive (some digit is not 0), up to ``digits`` whole digits and 6 places."""
    return rf"^(?=.*[1-9])[0-9]{{1,{digits}}}(\.[0-9]{{1,6}})?$"


PERCENT_PATTERN = r"^(100(\.0{1,4})?|[0-9]{1,2}(\.[0-9]{1,4})?)$"
Percent = Annotated[
    Decimal,
    BeforeValidator(_parse(4, PERCENT_PATTERN)),
    Field(ge=0, le=100, examples=["19", "7.5"]),
    _schema(PERCENT_PATTERN, 0, 100, 4, exclusive=False),
]
LineQuantity = Annotated[
    Decimal,
    BeforeValidator(_parse(6, _quantity_pattern(9))),
    Field(gt=0, le=999_999_999, examples=["1", "2.5"]),
    _schema(_quantity_pattern(9), 0, 999_999_999, 6, exclusive=True),
]
SubscriptionQuantity = Annotated[
    Decimal,
    BeforeValidator(_parse(6, _quantity_pattern(6))),
    Field(gt=0, le=999_999, examples=["1"]),
    _schema(_quantity_pattern(6), 0, 999_999, 6, exclusive=True),
]
