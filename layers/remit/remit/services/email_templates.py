"""Email templates: the company's own where it has written one (for the language, else
for every language), the default otherwise. Checked when saved, never at send time.

Link variables (``invoice_url``, ``pay_now_url``, ``update_payment_link``) are stored,
tokenized page links: they are made only when the template names them, and a preview
shows placeholders that open nothing and store nothing."""

from __future__ import annotations

import re
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
from remit.errors import Conflict, NotFound, ValidationFailed
from remit.schemas.emails import (
    EmailPreviewOut,
    EmailTemplateIn,
    EmailTemplateList,
    EmailTemplateOut,
    EmailTemplateSummary,
)
from remit.services.context import Context
from remit.services.links import PAY_ANCHOR, base_url

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


# Where each built-in template is used; an organization's own template has one of the
# kinds "reminder", "dunning" or "receipt" (remit.domain.email.TemplateKind).
BUILTIN_KINDS: dict[str, str] = {
    "invoice_issued": "invoice",
    "invoice_reminder": "reminder",
    "payment_receipt": "receipt",
    "payment_failed": "payment_failed",
    "payment_method_expiring": "account",
    "upcoming_due": "reminder",
    "past_due_gentle": "reminder",
    "past_due_firm": "reminder",
    "past_due_final": "reminder",
    "dunning_gentle": "dunning",
    "dunning_firm": "dunning",
    "dunning_final": "dunning",
}
assert set(BUILTIN_KINDS) == set(TEMPLATE_NAMES)
REMINDER_KINDS = frozenset({"reminder", "dunning"})  # reminders, afterDue and dunning steps
NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
RESERVED = frozenset({"gentle", "firm", "final"})  # a dunning step's tones (dunning_<tone>)


def usable_names(store: Any, org_id: str, kinds: Collection[str] = REMINDER_KINDS) -> tuple[str, ...]:
    """Built-in names and the organization's own templates of these kinds: what reminder
    settings and dunning steps may name (``store``: remit.store.repositories.Store)."""
    own = {t.name for t in store.email_templates.list(org_id) if t.kind in kinds}
    return (*TEMPLATE_NAMES, *sorted(own))


def check_name(name: str) -> None:
    """A built-in template's name (the routes that know no organization's own)."""
    if name not in TEMPLATE_NAMES:
        raise NotFound(f"no email template {name!r}; templates: {', '.join(TEMPLATE_NAMES)}", field="name")


def check_new_name(name: str) -> None:
    if not NAME.match(name):
        raise ValidationFailed(
            "a template name is lower case letters, digits and _, starting with a letter (at most 64)",
            field="name",
        )
    if name in RESERVED:
        raise ValidationFailed(f"{name!r} names a dunning tone (dunning_{name})", field="name")


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

    def kind_of(self, org_id: str, name: str) -> str:
        """The template's kind: a built-in's, or the organization's own template's
        (NotFound when it has none of that name)."""
        if name in BUILTIN_KINDS:
            return BUILTIN_KINDS[name]
        anywhere = self.store.email_templates.get_any(org_id, name)
        if anywhere is None or anywhere.kind is None:
            raise NotFound(f"no email template {name!r}", field="template")
        return anywhere.kind

    def effective(
        self, org_id: str, name: str, language: str
    ) -> tuple[emails.TemplateText, EmailTemplate | None]:
        exact, anywhere = self.store.email_templates.find(org_id, name, language)
        custom = exact or anywhere
        if custom is not None:
            text = emails.TemplateText(custom.subject, custom.from_name, custom.body, custom.reply_to)
            return text, custom
        check_name(name)  # an organization's own template always has its all-languages version
        subject, from_name, body = default(name, language)
        return emails.TemplateText(subject, from_name, body), None

    def _out(
        self, name: str, language: str, text: emails.TemplateText, custom: EmailTemplate | None
    ) -> EmailTemplateOut:
        return EmailTemplateOut(
            name=name,
            kind=BUILTIN_KINDS.get(name) or (custom.kind if custom else None) or "reminder",
            built_in=name in BUILTIN_KINDS,
            language=custom.language if custom else language,
            subject=text.subject,
            from_name=text.from_name,
            reply_to=text.reply_to,
            body=text.body,
            source="custom" if custom else "default",
            variables=sorted(VARIABLES),
            updated_at=custom.updated_at if custom else None,
        )

    def get(self, org_id: str, name: str, language: str | None) -> EmailTemplateOut:
        if language is None:
            org = self.store.organizations.get(org_id)
            language = org.settings.default_language if org else "en"
        text, custom = self.effective(org_id, name, language)
        return self._out(name, language, text, custom)

    def list(self, org_id: str) -> EmailTemplateList:
        """The built-in set (customized or not) and the organization's own, by name."""
        stored: dict[str, list[EmailTemplate]] = {}
        for t in self.store.email_templates.list(org_id):
            stored.setdefault(t.name, []).append(t)
        rows = []
        for name in (*TEMPLATE_NAMES, *sorted(set(stored) - set(TEMPLATE_NAMES))):
            versions = stored.get(name, [])
            anywhere = next((t for t in versions if t.language is None), None)
            rows.append(
                EmailTemplateSummary(
                    name=name,
                    kind=BUILTIN_KINDS.get(name) or (anywhere.kind if anywhere else None) or "reminder",
                    built_in=name in BUILTIN_KINDS,
                    source="custom" if versions else "default",
                    languages=sorted(t.language or "*" for t in versions),
                )
            )
        return EmailTemplateList(data=rows)

    def put(self, org_id: str, name: str, language: str | None, body: EmailTemplateIn) -> EmailTemplateOut:
        kind = None
        if name in BUILTIN_KINDS:
            if body.kind is not None:
                # A 409: the body is well-formed, the name it is sent to is what refuses it.
                raise Conflict(f"{name} is a built-in template: its kind is fixed", field="kind")
            base, _ = self.effective(org_id, name, language or "en")
        else:
            check_new_name(name)
            anywhere = self.store.email_templates.get_any(org_id, name)
            if anywhere is None:
                # A new template of the organization's own: for every language first (so
                # every reader has a version), with its kind and its text.
                if language is not None:
                    raise ValidationFailed(
                        f"create {name} for every language first (without ?language)", field="language"
                    )
                if body.kind is None or body.subject is None or body.body is None:
                    raise ValidationFailed(
                        "a new template needs kind (reminder, dunning or receipt), subject and body",
                        field="kind"
                        if body.kind is None
                        else ("subject" if body.subject is None else "body"),
                    )
                base = emails.TemplateText(body.subject, "{{company_name}} Billing", body.body)
                kind = body.kind
            else:
                if body.kind is not None and language is not None and body.kind != anywhere.kind:
                    raise ValidationFailed("a template's kind is set without ?language", field="kind")
                kind = body.kind or anywhere.kind
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
                kind=kind,
                subject=text.subject,
                from_name=text.from_name,
                reply_to=text.reply_to,
                body=text.body,
                updated_at=self.clock.now(),
            )
        )
        return self.get(org_id, name, language)

    def delete(self, org_id: str, name: str, language: str | None) -> None:
        """A built-in's override, or one language of an organization's own template, or
        (without ``language``) the whole of it: refused (409) while something names it."""
        if name in BUILTIN_KINDS:
            self.store.email_templates.delete(org_id, name, language)
            return
        versions = [t for t in self.store.email_templates.list(org_id) if t.name == name]
        if not versions:
            raise NotFound(f"no email template {name!r}", field="name")
        if language is not None:
            self.store.email_templates.delete(org_id, name, language)
            return
        user = self._user_of(org_id, name)
        if user is not None:
            raise Conflict(
                f"{name} is in use by {user}; change that first", field=user, code="template_in_use"
            )
        for t in versions:
            self.store.email_templates.delete(org_id, name, t.language)

    def _user_of(self, org_id: str, name: str) -> str | None:
        """What names the template: the reminder settings or a dunning step."""
        org = self.store.organizations.get(org_id)
        if org is None:
            return None
        reminders, dunning = org.reminder_settings, org.dunning_settings
        if reminders.before_due.template == name:
            return "reminderSettings.beforeDue.template"
        for day, template in sorted(reminders.after_due.templates.items()):
            if template == name:
                return f"reminderSettings.afterDue.templates.{day}"
        for i, step in enumerate(dunning.schedule):
            if step.template == name:
                return f"dunningSettings.schedule[{i}].template"
        return None

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
