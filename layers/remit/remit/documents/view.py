"""What an invoice or receipt document shows, every value already formatted for its
reader. Built from the stored invoice, its payments, the organization (seller, branding,
wire instructions) and the account (buyer); the HTML template only lays it out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from remit.documents import localize
from remit.documents.labels import labels
from remit.domain.account import Account
from remit.domain.invoice import Invoice, Payment
from remit.domain.organization import Organization

DocumentKind = Literal["invoice", "receipt"]
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{3}([0-9A-Fa-f]{3})?$")
_NET = re.compile(r"^net_(\d+)$")
DEFAULT_ACCENT = "#00BA61"
MINUS = "\u2212"  # a typographic minus before a deducted amount


@dataclass(frozen=True)
class Line:
    description: str
    quantity: str
    unit_price: str
    tax: str
    amount: str
    discount: str | None


@dataclass(frozen=True)
class Total:
    label: str
    value: str
    strong: bool = False


@dataclass(frozen=True)
class PaymentLine:
    date: str
    method: str
    reference: str
    amount: str


@dataclass(frozen=True)
class DocumentView:
    kind: DocumentKind
    language: str
    labels: dict[str, str]
    title: str
    number: str
    seller_name: str
    seller_email: str | None
    buyer_name: str
    buyer_email: str | None
    issued: str
    due: str
    terms: str
    paid_on: str | None
    memo: str | None
    lines: list[Line]
    totals: list[Total]
    mark: str | None  # "VOID" / "PAID", translated, or None
    accent: str
    logo_url: str | None
    footer: str | None
    wire: list[tuple[str, str]] = field(default_factory=list)
    payments: list[PaymentLine] = field(default_factory=list)


def _terms(terms: str, words: dict[str, str]) -> str:
    if terms == "due_on_receipt":
        return words["due_on_receipt"]
    found = _NET.match(terms)
    return words["net"].format(days=found.group(1)) if found else terms


def _wire(org: Organization, invoice: Invoice, words: dict[str, str]) -> list[tuple[str, str]]:
    """Wire instructions, when the organization's payment settings say to show them."""
    settings = org.payment_settings
    wire = settings.wire_instructions
    if not settings.display_wire_instructions or wire is None:
        return []
    rows = [
        (words[key], value)
        for value, key in (
            (wire.bank_name, "bank"),
            (wire.account_number, "account_number"),
            (wire.routing_number, "routing_number"),
        )
        if value
    ]
    reference = wire.reference_for(invoice.invoice_number)
    if reference:
        rows.append((words["reference"], reference))
    return rows


def build_view(
    kind: DocumentKind,
    invoice: Invoice,
    org: Organization,
    account: Account | None,
    payments: list[Payment] | None = None,
) -> DocumentView:
    lang = invoice.language
    words = labels(lang)
    cur = invoice.currency

    def money(minor: int) -> str:
        return localize.money(minor, cur, lang)

    lines = [
        Line(
            description=li.description,
            quantity=localize.number(li.quantity, lang),
            unit_price=money(li.unit_amount),
            tax="" if li.tax_rate is None else localize.percent(li.tax_rate, lang),
            amount=money(li.amount),
            discount=f"{MINUS} {money(li.discount_amount)}" if li.discount_amount else None,
        )
        for li in invoice.line_items
    ]
    totals = [Total(words["subtotal"], money(invoice.subtotal))]
    if invoice.discount_total:
        totals.append(Total(words["discount"], f"{MINUS} {money(invoice.discount_total)}"))
    for tax in invoice.tax_breakdown:
        label = words["tax_on"].format(rate=localize.percent(tax.rate, lang), base=money(tax.taxable_amount))
        totals.append(Total(label, money(tax.tax_amount)))
    totals.append(Total(words["total"], money(invoice.total), strong=True))
    totals.append(Total(words["amount_paid"], money(invoice.amount_paid)))
    if kind == "invoice":
        totals.append(Total(words["amount_due"], money(invoice.amount_due), strong=True))

    mark = {"void": words["void"], "paid": words["paid"]}.get(invoice.status)
    branding = org.invoice_settings
    accent = branding.accent_color if _COLOUR.match(branding.accent_color or "") else DEFAULT_ACCENT
    logo = branding.logo_url if branding.logo_url and branding.logo_url.startswith("https://") else None
    return DocumentView(
        kind=kind,
        language=lang,
        labels=words,
        title=words[kind],
        number=invoice.invoice_number or invoice.id,
        seller_name=org.name,
        seller_email=org.email,
        buyer_name=account.name if account else "",
        buyer_email=account.email if account else None,
        issued=localize.day(invoice.issued_at.date() if invoice.issued_at else None, lang),
        due=localize.day(invoice.due_date, lang),
        terms=_terms(invoice.payment_terms, words),
        paid_on=localize.day(invoice.paid_at.date(), lang) if invoice.paid_at else None,
        memo=invoice.memo,
        lines=lines,
        totals=totals,
        mark=mark,
        accent=accent,
        logo_url=logo,
        footer=branding.footer_text,
        wire=_wire(org, invoice, words) if kind == "invoice" and invoice.status != "void" else [],
        payments=[
            PaymentLine(
                date=localize.day(p.payment_date, lang),
                method=p.method,
                reference=p.reference or "",
                amount=money(p.amount),
            )
            for p in payments or []
        ]
        if kind == "receipt"
        else [],
    )
