"""The invoice page and its steps (pay, the 3-D Secure challenge and its outcome, the PDF),
the same whether a link opened it at ``/i/{token}`` or the portal at
``/portal/{token}/invoices/{invoiceId}``. Posts answer 303 to the page with ``?m=<outcome>``
(Post/Redirect/Get)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response

from remit.adapters.gateway.port import OutcomeUnknown
from remit.errors import NotFound, RemitError
from remit.observability import logger
from remit.pages import forms, i18n
from remit.pages.deps import Opened
from remit.pages.elements import stripe_key
from remit.pages.render import mandate_text, money, origin, page, redirect
from remit.pages.service import InvoiceBundle, PagesService
from remit.services.documents import DocumentService


def show(opened: Opened, service: PagesService, query: Mapping[str, str]) -> Response[str]:
    bundle = opened.bundle
    now = service.clock.now()
    view = bundle.view()
    lang = view.language
    message = query.get("m")
    reason = None
    if message == "declined":
        failure = bundle.last_failure()
        reason = i18n.decline_reason(failure.gateway_code if failure else None, lang)
    status = bundle.status(now)
    return page(
        "invoice.html",
        lang,
        **_payment_choices(bundle, lang),
        view=view,
        account_email=bundle.account.email,
        awaiting=bundle.awaiting_authentication() is not None,
        status=status,
        status_label=i18n.words(lang)[f"status_{status}"],
        payable=bundle.payable(now),
        processing=bundle.invoice.open_attempt is not None,
        amount_due=money(bundle.invoice.amount_due, bundle.invoice.currency, lang),
        default_method=bundle.account.default_payment_method_id,
        csrf=opened.csrf(),
        here=opened.here,
        portal=opened.portal,
        message=message,
        reason=reason,
        accent=view.accent,
        logo_url=view.logo_url,
        org_name=bundle.org.name,
        paid_date=view.paid_on,
    )


def _payment_choices(bundle: InvoiceBundle, lang: str) -> dict[str, Any]:
    """How the invoice can be paid: saved methods, and a new card or bank account with the
    sandbox's test numbers or Stripe Elements when the stack has a publishable key
    (otherwise only the account's saved methods)."""
    settings = bundle.org.payment_settings
    banks = bundle.bank_types()
    typed = settings.gateway == "sandbox" or stripe_key(bundle.org) is not None
    return {
        "bank": banks[0] if banks else None,
        "mandate_text": mandate_text(banks[0], bundle.org.name, lang) if banks else "",
        "methods": [m for m in bundle.methods if m.auto_collectable],
        "sandbox": settings.gateway == "sandbox",
        "new_card": settings.accepts("card") and typed,
        "new_bank": bool(banks) and typed,
        "stripe": stripe_key(bundle.org),
    }


def pay(opened: Opened, form: forms.Posted, service: PagesService) -> Response[str]:
    here, bundle = opened.here, opened.bundle
    if not opened.csrf_ok(form):
        return redirect(f"{here}?m=form_expired")
    choice = form.get("method", "new")
    card = bank = None
    if choice == "new":
        card = forms.card(form)
    elif choice in ("new_ach", "new_sepa"):
        lang = bundle.invoice.language
        bank = forms.bank(form, forms.bank_kind(choice), bundle.org.name, lang, service.clock.now())
    result = service.pay(
        bundle,
        method_id=None if choice.startswith("new") else choice,
        card=card,
        bank=bank,
        save=form.get("save") == "1",
        return_url=f"{origin()}{here}/authenticate",
    )
    logger.info(
        "hosted page payment",
        extra={"invoice_id": bundle.invoice.id, "outcome": result.outcome, "code": result.code},
    )
    if result.outcome == "requires_action":
        return redirect(f"{here}/authenticate")
    return redirect(f"{here}?m={result.outcome}#status")


def challenge(opened: Opened, service: PagesService) -> Response[str]:
    """The challenge page of an attempt awaiting 3-D Secure: on the sandbox our stand-in
    for the issuer (complete or fail); on Stripe, Stripe.js runs the issuer's challenge
    (``handleNextAction``) and posts back. Nothing awaiting: back to the page."""
    bundle = opened.bundle
    attempt = bundle.awaiting_authentication()
    if attempt is None:
        return redirect(opened.here)
    lang = bundle.invoice.language
    client_secret = None
    if attempt.gateway == "stripe" and attempt.gateway_charge_id:
        try:
            outcome = service.ctx.gateway("stripe").retrieve(
                org_id=bundle.org.id,
                charge_id=attempt.gateway_charge_id,
                idempotency_key=attempt.idempotency_key,
            )
            client_secret = outcome.client_secret
        except OutcomeUnknown:
            client_secret = None  # the page offers Continue, which asks again
    method = next((m for m in bundle.methods if m.id == attempt.payment_method_id), None)
    view = bundle.view()
    return page(
        "authenticate.html",
        lang,
        stripe=stripe_key(bundle.org) if attempt.gateway == "stripe" else None,
        client_secret=client_secret,
        sandbox=attempt.gateway == "sandbox",
        amount=money(attempt.amount, attempt.currency, lang),
        number=view.number,
        card_last4=method.card.last4 if method and method.card else None,
        csrf=opened.csrf(),
        here=f"{opened.here}/authenticate",
        back=opened.here,
        accent=view.accent,
        logo_url=view.logo_url,
        org_name=bundle.org.name,
    )


def authenticate(opened: Opened, form: forms.Posted, service: PagesService) -> Response[str]:
    back, bundle = opened.here, opened.bundle
    if not opened.csrf_ok(form):
        return redirect(f"{back}?m=form_expired")
    outcome = service.authenticate(bundle, forms.auth_result(form))
    logger.info(
        "hosted page authentication",
        extra={"invoice_id": bundle.invoice.id, "outcome": outcome.outcome, "code": outcome.code},
    )
    if outcome.outcome == "requires_action":
        return redirect(f"{back}/authenticate")
    return redirect(f"{back}?m={outcome.outcome}#status")


def document(opened: Opened, documents: DocumentService, kind: str) -> Response[str]:
    """303 to a short-lived presigned link to the invoice's PDF or receipt."""
    if kind not in ("invoice", "receipt"):
        raise NotFound("no such document", field="kind")
    bundle = opened.bundle
    try:
        found = documents.link(bundle.org.id, bundle.invoice.id, kind)  # type: ignore[arg-type]
    except RemitError as exc:
        raise NotFound("no such document", field="kind") from exc
    return redirect(found.url)
