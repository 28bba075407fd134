"""AutoPay: whether an invoice is collected automatically, and when.

Settings resolve subscription override -> account -> organization default (the seed's
"Override the customer-level AutoPay settings"). ``on_issue`` charges at finalization;
``on_due_date`` at the start of the due date (UTC); ``days_before_due`` N at the start of
the day N days before it (never before the invoice was issued)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from remit.domain.account import Account
from remit.domain.base import DomainModel
from remit.domain.organization import AutoPayTiming, Organization
from remit.domain.subscription import Subscription

MAX_DAYS_BEFORE = 60
DEFAULT_DAYS_BEFORE = 3


class AutoPayPlan(DomainModel):
    enabled: bool
    timing: AutoPayTiming
    days_before: int = DEFAULT_DAYS_BEFORE


def resolve(account: Account, org: Organization, subscription: Subscription | None = None) -> AutoPayPlan:
    enabled = account.auto_pay_enabled
    timing = account.auto_pay_timing or org.settings.default_auto_pay_timing
    days_before = account.auto_pay_days_before
    if subscription is not None:
        # A subscription that charges automatically is collected by AutoPay; one that
        # sends invoices is paid by the customer, whatever the account says.
        enabled = subscription.collection_method == "charge_automatically"
        override = subscription.auto_pay
        if override is not None:
            if override.enabled is not None:
                enabled = enabled and override.enabled
            timing = override.timing or timing
            days_before = override.days_before if override.days_before is not None else days_before
    return AutoPayPlan(
        enabled=enabled,
        timing=timing,
        days_before=DEFAULT_DAYS_BEFORE if days_before is None else days_before,
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def first_charge_at(plan: AutoPayPlan, issued_at: datetime, due: date | None) -> datetime | None:
    """When AutoPay first charges an invoice issued at ``issued_at``; None if it does not."""
    if not plan.enabled:
        return None
    if plan.timing == "on_issue" or due is None:
        return issued_at
    day = due if plan.timing == "on_due_date" else due - timedelta(days=plan.days_before)
    return max(issued_at, _start_of(day))
