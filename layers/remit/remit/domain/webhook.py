"""A webhook endpoint: an HTTPS URL subscribed to the events topic, filtered to its
organization and the event types it chose."""

from __future__ import annotations

from datetime import datetime

from remit.domain.base import DomainModel
from remit.domain.events import EventType


class WebhookEndpoint(DomainModel):
    id: str
    organization_id: str
    url: str
    event_types: list[EventType]
    subscription_arn: str
    created_at: datetime
