"""Collections on DynamoDB Local: overlapping sweeps and workers, and workers that die
mid-step, never send an email or SMS twice, never charge twice, never add a fee twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from remit.clock import FixedClock
from remit.domain.collections import DunningStep, late_fee_at
from remit.schemas.account import AccountCreate
from remit.schemas.organization import (
    DunningSettingsPatch,
    DunningStepIn,
    InvoiceSettingsPatch,
    OrganizationSettingsPatch,
)
from remit.schemas.payment_method import PaymentMethodIn
from remit.services.accounts import AccountService
from remit.services.collections import STEP_LEASE, StepBusy
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit.services.payment_methods import PaymentMethodService
from remit.store.collections import CollectionRepo
from remit.store.due import stamp
from tests.integration.test_concurrency import race
from tests.support.collections import RecordingMailer, RecordingSms, collections
from tests.support.payments import Crash, FaultyGateway, charges, events, issued, sandbox, with_gateway

NewOrg = Callable[[str], str]


def setup(ctx: Context, org: str, schedule: list[DunningStep] | None = None) -> str:
    # Written when every step ran at 00:00 UTC of its day (the default dailyRunTime is
    # 09:00 now: docs/time.md); day() below counts from midnight.
    OrganizationService(ctx).update_settings(org, OrganizationSettingsPatch(daily_run_time="00:00"))
    OrganizationService(ctx).update_dunning_settings(
        org,
        DunningSettingsPatch(
            enabled=True, schedule=[DunningStepIn(**s.model_dump(exclude_none=True)) for s in schedule]
        )
        if schedule
        else DunningSettingsPatch(enabled=True),
    )
    account = AccountService(ctx).create(
        org, AccountCreate(name="Globex", email="ap@globex.example", phone="+14155550123")
    )
    PaymentMethodService(ctx).add(
        org,
        account.id,
        PaymentMethodIn(type="card", gateway_token="pm_card_chargeDeclined"),
    )
    return issued(ctx, org, account.id, "300.00")


def day(ctx: Context, org: str, invoice_id: str, n: int) -> datetime:
    invoice = ctx.store.invoices.get(org, invoice_id)
    assert invoice is not None
    assert invoice.due_date is not None
    return datetime.combine(invoice.due_date + timedelta(days=1 + n), datetime.min.time(), UTC) + timedelta(
        hours=2
    )


def tally(ctx: Context, org: str, mailer: RecordingMailer, sms: RecordingSms) -> dict[str, int]:
    return {
        "charges": len(charges(ctx, org)),
        "emails": len(mailer.sent),
        "sms": len(sms.sent),
        "past_due": len(events(ctx, org, "invoice.past_due")),
        "reminder_sent": len(events(ctx, org, "invoice.reminder_sent")),
        "uncollectible": len(events(ctx, org, "invoice.marked_uncollectible")),
    }


def test_twenty_workers_at_once_on_one_invoice_do_each_step_once(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Dunning race")
    schedule = [
        DunningStep(days_past_due=0, action="retry_payment"),
        DunningStep(days_past_due=3, action="email_reminder", template="gentle"),
        DunningStep(days_past_due=3, action="sms_reminder"),
        DunningStep(days_past_due=3, action="retry_payment"),
    ]
    invoice_id = setup(ctx, org, schedule)
    mailer, sms = RecordingMailer(), RecordingSms()
    clock.set(day(ctx, org, invoice_id, 4))  # everything is due: a sweep after a gap

    def work(_: int) -> Any:
        try:
            return collections(ctx, mailer, sms).run(org, invoice_id)
        except StepBusy as busy:
            return busy  # the job goes back to the queue

    race(20, work)
    # The jobs that met a claim come back from the queue later and find everything done.
    collections(ctx, mailer, sms).run(org, invoice_id)
    assert tally(ctx, org, mailer, sms) == {
        "charges": 2,
        "emails": 1,
        "sms": 1,
        "past_due": 1,
        "reminder_sent": 2,
        "uncollectible": 0,
    }


def test_two_sweeps_overlapping_queue_the_invoice_twice_and_it_is_worked_once(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    from remit.services.sweeps import due_jobs
    from remit.store.collections import COLLECTIONS

    org = new_org("Overlap")
    invoice_id = setup(ctx, org)
    mailer, sms = RecordingMailer(), RecordingSms()
    clock.set(day(ctx, org, invoice_id, 7))
    jobs = [
        j
        for j in list(due_jobs(ctx, COLLECTIONS)) + list(due_jobs(ctx, COLLECTIONS))
        if j.body["id"] == invoice_id
    ]
    assert len(jobs) == 2

    def work(i: int) -> Any:
        try:
            return collections(ctx, mailer, sms).run(org, jobs[i % 2].body["id"])
        except StepBusy as busy:
            return busy

    race(8, work)
    collections(ctx, mailer, sms).run(org, invoice_id)
    # Seed schedule to day 7: retries on days 0, 3, 7; gentle and firm emails.
    got = tally(ctx, org, mailer, sms)
    assert got["charges"] == 3
    assert [e.subject.split(":")[0] for e in mailer.sent] == ["Action needed", "Payment overdue"]
    assert got["past_due"] == 1


def test_a_worker_dying_after_the_email_went_out_leaves_it_sent_once(
    ctx: Context, clock: FixedClock, new_org: NewOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = new_org("Crash email")
    invoice_id = setup(ctx, org, [DunningStep(days_past_due=1, action="email_reminder", template="final")])
    mailer, sms = RecordingMailer(), RecordingSms()
    clock.set(day(ctx, org, invoice_id, 1))

    settle = CollectionRepo.settle

    def die(self: CollectionRepo, record: Any, **kw: Any) -> None:
        if kw.get("claimed"):
            raise Crash("killed between the send and the step's record")
        settle(self, record, **kw)

    monkeypatch.setattr(CollectionRepo, "settle", die)
    with pytest.raises(Crash):
        collections(ctx, mailer, sms).run(org, invoice_id)
    monkeypatch.setattr(CollectionRepo, "settle", settle)
    assert len(mailer.sent) == 1

    # Redelivered within the lease: another run holds the step.
    with pytest.raises(StepBusy):
        collections(ctx, mailer, sms).run(org, invoice_id)
    # After the lease: taken over; the email's own claim says sent, so nothing is resent.
    clock.advance(STEP_LEASE + timedelta(seconds=1))
    collections(ctx, mailer, sms).run(org, invoice_id)
    assert len(mailer.sent) == 1
    assert len(events(ctx, org, "invoice.reminder_sent")) == 1
    _, records = ctx.store.collections.read(org, invoice_id)
    assert records["dunning#001#email_reminder"].status == "done"


def test_a_worker_dying_after_the_gateway_charged_never_charges_again(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Crash charge")
    invoice_id = setup(ctx, org, [DunningStep(days_past_due=0, action="retry_payment")])
    mailer, sms = RecordingMailer(), RecordingSms()
    clock.set(day(ctx, org, invoice_id, 0))
    dying = with_gateway(ctx, FaultyGateway(sandbox(ctx), "crash"))
    with pytest.raises(Crash):
        collections(dying, mailer, sms).run(org, invoice_id)
    assert len(charges(ctx, org)) == 1

    clock.advance(STEP_LEASE + timedelta(seconds=1))
    collections(ctx, mailer, sms).run(org, invoice_id)
    collections(ctx, mailer, sms).run(org, invoice_id)
    assert len(charges(ctx, org)) == 1
    invoice = ctx.store.invoices.get(org, invoice_id)
    assert invoice is not None
    assert (invoice.attempts, invoice.open_attempt) == (1, None)  # reconciled from the gateway, not recharged
    _, records = ctx.store.collections.read(org, invoice_id)
    assert records["dunning#000#retry_payment"].status == "done"
    assert records["dunning#000#retry_payment"].detail == "attempt 1: failed"


def test_late_fees_under_racing_workers_once_per_month(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Fee race")
    OrganizationService(ctx).update_settings(org, OrganizationSettingsPatch(daily_run_time="00:00"))
    OrganizationService(ctx).update_invoice_settings(
        org, InvoiceSettingsPatch(late_fee_percentage=Decimal("1.5"))
    )
    account = AccountService(ctx).create(org, AccountCreate(name="Globex"))
    invoice_id = issued(ctx, org, account.id, "1000.00")
    mailer, sms = RecordingMailer(), RecordingSms()
    clock.set(day(ctx, org, invoice_id, 65))  # two months' fees due

    race(12, lambda _: collections(ctx, mailer, sms).run(org, invoice_id))
    invoice = ctx.store.invoices.get(org, invoice_id)
    assert invoice is not None
    fees = [li.unit_amount for li in invoice.line_items if li.description.startswith("Late fee")]
    assert fees == [1500, 1500]
    assert invoice.total == 103000
    # Its wake-up is the third month's fee.
    schedule, _ = ctx.store.collections.read(org, invoice_id)
    assert invoice.due_date is not None
    assert schedule is not None
    assert schedule["duesk"].startswith(stamp(late_fee_at(invoice.due_date, 3)))
