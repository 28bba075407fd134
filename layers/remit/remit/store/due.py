"""The sparse DueIndex: scheduled work, found without reading anything that is not due.

An item carries ``duepk``/``duesk`` only while it has work pending; writing it without
them (every repository writes whole items) takes it out of the index. ``duepk`` is
``DUE#<kind>#<shard>``: a few shards per kind spread a busy kind's writes over several
partitions, and a sweep queries each with ``duesk <= now``. ``duesk`` starts with the
ISO time the work falls due, so "due now" is a key condition, not a filter, and a sweep
reads exactly the due items.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import UTC, datetime

from remit.store.table import Item, Table

SHARDS = 4
INDEX = "DueIndex"


def stamp(when: datetime) -> str:
    """Sortable UTC time: fixed width, so string order is time order."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def keys(
    kind: str, item_id: str, when: datetime, order: str = "", group: str | None = None
) -> dict[str, str]:
    """The index attributes for ``item_id``'s work of ``kind`` due at ``when``. ``order``
    breaks ties between items due at the same time (e.g. a period start); items of one
    ``group`` (e.g. one subscription's drafts) share a shard, so a sweep meets them in order."""
    shard = zlib.crc32((group or item_id).encode()) % SHARDS
    return {"duepk": f"DUE#{kind}#{shard}", "duesk": f"{stamp(when)}#{order}#{item_id}"}


def due(table: Table, kind: str, now: datetime, page_size: int = 500) -> Iterator[Item]:
    """Every item with ``kind`` work due at or before ``now``, oldest first per shard."""
    upper = f"{stamp(now)}#\uffff"
    for shard in range(SHARDS):
        start: Item | None = None
        while True:
            page = table.query(
                IndexName=INDEX,
                KeyConditionExpression="duepk = :pk AND duesk <= :now",
                ExpressionAttributeValues={":pk": f"DUE#{kind}#{shard}", ":now": upper},
                limit=page_size,
                start=start,
            )
            yield from page.items
            start = page.last_key
            if start is None:
                break
