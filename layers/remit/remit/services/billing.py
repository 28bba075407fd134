"""The billing run: each subscription's period invoices, exactly once, and the drafts
that finalize by themselves once the organization's draft window has passed."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from remit.domain.account import Account
from remit.domain.invoice import Invoice
from remit.domain.organization import Organization
from remit.domain.periods import Period
from remit.domain.subscription import Subscription
from remit.domain.totals import LineItem
from remit.errors import RemitError
from remit.ids import new_id
from remit.observability import logger
from remit.services.context import Context
from remit.services.events import invoice_data, make_events, subscription_data
from remit.services.invoices import InvoiceService
from remit.store.errors import StaleWrite

# One run catches up at most this many periods of one subscription (ten years of months);
# the rest stays due and the next run goes on from there.
MAX_PERIODS_PER_RUN = 120
# A prorated quantity keeps six decimals, like any quantity.
QUANTITY = Decimal("0.000001")


def period_invoice(
    sub: Subscription,
    account: Account,
    org: Organization,
    period: Period,
    now: datetime,
    invoice_id: str,
    line_ids: list[str],
) -> Invoice:
    """The draft billing ``period``: one line per item, named after the period; a first
    period shorter than a whole one bills its share (the quantity carries the fraction)."""
    fraction = sub.proration(period)
    lines = [
        LineItem(
            id=line_id,
            description=f"{item.description} ({period.label()}" + (", prorated)" if fraction != 1 else ")"),
            quantity=(item.quantity * fraction).quantize(QUANTITY) if fraction != 1 else item.quantity,
            unit_amount=item.unit_amount,
            tax_rate=item.tax_rate,
            product_id=item.product_id,
            price_id=item.price_id,
        )
        for item, line_id in zip(sub.items, line_ids, strict=True)
    ]
    blank = Invoice(
        id=invoice_id,
        organization_id=sub.organization_id,
        account_id=sub.account_id,
        currency=sub.currency,
        language=account.effective_language(org),
        payment_terms=account.effective_terms(org),
        subscription_id=sub.id,
        period_start=period.start,
        period_end=period.end,
        collection_method=sub.collection_method,
        auto_finalize_at=now + timedelta(minutes=org.settings.draft_window_minutes),
        created_at=now,
        updated_at=now,
        version=0,
    )
    return blank.with_lines(lines, None, now)


class BillingService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock

    def bill(self, org_id: str, subscription_id: str) -> int:
        """Generate every invoice that has fallen due for the subscription, oldest period
        first, and return how many. Each is written in one transaction with the
        subscription's move to the next period, on the subscription's version, so a
        repeated, concurrent or crashed run can never bill a period twice or skip one."""
        generated = 0
        for _ in range(MAX_PERIODS_PER_RUN):
            sub = self.store.subscriptions.get(org_id, subscription_id)
            now = self.clock.now()
            if (
                sub is None
                or sub.status != "active"
                or sub.next_period_start is None
                or sub.next_period_start > now
            ):
                break
            try:
                if sub.cancel_at_period_end:
                    ended = sub.ended_at_period_end(now)
                    events = make_events(
                        ended, [("subscription.canceled", subscription_data(ended))], now, self.clock
                    )
                    self.store.subscriptions.save(ended, sub.version, events)
                    break
                invoice = self._bill_period(sub, now)
            except StaleWrite:
                continue  # someone else moved it first: look again
            generated += 1
            if invoice.auto_finalize_at is not None and invoice.auto_finalize_at <= now:
                self.finalize_due(org_id, invoice.id)
        return generated

    def _bill_period(self, sub: Subscription, now: datetime) -> Invoice:
        account, org = self.store.accounts.get_with_organization(sub.organization_id, sub.account_id)
        assert account is not None, "a subscription's account exists"
        assert org is not None, "a subscription's organization exists"
        period = sub.due_period()
        invoice = period_invoice(
            sub,
            account,
            org,
            period,
            now,
            new_id("inv", self.clock),
            [new_id("li", self.clock) for _ in sub.items],
        )
        events = make_events(invoice, [("invoice.created", invoice_data(invoice, now))], now, self.clock)
        self.store.subscriptions.bill(sub, sub.billed(period, now), invoice, events)
        return invoice

    def finalize_due(self, org_id: str, invoice_id: str) -> bool:
        """Finalize a generated draft whose window has passed. Anything else (edited into
        another state, deleted, not yet due, finalized by a concurrent run) is left as is."""
        invoice = self.store.invoices.get(org_id, invoice_id)
        now = self.clock.now()
        if (
            invoice is None
            or invoice.status != "draft"
            or invoice.auto_finalize_at is None
            or invoice.auto_finalize_at > now
        ):
            return False
        try:
            InvoiceService(self.ctx).finalize(org_id, invoice_id)
        except RemitError as exc:
            # Finalization is conditional; losing the race to another worker is fine.
            logger.info("draft not finalized", invoice_id=invoice_id, reason=exc.message)
            return False
        return True
