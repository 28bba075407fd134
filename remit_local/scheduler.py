"""The local EventBridge and SQS event source mappings.

``run_due(now)`` fires every scheduled function (``Schedule`` / ``ScheduleV2`` events)
whose rate has elapsed on the local clock, with the event EventBridge would send and
``time`` set to the local now; catching up is the function's own job (it asks what is
due up to ``time``), which is what makes one run after a month's jump do what the month
held. It then drains every queue that has a consumer (``Type: SQS`` events) the way
Lambda's poller does: batches of up to BatchSize, successful messages deleted, failed
ones (an exception, or ``batchItemFailures`` with ReportBatchItemFailures) left for
redelivery after their visibility timeout, and onwards to a DLQ by the queue's own
redrive policy.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from remit_local.apigw import ACCOUNT_ID, REGION
from remit_local.intrinsics import LocalResource, Resolver, Unresolvable
from remit_local.lambdas import FunctionSpec
from remit_local.streams import StreamPoller
from remit_local.workers import FunctionError, FunctionPools

log = logging.getLogger("remit_local.scheduler")

_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
_RATE_UNIT = {"minute": 60, "hour": 3600, "day": 86400}
MAX_ROUNDS = 25


@dataclass(frozen=True)
class Schedule:
    function: str
    event: str
    expression: str
    source: str  # aws.events (Schedule) or aws.scheduler (ScheduleV2)
    input: str | None = None

    @property
    def interval(self) -> timedelta | None:
        """A rate's period; None for cron expressions, which run on every tick (local
        runs are idempotent sweeps, so running more often than the cron is harmless)."""
        found = _RATE.fullmatch(self.expression.strip())
        if not found:
            return None
        return timedelta(seconds=int(found.group(1)) * _RATE_UNIT[found.group(2).rstrip("s")])


@dataclass(frozen=True)
class QueueSource:
    function: str
    queue: str  # logical id
    url: str
    arn: str
    batch_size: int = 10
    report_failures: bool = False


def schedules(specs: Mapping[str, FunctionSpec]) -> list[Schedule]:
    found = []
    for spec in specs.values():
        for name, event in spec.events.items():
            props = event.get("Properties", {})
            kind = event.get("Type")
            if kind == "Schedule" and props.get("Enabled", True) is not False:
                expression, source = props.get("Schedule", ""), "aws.events"
            elif kind == "ScheduleV2":
                expression, source = props.get("ScheduleExpression", ""), "aws.scheduler"
            else:
                continue
            if props.get("State") == "DISABLED":
                continue
            found.append(Schedule(spec.name, name, str(expression), source, props.get("Input")))
    return found


def queue_sources(specs: Mapping[str, FunctionSpec], resolver: Resolver) -> list[QueueSource]:
    found = []
    for spec in specs.values():
        for name, event in spec.events.items():
            props = event.get("Properties", {})
            if event.get("Type") != "SQS" or props.get("Enabled", True) is False:
                continue
            try:
                arn = resolver.string(props["Queue"])
            except Unresolvable as exc:
                log.warning("%s.%s: queue not available locally: %s", spec.name, name, exc)
                continue
            queue = _queue_by_arn(resolver.resources, arn)
            if queue is None:
                log.warning("%s.%s: %s is not a queue of this template", spec.name, name, arn)
                continue
            found.append(
                QueueSource(
                    function=spec.name,
                    queue=queue.logical_id,
                    url=queue.attributes["QueueUrl"],
                    arn=arn,
                    batch_size=int(props.get("BatchSize", 10)),
                    report_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                )
            )
    return found


def _queue_by_arn(resources: Mapping[str, LocalResource], arn: str) -> LocalResource | None:
    return next(
        (r for r in resources.values() if r.attributes.get("Arn") == arn and "QueueUrl" in r.attributes), None
    )


# -- events ------------------------------------------------------------------------------


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def scheduled_event(schedule: Schedule, now: datetime) -> Any:
    """A template ``Input`` is delivered as is; otherwise EventBridge's Scheduled Event."""
    if schedule.input is not None:
        return json.loads(schedule.input)
    kind = "schedule" if schedule.source == "aws.scheduler" else "rule"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": schedule.source,
        "account": ACCOUNT_ID,
        "time": _iso(now),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:{kind}/{schedule.function}-{schedule.event}"],
        "detail": {},
    }


def sqs_event(source: QueueSource, messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Records": [_record(source, m) for m in messages]}


def _record(source: QueueSource, message: dict[str, Any]) -> dict[str, Any]:
    attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(value["BinaryValue"]).decode()
            if "BinaryValue" in value
            else None,
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value["DataType"],
        }
        for name, value in message.get("MessageAttributes", {}).items()
    }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": attributes,
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": source.arn,
        "awsRegion": REGION,
    }


# -- the scheduler -----------------------------------------------------------------------


@dataclass
class QueueStats:
    queue: str
    function: str
    received: int = 0
    succeeded: int = 0
    failed: int = 0

    def add(self, received: int, succeeded: int) -> None:
        self.received += received
        self.succeeded += succeeded
        self.failed += received - succeeded


@dataclass
class Run:
    """What one pass did, for the clock endpoint's answer and the log."""

    at: str
    scheduled: list[dict[str, Any]] = field(default_factory=list)
    queues: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Scheduler:
    def __init__(
        self,
        schedules: list[Schedule],
        sources: list[QueueSource],
        pools: FunctionPools,
        sqs: Any,
        now: Callable[[], datetime],
        streams: StreamPoller | None = None,
    ) -> None:
        self.streams = streams
        self.schedules = schedules
        self.sources = sources
        self.pools = pools
        self.sqs = sqs
        self.now = now
        self._last_run: dict[Schedule, datetime] = {}
        self._lock = threading.Lock()

    def run_due(self, now: datetime | None = None) -> Run:
        """Fire what is due at ``now`` (default: the local clock), then drain the queues.
        Passes never overlap: a tick waits for a clock move's pass and vice versa."""
        with self._lock:
            now = now or self.now()
            run = Run(at=now.isoformat())
            for schedule in self.schedules:
                if self._due(schedule, now):
                    run.scheduled.append(self._fire(schedule, now))
            run.queues = self._drain()
            return run

    def drain(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._drain()

    def _due(self, schedule: Schedule, now: datetime) -> bool:
        last, interval = self._last_run.get(schedule), schedule.interval
        return last is None or interval is None or now - last >= interval

    def _fire(self, schedule: Schedule, now: datetime) -> dict[str, Any]:
        self._last_run[schedule] = now
        outcome: dict[str, Any] = {"function": schedule.function, "event": schedule.event, "ok": True}
        try:
            self.pools.invoke(schedule.function, scheduled_event(schedule, now), secrets.token_hex(16))
        except FunctionError as exc:
            # EventBridge would retry asynchronously; the next due run catches up anyway.
            log.error("scheduled %s failed: %s", schedule.function, exc)
            outcome |= {"ok": False, "error": f"{exc.error_type}: {exc.message}"}
        return outcome

    def _drain(self) -> list[dict[str, Any]]:
        stats = {s: QueueStats(s.queue, s.function) for s in self.sources}
        # Rounds, so that a consumer feeding another queue is drained too; bounded, so
        # a consumer that keeps feeding its own queue cannot keep us here forever.
        for _ in range(MAX_ROUNDS):
            # Stream records first: what the last round wrote becomes events for the queues.
            delivered = self.streams.drain() if self.streams else 0
            for source in self.sources:
                messages = self._receive(source)
                if not messages:
                    continue
                delivered += len(messages)
                failed = self._deliver(source, messages)
                done = [m for m in messages if m["MessageId"] not in failed]
                self._delete(source, done)
                stats[source].add(received=len(messages), succeeded=len(done))
            if not delivered:
                break
        return [asdict(s) for s in stats.values() if s.received]

    def _receive(self, source: QueueSource) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < source.batch_size:
            out = self.sqs.receive_message(
                QueueUrl=source.url,
                MaxNumberOfMessages=min(10, source.batch_size - len(messages)),
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            )
            batch = out.get("Messages", [])
            if not batch:
                break
            messages += batch
        return messages

    def _deliver(self, source: QueueSource, messages: list[dict[str, Any]]) -> set[str]:
        """The ids of the messages that failed."""
        ids = {m["MessageId"] for m in messages}
        try:
            result = self.pools.invoke(source.function, sqs_event(source, messages), secrets.token_hex(16))
        except FunctionError as exc:
            log.error("%s failed on a batch of %d from %s: %s", source.function, len(ids), source.queue, exc)
            return ids
        if not source.report_failures or not isinstance(result, dict):
            return set()
        failures = result.get("batchItemFailures") or []
        failed = {f.get("itemIdentifier") for f in failures if isinstance(f, dict)}
        if not failed <= ids:
            # Lambda treats an unknown or missing identifier as a failure of the whole batch.
            return ids
        return {str(i) for i in failed}

    def _delete(self, source: QueueSource, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=source.url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )


class Ticker:
    """Calls ``tick`` every ``interval`` seconds of real time until stopped."""

    def __init__(self, tick: Callable[[], object], interval: float) -> None:
        self.tick = tick
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="remit-scheduler", daemon=True)

    def start(self) -> Ticker:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception:  # a failing tick must not end the ticker
                log.exception("scheduler tick failed")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
