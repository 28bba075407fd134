"""Email templates are bounded (issue 17.2): a template past a limit is a 422 when saved
or previewed, never a 5xx or a timeout, and at send time it fails that email, logged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from remit.adapters.s3 import DocumentBucket
from remit.adapters.ses import SesMailer
from remit.domain.email import EmailTemplate
from remit.services.context import Context
from remit.services.delivery import DeliveryService
from remit.services.documents import DocumentService
from remit_local.emails import sent_emails
from tests.api.conftest import SENDER
from tests.api.test_emails import events_of, links
from tests.support.api_client import ApiClient
from tests.support.builders import draft, line
from tests.support.documents import InProcessPdfFunction


@pytest.fixture
def delivery(ctx: Context, bucket: DocumentBucket, pdf_function: InProcessPdfFunction) -> DeliveryService:
    return DeliveryService(ctx, SesMailer(), DocumentService(ctx, bucket, pdf_function), SENDER, links(ctx))


FOUR_LOOPS = (
    "{% for a in line_items %}{% for b in line_items %}{% for c in line_items %}"
    "{% for d in line_items %}{{ d.amount }}{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
)


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"body": FOUR_LOOPS}, "body", "loop iterations"),
        ({"body": "{{ 'a' * 5000000 }}"}, "body", "repeated value"),
        ({"body": "{{ 10 ** 5000 }}"}, "body", "exponent"),
        ({"body": "{{ 3 ** 2000000 }}"}, "body", "exponent"),
        ({"subject": "{{ 'x'|center(5000000) }}"}, "subject", "center"),
        ({"body": "{{ '%05000000d'|format(1) }}"}, "body", "width"),
    ],
)
def test_a_template_past_a_limit_is_a_422_when_saved(
    api: ApiClient, body: dict[str, str], field: str, says: str
) -> None:
    reply = api.put("/email-templates/invoice_issued", body)
    assert reply.status == 422, reply
    assert (reply.body["code"], reply.body["field"]) == ("template_limit", field)
    assert says in reply.body["message"]
    assert api.get("/email-templates/invoice_issued").body["source"] == "default"


def store_unchecked(ctx: Context, org: str, body: str) -> None:
    """A template stored without the check (saved before the limits existed)."""
    ctx.store.email_templates.put(
        EmailTemplate(
            organization_id=org,
            name="invoice_issued",
            subject="Invoice {{invoice_number}}",
            from_name="Billing",
            body=body,
            updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )


def sixty_line_invoice(api: ApiClient, account_id: str) -> dict[str, Any]:
    lines = [line("10.00", "1", description=f"Line {n}") for n in range(60)]
    created = api.post("/invoices", draft(account_id, *lines)).body
    reply = api.post(f"/invoices/{created['id']}/finalize")
    assert reply.status == 200, reply
    return reply.body  # type: ignore[no-any-return]


def test_previewing_a_stored_template_past_a_limit_is_a_422_and_sending_it_fails_that_email(
    api: ApiClient,
    ctx: Context,
    account: dict[str, Any],
    delivery: DeliveryService,
    org: str,
) -> None:
    store_unchecked(ctx, org, FOUR_LOOPS)
    invoice = sixty_line_invoice(api, account["id"])
    reply = api.post("/email-templates/invoice_issued/preview", {"invoiceId": invoice["id"]})
    assert reply.status == 422, reply
    assert (reply.body["code"], reply.body["field"]) == ("template_limit", "body")

    # The queue's event: logged failed and done with (returned, not raised: no retry loop).
    [issued] = events_of(ctx, org, "invoice.issued")
    failed = delivery.on_event(issued)
    assert failed is not None
    assert failed.status == "failed"
    # The loop cap, or on a loaded machine the time cap that may trip first: a limit.
    assert "loop iterations" in str(failed.detail) or "rendering took longer" in str(failed.detail)
    assert sent_emails() == []

    # By hand: the 422 that says why, and the log says failed too.
    manual = api.post(f"/invoices/{invoice['id']}/send", {})
    assert (manual.status, manual.body["code"]) == (422, "template_limit")
    statuses = [e["status"] for e in api.get(f"/invoices/{invoice['id']}/emails").body["data"]]
    assert statuses == ["failed", "failed"]
