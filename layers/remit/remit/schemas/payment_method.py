from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints

from remit.domain.payment_method import MethodType, PaymentMethod
from remit.schemas.common import RequestModel, ResponseModel

GatewayToken = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_\-]{3,255}$"),
    Field(examples=["pm_card_visa"], description="The gateway's PaymentMethod id or test method name"),
]


class PaymentMethodIn(RequestModel):
    """Attach a method the gateway already holds. Remit never takes a card number."""

    type: MethodType
    gateway_token: GatewayToken | None = Field(None, description="Required for card, ach and sepa")
    make_default: StrictBool = Field(
        False, description="Also the account's default (the first method always is)"
    )


class CardOut(ResponseModel):
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class BankOut(ResponseModel):
    bank_name: str | None
    last4: str
    country: str | None


class PaymentMethodOut(ResponseModel):
    id: str
    account_id: str
    type: MethodType
    gateway: str
    auto_collectable: bool
    is_default: bool
    card: CardOut | None
    bank: BankOut | None
    created_at: str

    @classmethod
    def of(cls, method: PaymentMethod, default_id: str | None) -> PaymentMethodOut:
        data = method.model_dump(
            mode="json", include={"id", "account_id", "type", "gateway", "card", "bank", "created_at"}
        )
        return cls(
            **data,
            auto_collectable=method.auto_collectable,
            is_default=method.id == default_id,
        )


class PaymentMethodList(ResponseModel):
    data: list[PaymentMethodOut]
