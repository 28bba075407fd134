"""Webhook endpoints (SNS HTTPS subscriptions pinned to their organization), redelivery
on request, and the redriver that keeps trying what SNS gave up on for three days."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from remit.adapters.sns import WEBHOOKS_ONLY, Topic, endpoint_audience, filter_policy
from remit.domain.webhook import WebhookEndpoint
from remit.errors import Conflict, NotFound, ValidationFailed
from remit.ids import new_id
from remit.schemas.events import (
    EventOut,
    RedeliveryOut,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPage,
)
from remit.services.context import Context
from remit.store.webhooks import MAX_ENDPOINTS

# What lands in the dead-letter queue is tried again for this long after the event.
REDELIVER_FOR = timedelta(days=3)
FIRST_BACKOFF = timedelta(hours=1)
MAX_BACKOFF = timedelta(hours=12)


def backoff(redeliveries: int) -> timedelta:
    """1 h, 2 h, 4 h, 8 h, then every 12 h: eight or so tries over three days."""
    doubled: timedelta = FIRST_BACKOFF * 2 ** min(redeliveries, 8)
    return min(doubled, MAX_BACKOFF)


@dataclass(frozen=True)
class WebhookConfig:
    dead_letter_arn: str
    # Plain http and private hosts are for local subscribers only (make run sets this).
    allow_insecure: bool = False


class WebhookService:
    def __init__(self, ctx: Context, topic: Topic, config: WebhookConfig) -> None:
        self.store = ctx.store
        self.clock = ctx.clock
        self.topic = topic
        self.config = config

    # -- endpoints ---------------------------------------------------------------------

    def create(self, org_id: str, body: WebhookEndpointIn) -> WebhookEndpointOut:
        url = str(body.url)
        self._check_url(url)
        if len(self.store.webhooks.list(org_id)) >= MAX_ENDPOINTS:
            raise Conflict(f"an organization has at most {MAX_ENDPOINTS} webhook endpoints")
        endpoint_id = new_id("we", self.clock)
        types = sorted(set(body.event_types))
        arn = self.topic.subscribe_https(
            url, filter_policy(org_id, types, endpoint_id), self.config.dead_letter_arn
        )
        endpoint = WebhookEndpoint(
            id=endpoint_id,
            organization_id=org_id,
            url=url,
            event_types=types,
            subscription_arn=arn,
            created_at=self.clock.now(),
        )
        try:
            self.store.webhooks.create(endpoint)
        except Exception:
            # No subscription may outlive a failed create: it would deliver to nobody's record.
            self.topic.unsubscribe(arn)
            raise
        return WebhookEndpointOut.of(endpoint, self.topic.confirmed(arn))

    def list(self, org_id: str) -> WebhookEndpointPage:
        endpoints = self.store.webhooks.list(org_id)
        return WebhookEndpointPage(
            data=[WebhookEndpointOut.of(e, self.topic.confirmed(e.subscription_arn)) for e in endpoints],
            next_cursor=None,
        )

    def delete(self, org_id: str, endpoint_id: str) -> None:
        endpoint = self.store.webhooks.get(org_id, endpoint_id)
        if endpoint is None:
            raise NotFound(f"no webhook endpoint {endpoint_id}", field="id")
        self.topic.unsubscribe(endpoint.subscription_arn)
        self.store.webhooks.delete(org_id, endpoint_id)

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if self.config.allow_insecure:
            return
        if parts.scheme != "https":
            raise ValidationFailed("webhook endpoints must use https", field="url")
        host = parts.hostname or ""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            if host == "localhost" or host.endswith((".localhost", ".internal", ".local")):
                raise ValidationFailed("the url must be reachable from the internet", field="url") from None
            return
        if not address.is_global:
            raise ValidationFailed("the url must be reachable from the internet", field="url")

    # -- redelivery ----------------------------------------------------------------------

    def redeliver(self, org_id: str, event_id: str, endpoint_id: str | None) -> RedeliveryOut:
        event = self.store.events.get(org_id, event_id)
        if event is None:
            raise NotFound(f"no event {event_id}", field="id")
        endpoints = [e for e in self.store.webhooks.list(org_id) if event.type in e.event_types]
        if endpoint_id is not None:
            endpoints = [e for e in endpoints if e.id == endpoint_id]
            if not endpoints:
                raise NotFound(
                    f"no webhook endpoint {endpoint_id} subscribed to {event.type}", field="endpointId"
                )
        if not endpoints:
            raise Conflict(f"no webhook endpoint receives {event.type}")
        audience = endpoint_audience(endpoint_id) if endpoint_id else WEBHOOKS_ONLY
        self.topic.publish(EventOut.of(event).message(), org_id, event.type, audience)
        return RedeliveryOut(event_id=event.id, endpoint_ids=[e.id for e in endpoints])


@dataclass(frozen=True)
class Verdict:
    """What the redriver does with one dead-lettered message."""

    action: str  # "redelivered", "wait", "abandoned", "unreadable"
    wait: timedelta = timedelta(0)
    event_id: str | None = None


def dead_lettered_event(body: str) -> dict[str, Any] | None:
    """The Remit event in a dead-lettered message: the SNS envelope's ``Message``, or the
    message itself when delivery was raw. None if it is not one of ours."""
    try:
        doc = json.loads(body)
        if isinstance(doc, dict) and doc.get("Type") == "Notification":
            doc = json.loads(doc["Message"])
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(doc, dict) or not {"id", "organizationId"} <= set(doc):
        return None
    return doc


class Redriver:
    """Each dead-lettered message is tried again on a backoff counted on the event item,
    until three days after the event; concurrent redrivers count a try only once."""

    def __init__(self, ctx: Context, topic: Topic) -> None:
        self.store = ctx.store
        self.clock = ctx.clock
        self.topic = topic

    def handle(self, body: str) -> Verdict:
        doc = dead_lettered_event(body)
        if doc is None:
            return Verdict("unreadable")
        event = self.store.events.get(str(doc["organizationId"]), str(doc["id"]))
        if event is None:
            return Verdict("unreadable")
        now = self.clock.now()
        if now - event.created_at > REDELIVER_FOR:
            return Verdict("abandoned", event_id=event.id)
        if event.next_redelivery_at is not None and now < event.next_redelivery_at:
            return Verdict("wait", wait=event.next_redelivery_at - now, event_id=event.id)
        if self.store.events.record_redelivery(event, now + backoff(event.redeliveries)):
            self.topic.publish(EventOut.of(event).message(), event.organization_id, event.type, WEBHOOKS_ONLY)
        return Verdict("redelivered", event_id=event.id)
