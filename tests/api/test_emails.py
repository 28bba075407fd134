"""Email delivery against moto's SES: what each event sends, to whom, exactly once; the
template API; the delivery log and SES's notifications."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from remit.adapters.s3 import DocumentBucket
from remit.adapters.ses import SesMailer
from remit.clock import FixedClock
from remit.domain.events import Event
from remit.emails.mime import OutgoingEmail
from remit.errors import Unavailable
from remit.services.context import Context
from remit.services.delivery import DeliveryInProgress, DeliveryService
from remit.services.delivery_log import DeliveryLog
from remit.services.documents import DocumentService
from remit.services.links import Links
from remit.wiring import delivery_service
from remit_local.emails import sent_emails
from tests.api.conftest import SENDER
from tests.support import builders
from tests.support.api_client import ApiClient
from tests.support.builders import draft, line
from tests.support.documents import InProcessPdfFunction
from tests.support.pdf import text


@pytest.fixture
def delivery(ctx: Context, bucket: DocumentBucket, pdf_function: InProcessPdfFunction) -> DeliveryService:
    """What functions/delivery_worker runs for each event."""
    documents = DocumentService(ctx, bucket, pdf_function)
    return delivery_service(ctx, mailer=SesMailer(), documents=documents, sender=SENDER, links=links(ctx))


def links(ctx: Context) -> Links:
    return Links(ctx, "https://pay.acme.example")


def events_of(ctx: Context, org: str, kind: str) -> list[Event]:
    page = ctx.store.table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"ORG#{org}#EVENT"}
    )
    return [Event.model_validate(i) for i in page.items if i["type"] == kind]


@pytest.fixture
def german_account(api: ApiClient) -> dict[str, Any]:
    api.patch("/organization/invoice-settings", {"ccFinanceTeam": True, "ccEmails": ["finance@acme.example"]})
    reply = api.post(
        "/accounts",
        {
            "name": "Kunde GmbH",
            "email": "info@kunde.example",
            "invoiceSettings": {
                "language": "de",
                "currency": "EUR",
                "recipients": ["ap@kunde.example", "cfo@kunde.example"],
            },
        },
    )
    assert reply.status == 201, reply
    return reply.body  # type: ignore[no-any-return]


def issue(api: ApiClient, account_id: str) -> dict[str, Any]:
    """Every invoice here: one 1000.00 line taxed at 19 %."""
    return builders.issue(api, account_id, line("1000.00", "1", taxRate="19"))


def test_issuing_emails_the_invoice_once_in_german_with_the_pdf_to_recipients_and_cc(
    api: ApiClient, ctx: Context, german_account: dict[str, Any], delivery: DeliveryService, org: str
) -> None:
    invoice = issue(api, german_account["id"])
    [issued] = events_of(ctx, org, "invoice.issued")
    first = delivery.on_event(issued)
    again = delivery.on_event(issued)  # the same event delivered twice (SQS at-least-once)
    assert first is not None
    assert again == first

    [email] = sent_emails()
    assert email["to"] == ["ap@kunde.example", "cfo@kunde.example"]
    assert email["cc"] == ["finance@acme.example"]
    assert email["from"] == f"Acme Buchhaltung <{SENDER}>"
    assert email["subject"] == f"Rechnung {invoice['invoiceNumber']} von Acme"
    assert "über 1.190,00\xa0€" in email["text"]  # Babel: a no-break space before €
    assert "Consulting  1  1.000,00\xa0€\nGesamtbetrag  1.190,00\xa0€" in email["text"]  # the line summary
    # The hosted page's tokenized link (docs/pages.md), at its payment form.
    assert re.search(rf"https://pay\.acme\.example/i/{org}\.lnk_\w+\.[\w-]{{43}}#pay", email["html"])
    [attachment] = email["attachments"]
    assert attachment["filename"] == f"Invoice {invoice['invoiceNumber']}.pdf"
    assert attachment["contentType"] == "application/pdf"

    log = api.get(f"/invoices/{invoice['id']}/emails").body["data"]
    assert len(log) == 1
    assert log[0]["status"] == "sent"
    assert log[0]["template"] == "invoice_issued"
    assert log[0]["to"] == email["to"]
    assert log[0]["cc"] == email["cc"]
    assert log[0]["subject"] == email["subject"]
    assert log[0]["sesMessageId"] == email["id"]


def test_the_attached_pdf_is_the_invoice(
    api: ApiClient, ctx: Context, german_account: dict[str, Any], delivery: DeliveryService, org: str
) -> None:
    from moto.ses.models import ses_backends

    invoice = issue(api, german_account["id"])
    delivery.on_event(events_of(ctx, org, "invoice.issued")[0])
    [raw] = [m.raw_data for m in ses_backends["123456789012"]["us-east-1"].sent_messages]
    from email import message_from_string, policy

    [part] = list(message_from_string(raw, policy=policy.default).iter_attachments())  # type: ignore[attr-defined]
    pdf = text(part.get_payload(decode=True))
    assert invoice["invoiceNumber"] in pdf
    assert "Gesamtbetrag 1.190,00 €" in pdf


def test_no_pdf_when_the_organization_does_not_attach_one(
    api: ApiClient, ctx: Context, account: dict[str, Any], delivery: DeliveryService, org: str
) -> None:
    api.patch("/organization/invoice-settings", {"attachPdf": False})
    issue(api, account["id"])
    delivery.on_event(events_of(ctx, org, "invoice.issued")[0])
    [email] = sent_emails()
    assert email["attachments"] == []
    assert email["to"] == ["ap@globex.example"]  # no recipients override: the account's email
    assert email["cc"] == []


def test_a_failed_send_is_logged_and_retried_and_a_held_claim_is_not_sent_twice(
    api: ApiClient,
    ctx: Context,
    account: dict[str, Any],
    bucket: DocumentBucket,
    pdf_function: InProcessPdfFunction,
    org: str,
) -> None:
    invoice = issue(api, account["id"])
    [issued] = events_of(ctx, org, "invoice.issued")

    class Refusing:
        def send(self, email: OutgoingEmail) -> str:
            raise RuntimeError("MessageRejected: sending paused")

    documents = DocumentService(ctx, bucket, pdf_function)
    with pytest.raises(Unavailable, match="sending paused"):
        delivery_service(
            ctx, mailer=Refusing(), documents=documents, sender=SENDER, links=links(ctx)
        ).on_event(issued)
    [failed] = api.get(f"/invoices/{invoice['id']}/emails").body["data"]
    assert (failed["status"], failed["detail"]) == ("failed", "MessageRejected: sending paused")

    retried = delivery_service(
        ctx, mailer=SesMailer(), documents=documents, sender=SENDER, links=links(ctx)
    ).on_event(issued)
    assert retried is not None
    assert retried.status == "sent"
    assert len(sent_emails()) == 1

    # A run that finds the claim held (another sender is on it now) sends nothing.
    held = retried.model_copy(
        update={
            "id": "evt_other-invoice_issued",
            "status": "sending",
            "claimed_until": ctx.clock.now().replace(year=2100),
        }
    )
    ctx.store.deliveries.claim(held, ctx.clock.now())
    other = issued.model_copy(update={"id": "evt_other"})
    with pytest.raises(DeliveryInProgress):
        delivery_service(
            ctx, mailer=SesMailer(), documents=documents, sender=SENDER, links=links(ctx)
        ).on_event(other)
    assert len(sent_emails()) == 1


def test_paid_sends_the_receipt_with_the_receipt_pdf(
    api: ApiClient, ctx: Context, account: dict[str, Any], delivery: DeliveryService, org: str
) -> None:
    invoice = issue(api, account["id"])
    api.post(f"/invoices/{invoice['id']}/payments", {"amount": "1190.00", "method": "check"})
    [paid] = events_of(ctx, org, "invoice.paid")
    delivery.on_event(paid)
    [email] = sent_emails()
    assert email["subject"] == f"Receipt for invoice {invoice['invoiceNumber']}"
    assert "payment of $1,190.00" in email["text"]
    assert email["attachments"][0]["filename"] == f"Receipt {invoice['invoiceNumber']}.pdf"


def test_delivery_method_none_sends_nothing_automatically_but_a_manual_send_still_goes(
    api: ApiClient, ctx: Context, delivery: DeliveryService, org: str, clock: FixedClock
) -> None:
    account = api.post(
        "/accounts",
        {"name": "Quiet", "email": "q@quiet.example", "invoiceSettings": {"deliveryMethod": "none"}},
    ).body
    invoice = issue(api, account["id"])
    skipped = delivery.on_event(events_of(ctx, org, "invoice.issued")[0])
    assert skipped is not None
    assert skipped.status == "skipped"
    assert sent_emails() == []
    clock.advance(timedelta(minutes=3))
    reply = api.post(f"/invoices/{invoice['id']}/send", {})
    assert reply.status == 200, reply
    assert reply.body["status"] == "sent"
    assert [e["to"] for e in sent_emails()] == [["q@quiet.example"]]
    statuses = [e["status"] for e in api.get(f"/invoices/{invoice['id']}/emails").body["data"]]
    assert statuses == ["sent", "skipped"]  # newest first


def test_send_again_and_refusals(api: ApiClient, account: dict[str, Any]) -> None:
    invoice = issue(api, account["id"])
    assert api.post(f"/invoices/{invoice['id']}/send", {}).status == 200
    assert api.post(f"/invoices/{invoice['id']}/send", {}).status == 200
    assert len(sent_emails()) == 2  # on request, as often as asked
    assert len(api.get(f"/invoices/{invoice['id']}/emails").body["data"]) == 2
    receipt = api.post(f"/invoices/{invoice['id']}/send", {"template": "payment_receipt"})
    assert (receipt.status, receipt.body["field"]) == (409, "template")
    unknown = api.post(f"/invoices/{invoice['id']}/send", {"template": "nope"})
    assert unknown.status == 404
    draft_id = api.post("/invoices", draft(account["id"])).body["id"]
    assert api.post(f"/invoices/{draft_id}/send", {}).status == 409


def test_a_bounce_marks_the_email_and_shows_on_the_account(
    api: ApiClient, ctx: Context, account: dict[str, Any], delivery: DeliveryService, org: str
) -> None:
    from remit.services import ses_events

    invoice = issue(api, account["id"])
    sent = delivery.on_event(events_of(ctx, org, "invoice.issued")[0])
    assert sent is not None
    tags = {
        "remit-org": org,
        "remit-account": account["id"],
        "remit-invoice": invoice["id"],
        "remit-email": sent.id,
    }

    def notify(kind: str, body: dict[str, Any]) -> None:
        message = {
            "eventType": kind,
            "mail": {"timestamp": "2026-01-15T09:00:00Z", "tags": {k: [v] for k, v in tags.items()}},
            **body,
        }
        parsed = ses_events.parse(message)
        assert parsed is not None
        DeliveryLog(ctx).record_outcome(
            parsed.tags, parsed.outcome, parsed.at, parsed.addresses, parsed.detail
        )

    bounce = {
        "bounce": {
            "bounceType": "Permanent",
            "timestamp": "2026-01-15T09:00:05Z",
            "bouncedRecipients": [
                {"emailAddress": "ap@globex.example", "diagnosticCode": "smtp; 550 user unknown"}
            ],
        }
    }
    notify("Bounce", bounce)
    # A delivery notification arriving after the bounce does not hide it.
    notify(
        "Delivery", {"delivery": {"timestamp": "2026-01-15T09:00:06Z", "recipients": ["ap@globex.example"]}}
    )
    [logged] = api.get(f"/invoices/{invoice['id']}/emails").body["data"]
    assert logged["status"] == "bounced"
    assert logged["bouncedAt"] == "2026-01-15T09:00:05Z"
    assert logged["detail"] == "smtp; 550 user unknown"
    issue_on_account = api.get(f"/accounts/{account['id']}").body["deliveryIssue"]
    assert issue_on_account["kind"] == "bounced"
    assert issue_on_account["addresses"] == ["ap@globex.example"]
    assert issue_on_account["invoiceId"] == invoice["id"]


def test_template_api_customizes_per_language_and_delete_returns_to_the_default(api: ApiClient) -> None:
    body = {
        "subject": "Your bill {{invoice_number}} from {{company_name}}",
        "fromName": "{{company_name}} Accounts",
        "replyTo": "accounts@acme.example",
        "body": "<p>Dear {{customer_name}}, {{amount_due}} is due on {{due_date}}.</p>",
    }
    put = api.put("/email-templates/invoice_issued", body)
    assert put.status == 200, put
    assert (put.body["source"], put.body["language"]) == ("custom", None)
    german = api.put(
        "/email-templates/invoice_issued",
        {"subject": "Ihre Rechnung {{invoice_number}}"},
        query={"language": "de"},
    )
    assert german.status == 200, german
    assert german.body["body"] == body["body"]  # fields left out keep what there was

    assert api.get("/email-templates/invoice_issued").body["subject"] == body["subject"]
    assert (
        api.get("/email-templates/invoice_issued", query={"language": "fr"}).body["subject"]
        == body["subject"]
    )
    assert (
        api.get("/email-templates/invoice_issued", query={"language": "de"}).body["subject"]
        == "Ihre Rechnung {{invoice_number}}"
    )

    assert api.delete("/email-templates/invoice_issued", query={"language": "de"}).status == 204
    assert (
        api.get("/email-templates/invoice_issued", query={"language": "de"}).body["subject"]
        == body["subject"]
    )
    assert api.delete("/email-templates/invoice_issued").status == 204
    default = api.get("/email-templates/invoice_issued", query={"language": "de"}).body
    assert (default["source"], default["subject"]) == (
        "default",
        "Rechnung {{invoice_number}} von {{company_name}}",
    )
    assert "customer_name" in default["variables"]
    assert api.get("/email-templates/no_such_template").status == 404


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"body": "<p>{{ customer_nme }}</p>"}, "body", "{{customer_nme}}"),
        ({"subject": "{% if %}"}, "subject", "does not parse"),
        ({"body": "{{ ''.__class__.__mro__ }}"}, "body", "unsafe"),
        ({"fromName": "{{ self.__init__.__globals__ }}"}, "fromName", "unsafe"),
    ],
)
def test_a_broken_or_unsafe_template_is_refused_when_saved(
    api: ApiClient, body: dict[str, str], field: str, says: str
) -> None:
    reply = api.put("/email-templates/dunning_gentle", body)
    assert reply.status == 422, reply
    assert (reply.body["code"], reply.body["field"]) == ("template_invalid", field)
    assert says in reply.body["message"]
    assert api.get("/email-templates/dunning_gentle").body["source"] == "default"


def test_preview_with_an_invoice_or_sample_data(api: ApiClient, german_account: dict[str, Any]) -> None:
    invoice = issue(api, german_account["id"])
    reply = api.post("/email-templates/invoice_issued/preview", {"invoiceId": invoice["id"]})
    assert reply.status == 200, reply
    assert reply.body["subject"] == f"Rechnung {invoice['invoiceNumber']} von Acme"
    assert "Kunde GmbH" in reply.body["text"]
    assert reply.body["sample"] is False
    sample = api.post("/email-templates/payment_failed/preview", {}, query={"language": "fr"})
    assert sample.body["subject"] == "Échec du paiement de la facture INV-2026-00042"
    assert sample.body["sample"] is True
    assert sent_emails() == []  # a preview sends nothing


def test_a_custom_template_is_the_organizations_own(api: ApiClient, ctx: Context) -> None:
    from remit.services.organizations import OrganizationService

    api.put("/email-templates/invoice_issued", {"subject": "Acme only {{invoice_number}}"})
    other, _ = OrganizationService(ctx).create("Other")
    theirs = api.call("GET", "/email-templates/invoice_issued", org=other.id).body
    assert (theirs["source"], theirs["subject"]) == (
        "default",
        "Invoice {{invoice_number}} from {{company_name}}",
    )


def test_payment_failed_and_payment_method_expiring_events(
    api: ApiClient, ctx: Context, account: dict[str, Any], delivery: DeliveryService, org: str
) -> None:
    from remit.services.events import make_events

    invoice = issue(api, account["id"])
    stored = ctx.store.invoices.get(org, invoice["id"])
    assert stored is not None
    now = ctx.clock.now()
    [failed] = make_events(stored, [("invoice.payment_failed", {"id": stored.id})], now, ctx.clock)
    sent = delivery.on_event(failed)
    assert sent is not None
    assert sent.template == "payment_failed"
    [email] = sent_emails()
    assert email["subject"] == f"Payment for invoice {invoice['invoiceNumber']} failed"
    assert re.search(rf"https://pay\.acme\.example/portal/{org}\.lnk_\w+\.[\w-]{{43}}", email["text"])
    assert email["attachments"] == []

    expiring = Event(
        id="evt_01KF0E44M0V8TGZSB41NBMNFNZ",
        type="payment_method.expiring",
        created_at=now,
        organization_id=org,
        subject_id="pm_card_visa4242",
        data={"id": "pm_card_visa4242", "accountId": account["id"], "expMonth": 12, "expYear": 2026},
    )
    notice = delivery.on_event(expiring)
    assert notice is not None
    assert (notice.status, notice.invoice_id, notice.to) == ("sent", None, ["ap@globex.example"])
    assert delivery.on_event(expiring) == notice  # once, even when the event comes again
    newest = sent_emails()[0]
    assert newest["subject"] == "Your payment method is about to expire"
    assert len(sent_emails()) == 2
    # Logged under the account, not in any invoice's log.
    assert [e["template"] for e in api.get(f"/invoices/{invoice['id']}/emails").body["data"]] == [
        "payment_failed"
    ]
    assert ctx.store.deliveries.get(org, None, account["id"], notice.id) == notice


def test_a_manual_send_that_ses_refuses_is_a_502_and_logged_failed(
    api: ApiClient, account: dict[str, Any]
) -> None:
    from remit.http.deps import get_mailer

    class Refusing:
        def send(self, email: OutgoingEmail) -> str:
            raise RuntimeError("MessageRejected: Email address is not verified")

    invoice = issue(api, account["id"])
    api.app.dependency_overrides[get_mailer] = Refusing
    reply = api.post(f"/invoices/{invoice['id']}/send", {})
    assert (reply.status, reply.body["code"]) == (502, "email_failed")
    assert "not verified" in reply.body["message"]
    [logged] = api.get(f"/invoices/{invoice['id']}/emails").body["data"]
    assert logged["status"] == "failed"
    assert sent_emails() == []
