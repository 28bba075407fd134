"""What the pages' routes declare with ``Depends``: the services, the form post, and what
the link in the path opens. remit.pages.app.build_app binds the context and the document
service (``dependency_overrides``); a link that does not open raises NotFound, which
remit.pages.errors answers with the error page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Depends, Request

from remit.domain.checkout import CheckoutSession
from remit.domain.page_link import PageLink
from remit.errors import NotFound
from remit.pages import forms, security
from remit.pages.links import PageLinks
from remit.pages.render import prefix
from remit.pages.service import InvoiceBundle, PagesService
from remit.services.checkout import CheckoutService
from remit.services.context import Context
from remit.services.documents import DocumentService


def get_context() -> Context:
    raise RuntimeError("remit.pages.app.build_app binds the pages' context")


def get_documents() -> DocumentService:
    raise RuntimeError("remit.pages.app.build_app binds the pages' document service")


Ctx = Annotated[Context, Depends(get_context)]
Documents = Annotated[DocumentService, Depends(get_documents)]


def pages_service(ctx: Ctx) -> PagesService:
    return PagesService(ctx)


def page_links(ctx: Ctx) -> PageLinks:
    return PageLinks(ctx)


def checkout_service(ctx: Ctx) -> CheckoutService:
    return CheckoutService(ctx)


Service = Annotated[PagesService, Depends(pages_service)]
Links = Annotated[PageLinks, Depends(page_links)]
Checkout = Annotated[CheckoutService, Depends(checkout_service)]


def posted(request: Request) -> forms.Posted:
    return forms.read(request.resolved_event)


# Declared first by a post's handler, so that a body that cannot be read is a 400 whatever
# the token.
Form = Annotated[forms.Posted, Depends(posted)]


@dataclass(frozen=True)
class Opened:
    """An invoice as a link opened it: the secret's stored hash and the id the forms' CSRF
    token is bound to, the invoice with its organization, account and methods, the page's
    path (its challenge is ``{here}/authenticate``), and the portal's invoices tab when it
    was opened from the portal."""

    token_hash: str
    subject: str
    bundle: InvoiceBundle
    here: str
    portal: str | None = None
    link: PageLink | None = None

    def csrf(self) -> str:
        return security.csrf_token(self.token_hash, self.subject)

    def csrf_ok(self, form: forms.Posted) -> bool:
        return security.csrf_ok(self.token_hash, self.subject, form.get("csrf"))


def _param(request: Request, name: str) -> str:
    return cast(str, request.path_parameters.get(name, ""))


def invoice_link(request: Request, links: Links, service: Service) -> Opened:
    """``/i/{token}``: the invoice of an invoice link."""
    token = _param(request, "token")
    link = links.open(token, "invoice")
    assert link.invoice_id is not None
    bundle = service.bundle(link.organization_id, link.account_id, link.invoice_id)
    return Opened(link.token_hash, link.id, bundle, f"{prefix()}/i/{token}", link=link)


def portal_link(request: Request, links: Links) -> PageLink:
    return links.open(_param(request, "token"), "portal")


PortalLink = Annotated[PageLink, Depends(portal_link)]


def portal_invoice(request: Request, link: PortalLink, service: Service) -> Opened:
    """``/portal/{token}/invoices/{invoiceId}``: one of the portal's account's invoices."""
    bundle = service.bundle(link.organization_id, link.account_id, _param(request, "invoiceId"))
    portal = f"{prefix()}/portal/{_param(request, 'token')}"
    here = f"{portal}/invoices/{bundle.invoice.id}"
    return Opened(link.token_hash, link.id, bundle, here, f"{portal}?tab=invoices", link)


def checkout_session(request: Request, checkout: Checkout) -> CheckoutSession:
    return checkout.open(_param(request, "token"))


Invoice = Annotated[Opened, Depends(invoice_link)]
PortalInvoice = Annotated[Opened, Depends(portal_invoice)]
Session = Annotated[CheckoutSession, Depends(checkout_session)]


def checkout_invoice(request: Request, session: Session, service: Service) -> Opened:
    """The invoice a payment-mode session pays (its 3-D Secure challenge); a setup
    session has none."""
    if session.mode != "payment" or not session.invoice_id:
        raise NotFound("nothing to authenticate", field="token")
    bundle = service.bundle(session.organization_id, session.account_id or "", session.invoice_id)
    here = f"{prefix()}/checkout/{_param(request, 'token')}"
    return Opened(session.token_hash, session.id, bundle, here)


CheckoutInvoice = Annotated[Opened, Depends(checkout_invoice)]
