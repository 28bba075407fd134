from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from remit.domain.events import EventType
from remit.http.deps import Events, Tenant, Webhooks
from remit.ids import id_pattern
from remit.schemas.common import IsoDateTime
from remit.schemas.events import EventOut, EventPage, RedeliverIn, RedeliveryOut

router = Router()

EventId = Annotated[str, Path(pattern=r"^evt_[0-9A-HJKMNP-TV-Z]{26}$")]
TAGS = ["Events"]


@router.get("/events", summary="List events, newest first", tags=TAGS)
def list_events(
    org: Tenant,
    service: Events,
    type: Annotated[EventType | None, Query(description="Only events of this type")] = None,
    createdAfter: Annotated[IsoDateTime | None, Query(description="Created at or after")] = None,
    createdBefore: Annotated[IsoDateTime | None, Query(description="Created at or before")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(pattern=id_pattern("evt"), description="The previous page's nextCursor")
    ] = None,
) -> EventPage:
    return service.list(
        org,
        event_type=type,
        created_after=createdAfter,
        created_before=createdBefore,
        limit=limit,
        cursor=cursor,
    )


@router.get("/events/<eventId>", summary="Get an event", tags=TAGS)
def get_event(eventId: EventId, org: Tenant, service: Events) -> EventOut:
    return service.get(org, eventId)


@router.post(
    "/events/<eventId>/redeliver",
    summary="Send an event again to the organization's webhook endpoints (or one of them)",
    tags=TAGS,
)
def redeliver_event(eventId: EventId, org: Tenant, service: Webhooks, body: RedeliverIn) -> RedeliveryOut:
    return service.redeliver(org, eventId, body.endpoint_id)
