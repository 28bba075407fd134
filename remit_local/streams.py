"""The local DynamoDB Streams event source mapping: functions with ``Type: DynamoDB``
events get the table's stream records from DynamoDB Local, the way Lambda's poller hands
them over: per shard and in order, in batches of up to BatchSize, only records that pass
the FilterCriteria, and with ReportBatchItemFailures honoured (the shard resumes at the
first failed record; a raised error retries the whole batch on the next pass)."""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from remit_local.apigw import REGION
from remit_local.intrinsics import Resolver, Unresolvable
from remit_local.lambdas import FunctionSpec
from remit_local.workers import FunctionError, FunctionPools

log = logging.getLogger("remit_local.streams")


@dataclass(frozen=True)
class StreamSource:
    function: str
    stream_arn: str
    batch_size: int = 100
    report_failures: bool = False
    patterns: tuple[str, ...] = ()


def stream_sources(specs: Mapping[str, FunctionSpec], resolver: Resolver) -> list[StreamSource]:
    found = []
    for spec in specs.values():
        for name, event in spec.events.items():
            props = event.get("Properties", {})
            if event.get("Type") != "DynamoDB" or props.get("Enabled", True) is False:
                continue
            try:
                arn = resolver.string(props["Stream"])
            except Unresolvable as exc:
                log.warning("%s.%s: stream not available locally: %s", spec.name, name, exc)
                continue
            filters = props.get("FilterCriteria", {}).get("Filters", [])
            found.append(
                StreamSource(
                    function=spec.name,
                    stream_arn=arn,
                    batch_size=int(props.get("BatchSize", 100)),
                    report_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                    patterns=tuple(str(f["Pattern"]) for f in filters),
                )
            )
    return found


def matches(pattern: Any, value: Any) -> bool:
    """Lambda event filtering, the part templates use: nested objects, and lists of the
    values a field may take."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(k in value and matches(p, value[k]) for k, p in pattern.items())
    if isinstance(pattern, list):
        return value in pattern
    return bool(pattern == value)


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """GetRecords' record as Lambda delivers it (JSON: times as epoch seconds)."""
    body = dict(record)
    dynamodb = dict(body["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    body["dynamodb"] = dynamodb
    return body | {"eventSourceARN": stream_arn, "awsRegion": REGION}


class StreamPoller:
    def __init__(self, sources: list[StreamSource], pools: FunctionPools, client: Any) -> None:
        self.sources = sources
        self.pools = pools
        self.client = client
        # The last sequence number each (source, shard) has done with.
        self._done: dict[tuple[StreamSource, str], str] = {}
        self._lock = threading.Lock()

    def drain(self) -> int:
        """Deliver every record not yet delivered; the number of records delivered."""
        with self._lock:
            return sum(self._drain_source(s) for s in self.sources)

    def _drain_source(self, source: StreamSource) -> int:
        shards = self.client.describe_stream(StreamArn=source.stream_arn)["StreamDescription"]["Shards"]
        delivered = 0
        for shard in sorted(shards, key=lambda s: s["SequenceNumberRange"]["StartingSequenceNumber"]):
            delivered += self._drain_shard(source, shard["ShardId"])
        return delivered

    def _drain_shard(self, source: StreamSource, shard_id: str) -> int:
        after = self._done.get((source, shard_id))
        position = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
            if after
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = self.client.get_shard_iterator(StreamArn=source.stream_arn, ShardId=shard_id, **position)[
            "ShardIterator"
        ]
        delivered = 0
        while iterator:
            out = self.client.get_records(ShardIterator=iterator, Limit=source.batch_size)
            records = out.get("Records", [])
            if not records:
                break
            wanted = [r for r in records if self._wanted(source, r)]
            if wanted:
                ok_until = self._deliver(source, wanted)
                delivered += len(wanted)
                if ok_until is not None:
                    # Stop here: the next pass starts right after the last record done.
                    if ok_until:
                        self._done[(source, shard_id)] = ok_until
                    return delivered
            self._done[(source, shard_id)] = records[-1]["dynamodb"]["SequenceNumber"]
            iterator = out.get("NextShardIterator")
        return delivered

    @staticmethod
    def _wanted(source: StreamSource, record: Mapping[str, Any]) -> bool:
        if not source.patterns:
            return True
        plain = json.loads(json.dumps(record, default=str))
        return any(matches(json.loads(p), plain) for p in source.patterns)

    def _deliver(self, source: StreamSource, records: list[dict[str, Any]]) -> str | None:
        """None if the whole batch is done; otherwise the sequence number up to which it
        is ("" for none of it)."""
        event = {"Records": [lambda_record(r, source.stream_arn) for r in records]}
        try:
            result = self.pools.invoke(source.function, event, secrets.token_hex(16))
        except FunctionError as exc:
            log.error("%s failed on a stream batch of %d: %s", source.function, len(records), exc)
            return ""
        failures = (result or {}).get("batchItemFailures") if source.report_failures else None
        if not failures:
            return None
        failed = {str(f.get("itemIdentifier")) for f in failures if isinstance(f, dict)}
        sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
        first = next((i for i, seq in enumerate(sequences) if seq in failed), 0)
        return sequences[first - 1] if first > 0 else ""
