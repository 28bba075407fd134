"""Outbox events. Each state change writes its events in the same DynamoDB transaction as
the change itself; a stream-driven publisher (issue 6) carries them to SNS. An event is
therefore never lost and never published for a change that did not happen."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from remit.domain.base import DomainModel

API_VERSION = "2026-11-01"

EventType = Literal[
    "invoice.created",
    "invoice.updated",
    "invoice.deleted",
    "invoice.issued",
    "invoice.paid",
    "invoice.voided",
    "invoice.marked_uncollectible",
    "invoice.payment_failed",
    "payment.succeeded",
    "payment_method.expiring",
    "subscription.created",
    "subscription.updated",
    "subscription.paused",
    "subscription.resumed",
    "subscription.canceled",
]


class Event(DomainModel):
    id: str
    type: EventType
    created_at: datetime
    organization_id: str
    api_version: str = API_VERSION
    # The object the event is about (an invoice id), so a subscriber can order by it.
    subject_id: str
    data: dict[str, Any]
