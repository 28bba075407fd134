"""Events as subscribers and the API see them, and the data each type carries.

``DATA`` maps every event type to the model of its ``data``; docs/events.md is generated
from it (``make docs``), and a test fails when the two drift apart."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AnyUrl, Field, UrlConstraints

from remit.domain.events import EVENT_TYPES, Event, EventType
from remit.domain.webhook import WebhookEndpoint
from remit.schemas.common import Page, RequestModel, ResponseModel
from remit.schemas.credit_note import CreditNoteOut
from remit.schemas.invoice import AttemptOut, InvoiceOut, PaymentOut
from remit.schemas.payment_method import PaymentMethodOut
from remit.schemas.subscription import SubscriptionOut


class EventOut(ResponseModel):
    id: str = Field(examples=["evt_01JDZ8K2V7W4Q9X3M5N6P8R0ST"])
    type: EventType
    created_at: datetime
    organization_id: str
    api_version: str
    data: dict[str, Any]

    @classmethod
    def of(cls, event: Event) -> EventOut:
        return cls.model_validate(event.model_dump(include=set(cls.model_fields)))

    def message(self) -> dict[str, Any]:
        """The JSON that SNS carries: what a subscriber's handler receives."""
        return self.model_dump(mode="json", by_alias=True)


class EventPage(Page[EventOut]):
    pass


# -- the data of each type -------------------------------------------------------------


class InvoiceDeletedData(ResponseModel):
    id: str


class FailureReason(ResponseModel):
    code: str = Field(examples=["card_declined"])
    message: str = Field(examples=["Your card was declined."])
    retryable: bool | None = None


class InvoicePaymentFailedData(InvoiceOut):
    failure_reason: str = Field(examples=["Your card was declined."], description="reason.message, in words")
    reason: FailureReason
    next_payment_attempt: str | None = Field(
        None, description="When AutoPay tries again; null if it will not"
    )


class InvoiceHandedToDunningData(InvoiceOut):
    reason: FailureReason


class InvoiceReminderData(InvoiceOut):
    template: str | None = Field(examples=["past_due_gentle"], description="The email template; null for SMS")
    channel: Literal["email", "sms"]
    source: Literal["reminder", "dunning", "persistent", "manual"] = Field(
        description="What sent it: the reminder settings, a dunning step, or POST /invoices/{id}/reminders"
    )
    message_id: str = Field(description="The email's delivery id (GET /invoices/{id}/emails) or the SMS id")


class PaymentData(PaymentOut):
    invoice_id: str
    invoice_number: str | None
    account_id: str
    attempt: AttemptOut | None = Field(None, description="The charge that paid, when a gateway was used")


class PaymentFailedData(AttemptOut):
    invoice_id: str
    invoice_number: str | None
    account_id: str


class PaymentMethodExpiringData(PaymentMethodOut):
    account_email: str | None


class CheckoutCompletedData(ResponseModel):
    id: str
    mode: str
    account_id: str
    invoice_id: str | None
    status: str
    expires_at: str
    payment_method_id: str


DATA: dict[EventType, type[ResponseModel]] = {
    "invoice.created": InvoiceOut,
    "invoice.updated": InvoiceOut,
    "invoice.deleted": InvoiceDeletedData,
    "invoice.issued": InvoiceOut,
    "invoice.viewed": InvoiceOut,
    "invoice.paid": InvoiceOut,
    "invoice.payment_failed": InvoicePaymentFailedData,
    "invoice.past_due": InvoiceOut,
    "invoice.reminder_sent": InvoiceReminderData,
    "invoice.voided": InvoiceOut,
    "credit_note.issued": CreditNoteOut,
    "credit_note.voided": CreditNoteOut,
    "invoice.marked_uncollectible": InvoiceOut,
    "invoice.handed_to_dunning": InvoiceHandedToDunningData,
    "payment.succeeded": PaymentData,
    "payment.failed": PaymentFailedData,
    "payment_method.attached": PaymentMethodOut,
    "payment_method.detached": PaymentMethodOut,
    "payment_method.expiring": PaymentMethodExpiringData,
    "checkout_session.completed": CheckoutCompletedData,
    "subscription.created": SubscriptionOut,
    "subscription.updated": SubscriptionOut,
    "subscription.paused": SubscriptionOut,
    "subscription.resumed": SubscriptionOut,
    "subscription.canceled": SubscriptionOut,
}
assert set(DATA) == set(EVENT_TYPES), "every event type needs its data model"


# -- webhook endpoints -----------------------------------------------------------------

WebhookUrl = Annotated[
    AnyUrl,
    UrlConstraints(max_length=2048, allowed_schemes=["https", "http"]),
    Field(examples=["https://billing.example.com/remit/webhooks"]),
]


class WebhookEndpointIn(RequestModel):
    url: WebhookUrl
    event_types: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES))


class WebhookEndpointOut(ResponseModel):
    id: str
    url: str
    event_types: list[EventType]
    status: Literal["pending_confirmation", "confirmed"]
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint, confirmed: bool) -> WebhookEndpointOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            event_types=endpoint.event_types,
            status="confirmed" if confirmed else "pending_confirmation",
            created_at=endpoint.created_at,
        )


class WebhookEndpointPage(Page[WebhookEndpointOut]):
    pass


class RedeliverIn(RequestModel):
    endpoint_id: str | None = Field(
        default=None, description="Only this endpoint; by default every endpoint subscribed to the type"
    )


class RedeliveryOut(ResponseModel):
    event_id: str
    endpoint_ids: list[str]
