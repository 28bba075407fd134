"""Checkout sessions: created by the API, completed by the hosted checkout page."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from remit import money
from remit.adapters.gateway.port import Mandate, MethodRefused, OnSession
from remit.domain import checkout
from remit.domain.checkout import CheckoutSession
from remit.domain.invoice import Invoice
from remit.domain.lifecycle import Action
from remit.domain.payment_method import MethodType
from remit.errors import Conflict, NotFound, PaymentDeclined, ValidationFailed
from remit.ids import new_id
from remit.schemas.account import AccountCreate
from remit.schemas.checkout import CheckoutSessionIn, CheckoutSessionOut
from remit.schemas.invoice import InvoiceCreate, InvoiceOut
from remit.schemas.payment_method import PaymentMethodOut
from remit.services.accounts import AccountService
from remit.services.context import Context
from remit.services.events import make_events
from remit.services.invoices import InvoiceService, implied_currency
from remit.services.links import base_url
from remit.services.payment_methods import PaymentMethodService
from remit.services.payments import PaymentService
from remit.store.errors import AlreadyExists, StaleWrite
from remit.store.table import ConditionFailed


def checkout_url(token: str) -> str:
    """The hosted page's address (``PUBLIC_BASE_URL``: where the pages are served)."""
    return f"{base_url()}/checkout/{token}"


def session_out(session: CheckoutSession, url: str) -> CheckoutSessionOut:
    data = session.model_dump(
        mode="json", include={"id", "mode", "account_id", "invoice_id", "status", "expires_at"}
    )
    return CheckoutSessionOut(url=url, **data)


@dataclass(frozen=True)
class Completed:
    session: CheckoutSession
    payment_method: PaymentMethodOut | None
    invoice: InvoiceOut | None
    # The payment waits for the customer's 3-D Secure challenge: the session is still open
    # and completes when ``finish_authentication`` finds the payment made.
    requires_action: bool = False


class CheckoutService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock

    def create(self, org_id: str, body: CheckoutSessionIn) -> CheckoutSessionOut:
        if body.line_items is not None:
            return self._create_without_account(org_id, body)
        account = self.store.accounts.get(org_id, body.account_id or "")
        if account is None:
            raise NotFound(f"no account {body.account_id}", field="accountId")
        now = self.clock.now()
        if body.invoice_id is not None:
            invoice = self.store.invoices.get(org_id, body.invoice_id)
            if invoice is None or invoice.account_id != account.id:
                raise NotFound(f"the account has no invoice {body.invoice_id}", field="invoiceId")
            invoice.require(Action.RECORD_PAYMENT, now.date())
        return self._save_new(org_id, body, account_id=account.id, mode=body.mode, invoice_id=body.invoice_id)

    def _save_new(self, org_id: str, body: CheckoutSessionIn, **fields: Any) -> CheckoutSessionOut:
        """A new session with its own secret, stored by its hash."""
        now = self.clock.now()
        secret = checkout.new_secret()
        session = CheckoutSession(
            id=new_id("cs", self.clock),
            organization_id=org_id,
            success_url=body.success_url,
            cancel_url=body.cancel_url,
            token_hash=checkout.digest(secret),
            expires_at=now + checkout.LIFETIME,
            created_at=now,
            **fields,
        )
        self.store.checkout.create(session)
        # The token is returned here, once; only its hash is stored.
        token = checkout.make_token(session.organization_id, session.id, secret)
        return session_out(session, checkout_url(token))

    def _create_without_account(self, org_id: str, body: CheckoutSessionIn) -> CheckoutSessionOut:
        """A payment-mode session carrying the invoice's lines and no account: nothing is
        created until the customer fills in the page (an abandoned session creates
        nothing). A price the lines name must exist now, not only when the page posts."""
        org = self.store.organizations.get(org_id)
        if org is None:
            raise NotFound("no such organization", field="organizationId")
        currency = money.check_currency(body.currency or org.settings.default_currency, "currency")
        # The lines are checked now as the invoice will take them (prices exist and are in
        # the currency, amounts fit it), so the page never fails on what the API took.
        with implied_currency(body.currency is None, currency):
            InvoiceService(self.ctx)._lines(org_id, body.line_items or [], currency)
        lines = [
            line.model_dump(mode="json", by_alias=True, exclude_unset=True) for line in body.line_items or []
        ]
        return self._save_new(org_id, body, mode="payment", line_items=lines, currency=currency)

    def preview(self, session: CheckoutSession) -> Invoice:
        """What a checkout without an account will bill, priced as the invoice will be, for
        the page to show before anything exists (saved nowhere)."""
        org_id = session.organization_id
        currency = session.currency or "USD"
        body = InvoiceCreate.model_validate({"accountId": "preview", "lineItems": session.line_items})
        with implied_currency(True, currency):
            lines = InvoiceService(self.ctx)._lines(org_id, body.line_items, currency)
        now = self.clock.now()
        blank = Invoice(
            id="preview",
            organization_id=org_id,
            account_id="preview",
            currency=currency,
            payment_terms="due_on_receipt",
            created_at=now,
            updated_at=now,
            version=0,
        )
        return blank.with_lines(lines, None, now)

    def provisioned(self, session: CheckoutSession) -> bool:
        """Whether a checkout without an account has its account and issued invoice (a
        post that failed part-way leaves the rest to the next)."""
        if not session.guest:
            return True
        if session.account_id is None or session.invoice_id is None:
            return False
        invoice = self.store.invoices.get(session.organization_id, session.invoice_id)
        return invoice is not None and invoice.status != "draft"

    def provision(self, token: str, customer: AccountCreate | None) -> CheckoutSession:
        """A checkout without an account, once the customer has said who they are: the
        account, its invoice of the session's lines, issued. Once per session, however
        often the form is posted: the session first records the ids (a conditional write;
        the post that loses reuses the winner's), then each step creates only what is not
        there yet, so a post after a failure part-way finishes the job."""
        session = self.open(token)
        if not session.guest:
            raise Conflict("this checkout has its account already", code="invalid_state")
        if session.account_id is None:
            if customer is None:
                raise Conflict(
                    "this checkout needs the customer's name and email first", code="invalid_state"
                )
            claimed = session.model_copy(
                update={
                    "account_id": new_id("acc", self.clock),
                    "invoice_id": new_id("inv", self.clock),
                    "customer_name": customer.name,
                    "customer_email": customer.email,
                    "version": session.version + 1,
                }
            )
            try:
                self.store.checkout.claim(session, claimed)
                session = claimed
            except StaleWrite:
                session = self.open(token)
        self._create_customer(session)
        return session

    def _create_customer(self, session: CheckoutSession) -> None:
        org_id, account_id, invoice_id = session.organization_id, session.account_id, session.invoice_id
        assert account_id is not None
        assert invoice_id is not None
        if self.store.accounts.get(org_id, account_id) is None:
            body = AccountCreate(name=session.customer_name or "", email=session.customer_email)
            with contextlib.suppress(ConditionFailed):  # a concurrent post created it
                AccountService(self.ctx).create(org_id, body, account_id=account_id)
        invoices = InvoiceService(self.ctx)
        invoice = self.store.invoices.get(org_id, invoice_id)
        if invoice is None:
            draft = InvoiceCreate.model_validate(
                {"accountId": account_id, "currency": session.currency, "lineItems": session.line_items}
            )
            with contextlib.suppress(AlreadyExists):
                invoices.create_draft(org_id, draft, invoice_id=invoice_id)
            invoice = self.store.invoices.get(org_id, invoice_id)
        if invoice is not None and invoice.status == "draft":
            try:
                invoices.finalize(org_id, invoice_id)
            except Conflict:
                # Finalized by a concurrent post in the meantime; anything else is real.
                again = self.store.invoices.get(org_id, invoice_id)
                if again is None or again.status == "draft":
                    raise

    def open(self, token: str) -> CheckoutSession:
        """The session a token opens; NotFound for a wrong, expired or used token alike."""
        parsed = checkout.parse_token(token)
        session = self.store.checkout.get(parsed[0], parsed[1]) if parsed else None
        if parsed is None or session is None or not session.opens_with(parsed[2], self.clock.now()):
            raise NotFound("this checkout link is invalid or has expired", field="token")
        return session

    def complete_checkout(
        self,
        token: str,
        gateway_token: str,
        make_default: bool,
        method_type: MethodType = "card",
        mandate: Mandate | None = None,
        on_session: OnSession | None = None,
    ) -> Completed:
        """What the checkout page does with the customer's method: save it (as the default
        if asked; a bank debit with the customer's ``mandate``), and in payment mode pay the
        invoice with it (``on_session``: the customer is on the page and may be asked to
        authenticate). A declined payment leaves the session open so the customer can try
        another method; so does a payment awaiting authentication, until it is made."""
        session = self.open(token)
        if not self.provisioned(session):
            raise Conflict("this checkout needs the customer's name and email first", code="invalid_state")
        org_id = session.organization_id
        account, org = self.store.accounts.get_with_organization(org_id, session.account_id or "")
        if account is None or org is None:
            raise NotFound("the account is gone", field="accountId")
        if not org.payment_settings.accepts(method_type):
            raise ValidationFailed(f"the organization does not accept {method_type}", field="type")
        methods = PaymentMethodService(self.ctx)
        try:
            method = methods.save_at_gateway(org, account, method_type, gateway_token, mandate)
        except MethodRefused as exc:
            raise ValidationFailed(exc.message, field="gatewayToken", code="payment_method_refused") from exc
        now = self.clock.now()
        method_out = methods.attach(account, method, make_default, now)
        invoice = None
        if session.mode == "payment" and session.invoice_id:
            invoice = PaymentService(self.ctx).pay(
                org_id, session.invoice_id, method.id, trigger="checkout", on_session=on_session
            )
            if any(a.status == "requires_action" for a in invoice.payment_attempts or []):
                return Completed(session, method_out, invoice, requires_action=True)
        return self._complete(session, method.id, method_out, invoice, now)

    def finish_authentication(self, token: str) -> Completed:
        """After the challenge of a payment-mode session: settle the payment from what the
        gateway says and, when it was made, complete the session (once). A failed challenge
        raises PaymentDeclined and leaves the session open for another try."""
        session = self.open(token)
        org_id = session.organization_id
        invoice = self.store.invoices.get(org_id, session.invoice_id or "")
        if invoice is None:
            raise NotFound("the invoice is gone", field="invoiceId")
        payments = PaymentService(self.ctx)
        attempt = None
        if invoice.open_attempt is not None:
            attempt = payments.confirm_authentication(org_id, invoice.id, invoice.open_attempt)
        elif invoice.attempts:
            attempt = self.store.payments.get_attempt(org_id, invoice.id, invoice.attempts)
        out = payments.invoice_out(org_id, invoice.id)
        if attempt is None or attempt.trigger != "checkout":
            raise Conflict("this checkout has no payment awaiting authentication", code="invalid_state")
        if attempt.status == "requires_action":
            return Completed(session, None, out, requires_action=True)
        if attempt.status == "failed":
            raise PaymentDeclined(
                f"the charge failed: {attempt.gateway_message or attempt.gateway_code}",
                field="paymentMethodId",
            )
        return self._complete(session, attempt.payment_method_id, None, out, self.clock.now())

    def _complete(
        self,
        session: CheckoutSession,
        method_id: str,
        method_out: PaymentMethodOut | None,
        invoice: InvoiceOut | None,
        now: datetime,
    ) -> Completed:
        done = session.model_copy(
            update={
                "status": "complete",
                "payment_method_id": method_id,
                "completed_at": now,
                "version": session.version + 1,
            }
        )
        data = {
            **session_out(done, "").model_dump(mode="json", by_alias=True, exclude={"url"}),
            "paymentMethodId": method_id,
        }
        events = make_events(done, [("checkout_session.completed", data)], now, self.clock)
        try:
            self.store.checkout.complete(session, done, events)
        except StaleWrite as exc:
            raise Conflict("this checkout session was completed already", code="checkout_completed") from exc
        return Completed(done, method_out, invoice)
