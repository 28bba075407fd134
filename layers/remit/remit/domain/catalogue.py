"""Products and their prices. A price never changes once it exists: to bill differently,
archive it and add another, so every invoice and subscription keeps what it billed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from remit.domain.base import DomainModel

Interval = Literal["month", "quarter", "year"]
MONTHS_PER_INTERVAL: dict[Interval, int] = {"month": 1, "quarter": 3, "year": 12}


class Recurring(DomainModel):
    interval: Interval
    interval_count: int = 1

    @property
    def months(self) -> int:
        """The period's length in calendar months."""
        return MONTHS_PER_INTERVAL[self.interval] * self.interval_count


class Price(DomainModel):
    id: str
    product_id: str
    currency: str
    unit_amount: int
    tax_rate: Decimal | None = None
    recurring: Recurring | None = None
    active: bool = True
    created_at: datetime


class Product(DomainModel):
    id: str
    organization_id: str
    name: str
    description: str | None = None
    active: bool = True
    prices: list[Price] = []
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def price(self, price_id: str) -> Price | None:
        return next((p for p in self.prices if p.id == price_id), None)
