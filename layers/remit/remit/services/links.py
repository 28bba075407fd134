"""Links that emails carry: the hosted invoice page (``invoice_url``; ``pay_now_url`` is
the same page at its payment form) and the portal's payment methods
(``update_payment_link``). Each is a fresh tokenized link (remit.pages.links), valid for
the organization's ``invoiceLinkDays``; docs/pages.md."""

from __future__ import annotations

from remit.domain.account import Account
from remit.domain.invoice import Invoice
from remit.domain.organization import Organization
from remit.pages.links import PageLinks
from remit.services.context import Context

PAY_ANCHOR = "#pay"


class Links:
    def __init__(self, ctx: Context, base_url: str | None = None) -> None:
        self.pages = PageLinks(ctx, base_url)

    @classmethod
    def from_env(cls, ctx: Context) -> Links:
        return cls(ctx)

    def invoice(self, org: Organization, invoice: Invoice) -> tuple[str, str]:
        """(invoice_url, pay_now_url): one link, the second at the page's payment form."""
        url = self.pages.invoice(org, invoice)
        return url, f"{url}{PAY_ANCHOR}"

    def update_payment(self, org: Organization, account: Account) -> str:
        return self.pages.payment_methods(org, account)
