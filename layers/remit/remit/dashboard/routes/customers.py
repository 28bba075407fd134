"""Customers: the list and search, a customer's page, its billing settings and its
subscriptions' AutoPay overrides (finance and admin)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.dashboard import choices
from remit.dashboard.deps import Accounts, Ctx, PostedByFinance, SignedIn, Subscriptions, Visiting
from remit.dashboard.forms import addresses, whole
from remit.dashboard.outcome import changed
from remit.schemas.account import AccountPatch
from remit.schemas.subscription import SubscriptionPatch
from remit.services.accounts import AccountService
from remit.services.invoices import InvoiceService
from remit.services.organizations import OrganizationService
from remit.services.payment_methods import PaymentMethodService
from remit.services.subscriptions import SubscriptionService

router = Router()
MAX_SEARCH_PAGES = 5


@router.get("/dashboard/customers")
def customers(operator: SignedIn, v: Visiting, service: Accounts) -> Response[str]:
    search = v.query("q").lower()
    found, cursor = [], v.query("cursor") or None
    # A search reads a few pages of the (name-sorted by id) list and keeps matches.
    for _ in range(MAX_SEARCH_PAGES if search else 1):
        page = service.list(operator.organization_id, 50, cursor)
        found += [a for a in page.data if not search or search in a.name.lower() or search in (a.email or "")]
        cursor = page.next_cursor
        if cursor is None:
            break
    return v.render("customers.html", accounts=found, q=v.query("q"), cursor=cursor)


@router.get("/dashboard/customers/<account_id>")
def customer(account_id: str, operator: SignedIn, v: Visiting, ctx: Ctx) -> Response[str]:
    org = operator.organization_id
    account = AccountService(ctx).get(org, account_id)
    invoices = InvoiceService(ctx).list(org, account_id=account_id, statuses=[], limit=50, cursor=None)
    return v.render(
        "customer.html",
        account=account,
        methods=PaymentMethodService(ctx).list(org, account_id).data,
        invoices=invoices.data,
        subscriptions=SubscriptionService(ctx).list(org, account_id, 50, None).data,
        org=OrganizationService(ctx).get(org),
        delivery_methods=choices.DELIVERY_METHODS,
        timings=choices.AUTO_PAY_TIMING_LABELS,
    )


def billing_patch(v: Visiting) -> dict[str, Any]:
    """The billing form as AccountPatch takes it: a box not ticked is AutoPay off, a
    field left empty is the organization's default."""
    patch: dict[str, Any] = {
        "autoPayEnabled": v.field("autoPayEnabled") == "on",
        "autoPayTiming": v.field("autoPayTiming") or None,
        "invoiceSettings": {
            "paymentTerms": v.field("paymentTerms") or None,
            "deliveryMethod": v.field("deliveryMethod") or None,
            "recipients": addresses(v.fields("recipients")),
            "language": v.field("language") or None,
            "currency": v.field("currency") or None,
        },
    }
    if v.field("defaultPaymentMethodId"):
        patch["defaultPaymentMethodId"] = v.field("defaultPaymentMethodId")
    if v.field("autoPayDaysBefore"):
        patch["autoPayDaysBefore"] = whole(v.field("autoPayDaysBefore"))
    return patch


@router.post("/dashboard/customers/<account_id>/billing")
def customer_billing(
    account_id: str, operator: PostedByFinance, v: Visiting, service: Accounts
) -> Response[str]:
    def save() -> None:
        body = AccountPatch.model_validate(billing_patch(v))
        service.update(operator.organization_id, account_id, body)

    return changed(v, f"/customers/{account_id}", save, "Billing settings saved.")


def auto_pay_patch(v: Visiting) -> dict[str, Any]:
    """The override form as SubscriptionPatch takes it; everything the customer's (inherit,
    no timing, no days) is no override at all, as the API keeps it."""
    choice = v.field("enabled")  # inherit | on | off
    auto_pay: dict[str, Any] = {"enabled": {"on": True, "off": False}.get(choice)}
    if v.field("timing"):
        auto_pay["timing"] = v.field("timing")
    if v.field("daysBefore"):
        auto_pay["daysBefore"] = whole(v.field("daysBefore"))
    return {"autoPay": auto_pay if any(value is not None for value in auto_pay.values()) else None}


@router.post("/dashboard/subscriptions/<subscription_id>/autopay")
def subscription_autopay(
    subscription_id: str, operator: PostedByFinance, v: Visiting, service: Subscriptions
) -> Response[str]:
    org = operator.organization_id
    sub = service.get(org, subscription_id)

    def save() -> None:
        service.update(org, subscription_id, SubscriptionPatch.model_validate(auto_pay_patch(v)))

    # The subscription was found above: a NotFound now is a field's (never the page's).
    return changed(
        v, f"/customers/{sub.account_id}", save, "Subscription AutoPay saved.", gone=lambda _: False
    )
