from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from remit.domain.payment_method import AUTO_COLLECTABLE, METHOD_TYPES, MethodType, PaymentMethod
from remit.schemas.common import RequestModel, ResponseModel

GatewayToken = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_\-]{3,255}$"),
    Field(examples=["pm_card_visa"], description="The gateway's PaymentMethod id or test method name"),
]


def _token_by_type(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    # PaymentMethodIn._token_by_type, stated for clients: the gateway's methods need its
    # token; wire and check are recorded by hand and take none.
    by_hand = [t for t in METHOD_TYPES if t not in AUTO_COLLECTABLE]
    schema["oneOf"] = [
        {
            "properties": {"type": {"enum": sorted(AUTO_COLLECTABLE)}, "gatewayToken": {"type": "string"}},
            "required": ["gatewayToken"],
        },
        {"properties": {"type": {"enum": by_hand}, "gatewayToken": False}},
    ]


class PaymentMethodIn(RequestModel):
    """Attach a method the gateway already holds. Remit never takes a card number."""

    model_config = ConfigDict(json_schema_extra=_token_by_type)

    type: MethodType
    gateway_token: GatewayToken | None = Field(
        None, description="Required for card, ach and sepa", validate_default=True
    )
    make_default: StrictBool = Field(
        False, description="Also the account's default (the first method always is)"
    )

    @field_validator("gateway_token")
    @classmethod
    def _token_by_type(cls, token: str | None, info: ValidationInfo) -> str | None:
        # Runs given or not (validate_default), after ``type``; the error names gatewayToken.
        kind = info.data.get("type")
        if kind is None:
            return token
        if kind not in AUTO_COLLECTABLE and token is not None:
            raise ValueError(f"a {kind} method takes no gatewayToken")
        if kind in AUTO_COLLECTABLE and token is None:
            raise ValueError(f"a {kind} method needs a gatewayToken")
        return token

    @model_validator(mode="after")
    def _no_null_token_by_hand(self) -> PaymentMethodIn:
        # "gatewayToken": null on a wire method: the schema says absent, so null is refused too.
        if self.type not in AUTO_COLLECTABLE and "gateway_token" in self.model_fields_set:
            raise ValueError(f"a {self.type} method takes no gatewayToken")
        return self


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
