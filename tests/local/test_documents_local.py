"""Documents on the local cloud: the API asks the PDF function (through the local Lambda
Invoke API) for a missing document, and the presigned URL downloads it from moto's S3."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from typing import Any

from remit_local.stack import LocalStack
from tests.local.client import call
from tests.support.pdf import text

NewOrg = Callable[..., tuple[str, str]]


def download(url: str) -> bytes:
    # A presigned URL of the local moto endpoint (http://127.0.0.1:<port>/...).
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        assert response.headers["Content-Type"] == "application/pdf"
        return response.read()  # type: ignore[no-any-return]


def test_the_pdf_link_of_a_finalized_invoice_downloads_its_pdf(stack: LocalStack, new_org: NewOrg) -> None:
    _, key = new_org("Local Documents")
    api = stack.api_url

    def post(path: str, body: Any = None) -> Any:
        reply = call("POST", f"{api}{path}", body, key=key)
        assert reply.status in (200, 201), reply
        return reply.json

    account = post(
        "/accounts", {"name": "Kunde GmbH", "invoiceSettings": {"language": "de", "currency": "EUR"}}
    )
    draft = post(
        "/invoices",
        {
            "accountId": account["id"],
            "lineItems": [
                {"description": "Beratung", "quantity": "3", "unitAmount": "400.00", "taxRate": "19"}
            ],
        },
    )
    invoice = post(f"/invoices/{draft['id']}/finalize")
    link = call("GET", f"{api}/invoices/{invoice['id']}/pdf", key=key)
    assert link.status == 200, link
    pdf = text(download(link.json["url"]))
    assert invoice["invoiceNumber"] in pdf
    assert "Gesamtbetrag 1.428,00 €" in pdf
    assert "MwSt. 19 % auf 1.200,00 € 228,00 €" in pdf
