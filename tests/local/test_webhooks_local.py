"""Webhooks end to end on the local cloud: a real HTTP subscriber registered through the
API receives its organization's events (from DynamoDB's stream, through the publisher
function, through SNS), signed, once each and in order, and nothing of another's."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import pytest

from remit_local.stack import LocalStack
from remit_subscriber import MemoryDeduper, Verifier, handle
from tests.local.client import call
from tests.support.receiver import Receiver

NewOrg = Callable[..., tuple[str, str]]


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    with Receiver() as first, Receiver() as second:
        yield first, second


def local_fetch(stack: LocalStack) -> Callable[[str], bytes]:
    """The kit checks that the certificate URL is SNS's; moto serves that certificate
    under the same path on its own endpoint, so fetch it from there."""
    assert stack.moto is not None

    def fetch(url: str) -> bytes:
        # moto server tells services apart by the credential scope of the signature.
        scope = "AWS4-HMAC-SHA256 Credential=local/20261130/us-east-1/sns/aws4_request, Signature=x"
        path = urlsplit(url).path
        request = Request(stack.moto.endpoint + path, headers={"Authorization": scope})  # noqa: S310
        with urlopen(request, timeout=5) as reply:  # noqa: S310
            return bytes(reply.read())

    return fetch


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
        endpoint = call(
            "POST", f"{api}/webhook-endpoints", {"url": receiver.url, "eventTypes": wanted}, key=key
        )
        assert endpoint.status == 201, endpoint
        assert endpoint.json["status"] == "confirmed"

    invoice_id = invoice_issued_and_paid(api, key_a)
    stack.drain_streams()
    stack.drain_streams()  # a second pass finds nothing new: nothing is sent twice

    verifier = Verifier(stack.main.name_of("EventsTopic"), fetch=local_fetch(stack))
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
    call("POST", f"{api}/webhook-endpoints", {"url": receiver.url, "eventTypes": ["invoice.paid"]}, key=key)
    invoice_issued_and_paid(api, key)
    stack.drain_streams()
    [paid] = call("GET", f"{api}/events?type=invoice.paid", key=key).json["data"]
    assert call("POST", f"{api}/events/{paid['id']}/redeliver", {}, key=key).status == 200
    assert [json.loads(b["Message"])["id"] for b in receiver.bodies] == [paid["id"], paid["id"]]
