from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from remit.http.deps import Subscriptions, Tenant
from remit.ids import id_pattern
from remit.schemas.subscription import (
    CancelIn,
    SubscriptionCreate,
    SubscriptionOut,
    SubscriptionPage,
    SubscriptionPatch,
)

router = Router()

SubId = Annotated[str, Path(min_length=1, max_length=64)]
Out = SubscriptionOut
CREATED: OpenAPIResponse = {"description": "Created", "content": {"application/json": {"model": Out}}}
TAGS = ["Subscriptions"]


@router.post(
    "/subscriptions",
    summary="Subscribe an account; the first period is invoiced at the start",
    tags=TAGS,
    responses={201: CREATED},
)
def create_subscription(body: SubscriptionCreate, org: Tenant, service: Subscriptions) -> tuple[Out, int]:
    return service.create(org, body), 201


@router.get("/subscriptions", summary="List subscriptions, newest first", tags=TAGS)
def list_subscriptions(
    org: Tenant,
    service: Subscriptions,
    accountId: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(pattern=id_pattern("sub"), description="The previous page's nextCursor")
    ] = None,
) -> SubscriptionPage:
    return service.list(org, accountId, limit, cursor)


@router.get("/subscriptions/<subscriptionId>", summary="Get a subscription", tags=TAGS)
def get_subscription(subscriptionId: SubId, org: Tenant, service: Subscriptions) -> Out:
    return service.get(org, subscriptionId)


@router.patch(
    "/subscriptions/<subscriptionId>",
    summary="Change items (next period on), collection, AutoPay",
    tags=TAGS,
)
def update_subscription(
    subscriptionId: SubId, body: SubscriptionPatch, org: Tenant, service: Subscriptions
) -> Out:
    return service.update(org, subscriptionId, body)


@router.post("/subscriptions/<subscriptionId>/pause", summary="Pause: no invoices until resumed", tags=TAGS)
def pause_subscription(subscriptionId: SubId, org: Tenant, service: Subscriptions) -> Out:
    return service.pause(org, subscriptionId)


@router.post(
    "/subscriptions/<subscriptionId>/resume", summary="Resume at the next period boundary", tags=TAGS
)
def resume_subscription(subscriptionId: SubId, org: Tenant, service: Subscriptions) -> Out:
    return service.resume(org, subscriptionId)


@router.post("/subscriptions/<subscriptionId>/cancel", summary="Cancel now or at period end", tags=TAGS)
def cancel_subscription(
    subscriptionId: SubId, org: Tenant, service: Subscriptions, body: CancelIn | None = None
) -> Out:
    return service.cancel(org, subscriptionId, body or CancelIn())
