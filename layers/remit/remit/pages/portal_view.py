"""The portal page (``/portal/{token}``): its tabs (home, invoices, payment methods,
history), the invoice list under a status filter, what is outstanding per currency, the
payment history and the saved methods."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from aws_lambda_powertools.event_handler import Response

from remit.documents import localize
from remit.domain.account import Account
from remit.domain.invoice import Invoice
from remit.domain.lifecycle import ReportedStatus
from remit.domain.organization import Organization
from remit.domain.page_link import PageLink
from remit.domain.payment_method import PaymentMethod
from remit.pages import i18n, security
from remit.pages.elements import stripe_key
from remit.pages.render import accent, logo, mandate_text, moment, money, page
from remit.pages.service import PagesService, bank_types

STATUS_FILTERS: dict[str, list[ReportedStatus]] = {
    "all": [],
    "open": ["issued", "past_due"],
    "past_due": ["past_due"],
    "paid": ["paid"],
    "void": ["void"],
}
TABS = ("home", "invoices", "payment_methods", "history")


def tab_of(link: PageLink, query: Mapping[str, str]) -> str:
    """The tab asked for, else the one the portal session's flow opens on."""
    default_tab = {"invoices": "invoices", "payment_methods": "payment_methods"}.get(link.flow, "home")
    tab = query.get("tab", default_tab)
    return tab if tab in TABS else default_tab


def row(invoice: Invoice, today: date, lang: str) -> dict[str, Any]:
    status = invoice.reported_status(today)
    if status == "draft":
        # Listed so the customer sees what is coming, but a draft has no number, no PDF,
        # is never payable and has no page (its routes are 404, remit.pages.service.bundle).
        return {
            "id": invoice.id,
            "draft": True,
            "number": "",
            "issued": "",
            "due": localize.day(invoice.due_date, lang) if invoice.due_date else "",
            "total": money(invoice.total, invoice.currency, lang),
            "due_amount": money(invoice.amount_due, invoice.currency, lang),
            "status": status,
            "status_label": i18n.words(lang)["status_draft_unissued"],
            "payable": False,
            "paid": False,
        }
    return {
        "draft": False,
        "id": invoice.id,
        "number": invoice.invoice_number or invoice.id,
        "issued": localize.day(invoice.issued_at.date() if invoice.issued_at else None, lang),
        "due": localize.day(invoice.due_date, lang),
        "total": money(invoice.total, invoice.currency, lang),
        "due_amount": money(invoice.amount_due, invoice.currency, lang),
        "status": status,
        "status_label": i18n.words(lang)[f"status_{status}"],
        "payable": status in ("issued", "past_due") and invoice.amount_due > 0,
        "paid": status == "paid",
    }


def outstanding(open_ones: list[Invoice], currency: str, lang: str) -> list[str]:
    """What is still due, per currency (nothing: zero in the account's currency)."""
    due: dict[str, int] = {}
    for invoice in open_ones:
        due[invoice.currency] = due.get(invoice.currency, 0) + invoice.amount_due
    return [money(v, c, lang) for c, v in sorted(due.items())] or [money(0, currency, lang)]


def history(service: PagesService, org_id: str, every: list[Invoice], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "date": localize.day(p.payment_date, lang),
            "number": inv.invoice_number or inv.id,
            "invoice_id": inv.id,
            "method": p.method,
            "amount": money(p.amount, p.currency, lang),
        }
        for inv, p in service.payments(org_id, every)
    ]


def method_label(method: PaymentMethod, words: dict[str, str]) -> str:
    if method.card is not None:
        expiry = words["expires"].format(month=f"{method.card.exp_month:02d}", year=method.card.exp_year)
        return f"{method.card.brand.title()} •••• {method.card.last4} ({expiry})"
    if method.bank is not None:
        return f"{method.type.upper()} •••• {method.bank.last4}"
    return str(method.type)


def methods(service: PagesService, link: PageLink, account: Account, lang: str) -> list[dict[str, Any]]:
    words = i18n.words(lang)
    return [
        {"id": m.id, "label": method_label(m, words), "default": m.id == account.default_payment_method_id}
        for m in service.methods(link.organization_id, link.account_id)
        if m.auto_collectable
    ]


def _adding(org: Organization, account: Account, lang: str) -> dict[str, Any]:
    """The add-a-method form: a card, and the bank scheme of the account's currency."""
    banks = bank_types(org, account.effective_currency(org))
    return {
        "sandbox": org.payment_settings.gateway == "sandbox",
        "stripe": stripe_key(org),
        "new_card": org.payment_settings.accepts("card"),
        "bank": banks[0] if banks else None,
        "mandate_text": mandate_text(banks[0], org.name, lang) if banks else "",
    }


def show(service: PagesService, link: PageLink, here: str, query: Mapping[str, str]) -> Response[str]:
    org, account = service.account(link.organization_id, link.account_id)
    lang = account.effective_language(org)
    tab = tab_of(link, query)
    status_filter = query.get("status", "all")
    statuses = STATUS_FILTERS.get(status_filter, [])
    today = service.clock.now().date()
    drafts = org.settings.portal_show_drafts
    listed = service.invoices(link.organization_id, link.account_id, statuses, drafts)
    every = listed if not statuses else service.invoices(link.organization_id, link.account_id, [], drafts)
    open_ones = [i for i in every if i.reported_status(today) in ("issued", "past_due")]
    return page(
        "portal.html",
        lang,
        **_adding(org, account, lang),
        tab=tab,
        tabs=TABS,
        status_filter=status_filter,
        filters=list(STATUS_FILTERS),
        invoices=[row(i, today, lang) for i in listed],
        open_invoices=[row(i, today, lang) for i in open_ones],
        outstanding=outstanding(open_ones, account.effective_currency(org), lang),
        history=history(service, link.organization_id, every, lang) if tab == "history" else [],
        methods=methods(service, link, account, lang),
        account_email=account.email,
        csrf=security.csrf_token(link.token_hash, link.id),
        here=here,
        message=query.get("m"),
        return_url=link.return_url,
        expires_at=moment(link.expires_at, lang),
        account_name=account.name,
        accent=accent(org.invoice_settings.accent_color),
        logo_url=logo(org.invoice_settings.logo_url),
        org_name=org.name,
    )
