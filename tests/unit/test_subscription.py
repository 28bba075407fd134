from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from remit.domain.catalogue import Recurring
from remit.domain.subscription import Subscription, SubscriptionItem
from remit.errors import InvalidTransition

START = datetime(2026, 1, 15, 9, tzinfo=UTC)


def item(unit: int = 1000, qty: str = "1") -> SubscriptionItem:
    return SubscriptionItem(
        id="si_1",
        price_id="price_1",
        product_id="prod_1",
        description="Pro",
        quantity=Decimal(qty),
        unit_amount=unit,
    )


def sub(**changes: object) -> Subscription:
    base = Subscription(
        id="sub_1",
        organization_id="org_1",
        account_id="acc_1",
        currency="USD",
        recurring=Recurring(interval="month"),
        items=[item()],
        start_date=START,
        billing_anchor=START,
        next_period_start=START,
        created_at=START,
        updated_at=START,
    )
    return base.model_copy(update=changes)


def test_billing_a_period_moves_to_the_next_and_applies_pending_items() -> None:
    s = sub(pending_items=[item(2000, "3")])
    period = s.due_period()
    after = s.billed(period, START)
    assert (period.start, period.end) == (START, START + (datetime(2026, 2, 15, 9, tzinfo=UTC) - START))
    assert after.next_period_start == datetime(2026, 2, 15, 9, tzinfo=UTC)
    assert (after.current_period_start, after.periods_billed) == (START, 1)
    assert after.items[0].unit_amount == 2000
    assert after.pending_items is None
    assert after.version == s.version + 1


def test_pause_stops_billing_and_resume_restarts_at_the_next_boundary() -> None:
    paused = sub(next_period_start=datetime(2026, 3, 15, 9, tzinfo=UTC)).paused(
        datetime(2026, 3, 1, tzinfo=UTC)
    )
    assert (paused.status, paused.next_period_start) == ("paused", None)
    resumed = paused.resumed(datetime(2026, 5, 20, tzinfo=UTC))
    # March 15, April 15 and May 15 began while paused: billing restarts on June 15.
    assert (resumed.status, resumed.next_period_start) == ("active", datetime(2026, 6, 15, 9, tzinfo=UTC))


def test_cancel_now_or_at_period_end() -> None:
    now = START + timedelta(days=3)
    now_canceled = sub().canceled(now, at_period_end=False)
    assert (now_canceled.status, now_canceled.canceled_at, now_canceled.next_period_start) == (
        "canceled",
        now,
        None,
    )
    later = sub(next_period_start=datetime(2026, 2, 15, 9, tzinfo=UTC)).canceled(now, at_period_end=True)
    assert (later.status, later.cancel_at_period_end) == ("active", True)
    ended = later.ended_at_period_end(datetime(2026, 2, 15, 10, tzinfo=UTC))
    assert (ended.status, ended.canceled_at) == ("canceled", datetime(2026, 2, 15, 9, tzinfo=UTC))


@pytest.mark.parametrize(
    ("change", "status"),
    [
        (lambda s, now: s.resumed(now), "active"),
        (lambda s, now: s.paused(now).paused(now), "paused"),
        (lambda s, now: s.canceled(now, False).canceled(now, False), "canceled"),
        (lambda s, now: s.canceled(now, False).with_items([item()], now), "canceled"),
        (lambda s, now: s.canceled(now, False).resumed(now), "canceled"),
    ],
)
def test_illegal_changes_are_refused(change: object, status: str) -> None:
    with pytest.raises(InvalidTransition) as err:
        change(sub(), START)  # type: ignore[operator]
    assert err.value.message.startswith(f"the subscription is {status}")
