from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.http.deps import Organizations, Tenant
from remit.schemas.organization import (
    InvoiceSettingsPatch,
    OrganizationOut,
    OrganizationSettingsPatch,
    PaymentSettingsPatch,
)

router = Router()


@router.get("/organization", summary="The caller's organization and its settings", tags=["Organization"])
def get_organization(org: Tenant, service: Organizations) -> OrganizationOut:
    return service.get(org)


@router.patch(
    "/organization/invoice-settings",
    summary="Numbering, delivery, terms, late fee, branding",
    tags=["Organization"],
)
def update_invoice_settings(
    body: InvoiceSettingsPatch, org: Tenant, service: Organizations
) -> OrganizationOut:
    return service.update_invoice_settings(org, body)


@router.patch(
    "/organization/settings",
    summary="Name, default currency, language, AutoPay timing",
    tags=["Organization"],
)
def update_settings(body: OrganizationSettingsPatch, org: Tenant, service: Organizations) -> OrganizationOut:
    return service.update_settings(org, body)


@router.patch(
    "/organization/payment-settings",
    summary="Accepted methods, wire instructions, gateway, retry policy per method",
    tags=["Organization"],
)
def update_payment_settings(
    body: PaymentSettingsPatch, org: Tenant, service: Organizations
) -> OrganizationOut:
    return service.update_payment_settings(org, body)
