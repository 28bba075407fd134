"""What the sweep benchmarks share: a table of their own on a fresh DynamoDB Local, a bulk
loader for the items they write straight to it, and one timed sweep that counts the items
its queries read."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from remit.clock import FixedClock
from remit.services.context import Context
from remit.services.sweeps import due_jobs
from remit.store.repositories import Store
from remit.store.table import Table
from remit_local.dynamodb_local import DynamoDBLocal
from remit_local.resources import create_table


@contextmanager
def bench_table(name: str, connections: int = 10) -> Iterator[tuple[Context, Table, FixedClock]]:
    """A context on table ``name`` in a DynamoDB Local started for this run (and stopped
    after it); ``connections`` is the HTTP pool, one per worker thread at least."""
    server = DynamoDBLocal.start()
    try:
        client = boto3.client(
            "dynamodb",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",  # noqa: S106 - DynamoDB Local takes any
            config=Config(max_pool_connections=connections),
        )
        create_table(client, name)
        clock = FixedClock()
        table = Table(name, client)
        yield Context(store=Store(table), clock=clock), table, clock
    finally:
        server.stop()


def write_all(table: Table, requests: list[dict[str, Any]]) -> None:
    """BatchWriteItem in 25s, resending what DynamoDB leaves unprocessed."""
    for i in range(0, len(requests), 25):
        pending: dict[str, Any] = {table.name: requests[i : i + 25]}
        while pending:
            out = table.client.batch_write_item(RequestItems=pending)
            pending = out.get("UnprocessedItems") or {}


@dataclass(frozen=True)
class Sweep:
    jobs: list[Any]
    items_read: int
    queries: int
    ms: float


def timed_sweep(ctx: Context, table: Table, kind: str) -> Sweep:
    """One sweep of ``kind``'s due index, timed, with what its queries read (ScannedCount:
    the items DynamoDB read, not only those returned)."""
    scanned = {"items": 0, "queries": 0}

    def count(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        scanned["items"] += int(parsed.get("ScannedCount", 0))
        scanned["queries"] += 1

    events = table.client.meta.events
    events.register("after-call.dynamodb.Query", count)
    try:
        began = time.perf_counter()
        jobs = list(due_jobs(ctx, kind))
        ms = (time.perf_counter() - began) * 1000
    finally:
        events.unregister("after-call.dynamodb.Query", count)
    return Sweep(jobs, scanned["items"], scanned["queries"], ms)
