"""``/checkout/{token}``: a checkout session's page (save a card or bank account, and pay
the invoice in payment mode) and its 3-D Secure challenge. A refused form is the page again
with the reason (400 expired form, 402 declined, 422 not accepted); done: 303 to the
session's ``successUrl``."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from remit.adapters.gateway.port import Mandate, OnSession
from remit.domain.checkout import CheckoutSession
from remit.domain.invoice import Invoice
from remit.domain.organization import Organization
from remit.domain.payment_method import MethodType
from remit.errors import Conflict, PaymentDeclined, ValidationFailed
from remit.pages import forms, i18n, invoice_page, security
from remit.pages.deps import Checkout, CheckoutInvoice, Form, Service, Session
from remit.pages.elements import stripe_key
from remit.pages.render import accent, mandate_text, money, origin, page, prefix, redirect
from remit.pages.service import PagesService, bank_types
from remit.schemas.account import AccountCreate
from remit.services.checkout import CheckoutService

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated


def show(
    token: str,
    checkout: CheckoutService,
    service: PagesService,
    form: forms.Posted,
    error: str | None = None,
    http_status: int = 200,
    problems: dict[str, str] | None = None,
) -> Response[str]:
    """The page, opened afresh (also when a post shows it again with ``error``, and with
    the customer's fields' ``problems`` in a checkout without an account)."""
    session = checkout.open(token)
    bundle = None
    preview = None
    if not checkout.provisioned(session):
        org = service.organization(session.organization_id)
        lang = org.settings.default_language
        preview = checkout.preview(session)
        currency, email = preview.currency, None
    else:
        org, account = service.account(session.organization_id, session.account_id or "")
        lang = account.effective_language(org)
        if session.mode == "payment" and session.invoice_id:
            bundle = service.bundle(org.id, account.id, session.invoice_id)
            lang = bundle.invoice.language
        currency, email = (
            bundle.invoice.currency if bundle else account.effective_currency(org),
            account.email,
        )
    view = bundle.view() if bundle else None
    banks = bank_types(org, currency)
    targets = (security.origin_of(session.success_url), security.origin_of(session.cancel_url))
    due = bundle.invoice.amount_due if bundle else preview.amount_due if preview else None
    return page(
        "checkout.html",
        lang,
        http_status,
        # The form may post on to the shop's pages (the redirect after it), nowhere else.
        form_targets=tuple(o for o in targets if o),
        session=session,
        view=view,
        preview=_preview_rows(preview, lang) if preview else None,
        ask_customer=session.needs_customer,
        customer={"name": form.get("name", ""), "email": form.get("email", "")},
        problems=problems or {},
        amount_due=money(due, currency, lang) if due is not None else None,
        sandbox=org.payment_settings.gateway == "sandbox",
        stripe=stripe_key(org),
        new_card=org.payment_settings.accepts("card"),
        bank=banks[0] if banks else None,
        mandate_text=mandate_text(banks[0], org.name, lang) if banks else "",
        account_email=email,
        kind=form.get("kind", "card"),
        csrf=security.csrf_token(session.token_hash, session.id),
        here=f"{prefix()}/checkout/{token}",
        error=error,
        accent=view.accent if view else accent(org.invoice_settings.accent_color),
        logo_url=view.logo_url if view else None,
        org_name=org.name,
    )


def _preview_rows(invoice: Invoice, lang: str) -> dict[str, object]:
    """A checkout without an account: what the invoice will bill, before it exists."""
    return {
        "lines": [
            {
                "description": line.description,
                "quantity": f"{line.quantity.normalize():f}",
                "amount": money(line.amount, invoice.currency, lang),
            }
            for line in invoice.line_items
        ],
        "tax": money(invoice.tax_total, invoice.currency, lang) if invoice.tax_total else None,
        "total": money(invoice.total, invoice.currency, lang),
    }


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
    if kind not in ("ach", "sepa"):
        card = forms.card(form)
        card_token = card.gateway_token()
        if not card.complete():
            return "card_invalid"
        return (card_token, "card", None) if card_token is not None else "card_unknown"
    org, currency = _org_and_currency(session, service)
    bank = forms.bank(form, forms.bank_kind(kind), org.name, lang, service.clock.now())
    problem = bank.form.problem() if kind in bank_types(org, currency) else "bank_unknown"
    token = service.bank_token(org, bank.form) if problem is None else None
    if problem is not None or token is None:
        return problem or "bank_unknown"
    return token, bank.form.type, bank.mandate


def _org_and_currency(session: CheckoutSession, service: PagesService) -> tuple[Organization, str]:
    """The organization, and the currency whose bank scheme the page offers: the
    invoice's, else the account's (setup), else the session's (no account yet)."""
    if session.guest:
        return service.organization(session.organization_id), session.currency or ""
    org, account = service.account(session.organization_id, session.account_id or "")
    invoice = service.store.invoices.get(org.id, session.invoice_id) if session.invoice_id else None
    return org, invoice.currency if invoice else account.effective_currency(org)


def _language(session: CheckoutSession, service: PagesService) -> str:
    if session.guest:
        # The account it creates speaks the organization's language too.
        return service.organization(session.organization_id).settings.default_language
    org, account = service.account(session.organization_id, session.account_id or "")
    return account.effective_language(org)


def _declined(session: CheckoutSession, service: PagesService, lang: str) -> str:
    bundle = service.bundle(session.organization_id, session.account_id or "", session.invoice_id or "")
    failure = bundle.last_failure()
    reason = i18n.decline_reason(failure.gateway_code if failure else None, lang)
    return i18n.words(lang)["declined"].format(reason=reason)


def _customer(form: forms.Posted, words: dict[str, str]) -> AccountCreate | dict[str, str]:
    """Who the customer of a checkout without an account says they are, checked as the
    API checks an account's name and email (remit.schemas.account.AccountCreate), an
    email required here; else each field's problem, in words."""
    name, email = form.get("name", ""), form.get("email", "").strip()
    problems: dict[str, str] = {}
    customer: AccountCreate | None = None
    try:
        customer = AccountCreate(name=name, email=email or None)
    except ValidationError as exc:
        fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        problems = {f: words[f"customer_{f}_invalid"] for f in ("name", "email") if f in fields}
    if not email:
        problems["email"] = words["customer_email_invalid"]
    if customer is None or problems:
        return problems or {"name": words["customer_name_invalid"]}
    return customer


@router.post("/checkout/<token>")
def submit(token: str, form: Form, session: Session, checkout: Checkout, service: Service) -> Response[str]:
    lang = _language(session, service)
    words = i18n.words(lang)
    if not security.csrf_ok(session.token_hash, session.id, form.get("csrf")):
        return show(token, checkout, service, form, words["form_expired"], 400)
    customer = _customer(form, words) if session.needs_customer else None
    if isinstance(customer, dict):
        return show(token, checkout, service, form, words["customer_problems"], 422, customer)
    method = _new_method(form, session, service, lang)
    if isinstance(method, str):
        return show(token, checkout, service, form, words[method], 422)
    if not checkout.provisioned(session):
        # Only now, with a person and a usable method: the account, its invoice, issued;
        # once, however often this is posted (CheckoutService.provision), and finished by
        # the next post if one failed part-way.
        session = checkout.provision(token, customer)
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
