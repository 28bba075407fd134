from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

T = TypeVar("T")

# A money amount as the API writes it: a non-negative decimal string. How many decimals
# are allowed depends on the currency, which remit.money.parse_amount checks.
Amount = Annotated[
    str,
    StringConstraints(pattern=r"^\d{1,16}(\.\d{1,3})?$"),
    Field(examples=["1500.00"], description="Decimal string in the currency's major unit"),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$"), Field(examples=["EUR"])]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$"), Field(examples=["de"])]
Email = Annotated[
    str,
    StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,63}$", max_length=254),
    Field(examples=["billing@example.com"]),
]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4, examples=["19"])]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields, so a misspelt field is an error, not a no-op."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class ResponseModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Page(ResponseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


class ErrorBody(ResponseModel):
    code: str = Field(examples=["validation_error"])
    message: str
    field: str | None = None
