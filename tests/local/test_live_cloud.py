"""The local cloud behaves like AWS where a user would notice (issue 16, items 8-10), on a
stack of its own running its tickers as `make run` does:

- a webhook endpoint that refuses connections delays nobody's email: SNS delivers to it
  asynchronously, retries it on its delivery policy and then dead-letters it;
- queue-triggered functions run within moments of a message, not at the next pass;
- a new endpoint is pending until the subscriber kit answers SNS's SubscriptionConfirmation.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from remit.services.organizations import OrganizationService
from remit_local.dynamodb_local import free_port
from remit_local.stack import LocalStack
from remit_subscriber import MemoryDeduper, Verifier, handle
from remit_subscriber.local import local_fetch
from tests.local.client import call
from tests.support.receiver import Receiver

# The retry delays of the webhook delivery policy (20 s .. 600 s, twelve retries) shrunk a
# thousandfold: a dead endpoint is given up on within seconds.
TIME_SCALE = 0.001


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    stack = LocalStack(
        tmp_path_factory.mktemp("live-cloud"),
        parameters={"LogLevel": "WARNING"},
        pool_size=2,
        webhook_time_scale=TIME_SCALE,
        prefix="remit-live",  # beside the package's stack, in the same moto
    )
    stack.start(in_memory=True)
    # A fresh stack's functions import on first use (the publisher, the delivery worker, the
    # PDF function): one invoice emailed first, so what is measured below is a warm stack's.
    key = org(stack, "Warm-up Co")
    call("GET", f"{stack.api_url}/accounts", key=key, timeout=180)
    stack.start_ticker(60)
    finalize(stack.api_url, key, "ap@warm-up.example")
    within(180, lambda: emails_to(stack.api_url, "ap@warm-up.example"))
    # (The scheduler's own pass comes only every minute: what happens sooner is the pollers'.)
    try:
        yield stack
    finally:
        stack.stop()


def within(seconds: float, found: Callable[[], Any]) -> Any:
    """Wait for ``found()`` to be truthy, at most ``seconds``; fail otherwise."""
    deadline = time.monotonic() + seconds
    pause = threading.Event()
    while time.monotonic() < deadline:
        if value := found():
            return value
        pause.wait(0.1)
    pytest.fail(f"not within {seconds} s")


def org(stack: LocalStack, name: str) -> str:
    _, token = OrganizationService(stack.context()).create(name)
    return token


def finalize(api: str, key: str, email: str) -> str:
    account = call("POST", f"{api}/accounts", {"name": "Globex", "email": email}, key=key).json
    line = {"description": "Consulting", "quantity": "1", "unitAmount": "250.00"}
    draft = call("POST", f"{api}/invoices", {"accountId": account["id"], "lineItems": [line]}, key=key).json
    done = call("POST", f"{api}/invoices/{draft['id']}/finalize", key=key)
    assert done.status == 200, done
    return str(done.json["invoiceNumber"])


def emails_to(api: str, recipient: str) -> list[dict[str, Any]]:
    return [e for e in call("GET", f"{api}/_local/emails").json if recipient in e["to"]]


def test_a_dead_webhook_endpoint_delays_no_email_and_ends_in_the_dead_letter_queue(live: LocalStack) -> None:
    api, key = live.api_url, org(live, "Dead Hook Co")
    dead = f"http://127.0.0.1:{free_port()}/hooks"  # nothing listens there
    made = call("POST", f"{api}/webhook-endpoints", {"url": dead, "eventTypes": ["invoice.issued"]}, key=key)
    assert made.status == 201, made

    started = time.monotonic()
    number = finalize(api, key, "ap@dead-hook.example")
    [email] = within(8, lambda: emails_to(api, "ap@dead-hook.example"))
    assert number in email["subject"]
    # No clock move and no scheduler pass: the stream and queue pollers did it, promptly.
    assert time.monotonic() - started < 8

    # SNS retried the endpoint on its policy, then gave the notification to the DLQ.
    dlq = live.main.name_of("WebhookDeadLetterQueue")

    def dead_lettered() -> list[dict[str, Any]]:
        out = live.clients.sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0)
        bodies = [json.loads(m["Body"]) for m in out.get("Messages", [])]
        return [b for b in bodies if b.get("Type") == "Notification" and number in b["Message"]]

    [envelope] = within(20, dead_lettered)
    assert json.loads(envelope["Message"])["type"] == "invoice.issued"


def test_a_new_endpoint_is_pending_until_the_kit_confirms_it(live: LocalStack) -> None:
    api, key = live.api_url, org(live, "Confirm Co")
    with Receiver() as receiver:
        wanted = {"url": receiver.url, "eventTypes": ["invoice.issued"]}
        made = call("POST", f"{api}/webhook-endpoints", wanted, key=key)
        assert made.json["status"] == "pending_confirmation"
        [raw] = within(5, lambda: receiver.raw)
        assert json.loads(raw)["Type"] == "SubscriptionConfirmation"

        assert live.moto is not None
        verifier = Verifier(live.main.name_of("EventsTopic"), fetch=local_fetch(live.moto.endpoint))
        assert handle(raw, verifier, MemoryDeduper(), lambda _: None) is None  # visits SubscribeURL

        listed = call("GET", f"{api}/webhook-endpoints", key=key).json["data"]
        assert [e["status"] for e in listed] == ["confirmed"]

        # And it receives the events it asked for, verified by the same kit.
        number = finalize(api, key, "ap@confirm.example")
        got: list[dict[str, Any]] = []
        deduper = MemoryDeduper()
        within(8, lambda: [handle(b, verifier, deduper, got.append) for b in receiver.raw[1:]] and got)
        assert [(e["type"], e["data"]["invoiceNumber"]) for e in got] == [("invoice.issued", number)]
