from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from remit.http.deps import Deliveries, DeliveryLogs, EmailTemplates, Tenant
from remit.schemas.common import Language
from remit.schemas.emails import (
    EmailDeliveryList,
    EmailDeliveryOut,
    EmailPreviewOut,
    EmailTemplateIn,
    EmailTemplateList,
    EmailTemplateOut,
    PreviewIn,
    SendIn,
)

router = Router()

Name = Annotated[str, Path(min_length=1, max_length=64)]
InvoiceId = Annotated[str, Path(min_length=1, max_length=64)]
LanguageQuery = Annotated[Language | None, Query(description="A language's own version (de, fr ...)")]


@router.get(
    "/email-templates",
    summary="The email templates: the built-in set and the organization's own",
    tags=["Emails"],
)
def list_templates(org: Tenant, templates: EmailTemplates) -> EmailTemplateList:
    return templates.list(org)


@router.get("/email-templates/<name>", summary="Read an email template (custom or default)", tags=["Emails"])
def get_template(
    name: Name, org: Tenant, templates: EmailTemplates, language: LanguageQuery = None
) -> EmailTemplateOut:
    return templates.get(org, name, language)


@router.put(
    "/email-templates/<name>",
    summary="Customize an email template, or create one of the organization's own",
    tags=["Emails"],
)
def put_template(
    name: Name, body: EmailTemplateIn, org: Tenant, templates: EmailTemplates, language: LanguageQuery = None
) -> EmailTemplateOut:
    return templates.put(org, name, language, body)


@router.delete(
    "/email-templates/<name>",
    summary="Return a built-in template to its default, or delete one of the organization's own",
    tags=["Emails"],
    responses={204: {"description": "Deleted"}},
)
def delete_template(
    name: Name, org: Tenant, templates: EmailTemplates, language: LanguageQuery = None
) -> Response[None]:
    templates.delete(org, name, language)
    return Response(status_code=204)


@router.post(
    "/email-templates/<name>/preview",
    summary="Render an email template with an invoice or sample data",
    tags=["Emails"],
)
def preview_template(
    name: Name, body: PreviewIn, org: Tenant, templates: EmailTemplates, language: LanguageQuery = None
) -> EmailPreviewOut:
    return templates.preview(org, name, language, body.invoice_id)


@router.post("/invoices/<invoiceId>/send", summary="Email the invoice (again)", tags=["Emails"])
def send_invoice(invoiceId: InvoiceId, body: SendIn, org: Tenant, deliveries: Deliveries) -> EmailDeliveryOut:
    return EmailDeliveryOut.of(deliveries.send_again(org, invoiceId, body.template))


@router.get(
    "/invoices/<invoiceId>/emails", summary="The invoice's delivery log, newest first", tags=["Emails"]
)
def invoice_emails(invoiceId: InvoiceId, org: Tenant, log: DeliveryLogs) -> EmailDeliveryList:
    return EmailDeliveryList(data=[EmailDeliveryOut.of(d) for d in log.log(org, invoiceId)])
