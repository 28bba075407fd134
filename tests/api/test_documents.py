"""GET /invoices/{id}/pdf and /receipt-pdf: links to the current document, rendered on
first need and never twice for the same invoice version."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import unquote, urlsplit

from remit.adapters.s3 import DocumentBucket
from remit.clock import FixedClock
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from tests.support import builders
from tests.support.api_client import ApiClient
from tests.support.builders import draft, line
from tests.support.documents import BUCKET, InProcessPdfFunction
from tests.support.pdf import text


def key_of(url: str) -> str:
    parts = urlsplit(url)
    path = unquote(parts.path).lstrip("/")
    return path.removeprefix(f"{BUCKET}/")


def issue(api: ApiClient, account: dict) -> dict:  # type: ignore[type-arg]
    """The invoice these tests render: two lines, one taxed."""
    return builders.issue(
        api, account["id"], line("1200.00", "2", taxRate="19"), line("50.00", description="Setup")
    )


def test_the_invoice_link_points_at_a_rendered_pdf_of_this_invoice(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    org: str,
    bucket: DocumentBucket,
    pdf_function: InProcessPdfFunction,
    clock: FixedClock,
) -> None:
    invoice = issue(api, account)
    reply = api.get(f"/invoices/{invoice['id']}/pdf")
    assert reply.status == 200, reply
    key = key_of(reply.body["url"])
    assert key == f"{org}/invoices/{invoice['id']}/invoice-v{2}.pdf"
    assert "X-Amz-Expires=900" in reply.body["url"]
    expires = datetime.fromisoformat(reply.body["expiresAt"])
    assert (expires - clock.now()).total_seconds() == 900
    pdf = text(bucket.get(key))
    assert invoice["invoiceNumber"] in pdf
    assert "Total $2,906.00" in pdf  # 2 x 1200 + 19 % + 50
    assert "Tax 19% on $2,400.00 $456.00" in pdf

    again = api.get(f"/invoices/{invoice['id']}/pdf")
    assert key_of(again.body["url"]) == key
    assert pdf_function.calls == [(org, invoice["id"], "invoice")], "rendered once per version"


def test_a_void_invoice_gets_a_new_document_with_the_void_mark(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    bucket: DocumentBucket,
) -> None:
    invoice = issue(api, account)
    before = key_of(api.get(f"/invoices/{invoice['id']}/pdf").body["url"])
    api.post(f"/invoices/{invoice['id']}/void")
    after = key_of(api.get(f"/invoices/{invoice['id']}/pdf").body["url"])
    assert after != before
    assert "VOID" in text(bucket.get(after))
    assert "VOID" not in text(bucket.get(before))


def test_a_draft_has_no_pdf_and_an_unpaid_invoice_no_receipt(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    pdf_function: InProcessPdfFunction,
) -> None:
    created = api.post("/invoices", draft(account["id"])).body
    reply = api.get(f"/invoices/{created['id']}/pdf")
    assert (reply.status, reply.body["code"]) == (409, "invalid_state")
    api.post(f"/invoices/{created['id']}/finalize")
    reply = api.get(f"/invoices/{created['id']}/receipt-pdf")
    assert (reply.status, reply.body["code"]) == (409, "invalid_state")
    assert pdf_function.calls == []


def test_the_receipt_of_a_paid_invoice(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    bucket: DocumentBucket,
) -> None:
    invoice = issue(api, account)
    paid = api.post(
        f"/invoices/{invoice['id']}/payments",
        {"amount": "2906.00", "method": "wire_transfer", "reference": "W-1"},
    )
    assert paid.body["status"] == "paid", paid
    reply = api.get(f"/invoices/{invoice['id']}/receipt-pdf")
    assert reply.status == 200, reply
    assert key_of(reply.body["url"]).endswith("/receipt-v3.pdf")
    receipt = text(bucket.get(key_of(reply.body["url"])))
    assert "Receipt" in receipt
    assert "PAID" in receipt
    assert "W-1" in receipt
    assert "$2,906.00" in receipt


def test_another_organizations_invoice_is_not_found(
    api: ApiClient,
    account: dict,  # type: ignore[type-arg]
    ctx: Context,
) -> None:
    invoice = issue(api, account)
    other, _ = OrganizationService(ctx).create("Other")
    reply = api.call("GET", f"/invoices/{invoice['id']}/pdf", org=other.id)
    assert reply.status == 404
