"""The thin handlers of PdfFunction and DeliveryWorkerFunction, loaded from template.yaml
as Lambda would, fed the SQS records their queues deliver (the body is the event JSON)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from remit.domain.events import Event
from remit.services.context import Context
from remit.settings import get_settings
from remit_local.emails import sent_emails
from remit_local.lambdas import LambdaContext, functions, load_handler
from tests.api.conftest import SENDER
from tests.support.api_client import ApiClient
from tests.support.builders import draft
from tests.support.documents import BUCKET


def sqs(*events: Event) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": "h",
                "body": json.dumps(e.model_dump(mode="json", by_alias=True)),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": "us-east-1",
            }
            for i, e in enumerate(events)
        ]
    }


def handler(name: str) -> Any:
    spec = functions()[name]
    function, _ = load_handler(spec)
    return lambda event: function(event, LambdaContext(function_name=name))


@pytest.fixture
def issued(
    api: ApiClient, account: dict[str, Any], ctx: Context, org: str, monkeypatch: pytest.MonkeyPatch
) -> Event:
    monkeypatch.setenv("DOCUMENTS_BUCKET", BUCKET)
    monkeypatch.setenv("SENDER_ADDRESS", SENDER)
    monkeypatch.setenv("PDF_FUNCTION_NAME", "remit-pdf")
    get_settings.cache_clear()  # read again, with the variables just set
    invoice = api.post("/invoices", draft(account["id"])).body
    api.post(f"/invoices/{invoice['id']}/finalize")
    page = ctx.store.table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"ORG#{org}#EVENT"}
    )
    [event] = [Event.model_validate(i) for i in page.items if i["type"] == "invoice.issued"]
    return event


def test_the_pdf_function_renders_on_the_event_and_on_a_direct_invoke(issued: Event, org: str) -> None:
    pdf = handler("PdfFunction")
    assert pdf(sqs(issued)) == {"batchItemFailures": []}
    key = f"{org}/invoices/{issued.subject_id}/invoice-v2.pdf"
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key=key)
    assert body["ContentType"] == "application/pdf"
    assert body["Body"].read().startswith(b"%PDF-")
    answer = pdf(
        {"action": "render", "organizationId": org, "invoiceId": issued.subject_id, "kind": "invoice"}
    )
    assert answer == {"key": key}
    with pytest.raises(ValueError, match="expected"):
        pdf({"action": "render", "kind": "contract"})


def test_the_delivery_worker_sends_once_per_event_and_reports_failures_per_record(issued: Event) -> None:
    # The PDF is rendered ahead (the documents queue), so the worker finds it in S3.
    handler("PdfFunction")(sqs(issued))
    worker = handler("DeliveryWorkerFunction")
    unknown = issued.model_copy(update={"id": "evt_unknown", "subject_id": "inv_missing", "data": {}})
    result = worker(sqs(issued, issued, unknown))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    [email] = sent_emails()
    assert email["attachments"][0]["filename"].endswith(".pdf")


def test_an_s3_failure_while_storing_a_pdf_is_retried_and_the_invoice_stays_issued(
    issued: Event, org: str, api: ApiClient
) -> None:
    pdf = handler("PdfFunction")
    s3 = boto3.client("s3")
    # S3 refuses every write (the bucket is gone for a moment).
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)
    # The whole batch failed: Lambda leaves the message on the queue for another try.
    with pytest.raises(BatchProcessingError):
        pdf(sqs(issued))
    assert api.get(f"/invoices/{issued.subject_id}").body["status"] == "issued"
    # SQS delivers the message again once S3 is back: the PDF is stored, once.
    s3.create_bucket(Bucket=BUCKET)
    assert pdf(sqs(issued)) == {"batchItemFailures": []}
    assert pdf(sqs(issued)) == {"batchItemFailures": []}
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"{org}/invoices/{issued.subject_id}/invoice-v2.pdf"]
