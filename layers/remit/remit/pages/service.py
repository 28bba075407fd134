"""What the pages do, without HTTP: open a link, read what a page shows, pay, save and
manage payment methods. Charging is PaymentService's (one open attempt per invoice, never
twice); saving a method is the gateway's and PaymentMethodService's. docs/pages.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

from remit.adapters.gateway.port import Mandate, MethodRefused, OnSession
from remit.adapters.gateway.sandbox import TEST_CARD_NUMBERS, SandboxGateway, ach_token, sepa_token
from remit.documents.view import DocumentView, build_view
from remit.domain.account import Account
from remit.domain.invoice import Invoice, Payment
from remit.domain.lifecycle import ReportedStatus
from remit.domain.organization import Organization
from remit.domain.page_link import PageLink
from remit.domain.payment_attempt import PaymentAttempt
from remit.domain.payment_method import MethodType, PaymentMethod
from remit.errors import Conflict, NotFound, PaymentDeclined, RemitError, ValidationFailed
from remit.observability import logger
from remit.pages.bank import BANK_FOR_CURRENCY, BankForm, BankProblem, BankType, compact
from remit.schemas.account import AccountPatch
from remit.services.accounts import AccountService
from remit.services.context import Context
from remit.services.events import invoice_data, make_events
from remit.services.payment_methods import PaymentMethodService
from remit.services.payments import PaymentService

PayOutcome = Literal[
    "paid",
    "processing",
    "declined",
    "in_progress",
    "not_payable",
    "card_unknown",
    "card_invalid",
    "requires_action",
    "bank_unknown",
    "holder_missing",
    "routing_invalid",
    "account_invalid",
    "iban_invalid",
    "mandate_missing",
]
AuthResult = Literal["complete", "fail", "check"]
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
            and any(self.org.payment_settings.accepts(t) for t in ("card", "ach", "sepa"))
        )

    def bank_types(self) -> list[BankType]:
        """The new bank account this invoice can be paid with: its currency's scheme, if
        the organization accepts it."""
        return bank_types(self.org, self.invoice.currency)

    def awaiting_authentication(self) -> PaymentAttempt | None:
        """The open attempt, when it waits for the customer's 3-D Secure challenge."""
        if self.invoice.open_attempt is None:
            return None
        found = [a for a in self.attempts if a.number == self.invoice.open_attempt]
        return found[0] if found and found[0].status == "requires_action" else None

    def last_failure(self) -> PaymentAttempt | None:
        failed = [a for a in self.attempts if a.status == "failed"]
        return max(failed, key=lambda a: a.number) if failed else None


def bank_types(org: Organization, currency: str) -> list[BankType]:
    """ACH for dollars, SEPA for euros, when the organization accepts that method."""
    kind = BANK_FOR_CURRENCY.get(currency.upper())
    return [kind] if kind is not None and org.payment_settings.accepts(kind) else []


@dataclass(frozen=True)
class NewBank:
    """A new bank account from a page, with the mandate the customer accepted there."""

    form: BankForm
    mandate: Mandate


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

    def organization(self, org_id: str) -> Organization:
        org = self.store.organizations.get(org_id)
        if org is None:
            raise NotFound("no such organization", field="organizationId")
        return org

    def account(self, org_id: str, account_id: str) -> tuple[Organization, Account]:
        account, org = self.store.accounts.get_with_organization(org_id, account_id)
        if account is None or org is None:
            raise NotFound("no such account", field="accountId")
        return org, account

    def invoices(
        self, org_id: str, account_id: str, statuses: list[ReportedStatus], drafts: bool = False
    ) -> list[Invoice]:
        """The account's invoices under a status filter (none: every issued one, and the
        drafts too when ``drafts``, the organization's ``portalShowDrafts``)."""
        every: list[ReportedStatus] = ["issued", "past_due", "paid", "void", "uncollectible"]
        found, _ = self.store.invoices.list(
            org_id,
            account_id=account_id,
            statuses=statuses or (["draft", *every] if drafts else every),
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
        return self._save(org, account, "card", token, make_default, None, "card_unknown")

    def save_bank(
        self, org: Organization, account: Account, bank: NewBank, make_default: bool
    ) -> PaymentMethod:
        """A new bank account: checked (``BankProblem`` as the ValidationFailed's code),
        offered for the account's currency, named to the gateway with its mandate."""
        problem = bank.form.problem()
        if problem is not None:
            raise ValidationFailed(f"the bank account is not valid: {problem}", field="bank", code=problem)
        if not org.payment_settings.accepts(bank.form.type):
            raise ValidationFailed(
                f"the organization does not accept {bank.form.type}", field="type", code="bank_unknown"
            )
        token = self.bank_token(org, bank.form)
        if token is None:
            raise ValidationFailed("bank account not accepted", field="bank", code="bank_unknown")
        return self._save(org, account, bank.form.type, token, make_default, bank.mandate, "bank_unknown")

    def bank_token(self, org: Organization, form: BankForm) -> str | None:
        if form.token:
            return form.token if org.payment_settings.gateway == "stripe" else None
        if org.payment_settings.gateway != "sandbox":
            return None  # on Stripe the numbers are tokenized by Stripe.js, never here
        if form.type == "ach":
            return ach_token(compact(form.routing_number), compact(form.account_number))
        return sepa_token(compact(form.iban))

    def _save(
        self,
        org: Organization,
        account: Account,
        method_type: MethodType,
        token: str,
        make_default: bool,
        mandate: Mandate | None,
        refused_code: str,
    ) -> PaymentMethod:
        if not org.payment_settings.accepts(method_type):
            raise ValidationFailed(
                f"the organization does not accept {method_type}", field="type", code=refused_code
            )
        methods = PaymentMethodService(self.ctx)
        try:
            method = methods.save_at_gateway(org, account, method_type, token, mandate)
        except MethodRefused as exc:
            raise ValidationFailed(exc.message, field="gatewayToken", code=refused_code) from exc
        methods.attach(account, method, make_default, self.clock.now())
        return method

    def pay(
        self,
        bundle: InvoiceBundle,
        *,
        method_id: str | None,
        card: CardForm | None,
        save: bool,
        bank: NewBank | None = None,
        return_url: str = "",
    ) -> PayResult:
        """Pay the invoice with a saved method of the account, a new card or a new bank
        account. A new method the customer did not ask to keep is detached after the
        charge, whatever its outcome, so AutoPay never charges a method given for one
        payment (a bank debit still settling keeps its charge: the gateway has it). The
        customer is here, so a card may ask for 3-D Secure (``requires_action``: the page
        sends them to the challenge, which comes back to ``return_url``); such a card is
        forgotten all the same (the gateway's charge holds it)."""
        if not bundle.payable(self.clock.now()):
            return PayResult("in_progress" if bundle.invoice.open_attempt else "not_payable")
        temporary: PaymentMethod | None = None
        if card is not None or bank is not None:
            made = self._new_method(bundle, card, bank)
            if isinstance(made, PayResult):
                return made
            method_id = made.id
            temporary = None if save else made
        elif method_id is None or all(m.id != method_id for m in bundle.methods):
            return PayResult("card_invalid")
        try:
            return self._charge(bundle, method_id, return_url)
        finally:
            # Even while a challenge runs: the gateway's charge holds the card, and settling
            # it needs only the attempt, so a card given for one payment is never kept.
            if temporary is not None:
                self._forget(temporary)

    def _new_method(
        self, bundle: InvoiceBundle, card: CardForm | None, bank: NewBank | None
    ) -> PaymentMethod | PayResult:
        """The card or bank account typed on the page, saved to the account (not as its
        default); or why it was refused."""
        org, account = bundle.org, bundle.account
        if card is not None:
            if not card.complete():
                return PayResult("card_invalid")
            try:
                return self.save_card(org, account, card, make_default=False)
            except ValidationFailed:
                return PayResult("card_unknown")
        assert bank is not None
        if bank.form.type not in bundle.bank_types():
            return PayResult("bank_unknown")
        try:
            return self.save_bank(org, account, bank, make_default=False)
        except ValidationFailed as exc:
            return PayResult(_bank_outcome(exc.code))

    def _charge(self, bundle: InvoiceBundle, method_id: str, return_url: str) -> PayResult:
        org, account, invoice = bundle.org, bundle.account, bundle.invoice
        try:
            out = PaymentService(self.ctx).pay(
                org.id, invoice.id, method_id, trigger="manual", on_session=OnSession(return_url)
            )
        except PaymentDeclined:
            after = self.bundle(org.id, account.id, invoice.id)
            failure = after.last_failure()
            return PayResult("declined", failure.gateway_code if failure else None)
        except Conflict as exc:
            # Another tab, a double click, AutoPay: the invoice's claim let one charge run.
            return PayResult("in_progress" if exc.code == "payment_in_progress" else "not_payable")
        if any(a.status == "requires_action" for a in out.payment_attempts or []):
            return PayResult("requires_action")
        # A bank debit is accepted now and settles days later: not paid yet.
        return PayResult("paid" if out.status == "paid" else "processing")

    def authenticate(self, bundle: InvoiceBundle, result: AuthResult) -> PayResult:
        """The end of a 3-D Secure challenge. On the sandbox the challenge page's buttons
        (``complete``, ``fail``) play the card issuer first; then, on either gateway, the
        server asks the gateway for the charge's outcome and settles it, once however often
        this is posted."""
        attempt = bundle.awaiting_authentication()
        if attempt is None:
            if bundle.invoice.open_attempt is not None:
                return PayResult("in_progress")
            last = max(bundle.attempts, key=lambda a: a.number, default=None)
            return PayResult(_settled_outcome(last, bundle))
        gateway = self.ctx.gateway(attempt.gateway)
        if result in ("complete", "fail") and isinstance(gateway, SandboxGateway):
            gateway.authenticate(
                org_id=bundle.org.id, idempotency_key=attempt.idempotency_key, succeed=result == "complete"
            )
        done = PaymentService(self.ctx).confirm_authentication(
            bundle.org.id, bundle.invoice.id, attempt.number
        )
        if done is None or done.status == "requires_action":
            return PayResult("requires_action")
        after = self.bundle(bundle.org.id, bundle.account.id, bundle.invoice.id)
        return PayResult(_settled_outcome(done, after), done.gateway_code)

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


def _bank_outcome(code: str | None) -> PayOutcome:
    """The page's message for a bank form the checks (or the gateway) refused."""
    for problem in get_args(BankProblem):
        if code == problem:
            return problem  # type: ignore[no-any-return]
    return "bank_unknown"


def _settled_outcome(attempt: PaymentAttempt | None, bundle: InvoiceBundle) -> PayOutcome:
    if attempt is None:
        return "not_payable"
    if attempt.status == "succeeded":
        return "paid" if bundle.invoice.status == "paid" else "processing"
    if attempt.status == "processing":
        return "processing"
    return "declined"
