"""Checkout sessions: a short-lived, unguessable link where a customer saves a payment
method (``setup``) or pays an invoice (``payment``). The page is the hosted-pages issue's;
the session, its expiry and what completing it does are here.

The link carries a token of 256 random bits; only its SHA-256 is stored, so a leaked
table export opens no checkout."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any, Literal

from remit.domain.base import DomainModel

CheckoutMode = Literal["setup", "payment"]
CheckoutStatus = Literal["open", "complete"]
LIFETIME = timedelta(hours=24)
SEPARATOR = "."


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make_token(org_id: str, session_id: str, secret: str) -> str:
    """What the URL carries: where the session is (so the page reads it with one GetItem)
    and the secret that proves the holder was given the link."""
    return SEPARATOR.join((org_id, session_id, secret))


def parse_token(token: str) -> tuple[str, str, str] | None:
    parts = token.split(SEPARATOR)
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


class CheckoutSession(DomainModel):
    id: str
    organization_id: str
    # None in a checkout without an account (``line_items``) until the customer has given
    # their name and email: then the session records the account and invoice it creates,
    # before creating them, so a second post reuses them (CheckoutService.provision).
    account_id: str | None = None
    mode: CheckoutMode
    invoice_id: str | None = None
    # A checkout without an account: the invoice's lines as the API took them
    # (LineItemIn, JSON) and its currency; the customer's name and email once given.
    line_items: list[dict[str, Any]] = []
    currency: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    success_url: str
    cancel_url: str
    token_hash: str
    status: CheckoutStatus = "open"
    expires_at: datetime
    payment_method_id: str | None = None
    completed_at: datetime | None = None
    created_at: datetime
    version: int = 1

    @property
    def guest(self) -> bool:
        """A checkout without an account: it creates the account and invoice it pays."""
        return bool(self.line_items)

    @property
    def needs_customer(self) -> bool:
        """The page must still ask who the customer is."""
        return self.guest and self.account_id is None

    def opens_with(self, secret: str, now: datetime) -> bool:
        return (
            self.status == "open"
            and now < self.expires_at
            and hmac.compare_digest(self.token_hash, digest(secret))
        )
