from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from remit.domain.email import DeliveryStatus, EmailDelivery, TemplateKind
from remit.schemas.common import Email, RequestModel, ResponseModel, ShortText

Subject = Annotated[str, StringConstraints(min_length=1, max_length=998)]
FromName = ShortText  # a one-line name: it goes into the From header
Body = Annotated[str, StringConstraints(min_length=1, max_length=100_000)]
# A built-in template's name or an organization's own (lower case slug).
TemplateRef = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class EmailTemplateIn(RequestModel):
    """The seed's ``emailTemplates.update``: subject, fromName, replyTo and an HTML body,
    each with ``{{variables}}``. A field left out keeps the default's. An organization's
    own template (a name not in the built-in set) is created with its ``kind``, ``subject``
    and ``body``, for every language first."""

    kind: TemplateKind | None = Field(
        None,
        description="An organization's own template only: reminder or dunning (reminders, "
        "afterDue.templates, dunning steps) or receipt (POST /invoices/{id}/send once paid)",
    )
    subject: Subject | None = None
    from_name: FromName | None = None
    reply_to: Email | None = None
    body: Body | None = None


KindOut = Literal["invoice", "reminder", "dunning", "receipt", "payment_failed", "account"]


class EmailTemplateOut(ResponseModel):
    name: str
    kind: KindOut = Field(description="Where the template is used")
    built_in: bool = Field(description="One of the fixed set (its default applies without a custom one)")
    language: str | None = Field(description="null: the template for every language without its own")
    subject: str
    from_name: str
    reply_to: str | None
    body: str
    source: Literal["custom", "default"]
    variables: list[str] = Field(description="The variables a template may use")
    updated_at: datetime | None = None


class EmailTemplateSummary(ResponseModel):
    name: str
    kind: KindOut
    built_in: bool
    source: Literal["custom", "default"]
    languages: list[str] = Field(description='The stored versions: "*" for every language, or a language')


class EmailTemplateList(ResponseModel):
    data: list[EmailTemplateSummary]


class PreviewIn(RequestModel):
    invoice_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        None, description="Render with this invoice's data; without it, sample data"
    )


class EmailPreviewOut(ResponseModel):
    subject: str
    from_name: str
    reply_to: str | None
    html: str
    text: str
    sample: bool = Field(description="True when rendered with sample data")


class SendIn(RequestModel):
    template: TemplateRef = "invoice_issued"


class ReminderIn(RequestModel):
    """The seed's ``invoices.sendReminder``."""

    template: TemplateRef = Field(
        "invoice_reminder",
        description="An email template of kind reminder or dunning, built-in or the organization's own "
        "(GET /email-templates)",
    )
    message: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = Field(
        None, examples=["Please prioritize this payment."], description="Shown after the greeting"
    )
    cc: Annotated[list[Email], Field(max_length=10)] = Field(
        default_factory=list, examples=[["finance@example.com"]]
    )


class EmailDeliveryOut(ResponseModel):
    id: str
    template: str
    trigger: str
    language: str
    to: list[str]
    cc: list[str]
    subject: str | None
    attachments: list[str]
    ses_message_id: str | None
    status: DeliveryStatus
    detail: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    bounced_at: datetime | None
    complained_at: datetime | None

    @classmethod
    def of(cls, d: EmailDelivery) -> EmailDeliveryOut:
        return cls.model_validate(d.model_dump())


class EmailDeliveryList(ResponseModel):
    data: list[EmailDeliveryOut]
