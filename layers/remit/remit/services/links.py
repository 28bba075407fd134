"""Hosted-page links: minted for emails and portal sessions, opened by the pages.

A link opens only its own invoice or account, and only until it expires; a wrong, unknown
or expired token is one NotFound, so a guesser learns nothing. Emails carry the hosted
invoice page (``invoice_url``; ``pay_now_url`` is the same page at its payment form) and
the portal's payment methods (``update_payment_link``), each a fresh link valid for the
organization's ``invoiceLinkDays``; docs/pages.md.

Here, below the pages, because services (emails, checkout) mint links too; remit.pages.links
names the same objects for the pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from remit.domain import checkout
from remit.domain.account import Account
from remit.domain.invoice import Invoice
from remit.domain.organization import Organization
from remit.domain.page_link import PORTAL_SESSION_LIFETIME, LinkKind, PageLink, PortalFlow
from remit.errors import NotFound
from remit.ids import new_id
from remit.services.context import Context
from remit.settings import get_settings

PAY_ANCHOR = "#pay"
# The URL path of each kind of page: /i/<token> (invoice), /portal/<token>.
PATHS: dict[LinkKind, str] = {"invoice": "i", "portal": "portal"}


def base_url() -> str:
    """Where the pages are served (``PUBLIC_BASE_URL``, the stack's parameter)."""
    return get_settings().public_base_url.rstrip("/")


class PageLinks:
    def __init__(self, ctx: Context, base: str | None = None) -> None:
        self.store = ctx.store
        self.clock = ctx.clock
        self.base = (base if base is not None else base_url()).rstrip("/")

    def _mint(
        self,
        org_id: str,
        account_id: str,
        kind: LinkKind,
        lifetime: timedelta,
        *,
        invoice_id: str | None = None,
        flow: PortalFlow = "none",
        return_url: str | None = None,
    ) -> tuple[str, datetime]:
        now = self.clock.now()
        secret = checkout.new_secret()
        link = PageLink(
            id=new_id("lnk", self.clock),
            organization_id=org_id,
            kind=kind,
            account_id=account_id,
            invoice_id=invoice_id,
            flow=flow,
            return_url=return_url,
            token_hash=checkout.digest(secret),
            expires_at=now + lifetime,
            created_at=now,
        )
        self.store.page_links.create(link)
        # The token is handed out here, once; only its hash is stored.
        token = checkout.make_token(org_id, link.id, secret)
        return f"{self.base}/{PATHS[kind]}/{token}", link.expires_at

    def invoice(self, org: Organization, invoice: Invoice) -> str:
        """The hosted invoice page of an email (``invoice_url``; ``pay_now_url`` is the same
        page at its payment form)."""
        url, _ = self._mint(
            org.id,
            invoice.account_id,
            "invoice",
            timedelta(days=org.settings.invoice_link_days),
            invoice_id=invoice.id,
        )
        return url

    def payment_methods(self, org: Organization, account: Account) -> str:
        """The portal at its payment methods, for an email (``update_payment_link``); it
        lasts as long as the organization's invoice links."""
        url, _ = self._mint(
            org.id,
            account.id,
            "portal",
            timedelta(days=org.settings.invoice_link_days),
            flow="payment_methods",
        )
        return url

    def portal_session(
        self, org_id: str, account_id: str, flow: PortalFlow, return_url: str | None
    ) -> tuple[str, datetime]:
        """``POST /accounts/{id}/portal-sessions``: a portal link valid for an hour."""
        return self._mint(
            org_id, account_id, "portal", PORTAL_SESSION_LIFETIME, flow=flow, return_url=return_url
        )

    def open(self, token: str, kind: LinkKind) -> PageLink:
        parsed = checkout.parse_token(token)
        link = self.store.page_links.get(parsed[0], parsed[1]) if parsed else None
        if (
            parsed is None
            or link is None
            or link.kind != kind
            or not link.opens_with(parsed[2], self.clock.now())
        ):
            raise NotFound("this link is invalid or has expired", field="token")
        return link


class Links:
    """The links an email carries, each a fresh page link."""

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
