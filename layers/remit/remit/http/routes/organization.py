from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.http.deps import Organizations, Tenant
from remit.schemas.organization import (
    DunningSettingsPatch,
    InvoiceSettingsPatch,
    OrganizationOut,
    OrganizationSettingsPatch,
    PaymentSettingsPatch,
    ReminderSettingsPatch,
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


@router.patch(
    "/organization/reminder-settings",
    summary="Reminders before and after the due date",
    tags=["Organization"],
)
def update_reminder_settings(
    body: ReminderSettingsPatch, org: Tenant, service: Organizations
) -> OrganizationOut:
    return service.update_reminder_settings(org, body)


@router.patch(
    "/organization/dunning-settings",
    summary="Dunning schedule and the actions on persistent failure",
    tags=["Organization"],
)
def update_dunning_settings(
    body: DunningSettingsPatch, org: Tenant, service: Organizations
) -> OrganizationOut:
    return service.update_dunning_settings(org, body)
