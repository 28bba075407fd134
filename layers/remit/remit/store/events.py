"""The outbox: events are written in the transaction of the change they describe
(``event_put``), read back by the API, and marked published by the publisher."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ulid import ULID

from remit.domain.events import Event, EventType
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.table import ConditionFailed, Table, put_op

# An event id is ``evt_`` and a ULID, whose first ten characters are its time.
_LOWEST, _HIGHEST = "0" * 16, "Z" * 16


def event_put(event: Event) -> dict[str, Any]:
    """The outbox write that rides in a state change's transaction."""
    return put_op(item(event), "attribute_not_exists(pk)")


def item(event: Event) -> dict[str, Any]:
    return dump(
        event,
        "event",
        **keys.event(event.organization_id, event.id),
        gsi1pk=keys.events_of_type(event.organization_id, event.type),
        gsi1sk=event.id,
    )


def id_bound(when: datetime, upper: bool) -> str:
    """The lowest (or highest) event id minted at ``when``'s millisecond. A time before
    1970 or past what a ULID holds bounds nothing: it is the end of the id range."""
    try:
        prefix = str(ULID.from_datetime(when))[:10]
    except (OverflowError, ValueError):
        before = when.timestamp() < 0
        return "evt_" if before else "evt_~"
    return f"evt_{prefix}{_HIGHEST if upper else _LOWEST}"


class EventRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, org_id: str, event_id: str) -> Event | None:
        return load(Event, self.table.get(keys.event(org_id, event_id)))

    def list(
        self,
        org_id: str,
        *,
        event_type: EventType | None,
        created_after: datetime | None,
        created_before: datetime | None,
        limit: int,
        before_id: str | None,
    ) -> tuple[list[Event], str | None]:
        """Newest first. Time bounds and the cursor (the last id of the previous page) are
        all bounds on the id, so every filter is a key condition and nothing read is
        thrown away."""
        low = id_bound(created_after, upper=False) if created_after else "evt_"
        high = id_bound(created_before, upper=True) if created_before else "evt_~"
        if before_id is not None:
            # BETWEEN is inclusive: the range ends at the cursor, whose item is skipped.
            high = min(high, before_id)
        if low > high:
            return [], None  # an empty window (after > before, or a cursor below it)
        if event_type is None:
            pk_name, sk_name, index = "pk", "sk", None
            partition = keys.event(org_id, "")["pk"]
        else:
            pk_name, sk_name, index = "gsi1pk", "gsi1sk", "GSI1"
            partition = keys.events_of_type(org_id, event_type)
        args: dict[str, Any] = {
            "KeyConditionExpression": f"{pk_name} = :pk AND {sk_name} BETWEEN :low AND :high",
            "ExpressionAttributeValues": {":pk": partition, ":low": low, ":high": high},
            "ScanIndexForward": False,
        }
        if index:
            args["IndexName"] = index
        # One extra, to know whether there is a next page, plus the cursor's own item.
        want = limit + 1 + (1 if before_id else 0)
        events: list[Event] = []
        start = None
        while len(events) < want:
            page = self.table.query(limit=want - len(events), start=start, **args)
            events += [Event.model_validate(i) for i in page.items if i["id"] != before_id]
            start = page.last_key
            if start is None:
                break
        events = events[: limit + 1]
        if len(events) > limit:
            return events[:limit], events[limit - 1].id
        return events, None

    def write(self, events: Sequence[Event]) -> None:
        """Events that stand alone (no state change to ride with: a manual reminder sent)."""
        if events:
            self.table.transact([event_put(e) for e in events])

    def published_ids(self, events: Sequence[Event]) -> set[str]:
        """The ids of ``events`` already marked published (consistent reads, a hundred
        keys a BatchGetItem): what the publisher skips in a redelivered batch."""
        found: set[str] = set()
        for start in range(0, len(events), 100):
            chunk = events[start : start + 100]
            items = self.table.get_many([keys.event(e.organization_id, e.id) for e in chunk])
            found |= {i["id"] for i in items if i is not None and i.get("publishedAt")}
        return found

    def mark_published(self, event: Event, when: datetime) -> bool:
        """Record that SNS has ``event``; False if it was already marked (a redelivery)."""
        try:
            self.table.update(
                keys.event(event.organization_id, event.id),
                "SET publishedAt = :at",
                condition="attribute_exists(pk) AND attribute_not_exists(publishedAt)",
                values={":at": when.isoformat()},
            )
        except ConditionFailed:
            return False
        return True

    def record_redelivery(self, event: Event, next_at: datetime) -> bool:
        """Count one redelivery of ``event``; False if another redriver counted it first."""
        try:
            self.table.update(
                keys.event(event.organization_id, event.id),
                "SET redeliveries = :n, nextRedeliveryAt = :next",
                condition="attribute_exists(pk) AND "
                "(attribute_not_exists(redeliveries) OR redeliveries = :seen)",
                values={
                    ":n": event.redeliveries + 1,
                    ":seen": event.redeliveries,
                    ":next": next_at.isoformat(),
                },
            )
        except ConditionFailed:
            return False
        return True
