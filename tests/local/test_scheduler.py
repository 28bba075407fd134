"""The local scheduler, shown with the fixture template: a daily function that catches up
on the days it missed and feeds a queue, a consumer with partial batch failures and a
DLQ, and a topic fanned out to a queue whose consumer fails whole batches."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import moto.sqs.models as moto_sqs
import pytest

from remit_local.deployment import Deployment
from remit_local.stack import LocalStack
from tests.local.client import call


def objects(stack: LocalStack, app: Deployment, prefix: str) -> dict[str, str]:
    listed = stack.clients.s3.list_objects_v2(Bucket=app.name_of("RecordsBucket"), Prefix=prefix)
    return {
        o["Key"]: stack.clients.s3.get_object(Bucket=app.name_of("RecordsBucket"), Key=o["Key"])["Body"]
        .read()
        .decode()
        for o in listed.get("Contents", [])
    }


def last_tick(stack: LocalStack, app: Deployment) -> date:
    return date.fromisoformat(objects(stack, app, "state/")["state/last-tick"])


def queue_stats(ran: dict[str, Any], queue: str) -> dict[str, Any]:
    [stats] = [q for q in ran["queues"] if q["queue"] == queue]
    return stats


def visible(stack: LocalStack, app: Deployment, queue: str) -> dict[str, int]:
    attributes = stack.clients.sqs.get_queue_attributes(
        QueueUrl=app.name_of(queue),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return {k: int(v) for k, v in attributes.items()}


@pytest.fixture
def sqs_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """SQS's clock, stopped, and moved by advance(seconds). moto serves the local cloud
    from this process (remit_local/moto_server.py), so a visibility timeout runs out when
    the test says so: not after a real wait, and not in the middle of a slow drain on a
    loaded machine (the failed item was then received twice in one drain)."""
    real = moto_sqs.unix_time_millis
    now_ms = [real()]
    monkeypatch.setattr(
        moto_sqs, "unix_time_millis", lambda dt=None: real(dt) if dt is not None else now_ms[0]
    )

    def advance(seconds: float) -> None:
        now_ms[0] += seconds * 1000

    return advance


def test_a_clock_jump_runs_the_schedule_once_and_it_catches_up(
    stack: LocalStack, fixture_app: Deployment
) -> None:
    stack.run_due()  # whatever was due before this test, done
    before = last_tick(stack, fixture_app)

    reply = call("POST", f"{fixture_app.url}/_local/clock", {"advance": "P3D"})
    assert reply.status == 200, reply
    ran = reply.json["ran"]
    now = datetime.fromisoformat(ran["at"])  # the pass's time: the event's "time"

    ticks = [s for s in ran["scheduled"] if s["function"] == "TickFunction"]
    assert ticks == [{"function": "TickFunction", "event": "Daily", "ok": True}]
    missed = [before + timedelta(days=n) for n in range(1, (now.date() - before).days + 1)]
    assert len(missed) == 3
    # Drained before the answer: one work item per missed day, each recorded.
    assert queue_stats(ran, "WorkQueue") == {
        "queue": "WorkQueue",
        "function": "WorkerFunction",
        "received": 3,
        "succeeded": 3,
        "failed": 0,
    }
    work = objects(stack, fixture_app, "work/")
    assert {f"work/{d.isoformat()}" for d in missed} <= set(work)
    assert last_tick(stack, fixture_app) == now.date()
    # The topic's subscription delivered the tick's note to NotesQueue, drained as well.
    assert queue_stats(ran, "NotesQueue")["succeeded"] >= 1
    notes = [json.loads(n) for n in objects(stack, fixture_app, "notes/").values()]
    assert {"tickAt": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "days": 3} in notes
    assert visible(stack, fixture_app, "WorkQueue") == {
        "ApproximateNumberOfMessages": 0,
        "ApproximateNumberOfMessagesNotVisible": 0,
    }


def test_a_rate_is_honoured_between_runs(stack: LocalStack, fixture_app: Deployment) -> None:
    call("POST", f"{fixture_app.url}/_local/clock", {"advance": "P1D"})  # TickFunction runs now
    reply = call("POST", f"{fixture_app.url}/_local/clock", {"advance": "PT1H"})
    assert "TickFunction" not in [s["function"] for s in reply.json["ran"]["scheduled"]]
    reply = call("POST", f"{fixture_app.url}/_local/clock", {"advance": "PT23H"})
    assert "TickFunction" in [s["function"] for s in reply.json["ran"]["scheduled"]]


def test_failed_batch_items_are_redelivered_then_dead_lettered(
    stack: LocalStack, fixture_app: Deployment, sqs_clock: Callable[[float], None]
) -> None:
    sqs, queue = stack.clients.sqs, fixture_app.name_of("WorkQueue")
    for body in ({"id": "ok-1"}, {"id": "bad", "fail": True}, {"id": "ok-2"}):
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(body))

    first = fixture_app.scheduler.drain()
    assert first == [
        {"queue": "WorkQueue", "function": "WorkerFunction", "received": 3, "succeeded": 2, "failed": 1}
    ]
    # The failure is not deleted: invisible for the queue's visibility timeout (1 s).
    assert visible(stack, fixture_app, "WorkQueue")["ApproximateNumberOfMessagesNotVisible"] == 1

    sqs_clock(1.2)
    second = fixture_app.scheduler.drain()
    assert second[0]["received"] == 1
    assert second[0]["failed"] == 1

    # maxReceiveCount is 2: the next receive moves it to the dead-letter queue instead.
    sqs_clock(1.2)
    assert fixture_app.scheduler.drain() == []
    dead = sqs.receive_message(QueueUrl=fixture_app.name_of("WorkDeadLetterQueue"), MaxNumberOfMessages=10)
    assert [json.loads(m["Body"])["id"] for m in dead["Messages"]] == ["bad"]


def test_an_exception_fails_the_whole_batch(stack: LocalStack, fixture_app: Deployment) -> None:
    sqs, queue = stack.clients.sqs, fixture_app.name_of("NotesQueue")
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"Message": "fine"}))
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"Message": "explode"}))

    [stats] = fixture_app.scheduler.drain()
    assert stats["received"] == 2
    assert stats["failed"] == 2  # no ReportBatchItemFailures: all or nothing
    assert visible(stack, fixture_app, "NotesQueue")["ApproximateNumberOfMessagesNotVisible"] == 2
    sqs.purge_queue(QueueUrl=queue)  # so the exploding note cannot fail later batches
