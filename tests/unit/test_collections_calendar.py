"""The collection calendar's rules (remit.domain.collections), without storage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import boto3
from moto import mock_aws

from remit.adapters.sms import SnsSms
from remit.domain.collections import (
    AfterDue,
    BeforeDue,
    DunningSettings,
    ReminderSettings,
    add_months,
    calendar_steps,
    first_wake,
    late_fee_at,
    past_due_from,
    select,
)

DUE = date(2026, 3, 31)
ISSUED = datetime(2026, 3, 1, 9, tzinfo=UTC)
REMINDERS = ReminderSettings(
    before_due=BeforeDue(enabled=True, days_before=[7, 3, 1]), after_due=AfterDue(enabled=True)
)
DUNNING = DunningSettings(enabled=True)


def steps(until: datetime, fee: str = "0") -> list[str]:
    return [s.key for s in calendar_steps(DUE, REMINDERS, DUNNING, Decimal(fee), until)]


def test_the_calendar_in_order_with_the_next_step_after_until() -> None:
    assert steps(datetime(2026, 4, 5, tzinfo=UTC)) == [
        "reminder#before#007",
        "reminder#before#003",
        "reminder#before#001",
        "past_due",
        "dunning#000#retry_payment",
        "reminder#after#001",
        "dunning#003#email_reminder",
        "dunning#003#retry_payment",
        "reminder#after#007",  # the next one, after `until`
    ]


def test_past_due_and_days_past_due_count_from_the_day_after_the_due_date() -> None:
    assert past_due_from(DUE) == datetime(2026, 4, 1, tzinfo=UTC)
    at = {
        s.key: s.at
        for s in calendar_steps(DUE, REMINDERS, DUNNING, Decimal(0), datetime(2026, 6, 1, tzinfo=UTC))
    }
    assert at["dunning#030#mark_uncollectible"] == datetime(2026, 5, 1, tzinfo=UTC)
    assert at["reminder#after#014"] == datetime(2026, 4, 14, tzinfo=UTC)


def test_late_fee_months_are_calendar_months_clamped_to_the_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert late_fee_at(date(2026, 1, 30), 1) == datetime(2026, 2, 28, tzinfo=UTC)  # past due from Jan 31
    assert late_fee_at(DUE, 2) == datetime(2026, 6, 1, tzinfo=UTC)
    assert [k for k in steps(datetime(2026, 7, 2, tzinfo=UTC), fee="1.5") if k.startswith("late_fee")] == [
        "late_fee#001",
        "late_fee#002",
        "late_fee#003",
        "late_fee#004",  # the next
    ]


def test_of_missed_reminders_only_the_latest_and_every_missed_dunning_step() -> None:
    now = datetime(2026, 4, 5, 1, tzinfo=UTC)
    calendar = calendar_steps(DUE, REMINDERS, DUNNING, Decimal(0), now)
    chosen = select(calendar, {"reminder#before#007"}, now, DUE, ISSUED)
    assert [s.key for s in chosen.run] == [
        "past_due",
        "dunning#000#retry_payment",
        "reminder#after#001",
        "dunning#003#email_reminder",
        "dunning#003#retry_payment",
    ]
    assert [s.key for s in chosen.skip] == ["reminder#before#003", "reminder#before#001"]
    assert chosen.next_at == datetime(2026, 4, 7, tzinfo=UTC)


def test_a_before_due_reminder_missed_until_past_due_is_dropped() -> None:
    only_before = ReminderSettings(before_due=BeforeDue(enabled=True, days_before=[3]))
    now = datetime(2026, 4, 2, tzinfo=UTC)
    calendar = calendar_steps(DUE, only_before, DunningSettings(), Decimal(0), now)
    chosen = select(calendar, set(), now, DUE, ISSUED)
    assert [s.key for s in chosen.run] == ["past_due"]
    assert [s.key for s in chosen.skip] == ["reminder#before#003"]


def test_reminders_before_the_invoice_existed_were_never_due() -> None:
    issued = datetime(2026, 3, 29, 12, tzinfo=UTC)  # a net_2 invoice: 7 and 3 days before are gone
    wake = first_wake(DUE, issued, REMINDERS, DUNNING, Decimal(0))
    assert wake == datetime(2026, 3, 30, tzinfo=UTC)  # the 1-day-before reminder
    calendar = calendar_steps(DUE, REMINDERS, DUNNING, Decimal(0), issued)
    assert select(calendar, set(), issued, DUE, issued).run == []


def test_settled_steps_are_never_chosen_again() -> None:
    now = datetime(2026, 4, 2, tzinfo=UTC)
    calendar = calendar_steps(DUE, ReminderSettings(), DUNNING, Decimal(0), now)
    chosen = select(calendar, {"past_due", "dunning#000#retry_payment"}, now, DUE, ISSUED)
    assert chosen.run == []
    assert chosen.next_at == datetime(2026, 4, 4, tzinfo=UTC)


def test_sms_through_sns_is_recorded_by_moto() -> None:
    with mock_aws():
        sms = SnsSms(client=boto3.client("sns", region_name="us-east-1"))
        message_id = sms.send("+14155550123", "Acme: invoice INV-1 is past due.")
        from moto.sns.models import sns_backends

        backend = sns_backends["123456789012"]["us-east-1"]
        assert backend.sms_messages[message_id] == ("+14155550123", "Acme: invoice INV-1 is past due.")


def test_next_wake_moves_past_now() -> None:
    now = datetime(2026, 4, 15, tzinfo=UTC)
    calendar = calendar_steps(DUE, ReminderSettings(), DUNNING, Decimal(0), now)
    settled = {s.key for s in calendar if s.at <= now}
    assert select(calendar, settled, now, DUE, ISSUED).next_at == now + timedelta(days=16)


def test_the_same_action_twice_on_a_day_is_two_steps_with_their_own_keys() -> None:
    from remit.domain.collections import DunningStep, check_dunning

    given = DunningSettings(
        enabled=True,
        schedule=[
            DunningStep(days_past_due=3, action="retry_payment"),
            DunningStep(days_past_due=1, action="email_reminder", template="gentle"),
            DunningStep(days_past_due=1, action="email_reminder", template="firm"),
        ],
    )
    settings = check_dunning(given, ["dunning_gentle", "dunning_firm"])
    quiet = ReminderSettings(before_due=BeforeDue(enabled=False), after_due=AfterDue(enabled=False))
    found = calendar_steps(DUE, quiet, settings, Decimal(0), datetime(2026, 5, 1, tzinfo=UTC))
    dunning = [(s.key, s.template) for s in found if s.kind == "dunning"]
    # Sorted by day (the order given within one), each with a key of its own, so each is
    # claimed, and so sent, once.
    assert [key for key, _ in dunning] == [
        "dunning#001#email_reminder",
        "dunning#001#email_reminder#2",
        "dunning#003#retry_payment",
    ]
    assert [t for _, t in dunning][:2] == ["dunning_gentle", "dunning_firm"]
