"""Webhooks end to end on the local cloud: a real HTTP subscriber registered through the
API receives its organization's events (from DynamoDB's stream, through the publisher
function, through SNS), signed, once each and in order, and nothing of another's."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from remit_local.stack import LocalStack
from remit_subscriber import MemoryDeduper, Verifier, handle
from remit_subscriber.local import local_fetch
from tests.local.client import call
from tests.support.receiver import Receiver

NewOrg = Callable[..., tuple[str, str]]


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    with Receiver() as first, Receiver() as second:
        yield first, second


def verifier_for(stack: LocalStack) -> Verifier:
    """The kit as a subscriber runs it, reading SNS's URLs from the local cloud's moto."""
    assert stack.moto is not None
    return Verifier(stack.main.name_of("EventsTopic"), fetch=local_fetch(stack.moto.endpoint))


def subscribe(stack: LocalStack, key: str, receiver: Receiver, types: list[str]) -> dict[str, Any]:
    """Register an endpoint and answer SNS's SubscriptionConfirmation with the kit, as a
    subscriber does in AWS: pending until then, confirmed after."""
    api = stack.api_url
    made = call("POST", f"{api}/webhook-endpoints", {"url": receiver.url, "eventTypes": types}, key=key)
    assert made.status == 201, made
    assert made.json["status"] == "pending_confirmation"
    assert stack.webhooks.flush()
    [confirmation] = [b for b in receiver.raw if json.loads(b)["Type"] == "SubscriptionConfirmation"]
    assert handle(confirmation, verifier_for(stack), MemoryDeduper(), lambda _: None) is None
    listed_all = call("GET", f"{api}/webhook-endpoints", key=key).json["data"]
    [listed] = [e for e in listed_all if e["id"] == made.json["id"]]
    assert listed["status"] == "confirmed"
    receiver.raw.clear()
    return dict(made.json)


def invoice_issued_and_paid(api: str, key: str) -> str:
    account = call("POST", f"{api}/accounts", {"name": "Globex", "email": "ap@globex.example"}, key=key).json
    line = {"description": "Consulting", "quantity": "1", "unitAmount": "250.00"}
    draft = call("POST", f"{api}/invoices", {"accountId": account["id"], "lineItems": [line]}, key=key).json
    assert call("POST", f"{api}/invoices/{draft['id']}/finalize", key=key).status == 200
    paid = call(
        "POST",
        f"{api}/invoices/{draft['id']}/payments",
        {"amount": "250.00", "method": "wire_transfer"},
        key=key,
    )
    assert paid.status in (200, 201), paid
    return str(draft["id"])


def test_subscribers_receive_their_organizations_events_once_in_order(
    stack: LocalStack, new_org: NewOrg, receivers: tuple[Receiver, Receiver]
) -> None:
    api = stack.api_url
    mine, theirs = receivers
    org_a, key_a = new_org("Webhook A")
    _, key_b = new_org("Webhook B")
    wanted = ["invoice.issued", "invoice.paid", "invoice.payment_failed", "invoice.past_due"]
    for key, receiver in ((key_a, mine), (key_b, theirs)):
        subscribe(stack, key, receiver, wanted)

    invoice_id = invoice_issued_and_paid(api, key_a)
    stack.drain_streams()
    stack.drain_streams()  # a second pass finds nothing new: nothing is sent twice
    assert stack.webhooks.flush()

    verifier = verifier_for(stack)
    got: list[dict[str, Any]] = []
    for body in mine.raw:
        handle(body, verifier, MemoryDeduper(), got.append)
    assert [(e["type"], e["data"]["id"]) for e in got] == [
        ("invoice.issued", invoice_id),
        ("invoice.paid", invoice_id),
    ]
    assert all(e["organizationId"] == org_a for e in got)
    assert got[1]["data"]["total"] == "250.00"
    assert theirs.raw == []

    # The event log lists the same events.
    listed = call("GET", f"{api}/events?limit=100", key=key_a).json["data"]
    assert [e for e in listed if e["type"] in wanted][::-1] == got


def test_redeliver_reaches_the_subscriber_again(
    stack: LocalStack, new_org: NewOrg, receivers: tuple[Receiver, Receiver]
) -> None:
    api = stack.api_url
    receiver, _ = receivers
    _, key = new_org("Redeliver Co")
    subscribe(stack, key, receiver, ["invoice.paid"])
    invoice_issued_and_paid(api, key)
    stack.drain_streams()
    [paid] = call("GET", f"{api}/events?type=invoice.paid", key=key).json["data"]
    assert call("POST", f"{api}/events/{paid['id']}/redeliver", {}, key=key).status == 200
    assert stack.webhooks.flush()
    assert [json.loads(b["Message"])["id"] for b in receiver.bodies] == [paid["id"], paid["id"]]
