from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from remit.http.deps import Documents, Tenant
from remit.schemas.documents import DocumentLink

router = Router()

InvoiceId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get(
    "/invoices/<invoiceId>/pdf",
    summary="A 15-minute link to the invoice PDF (rendered first if needed)",
    tags=["Documents"],
)
def invoice_pdf(invoiceId: InvoiceId, org: Tenant, documents: Documents) -> DocumentLink:
    return documents.link(org, invoiceId, "invoice")


@router.get(
    "/invoices/<invoiceId>/receipt-pdf",
    summary="A 15-minute link to the receipt PDF of a paid invoice",
    tags=["Documents"],
)
def receipt_pdf(invoiceId: InvoiceId, org: Tenant, documents: Documents) -> DocumentLink:
    return documents.link(org, invoiceId, "receipt")
