"""The issue's "done when", on the local cloud: finalizing a draft for an account with two
recipients, cc on and language de puts one German email with the PDF attached into
/_local/emails, and the invoice's PDF link downloads a PDF with its number and totals.

The events get from the table to EventsTopic through the stream publisher (issue 6). This
test publishes the outbox's events to the topic itself, exactly as the contract says the
publisher does (Message = the event JSON, attributes organizationId and eventType), so
the rest is the real path: SNS filter policies, raw delivery to DeliveryQueue and
DocumentsQueue, the scheduler's SQS pollers, the delivery worker, the PDF function invoked
through the Lambda API, moto's SES. Once the publisher runs locally too, each event arrives
twice, which is one more check that an event's email goes out once."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

from remit.domain.events import Event
from remit_local.stack import LocalStack
from tests.local.client import call
from tests.support.pdf import text

NewOrg = Callable[..., tuple[str, str]]


def republish_outbox(stack: LocalStack, org_id: str) -> int:
    """Publish the organization's events a second time, as a redelivery would."""
    table = stack.context().store.table
    page = table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"ORG#{org_id}#EVENT"}
    )
    topic = stack.main.name_of("EventsTopic")
    for item in page.items:
        event = Event.model_validate(item)
        stack.clients.sns.publish(
            TopicArn=topic,
            Message=json.dumps(event.model_dump(mode="json", by_alias=True)),
            MessageAttributes={
                "organizationId": {"DataType": "String", "StringValue": event.organization_id},
                "eventType": {"DataType": "String", "StringValue": event.type},
                "audience": {"DataType": "String", "StringValue": "all"},
            },
        )
    return len(page.items)


def emails_for(api: str, number: str, recipient: str) -> list[dict[str, Any]]:
    """This test's emails: invoice numbers repeat across the organizations other tests
    make on the same stack (each starts at INV-2026-00001)."""
    reply = call("GET", f"{api}/_local/emails")
    assert reply.status == 200, reply
    return [e for e in reply.json if number in e["subject"] and recipient in e["to"]]


def test_finalizing_emails_one_german_invoice_with_its_pdf(stack: LocalStack, new_org: NewOrg) -> None:
    org_id, key = new_org("Muster Software AG")
    api = stack.api_url

    def send(method: str, path: str, body: Any = None) -> Any:
        reply = call(method, f"{api}{path}", body, key=key)
        assert reply.status in (200, 201), reply
        return reply.json

    send(
        "PATCH",
        "/organization/invoice-settings",
        {"ccFinanceTeam": True, "ccEmails": ["finanzen@muster.example"]},
    )
    account = send(
        "POST",
        "/accounts",
        {
            "name": "Beispiel GmbH",
            "email": "info@beispiel.example",
            "invoiceSettings": {
                "language": "de",
                "currency": "EUR",
                "recipients": ["buchhaltung@beispiel.example", "cfo@beispiel.example"],
            },
        },
    )
    draft = send(
        "POST",
        "/invoices",
        {
            "accountId": account["id"],
            "lineItems": [
                {"description": "Lizenz", "quantity": "2", "unitAmount": "1500.00", "taxRate": "19"},
                {"description": "Schulung", "quantity": "1", "unitAmount": "800.00", "taxRate": "19"},
            ],
        },
    )
    invoice = send("POST", f"/invoices/{draft['id']}/finalize")
    number = invoice["invoiceNumber"]

    # The publisher carries the outbox from the stream to the topic; the local pollers
    # then drain DeliveryQueue and DocumentsQueue.
    stack.run_due()
    republish_outbox(stack, org_id)  # the same events again: delivery is at least once
    stack.run_due()

    [email] = emails_for(api, number, "buchhaltung@beispiel.example")
    assert email["to"] == ["buchhaltung@beispiel.example", "cfo@beispiel.example"]
    assert email["cc"] == ["finanzen@muster.example"]
    assert email["subject"] == f"Rechnung {number} von Muster Software AG"
    assert "Hallo Beispiel GmbH" in email["text"]
    assert "4.522,00\xa0€" in email["text"]  # (3000 + 800) + 19 %
    [attachment] = email["attachments"]
    assert attachment["filename"] == f"Invoice {number}.pdf"
    assert attachment["contentType"] == "application/pdf"
    assert 2_000 < attachment["size"] < 60_000

    log = send("GET", f"/invoices/{invoice['id']}/emails")["data"]
    assert [(e["template"], e["status"]) for e in log] == [("invoice_issued", "sent")]

    link = send("GET", f"/invoices/{invoice['id']}/pdf")
    with urllib.request.urlopen(link["url"], timeout=30) as response:  # noqa: S310 - the local moto URL
        pdf = text(response.read())
    assert number in pdf
    assert "Gesamtbetrag 4.522,00 €" in pdf
    assert "MwSt. 19 % auf 3.800,00 € 722,00 €" in pdf

    page = call("GET", f"{api}/_local/emails", headers={"Accept": "text/html"})
    assert page.status == 200
    assert f"Rechnung {number}" in page.raw.decode()
