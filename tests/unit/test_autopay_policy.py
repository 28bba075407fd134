"""AutoPay timing, settings resolution, the retry policy and card expiry: pure rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from remit.domain import autopay
from remit.domain.account import Account
from remit.domain.autopay import AutoPayPlan, first_charge_at
from remit.domain.catalogue import Recurring
from remit.domain.organization import Organization, OrganizationSettings
from remit.domain.payment_method import CardDetails, PaymentMethod
from remit.domain.payment_settings import PaymentSettings, RetryPolicy
from remit.domain.subscription import AutoPayOverride, Subscription

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
DUE = date(2026, 2, 14)


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (AutoPayPlan(enabled=True, timing="on_issue"), NOW),
        (AutoPayPlan(enabled=True, timing="on_due_date"), datetime(2026, 2, 14, tzinfo=UTC)),
        (
            AutoPayPlan(enabled=True, timing="days_before_due", days_before=3),
            datetime(2026, 2, 11, tzinfo=UTC),
        ),
        # Never before the invoice exists: 60 days before a 30-day due date is "now".
        (AutoPayPlan(enabled=True, timing="days_before_due", days_before=60), NOW),
        (AutoPayPlan(enabled=False, timing="on_issue"), None),
    ],
)
def test_first_charge_time(plan: AutoPayPlan, expected: datetime | None) -> None:
    assert first_charge_at(plan, NOW, DUE) == expected


def test_due_on_receipt_charges_at_issue_whatever_the_timing() -> None:
    assert first_charge_at(AutoPayPlan(enabled=True, timing="on_due_date"), NOW, None) == NOW


def make_account(**kw: object) -> Account:
    return Account(id="acc", organization_id="org", name="A", created_at=NOW, updated_at=NOW, **kw)  # type: ignore[arg-type]


def make_org(timing: str = "on_due_date") -> Organization:
    return Organization(
        id="org",
        name="O",
        settings=OrganizationSettings(default_auto_pay_timing=timing),  # type: ignore[arg-type]
        created_at=NOW,
        updated_at=NOW,
    )


def make_sub(**kw: object) -> Subscription:
    return Subscription(
        id="sub",
        organization_id="org",
        account_id="acc",
        currency="USD",
        recurring=Recurring(interval="month"),
        items=[],
        start_date=NOW,
        billing_anchor=NOW,
        created_at=NOW,
        updated_at=NOW,
        **kw,  # type: ignore[arg-type]
    )


def test_account_settings_fall_back_to_the_organizations_timing() -> None:
    plan = autopay.resolve(make_account(auto_pay_enabled=True), make_org("on_issue"))
    assert (plan.enabled, plan.timing, plan.days_before) == (True, "on_issue", 3)
    own = autopay.resolve(
        make_account(auto_pay_enabled=True, auto_pay_timing="days_before_due", auto_pay_days_before=7),
        make_org(),
    )
    assert (own.timing, own.days_before) == ("days_before_due", 7)


def test_a_subscription_decides_by_its_collection_method_and_its_override_wins() -> None:
    account = make_account(auto_pay_enabled=False, auto_pay_timing="on_due_date")
    charged = autopay.resolve(account, make_org(), make_sub(collection_method="charge_automatically"))
    assert (charged.enabled, charged.timing) == (True, "on_due_date")
    emailed = autopay.resolve(
        make_account(auto_pay_enabled=True), make_org(), make_sub(collection_method="send_invoice")
    )
    assert emailed.enabled is False
    override = make_sub(auto_pay=AutoPayOverride(timing="days_before_due", days_before=2))
    assert autopay.resolve(account, make_org(), override).model_dump() == {
        "enabled": True,
        "timing": "days_before_due",
        "days_before": 2,
    }
    off = make_sub(auto_pay=AutoPayOverride(enabled=False))
    assert autopay.resolve(make_account(auto_pay_enabled=True), make_org(), off).enabled is False


def test_the_retry_policy_schedules_retries_then_stops() -> None:
    policy = RetryPolicy(retries=2, hours_between=6)
    assert policy.next_attempt_at(1, NOW) == NOW + timedelta(hours=6)
    assert policy.next_attempt_at(2, NOW) == NOW + timedelta(hours=6)
    assert policy.next_attempt_at(3, NOW) is None
    assert RetryPolicy(retries=0, hours_between=1).next_attempt_at(1, NOW) is None


@pytest.mark.parametrize("retries", [-1, 5])
def test_retries_are_zero_to_four(retries: int) -> None:
    with pytest.raises(ValidationError):
        RetryPolicy(retries=retries, hours_between=24)


def test_default_policies_per_method_and_an_override() -> None:
    settings = PaymentSettings(retry_policies={"card": RetryPolicy(retries=4, hours_between=12)})
    assert settings.retry_policy("card") == RetryPolicy(retries=4, hours_between=12)
    assert settings.retry_policy("ach") == RetryPolicy(retries=2, hours_between=72)
    assert set(settings.effective_retry_policies()) == {"card", "ach", "sepa"}


def test_a_card_is_warned_about_thirty_days_before_the_end_of_its_expiry_month() -> None:
    method = PaymentMethod(
        id="pm",
        organization_id="org",
        account_id="acc",
        type="card",
        gateway="sandbox",
        gateway_ref="pm_card_visa",
        card=CardDetails(brand="visa", last4="4242", exp_month=2, exp_year=2026),
        created_at=NOW,
    )
    assert method.card is not None
    assert method.card.expires_at() == datetime(2026, 3, 1, tzinfo=UTC)
    assert method.expiry_warning_at() == datetime(2026, 1, 30, tzinfo=UTC)
    assert not method.expires_within_warning(date(2026, 1, 29))
    assert method.expires_within_warning(date(2026, 1, 30))
    notified = method.model_copy(update={"expiry_notified_at": NOW})
    assert notified.expiry_warning_at() is None
