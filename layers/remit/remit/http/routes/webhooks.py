from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from remit.http.deps import Tenant, Webhooks
from remit.schemas.events import WebhookEndpointIn, WebhookEndpointOut, WebhookEndpointPage

router = Router()

EndpointId = Annotated[str, Path(min_length=1, max_length=64)]
Out = WebhookEndpointOut
CREATED: OpenAPIResponse = {"description": "Created", "content": {"application/json": {"model": Out}}}
TAGS = ["Webhooks"]


@router.post(
    "/webhook-endpoints",
    summary="Subscribe a URL to this organization's events of the given types",
    tags=TAGS,
    responses={201: CREATED},
)
def create_webhook_endpoint(body: WebhookEndpointIn, org: Tenant, service: Webhooks) -> tuple[Out, int]:
    return service.create(org, body), 201


@router.get("/webhook-endpoints", summary="List webhook endpoints with their confirmation status", tags=TAGS)
def list_webhook_endpoints(org: Tenant, service: Webhooks) -> WebhookEndpointPage:
    return service.list(org)


@router.delete(
    "/webhook-endpoints/<endpointId>",
    summary="Remove a webhook endpoint (its subscription ends at once)",
    tags=TAGS,
    responses={204: {"description": "Removed"}},
)
def delete_webhook_endpoint(endpointId: EndpointId, org: Tenant, service: Webhooks) -> Response[None]:
    service.delete(org, endpointId)
    return Response(status_code=204)
