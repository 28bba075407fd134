"""The delivery log: every email an invoice (or account) was sent, and what SES said
about it afterwards (delivered, bounced, complained)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from remit.domain.account import DeliveryIssue
from remit.domain.email import OUTCOME_RANK, EmailDelivery
from remit.errors import NotFound
from remit.services.context import Context
from remit.services.retry import optimistic

Outcome = Literal["delivered", "bounced", "complained"]

# SES message tags (names and values: letters, digits, _ and - only). Every email carries
# them, and SES hands them back on each notification: they name the delivery record.
TAG_ORG, TAG_ACCOUNT, TAG_INVOICE, TAG_EMAIL = "remit-org", "remit-account", "remit-invoice", "remit-email"
NO_INVOICE = "none"


class DeliveryLog:
    def __init__(self, ctx: Context) -> None:
        self.store = ctx.store
        self.clock = ctx.clock

    def log(self, org_id: str, invoice_id: str) -> list[EmailDelivery]:
        if self.store.invoices.get(org_id, invoice_id) is None:
            raise NotFound(f"no invoice {invoice_id}", field="id")
        return self.store.deliveries.list(org_id, invoice_id)

    # -- what SES says afterwards ----------------------------------------------------------

    def record_outcome(
        self, tags: dict[str, str], outcome: Outcome, at: datetime, addresses: list[str], detail: str | None
    ) -> EmailDelivery | None:
        """A delivery, bounce or complaint notification. A bounce or complaint outranks a
        delivery (SES can report both, in any order); the account remembers the problem."""
        org_id, account_id, email_id = tags.get(TAG_ORG), tags.get(TAG_ACCOUNT), tags.get(TAG_EMAIL)
        if not (org_id and account_id and email_id):
            return None  # not one of ours
        invoice_id = tags.get(TAG_INVOICE)
        invoice_id = None if invoice_id in (None, NO_INVOICE) else invoice_id

        def update(_: int) -> EmailDelivery | None:
            found = self.store.deliveries.get(org_id, invoice_id, account_id, email_id)
            if found is None or OUTCOME_RANK[outcome] <= OUTCOME_RANK.get(found.status, 0):
                return found
            changed = found.model_copy(
                update={
                    "status": outcome,
                    f"{outcome}_at": at,
                    "detail": detail or found.detail,
                    "updated_at": self.clock.now(),
                    "version": found.version + 1,
                }
            )
            self.store.deliveries.save(changed, found.version)
            return changed

        result = optimistic(update, what="the delivery record")
        if outcome != "delivered" and result is not None and result.status == outcome:
            self._flag_account(org_id, account_id, outcome, at, addresses, email_id, invoice_id, detail)
        return result

    def _flag_account(
        self,
        org_id: str,
        account_id: str,
        kind: Literal["bounced", "complained"],
        at: datetime,
        addresses: list[str],
        email_id: str,
        invoice_id: str | None,
        detail: str | None,
    ) -> None:
        def update(_: int) -> None:
            account = self.store.accounts.get(org_id, account_id)
            if account is None:
                return
            issue = DeliveryIssue(
                kind=kind, addresses=addresses, at=at, email_id=email_id, invoice_id=invoice_id, detail=detail
            )
            now = self.clock.now()
            changed = account.model_copy(
                update={"delivery_issue": issue, "updated_at": now, "version": account.version + 1}
            )
            self.store.accounts.replace(changed, account.version)

        optimistic(update, what="the account")
