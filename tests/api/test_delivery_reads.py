"""What one email costs: the reads and writes sending an issued invoice's email makes,
counted on the wire (a botocore hook on the delivery worker's own DynamoDB client), and
the PDF of one invoice version rendered once however many ask for it at the same time."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import boto3
import pytest

from remit import wiring
from remit.adapters.s3 import DocumentBucket
from remit.adapters.ses import SesMailer
from remit.clock import FixedClock
from remit.documents.view import DocumentView
from remit.domain.events import Event
from remit.services.context import Context
from remit.services.documents import WAIT_POLLS, DocumentService, RenderInProgress, document_key
from remit.services.links import Links
from remit.store.repositories import Store
from remit.store.table import Table
from remit_local.emails import sent_emails
from tests.api.conftest import SENDER, TABLE
from tests.support.api_client import ApiClient
from tests.support.builders import draft, line
from tests.support.documents import InProcessPdfFunction

# A template naming no link variable (invoice_url, pay_now_url, update_payment_link).
NO_LINKS = {
    "subject": "Invoice {{invoice_number}} from {{company_name}}",
    "fromName": "{{company_name}} Billing",
    "body": "<p>Dear {{customer_name}}, {{amount_due}} is due on {{due_date}}.</p>",
}
FAKE_PDF = b"%PDF-1.4 counted\n"


class Wire:
    """Every DynamoDB call one client makes, by what it touched."""

    def __init__(self) -> None:
        self.reads: Counter[str] = Counter()
        self.link_writes = 0

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        if name == "GetItem":
            self._read(params["Key"]["pk"]["S"], params["Key"]["sk"]["S"])
        elif name == "BatchGetItem":
            for request in params["RequestItems"].values():
                for key in request["Keys"]:
                    self._read(key["pk"]["S"], key["sk"]["S"])
        elif name == "Query":
            values = params.get("ExpressionAttributeValues", {})
            prefix = values.get(":prefix", {}).get("S", "")
            self._read(values[":pk"]["S"], prefix)
        elif name == "PutItem" and params["Item"]["sk"]["S"].startswith("LINK#"):
            self.link_writes += 1
        elif name == "TransactWriteItems":
            for op in params["TransactItems"]:
                item = op.get("Put", {}).get("Item", {})
                if item.get("sk", {}).get("S", "").startswith("LINK#"):
                    self.link_writes += 1

    def _read(self, pk: str, sk: str) -> None:
        if "#INV#" in pk and sk.startswith("INVOICE"):
            self.reads["invoice"] += 1  # the head alone (GetItem) or with its payments (Query)
        elif sk == "ORG":
            self.reads["organization"] += 1
        elif sk.startswith("ACCOUNT#"):
            self.reads["account"] += 1


def counted(ctx: Context) -> tuple[Context, Wire]:
    """The same table through a client of its own whose every call is counted (the PDF
    function, a Lambda of its own, keeps the fixture's client and is not counted)."""
    client = boto3.client("dynamodb")
    wire = Wire()
    client.meta.events.register("before-parameter-build.dynamodb", wire)
    return Context(store=Store(Table(TABLE, client)), clock=ctx.clock), wire


def issued_event(api: ApiClient, ctx: Context, org: str, account_id: str) -> tuple[dict[str, Any], Event]:
    created = api.post("/invoices", draft(account_id, line("1000.00", "1", taxRate="19"))).body
    invoice = api.post(f"/invoices/{created['id']}/finalize").body
    page = ctx.store.table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"ORG#{org}#EVENT"}
    )
    [event] = [Event.model_validate(i) for i in page.items if i["type"] == "invoice.issued"]
    return invoice, event


def link_items(ctx: Context, org: str) -> list[dict[str, Any]]:
    page = ctx.store.table.query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :link)",
        ExpressionAttributeValues={":pk": f"ORG#{org}", ":link": "LINK#"},
    )
    return page.items


@pytest.mark.parametrize("rendered_ahead", [True, False], ids=["pdf-stored", "pdf-rendered-on-demand"])
def test_an_issued_invoice_email_reads_each_object_once_and_mints_no_unused_link(
    api: ApiClient,
    ctx: Context,
    org: str,
    account: dict[str, Any],
    bucket: DocumentBucket,
    pdf_function: InProcessPdfFunction,
    rendered_ahead: bool,
) -> None:
    assert api.put("/email-templates/invoice_issued", NO_LINKS).status == 200
    invoice, event = issued_event(api, ctx, org, account["id"])
    if rendered_ahead:  # the documents queue got there first
        pdf_function.render(org, invoice["id"], "invoice")
        pdf_function.calls.clear()

    worker, wire = counted(ctx)
    delivery = wiring.delivery_service(
        worker,
        mailer=SesMailer(),
        documents=DocumentService(worker, bucket, pdf_function),
        sender=SENDER,
        links=Links(worker),
    )
    sent = delivery.on_event(event)

    assert sent is not None
    assert sent.status == "sent"
    [email] = sent_emails()
    assert email["attachments"][0]["filename"] == f"Invoice {invoice['invoiceNumber']}.pdf"
    assert wire.reads["invoice"] <= 1, wire.reads
    assert wire.reads["organization"] <= 1, wire.reads
    assert wire.reads["account"] <= 1, wire.reads
    assert wire.link_writes == 0
    assert link_items(ctx, org) == []
    # The PDF: the stored one, else one render by the PDF function for this version.
    assert pdf_function.calls == ([] if rendered_ahead else [(org, invoice["id"], "invoice")])


def test_the_default_invoice_email_mints_one_link_for_the_page_and_its_payment_form(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], bucket: DocumentBucket
) -> None:
    api.patch("/organization/invoice-settings", {"attachPdf": False})
    _, event = issued_event(api, ctx, org, account["id"])
    worker, wire = counted(ctx)
    delivery = wiring.delivery_service(
        worker,
        mailer=SesMailer(),
        documents=DocumentService(worker, bucket),
        sender=SENDER,
        links=Links(worker),
    )

    delivery.on_event(event)

    # invoice_url and pay_now_url are one link; update_payment_link is not in the template.
    assert wire.link_writes == 1
    [link] = link_items(ctx, org)
    assert link["kind"] == "invoice"
    [email] = sent_emails()
    assert f"/i/{org}.{link['id']}." in email["html"]


def test_a_preview_of_a_real_invoice_stores_no_link(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any]
) -> None:
    invoice, _ = issued_event(api, ctx, org, account["id"])
    reply = api.post("/email-templates/invoice_issued/preview", {"invoiceId": invoice["id"]})
    assert reply.status == 200, reply
    assert invoice["invoiceNumber"] in reply.body["subject"]
    # Placeholders where the links go, and nothing in the table a link could open.
    assert "/i/preview#pay" in reply.body["html"]
    assert link_items(ctx, org) == []
    failed = api.post("/email-templates/payment_failed/preview", {"invoiceId": invoice["id"]})
    assert "/portal/preview" in failed.body["html"]
    assert link_items(ctx, org) == []


def test_two_concurrent_renders_of_one_version_call_the_renderer_once(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], bucket: DocumentBucket
) -> None:
    invoice, _ = issued_event(api, ctx, org, account["id"])
    bucket.exists("warm-up")  # the S3 client made here, not by two threads at once
    rendering, loser_waiting, holder_done = threading.Event(), threading.Event(), threading.Event()
    renders: list[DocumentView] = []

    def pdf(view: DocumentView) -> bytes:
        renders.append(view)
        rendering.set()
        # Hold the claim until the other render has found it taken and is waiting.
        assert loser_waiting.wait(timeout=10)
        return FAKE_PDF

    def poll(_: float) -> None:  # the loser's wait between looks at S3
        loser_waiting.set()
        assert holder_done.wait(timeout=10)

    def hold() -> None:
        try:
            holder_keys.append(DocumentService(ctx, bucket).render(org, invoice["id"], "invoice", pdf))
        finally:
            holder_done.set()

    holder_keys: list[str] = []
    holder = threading.Thread(target=hold)
    holder.start()
    assert rendering.wait(timeout=10)
    loser_key = DocumentService(ctx, bucket, sleep=poll).render(org, invoice["id"], "invoice", pdf)
    holder.join(timeout=10)

    key = document_key(org, invoice["id"], "invoice", 2)
    assert holder_keys == [key]
    assert loser_key == key
    assert len(renders) == 1
    assert bucket.get(key) == FAKE_PDF


def test_a_render_that_finds_the_claim_held_never_renders_alongside_its_holder(
    api: ApiClient, ctx: Context, org: str, account: dict[str, Any], bucket: DocumentBucket, clock: FixedClock
) -> None:
    invoice, _ = issued_event(api, ctx, org, account["id"])
    key = document_key(org, invoice["id"], "invoice", 2)
    now = clock.now()
    assert ctx.store.render_claims.claim(org, key, "someone-else", now, now + timedelta(minutes=1))
    renders: list[DocumentView] = []

    def pdf(view: DocumentView) -> bytes:
        renders.append(view)
        return FAKE_PDF

    # The documents queue leaves it to the holder at once.
    assert DocumentService(ctx, bucket).render(org, invoice["id"], "invoice", pdf, wait=False) == key
    # A direct invoke waits a bounded number of polls (the injected clock moves), then gives up.
    polls: list[float] = []

    def poll(seconds: float) -> None:
        polls.append(seconds)
        clock.advance(timedelta(seconds=seconds))

    with pytest.raises(RenderInProgress):
        DocumentService(ctx, bucket, sleep=poll).render(org, invoice["id"], "invoice", pdf)
    assert 0 < len(polls) <= WAIT_POLLS
    assert renders == []
    assert not bucket.exists(key)

    # The holder died: once its lease is over the next render takes the claim and renders.
    clock.advance(timedelta(minutes=1))
    assert DocumentService(ctx, bucket, sleep=poll).render(org, invoice["id"], "invoice", pdf) == key
    assert len(renders) == 1
    assert bucket.get(key) == FAKE_PDF
    # Released after storing: a later render finds the PDF and renders nothing.
    assert DocumentService(ctx, bucket).render(org, invoice["id"], "invoice", pdf) == key
    assert len(renders) == 1
