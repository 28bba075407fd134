"""Internal consumers (delivery worker, PDF function) read the events EventsTopic carries,
which the publisher sends in their public form: no subjectId. The subject is data.id."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from remit.domain.events import Event
from remit.schemas.events import EventOut


def test_the_public_message_reads_back_as_the_event_it_was() -> None:
    event = Event(
        id="evt_1",
        type="invoice.issued",
        created_at=datetime(2026, 1, 15, 9, tzinfo=UTC),
        organization_id="org_1",
        subject_id="inv_1",
        data={"id": "inv_1", "status": "issued"},
    )
    message = EventOut.of(event).message()
    assert "subjectId" not in message
    back = Event.from_message(json.dumps(message))
    assert (back.id, back.type, back.organization_id, back.subject_id) == (
        "evt_1",
        "invoice.issued",
        "org_1",
        "inv_1",
    )
    # A message that carries subjectId keeps it.
    assert Event.from_message(json.dumps({**message, "subjectId": "inv_other"})).subject_id == "inv_other"
