"""Outbox events. Each state change writes its events in the same DynamoDB transaction as
the change itself; a stream-driven publisher (issue 6) carries them to SNS. An event is
therefore never lost and never published for a change that did not happen."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal, get_args

from remit.domain.base import DomainModel

API_VERSION = "2026-11-01"

EventType = Literal[
    "invoice.created",
    "invoice.updated",
    "invoice.deleted",
    "invoice.issued",
    "invoice.viewed",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.past_due",
    "invoice.reminder_sent",
    "invoice.voided",
    "invoice.marked_uncollectible",
    "invoice.handed_to_dunning",
    "credit_note.issued",
    "credit_note.voided",
    "payment.succeeded",
    "payment.failed",
    "payment_method.attached",
    "payment_method.detached",
    "payment_method.expiring",
    "checkout_session.completed",
    "subscription.created",
    "subscription.updated",
    "subscription.paused",
    "subscription.resumed",
    "subscription.canceled",
]

EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)


class Event(DomainModel):
    id: str
    type: EventType
    created_at: datetime
    organization_id: str
    api_version: str = API_VERSION
    # The object the event is about (an invoice id), so a subscriber can order by it.
    subject_id: str
    data: dict[str, Any]
    # Set by the publisher once SNS has the event: a stream redelivery skips it.
    published_at: datetime | None = None
    # Redeliveries from the webhook dead-letter queue so far, and when the next may go.
    redeliveries: int = 0
    next_redelivery_at: datetime | None = None

    @classmethod
    def from_message(cls, body: str) -> Event:
        """An event as EventsTopic carries it to internal queues: the publisher sends the
        public form (``EventOut.message()``), which has no ``subjectId``; the subject is
        the object in ``data`` (an invoice's, a payment method's ``id``)."""
        raw = json.loads(body)
        raw.setdefault("subjectId", (raw.get("data") or {}).get("id", ""))
        return cls.model_validate(raw)
