"""Links to the customer-facing pages (C12): the hosted invoice page (``invoice``) and a
portal session (``portal``). A link is ``<org>.<link id>.<secret>``: the organization and
id say where the link's item is (one GetItem, always under ``ORG#<org>``), and the secret
(256 random bits) proves the holder was given it. Only the secret's SHA-256 is stored, so
a leaked table export opens no page. Same token shape as checkout sessions."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import Literal

from remit.domain.base import DomainModel
from remit.domain.checkout import digest

LinkKind = Literal["invoice", "portal"]
PortalFlow = Literal["invoices", "payment_methods", "none"]
# The API's portal sessions are short (the issue: within an hour); links in emails last
# as long as the organization says (``invoiceLinkDays``).
PORTAL_SESSION_LIFETIME = timedelta(hours=1)


class PageLink(DomainModel):
    id: str
    organization_id: str
    kind: LinkKind
    account_id: str
    invoice_id: str | None = None
    flow: PortalFlow = "none"
    return_url: str | None = None
    token_hash: str
    expires_at: datetime
    created_at: datetime

    def opens_with(self, secret: str, now: datetime) -> bool:
        return now < self.expires_at and hmac.compare_digest(self.token_hash, digest(secret))
