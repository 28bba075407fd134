"""Builders and fault-injecting gateways for the payment tests."""

from __future__ import annotations

from typing import Any

from remit.adapters.gateway.port import ChargeOutcome, Gateway, OutcomeUnknown
from remit.adapters.gateway.sandbox import SandboxGateway
from remit.domain.organization import AutoPayTiming
from remit.schemas.account import AccountCreate
from remit.schemas.invoice import InvoiceCreate, LineItemIn
from remit.schemas.payment_method import PaymentMethodIn
from remit.services.accounts import AccountService
from remit.services.context import Context
from remit.services.invoices import InvoiceService
from remit.services.payment_methods import PaymentMethodService
from remit.services.payments import PaymentService
from remit.services.sweeps import due_jobs
from remit.store import keys
from remit.store.invoices import AUTOPAY
from remit.store.payment_methods import EXPIRING
from tests.support.builders import issue_with_services


def customer(
    ctx: Context,
    org: str,
    token: str | None = "pm_card_visa",  # noqa: S107 - a test payment method, not a secret
    *,
    auto: bool = False,
    timing: AutoPayTiming | None = None,
    days_before: int | None = None,
    method_type: str = "card",
) -> str:
    account = (
        AccountService(ctx)
        .create(
            org,
            AccountCreate(
                name="Customer",
                auto_pay_enabled=auto,
                auto_pay_timing=timing,
                auto_pay_days_before=days_before,
            ),
        )
        .id
    )
    if token:
        PaymentMethodService(ctx).add(
            org,
            account,
            PaymentMethodIn(type=method_type, gateway_token=token),  # type: ignore[arg-type]
        )
    return account


def draft(ctx: Context, org: str, account: str, unit: str = "100.00") -> str:
    body = InvoiceCreate(account_id=account, line_items=[LineItemIn(description="Work", unit_amount=unit)])
    return InvoiceService(ctx).create_draft(org, body).id


def issued(ctx: Context, org: str, account: str, unit: str = "100.00") -> str:
    return issue_with_services(ctx, org, account, unit).id


def charges(ctx: Context, org: str) -> list[dict[str, Any]]:
    """Every charge the sandbox gateway holds for the organization."""
    return ctx.store.sandbox.entries(org, "charge")


def events(ctx: Context, org: str, kind: str) -> list[dict[str, Any]]:
    page = ctx.store.table.query(
        IndexName="GSI1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": keys.events_of_type(org, kind)},
    )
    return page.items


def run_autopay(ctx: Context, org: str | None = None) -> list[str]:
    """One sweep and the AutoPay worker's jobs, as the scheduler runs them; returns the
    invoice ids it worked (of ``org``, if given)."""
    worked = []
    for kind in (AUTOPAY, EXPIRING):
        for job in list(due_jobs(ctx, kind)):
            body = job.body
            if org is not None and body["organizationId"] != org:
                continue
            worked.append(body["id"])
            if kind == AUTOPAY:
                PaymentService(ctx).collect_due(body["organizationId"], body["id"])
            else:
                PaymentMethodService(ctx).warn_expiring(body["organizationId"], body["accountId"], body["id"])
    return worked


class Crash(Exception):
    """The process died (here: after the gateway answered, before Remit wrote anything)."""


class FaultyGateway:
    """The sandbox, with a fault after (``after_charge``) the real charge: ``timeout`` loses
    the answer (OutcomeUnknown), ``crash`` kills the caller; ``lookup_down`` makes lookups
    fail as well."""

    def __init__(self, inner: SandboxGateway, after_charge: str, lookup_down: bool = False) -> None:
        self.inner = inner
        self.name = inner.name
        self.after_charge = after_charge
        self.lookup_down = lookup_down

    def save_method(self, **kw: Any) -> Any:
        return self.inner.save_method(**kw)

    def charge(self, **kw: Any) -> ChargeOutcome:
        self.inner.charge(**kw)
        if self.after_charge == "timeout":
            raise OutcomeUnknown("read timed out")
        raise Crash("the function was killed")

    def lookup(self, **kw: Any) -> ChargeOutcome | None:
        if self.lookup_down:
            raise OutcomeUnknown("connection refused")
        return self.inner.lookup(**kw)

    def refund(self, **kw: Any) -> Any:
        return self.inner.refund(**kw)


def with_gateway(ctx: Context, gateway: Gateway) -> Context:
    return Context(store=ctx.store, clock=ctx.clock, gateways=lambda _: gateway)


def sandbox(ctx: Context) -> SandboxGateway:
    return SandboxGateway(ctx.store.sandbox, ctx.clock)
