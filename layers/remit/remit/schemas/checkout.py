from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from remit.domain.checkout import CheckoutMode
from remit.schemas.common import RequestModel, ResponseModel
from remit.schemas.organization import HttpsUrl

Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class CheckoutSessionIn(RequestModel):
    """The seed's ``checkoutSessions.create``: ``setup`` saves a payment method, ``payment``
    pays ``invoiceId``."""

    account_id: Id
    mode: CheckoutMode
    invoice_id: Id | None = Field(None, description="Required in payment mode")
    success_url: HttpsUrl
    cancel_url: HttpsUrl

    @model_validator(mode="after")
    def _invoice_for_payment(self) -> CheckoutSessionIn:
        if (self.mode == "payment") != (self.invoice_id is not None):
            raise ValueError("payment mode needs an invoiceId, and only payment mode takes one")
        return self


class CheckoutSessionOut(ResponseModel):
    id: str
    url: str = Field(description="Send the customer here; it works once, until expiresAt")
    mode: CheckoutMode
    account_id: str
    invoice_id: str | None
    status: str
    expires_at: str
