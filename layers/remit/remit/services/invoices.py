from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from remit import money
from remit.domain import autopay, collections
from remit.domain.catalogue import Price
from remit.domain.events import EventType
from remit.domain.invoice import Invoice, Payment
from remit.domain.lifecycle import Action, ReportedStatus
from remit.domain.localtime import parse_run_time
from remit.domain.numbering import NumberFormat
from remit.domain.organization import Organization
from remit.domain.totals import LineItem
from remit.errors import Conflict, NotFound, ValidationFailed
from remit.ids import new_id
from remit.observability import logger
from remit.schemas.invoice import InvoiceCreate, InvoiceOut, InvoicePage, InvoicePatch, LineItemIn, PaymentIn
from remit.services.context import Context
from remit.services.events import invoice_data, make_events, payment_data
from remit.services.payments import PaymentService
from remit.services.retry import optimistic
from remit.store.collections import CollectionRepo
from remit.store.errors import NumberTaken, SequenceMoved, StaleWrite


@contextmanager
def implied_currency(implied: bool, currency: str) -> Iterator[None]:
    """An amount the currency cannot hold is bad input where the request named the
    currency, and a conflict with stored state where the account or the invoice implied
    it (the schema cannot know that currency)."""
    try:
        yield
    except money.AmountOutOfRange as exc:
        if not implied:
            raise
        raise Conflict(f"{exc.message} (the {currency} this invoice is in)", field=exc.field) from exc


def check_price(found: tuple[Price, str] | None, currency: str, field: str) -> None:
    """A standalone invoice bills one-time prices of its own currency that are still on sale."""
    if found is None:
        raise NotFound("no such price", field=field)
    price = found[0]
    if price.recurring is not None:
        raise Conflict("recurring prices are billed through subscriptions", field=field)
    if not price.active:
        raise Conflict("the price is archived", field=field)
    if price.currency != currency:
        raise Conflict(f"the price is in {price.currency}, the invoice in {currency}", field=field)


# Transitions that are only a status change and an event.
TRANSITIONS: dict[Action, tuple[Callable[[Invoice, datetime], Invoice], EventType]] = {
    Action.VOID: (Invoice.voided, "invoice.voided"),
    Action.MARK_UNCOLLECTIBLE: (Invoice.marked_uncollectible, "invoice.marked_uncollectible"),
}


class InvoiceService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock

    # -- reads -----------------------------------------------------------------------

    def _head(self, org_id: str, invoice_id: str) -> Invoice:
        invoice = self.store.invoices.get(org_id, invoice_id)
        if invoice is None:
            raise NotFound(f"no invoice {invoice_id}", field="id")
        return invoice

    def get(self, org_id: str, invoice_id: str) -> InvoiceOut:
        found = self.store.invoices.get_detail(org_id, invoice_id)
        if found is None:
            raise NotFound(f"no invoice {invoice_id}", field="id")
        invoice, payments, attempts = found
        return InvoiceOut.of(invoice, invoice.local_today(self.clock.now()), payments, attempts)

    def list(
        self,
        org_id: str,
        *,
        account_id: str | None,
        statuses: Sequence[ReportedStatus],
        limit: int,
        cursor: str | None,
    ) -> InvoicePage:
        now = self.clock.now()
        # The status filter compares with the UTC day; each invoice reads in its own zone.
        today = now.date()
        invoices, next_cursor = self.store.invoices.list(
            org_id, account_id=account_id, statuses=statuses, today=today, limit=limit, cursor=cursor
        )
        return InvoicePage(
            data=[InvoiceOut.of(i, i.local_today(now)) for i in invoices],
            next_cursor=next_cursor,
        )

    # -- drafts ----------------------------------------------------------------------

    def _lines(self, org_id: str, lines: Sequence[LineItemIn], currency: str) -> Sequence[LineItem]:
        """Domain lines from the request, with catalogue prices looked up in one read."""
        wanted = [line.price_id for line in lines if line.price_id]
        prices = self.store.products.prices(org_id, wanted) if wanted else {}
        priced = []
        for i, line in enumerate(lines):
            found = prices.get(line.price_id) if line.price_id else None
            if line.price_id:
                check_price(found, currency, f"lineItems[{i}].priceId")
            price, product_name = found if found else (None, None)
            priced.append(line.to_domain(currency, i, new_id("li", self.clock), price, product_name))
        return priced

    def create_draft(self, org_id: str, body: InvoiceCreate, invoice_id: str | None = None) -> InvoiceOut:
        """``invoice_id``: an id reserved beforehand (see AccountService.create)."""
        account, org = self.store.accounts.get_with_organization(org_id, body.account_id)
        if account is None or org is None:
            raise NotFound(f"no account {body.account_id}", field="accountId")
        now = self.clock.now()
        currency = money.check_currency(body.currency or account.effective_currency(org))
        blank = Invoice(
            id=invoice_id or new_id("inv", self.clock),
            organization_id=org_id,
            account_id=account.id,
            currency=currency,
            language=account.effective_language(org),
            payment_terms=body.payment_terms or account.effective_terms(org),
            memo=body.memo,
            created_at=now,
            updated_at=now,
            version=0,
        )
        with implied_currency(body.currency is None, currency):
            discount = body.discount.to_domain(currency, "discount") if body.discount else None
            lines = self._lines(org_id, body.line_items, currency)
        draft = blank.with_lines(lines, discount, now)
        self.store.invoices.create(
            draft, make_events(draft, [("invoice.created", invoice_data(draft, now))], now, self.clock)
        )
        return InvoiceOut.of(draft, draft.local_today(now))

    def update_draft(self, org_id: str, invoice_id: str, body: InvoicePatch) -> InvoiceOut:
        given = body.model_fields_set

        def attempt(_: int) -> InvoiceOut:
            invoice = self._head(org_id, invoice_id)
            now = self.clock.now()
            invoice.require(Action.EDIT, invoice.local_today(now))
            currency = money.check_currency(body.currency) if body.currency else invoice.currency
            if currency != invoice.currency and "line_items" not in given and invoice.line_items:
                raise Conflict(
                    "changing the currency needs the line items again, priced in it", field="currency"
                )
            with implied_currency(body.currency is None, currency):
                lines = (
                    self._lines(org_id, body.line_items, currency)
                    if body.line_items is not None
                    else invoice.line_items
                )
                discount = invoice.discount
                if "discount" in given:
                    discount = body.discount.to_domain(currency, "discount") if body.discount else None
                elif discount and discount.amount is not None and currency != invoice.currency:
                    raise Conflict("give the discount again in the new currency", field="discount")
            changes: dict[str, object] = {"currency": currency}
            if "memo" in given:
                changes["memo"] = body.memo
            if body.payment_terms:
                changes["payment_terms"] = body.payment_terms
            updated = invoice.with_lines(lines, discount, now, **changes)
            self.store.invoices.save(updated, invoice.version)
            return InvoiceOut.of(updated, updated.local_today(now))

        return optimistic(attempt, what="the invoice")

    def delete_draft(self, org_id: str, invoice_id: str) -> None:
        def attempt(_: int) -> None:
            invoice = self._head(org_id, invoice_id)
            now = self.clock.now()
            invoice.require(Action.DELETE, invoice.local_today(now))
            self.store.invoices.delete_draft(
                invoice, make_events(invoice, [("invoice.deleted", {"id": invoice.id})], now, self.clock)
            )

        optimistic(attempt, what="the invoice")

    # -- lifecycle -------------------------------------------------------------------

    def finalize(self, org_id: str, invoice_id: str) -> InvoiceOut:
        """Finalize, then collect at once if AutoPay's timing is ``on_issue``.

        The charge runs after the finalize transaction, never inside it: a gateway call
        cannot be rolled back, and a slow gateway must not hold the number sequence. If
        this process dies between the two, the issued invoice is already in the DueIndex
        (AutoPay due now), so the next sweep charges it."""
        issued = self._finalize(org_id, invoice_id)
        due = issued.next_charge_at
        if due is None or due > self.clock.now():
            return InvoiceOut.of(issued, issued.local_today(self.clock.now()))
        payments = PaymentService(self.ctx)
        try:
            payments.collect_due(org_id, invoice_id)
        except Exception:
            logger.exception("on_issue charge failed; the AutoPay sweep will retry", invoice_id=invoice_id)
        return payments.invoice_out(org_id, invoice_id)

    def _finalize(self, org_id: str, invoice_id: str) -> Invoice:
        """Assign the next number of the organization's sequence and issue the invoice.

        One read (invoice and organization together) and one transaction per attempt.
        A number taken by a concurrent finalization sends us round again with the new
        counter, so numbers stay consecutive and unique under any concurrency."""
        # Numbers found already claimed past the counter (only possible if data was edited
        # by hand), per counter value: stepping past them must not leave a gap once the
        # counter itself moves on.
        taken: dict[tuple[str, int], int] = {}

        def attempt(_: int) -> Invoice:
            invoice, org = self.store.invoices.get_with_organization(org_id, invoice_id)
            if invoice is None or org is None:
                raise NotFound(f"no invoice {invoice_id}", field="id")
            now = self.clock.now()
            invoice.require(Action.FINALIZE, invoice.local_today(now))
            plan = self._auto_pay_plan(invoice, org)
            fmt = NumberFormat.parse(
                org.invoice_settings.invoice_prefix, org.invoice_settings.invoice_number_format
            )
            scope = fmt.scope(now.date())
            previous = org.sequences.get(scope, 0)
            sequence = previous + 1 + taken.get((scope, previous), 0)
            issued = invoice.finalized(fmt.number(now.date(), sequence), now, self._time_zone(invoice, org))
            if issued.status == "issued" and plan is not None and plan.enabled:
                assert issued.issued_at is not None
                issued = issued.model_copy(
                    update={
                        "auto_pay": True,
                        "next_charge_at": autopay.first_charge_at(plan, issued.issued_at, issued.due_date),
                    }
                )
            kinds: list[EventType] = ["invoice.issued"]
            if issued.status == "paid":
                kinds.append("invoice.paid")
            events = make_events(issued, [(k, invoice_data(issued, now)) for k in kinds], now, self.clock)
            # The invoice's collection calendar starts with it (docs/collections.md).
            wake = (
                collections.first_wake(
                    issued.due_date,
                    now,
                    org.reminder_settings,
                    org.dunning_settings,
                    org.invoice_settings.late_fee_percentage,
                    issued.time_zone,
                    parse_run_time(org.settings.daily_run_time),
                )
                if issued.status == "issued" and issued.due_date is not None
                else None
            )
            schedule = [CollectionRepo.schedule_op(org_id, invoice_id, wake)] if wake else []
            try:
                self.store.invoices.finalize(invoice, issued, scope, previous, sequence, events, schedule)
            except SequenceMoved as exc:
                raise StaleWrite(scope) from exc
            except NumberTaken as exc:
                taken[(scope, previous)] = taken.get((scope, previous), 0) + 1
                raise StaleWrite(scope) from exc
            return issued

        return optimistic(attempt, what="the invoice sequence")

    def _time_zone(self, invoice: Invoice, org: Organization) -> str:
        account = self.store.accounts.get(invoice.organization_id, invoice.account_id)
        return account.effective_time_zone(org) if account else org.settings.time_zone

    def _auto_pay_plan(self, invoice: Invoice, org: Organization) -> autopay.AutoPayPlan | None:
        account = self.store.accounts.get(invoice.organization_id, invoice.account_id)
        if account is None:
            return None
        sub = (
            self.store.subscriptions.get(invoice.organization_id, invoice.subscription_id)
            if invoice.subscription_id
            else None
        )
        return autopay.resolve(account, org, sub)

    def void(self, org_id: str, invoice_id: str) -> InvoiceOut:
        return self._transition(org_id, invoice_id, Action.VOID)

    def mark_uncollectible(self, org_id: str, invoice_id: str) -> InvoiceOut:
        return self._transition(org_id, invoice_id, Action.MARK_UNCOLLECTIBLE)

    def _transition(self, org_id: str, invoice_id: str, action: Action) -> InvoiceOut:
        def attempt(_: int) -> InvoiceOut:
            invoice = self._head(org_id, invoice_id)
            now = self.clock.now()
            invoice.require(action, invoice.local_today(now))
            change, kind = TRANSITIONS[action]
            after = change(invoice, now)
            self.store.invoices.save(
                after,
                invoice.version,
                make_events(after, [(kind, invoice_data(after, now))], now, self.clock),
            )
            return InvoiceOut.of(after, after.local_today(now))

        return optimistic(attempt, what="the invoice")

    def record_payment(self, org_id: str, invoice_id: str, body: PaymentIn) -> InvoiceOut:
        """A manual payment (wire, check ...). Partial payments add up; the one that brings
        the amount due to zero marks the invoice paid. The version condition on the write
        means two concurrent payments are judged one after the other, never both against
        the same balance, so the invoice can never be over-paid."""
        payment_id = new_id("pay", self.clock)

        def attempt(_: int) -> InvoiceOut:
            invoice = self._head(org_id, invoice_id)
            now = self.clock.now()
            invoice.require(Action.RECORD_PAYMENT, invoice.local_today(now))
            invoice.require_no_open_attempt("paid by hand")
            if body.currency and body.currency.upper() != invoice.currency:
                raise Conflict(f"the invoice is in {invoice.currency}", field="currency")
            with implied_currency(True, invoice.currency):
                amount = money.parse_amount(body.amount, invoice.currency, "amount")
            if amount == 0:
                raise ValidationFailed("a payment must be more than zero", field="amount")
            invoice.require_payment_date(body.payment_date or now.date(), now)
            payment = Payment(
                id=payment_id,
                invoice_id=invoice.id,
                amount=amount,
                currency=invoice.currency,
                payment_date=body.payment_date or now.date(),
                method=body.method,
                reference=body.reference,
                notes=body.notes,
                created_at=now,
            )
            after = invoice.with_payment(payment, now)
            payloads: list[tuple[EventType, dict[str, Any]]] = [
                ("payment.succeeded", payment_data(after, payment))
            ]
            if after.status == "paid":
                payloads.append(("invoice.paid", invoice_data(after, now)))
            self.store.invoices.add_payment(
                invoice, after, payment, make_events(after, payloads, now, self.clock)
            )
            return InvoiceOut.of(after, after.local_today(now))

        return optimistic(attempt, what="the invoice")
