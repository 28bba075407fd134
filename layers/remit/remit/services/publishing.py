"""The publisher: outbox events from the table's stream to the SNS topic.

At least once, never twice on a redelivery, in order: the batch is published in event-id
order (ids are time-ordered, and one change's events are minted in order), each event is
marked ``publishedAt`` once SNS has it, and an event already marked is skipped when the
stream hands the batch over again. A failure stops the batch there: that record and all
after it are reported back, so Lambda resumes from it and nothing is skipped or reordered.
The one window left, a crash between SNS's answer and the mark, republishes one event;
subscribers dedupe on ``id``, as the subscriber kit does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from remit.adapters.sns import FIRST_DELIVERY, Topic
from remit.domain.events import Event
from remit.schemas.events import EventOut
from remit.services.context import Context
from remit.store.table import deserialize


@dataclass
class Outcome:
    published: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # Stream sequence numbers to hand back to Lambda as batchItemFailures.
    failed: list[str] = field(default_factory=list)
    error: str | None = None


def outbox_events(records: Iterable[Mapping[str, Any]]) -> list[tuple[str, Event]]:
    """(sequence number, event) for every newly written outbox event in a stream batch,
    in publishing order. The template's filter already passes only these; checking again
    keeps the publisher right wherever its input comes from."""
    found = []
    for record in records:
        image = record.get("dynamodb", {}).get("NewImage")
        if record.get("eventName") != "INSERT" or not image or image.get("entity", {}).get("S") != "event":
            continue
        found.append((str(record["dynamodb"]["SequenceNumber"]), Event.model_validate(deserialize(image))))
    return sorted(found, key=lambda pair: pair[1].id)


class Publisher:
    def __init__(self, ctx: Context, topic: Topic) -> None:
        self.store = ctx.store
        self.clock = ctx.clock
        self.topic = topic

    def publish(self, records: Iterable[Mapping[str, Any]]) -> Outcome:
        pending = outbox_events(records)
        outcome = Outcome()
        already = self._already_published([event for _, event in pending])
        for index, (_, event) in enumerate(pending):
            if event.id in already:
                outcome.skipped.append(event.id)
                continue
            try:
                self.topic.publish(
                    EventOut.of(event).message(), event.organization_id, event.type, FIRST_DELIVERY
                )
                self.store.events.mark_published(event, self.clock.now())
            except Exception as exc:  # whatever broke, the rest waits for the redelivery
                outcome.failed = [seq for seq, _ in pending[index:]]
                outcome.error = f"{type(exc).__name__}: {exc}"
                return outcome
            outcome.published.append(event.id)
        return outcome

    def _already_published(self, events: list[Event]) -> set[str]:
        """Ids in ``events`` whose item says SNS has them (a redelivered batch)."""
        return self.store.events.published_ids(events)
