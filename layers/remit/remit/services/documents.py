"""Invoice and receipt PDFs: where they live, when they may exist, and links to them.

A document belongs to one version of its invoice (``<orgId>/invoices/<invoiceId>/
invoice-v<version>.pdf``): a payment or a void makes a new version and so a new document
with the PAID or VOID mark, and an old link never shows a newer state than it said. Any
function can find or link a document; only the PDF function renders one (``render``,
with WeasyPrint passed in), the others ask it to (``Renderer``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from remit.documents.view import DocumentKind, DocumentView, build_view
from remit.domain.invoice import Invoice
from remit.errors import InvalidTransition, NotFound
from remit.schemas.documents import DocumentLink
from remit.services.context import Context

LINK_SECONDS = 15 * 60


class Storage(Protocol):
    def exists(self, key: str) -> bool: ...

    def put_pdf(self, key: str, body: bytes, filename: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def presign(self, key: str, seconds: int) -> str: ...


class Renderer(Protocol):
    def render(self, org_id: str, invoice_id: str, kind: DocumentKind) -> str: ...


def preview_key(org_id: str, version: int) -> str:
    """The branding preview of one version of the organization's settings."""
    return f"{org_id}/previews/branding-v{version}.pdf"


def document_key(org_id: str, invoice_id: str, kind: DocumentKind, version: int) -> str:
    return f"{org_id}/invoices/{invoice_id}/{kind}-v{version}.pdf"


def filename(invoice: Invoice, kind: DocumentKind) -> str:
    number = (invoice.invoice_number or invoice.id).replace('"', "")
    return f"{'Receipt' if kind == 'receipt' else 'Invoice'} {number}.pdf"


def check_kind(invoice: Invoice, kind: DocumentKind) -> None:
    """An invoice PDF once it has a number; a receipt once it is paid."""
    if invoice.status == "draft":
        raise InvalidTransition("a draft has no PDF yet: finalize it first", field="status")
    if kind == "receipt" and invoice.status != "paid":
        raise InvalidTransition(
            f"a receipt exists once the invoice is paid; it is {invoice.status}", field="status"
        )


class DocumentService:
    def __init__(self, ctx: Context, storage: Storage, renderer: Renderer | None = None) -> None:
        self.store = ctx.store
        self.clock = ctx.clock
        self.storage = storage
        self.renderer = renderer

    def _invoice(self, org_id: str, invoice_id: str) -> Invoice:
        invoice = self.store.invoices.get(org_id, invoice_id)
        if invoice is None:
            raise NotFound(f"no invoice {invoice_id}", field="id")
        return invoice

    def ensure(self, org_id: str, invoice_id: str, kind: DocumentKind) -> tuple[Invoice, str]:
        """The invoice and the key of its current document, rendered first if missing."""
        invoice = self._invoice(org_id, invoice_id)
        check_kind(invoice, kind)
        key = document_key(org_id, invoice.id, kind, invoice.version)
        if not self.storage.exists(key):
            if self.renderer is None:
                raise RuntimeError("no renderer configured")
            key = self.renderer.render(org_id, invoice_id, kind)
        return invoice, key

    def link(self, org_id: str, invoice_id: str, kind: DocumentKind) -> DocumentLink:
        _, key = self.ensure(org_id, invoice_id, kind)
        url = self.storage.presign(key, LINK_SECONDS)
        return DocumentLink(url=url, expires_at=self.clock.now() + timedelta(seconds=LINK_SECONDS))

    def attachment(self, org_id: str, invoice_id: str, kind: DocumentKind) -> tuple[str, bytes]:
        """(file name, PDF bytes) for an email."""
        invoice, key = self.ensure(org_id, invoice_id, kind)
        return filename(invoice, kind), self.storage.get(key)

    # -- the PDF function's side ---------------------------------------------------------

    def view(self, org_id: str, invoice_id: str, kind: DocumentKind) -> tuple[Invoice, DocumentView]:
        found = self.store.invoices.get_detail(org_id, invoice_id)
        org = self.store.organizations.get(org_id)
        if found is None or org is None:
            raise NotFound(f"no invoice {invoice_id}", field="id")
        invoice, payments, _ = found
        check_kind(invoice, kind)
        account = self.store.accounts.get(org_id, invoice.account_id)
        return invoice, build_view(kind, invoice, org, account, payments)

    def render(
        self, org_id: str, invoice_id: str, kind: DocumentKind, pdf: Callable[[DocumentView], bytes]
    ) -> str:
        """Render the current version's document unless it is there already; its key."""
        invoice, view = self.view(org_id, invoice_id, kind)
        key = document_key(org_id, invoice.id, kind, invoice.version)
        if not self.storage.exists(key):
            self.storage.put_pdf(key, pdf(view), filename(invoice, kind))
        return key

    def render_preview(self, org_id: str, pdf: Callable[[DocumentView], bytes]) -> str:
        """A sample invoice (never stored) with the organization's saved branding, numbering
        and footer: the dashboard's live preview. Kept per settings version."""
        from remit.documents.sample import sample_account, sample_invoice

        org = self.store.organizations.get(org_id)
        if org is None:
            raise NotFound("no such organization")
        key = preview_key(org_id, org.version)
        if not self.storage.exists(key):
            invoice = sample_invoice(number=f"{org.invoice_settings.invoice_prefix}PREVIEW")
            view = build_view("invoice", invoice, org, sample_account(), [])
            self.storage.put_pdf(key, pdf(view), "Preview.pdf")
        return key
