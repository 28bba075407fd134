"""What the pages do, without HTTP: open a link, read what a page shows, pay, save and
manage payment methods. Charging is PaymentService's (one open attempt per invoice, never
twice); saving a method is the gateway's and PaymentMethodService's. docs/pages.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from remit.adapters.gateway.port import MethodRefused
from remit.adapters.gateway.sandbox import TEST_CARD_NUMBERS
from remit.documents.view import DocumentView, build_view
from remit.domain.account import Account
from remit.domain.invoice import Invoice, Payment
from remit.domain.lifecycle import ReportedStatus
from remit.domain.organization import Organization
from remit.domain.page_link import PageLink
from remit.domain.payment_attempt import PaymentAttempt
from remit.domain.payment_method import PaymentMethod
from remit.errors import Conflict, NotFound, PaymentDeclined, RemitError, ValidationFailed
from remit.ids import new_id
from remit.observability import logger
from remit.schemas.account import AccountPatch
from remit.services.accounts import AccountService
from remit.services.context import Context
from remit.services.events import invoice_data, make_events
from remit.services.payment_methods import PaymentMethodService
from remit.services.payments import PaymentService

PayOutcome = Literal[
    "paid", "processing", "declined", "in_progress", "not_payable", "card_unknown", "card_invalid"
]
_DIGITS = re.compile(r"\D")
_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")
PORTAL_LIST_LIMIT = 100


@dataclass(frozen=True)
class CardForm:
    """A new card as the page's form has it. Only the sandbox takes a number (its test
    numbers name its test methods); a number is never stored."""

    number: str
    expiry: str
    cvc: str
    # What Stripe Elements answered (``pm_...``): the card itself never reached us.
    token: str = ""

    def gateway_token(self) -> str | None:
        if self.token:
            return self.token
        return TEST_CARD_NUMBERS.get(_DIGITS.sub("", self.number))

    def complete(self) -> bool:
        if self.token:
            return self.token.startswith("pm_") and len(self.token) <= 255
        digits = _DIGITS.sub("", self.number)
        return 12 <= len(digits) <= 19 and bool(_EXPIRY.match(self.expiry)) and self.cvc.strip().isdigit()


@dataclass
class InvoiceBundle:
    org: Organization
    account: Account
    invoice: Invoice
    payments: list[Payment]
    attempts: list[PaymentAttempt]
    methods: list[PaymentMethod] = field(default_factory=list)

    def status(self, today: datetime) -> ReportedStatus:
        return self.invoice.reported_status(today.date())

    def view(self) -> DocumentView:
        return build_view("invoice", self.invoice, self.org, self.account, self.payments)

    def payable(self, now: datetime) -> bool:
        return (
            self.status(now) in ("issued", "past_due")
            and self.invoice.amount_due > 0
            and self.invoice.open_attempt is None
            and self.org.payment_settings.accepts("card")
        )

    def last_failure(self) -> PaymentAttempt | None:
        failed = [a for a in self.attempts if a.status == "failed"]
        return max(failed, key=lambda a: a.number) if failed else None


@dataclass(frozen=True)
class PayResult:
    outcome: PayOutcome
    code: str | None = None


class PagesService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock

    # -- reading ---------------------------------------------------------------------

    def bundle(self, org_id: str, account_id: str, invoice_id: str) -> InvoiceBundle:
        """An invoice of this account (and only this account: a link opens its own)."""
        found = self.store.invoices.get_detail(org_id, invoice_id)
        if found is None or found[0].account_id != account_id or found[0].status == "draft":
            raise NotFound("no such invoice", field="invoiceId")
        invoice, payments, attempts = found
        account, org = self.store.accounts.get_with_organization(org_id, account_id)
        if account is None or org is None:
            raise NotFound("no such account", field="accountId")
        methods = self.methods(org_id, account_id)
        return InvoiceBundle(org, account, invoice, payments, attempts, methods)

    def methods(self, org_id: str, account_id: str) -> list[PaymentMethod]:
        return sorted(self.store.payment_methods.for_account(org_id, account_id), key=lambda m: m.id)

    def account(self, org_id: str, account_id: str) -> tuple[Organization, Account]:
        account, org = self.store.accounts.get_with_organization(org_id, account_id)
        if account is None or org is None:
            raise NotFound("no such account", field="accountId")
        return org, account

    def invoices(self, org_id: str, account_id: str, statuses: list[ReportedStatus]) -> list[Invoice]:
        found, _ = self.store.invoices.list(
            org_id,
            account_id=account_id,
            statuses=statuses or ["issued", "past_due", "paid", "void", "uncollectible"],
            today=self.clock.now().date(),
            limit=PORTAL_LIST_LIMIT,
            cursor=None,
        )
        return found

    def payments(self, org_id: str, invoices: list[Invoice]) -> list[tuple[Invoice, Payment]]:
        """Payment history: the payments of the invoices that have any, newest first."""
        rows = []
        for invoice in invoices:
            if invoice.amount_paid <= 0:
                continue
            found = self.store.invoices.get_detail(org_id, invoice.id)
            if found is not None:
                rows += [(invoice, p) for p in found[1]]
        return sorted(rows, key=lambda r: (r[1].payment_date, r[1].created_at), reverse=True)

    def viewed(self, link: PageLink, invoice: Invoice, user_agent: str | None) -> bool:
        """Every view is logged; the first writes ``invoice.viewed`` (once, however many
        open the page at the same moment). True when this was the first."""
        now = self.clock.now()
        events = make_events(invoice, [("invoice.viewed", invoice_data(invoice, now))], now, self.clock)
        first = self.store.page_links.mark_viewed(invoice.organization_id, invoice.id, link.id, now, events)
        logger.info(
            "invoice page viewed",
            extra={
                "organization_id": invoice.organization_id,
                "invoice_id": invoice.id,
                "link_id": link.id,
                "first_view": first,
                "user_agent": (user_agent or "")[:200],
            },
        )
        return first

    # -- paying and saving ------------------------------------------------------------

    def save_card(
        self, org: Organization, account: Account, card: CardForm, make_default: bool
    ) -> PaymentMethod:
        token = card.gateway_token()
        if token is None:
            raise ValidationFailed("card number not accepted", field="cardNumber", code="card_unknown")
        gateway = self.ctx.gateway(org.payment_settings.gateway)
        existing = self.store.payment_methods.for_account(org.id, account.id)
        try:
            saved = gateway.save_method(
                org_id=org.id,
                account_id=account.id,
                method_type="card",
                token=token,
                customer=next((m.gateway_customer for m in existing if m.gateway_customer), None),
            )
        except MethodRefused as exc:
            raise ValidationFailed(exc.message, field="cardNumber", code="card_unknown") from exc
        now = self.clock.now()
        method = PaymentMethod(
            id=new_id("pm", self.clock),
            organization_id=org.id,
            account_id=account.id,
            type="card",
            gateway=gateway.name,
            gateway_ref=saved.ref,
            gateway_customer=saved.customer,
            card=saved.card,
            created_at=now,
        )
        PaymentMethodService(self.ctx).attach(account, method, make_default, now)
        return method

    def pay(
        self,
        bundle: InvoiceBundle,
        *,
        method_id: str | None,
        card: CardForm | None,
        save: bool,
    ) -> PayResult:
        """Pay the invoice with a saved method of the account or a new card. A new card
        the customer did not ask to keep is detached after the charge, whatever its
        outcome, so AutoPay never charges a card given for one payment."""
        now = self.clock.now()
        if not bundle.payable(now):
            return PayResult("in_progress" if bundle.invoice.open_attempt else "not_payable")
        org, account, invoice = bundle.org, bundle.account, bundle.invoice
        temporary: PaymentMethod | None = None
        if card is not None:
            if not card.complete():
                return PayResult("card_invalid")
            try:
                method = self.save_card(org, account, card, make_default=False)
            except ValidationFailed:
                return PayResult("card_unknown")
            method_id = method.id
            temporary = None if save else method
        elif method_id is None or all(m.id != method_id for m in bundle.methods):
            return PayResult("card_invalid")
        try:
            out = PaymentService(self.ctx).pay(org.id, invoice.id, method_id, trigger="manual")
        except PaymentDeclined:
            after = self.bundle(org.id, account.id, invoice.id)
            failure = after.last_failure()
            return PayResult("declined", failure.gateway_code if failure else None)
        except Conflict as exc:
            # Another tab, a double click, AutoPay: the invoice's claim let one charge run.
            return PayResult("in_progress" if exc.code == "payment_in_progress" else "not_payable")
        finally:
            if temporary is not None:
                self._forget(temporary)
        # A bank debit is accepted now and settles days later: not paid yet.
        return PayResult("paid" if out.status == "paid" else "processing")

    def _forget(self, method: PaymentMethod) -> None:
        try:
            PaymentMethodService(self.ctx).remove(method.organization_id, method.account_id, method.id)
        except RemitError:
            logger.exception("could not detach a one-time card", extra={"payment_method_id": method.id})

    def set_default(self, org_id: str, account_id: str, method_id: str) -> None:
        AccountService(self.ctx).update(
            org_id, account_id, AccountPatch.model_validate({"defaultPaymentMethodId": method_id})
        )

    def remove_method(self, org_id: str, account_id: str, method_id: str) -> None:
        PaymentMethodService(self.ctx).remove(org_id, account_id, method_id)
