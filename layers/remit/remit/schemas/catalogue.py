from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from remit.domain.catalogue import Price, Product
from remit.money import amount_pattern, canonical, currencies_by_places, format_amount
from remit.schemas.common import (
    Amount,
    Currency,
    Page,
    PatchModel,
    Percent,
    RequestModel,
    ResponseModel,
    ShortText,
    WholeNumber,
)

Description = Annotated[str, StringConstraints(max_length=1000)]


class RecurringIn(RequestModel):
    interval: Literal["month", "quarter", "year"]
    interval_count: Annotated[int, Field(ge=1, le=36), WholeNumber] = 1


def _amount_by_currency(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    # parse_amount's rule, stated for clients: the places (and whole digits) an amount may
    # have depend on its currency's exponent (JPY 0, USD 2, KWD 3, CLF 4).
    schema["oneOf"] = [
        {"properties": {"currency": {"enum": codes}, "unitAmount": {"pattern": amount_pattern(places)}}}
        for places, codes in currencies_by_places().items()
    ]


class PriceIn(RequestModel):
    """One-time when ``recurring`` is absent."""

    model_config = ConfigDict(json_schema_extra=_amount_by_currency)

    currency: Currency
    unit_amount: Amount
    tax_rate: Percent | None = None
    recurring: RecurringIn | None = None


class ProductCreate(RequestModel):
    name: ShortText
    description: Description | None = None
    prices: Annotated[list[PriceIn], Field(max_length=50)] = []


class ProductPatch(PatchModel):
    """Prices are never edited: add new ones, and archive the ones to retire."""

    clearable = frozenset({"description"})

    name: ShortText | None = None
    description: Description | None = None
    active: StrictBool | None = None
    add_prices: Annotated[list[PriceIn], Field(max_length=50)] = []
    archive_price_ids: Annotated[
        list[Annotated[str, StringConstraints(max_length=64)]], Field(max_length=50)
    ] = []


class RecurringOut(ResponseModel):
    interval: Literal["month", "quarter", "year"]
    interval_count: int


class PriceOut(ResponseModel):
    id: str
    currency: str
    unit_amount: str
    tax_rate: str | None
    recurring: RecurringOut | None
    active: bool

    @classmethod
    def of(cls, price: Price) -> PriceOut:
        return cls(
            id=price.id,
            currency=price.currency,
            unit_amount=format_amount(price.unit_amount, price.currency),
            tax_rate=None if price.tax_rate is None else str(canonical(price.tax_rate)),
            recurring=RecurringOut(**price.recurring.model_dump()) if price.recurring else None,
            active=price.active,
        )


class ProductOut(ResponseModel):
    id: str
    name: str
    description: str | None
    active: bool
    prices: list[PriceOut]
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, product: Product) -> ProductOut:
        stamps = product.model_dump(mode="json", include={"created_at", "updated_at"})
        return cls(
            id=product.id,
            name=product.name,
            description=product.description,
            active=product.active,
            prices=[PriceOut.of(p) for p in product.prices],
            **stamps,
        )


class ProductPage(Page[ProductOut]):
    pass
