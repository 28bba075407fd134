from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from remit.domain.checkout import CheckoutMode
from remit.schemas.common import RequestModel, ResponseModel
from remit.schemas.organization import HttpsUrl

Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]


def _invoice_by_mode(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    # CheckoutSessionIn's rule, stated for clients.
    schema["oneOf"] = [
        {
            "properties": {"mode": {"const": "payment"}, "invoiceId": {"type": "string"}},
            "required": ["invoiceId"],
        },
        {"properties": {"mode": {"const": "setup"}, "invoiceId": False}},
    ]


class CheckoutSessionIn(RequestModel):
    """The seed's ``checkoutSessions.create``: ``setup`` saves a payment method, ``payment``
    pays ``invoiceId``."""

    model_config = ConfigDict(json_schema_extra=_invoice_by_mode)

    account_id: Id
    mode: CheckoutMode
    invoice_id: Id | None = Field(None, description="Required in payment mode", validate_default=True)
    success_url: HttpsUrl
    cancel_url: HttpsUrl

    @field_validator("invoice_id")
    @classmethod
    def _invoice_for_payment(cls, invoice_id: str | None, info: ValidationInfo) -> str | None:
        # Runs given or not (validate_default), after ``mode``, so the error names invoiceId.
        mode = info.data.get("mode")
        if mode == "payment" and invoice_id is None:
            raise ValueError("payment mode needs an invoiceId")
        if mode == "setup" and invoice_id is not None:
            raise ValueError("only payment mode takes an invoiceId")
        return invoice_id

    @model_validator(mode="after")
    def _no_null_invoice_in_setup(self) -> CheckoutSessionIn:
        if self.mode == "setup" and "invoice_id" in self.model_fields_set:
            raise ValueError("only payment mode takes an invoiceId")
        return self


class CheckoutSessionOut(ResponseModel):
    id: str
    url: str = Field(description="Send the customer here; it works once, until expiresAt")
    mode: CheckoutMode
    account_id: str
    invoice_id: str | None
    status: str
    expires_at: str
