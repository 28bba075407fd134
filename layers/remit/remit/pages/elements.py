"""Stripe Elements on the pages: the publishable key a page of an organization on Stripe
mounts them with."""

from __future__ import annotations

from remit.domain.organization import Organization
from remit.settings import get_settings


def stripe_key(org: Organization) -> str | None:
    """The publishable key Stripe Elements needs, for an organization on Stripe (the
    stack's ``StripePublishableKey``); None: no Elements on this page."""
    if org.payment_settings.gateway != "stripe":
        return None
    return get_settings().stripe_publishable_key or None
