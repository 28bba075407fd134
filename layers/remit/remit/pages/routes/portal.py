"""``/portal/{token}``: the customer portal a portal link opens, the account's invoices
(the invoice page, remit.pages.invoice_page) and its payment methods. Method posts answer
303 to the payment methods tab with ``?m=<outcome>``."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Request, Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.domain.page_link import PageLink
from remit.errors import ValidationFailed
from remit.pages import forms, invoice_page, portal_view, security
from remit.pages.deps import Documents, Form, PortalInvoice, PortalLink, Service
from remit.pages.render import prefix, redirect
from remit.pages.service import PagesService, bank_types

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated

# A refused method's reason, said on the page; any other refusal reads "card_invalid".
PORTAL_PROBLEMS = (
    "card_unknown",
    "bank_unknown",
    "holder_missing",
    "routing_invalid",
    "account_invalid",
    "iban_invalid",
    "mandate_missing",
)


@router.get("/portal/<token>")
def portal(token: str, link: PortalLink, service: Service, request: Request) -> Response[str]:
    here = f"{prefix()}/portal/{token}"
    return portal_view.show(service, link, here, request.query_parameters or {})


@router.get("/portal/<token>/invoices/<invoiceId>")
def invoice(
    token: str, invoiceId: str, opened: PortalInvoice, service: Service, request: Request
) -> Response[str]:
    assert opened.link is not None
    service.viewed(opened.link, opened.bundle.invoice, request.headers.get("user-agent"))
    return invoice_page.show(opened, service, request.query_parameters or {})


@router.post("/portal/<token>/invoices/<invoiceId>/pay")
def pay(token: str, invoiceId: str, form: Form, opened: PortalInvoice, service: Service) -> Response[str]:
    return invoice_page.pay(opened, form, service)


@router.get("/portal/<token>/invoices/<invoiceId>/authenticate")
def challenge(token: str, invoiceId: str, opened: PortalInvoice, service: Service) -> Response[str]:
    return invoice_page.challenge(opened, service)


@router.post("/portal/<token>/invoices/<invoiceId>/authenticate")
def authenticate(
    token: str, invoiceId: str, form: Form, opened: PortalInvoice, service: Service
) -> Response[str]:
    return invoice_page.authenticate(opened, form, service)


@router.get("/portal/<token>/invoices/<invoiceId>/documents/<kind>")
def document(
    token: str, invoiceId: str, kind: str, opened: PortalInvoice, documents: Documents
) -> Response[str]:
    return invoice_page.document(opened, documents, kind)


def _methods_post(token: str, form: forms.Posted, link: PageLink, action: Callable[[], str]) -> Response[str]:
    """Run a payment-methods form's ``action`` (its outcome, or a ValidationFailed's code)
    once the CSRF token holds; back to the tab with the outcome."""
    portal = f"{prefix()}/portal/{token}"
    if not security.csrf_ok(link.token_hash, link.id, form.get("csrf")):
        return redirect(f"{portal}?{urlencode({'tab': 'payment_methods', 'm': 'form_expired'})}")
    try:
        message = action()
    except ValidationFailed as exc:
        message = exc.code if exc.code in PORTAL_PROBLEMS else "card_invalid"
    return redirect(f"{portal}?{urlencode({'tab': 'payment_methods', 'm': message})}")


def _add(form: forms.Posted, link: PageLink, service: PagesService) -> str:
    org, account = service.account(link.organization_id, link.account_id)
    make_default = form.get("make_default") == "1"
    kind = form.get("kind", "card")
    if kind in ("ach", "sepa"):
        if kind not in bank_types(org, account.effective_currency(org)):
            return "bank_unknown"
        lang = account.effective_language(org)
        bank = forms.bank(form, forms.bank_kind(kind), org.name, lang, service.clock.now())
        service.save_bank(org, account, bank, make_default)
        return "method_added"
    card = forms.card(form)
    if not card.complete():
        return "card_invalid"
    service.save_card(org, account, card, make_default)
    return "method_added"


@router.post("/portal/<token>/payment-methods")
def add_method(token: str, form: Form, link: PortalLink, service: Service) -> Response[str]:
    return _methods_post(token, form, link, lambda: _add(form, link, service))


@router.post("/portal/<token>/payment-methods/<paymentMethodId>/default")
def default_method(
    token: str, paymentMethodId: str, form: Form, link: PortalLink, service: Service
) -> Response[str]:
    def make_default() -> str:
        service.set_default(link.organization_id, link.account_id, paymentMethodId)
        return "default_set"

    return _methods_post(token, form, link, make_default)


@router.post("/portal/<token>/payment-methods/<paymentMethodId>/remove")
def remove_method(
    token: str, paymentMethodId: str, form: Form, link: PortalLink, service: Service
) -> Response[str]:
    def remove() -> str:
        service.remove_method(link.organization_id, link.account_id, paymentMethodId)
        return "method_removed"

    return _methods_post(token, form, link, remove)
