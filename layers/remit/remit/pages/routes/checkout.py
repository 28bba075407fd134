"""``/checkout/{token}``: a checkout session's page (save a card or bank account, and pay
the invoice in payment mode) and its 3-D Secure challenge. A refused form is the page again
with the reason (400 expired form, 402 declined, 422 not accepted); done: 303 to the
session's ``successUrl``."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.adapters.gateway.port import Mandate, OnSession
from remit.domain.checkout import CheckoutSession
from remit.domain.payment_method import MethodType
from remit.errors import Conflict, PaymentDeclined, ValidationFailed
from remit.pages import forms, i18n, invoice_page, security
from remit.pages.deps import Checkout, CheckoutInvoice, Form, Service, Session
from remit.pages.elements import stripe_key
from remit.pages.render import accent, mandate_text, money, origin, page, prefix, redirect
from remit.pages.service import PagesService, bank_types
from remit.services.checkout import CheckoutService

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated


def show(
    token: str,
    checkout: CheckoutService,
    service: PagesService,
    form: forms.Posted,
    error: str | None = None,
    http_status: int = 200,
) -> Response[str]:
    """The page, opened afresh (also when a post shows it again with ``error``)."""
    session = checkout.open(token)
    org, account = service.account(session.organization_id, session.account_id)
    lang = account.effective_language(org)
    bundle = None
    if session.mode == "payment" and session.invoice_id:
        bundle = service.bundle(org.id, account.id, session.invoice_id)
        lang = bundle.invoice.language
    view = bundle.view() if bundle else None
    banks = bank_types(org, bundle.invoice.currency if bundle else account.effective_currency(org))
    targets = (security.origin_of(session.success_url), security.origin_of(session.cancel_url))
    return page(
        "checkout.html",
        lang,
        http_status,
        # The form may post on to the shop's pages (the redirect after it), nowhere else.
        form_targets=tuple(o for o in targets if o),
        session=session,
        view=view,
        amount_due=money(bundle.invoice.amount_due, bundle.invoice.currency, lang) if bundle else None,
        sandbox=org.payment_settings.gateway == "sandbox",
        stripe=stripe_key(org),
        new_card=org.payment_settings.accepts("card"),
        bank=banks[0] if banks else None,
        mandate_text=mandate_text(banks[0], org.name, lang) if banks else "",
        account_email=account.email,
        kind=form.get("kind", "card"),
        csrf=security.csrf_token(session.token_hash, session.id),
        here=f"{prefix()}/checkout/{token}",
        error=error,
        accent=view.accent if view else accent(org.invoice_settings.accent_color),
        logo_url=view.logo_url if view else None,
        org_name=org.name,
    )


@router.get("/checkout/<token>")
def checkout_page(token: str, form: Form, checkout: Checkout, service: Service) -> Response[str]:
    return show(token, checkout, service, form)


NewMethod = tuple[str, MethodType, Mandate | None]


def _new_method(
    form: forms.Posted, session: CheckoutSession, service: PagesService, lang: str
) -> NewMethod | str:
    """The gateway token of the card or bank account typed, its type and (a bank) its
    mandate; or the words' key of why it is not accepted."""
    kind = form.get("kind", "card")
    org, account = service.account(session.organization_id, session.account_id)
    if kind not in ("ach", "sepa"):
        card = forms.card(form)
        card_token = card.gateway_token()
        if not card.complete():
            return "card_invalid"
        return (card_token, "card", None) if card_token is not None else "card_unknown"
    bank = forms.bank(form, forms.bank_kind(kind), org.name, lang, service.clock.now())
    invoice = service.store.invoices.get(org.id, session.invoice_id) if session.invoice_id else None
    offered = bank_types(org, invoice.currency if invoice else account.effective_currency(org))
    problem = bank.form.problem() if kind in offered else "bank_unknown"
    token = service.bank_token(org, bank.form) if problem is None else None
    if problem is not None or token is None:
        return problem or "bank_unknown"
    return token, bank.form.type, bank.mandate


def _language(session: CheckoutSession, service: PagesService) -> str:
    org, account = service.account(session.organization_id, session.account_id)
    return account.effective_language(org)


def _declined(session: CheckoutSession, service: PagesService, lang: str) -> str:
    bundle = service.bundle(session.organization_id, session.account_id, session.invoice_id or "")
    failure = bundle.last_failure()
    reason = i18n.decline_reason(failure.gateway_code if failure else None, lang)
    return i18n.words(lang)["declined"].format(reason=reason)


@router.post("/checkout/<token>")
def submit(token: str, form: Form, session: Session, checkout: Checkout, service: Service) -> Response[str]:
    lang = _language(session, service)
    words = i18n.words(lang)
    if not security.csrf_ok(session.token_hash, session.id, form.get("csrf")):
        return show(token, checkout, service, form, words["form_expired"], 400)
    method = _new_method(form, session, service, lang)
    if isinstance(method, str):
        return show(token, checkout, service, form, words[method], 422)
    here = f"{prefix()}/checkout/{token}"
    gateway_token, method_type, mandate = method
    try:
        done = checkout.complete_checkout(
            token,
            gateway_token,
            form.get("make_default") == "1",
            method_type,
            mandate=mandate,
            on_session=OnSession(f"{origin()}{here}/authenticate"),
        )
    except PaymentDeclined:
        return show(token, checkout, service, form, _declined(session, service, lang), 402)
    except ValidationFailed:
        refused = "card_unknown" if form.get("kind", "card") == "card" else "bank_unknown"
        return show(token, checkout, service, form, words[refused], 422)
    if done.requires_action:
        return redirect(f"{here}/authenticate")
    return redirect(session.success_url)


@router.get("/checkout/<token>/authenticate")
def challenge(token: str, opened: CheckoutInvoice, service: Service) -> Response[str]:
    return invoice_page.challenge(opened, service)


@router.post("/checkout/<token>/authenticate")
def authenticate(
    token: str, form: Form, session: Session, opened: CheckoutInvoice, checkout: Checkout, service: Service
) -> Response[str]:
    lang = opened.bundle.invoice.language
    if not opened.csrf_ok(form):
        return show(token, checkout, service, form, i18n.words(lang)["form_expired"], 400)
    # Plays the sandbox's issuer and settles the attempt; then the session completes.
    service.authenticate(opened.bundle, forms.auth_result(form))
    try:
        done = checkout.finish_authentication(token)
    except PaymentDeclined:
        return show(token, checkout, service, form, _declined(session, service, lang), 402)
    except Conflict:
        return redirect(opened.here)
    if done.requires_action:
        return redirect(f"{opened.here}/authenticate")
    return redirect(session.success_url)
