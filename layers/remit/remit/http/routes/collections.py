from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from remit.http.deps import Collections, Tenant
from remit.schemas.collections import CollectionOut
from remit.schemas.emails import EmailDeliveryOut, ReminderIn

router = Router()

InvoiceId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "/invoices/<invoiceId>/reminders",
    summary="Send a payment reminder now (template, message, cc)",
    tags=["Collections"],
)
def send_reminder(
    invoiceId: InvoiceId, body: ReminderIn, org: Tenant, service: Collections
) -> EmailDeliveryOut:
    return service.remind(org, invoiceId, body)


@router.get(
    "/invoices/<invoiceId>/collection",
    summary="The invoice's reminders, dunning steps and late fees: taken and next",
    tags=["Collections"],
)
def get_collection(invoiceId: InvoiceId, org: Tenant, service: Collections) -> CollectionOut:
    return service.log(org, invoiceId)
