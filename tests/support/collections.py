"""Helpers for the collections tests: a mailer and an SMS sender that record what they
were asked to send, and the sweep + worker loop as the scheduler runs it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from remit.emails.mime import OutgoingEmail
from remit.services.collections import CollectionService
from remit.services.context import Context
from remit.services.documents import DocumentService
from remit.services.links import Links
from remit.services.sweeps import due_jobs
from remit.store.collections import COLLECTIONS
from remit.wiring import collection_service, delivery_service

BASE_URL = "https://pay.acme.example"


@dataclass
class RecordingMailer:
    sent: list[OutgoingEmail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, email: OutgoingEmail) -> str:
        with self.lock:
            self.sent.append(email)
            return f"ses-{len(self.sent)}"

    def subjects(self) -> list[str]:
        return [e.subject for e in self.sent]


@dataclass
class RecordingSms:
    sent: list[tuple[str, str]] = field(default_factory=list)

    def send(self, phone: str, text: str) -> str:
        self.sent.append((phone, text))
        return f"sms-{len(self.sent)}"


class NoDocuments:
    """Reminders attach nothing; a test fails loudly if one tries."""

    def exists(self, key: str) -> bool:
        raise AssertionError("reminders attach no document")

    def put_pdf(self, key: str, body: bytes, filename: str) -> None:
        raise AssertionError("reminders attach no document")

    def get(self, key: str) -> bytes:
        raise AssertionError("reminders attach no document")

    def render(self, org_id: str, invoice_id: str, kind: Any) -> str:
        raise AssertionError("reminders attach no document")


def collections(ctx: Context, mailer: RecordingMailer, sms: RecordingSms) -> CollectionService:
    """What functions/collections_worker builds."""
    nothing = NoDocuments()
    delivery = delivery_service(
        ctx,
        mailer=mailer,
        documents=DocumentService(ctx, nothing, nothing),
        sender="billing@acme.example",
        links=Links(ctx, BASE_URL),
    )
    return collection_service(ctx, delivery=delivery, sms=sms)


def sweep(ctx: Context, service: CollectionService, org: str | None = None) -> list[str]:
    """One sweep of the collections kind and the worker's jobs; the invoices worked."""
    worked = []
    for job in list(due_jobs(ctx, COLLECTIONS)):
        if org is not None and job.body["organizationId"] != org:
            continue
        worked.append(job.body["id"])
        service.run(job.body["organizationId"], job.body["id"])
    return worked
