"""Settings -> Webhook endpoints: the list, add one (an https URL and event types), delete
one behind a confirmation, through WebhookService (as ``/webhook-endpoints``)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from remit.dashboard import choices
from remit.dashboard.deps import Admin, PostedByAdmin, Visiting, Webhooks
from remit.dashboard.routes.settings.page import section_page
from remit.dashboard.routes.settings.words import service_words, validation_words
from remit.errors import NotFound, RemitError
from remit.schemas.events import WebhookEndpointIn
from remit.services.webhooks import WebhookService

router = Router()
PATH = "/dashboard/settings/webhooks"
BACK = "/settings/webhooks"


def page(
    v: Visiting,
    service: WebhookService,
    status: int = 200,
    error: str | None = None,
    typed: dict[str, Any] | None = None,
) -> Response[str]:
    return section_page(
        v,
        "webhooks",
        status,
        endpoints=service.list(v.operator.organization_id).data,
        event_types=choices.WEBHOOK_EVENT_TYPES,
        form=typed or {"url": "", "event_types": []},
        error=error,
    )


@router.get(PATH)
def webhooks(operator: Admin, v: Visiting, service: Webhooks) -> Response[str]:
    return page(v, service)


def delete(v: Visiting, service: WebhookService, org: str) -> Response[str]:
    endpoint_id = v.field("id")
    if v.field("confirmed") != "yes":
        return v.back(BACK, confirm=endpoint_id)
    service.delete(org, endpoint_id)
    return v.back(BACK, notice="Webhook endpoint deleted.")


def add(v: Visiting, service: WebhookService, org: str) -> Response[str]:
    typed = {"url": v.field("url"), "event_types": v.fields("eventTypes")}
    try:
        body = WebhookEndpointIn.model_validate({"url": typed["url"], "eventTypes": typed["event_types"]})
        created = service.create(org, body)
    except ValidationError as exc:
        return page(v, service, 400, validation_words(exc), typed)
    except RemitError as exc:
        if isinstance(exc, NotFound):
            raise
        return page(v, service, 400, service_words(exc), typed)
    return v.back(BACK, notice=f"Webhook endpoint {created.id} added.")


@router.post(PATH)
def save_webhooks(operator: PostedByAdmin, v: Visiting, service: Webhooks) -> Response[str]:
    changes = {"delete": delete, "add": add}
    change = changes.get(v.field("op"))
    if change is None:
        raise NotFound("no such change")
    return change(v, service, operator.organization_id)
