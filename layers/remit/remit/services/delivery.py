"""Email delivery: which email an event sends, to whom, exactly once; the delivery log;
what SES later says about each email.

Exactly once: every email has a delivery record keyed by what caused it (the event's id
and the template, or a manual send's own id). Sending starts with a conditional write that
claims the record; a second run of the same event (SQS redelivery, a retried batch) finds
it claimed and sends nothing. The claim carries a lease: a sender that died mid-way lets a
later run take over once the lease is over, and a failed send (SES refused) can be retried.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Protocol

from remit.documents.view import DocumentKind
from remit.domain.account import Account
from remit.domain.email import SETTLED, EmailDelivery
from remit.domain.events import Event
from remit.domain.invoice import Invoice
from remit.domain.organization import Organization
from remit.emails import render as emails
from remit.emails.mime import Attachment, OutgoingEmail
from remit.errors import InvalidTransition, NotFound, Unavailable, ValidationFailed
from remit.ids import new_id
from remit.services.context import Context
from remit.services.delivery_log import NO_INVOICE, TAG_ACCOUNT, TAG_EMAIL, TAG_INVOICE, TAG_ORG
from remit.services.documents import DocumentService
from remit.services.email_templates import (
    BUILTIN_KINDS,
    REMINDER_KINDS,
    EmailTemplateService,
    default_method,
    variables,
)
from remit.services.links import Links
from remit.store.emails import ClaimRefused

LEASE = timedelta(minutes=5)

# Event type -> (template, the document attached when the organization attaches PDFs).
EVENT_EMAILS: dict[str, tuple[str, DocumentKind | None]] = {
    "invoice.issued": ("invoice_issued", "invoice"),
    "invoice.paid": ("payment_receipt", "receipt"),
    "invoice.payment_failed": ("payment_failed", None),
    "payment_method.expiring": ("payment_method_expiring", None),
}
# Templates a manual send may use, with their attachment.
MANUAL_ATTACHMENT: dict[str, DocumentKind | None] = {
    "invoice_issued": "invoice",
    "payment_receipt": "receipt",
}


class Mailer(Protocol):
    def send(self, email: OutgoingEmail) -> str: ...


class DeliveryInProgress(Exception):
    """Another run holds this email's claim right now; try again after its lease."""


@dataclass(frozen=True)
class Subject:
    org: Organization
    account: Account
    invoice: Invoice | None


class DeliveryService:
    def __init__(
        self,
        ctx: Context,
        mailer: Mailer,
        documents: DocumentService,
        sender_address: str,
        links: Links | None = None,
    ) -> None:
        self.store = ctx.store
        self.clock = ctx.clock
        self.mailer = mailer
        self.documents = documents
        self.sender_address = sender_address
        self.links = links or Links.from_env(ctx)
        self.templates = EmailTemplateService(ctx)

    # -- what causes an email -------------------------------------------------------------

    def on_event(self, event: Event) -> EmailDelivery | None:
        """The email an event sends (None for an event that sends none)."""
        if event.type not in EVENT_EMAILS:
            return None
        template, attach = EVENT_EMAILS[event.type]
        org_id = event.organization_id
        if event.type == "payment_method.expiring":
            account_id = str(event.data.get("accountId") or "")
            subject = self._subject(org_id, account_id=account_id)
        else:
            subject = self._subject(org_id, invoice_id=str(event.data.get("id") or event.subject_id))
        return self._deliver(subject, template, f"{event.id}-{template}", event.type, attach, automatic=True)

    def send_again(self, org_id: str, invoice_id: str, template: str = "invoice_issued") -> EmailDelivery:
        """``POST /invoices/{id}/send``: the invoice email (or another template) once more."""
        kind = self.templates.kind_of(org_id, template)  # a built-in, or the organization's own
        subject = self._subject(org_id, invoice_id=invoice_id)
        assert subject.invoice is not None
        if subject.invoice.status == "draft":
            raise InvalidTransition("a draft cannot be sent: finalize it first", field="status")
        if kind == "receipt" and subject.invoice.status != "paid":
            raise InvalidTransition("a receipt is sent once the invoice is paid", field="template")
        attach = MANUAL_ATTACHMENT.get(template) or ("receipt" if kind == "receipt" else None)
        delivery_id = f"{new_id('snd', self.clock)}-{template}"
        return self._deliver(subject, template, delivery_id, "manual", attach, automatic=False)

    def send_reminder(
        self,
        org_id: str,
        invoice_id: str,
        template: str,
        delivery_id: str,
        trigger: str,
        *,
        message: str | None = None,
        cc: Sequence[str] = (),
        automatic: bool = False,
    ) -> EmailDelivery:
        """A reminder or dunning email. ``delivery_id`` is the claim: the same id never
        sends twice (collections pass their step's key; a manual reminder its own id).
        ``automatic`` ones respect an account whose delivery method is ``none``."""
        kind = self.templates.kind_of(org_id, template)
        if template not in BUILTIN_KINDS and kind not in REMINDER_KINDS:
            raise ValidationFailed(f"{template} is not a reminder or dunning template", field="template")
        subject = self._subject(org_id, invoice_id=invoice_id)
        return self._deliver(
            subject, template, delivery_id, trigger, None, automatic=automatic, message=message, extra_cc=cc
        )

    # -- sending --------------------------------------------------------------------------

    def _subject(
        self, org_id: str, *, invoice_id: str | None = None, account_id: str | None = None
    ) -> Subject:
        invoice = None
        if invoice_id is not None:
            invoice = self.store.invoices.get(org_id, invoice_id)
            if invoice is None:
                raise NotFound(f"no invoice {invoice_id}", field="id")
            account_id = invoice.account_id
        account, org = self.store.accounts.get_with_organization(org_id, account_id or "")
        if account is None or org is None:
            raise NotFound(f"no account {account_id}", field="accountId")
        return Subject(org, account, invoice)

    def _deliver(
        self,
        subject: Subject,
        template: str,
        delivery_id: str,
        trigger: str,
        attach: DocumentKind | None,
        *,
        automatic: bool,
        message: str | None = None,
        extra_cc: Sequence[str] = (),
    ) -> EmailDelivery:
        org, account, invoice = subject.org, subject.account, subject.invoice
        now = self.clock.now()
        language = invoice.language if invoice else account.effective_language(org)
        to = account.recipients()
        cc = list(org.invoice_settings.cc_emails) if org.invoice_settings.cc_finance_team else []
        cc += [a for a in extra_cc if a not in cc]
        record = EmailDelivery(
            id=delivery_id,
            organization_id=org.id,
            account_id=account.id,
            invoice_id=invoice.id if invoice else None,
            template=template,
            language=language,
            trigger=trigger,
            to=to,
            cc=cc,
            status="sending",
            claimed_until=now + LEASE,
            created_at=now,
            updated_at=now,
        )
        skip = None
        if automatic and account.effective_delivery(org) == "none":
            skip = "the account's delivery method is none"
        elif not to:
            skip = "the account has neither recipients nor an email address"
        if skip:
            record = record.model_copy(update={"status": "skipped", "detail": skip, "claimed_until": None})
        try:
            self.store.deliveries.claim(record, now)
        except ClaimRefused as refused:
            existing = refused.existing
            if existing is not None and existing.status in SETTLED:
                return existing  # sent (or decided) by an earlier run: nothing to do
            raise DeliveryInProgress(delivery_id) from refused
        if skip:
            return record

        try:
            email = self._compose(subject, template, language, record, attach)
            if message:
                email = _with_message(email, message)
            message_id = self.mailer.send(email)
        except emails.RenderFailed as exc:
            # The template itself cannot be rendered (past a limit): retrying cannot help,
            # so an event or a collections step ends here with the email logged failed,
            # and a person sending by hand gets the 422 that says why.
            failed = self._failed(record, exc.message)
            if automatic:
                return failed
            raise
        except Exception as exc:
            self._failed(record, str(exc))
            # The record says failed; a queue retries the event, an API caller may retry.
            raise Unavailable(f"the email could not be sent: {exc}", code="email_failed") from exc
        sent_at = self.clock.now()
        sent = record.model_copy(
            update={
                "status": "sent",
                "subject": email.subject,
                "attachments": [a.filename for a in email.attachments],
                "ses_message_id": message_id,
                "claimed_until": None,
                "sent_at": sent_at,
                "updated_at": sent_at,
                "version": record.version + 1,
            }
        )
        self.store.deliveries.save(sent, record.version)
        return sent

    def _failed(self, record: EmailDelivery, detail: str) -> EmailDelivery:
        failed = record.model_copy(
            update={
                "status": "failed",
                "detail": detail[:500],
                "updated_at": self.clock.now(),
                "version": record.version + 1,
            }
        )
        self.store.deliveries.save(failed, record.version)
        return failed

    def _compose(
        self,
        subject: Subject,
        template: str,
        language: str,
        record: EmailDelivery,
        attach: DocumentKind | None,
    ) -> OutgoingEmail:
        # Everything from the subject loaded once (``_subject``); nothing here reads the
        # invoice, account or organization again.
        org, account, invoice = subject.org, subject.account, subject.invoice
        text, _ = self.templates.effective(org.id, template, language)
        # Links only for the variables the template names: each is a stored token.
        values = variables(
            org, account, invoice, self.links, emails.referenced(text), default_method(self.store)
        )
        rendered = emails.render(text, values)
        attachments = []
        if attach and invoice is not None and org.invoice_settings.attach_pdf:
            filename, pdf = self.documents.attachment(invoice, attach)
            attachments.append(Attachment(filename, pdf))
        return OutgoingEmail(
            from_address=self.sender_address,
            from_name=rendered.from_name,
            to=record.to,
            cc=record.cc,
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
            reply_to=rendered.reply_to,
            attachments=attachments,
            tags={
                TAG_ORG: org.id,
                TAG_ACCOUNT: account.id,
                TAG_INVOICE: invoice.id if invoice else NO_INVOICE,
                TAG_EMAIL: record.id,
            },
        )


def _with_message(email: OutgoingEmail, message: str) -> OutgoingEmail:
    """A sender's own words (a manual reminder's ``message``), after the greeting."""
    paragraph = f"<p>{html_lib.escape(message)}</p>"
    head, sep, rest = email.html.partition("</p>")
    html = f"{head}{sep}\n{paragraph}{rest}" if sep else f"{paragraph}\n{email.html}"
    first, newline, others = email.text.partition("\n")
    text = f"{first}\n\n{message}\n{others}" if newline else f"{message}\n\n{email.text}"
    return replace(email, html=html, text=text)
