"""Stripe Elements on the pages: the publishable key a page of an organization on Stripe
mounts them with."""

from __future__ import annotations

import os

from remit.domain.organization import Organization


def stripe_key(org: Organization) -> str | None:
    """The publishable key Stripe Elements needs, for an organization on Stripe (the
    stack's ``StripePublishableKey``); None: no Elements on this page."""
    if org.payment_settings.gateway != "stripe":
        return None
    return os.environ.get("STRIPE_PUBLISHABLE_KEY") or None
