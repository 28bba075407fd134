from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from remit.domain.lifecycle import ReportedStatus
from remit.http.deps import Invoices, Payments, Tenant
from remit.ids import id_pattern
from remit.schemas.invoice import InvoiceCreate, InvoiceOut, InvoicePage, InvoicePatch, PayIn, PaymentIn

router = Router()

InvoiceId = Annotated[str, Path(min_length=1, max_length=64)]
CREATED: OpenAPIResponse = {"description": "Created", "content": {"application/json": {"model": InvoiceOut}}}


@router.post("/invoices", summary="Create a draft invoice", tags=["Invoices"], responses={201: CREATED})
def create_invoice(body: InvoiceCreate, org: Tenant, service: Invoices) -> tuple[InvoiceOut, int]:
    return service.create_draft(org, body), 201


@router.get("/invoices", summary="List invoices, newest first", tags=["Invoices"])
def list_invoices(
    org: Tenant,
    service: Invoices,
    accountId: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    status: Annotated[list[ReportedStatus] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(pattern=id_pattern("inv"), description="The previous page's nextCursor")
    ] = None,
) -> InvoicePage:
    return service.list(org, account_id=accountId, statuses=status or [], limit=limit, cursor=cursor)


@router.get(
    "/invoices/<invoiceId>",
    summary="Get an invoice with its line items, taxes and payments",
    tags=["Invoices"],
)
def get_invoice(invoiceId: InvoiceId, org: Tenant, service: Invoices) -> InvoiceOut:
    return service.get(org, invoiceId)


@router.patch("/invoices/<invoiceId>", summary="Edit a draft", tags=["Invoices"])
def update_invoice(invoiceId: InvoiceId, body: InvoicePatch, org: Tenant, service: Invoices) -> InvoiceOut:
    return service.update_draft(org, invoiceId, body)


@router.delete(
    "/invoices/<invoiceId>",
    summary="Delete a draft",
    tags=["Invoices"],
    responses={204: {"description": "Deleted"}},
)
def delete_invoice(invoiceId: InvoiceId, org: Tenant, service: Invoices) -> Response[None]:
    service.delete_draft(org, invoiceId)
    return Response(status_code=204)


@router.post(
    "/invoices/<invoiceId>/finalize", summary="Assign a number and issue the invoice", tags=["Invoices"]
)
def finalize_invoice(invoiceId: InvoiceId, org: Tenant, service: Invoices) -> InvoiceOut:
    return service.finalize(org, invoiceId)


@router.post(
    "/invoices/<invoiceId>/void", summary="Void an issued or uncollectible invoice", tags=["Invoices"]
)
def void_invoice(invoiceId: InvoiceId, org: Tenant, service: Invoices) -> InvoiceOut:
    return service.void(org, invoiceId)


@router.post(
    "/invoices/<invoiceId>/mark-uncollectible", summary="Write an issued invoice off", tags=["Invoices"]
)
def mark_uncollectible(invoiceId: InvoiceId, org: Tenant, service: Invoices) -> InvoiceOut:
    return service.mark_uncollectible(org, invoiceId)


@router.post(
    "/invoices/<invoiceId>/payments",
    summary="Record a manual payment (partial allowed)",
    tags=["Invoices"],
    responses={201: CREATED},
)
def record_payment(
    invoiceId: InvoiceId, body: PaymentIn, org: Tenant, service: Invoices
) -> tuple[InvoiceOut, int]:
    return service.record_payment(org, invoiceId, body), 201


@router.post(
    "/invoices/<invoiceId>/pay",
    summary="Charge the invoice now through the gateway (the default or a given method)",
    tags=["Invoices"],
    responses={402: {"description": "The gateway declined; the attempt is on the invoice"}},
)
def pay_invoice(
    invoiceId: InvoiceId, org: Tenant, service: Payments, body: PayIn | None = None
) -> InvoiceOut:
    return service.pay(org, invoiceId, body.payment_method_id if body else None)
