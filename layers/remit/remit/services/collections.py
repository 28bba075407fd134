"""Following up unpaid invoices: reminders, the past-due transition, dunning and late fees
(docs/collections.md).

The sweeper finds invoices whose collection wake-up has come (DueIndex kind
``collections``) and queues them; the collections worker calls ``run``, which works out
what is due from the organization's settings and the steps already recorded, and performs
each due step once:

- a step without outside effects (``past_due``, a late fee) is one transaction that
  creates its record (condition: absent) with its event and invoice change;
- a step with outside effects (an email, an SMS, a charge, a subscription change) is
  claimed first (its record, ``running``, with a lease), then acts, then is settled by
  the claim's holder together with its event.

A repeated, overlapping or crashed run therefore repeats nothing: it finds the records.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from remit.adapters.sms import SmsSender
from remit.domain.collections import (
    SETTLED_STEPS,
    Step,
    StepRecord,
    StepStatus,
    calendar_steps,
    past_due_from,
    select,
)
from remit.domain.events import EventType
from remit.domain.invoice import Invoice
from remit.domain.localtime import parse_run_time
from remit.domain.organization import Organization
from remit.domain.totals import LineItem
from remit.errors import ConcurrentUpdate, Conflict, InvalidTransition, NotFound, ValidationFailed
from remit.ids import new_id
from remit.money import canonical, format_amount, percent_of
from remit.observability import logger
from remit.schemas.collections import CollectionOut, CollectionStepOut
from remit.schemas.emails import EmailDeliveryOut, ReminderIn
from remit.schemas.subscription import CancelIn
from remit.services.context import Context
from remit.services.delivery import DeliveryService
from remit.services.events import invoice_data, make_events
from remit.services.invoices import InvoiceService
from remit.services.payments import PaymentService
from remit.services.retry import optimistic
from remit.services.subscriptions import SubscriptionService
from remit.store.collections import StepTaken

# Longer than the worker's timeout: a claim that outlives it belongs to a dead worker.
STEP_LEASE = timedelta(minutes=5)
# Late fee lines carry ids with this prefix, so the next month's fee can leave them out of
# the balance it is computed on (no fee on fees).
LATE_FEE_PREFIX = "lfee_"


class StepBusy(Exception):
    """Another run holds this step's claim; the job goes back to the queue and comes back
    after the claim is settled (or its lease is over)."""


@dataclass(frozen=True)
class Outcome:
    status: StepStatus
    detail: str | None = None
    events: Sequence[tuple[EventType, dict[str, Any]]] = ()


class CollectionService:
    def __init__(
        self,
        ctx: Context,
        delivery: DeliveryService | None = None,
        sms: SmsSender | None = None,
    ) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock
        self.delivery = delivery
        self.sms = sms

    # -- the calendar ------------------------------------------------------------------

    def run(self, org_id: str, invoice_id: str) -> list[StepRecord]:
        """The worker's job: perform every step due now, once, in order; then move the
        wake-up to the next step (or out of the index when none is left)."""
        invoice, org = self.store.invoices.get_with_organization(org_id, invoice_id)
        if invoice is None or org is None:
            self.store.collections.reschedule(org_id, invoice_id, None)
            return []
        _, records = self.store.collections.read(org_id, invoice_id)
        now = self.clock.now()
        if invoice.due_date is None or invoice.issued_at is None or invoice.status not in _FOLLOWED:
            self.store.collections.reschedule(org_id, invoice_id, None)
            return []
        settled = {k for k, r in records.items() if r.status in SETTLED_STEPS}
        steps = _steps(invoice, org, now)
        selection = select(steps, settled, now, invoice.due_date, invoice.issued_at, invoice.time_zone)
        performed: list[StepRecord] = []
        for step in selection.skip:
            why = (
                "missed until the due date had passed"
                if step.key.startswith("reminder#before#")
                and now >= past_due_from(invoice.due_date, invoice.time_zone)
                else "a later reminder superseded it"
            )
            with contextlib.suppress(StepTaken):
                performed.append(self._record_only(invoice, step, "skipped", why))
        for step in selection.run:
            current = self.store.invoices.get(org_id, invoice_id)
            if current is None or not _applies(current, step):
                continue  # paid, voided or written off meanwhile: no further step
            record = self._perform(current, org, step, records.get(step.key), now)
            if record is not None:
                performed.append(record)
        invoice = self.store.invoices.get(org_id, invoice_id) or invoice
        pending = [s.at for s in steps if s.at > now and s.key not in settled and _applies(invoice, s)]
        self.store.collections.reschedule(org_id, invoice_id, min(pending) if pending else None)
        return performed

    # -- performing a step ----------------------------------------------------------------

    def _perform(
        self, invoice: Invoice, org: Organization, step: Step, existing: StepRecord | None, now: datetime
    ) -> StepRecord | None:
        if step.kind == "past_due":
            try:
                return self._record_only(
                    invoice, step, "done", None, [("invoice.past_due", invoice_data(invoice, now))]
                )
            except StepTaken:
                return None
        if step.kind == "late_fee":
            return self._late_fee(invoice.organization_id, invoice.id, org, step)
        return self._claimed(invoice, org, step, existing)

    def _record(self, invoice: Invoice, step: Step, status: StepStatus, now: datetime) -> StepRecord:
        return StepRecord(
            key=step.key,
            organization_id=invoice.organization_id,
            invoice_id=invoice.id,
            kind=step.kind,
            action=step.action,
            template=step.template,
            due_at=step.at,
            position=step.position,
            status=status,
            started_at=now,
        )

    def _record_only(
        self,
        invoice: Invoice,
        step: Step,
        status: StepStatus,
        detail: str | None,
        events: Sequence[tuple[EventType, dict[str, Any]]] = (),
    ) -> StepRecord:
        now = self.clock.now()
        record = self._record(invoice, step, status, now).model_copy(
            update={"detail": detail, "finished_at": now}
        )
        self.store.collections.settle(
            record, claimed=False, events=make_events(invoice, list(events), now, self.clock)
        )
        return record

    def _late_fee(self, org_id: str, invoice_id: str, org: Organization, step: Step) -> StepRecord | None:
        percentage = org.invoice_settings.late_fee_percentage

        def attempt(_: int) -> StepRecord | None:
            invoice = self.store.invoices.get(org_id, invoice_id)
            if invoice is None or not _applies(invoice, step):
                return None
            now = self.clock.now()
            record = self._record(invoice, step, "done", now).model_copy(update={"finished_at": now})
            fees = sum(li.amount for li in invoice.line_items if li.id.startswith(LATE_FEE_PREFIX))
            base = max(0, invoice.amount_due - fees)
            amount = percent_of(base, percentage)
            if amount <= 0:
                record = record.model_copy(
                    update={"status": "skipped", "detail": "nothing overdue to charge on"}
                )
                self.store.collections.settle(record, claimed=False)
                return record
            line = LineItem(
                id=new_id(LATE_FEE_PREFIX.rstrip("_"), self.clock),
                description=(
                    f"Late fee, month {step.month}: {canonical(percentage)}% of "
                    f"{format_amount(base, invoice.currency)} {invoice.currency} overdue"
                ),
                quantity=Decimal(1),
                unit_amount=amount,
            )
            after = invoice.with_lines([*invoice.line_items, line], invoice.discount, now)
            record = record.model_copy(update={"detail": f"{format_amount(amount, invoice.currency)} added"})
            events = make_events(after, [("invoice.updated", invoice_data(after, now))], now, self.clock)
            try:
                self.store.collections.settle(
                    record, claimed=False, events=events, invoice=(after, invoice.version)
                )
            except StepTaken:
                return None  # this month's fee is on the invoice already
            return record

        return optimistic(attempt, what="the invoice")

    def _claimed(
        self, invoice: Invoice, org: Organization, step: Step, existing: StepRecord | None
    ) -> StepRecord | None:
        # The lease runs from now, not from when the run began: a long catch-up run must
        # not hold claims that are already running out.
        now = self.clock.now()
        token = new_id("clm", self.clock)
        attempts_before = (
            existing.attempts_before
            if existing is not None and existing.attempts_before is not None
            else invoice.attempts
        )
        claim = self._record(invoice, step, "running", now).model_copy(
            update={"claimed_until": now + STEP_LEASE, "token": token, "attempts_before": attempts_before}
        )
        try:
            self.store.collections.claim(claim, now)
        except StepTaken as taken:
            if taken.existing is not None and taken.existing.status in SETTLED_STEPS:
                return None
            raise StepBusy(step.key) from taken
        outcome = self._act(invoice, org, step, claim)
        finished = self.clock.now()
        record = claim.model_copy(
            update={
                "status": outcome.status,
                "detail": outcome.detail,
                "claimed_until": None,
                "finished_at": finished,
            }
        )
        latest = self.store.invoices.get(invoice.organization_id, invoice.id) or invoice
        events = make_events(latest, list(outcome.events), finished, self.clock)
        self.store.collections.settle(record, claimed=True, events=events)
        if outcome.status == "failed":
            logger.warning(
                "collection step failed", invoice_id=invoice.id, step=step.key, detail=outcome.detail
            )
        return record

    def _act(self, invoice: Invoice, org: Organization, step: Step, claim: StepRecord) -> Outcome:
        action = step.action
        if action == "email_reminder":
            return self._email(invoice, step)
        if action == "sms_reminder":
            return self._sms(invoice, org, step)
        if action == "retry_payment":
            return self._retry(invoice, claim)
        if action in ("pause_subscription", "cancel_subscription"):
            return self._subscription(invoice, pause=action == "pause_subscription")
        if action == "mark_uncollectible":
            try:
                InvoiceService(self.ctx).mark_uncollectible(invoice.organization_id, invoice.id)
            except InvalidTransition as exc:
                if exc.code == "payment_in_progress":
                    raise  # a charge is out: try again once it settles
                return Outcome("done", f"not written off: {exc.message}")
            return Outcome("done", "written off as uncollectible")
        raise ValueError(f"unknown collection action {action}")

    def _email(self, invoice: Invoice, step: Step) -> Outcome:
        assert self.delivery is not None, "the collections worker is built with a delivery service"
        template = step.template or "invoice_reminder"
        delivery_id = f"collection-{step.key.replace('#', '-')}-{template}"
        sent = self.delivery.send_reminder(
            invoice.organization_id,
            invoice.id,
            template,
            delivery_id,
            f"collection:{step.kind}",
            automatic=True,
        )
        if sent.status != "sent":
            return Outcome("skipped", sent.detail or f"email {sent.status}")
        data = self._reminder_data(invoice, template, "email", step.kind, sent.id)
        return Outcome("done", f"email {sent.id}", [("invoice.reminder_sent", data)])

    def _sms(self, invoice: Invoice, org: Organization, step: Step) -> Outcome:
        assert self.sms is not None, "the collections worker is built with an SMS sender"
        account = self.store.accounts.get(invoice.organization_id, invoice.account_id)
        if account is None or not account.phone:
            return Outcome(
                "failed",
                "no SMS sent: the account has no phone number (set phone on the account, E.164)",
            )
        # Imported here: Babel's locale data is for the workers that write to customers,
        # not for the API's cold start (which imports this module for manual reminders).
        from remit.documents import localize

        amount = localize.money(invoice.amount_due, invoice.currency, invoice.language)
        text = (
            f"{org.name}: invoice {invoice.invoice_number} ({amount}) is past due. "
            f"Pay: {self.delivery.links.invoice(org, invoice)[1] if self.delivery else ''}"
        ).strip()
        message_id = self.sms.send(account.phone, text[:300])
        data = self._reminder_data(invoice, None, "sms", step.kind, message_id)
        return Outcome("done", f"SMS {message_id} to {account.phone}", [("invoice.reminder_sent", data)])

    def _retry(self, invoice: Invoice, claim: StepRecord) -> Outcome:
        if invoice.next_charge_at is not None:
            # AutoPay still has a charge (or retry) of its own scheduled; two schedules
            # charging one invoice would double its attempts.
            return Outcome("skipped", "AutoPay has a charge scheduled; its retries come first")
        assert claim.attempts_before is not None
        try:
            attempt = PaymentService(self.ctx).retry_for_dunning(
                invoice.organization_id, invoice.id, claim.attempts_before
            )
        except ConcurrentUpdate:
            raise  # the invoice kept changing: the queue tries the step again
        except (ValidationFailed, NotFound, Conflict) as exc:  # no method, or one that cannot be charged
            return Outcome("failed", f"no charge: {exc.message}")
        if attempt is None:
            return Outcome("skipped", "nothing to charge")
        return Outcome("done", f"attempt {attempt.number}: {attempt.status}")

    def _subscription(self, invoice: Invoice, *, pause: bool) -> Outcome:
        if invoice.subscription_id is None:
            return Outcome("skipped", "the invoice belongs to no subscription")
        subscriptions = SubscriptionService(self.ctx)
        try:
            if pause:
                subscriptions.pause(invoice.organization_id, invoice.subscription_id)
            else:
                subscriptions.cancel(invoice.organization_id, invoice.subscription_id, CancelIn())
        except (Conflict, NotFound) as exc:
            return Outcome("done", f"subscription unchanged: {exc.message}")
        verb = "paused" if pause else "canceled"
        return Outcome("done", f"subscription {invoice.subscription_id} {verb}")

    def _reminder_data(
        self, invoice: Invoice, template: str | None, channel: str, source: str, message_id: str
    ) -> dict[str, Any]:
        now = self.clock.now()
        return {
            **invoice_data(invoice, now),
            "template": template,
            "channel": channel,
            "source": source,
            "messageId": message_id,
        }

    def log(self, org_id: str, invoice_id: str) -> CollectionOut:
        if self.store.invoices.get(org_id, invoice_id) is None:
            raise NotFound(f"no invoice {invoice_id}", field="id")
        schedule, records = self.store.collections.read(org_id, invoice_id)
        steps = sorted(records.values(), key=lambda r: r.sort_key)
        return CollectionOut(
            invoice_id=invoice_id,
            next_step_at=(schedule or {}).get("wakeAt"),
            steps=[CollectionStepOut.of(r) for r in steps],
        )

    # -- by hand ----------------------------------------------------------------------------

    def remind(self, org_id: str, invoice_id: str, body: ReminderIn) -> EmailDeliveryOut:
        """``POST /invoices/{id}/reminders``: one reminder now, with the sender's message
        and cc, and its ``invoice.reminder_sent``."""
        assert self.delivery is not None
        invoice = self.store.invoices.get(org_id, invoice_id)
        if invoice is None:
            raise NotFound(f"no invoice {invoice_id}", field="id")
        if invoice.status not in ("issued", "uncollectible"):
            raise InvalidTransition(
                f"the invoice is {invoice.reported_status(self.clock.now().date())}; only unpaid invoices "
                "get reminders",
                field="status",
            )
        delivery_id = f"{new_id('rem', self.clock)}-{body.template}"
        sent = self.delivery.send_reminder(
            org_id, invoice_id, body.template, delivery_id, "manual", message=body.message, cc=body.cc
        )
        if sent.status == "sent":
            now = self.clock.now()
            data = self._reminder_data(invoice, body.template, "email", "manual", sent.id)
            self.store.events.write(make_events(invoice, [("invoice.reminder_sent", data)], now, self.clock))
        return EmailDeliveryOut.of(sent)


# Invoices collections follow: unpaid ones, and written-off ones while actions on
# persistent failure are still to run.
_FOLLOWED = ("issued", "uncollectible")


def _applies(invoice: Invoice, step: Step) -> bool:
    if invoice.status == "issued":
        return invoice.amount_due > 0
    return invoice.status == "uncollectible" and step.kind == "persistent"


def _steps(invoice: Invoice, org: Organization, until: datetime) -> list[Step]:
    assert invoice.due_date is not None
    return calendar_steps(
        invoice.due_date,
        org.reminder_settings,
        org.dunning_settings,
        org.invoice_settings.late_fee_percentage,
        until,
        invoice.time_zone,
        parse_run_time(org.settings.daily_run_time),
    )
