"""Settings -> Invoicing (on /dashboard/settings): numbering, terms, delivery, copies,
late fee and branding, as ``PATCH /organization/invoice-settings``."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.dashboard.deps import Organizations, PostedByAdmin, Visiting
from remit.dashboard.forms import addresses
from remit.dashboard.outcome import changed
from remit.dashboard.routes.settings.overview import saved
from remit.schemas.organization import InvoiceSettingsPatch

router = Router()


def patch(v: Visiting) -> dict[str, Any]:
    return {
        "invoicePrefix": v.field("invoicePrefix"),
        "invoiceNumberFormat": v.field("invoiceNumberFormat"),
        "defaultPaymentTerms": v.field("defaultPaymentTerms"),
        "defaultDeliveryMethod": v.field("defaultDeliveryMethod"),
        "attachPdf": v.field("attachPdf") == "on",
        "ccFinanceTeam": v.field("ccFinanceTeam") == "on",
        "ccEmails": addresses(v.fields("ccEmails")),
        "lateFeePercentage": v.field("lateFeePercentage") or "0",
        "logoUrl": v.field("logoUrl") or None,
        "accentColor": v.field("accentColor"),
        "footerText": v.field("footerText") or None,
    }


@router.post("/dashboard/settings/invoicing")
def save_invoicing(operator: PostedByAdmin, v: Visiting, service: Organizations) -> Response[str]:
    def save() -> Response[str]:
        service.update_invoice_settings(
            operator.organization_id, InvoiceSettingsPatch.model_validate(patch(v))
        )
        return saved(v)

    return changed(v, "/settings", save, "", gone=lambda _: True)
