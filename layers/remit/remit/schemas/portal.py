from __future__ import annotations

from typing import Literal

from pydantic import Field

from remit.schemas.common import RequestModel, ResponseModel
from remit.schemas.organization import HttpsUrl

PortalFlowIn = Literal["invoices", "payment_methods"]


class PortalSessionIn(RequestModel):
    """The seed's ``portal.createSession``: where the portal's "return" link goes, and the
    page it opens on (``invoices``, ``payment_methods``, or the overview when absent)."""

    return_url: HttpsUrl | None = Field(None, description="The portal links back here")
    flow: PortalFlowIn | None = Field(None, description="Open on this page; absent: the overview")


class PortalSessionOut(ResponseModel):
    url: str = Field(description="Send the customer here; valid until expiresAt (one hour)")
    expires_at: str
