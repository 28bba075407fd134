from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints

from remit.domain.organization import AutoPayTiming
from remit.domain.subscription import Subscription, SubscriptionItem
from remit.money import canonical, format_amount
from remit.schemas.catalogue import RecurringOut
from remit.schemas.common import Page, PatchModel, RequestModel, ResponseModel, WholeNumber
from remit.schemas.decimals import SubscriptionQuantity

Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Quantity = SubscriptionQuantity


class SubscriptionItemIn(RequestModel):
    price_id: Id
    quantity: Quantity = Decimal(1)


class AutoPayIn(RequestModel):
    """Overrides the account's AutoPay settings for this subscription's invoices."""

    enabled: StrictBool | None = None
    timing: AutoPayTiming | None = None
    days_before: Annotated[int, Field(ge=1, le=60), WholeNumber] | None = None


class SubscriptionCreate(RequestModel):
    account_id: Id
    items: Annotated[list[SubscriptionItemIn], Field(min_length=1, max_length=20)]
    start_date: datetime | None = Field(
        None, description="Defaults to now; the first period is billed at the start"
    )
    billing_anchor: datetime | None = Field(
        None,
        description="Periods renew on this date's day and time; defaults to the start date. An anchor after "
        "the start makes a shorter, prorated first period.",
    )
    collection_method: Literal["charge_automatically", "send_invoice"] = "charge_automatically"
    auto_pay: AutoPayIn | None = None


class SubscriptionPatch(PatchModel):
    """``items`` replaces the whole list from the next period on (no mid-period proration);
    null removes the AutoPay override."""

    clearable = frozenset({"auto_pay"})

    items: Annotated[list[SubscriptionItemIn], Field(min_length=1, max_length=20)] | None = None
    collection_method: Literal["charge_automatically", "send_invoice"] | None = None
    auto_pay: AutoPayIn | None = None


class CancelIn(RequestModel):
    at_period_end: StrictBool = False


class SubscriptionItemOut(ResponseModel):
    id: str
    price_id: str
    product_id: str
    description: str
    quantity: str
    unit_amount: str
    tax_rate: str | None


class AutoPayOut(ResponseModel):
    enabled: bool | None
    timing: AutoPayTiming | None
    days_before: int | None


class SubscriptionOut(ResponseModel):
    id: str
    account_id: str
    status: Literal["active", "paused", "canceled"]
    currency: str
    recurring: RecurringOut
    items: list[SubscriptionItemOut]
    pending_items: list[SubscriptionItemOut] | None
    collection_method: Literal["charge_automatically", "send_invoice"]
    auto_pay: AutoPayOut | None
    start_date: str
    billing_anchor: str
    current_period_start: str | None = Field(description="The last period billed")
    current_period_end: str | None
    next_period_start: str | None = Field(description="When the next invoice is generated; null while paused")
    cancel_at_period_end: bool
    paused_at: str | None
    canceled_at: str | None
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, sub: Subscription) -> SubscriptionOut:
        def items(lines: list[SubscriptionItem]) -> list[SubscriptionItemOut]:
            return [
                SubscriptionItemOut(
                    id=i.id,
                    price_id=i.price_id,
                    product_id=i.product_id,
                    description=i.description,
                    quantity=str(canonical(i.quantity)),
                    unit_amount=format_amount(i.unit_amount, sub.currency),
                    tax_rate=None if i.tax_rate is None else str(canonical(i.tax_rate)),
                )
                for i in lines
            ]

        data = sub.model_dump(
            mode="json",
            include={
                "start_date",
                "billing_anchor",
                "next_period_start",
                "current_period_start",
                "current_period_end",
                "paused_at",
                "canceled_at",
                "created_at",
                "updated_at",
            },
        )
        return cls(
            id=sub.id,
            account_id=sub.account_id,
            status=sub.status,
            currency=sub.currency,
            recurring=RecurringOut(**sub.recurring.model_dump()),
            items=items(sub.items),
            pending_items=items(sub.pending_items) if sub.pending_items is not None else None,
            collection_method=sub.collection_method,
            auto_pay=AutoPayOut(**sub.auto_pay.model_dump()) if sub.auto_pay else None,
            cancel_at_period_end=sub.cancel_at_period_end,
            **data,
        )


class SubscriptionPage(Page[SubscriptionOut]):
    pass
