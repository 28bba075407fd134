"""CollectionsWorkerFunction's thin handler, loaded from template.yaml as Lambda would, fed
the SQS records the sweeper queues; and the delivery worker reading the publisher's
message (the public event, without subjectId)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from remit.clock import FixedClock
from remit.domain.events import Event
from remit.schemas.events import EventOut
from remit.services.context import Context
from remit.services.sweeps import due_jobs
from remit.settings import get_settings
from remit.store.collections import COLLECTIONS
from remit.wiring import collection_service, delivery_service
from remit_local.emails import sent_emails
from remit_local.lambdas import LambdaContext, functions, load_handler
from tests.api.conftest import SENDER
from tests.support.api_client import ApiClient
from tests.support.builders import draft, line
from tests.support.documents import BUCKET


def records(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": "h",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def test_the_worker_works_a_due_invoice_and_reports_a_bad_record_alone(
    api: ApiClient, ctx: Context, clock: FixedClock, org: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The clock below is an hour past midnight of the step's day: steps at 00:00 here.
    assert api.patch("/organization/settings", {"dailyRunTime": "00:00"}).status == 200
    assert (
        api.patch(
            "/organization/dunning-settings",
            {
                "enabled": True,
                "schedule": [{"daysPastDue": 0, "action": "email_reminder", "template": "firm"}],
            },
        ).status
        == 200
    )
    account = api.post("/accounts", {"name": "Globex", "email": "ap@globex.example"}).body
    invoice = api.post("/invoices", draft(account["id"], line("40.00"))).body
    invoice = api.post(f"/invoices/{invoice['id']}/finalize").body
    clock.set(
        datetime.combine(date.fromisoformat(invoice["dueDate"]) + timedelta(days=1), datetime.min.time(), UTC)
        + timedelta(hours=1)
    )
    [job] = [j for j in due_jobs(ctx, COLLECTIONS) if j.body["id"] == invoice["id"]]

    monkeypatch.setenv("DOCUMENTS_BUCKET", BUCKET)
    monkeypatch.setenv("SENDER_ADDRESS", SENDER)
    monkeypatch.setenv("PDF_FUNCTION_NAME", "remit-pdf")
    get_settings.cache_clear()  # the API calls above read the settings already
    function, module = load_handler(functions()["CollectionsWorkerFunction"])
    # The module wired its service from the environment (real SES and SNS adapters, on
    # moto); the test's clock and table stand in for the system clock.
    wired = module.collections
    module.collections = collection_service(
        ctx,
        delivery=delivery_service(
            ctx, mailer=wired.delivery.mailer, documents=wired.delivery.documents, sender=SENDER
        ),
        sms=wired.sms,
    )
    bad = json.dumps({"kind": "autopay", "organizationId": org, "id": invoice["id"]})
    answer = function(
        records(json.dumps(job.body), bad, json.dumps(job.body)), LambdaContext(function_name="w")
    )
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    subjects = [e["subject"] for e in sent_emails() if "ap@globex.example" in e["to"]]
    assert subjects == [f"Payment overdue: Invoice {invoice['invoiceNumber']}"]
    steps = api.get(f"/invoices/{invoice['id']}/collection").body["steps"]
    assert [(s["key"], s["status"]) for s in steps] == [
        ("past_due", "done"),
        ("dunning#000#email_reminder", "done"),
    ]


def test_the_delivery_worker_reads_the_publishers_message(
    api: ApiClient, ctx: Context, org: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCUMENTS_BUCKET", BUCKET)
    monkeypatch.setenv("SENDER_ADDRESS", SENDER)
    monkeypatch.setenv("PDF_FUNCTION_NAME", "remit-pdf")
    get_settings.cache_clear()  # the API client's app read the settings already
    api.patch("/organization/invoice-settings", {"attachPdf": False})
    account = api.post("/accounts", {"name": "Globex", "email": "pub@globex.example"}).body
    invoice = api.post("/invoices", draft(account["id"], line("40.00"))).body
    api.post(f"/invoices/{invoice['id']}/finalize")
    page = ctx.store.table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"ORG#{org}#EVENT"}
    )
    [event] = [Event.model_validate(i) for i in page.items if i["type"] == "invoice.issued"]
    message = json.dumps(EventOut.of(event).message())
    assert "subjectId" not in message
    function, _ = load_handler(functions()["DeliveryWorkerFunction"])
    assert function(records(message), LambdaContext(function_name="d")) == {"batchItemFailures": []}
    assert [e["subject"].split(" ")[0] for e in sent_emails() if "pub@globex.example" in e["to"]] == [
        "Invoice"
    ]
