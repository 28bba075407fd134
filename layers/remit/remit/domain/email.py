"""Email templates a company has customized, and the delivery log: one record per email,
which is also the claim that makes sending it happen once."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from remit.domain.base import DomainModel

DeliveryStatus = Literal["sending", "sent", "delivered", "bounced", "complained", "failed", "skipped"]
# States after which an email is never sent again for the same claim.
SETTLED: frozenset[str] = frozenset({"sent", "delivered", "bounced", "complained", "skipped"})
# What a notification may change: a bounce or complaint beats a delivery, never the reverse.
OUTCOME_RANK = {"sending": 0, "failed": 0, "sent": 1, "delivered": 2, "bounced": 3, "complained": 4}


# What an organization's own (not built-in) template is for: where it may be used.
TemplateKind = Literal["reminder", "dunning", "receipt"]


class EmailTemplate(DomainModel):
    organization_id: str
    name: str
    language: str | None = None  # None: every language without a template of its own
    kind: TemplateKind | None = None  # an organization's own template; None: a built-in's override
    subject: str
    from_name: str
    reply_to: str | None = None
    body: str
    updated_at: datetime


class EmailDelivery(DomainModel):
    id: str  # "<event or send id>-<template>": the claim's key, and an SES tag value
    organization_id: str
    account_id: str
    invoice_id: str | None = None
    template: str
    language: str
    trigger: str  # the event type, or "manual"
    to: list[str] = []
    cc: list[str] = []
    subject: str | None = None
    attachments: list[str] = []
    ses_message_id: str | None = None
    status: DeliveryStatus = "sending"
    detail: str | None = None
    claimed_until: datetime | None = None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    bounced_at: datetime | None = None
    complained_at: datetime | None = None
    version: int = 1
