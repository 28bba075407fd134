"""Email templates: the company's own where it has written one (for the language, else
for every language), the default otherwise. Checked when saved, never at send time.

Link variables (``invoice_url``, ``pay_now_url``, ``update_payment_link``) are stored,
tokenized page links: they are made only when the template names them, and a preview
shows placeholders that open nothing and store nothing."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Protocol

from remit.documents import localize
from remit.domain.account import Account
from remit.domain.email import EmailTemplate
from remit.domain.invoice import Invoice
from remit.domain.organization import Organization
from remit.domain.payment_method import PaymentMethod
from remit.emails import render as emails
from remit.emails.defaults import TEMPLATE_NAMES, VARIABLES, default
from remit.errors import NotFound
from remit.pages.links import base_url
from remit.schemas.emails import EmailPreviewOut, EmailTemplateIn, EmailTemplateOut
from remit.services.context import Context
from remit.services.links import PAY_ANCHOR

INVOICE_LINKS = frozenset({"invoice_url", "pay_now_url"})  # one link: the page, and its form
ACCOUNT_LINK = "update_payment_link"
METHOD = "payment_method"  # read (one GetItem) only for an AutoPay invoice whose template shows it

# The account's default payment method (what AutoPay charges), read when a template shows it.
MethodReader = Callable[[Organization, Account], PaymentMethod | None]


class LinkMaker(Protocol):
    """Where ``variables`` gets links: remit.services.links.Links, or placeholders."""

    def invoice(self, org: Organization, invoice: Invoice) -> tuple[str, str]: ...

    def update_payment(self, org: Organization, account: Account) -> str: ...


class PlaceholderLinks:
    """A preview's links: where the real ones would point, with a placeholder instead of
    a token. Nothing is stored, and a click opens the pages' not-found answer."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def invoice(self, org: Organization, invoice: Invoice) -> tuple[str, str]:
        url = f"{self.base}/i/preview"
        return url, f"{url}{PAY_ANCHOR}"

    def update_payment(self, org: Organization, account: Account) -> str:
        return f"{self.base}/portal/preview"


def check_name(name: str) -> None:
    if name not in TEMPLATE_NAMES:
        raise NotFound(f"no email template {name!r}; templates: {', '.join(TEMPLATE_NAMES)}", field="name")


def variables(
    org: Organization,
    account: Account | None,
    invoice: Invoice | None,
    links: LinkMaker,
    used: Collection[str],
    methods: MethodReader | None = None,
) -> dict[str, Any]:
    """Every variable, formatted for the reader's locale (the invoice's language). Links
    are made only for the names in ``used`` (``remit.emails.render.referenced``): each
    one is a stored token, and the others stay empty. ``payment_method`` is read (by
    ``methods``) only when named and the invoice is an AutoPay one."""
    lang = invoice.language if invoice else (account.effective_language(org) if account else "en")
    values: dict[str, Any] = dict.fromkeys(VARIABLES, "")
    values["line_items"] = []
    values["autopay"] = False
    values |= {"company_name": org.name, "customer_name": account.name if account else ""}
    if account and ACCOUNT_LINK in used:
        values[ACCOUNT_LINK] = links.update_payment(org, account)
    if invoice:
        cur = invoice.currency
        invoice_url = pay_now_url = ""
        if INVOICE_LINKS.intersection(used):
            invoice_url, pay_now_url = links.invoice(org, invoice)
        values |= {
            "invoice_number": invoice.invoice_number or "",
            "amount_due": localize.money(invoice.amount_due, cur, lang),
            "total": localize.money(invoice.total, cur, lang),
            "amount_paid": localize.money(invoice.amount_paid, cur, lang),
            "due_date": localize.day(invoice.due_date, lang),
            "issue_date": localize.day(invoice.issued_at.date() if invoice.issued_at else None, lang),
            "paid_date": localize.day(invoice.paid_at.date() if invoice.paid_at else None, lang),
            "invoice_url": invoice_url,
            "line_items": [
                {
                    "description": li.description,
                    "quantity": localize.number(li.quantity, lang),
                    "amount": localize.money(li.amount, cur, lang),
                }
                for li in invoice.line_items
            ],
            "pay_now_url": pay_now_url,
        }
        # AutoPay collects it: when (the scheduled charge) and with what (the default method).
        if invoice.auto_pay:
            # The scheduled charge; an on_issue one may have run by the time this is sent.
            when = invoice.next_charge_at or invoice.paid_at or invoice.issued_at
            values["autopay"] = True
            values["autopay_date"] = localize.day(when.date() if when else invoice.due_date, lang)
            if METHOD in used and account is not None and methods is not None:
                method = methods(org, account)
                values[METHOD] = _method_label(method) if method else ""
    return values


BRANDS = {"amex": "American Express", "diners": "Diners Club", "jcb": "JCB", "unionpay": "UnionPay"}


def _method_label(method: PaymentMethod) -> str:
    """What a customer reads: ``Visa •••• 4242`` (the gateway's brands are lower case)."""
    if method.card:
        brand = method.card.brand
        return f"{BRANDS.get(brand, brand.title())} •••• {method.card.last4}"
    return method.label()


def default_method(store: Any) -> MethodReader:
    """A MethodReader over the store: the account's default payment method."""

    def read(org: Organization, account: Account) -> PaymentMethod | None:
        if not account.default_payment_method_id:
            return None
        return store.payment_methods.get(org.id, account.id, account.default_payment_method_id)  # type: ignore[no-any-return]

    return read


class EmailTemplateService:
    def __init__(self, ctx: Context, pages_base: str | None = None) -> None:
        self.store = ctx.store
        self.clock = ctx.clock
        # Where a preview's placeholder links point: the hosted pages, as real links do.
        self.pages_base = pages_base if pages_base is not None else base_url()

    def effective(
        self, org_id: str, name: str, language: str
    ) -> tuple[emails.TemplateText, EmailTemplate | None]:
        check_name(name)
        exact, anywhere = self.store.email_templates.find(org_id, name, language)
        custom = exact or anywhere
        if custom is not None:
            text = emails.TemplateText(custom.subject, custom.from_name, custom.body, custom.reply_to)
            return text, custom
        subject, from_name, body = default(name, language)
        return emails.TemplateText(subject, from_name, body), None

    def get(self, org_id: str, name: str, language: str | None) -> EmailTemplateOut:
        if language is None:
            org = self.store.organizations.get(org_id)
            language = org.settings.default_language if org else "en"
        text, custom = self.effective(org_id, name, language)
        return EmailTemplateOut(
            name=name,
            language=custom.language if custom else language,
            subject=text.subject,
            from_name=text.from_name,
            reply_to=text.reply_to,
            body=text.body,
            source="custom" if custom else "default",
            variables=sorted(VARIABLES),
            updated_at=custom.updated_at if custom else None,
        )

    def put(self, org_id: str, name: str, language: str | None, body: EmailTemplateIn) -> EmailTemplateOut:
        check_name(name)
        base, _ = self.effective(org_id, name, language or "en")
        text = emails.TemplateText(
            subject=body.subject or base.subject,
            from_name=body.from_name or base.from_name,
            body=body.body or base.body,
            reply_to=body.reply_to if "reply_to" in body.model_fields_set else base.reply_to,
        )
        emails.check(text)
        self.store.email_templates.put(
            EmailTemplate(
                organization_id=org_id,
                name=name,
                language=language,
                subject=text.subject,
                from_name=text.from_name,
                reply_to=text.reply_to,
                body=text.body,
                updated_at=self.clock.now(),
            )
        )
        return self.get(org_id, name, language)

    def delete(self, org_id: str, name: str, language: str | None) -> None:
        check_name(name)
        self.store.email_templates.delete(org_id, name, language)

    def preview(
        self, org_id: str, name: str, language: str | None, invoice_id: str | None
    ) -> EmailPreviewOut:
        invoice = account = None
        if invoice_id:
            invoice = self.store.invoices.get(org_id, invoice_id)
            if invoice is None:
                raise NotFound(f"no invoice {invoice_id}", field="invoiceId")
            account, org = self.store.accounts.get_with_organization(org_id, invoice.account_id)
        else:
            org = self.store.organizations.get(org_id)
        if org is None:
            raise NotFound("no such organization")
        lang = language or (invoice.language if invoice else org.settings.default_language)
        text, _ = self.effective(org_id, name, lang)
        if invoice:
            # The invoice's own values, but placeholder links: a preview mints no tokens.
            placeholders = PlaceholderLinks(self.pages_base)
            values = variables(
                org, account, invoice, placeholders, emails.referenced(text), default_method(self.store)
            )
        else:
            values = dict(emails.SAMPLE_VARIABLES, company_name=org.name)
        out = emails.render(text, values)
        return EmailPreviewOut(
            subject=out.subject,
            from_name=out.from_name,
            reply_to=out.reply_to,
            html=out.html,
            text=out.text,
            sample=invoice is None,
        )
