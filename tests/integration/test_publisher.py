"""The publisher on DynamoDB Local's real stream: every outbox event reaches the topic
once and in order, a crash mid-batch loses nothing, a redelivered batch doubles nothing,
and the redriver keeps to its backoff and its three days."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import boto3
import pytest

from remit.clock import FixedClock
from remit.schemas.events import EventOut
from remit.services.context import Context
from remit.services.publishing import Publisher
from remit.services.webhooks import Redriver
from remit.store.table import Table
from remit_local.streams import lambda_record
from tests.support.api_client import ApiClient
from tests.support.builders import draft


class FlakyTopic:
    """Stands in for SNS: records what was published, and fails the n-th publish."""

    arn = "arn:aws:sns:us-east-1:123456789012:events"

    def __init__(self, fail_on: int | None = None) -> None:
        self.fail_on = fail_on
        self.calls = 0
        self.published: list[tuple[dict[str, Any], str, str, str]] = []

    def publish(self, message: dict[str, Any], org_id: str, event_type: str, audience: str) -> str:
        self.calls += 1
        if self.calls == self.fail_on:
            raise ConnectionError("SNS unreachable")
        self.published.append((message, org_id, event_type, audience))
        return f"msg-{self.calls}"

    @property
    def ids(self) -> list[str]:
        return [m["id"] for m, *_ in self.published]


def stream_records(table: Table, org_id: str) -> list[dict[str, Any]]:
    """Every record of the table's stream about ``org_id``, as Lambda would hand them over."""
    streams = boto3.client(
        "dynamodbstreams",
        endpoint_url=table.client.meta.endpoint_url,
        region_name=table.client.meta.region_name,
    )
    arn = table.client.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            out = streams.get_records(ShardIterator=iterator, Limit=1000)
            if not out["Records"]:
                break
            records += out["Records"]
            iterator = out.get("NextShardIterator")
    mine = [r for r in records if org_id in json.dumps(r["dynamodb"].get("Keys", {}))]
    return [lambda_record(r, arn) for r in mine]


@pytest.fixture
def busy_org(new_org: Callable[[str], str], api_for: Callable[[str], ApiClient]) -> str:
    """An organization with two invoices taken to paid: eight events."""
    org = new_org("Stream Co")
    api = api_for(org)
    account = api.post("/accounts", {"name": "Globex", "email": "ap@globex.example"}).body
    for _ in range(2):
        inv = api.post("/invoices", draft(account["id"])).body
        api.post(f"/invoices/{inv['id']}/finalize")
        api.post(f"/invoices/{inv['id']}/payments", {"amount": "100.00", "method": "check"})
    return org


def outbox_ids(ctx: Context, org: str) -> list[str]:
    events, _ = ctx.store.events.list(
        org, event_type=None, created_after=None, created_before=None, limit=100, before_id=None
    )
    return sorted(e.id for e in events)


def test_every_event_is_published_once_in_order_with_its_attributes(ctx: Context, busy_org: str) -> None:
    topic = FlakyTopic()
    records = stream_records(ctx.store.table, busy_org)
    outcome = Publisher(ctx, topic).publish(records)  # type: ignore[arg-type]
    assert outcome.failed == []
    expected = outbox_ids(ctx, busy_org)
    assert len(expected) == 8
    assert topic.ids == expected
    types = [t for _, _, t, _ in topic.published]
    assert types == ["invoice.created", "invoice.issued", "payment.succeeded", "invoice.paid"] * 2
    assert {(org, audience) for _, org, _, audience in topic.published} == {(busy_org, "all")}
    first = ctx.store.events.get(busy_org, expected[0])
    assert first is not None
    assert first.published_at is not None
    assert topic.published[0][0] == EventOut.of(first).message()

    # The stream hands the same batch over again: nothing goes out twice.
    again = Publisher(ctx, topic).publish(records)  # type: ignore[arg-type]
    assert again.published == []
    assert len(again.skipped) == 8
    assert topic.ids == expected


def test_a_crash_mid_batch_loses_nothing_and_doubles_nothing(ctx: Context, busy_org: str) -> None:
    topic = FlakyTopic(fail_on=4)
    records = stream_records(ctx.store.table, busy_org)
    first = Publisher(ctx, topic).publish(records)  # type: ignore[arg-type]
    assert len(first.published) == 3
    # Lambda is told to resume at the failed record: it and everything after it.
    inserted = [r for r in records if r["eventName"] == "INSERT"]
    outbox = sorted(
        (r for r in inserted if r["dynamodb"]["Keys"]["pk"]["S"].endswith("#EVENT")),
        key=lambda r: r["dynamodb"]["Keys"]["sk"]["S"],
    )
    assert first.failed == [r["dynamodb"]["SequenceNumber"] for r in outbox[3:]]

    # Lambda resends the batch from there (here: the whole batch, the worst case).
    second = Publisher(ctx, topic).publish(records)  # type: ignore[arg-type]
    assert second.failed == []
    assert topic.ids == outbox_ids(ctx, busy_org)
    assert len(set(topic.ids)) == 8


def test_only_new_outbox_events_are_published(ctx: Context, busy_org: str) -> None:
    records = stream_records(ctx.store.table, busy_org)
    # Invoices, payments and the mark the publisher writes all flow on the same stream.
    assert {r["eventName"] for r in records} >= {"INSERT", "MODIFY"}
    topic = FlakyTopic()
    Publisher(ctx, topic).publish(records)  # type: ignore[arg-type]
    modified = stream_records(ctx.store.table, busy_org)
    Publisher(ctx, topic).publish([r for r in modified if r["eventName"] == "MODIFY"])  # type: ignore[arg-type]
    assert len(topic.published) == 8


# -- the redriver -----------------------------------------------------------------------------


def dead_letter(message: dict[str, Any]) -> str:
    """A dead-lettered SNS delivery: the envelope, with the event inside."""
    return json.dumps({"Type": "Notification", "MessageId": "m-1", "Message": json.dumps(message)})


def test_the_redriver_backs_off_and_gives_up_after_three_days(
    ctx: Context, busy_org: str, clock: FixedClock
) -> None:
    topic = FlakyTopic()
    [event_id, *_] = outbox_ids(ctx, busy_org)
    event = ctx.store.events.get(busy_org, event_id)
    assert event is not None
    body = dead_letter(EventOut.of(event).message())
    redriver = Redriver(ctx, topic)  # type: ignore[arg-type]

    assert redriver.handle(body).action == "redelivered"
    assert [(m["id"], audience) for m, _, _, audience in topic.published] == [(event_id, "webhooks")]
    # A second copy of the failure (a second endpoint, or SQS redelivering) waits its turn.
    waiting = redriver.handle(body)
    assert (waiting.action, waiting.wait) == ("wait", timedelta(hours=1))
    assert len(topic.published) == 1

    tries = 1
    while (verdict := redriver.handle(body)).action != "abandoned":
        if verdict.action == "wait":
            clock.advance(verdict.wait)
        else:
            tries += 1
    assert clock.now() - event.created_at > timedelta(days=3)
    assert tries == len(topic.published)
    # 1 h, 2 h, 4 h, 8 h, then every 12 h until three days are up.
    assert 7 <= tries <= 10


def test_the_redriver_ignores_what_is_not_a_remit_event(ctx: Context) -> None:
    topic = FlakyTopic()
    redriver = Redriver(ctx, topic)  # type: ignore[arg-type]
    for body in ("not json", json.dumps({"Type": "Notification", "Message": "{}"}), dead_letter({"id": "x"})):
        assert redriver.handle(body).action == "unreadable"
    assert topic.published == []
