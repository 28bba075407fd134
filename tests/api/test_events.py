"""The event log (GET /events), webhook endpoints and redelivery, on moto's DynamoDB, SNS
and SQS: what an endpoint is subscribed to is read back from SNS itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest

from remit.adapters.sns import Topic
from remit.clock import FixedClock
from remit.http.deps import get_topic, get_webhook_config
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit.services.webhooks import WebhookConfig
from tests.support.api_client import ApiClient
from tests.support.builders import issue
from tests.support.receiver import Receiver


@pytest.fixture
def sns(ctx: Context) -> Any:
    return boto3.client("sns")


@pytest.fixture
def topic(ctx: Context, api: ApiClient, sns: Any) -> Topic:
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="webhook-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = Topic(sns.create_topic(Name="events")["TopicArn"], sns)
    api.app.dependency_overrides[get_topic] = lambda: topic
    api.app.dependency_overrides[get_webhook_config] = lambda: WebhookConfig(dead_letter_arn=dlq_arn)
    return topic


def capture(sns: Any, topic: Topic, policy: dict[str, Any] | None = None) -> tuple[Any, str]:
    """An SQS queue subscribed to the topic (raw), standing in for an endpoint."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=f"capture-{len(sqs.list_queues().get('QueueUrls', []))}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes = {"RawMessageDelivery": "true"}
    if policy:
        attributes["FilterPolicy"] = json.dumps(policy)
    sns.subscribe(TopicArn=topic.arn, Protocol="sqs", Endpoint=arn, Attributes=attributes)
    return sqs, url


def received(sqs: Any, url: str) -> list[dict[str, Any]]:
    out = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in out.get("Messages", [])]


def issue_and_pay(api: ApiClient, account: dict[str, Any]) -> str:
    inv = issue(api, account["id"])
    api.post(f"/invoices/{inv['id']}/payments", {"amount": "100.00", "method": "check"})
    return str(inv["id"])


# -- GET /events --------------------------------------------------------------------------


def test_events_list_newest_first_filter_by_type_and_page(
    api: ApiClient, account: dict[str, Any], clock: FixedClock
) -> None:
    issue_and_pay(api, account)
    clock.advance(timedelta(hours=1))
    issue_and_pay(api, account)
    everything = api.get("/events", query={"limit": 100}).body["data"]
    assert [e["type"] for e in everything] == [
        "invoice.paid",
        "payment.succeeded",
        "invoice.issued",
        "invoice.created",
    ] * 2
    assert all(
        set(e) == {"id", "type", "createdAt", "organizationId", "apiVersion", "data"} for e in everything
    )

    paid = api.get("/events", query={"type": "invoice.paid"}).body["data"]
    assert [e["data"]["status"] for e in paid] == ["paid", "paid"]

    seen, cursor = [], None
    while True:
        page = api.get("/events", query={"limit": 3} | ({"cursor": cursor} if cursor else {})).body
        seen += page["data"]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert [e["id"] for e in seen] == [e["id"] for e in everything]


def test_events_by_time_window(api: ApiClient, account: dict[str, Any], clock: FixedClock) -> None:
    issue_and_pay(api, account)
    middle = clock.now() + timedelta(minutes=30)
    clock.advance(timedelta(hours=1))
    second = issue_and_pay(api, account)
    stamp = middle.isoformat().replace("+00:00", "Z")
    after = api.get("/events", query={"createdAfter": stamp}).body["data"]
    assert len(after) == 4
    assert {
        e["subjectId"] if "subjectId" in e else e["data"].get("invoiceId", e["data"]["id"]) for e in after
    } == {second}
    before = api.get("/events", query={"createdBefore": stamp}).body["data"]
    assert len(before) == 4
    assert second not in {e["data"].get("invoiceId", e["data"]["id"]) for e in before}


def test_get_one_event_and_not_another_organizations(
    api: ApiClient, account: dict[str, Any], ctx: Context
) -> None:
    issue_and_pay(api, account)
    [latest, *_] = api.get("/events").body["data"]
    assert api.get(f"/events/{latest['id']}").body == latest
    other, _ = OrganizationService(ctx).create("Other")
    reply = api.get(f"/events/{latest['id']}", org=other.id)
    assert (reply.status, reply.body["code"]) == (404, "not_found")


def test_bad_event_queries_are_clear_4xx(api: ApiClient) -> None:
    assert api.get("/events", query={"type": "invoice.exploded"}).status == 422
    assert api.get("/events", query={"cursor": "nonsense"}).status == 422
    assert api.get("/events/evt_nope").status == 422


# -- webhook endpoints ----------------------------------------------------------------------


def test_an_endpoint_is_a_subscription_pinned_to_its_organization(
    api: ApiClient, topic: Topic, sns: Any
) -> None:
    reply = api.post(
        "/webhook-endpoints",
        {"url": "https://hooks.example.com/remit", "eventTypes": ["invoice.paid", "invoice.issued"]},
    )
    assert reply.status == 201, reply
    endpoint = reply.body
    assert endpoint["eventTypes"] == ["invoice.issued", "invoice.paid"]
    assert endpoint["status"] == "confirmed"  # moto confirms at once; SNS would say pending first
    [subscription] = sns.list_subscriptions_by_topic(TopicArn=topic.arn)["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == (
        "https",
        "https://hooks.example.com/remit",
    )
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])[
        "Attributes"
    ]
    assert json.loads(attributes["FilterPolicy"]) == {
        "organizationId": [api.org_id],
        "eventType": ["invoice.issued", "invoice.paid"],
        "audience": ["all", "webhooks", f"endpoint:{endpoint['id']}"],
    }
    assert "deadLetterTargetArn" in json.loads(attributes["RedrivePolicy"])
    assert json.loads(attributes["DeliveryPolicy"])["healthyRetryPolicy"]["numRetries"] > 0

    assert [e["id"] for e in api.get("/webhook-endpoints").body["data"]] == [endpoint["id"]]
    assert api.delete(f"/webhook-endpoints/{endpoint['id']}").status == 204
    assert sns.list_subscriptions_by_topic(TopicArn=topic.arn)["Subscriptions"] == []
    assert api.get("/webhook-endpoints").body["data"] == []
    assert api.delete(f"/webhook-endpoints/{endpoint['id']}").status == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://localhost/x",
        "ftp://hooks.example.com/x",
        "not a url",
    ],
)
def test_endpoints_must_be_public_https(api: ApiClient, topic: Topic, sns: Any, url: str) -> None:
    reply = api.post("/webhook-endpoints", {"url": url, "eventTypes": ["invoice.paid"]})
    assert reply.status == 422, reply
    assert sns.list_subscriptions_by_topic(TopicArn=topic.arn)["Subscriptions"] == []


def test_endpoint_needs_known_event_types(api: ApiClient, topic: Topic) -> None:
    for types in ([], ["invoice.exploded"]):
        reply = api.post("/webhook-endpoints", {"url": "https://hooks.example.com/", "eventTypes": types})
        assert reply.status == 422, (types, reply)


def test_another_organization_cannot_see_or_delete_an_endpoint(
    api: ApiClient, topic: Topic, ctx: Context
) -> None:
    endpoint = api.post(
        "/webhook-endpoints", {"url": "https://hooks.example.com/", "eventTypes": ["invoice.paid"]}
    ).body
    other, _ = OrganizationService(ctx).create("Other")
    assert api.get("/webhook-endpoints", org=other.id).body["data"] == []
    assert api.delete(f"/webhook-endpoints/{endpoint['id']}", org=other.id).status == 404
    assert len(api.get("/webhook-endpoints").body["data"]) == 1


# -- redelivery ---------------------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def test_redeliver_sends_the_event_again_to_webhook_endpoints_only(
    api: ApiClient, account: dict[str, Any], topic: Topic, sns: Any, receiver: Receiver
) -> None:
    issue_and_pay(api, account)
    [paid] = api.get("/events", query={"type": "invoice.paid"}).body["data"]
    api.app.dependency_overrides[get_webhook_config] = lambda: WebhookConfig("arn:dlq", allow_insecure=True)
    endpoint = api.post("/webhook-endpoints", {"url": receiver.url, "eventTypes": ["invoice.paid"]}).body
    # Stand-ins for an internal consumer (first deliveries only) and another
    # organization's endpoint: neither may see a redelivery.
    sqs, internal = capture(sns, topic, {"audience": ["all"]})
    _, elsewhere = capture(sns, topic, {"organizationId": ["org_someone_else"]})

    reply = api.post(f"/events/{paid['id']}/redeliver", {})
    assert reply.status == 200, reply
    assert reply.body == {"eventId": paid["id"], "endpointIds": [endpoint["id"]]}
    assert [json.loads(n["Message"]) for n in receiver.bodies] == [paid]
    assert received(sqs, internal) == []
    assert received(sqs, elsewhere) == []

    only = api.post(f"/events/{paid['id']}/redeliver", {"endpointId": endpoint["id"]})
    assert only.body["endpointIds"] == [endpoint["id"]]
    assert [json.loads(n["Message"])["id"] for n in receiver.bodies] == [paid["id"]] * 2


def test_redeliver_without_an_endpoint_for_the_type_is_409(
    api: ApiClient, account: dict[str, Any], topic: Topic
) -> None:
    issue_and_pay(api, account)
    [created, *_] = api.get("/events", query={"type": "invoice.created"}).body["data"]
    reply = api.post(f"/events/{created['id']}/redeliver", {})
    assert (reply.status, reply.body["code"]) == (409, "conflict")
    assert api.post("/events/evt_01KF0E5A2B3C4D5E6F7G8H9J0K/redeliver", {}).status == 404
