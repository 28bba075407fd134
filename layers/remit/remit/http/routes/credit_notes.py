"""Credit notes (docs/credit-notes.md)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from remit.http.deps import CreditNotes, Tenant
from remit.ids import id_pattern
from remit.schemas.credit_note import CreditNoteCreate, CreditNoteOut, CreditNotePage

router = Router()

InvoiceId = Annotated[str, Path(min_length=1, max_length=64)]
CreditNoteId = Annotated[str, Path(min_length=1, max_length=64)]
CREATED: OpenAPIResponse = {
    "description": "Created",
    "content": {"application/json": {"model": CreditNoteOut}},
}


@router.post(
    "/invoices/<invoiceId>/credit-notes",
    summary="Credit an issued, past-due, paid or uncollectible invoice",
    tags=["Credit notes"],
    responses={201: CREATED},
)
def issue_credit_note(
    invoiceId: InvoiceId, body: CreditNoteCreate, org: Tenant, service: CreditNotes
) -> tuple[CreditNoteOut, int]:
    return service.issue(org, invoiceId, body), 201


@router.post(
    "/invoices/<invoiceId>/credit-notes/preview",
    summary="What a credit note would be, without issuing it",
    tags=["Credit notes"],
)
def preview_credit_note(
    invoiceId: InvoiceId, body: CreditNoteCreate, org: Tenant, service: CreditNotes
) -> CreditNoteOut:
    return service.preview(org, invoiceId, body)


@router.get("/credit-notes", summary="List credit notes, newest first", tags=["Credit notes"])
def list_credit_notes(
    org: Tenant,
    service: CreditNotes,
    invoiceId: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    accountId: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(pattern=id_pattern("cn"), description="The previous page's nextCursor")
    ] = None,
) -> CreditNotePage:
    return service.list(org, invoice_id=invoiceId, account_id=accountId, limit=limit, cursor=cursor)


@router.get("/credit-notes/<creditNoteId>", summary="Get a credit note", tags=["Credit notes"])
def get_credit_note(creditNoteId: CreditNoteId, org: Tenant, service: CreditNotes) -> CreditNoteOut:
    return service.get(org, creditNoteId)


@router.post(
    "/credit-notes/<creditNoteId>/void",
    summary="Void a credit note, restoring what it reduced",
    tags=["Credit notes"],
)
def void_credit_note(creditNoteId: CreditNoteId, org: Tenant, service: CreditNotes) -> CreditNoteOut:
    return service.void(org, creditNoteId)
