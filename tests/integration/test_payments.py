"""Charging through the gateway on DynamoDB Local: never twice under any race, timeout or
crash; AutoPay's timing; retries by the policy; hard declines tried once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest

from remit.clock import FixedClock
from remit.errors import Conflict, InvalidTransition, PaymentDeclined, RemitError
from remit.schemas.organization import PaymentSettingsPatch, RetryPolicyIn
from remit.schemas.payment_method import PaymentMethodIn
from remit.schemas.subscription import AutoPayIn, SubscriptionPatch
from remit.services.context import Context
from remit.services.invoices import InvoiceService
from remit.services.organizations import OrganizationService
from remit.services.payment_methods import PaymentMethodService
from remit.services.payments import PaymentService
from remit.services.subscriptions import SubscriptionService
from tests.integration.test_billing_run import run_billing, subscribe
from tests.integration.test_concurrency import race
from tests.support.payments import (
    Crash,
    FaultyGateway,
    charges,
    customer,
    events,
    issued,
    run_autopay,
    sandbox,
    with_gateway,
)

NewOrg = Callable[[str], str]


def attempts(ctx: Context, org: str, invoice_id: str) -> list[tuple[int, str, str | None]]:
    out = PaymentService(ctx).invoice_out(org, invoice_id)
    return [(a.number, a.status, a.gateway_code) for a in out.payment_attempts or []]


def test_fifty_payers_autopay_and_retry_workers_at_once_charge_exactly_once(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Race")
    account = customer(ctx, org, auto=True, timing="on_due_date")
    invoice_id = issued(ctx, org, account, "250.00")
    clock.advance(timedelta(days=30))  # AutoPay is due now, and the invoice is payable by hand

    def act(i: int) -> object:
        service = PaymentService(ctx)
        if i % 3 == 0:
            return service.collect_due(org, invoice_id)  # an AutoPay worker
        if i % 3 == 1:
            return service.reconcile(org, invoice_id)  # a retry / reconcile worker
        return service.pay(org, invoice_id)  # POST /invoices/{id}/pay

    results = race(50, act)

    assert [c["amount"] for c in charges(ctx, org)] == [25000]
    out = PaymentService(ctx).invoice_out(org, invoice_id)
    assert (out.status, out.amount_paid, out.amount_due) == ("paid", "250.00", "0.00")
    assert [(p.amount, p.method) for p in out.payments or []] == [("250.00", "card")]
    assert attempts(ctx, org, invoice_id) == [(1, "succeeded", None)]
    assert len(events(ctx, org, "invoice.paid")) == 1
    assert len(events(ctx, org, "payment.succeeded")) == 1
    # Losing payers were told why (a charge in progress, or already paid), never a 5xx.
    refused = Counter(r.code for r in results if isinstance(r, RemitError))
    assert set(refused) <= {"payment_in_progress", "invalid_state"}, refused


def test_a_timeout_after_the_gateway_charged_is_settled_by_lookup(ctx: Context, new_org: NewOrg) -> None:
    org = new_org("Timeout")
    account = customer(ctx, org)
    invoice_id = issued(ctx, org, account)
    flaky = with_gateway(ctx, FaultyGateway(sandbox(ctx), after_charge="timeout"))

    out = PaymentService(flaky).pay(org, invoice_id)

    assert out.status == "paid"
    assert len(charges(ctx, org)) == 1
    assert attempts(ctx, org, invoice_id) == [(1, "succeeded", None)]


def test_an_unknown_outcome_waits_for_its_lease_then_the_sweep_reconciles_it(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Gateway down")
    account = customer(ctx, org)
    invoice_id = issued(ctx, org, account)
    down = with_gateway(ctx, FaultyGateway(sandbox(ctx), after_charge="timeout", lookup_down=True))

    out = PaymentService(down).pay(org, invoice_id)
    assert out.status == "issued"
    assert attempts(ctx, org, invoice_id) == [(1, "pending", None)]
    # Nobody else may charge (or record a payment) while the outcome is unknown.
    with pytest.raises(Conflict) as refused:
        PaymentService(ctx).pay(org, invoice_id)
    assert refused.value.code == "payment_in_progress"
    assert run_autopay(ctx, org) == []  # the lease has not run out

    clock.advance(timedelta(minutes=6))
    assert run_autopay(ctx, org) == [invoice_id]

    assert len(charges(ctx, org)) == 1
    assert PaymentService(ctx).invoice_out(org, invoice_id).status == "paid"
    assert attempts(ctx, org, invoice_id) == [(1, "succeeded", None)]


def test_a_crash_between_the_gateways_answer_and_our_write_is_recovered_by_the_next_run(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Crash")
    account = customer(ctx, org, auto=True, timing="on_due_date")
    invoice_id = issued(ctx, org, account)
    clock.advance(timedelta(days=30))
    crashing = with_gateway(ctx, FaultyGateway(sandbox(ctx), after_charge="crash"))

    with pytest.raises(Crash):
        PaymentService(crashing).collect_due(org, invoice_id)
    assert len(charges(ctx, org)) == 1
    assert attempts(ctx, org, invoice_id) == [(1, "pending", None)]

    # The next runs: within the lease nothing happens; after it, lookup settles it.
    assert run_autopay(ctx, org) == []
    clock.advance(timedelta(minutes=6))
    run_autopay(ctx, org)
    run_autopay(ctx, org)

    assert len(charges(ctx, org)) == 1
    out = PaymentService(ctx).invoice_out(org, invoice_id)
    assert (out.status, out.amount_paid) == ("paid", "100.00")
    assert attempts(ctx, org, invoice_id) == [(1, "succeeded", None)]
    assert len(events(ctx, org, "invoice.paid")) == 1


def test_a_claim_whose_charge_never_left_is_abandoned_and_autopay_charges_again(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Never sent")
    account = customer(ctx, org, auto=True, timing="on_due_date")
    invoice_id = issued(ctx, org, account)
    clock.advance(timedelta(days=30))

    class DiesBeforeCalling(FaultyGateway):
        def charge(self, **kw: object) -> object:  # type: ignore[override]
            raise Crash("killed before the request went out")

    with pytest.raises(Crash):
        PaymentService(with_gateway(ctx, DiesBeforeCalling(sandbox(ctx), "crash"))).collect_due(
            org, invoice_id
        )
    clock.advance(timedelta(minutes=6))
    run_autopay(ctx, org)

    assert attempts(ctx, org, invoice_id) == [(1, "abandoned", "not_sent"), (2, "succeeded", None)]
    assert len(charges(ctx, org)) == 1


def test_retries_follow_the_policy_and_stop_at_the_limit(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Retries")
    OrganizationService(ctx).update_payment_settings(
        org, PaymentSettingsPatch(retry_policies={"card": RetryPolicyIn(retries=2, hours_between=6)})
    )
    account = customer(ctx, org, "pm_card_chargeDeclinedProcessingError", auto=True, timing="on_issue")
    invoice_id = issued(ctx, org, account)
    first = clock.now()
    assert attempts(ctx, org, invoice_id) == [(1, "failed", "processing_error")]
    out = PaymentService(ctx).invoice_out(org, invoice_id)
    assert out.next_payment_attempt == (first + timedelta(hours=6)).isoformat().replace("+00:00", "Z")

    clock.advance(timedelta(hours=5))
    assert run_autopay(ctx, org) == []  # not yet
    clock.advance(timedelta(hours=1))
    assert run_autopay(ctx, org) == [invoice_id]
    clock.advance(timedelta(hours=6))
    assert run_autopay(ctx, org) == [invoice_id]
    for _ in range(3):
        clock.advance(timedelta(hours=6))
        assert run_autopay(ctx, org) == []

    assert attempts(ctx, org, invoice_id) == [(n, "failed", "processing_error") for n in (1, 2, 3)]
    assert len(charges(ctx, org)) == 3
    out = PaymentService(ctx).invoice_out(org, invoice_id)
    assert (out.status, out.next_payment_attempt) == ("issued", None)
    assert out.handed_to_dunning_at is not None
    [dunning] = events(ctx, org, "invoice.handed_to_dunning")
    assert dunning["data"]["reason"]["code"] == "processing_error"
    assert len(events(ctx, org, "invoice.payment_failed")) == 3


def test_a_hard_decline_is_tried_once(ctx: Context, clock: FixedClock, new_org: NewOrg) -> None:
    org = new_org("Hard decline")
    account = customer(ctx, org, "pm_card_chargeDeclinedInsufficientFunds", auto=True, timing="on_issue")
    invoice_id = issued(ctx, org, account)
    for _ in range(10):
        clock.advance(timedelta(days=1))
        assert run_autopay(ctx, org) == []

    assert attempts(ctx, org, invoice_id) == [(1, "failed", "insufficient_funds")]
    assert len(charges(ctx, org)) == 1
    [failed] = events(ctx, org, "invoice.payment_failed")
    assert failed["data"]["reason"] == {
        "code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
        "retryable": False,
    }
    assert len(events(ctx, org, "invoice.handed_to_dunning")) == 1


def test_days_before_due_charges_that_many_days_before_the_due_date(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Days before")
    account = customer(ctx, org, auto=True, timing="days_before_due", days_before=3)
    invoice_id = issued(ctx, org, account)  # net_30
    clock.advance(timedelta(days=26))
    assert run_autopay(ctx, org) == []
    clock.advance(timedelta(days=1))
    assert run_autopay(ctx, org) == [invoice_id]
    assert PaymentService(ctx).invoice_out(org, invoice_id).status == "paid"
    assert len(charges(ctx, org)) == 1


@pytest.mark.parametrize(
    ("token", "method_type", "days", "status", "code"),
    [
        ("pm_usBankAccount_success", "ach", 4, "paid", None),
        ("pm_usBankAccount_accountClosed", "ach", 4, "issued", "account_closed"),
        ("pm_sepaDebit_success", "sepa", 5, "paid", None),
        ("pm_sepaDebit_insufficientFunds", "sepa", 5, "issued", "insufficient_funds"),
    ],
)
def test_bank_debits_settle_days_later_on_the_clock(
    ctx: Context,
    clock: FixedClock,
    new_org: NewOrg,
    token: str,
    method_type: str,
    days: int,
    status: str,
    code: str | None,
) -> None:
    org = new_org("Bank")
    account = customer(ctx, org, token, method_type=method_type, auto=True, timing="on_issue")
    invoice_id = issued(ctx, org, account)
    assert attempts(ctx, org, invoice_id) == [(1, "processing", None)]
    for _ in range(days - 1):
        clock.advance(timedelta(days=1))
        run_autopay(ctx, org)
        assert PaymentService(ctx).invoice_out(org, invoice_id).status == "issued"
    clock.advance(timedelta(days=1))
    run_autopay(ctx, org)

    out = PaymentService(ctx).invoice_out(org, invoice_id)
    assert out.status == status
    assert next((a.status, a.gateway_code) for a in out.payment_attempts or []) == (
        "succeeded" if code is None else "failed",
        code,
    )
    assert len(charges(ctx, org)) == 1


def test_void_invoices_are_never_payable_and_past_due_ones_are(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Payable")
    account = customer(ctx, org)
    voided = issued(ctx, org, account)
    InvoiceService(ctx).void(org, voided)
    with pytest.raises(InvalidTransition):
        PaymentService(ctx).pay(org, voided)

    late = issued(ctx, org, account)
    clock.advance(timedelta(days=45))
    assert InvoiceService(ctx).get(org, late).status == "past_due"
    assert PaymentService(ctx).pay(org, late).status == "paid"
    assert [c["amount"] for c in charges(ctx, org)] == [10000]


def test_a_declined_manual_payment_is_a_402_recorded_on_the_invoice(ctx: Context, new_org: NewOrg) -> None:
    org = new_org("Declined")
    account = customer(ctx, org, "pm_card_chargeDeclined")
    invoice_id = issued(ctx, org, account)
    with pytest.raises(PaymentDeclined):
        PaymentService(ctx).pay(org, invoice_id)
    assert attempts(ctx, org, invoice_id) == [(1, "failed", "generic_decline")]
    # Not an AutoPay invoice: nothing is scheduled, nothing handed to dunning.
    assert run_autopay(ctx, org) == []
    assert events(ctx, org, "invoice.handed_to_dunning") == []


def test_an_expiring_card_is_warned_about_exactly_once(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Expiring")
    customer(ctx, org, "pm_card_expiringSoon")
    customer(ctx, org, "pm_card_visa")  # expires in years: not swept
    for _ in range(3):
        run_autopay(ctx, org)
        clock.advance(timedelta(days=1))
    [warning] = events(ctx, org, "payment_method.expiring")
    assert warning["data"]["card"]["last4"] == "4242"


def test_subscriptions_that_charge_automatically_are_collected_with_their_override(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Subscriptions")
    charged_account, charged = subscribe(ctx, org, "month", "Charged")
    emailed_account, emailed = subscribe(ctx, org, "month", "Emailed")
    for account in (charged_account, emailed_account):
        PaymentMethodService(ctx).add(
            org, account, PaymentMethodIn(type="card", gateway_token="pm_card_visa")
        )
    # The account has AutoPay off; the subscription's override charges on issue anyway.
    SubscriptionService(ctx).update(org, charged, SubscriptionPatch(auto_pay=AutoPayIn(timing="on_issue")))
    SubscriptionService(ctx).update(org, emailed, SubscriptionPatch(collection_method="send_invoice"))
    clock.advance(timedelta(days=31))
    run_billing(ctx)
    clock.advance(timedelta(hours=2))  # past the draft window: the drafts finalize
    run_billing(ctx)

    invoices = InvoiceService(ctx).list(org, account_id=None, statuses=[], limit=100, cursor=None).data
    by_sub = Counter((i.subscription_id, i.status) for i in invoices)
    # Two periods each (the first, and the one a month later), both finalized by now.
    assert by_sub == {(charged, "paid"): 2, (emailed, "issued"): 2}
    assert [c["amount"] for c in charges(ctx, org)] == [2000, 2000]


def test_autopay_without_a_usable_method_hands_the_invoice_to_dunning_once(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("No method")
    account = customer(ctx, org, None, auto=True, timing="on_due_date")
    invoice_id = issued(ctx, org, account)
    clock.advance(timedelta(days=30))
    assert run_autopay(ctx, org) == [invoice_id]
    assert run_autopay(ctx, org) == []
    out = PaymentService(ctx).invoice_out(org, invoice_id)
    assert (out.status, out.payment_attempts, out.next_payment_attempt) == ("issued", [], None)
    [dunning] = events(ctx, org, "invoice.handed_to_dunning")
    assert dunning["data"]["reason"]["code"] == "no_payment_method"
    assert charges(ctx, org) == []


def test_the_sandbox_refunds_once_per_key(ctx: Context, new_org: NewOrg) -> None:
    org = new_org("Refunds")
    gateway = sandbox(ctx)
    first = gateway.refund(org_id=org, charge_id="ch_1", amount=500, currency="USD", idempotency_key="r-1")
    again = gateway.refund(org_id=org, charge_id="ch_1", amount=999, currency="USD", idempotency_key="r-1")
    assert first == again
    assert first.status == "succeeded"
    [entry] = ctx.store.sandbox.entries(org, "refund")
    assert entry["amount"] == 500


def test_a_3ds_payment_confirmed_by_twenty_posts_and_sweeps_at_once_is_recorded_once(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    from remit.adapters.gateway.port import OnSession

    org = new_org("Challenge")
    account = customer(ctx, org, "pm_card_authenticationRequired")
    invoice_id = issued(ctx, org, account, "80.00")
    waiting = PaymentService(ctx).pay(org, invoice_id, on_session=OnSession("https://pay.example/x"))
    assert (waiting.status, attempts(ctx, org, invoice_id)) == ("issued", [(1, "requires_action", None)])
    assert [c["status"] for c in charges(ctx, org)] == ["requires_action"]

    # The customer completes the challenge; every open tab, reload and the sweep confirm.
    sandbox(ctx).authenticate(org_id=org, idempotency_key=f"{invoice_id}-attempt-1", succeed=True)
    clock.advance(timedelta(minutes=16))  # the window has passed too: the sweep reconciles

    def act(i: int) -> object:
        service = PaymentService(ctx)
        if i % 4 == 0:
            return service.collect_due(org, invoice_id)
        return service.confirm_authentication(org, invoice_id, 1)

    race(20, act)
    out = PaymentService(ctx).invoice_out(org, invoice_id)
    assert (out.status, out.amount_paid) == ("paid", "80.00")
    assert [(p.amount, p.method) for p in out.payments or []] == [("80.00", "card")]
    assert attempts(ctx, org, invoice_id) == [(1, "succeeded", None)]
    assert len(events(ctx, org, "invoice.paid")) == len(events(ctx, org, "payment.succeeded")) == 1
    assert len(charges(ctx, org)) == 1


def test_a_3ds_card_off_session_fails_authentication_required_and_goes_to_dunning(
    ctx: Context, clock: FixedClock, new_org: NewOrg
) -> None:
    org = new_org("Off session")
    account = customer(ctx, org, "pm_card_authenticationRequired", auto=True, timing="on_due_date")
    invoice_id = issued(ctx, org, account)
    clock.advance(timedelta(days=30))
    run_autopay(ctx)
    assert attempts(ctx, org, invoice_id) == [(1, "failed", "authentication_required")]
    [failed] = events(ctx, org, "invoice.payment_failed")
    assert failed["data"]["reason"]["retryable"] is False
    assert len(events(ctx, org, "invoice.handed_to_dunning")) == 1
