from __future__ import annotations

from typing import Any

from remit.domain.events import Event
from remit.store import keys
from remit.store.codec import dump
from remit.store.table import put_op


def event_put(event: Event) -> dict[str, Any]:
    """The outbox write that rides in a state change's transaction."""
    item = dump(
        event,
        "event",
        **keys.event(event.organization_id, event.id),
        gsi1pk=keys.events_of_type(event.organization_id, event.type),
        gsi1sk=event.id,
    )
    return put_op(item, "attribute_not_exists(pk)")
