"""Charging invoices through the gateway, never twice.

The protocol (docs/payments.md draws it):
1. Claim: one transaction writes attempt N (``pending``, idempotency key ``<invoice>-attempt-N``)
   and marks it open on the invoice, conditional on the invoice's version. Of any number
   of concurrent payers exactly one claims; the others find the attempt open and stop.
2. Charge: the gateway is called with the attempt's key.
3. Settle: one transaction writes the outcome, the invoice's new state, the payment and
   the events, conditional on the attempt still being open.
If step 2 ends without an answer the claimer asks the gateway about the key (``lookup``);
if that does not settle it either, or the process dies before step 3, the open attempt's
lease runs out and puts the invoice in the DueIndex, where the AutoPay sweep finds it and
a worker reconciles it by lookup. Nobody ever charges a second key while one is open.

3-D Secure: a charge made on the hosted page (``on_session``) may answer
``requires_action``. The attempt stays open (status ``requires_action``) for
``AUTHENTICATION_WINDOW`` while the page runs the challenge; ``confirm_authentication``
then asks the gateway for the outcome and settles it (once: the settle is conditional).
A challenge never finished is cancelled at the gateway when the window has passed, and the
attempt fails ``authentication_abandoned``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from remit.adapters.gateway.port import ChargeOutcome, OnSession, OutcomeUnknown
from remit.domain.events import EventType
from remit.domain.invoice import Invoice, Payment
from remit.domain.lifecycle import Action
from remit.domain.organization import Organization
from remit.domain.payment_attempt import (
    CLAIM_LEASE,
    PROCESSING_POLL,
    PaymentAttempt,
    Trigger,
    idempotency_key,
)
from remit.domain.payment_method import PaymentMethod
from remit.errors import Conflict, NotFound, PaymentDeclined
from remit.ids import new_id
from remit.observability import logger
from remit.schemas.invoice import AttemptOut, InvoiceOut
from remit.services.context import Context
from remit.services.events import invoice_data, make_events, payment_data
from remit.services.retry import optimistic
from remit.store.errors import StaleWrite

Mode = Literal["manual", "autopay", "dunning"]
# How long an attempt waits for the customer's 3-D Secure challenge before the sweep
# cancels it at the gateway (the invoice can be paid again sooner only by finishing it).
AUTHENTICATION_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Claimed:
    invoice: Invoice  # as written by the claim
    attempt: PaymentAttempt
    method: PaymentMethod


def attempt_data(invoice: Invoice, attempt: PaymentAttempt) -> dict[str, Any]:
    return {
        **AttemptOut.of(attempt).model_dump(mode="json", by_alias=True),
        "invoiceId": invoice.id,
        "invoiceNumber": invoice.invoice_number,
        "accountId": invoice.account_id,
    }


class PaymentService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock

    # -- entry points ----------------------------------------------------------------

    def pay(
        self,
        org_id: str,
        invoice_id: str,
        method_id: str | None = None,
        trigger: Trigger = "manual",
        on_session: OnSession | None = None,
    ) -> InvoiceOut:
        """POST /invoices/{id}/pay (or a completed checkout): charge now, with the given or
        the default method. ``on_session``: the customer is on the hosted page, so the
        charge may wait for their authentication (the attempt is then ``requires_action``
        in the answer: neither paid nor failed)."""
        attempt = self._run(org_id, invoice_id, "manual", method_id, trigger, on_session=on_session)
        if attempt is not None and attempt.status == "failed":
            raise PaymentDeclined(
                f"the charge failed: {attempt.gateway_message or attempt.gateway_code}",
                field="paymentMethodId",
            )
        return self.invoice_out(org_id, invoice_id)

    def collect_due(self, org_id: str, invoice_id: str) -> PaymentAttempt | None:
        """The AutoPay worker's job: reconcile an open attempt whose lease ran out, or
        charge if AutoPay's (or a retry's) time has come. Anything else is left alone, so a
        repeated or stale job does nothing."""
        return self._run(org_id, invoice_id, "autopay", None, "autopay")

    def retry_for_dunning(self, org_id: str, invoice_id: str, attempts_before: int) -> PaymentAttempt | None:
        """Dunning's ``retry_payment``: charge the default method once for a step that was
        claimed when the invoice had ``attempts_before`` attempts. If an attempt was made
        since (this step's, by a run that crashed after charging), nothing is charged and
        that attempt is the answer (reconciled first if its lease ran out). Refuses, like a
        manual payment, when there is nothing to charge (Conflict, NotFound)."""
        attempt = self._run(org_id, invoice_id, "dunning", None, "dunning", expected_attempts=attempts_before)
        if attempt is not None:
            return attempt
        invoice = self.store.invoices.get(org_id, invoice_id)
        if invoice is None or invoice.attempts <= attempts_before:
            return None
        return self.store.payments.get_attempt(org_id, invoice_id, invoice.attempts)

    def invoice_out(self, org_id: str, invoice_id: str) -> InvoiceOut:
        """The invoice as the API answers it after a charge: ``InvoiceService.get``, the
        one definition of that answer."""
        # Imported here: remit.services.invoices imports this module.
        from remit.services.invoices import InvoiceService

        return InvoiceService(self.ctx).get(org_id, invoice_id)

    # -- the protocol ----------------------------------------------------------------

    def _run(
        self,
        org_id: str,
        invoice_id: str,
        mode: Mode,
        method_id: str | None,
        trigger: Trigger,
        expected_attempts: int | None = None,
        on_session: OnSession | None = None,
    ) -> PaymentAttempt | None:
        # An open attempt past its lease is reconciled first; then we may claim a new one.
        for _ in range(3):
            claimed = optimistic(
                lambda _: self._claim(org_id, invoice_id, mode, method_id, trigger, expected_attempts),
                what="the invoice",
            )
            if isinstance(claimed, Claimed):
                return self._charge(claimed, on_session)
            if claimed == "reconcile":
                settled = self.reconcile(org_id, invoice_id)
                if settled is not None and not settled.settled:
                    return settled  # still open (a bank debit, an unreachable gateway)
                continue
            return None
        return None

    def _claim(
        self,
        org_id: str,
        invoice_id: str,
        mode: Mode,
        method_id: str | None,
        trigger: Trigger,
        expected_attempts: int | None = None,
    ) -> Claimed | Literal["reconcile", "nothing"]:
        invoice, org = self.store.invoices.get_with_organization(org_id, invoice_id)
        if invoice is None or org is None:
            raise NotFound(f"no invoice {invoice_id}", field="id")
        now = self.clock.now()
        if invoice.open_attempt is not None:
            if invoice.check_attempt_at is not None and invoice.check_attempt_at <= now:
                return "reconcile"
            if mode in ("autopay", "dunning"):
                return "nothing"
            raise Conflict(
                f"a charge (attempt {invoice.open_attempt}) is in progress for this invoice",
                field="status",
                code="payment_in_progress",
            )
        if mode == "manual":
            # Void, paid and draft invoices are refused here; past due ones are payable.
            invoice.require(Action.RECORD_PAYMENT, now.date())
        elif mode == "dunning":
            # Only the step's own attempt; an open one is reconciled above, never doubled.
            if invoice.status != "issued" or invoice.attempts != expected_attempts:
                return "nothing"
        elif invoice.status != "issued" or invoice.next_charge_at is None or invoice.next_charge_at > now:
            return "nothing"
        if invoice.amount_due <= 0:
            return "nothing"
        method = self._method(invoice, org, method_id, mode, now)
        if method is None:
            return "nothing"
        number = invoice.attempts + 1
        if mode == "autopay":
            trigger = "retry" if invoice.auto_failures else "autopay"
        attempt = PaymentAttempt(
            number=number,
            invoice_id=invoice.id,
            idempotency_key=idempotency_key(invoice.id, number),
            amount=invoice.amount_due,
            currency=invoice.currency,
            payment_method_id=method.id,
            method_type=method.type,
            trigger=trigger,
            gateway=method.gateway,
            created_at=now,
        )
        after = invoice.charge_claimed(number, now, CLAIM_LEASE)
        self.store.payments.claim(invoice, after, attempt)  # StaleWrite: someone else moved first
        return Claimed(after, attempt, method)

    def _method(
        self, invoice: Invoice, org: Organization, method_id: str | None, mode: Mode, now: datetime
    ) -> PaymentMethod | None:
        account = self.store.accounts.get(invoice.organization_id, invoice.account_id)
        wanted = method_id or (account.default_payment_method_id if account else None)
        method = (
            self.store.payment_methods.get(invoice.organization_id, invoice.account_id, wanted)
            if wanted
            else None
        )
        problem = None
        if method is None:
            problem = (
                "the account has no default payment method" if not wanted else f"no payment method {wanted}"
            )
        elif not method.auto_collectable:
            problem = f"a {method.type} payment is made by the customer and recorded by hand"
        elif not org.payment_settings.accepts(method.type):
            problem = f"the organization does not accept {method.type}"
        if problem is None:
            return method
        if mode in ("manual", "dunning"):
            if method is None and wanted:
                raise NotFound(problem, field="paymentMethodId")
            # The account's methods (or the organization's settings) do not allow it: state.
            raise Conflict(problem, field="paymentMethodId", code="no_payment_method")
        # AutoPay with nothing to charge: stop, and let dunning take over.
        after = invoice.charge_failed(now, counts=False, next_charge_at=None, to_dunning=True)
        reason = {"code": "no_payment_method", "message": problem}
        events = make_events(
            after,
            [
                (
                    "invoice.payment_failed",
                    {
                        **invoice_data(after, now),
                        "failureReason": problem,
                        "reason": reason,
                        "nextPaymentAttempt": None,
                    },
                ),
                ("invoice.handed_to_dunning", {**invoice_data(after, now), "reason": reason}),
            ],
            now,
            self.clock,
        )
        self.store.payments.reschedule(invoice, after, events)
        return None

    def _charge(self, claimed: Claimed, on_session: OnSession | None = None) -> PaymentAttempt:
        attempt = claimed.attempt
        gateway = self.ctx.gateway(claimed.method.gateway)
        org_id = claimed.invoice.organization_id
        extra: dict[str, Any] = {} if on_session is None else {"on_session": on_session}
        try:
            outcome: ChargeOutcome | None = gateway.charge(
                org_id=org_id,
                amount=attempt.amount,
                currency=attempt.currency,
                method=claimed.method,
                idempotency_key=attempt.idempotency_key,
                **extra,
            )
        except OutcomeUnknown as exc:
            logger.warning(
                "charge outcome unknown; looking it up", key=attempt.idempotency_key, error=str(exc)
            )
            outcome = self._lookup(gateway_name=attempt.gateway, org_id=org_id, key=attempt.idempotency_key)
        if outcome is None:
            # Still unknown: the attempt stays open; after its lease the sweep reconciles it.
            return attempt
        return self._settle(org_id, claimed.invoice.id, attempt, outcome)

    def _lookup(self, *, gateway_name: Any, org_id: str, key: str) -> ChargeOutcome | None:
        try:
            return self.ctx.gateway(gateway_name).lookup(org_id=org_id, idempotency_key=key)
        except OutcomeUnknown:
            return None

    def reconcile(self, org_id: str, invoice_id: str) -> PaymentAttempt | None:
        """Settle the open attempt from what the gateway says about its key. Never charges."""
        invoice = self.store.invoices.get(org_id, invoice_id)
        now = self.clock.now()
        if invoice is None or invoice.open_attempt is None:
            return None
        if invoice.check_attempt_at is not None and invoice.check_attempt_at > now:
            return None
        attempt = self.store.payments.get_attempt(org_id, invoice_id, invoice.open_attempt)
        assert attempt is not None, "an open attempt was written with the claim"
        try:
            outcome = self.ctx.gateway(attempt.gateway).lookup(
                org_id=org_id, idempotency_key=attempt.idempotency_key
            )
        except OutcomeUnknown:
            # The gateway is unreachable: ask again after another lease.
            after = invoice.charge_processing(now, now + CLAIM_LEASE)
            with contextlib.suppress(StaleWrite):  # someone else moved it on: theirs stands
                self.store.payments.reschedule(invoice, after)
            return attempt
        if outcome is None:
            # The lease has run out and the gateway never saw the key: the claimer died
            # before calling it. The attempt is closed; nothing was charged.
            outcome = ChargeOutcome(
                status="failed", code="not_sent", message="the charge never reached the gateway"
            )
            return self._settle(org_id, invoice_id, attempt, outcome, abandoned=True)
        if outcome.status == "requires_action" and attempt.gateway_charge_id:
            # The customer never finished the challenge within the window: cancel it at the
            # gateway (so it cannot go through later unrecorded) and settle what it says.
            try:
                outcome = self.ctx.gateway(attempt.gateway).cancel(
                    org_id=org_id,
                    charge_id=attempt.gateway_charge_id,
                    idempotency_key=attempt.idempotency_key,
                )
            except OutcomeUnknown:
                after = invoice.charge_processing(now, now + CLAIM_LEASE)
                with contextlib.suppress(StaleWrite):
                    self.store.payments.reschedule(invoice, after)
                return attempt
        return self._settle(org_id, invoice_id, attempt, outcome)

    def confirm_authentication(
        self, org_id: str, invoice_id: str, attempt_number: int
    ) -> PaymentAttempt | None:
        """After the hosted page's challenge: ask the gateway what became of the attempt's
        charge and settle it. Settling is conditional on the attempt still being open, so a
        double confirm (two tabs, a reload, the sweep) records the payment once; a confirm
        of an attempt settled already answers it as it stands. Still awaiting the customer:
        the attempt is returned unchanged (``requires_action``). None: no such attempt."""
        attempt = self.store.payments.get_attempt(org_id, invoice_id, attempt_number)
        if attempt is None or attempt.status != "requires_action" or not attempt.gateway_charge_id:
            return attempt
        try:
            outcome = self.ctx.gateway(attempt.gateway).retrieve(
                org_id=org_id, charge_id=attempt.gateway_charge_id, idempotency_key=attempt.idempotency_key
            )
        except OutcomeUnknown:
            return attempt  # ask again; the window's sweep settles it otherwise
        if outcome.status == "requires_action":
            return attempt
        return self._settle(org_id, invoice_id, attempt, outcome)

    def _settle(
        self,
        org_id: str,
        invoice_id: str,
        attempt: PaymentAttempt,
        outcome: ChargeOutcome,
        abandoned: bool = False,
    ) -> PaymentAttempt:
        def write(_: int) -> PaymentAttempt:
            invoice, org = self.store.invoices.get_with_organization(org_id, invoice_id)
            if invoice is None or org is None or invoice.open_attempt != attempt.number:
                # Settled by someone else (a reconciling worker) meanwhile.
                return self.store.payments.get_attempt(org_id, invoice_id, attempt.number) or attempt
            now = self.clock.now()
            return self._write_outcome(invoice, org, attempt, outcome, now, abandoned)

        return optimistic(write, what="the invoice")

    def _write_outcome(
        self,
        invoice: Invoice,
        org: Organization,
        attempt: PaymentAttempt,
        outcome: ChargeOutcome,
        now: datetime,
        abandoned: bool,
    ) -> PaymentAttempt:
        common = {
            "gateway_charge_id": outcome.charge_id,
            "gateway_code": outcome.code,
            "gateway_message": outcome.message,
        }
        if outcome.status == "processing":
            done = attempt.model_copy(update={**common, "status": "processing"})
            after = invoice.charge_processing(now, now + PROCESSING_POLL)
            self.store.payments.settle(invoice, after, done, None, [])
            return done
        if outcome.status == "requires_action":
            # Neither paid nor failed: open while the customer authenticates on the page.
            done = attempt.model_copy(update={**common, "status": "requires_action"})
            after = invoice.charge_processing(now, now + AUTHENTICATION_WINDOW)
            self.store.payments.settle(invoice, after, done, None, [])
            return done
        if outcome.status == "succeeded":
            done = attempt.model_copy(
                update={**common, "status": "succeeded", "retryable": False, "settled_at": now}
            )
            payment = Payment(
                id=new_id("pay", self.clock),
                invoice_id=invoice.id,
                amount=attempt.amount,
                currency=attempt.currency,
                payment_date=now.date(),
                method=attempt.method_type,
                reference=outcome.charge_id,
                notes=f"attempt {attempt.number} ({attempt.trigger})",
                created_at=now,
            )
            after = invoice.charge_succeeded(payment, now)
            kinds: list[tuple[EventType, dict[str, Any]]] = [
                ("payment.succeeded", {**payment_data(after, payment), "attempt": attempt_data(after, done)})
            ]
            if after.status == "paid":
                kinds.append(("invoice.paid", invoice_data(after, now)))
            self.store.payments.settle(
                invoice, after, done, payment, make_events(after, kinds, now, self.clock)
            )
            return done
        if abandoned:
            done = attempt.model_copy(
                update={**common, "status": "abandoned", "retryable": True, "settled_at": now}
            )
            self.store.payments.settle(invoice, invoice.charge_abandoned(now), done, None, [])
            return done
        return self._write_failure(invoice, org, attempt, outcome, now, common)

    def _write_failure(
        self,
        invoice: Invoice,
        org: Organization,
        attempt: PaymentAttempt,
        outcome: ChargeOutcome,
        now: datetime,
        common: dict[str, Any],
    ) -> PaymentAttempt:
        # AutoPay's own attempts use up the method's retries; a manual attempt (someone
        # trying another card) leaves the schedule as it was.
        counts = attempt.trigger in ("autopay", "retry") and invoice.auto_pay
        next_at = None
        if counts and outcome.retryable:
            policy = org.payment_settings.retry_policy(attempt.method_type)
            next_at = policy.next_attempt_at(invoice.auto_failures + 1, now)
        to_dunning = counts and next_at is None
        done = attempt.model_copy(
            update={
                **common,
                "status": "failed",
                "retryable": outcome.retryable,
                "next_attempt_at": next_at,
                "settled_at": now,
            }
        )
        after = invoice.charge_failed(now, counts=counts, next_charge_at=next_at, to_dunning=to_dunning)
        reason = {"code": outcome.code, "message": outcome.message, "retryable": outcome.retryable}
        stamp = next_at.isoformat().replace("+00:00", "Z") if next_at else None
        payloads: list[tuple[EventType, dict[str, Any]]] = [
            ("payment.failed", attempt_data(after, done)),
            (
                "invoice.payment_failed",
                {
                    **invoice_data(after, now),
                    "failureReason": outcome.message or outcome.code,
                    "reason": reason,
                    "attemptCount": done.number,
                    "nextPaymentAttempt": stamp,
                },
            ),
        ]
        if to_dunning:
            # Dunning (a later issue) takes over from here; this event says so.
            payloads.append(("invoice.handed_to_dunning", {**invoice_data(after, now), "reason": reason}))
        self.store.payments.settle(invoice, after, done, None, make_events(after, payloads, now, self.clock))
        return done
