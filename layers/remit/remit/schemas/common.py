from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.alias_generators import to_camel

from remit import money
from remit.schemas import decimals

T = TypeVar("T")

# A money amount as the API writes it: a non-negative decimal string. How many decimals
# are allowed depends on the currency, which remit.money.parse_amount checks.
Amount = Annotated[
    str,
    StringConstraints(pattern=money.AMOUNT_PATTERN),
    Field(examples=["1500.00"], description="Decimal string in the currency's major unit"),
]


def _iso_currency(code: str) -> str:
    if code not in money.known_currencies():
        raise ValueError(f"{code!r} is not an ISO 4217 currency code (upper case, as EUR)")
    return code


Currency = Annotated[
    str,
    AfterValidator(_iso_currency),
    WithJsonSchema({"type": "string", "enum": sorted(money.known_currencies()), "examples": ["EUR"]}),
]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$"), Field(examples=["de"])]
# Whitespace and control characters, spelt out: \s means something else in Python, Rust
# and ECMAScript (the dialect OpenAPI readers use), and the schema must say exactly what
# the code takes.
BLANK = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# What a mail server takes without quoting (the HTML standard's rule for type=email, with
# a dot and a top-level domain): SES refuses, or misreads, addresses that need quotes.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,64}}@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$"
Email = Annotated[
    str,
    StringConstraints(pattern=EMAIL_PATTERN, max_length=254),
    Field(examples=["billing@example.com"]),
]
Percent = decimals.Percent
# Some visible character; taken as given (stripping would make the length the schema
# states differ from the length the code checks).
VISIBLE = rf"[^{BLANK}]"
# Bidirectional embeddings, overrides and isolates: they make text display in another
# order than it is stored ("Trojan Source"), so a name could show as something it is not.
# (The marks U+200E, U+200F, which only nudge, are taken.)
BIDI = r"\u202a-\u202e\u2066-\u2069"
# What text may never hold: control characters (NUL first: C strings, PDFs and mail
# headers end at it) and the bidirectional controls. Names are one line, so no tab or
# line break either; longer text keeps its tabs and line breaks.
NAME_UNSAFE = rf"\x00-\x1f\x7f-\x9f{BIDI}"
TEXT_UNSAFE = rf"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI}"
# A name: one visible character at least, nothing unsafe anywhere.
NAME_PATTERN = rf"^[^{NAME_UNSAFE}]*[^{BLANK}{BIDI}][^{NAME_UNSAFE}]*$"
# Text that must say something (a line's description): line breaks allowed.
VISIBLE_TEXT_PATTERN = rf"^[^{TEXT_UNSAFE}]*[^{BLANK}{BIDI}][^{TEXT_UNSAFE}]*$"
# What a 422 says when one of these patterns refuses a value (the pattern itself means
# nothing to a person).
PATTERN_MESSAGES = {
    NAME_PATTERN: "needs a visible character and may not hold control characters (such as NUL), "
    "line breaks or bidirectional override characters",
    VISIBLE_TEXT_PATTERN: "needs a visible character and may not hold control characters (such as NUL) "
    "or bidirectional override characters",
}


# Names: accounts, organizations, products, API keys, an email's fromName.
ShortText = Annotated[str, StringConstraints(max_length=200, pattern=NAME_PATTERN)]


_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$")


def _iso_datetime_only(value: Any) -> Any:
    # Pydantic would take 0.5 or 1700000000 as Unix time; the API speaks ISO 8601 only.
    if not isinstance(value, str) or not _ISO_DATETIME.match(value):
        raise ValueError("give a date and time in ISO 8601 with its offset, as 2026-02-15T09:05:00Z")
    return value


IsoDateTime = Annotated[
    datetime,
    BeforeValidator(_iso_datetime_only),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-02-15T09:05:00Z"]}),
]


def _whole_number(value: Any) -> Any:
    # JSON has one number type: 24.0 is the integer 24 (as JSON Schema says), but true,
    # "24" and 24.5 are not integers.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("give a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("give a whole number")
        return int(value)
    return value


# Whole numbers and booleans in request bodies: nothing is coerced from strings. A range
# goes *before* the validator (Annotated[int, Field(ge=1), WholeNumber]): on the other side
# pydantic cannot fold it into the integer schema and the OpenAPI document would carry
# "ge" instead of "minimum", which no client understands.
WholeNumber = BeforeValidator(_whole_number)
Int = Annotated[int, WholeNumber]


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields, so a misspelt field is an error, not a no-op."""

    # rust-regex (pydantic's default, stated): "$" is the end of the text; Python's re would
    # also take a trailing newline. Patterns spell out [0-9] and BLANK rather than \d, \s.
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", regex_engine="rust-regex"
    )


def no_null_unless_clearable(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """The documented schema says what the validator does: a field may be left out, but
    only the fields that can be cleared take ``null``."""
    clearable = {cls.model_fields[name].alias or name for name in getattr(cls, "clearable", ())}
    for name, prop in schema.get("properties", {}).items():
        options = prop.get("anyOf")
        if name in clearable or not options:
            continue
        rest = [o for o in options if o != {"type": "null"}]
        prop.pop("anyOf")
        if len(rest) == 1:
            prop.update(rest[0])
        else:
            prop["anyOf"] = rest


class PatchModel(RequestModel):
    """A partial update: fields left out stay as they are. ``null`` clears a field, and so
    is accepted only for the fields listed in ``clearable`` (a name or a currency cannot
    be cleared); for the others it is a 422, never a stored null."""

    model_config = ConfigDict(json_schema_extra=no_null_unless_clearable)
    clearable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        # Runs only for fields present in the request, so a left-out field stays untouched.
        if value is None and info.field_name not in cls.clearable:
            raise ValueError("may be left out, but not null")
        return value


class ResponseModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Page(ResponseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


class ErrorBody(ResponseModel):
    code: str = Field(examples=["validation_error"])
    message: str
    field: str | None = None
