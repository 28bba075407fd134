from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from remit.clock import Clock
from remit.domain.events import Event, EventType
from remit.domain.invoice import Invoice, Payment
from remit.domain.subscription import Subscription
from remit.errors import NotFound
from remit.ids import new_id
from remit.schemas.events import EventOut, EventPage
from remit.schemas.invoice import InvoiceOut, PaymentOut
from remit.schemas.subscription import SubscriptionOut
from remit.services.context import Context


def invoice_data(invoice: Invoice, now: datetime) -> dict[str, Any]:
    """An invoice event's ``data``: the invoice's public representation, so a subscriber
    reads ``data.invoiceNumber``, ``data.total``, ``data.paidAt`` as the seed's handler does."""
    return InvoiceOut.of(invoice, invoice.local_today(now)).model_dump(mode="json", by_alias=True)


def subscription_data(sub: Subscription) -> dict[str, Any]:
    return SubscriptionOut.of(sub).model_dump(mode="json", by_alias=True)


def payment_data(invoice: Invoice, payment: Payment) -> dict[str, Any]:
    return {
        **PaymentOut.of(payment).model_dump(mode="json", by_alias=True),
        "invoiceId": invoice.id,
        "invoiceNumber": invoice.invoice_number,
        "accountId": invoice.account_id,
    }


class Subject(Protocol):
    """What an event is about: an invoice, a subscription."""

    @property
    def id(self) -> str: ...

    @property
    def organization_id(self) -> str: ...


def make_events(
    subject: Subject, payloads: list[tuple[EventType, dict[str, Any]]], now: datetime, clock: Clock
) -> list[Event]:
    """Events about one object. Ids are ULIDs of the same instant, sorted, so events
    written in one transaction list in the order they are given here."""
    ids = sorted(new_id("evt", clock) for _ in payloads)
    return [
        Event(
            id=event_id,
            type=kind,
            created_at=now,
            organization_id=subject.organization_id,
            subject_id=subject.id,
            data=data,
        )
        for event_id, (kind, data) in zip(ids, payloads, strict=True)
    ]


class EventService:
    """The event log as the API shows it: ``GET /events`` and ``GET /events/{id}``."""

    def __init__(self, ctx: Context) -> None:
        self.store = ctx.store

    def get(self, org_id: str, event_id: str) -> EventOut:
        event = self.store.events.get(org_id, event_id)
        if event is None:
            raise NotFound(f"no event {event_id}", field="id")
        return EventOut.of(event)

    def list(
        self,
        org_id: str,
        *,
        event_type: EventType | None,
        created_after: datetime | None,
        created_before: datetime | None,
        limit: int,
        cursor: str | None,
    ) -> EventPage:
        events, next_cursor = self.store.events.list(
            org_id,
            event_type=event_type,
            created_after=created_after,
            created_before=created_before,
            limit=limit,
            before_id=cursor,
        )
        return EventPage(data=[EventOut.of(e) for e in events], next_cursor=next_cursor)
