"""Sending jobs to SQS, ten to a request (the API's limit), resending what it refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

BATCH = 10
ATTEMPTS = 3


@dataclass(frozen=True)
class Job:
    """One unit of scheduled work. ``group`` orders jobs on a FIFO queue (jobs of one
    group are processed one at a time, in order); ``dedupe`` names it for deduplication."""

    body: dict[str, Any]
    group: str
    dedupe: str


class JobQueue:
    def __init__(self, url: str, client: SQSClient | None = None) -> None:
        self.url = url
        if client is not None:
            self.client = client

    @cached_property
    def client(self) -> SQSClient:
        return boto3.client("sqs")

    @property
    def fifo(self) -> bool:
        return self.url.endswith(".fifo")

    def send(self, jobs: Iterable[Job]) -> int:
        """Send every job; returns how many. Raises if SQS keeps refusing some, so the
        caller (a sweep) fails loudly and its next run sends them again."""
        sent = 0
        pending = iter(jobs)
        while chunk := list(islice(pending, BATCH)):
            entries = {str(i): self._entry(str(i), job) for i, job in enumerate(chunk)}
            for _ in range(ATTEMPTS):
                out = self.client.send_message_batch(QueueUrl=self.url, Entries=list(entries.values()))
                for ok in out.get("Successful", []):
                    entries.pop(ok["Id"])
                if not entries:
                    break
            if entries:
                failed = [f.get("Code") for f in out.get("Failed", [])]
                raise RuntimeError(f"SQS refused {len(entries)} jobs: {failed}")
            sent += len(chunk)
        return sent

    def _entry(self, entry_id: str, job: Job) -> SendMessageBatchRequestEntryTypeDef:
        entry: SendMessageBatchRequestEntryTypeDef = {"Id": entry_id, "MessageBody": json.dumps(job.body)}
        if self.fifo:
            entry["MessageGroupId"] = job.group
            entry["MessageDeduplicationId"] = hashlib.sha256(job.dedupe.encode()).hexdigest()
        return entry
