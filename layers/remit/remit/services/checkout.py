"""Checkout sessions: created by the API, completed by the hosted checkout page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from remit.adapters.gateway.port import Mandate, MethodRefused, OnSession
from remit.domain import checkout
from remit.domain.checkout import CheckoutSession
from remit.domain.lifecycle import Action
from remit.domain.payment_method import MethodType
from remit.errors import Conflict, NotFound, PaymentDeclined, ValidationFailed
from remit.ids import new_id
from remit.schemas.checkout import CheckoutSessionIn, CheckoutSessionOut
from remit.schemas.invoice import InvoiceOut
from remit.schemas.payment_method import PaymentMethodOut
from remit.services.context import Context
from remit.services.events import make_events
from remit.services.links import base_url
from remit.services.payment_methods import PaymentMethodService
from remit.services.payments import PaymentService
from remit.store.errors import StaleWrite


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
        account = self.store.accounts.get(org_id, body.account_id)
        if account is None:
            raise NotFound(f"no account {body.account_id}", field="accountId")
        now = self.clock.now()
        if body.invoice_id is not None:
            invoice = self.store.invoices.get(org_id, body.invoice_id)
            if invoice is None or invoice.account_id != account.id:
                raise NotFound(f"the account has no invoice {body.invoice_id}", field="invoiceId")
            invoice.require(Action.RECORD_PAYMENT, now.date())
        secret = checkout.new_secret()
        session = CheckoutSession(
            id=new_id("cs", self.clock),
            organization_id=org_id,
            account_id=account.id,
            mode=body.mode,
            invoice_id=body.invoice_id,
            success_url=body.success_url,
            cancel_url=body.cancel_url,
            token_hash=checkout.digest(secret),
            expires_at=now + checkout.LIFETIME,
            created_at=now,
        )
        self.store.checkout.create(session)
        # The token is returned here, once; only its hash is stored.
        return session_out(session, checkout_url(checkout.make_token(org_id, session.id, secret)))

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
        org_id = session.organization_id
        account, org = self.store.accounts.get_with_organization(org_id, session.account_id)
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
