"""Every dashboard form that edits settings, round trip: open the page, post its form as the
browser would (unchanged), and what the API answers (OrganizationService.get is GET
/organization; AccountService.get and SubscriptionService.get the account's and the
subscription's) is identical. And every choice a form offers is a value of the API's own
type (issue 16: the payments form called wire ``wire_transfer`` and dropped it on save)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, get_args

import pytest

from remit.dashboard.app import build_app
from remit.dashboard.deps import get_wiring
from remit.dashboard.web import Wiring
from remit.domain.api_key import Scope
from remit.domain.collections import DunningAction, PersistentAction
from remit.domain.events import EventType
from remit.domain.organization import AutoPayTiming, DeliveryMethod
from remit.domain.payment_method import MethodType
from remit.schemas.account import AccountCreate, AccountPatch
from remit.schemas.catalogue import ProductCreate
from remit.schemas.invoice import ManualMethod
from remit.schemas.organization import (
    DunningSettingsPatch,
    InvoiceSettingsPatch,
    PaymentSettingsPatch,
    ReminderSettingsPatch,
)
from remit.schemas.subscription import SubscriptionCreate
from remit.services.accounts import AccountService
from remit.services.catalogue import ProductService
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit.services.subscriptions import SubscriptionService
from remit.services.webhooks import WebhookService
from tests.dashboard.conftest import Browser, Keys, issued_invoice
from tests.dashboard.forms import as_posted, choices, form_items


@pytest.fixture
def admin(browser: Browser, keys: Keys, org: str) -> Browser:
    browser.session = keys.token(org, "admin")
    return browser


def organization(ctx: Context, org: str) -> dict[str, Any]:
    return OrganizationService(ctx).get(org).model_dump(mode="json", by_alias=True)


def post_unchanged(browser: Browser, page: str, form_id: str, action: str) -> str:
    """The page's form posted as it came; the answer's Location (every save redirects)."""
    opened = browser.get(page)
    assert opened.status == 200, opened.body
    saved = browser.post(action, as_posted(form_items(opened.body, form_id)))
    assert saved.status == 303, saved.body
    assert "error" not in saved.location, saved.location
    return saved.location


# -- organization settings ---------------------------------------------------------------

Setup = Callable[[OrganizationService, str], object]


def nothing(service: OrganizationService, org: str) -> None:
    """A new organization's defaults."""


def payments_with_wire(service: OrganizationService, org: str) -> None:
    body = {
        "acceptedMethods": ["card", "ach", "sepa", "wire"],
        "displayWireInstructions": True,
        "wireInstructions": {
            "bankName": "First Bank",
            "accountNumber": "123456789",
            "routingNumber": "021000021",
            "reference": "{{invoice_number}}",
        },
        "retryPolicies": {
            "card": {"retries": 1, "hoursBetween": 12},
            "sepa": {"retries": 0, "hoursBetween": 1},
        },
    }
    service.update_payment_settings(org, PaymentSettingsPatch.model_validate(body))


def payments_without_wire(service: OrganizationService, org: str) -> None:
    body = {"acceptedMethods": ["card", "check"], "displayWireInstructions": False}
    service.update_payment_settings(org, PaymentSettingsPatch.model_validate(body))


def invoicing_customized(service: OrganizationService, org: str) -> None:
    body = {
        "invoicePrefix": "ACME-",
        "invoiceNumberFormat": "YYYY-NNNN",
        "defaultPaymentTerms": "net_15",
        "defaultDeliveryMethod": "none",
        "attachPdf": False,
        "ccFinanceTeam": True,
        "ccEmails": ["ar@acme.example", "cfo@acme.example"],
        "lateFeePercentage": "1.5",
        "logoUrl": "https://acme.example/logo.png",
        "accentColor": "#123456",
        "footerText": "Thank you",
    }
    service.update_invoice_settings(org, InvoiceSettingsPatch.model_validate(body))


def reminders_customized(service: OrganizationService, org: str) -> None:
    body = {
        "beforeDue": {"enabled": True, "daysBefore": [10, 2], "template": "invoice_reminder"},
        "afterDue": {
            "enabled": True,
            "daysAfter": [1, 14, 30],
            "templates": {"14": "past_due_final", "30": "past_due_firm"},
        },
    }
    service.update_reminder_settings(org, ReminderSettingsPatch.model_validate(body))


def dunning_customized(service: OrganizationService, org: str) -> None:
    body = {
        "enabled": True,
        "schedule": [
            {"daysPastDue": 0, "action": "retry_payment"},
            {"daysPastDue": 5, "action": "email_reminder", "template": "firm"},
            {"daysPastDue": 9, "action": "email_reminder", "template": "dunning_final"},
            {"daysPastDue": 12, "action": "sms_reminder"},
            {"daysPastDue": 40, "action": "mark_uncollectible"},
        ],
        "persistentFailureActions": ["pause_subscription", "mark_uncollectible"],
    }
    service.update_dunning_settings(org, DunningSettingsPatch.model_validate(body))


SETTINGS_FORMS = [
    # (the page, its form, where it posts, the settings before)
    ("/dashboard/settings", "invoicing-form", "/dashboard/settings/invoicing", nothing),
    ("/dashboard/settings", "invoicing-form", "/dashboard/settings/invoicing", invoicing_customized),
    ("/dashboard/settings", "payments-form", "/dashboard/settings/payments", nothing),
    ("/dashboard/settings", "payments-form", "/dashboard/settings/payments", payments_with_wire),
    ("/dashboard/settings", "payments-form", "/dashboard/settings/payments", payments_without_wire),
    ("/dashboard/settings/reminders", "reminders", "/dashboard/settings/reminders", nothing),
    ("/dashboard/settings/reminders", "reminders", "/dashboard/settings/reminders", reminders_customized),
    ("/dashboard/settings/dunning", "dunning", "/dashboard/settings/dunning", nothing),
    ("/dashboard/settings/dunning", "dunning", "/dashboard/settings/dunning", dunning_customized),
]


@pytest.mark.parametrize(
    ("page", "form_id", "action", "setup"),
    SETTINGS_FORMS,
    ids=[f"{form}-{setup.__name__}" for _, form, _, setup in SETTINGS_FORMS],
)
def test_a_settings_form_saved_unchanged_changes_nothing(
    admin: Browser, ctx: Context, org: str, page: str, form_id: str, action: str, setup: Setup
) -> None:
    setup(OrganizationService(ctx), org)
    before = organization(ctx, org)
    post_unchanged(admin, page, form_id, action)
    assert organization(ctx, org) == before


def test_wire_is_shown_kept_and_can_be_ticked(admin: Browser, ctx: Context, org: str) -> None:
    """Issue 16: acceptedMethods [card, ach, sepa, wire] shows wire ticked, survives a save
    unchanged, and wire ticked on an organization without it is accepted."""
    payments_with_wire(OrganizationService(ctx), org)
    form = form_items(admin.get("/dashboard/settings").body, "payments-form")
    assert [v for k, v in form if k == "acceptedMethods"] == ["card", "ach", "sepa", "wire"]
    location = post_unchanged(admin, "/dashboard/settings", "payments-form", "/dashboard/settings/payments")
    assert "Settings+saved" in location
    assert OrganizationService(ctx).get(org).payment_settings.accepted_methods == [
        "card",
        "ach",
        "sepa",
        "wire",
    ]

    payments_without_wire(OrganizationService(ctx), org)
    form = [*form_items(admin.get("/dashboard/settings").body, "payments-form"), ("acceptedMethods", "wire")]
    reply = admin.post("/dashboard/settings/payments", as_posted(form))
    assert "error" not in reply.location, reply.location
    assert OrganizationService(ctx).get(org).payment_settings.accepted_methods == ["card", "check", "wire"]


# -- a customer's billing settings and a subscription's AutoPay override -------------------


def customer(ctx: Context, org: str, **patch: Any) -> str:
    account = AccountService(ctx).create(org, AccountCreate(name="Globex", email="ap@globex.example"))
    if patch:
        AccountService(ctx).update(org, account.id, AccountPatch.model_validate(patch))
    return account.id


BILLING = [
    {},
    {
        "autoPayEnabled": True,
        "autoPayTiming": "days_before_due",
        "autoPayDaysBefore": 3,
        "invoiceSettings": {
            "paymentTerms": "net_45",
            "deliveryMethod": "none",
            "recipients": ["ap@globex.example", "cfo@globex.example"],
            "language": "de",
            "currency": "EUR",
        },
    },
    {"autoPayEnabled": False, "autoPayTiming": "on_issue", "invoiceSettings": {"deliveryMethod": "email"}},
]


@pytest.mark.parametrize("patch", BILLING, ids=["defaults", "customized", "on-issue"])
def test_billing_settings_saved_unchanged_change_nothing(
    browser: Browser, keys: Keys, ctx: Context, org: str, patch: dict[str, Any]
) -> None:
    browser.session = keys.token(org, "finance")
    account_id = customer(ctx, org, **patch)
    before = AccountService(ctx).get(org, account_id).model_dump(mode="json", by_alias=True)
    page = f"/dashboard/customers/{account_id}"
    post_unchanged(browser, page, "billing-form", f"{page}/billing")
    after = AccountService(ctx).get(org, account_id).model_dump(mode="json", by_alias=True)
    assert after == before


def subscription(ctx: Context, org: str, account_id: str, auto_pay: dict[str, Any] | None) -> str:
    product = ProductService(ctx).create(
        org,
        ProductCreate.model_validate(
            {
                "name": "Plan",
                "prices": [{"currency": "USD", "unitAmount": "10.00", "recurring": {"interval": "month"}}],
            }
        ),
    )
    body = {
        "accountId": account_id,
        "items": [{"priceId": product.prices[0].id}],
        "collectionMethod": "send_invoice",
    }
    if auto_pay is not None:
        body["autoPay"] = auto_pay
    return SubscriptionService(ctx).create(org, SubscriptionCreate.model_validate(body)).id


@pytest.mark.parametrize(
    "auto_pay",
    [
        None,
        {"enabled": False, "timing": "on_issue"},
        {"enabled": True, "timing": "days_before_due", "daysBefore": 5},
    ],
    ids=["inherit", "off", "on-days-before"],
)
def test_a_subscription_override_saved_unchanged_changes_nothing(
    browser: Browser, keys: Keys, ctx: Context, org: str, auto_pay: dict[str, Any] | None
) -> None:
    browser.session = keys.token(org, "finance")
    account_id = customer(ctx, org)
    subscription_id = subscription(ctx, org, account_id, auto_pay)
    before = SubscriptionService(ctx).get(org, subscription_id).model_dump(mode="json", by_alias=True)
    post_unchanged(
        browser,
        f"/dashboard/customers/{account_id}",
        f"autopay-{subscription_id}",
        f"/dashboard/subscriptions/{subscription_id}/autopay",
    )
    after = SubscriptionService(ctx).get(org, subscription_id).model_dump(mode="json", by_alias=True)
    assert after == before


# -- the choices every form offers are the API's values -------------------------------------


def wiring_of(app: Any) -> Wiring:
    wiring = app.dependency_overrides[get_wiring]()
    assert isinstance(wiring, Wiring)
    return wiring


def offered(browser: Browser, page: str, form_id: str, name: str) -> list[str]:
    """A form's choices, without the empty one (the default, or "choose")."""
    return [c for c in choices(browser.get(page).body, form_id, name) if c]


def test_every_choice_a_form_offers_is_a_value_of_the_api(
    app: Any, keys: Keys, ctx: Context, org: str, webhooks: WebhookService
) -> None:
    app_with_webhooks = build_app(replace(wiring_of(app), webhooks=lambda: webhooks))
    admin = Browser(app_with_webhooks)
    admin.session = keys.token(org, "admin")
    account_id = customer(ctx, org)
    subscription_id = subscription(ctx, org, account_id, None)
    invoice_id = issued_invoice(ctx, org)
    customer_page = f"/dashboard/customers/{account_id}"
    expected = [
        ("/dashboard/settings", "invoicing-form", "defaultDeliveryMethod", DeliveryMethod),
        ("/dashboard/settings", "payments-form", "acceptedMethods", MethodType),
        (customer_page, "billing-form", "autoPayTiming", AutoPayTiming),
        (customer_page, "billing-form", "deliveryMethod", DeliveryMethod),
        (customer_page, f"autopay-{subscription_id}", "timing", AutoPayTiming),
        ("/dashboard/settings/dunning", "dunning", "action_0", DunningAction),
        ("/dashboard/settings/dunning", "dunning", "persistent", PersistentAction),
        ("/dashboard/settings/webhooks", "add-endpoint-form", "eventTypes", EventType),
        ("/dashboard/settings/api-keys", "create-key-form", "scope", Scope),
        (f"/dashboard/invoices/{invoice_id}", "record-payment", "method", ManualMethod),
    ]
    for page, form_id, name, api_type in expected:
        assert offered(admin, page, form_id, name) == list(get_args(api_type)), (form_id, name)
    # The retry policies: one row per method the gateway collects, as retryPolicies takes.
    retry_keys = get_args(get_args(PaymentSettingsPatch.model_fields["retry_policies"].annotation)[0])[0]
    payments = dict(form_items(admin.get("/dashboard/settings").body, "payments-form"))
    assert [m for m in get_args(retry_keys) if f"retries_{m}" in payments] == list(get_args(retry_keys))
