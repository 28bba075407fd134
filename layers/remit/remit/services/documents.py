"""Invoice and receipt PDFs: where they live, when they may exist, and links to them.

A document belongs to one version of its invoice (``<orgId>/invoices/<invoiceId>/
invoice-v<version>.pdf``): a payment or a void makes a new version and so a new document
with the PAID or VOID mark, and an old link never shows a newer state than it said. Any
function can find or link a document; only the PDF function renders one (``render``,
with WeasyPrint passed in), the others ask it to (``Renderer``).

A version is rendered once: the documents queue (ahead of need) and a direct invoke (an
email's attachment, a download) can ask for it at the same moment, so a render first takes
the version's claim (remit.store.render_claims). The loser does not render: the queue's
simply leaves it to the holder, a direct invoke waits a few seconds for the stored PDF."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from remit.documents.view import DocumentKind, DocumentView, build_view
from remit.domain.invoice import Invoice, Payment
from remit.errors import InvalidTransition, NotFound, Unavailable
from remit.observability import logger
from remit.schemas.documents import DocumentLink
from remit.services.context import Context

LINK_SECONDS = 15 * 60
# A render takes well under a second warm and a few seconds cold, and the PDF function
# stops at 30 s (template.yaml): a holder that has not stored its PDF a minute after
# claiming is dead, and another may take over without ever rendering alongside it.
RENDER_LEASE = timedelta(minutes=1)
# How a direct invoke that lost the claim waits for the holder's PDF: polls of S3, a
# bounded number, well inside the invoker's 30 s read timeout (remit.adapters.pdf_function).
WAIT_POLLS = 20
POLL_SECONDS = 0.5


class RenderInProgress(Unavailable):
    """Another renderer holds this version's claim and has not stored it yet; try later."""

    code = "document_rendering"


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
    def __init__(
        self,
        ctx: Context,
        storage: Storage,
        renderer: Renderer | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = ctx.store
        self.clock = ctx.clock
        self.storage = storage
        self.renderer = renderer
        # How a render that lost the claim waits between polls (tests pass their own).
        self.sleep = sleep

    def _invoice(self, org_id: str, invoice_id: str) -> Invoice:
        invoice = self.store.invoices.get(org_id, invoice_id)
        if invoice is None:
            raise NotFound(f"no invoice {invoice_id}", field="id")
        return invoice

    def ensure(self, org_id: str, invoice_id: str, kind: DocumentKind) -> tuple[Invoice, str]:
        """The invoice and the key of its current document, rendered first if missing."""
        invoice = self._invoice(org_id, invoice_id)
        return invoice, self.ensure_of(invoice, kind)

    def ensure_of(self, invoice: Invoice, kind: DocumentKind) -> str:
        """The key of the document of an invoice the caller has loaded already: the stored
        one, else the PDF function's (which renders it under the version's claim)."""
        check_kind(invoice, kind)
        key = document_key(invoice.organization_id, invoice.id, kind, invoice.version)
        if not self.storage.exists(key):
            if self.renderer is None:
                raise RuntimeError("no renderer configured")
            key = self.renderer.render(invoice.organization_id, invoice.id, kind)
        return key

    def link(self, org_id: str, invoice_id: str, kind: DocumentKind) -> DocumentLink:
        _, key = self.ensure(org_id, invoice_id, kind)
        url = self.storage.presign(key, LINK_SECONDS)
        return DocumentLink(url=url, expires_at=self.clock.now() + timedelta(seconds=LINK_SECONDS))

    def attachment(self, invoice: Invoice, kind: DocumentKind) -> tuple[str, bytes]:
        """(file name, PDF bytes) for an email, of the invoice the email was made from
        (loaded once by the sender; not read again here)."""
        key = self.ensure_of(invoice, kind)
        return filename(invoice, kind), self.storage.get(key)

    # -- the PDF function's side ---------------------------------------------------------

    def _detail(self, org_id: str, invoice_id: str, kind: DocumentKind) -> tuple[Invoice, list[Payment]]:
        found = self.store.invoices.get_detail(org_id, invoice_id)
        if found is None:
            raise NotFound(f"no invoice {invoice_id}", field="id")
        invoice, payments, _ = found
        check_kind(invoice, kind)
        return invoice, payments

    def _view_of(self, invoice: Invoice, payments: list[Payment], kind: DocumentKind) -> DocumentView:
        org, account = invoice.organization_id, invoice.account_id
        found_account, found_org = self.store.accounts.get_with_organization(org, account)
        if found_org is None:
            raise NotFound(f"no invoice {invoice.id}", field="id")
        return build_view(kind, invoice, found_org, found_account, payments)

    def view(self, org_id: str, invoice_id: str, kind: DocumentKind) -> tuple[Invoice, DocumentView]:
        invoice, payments = self._detail(org_id, invoice_id, kind)
        return invoice, self._view_of(invoice, payments, kind)

    def render(
        self,
        org_id: str,
        invoice_id: str,
        kind: DocumentKind,
        pdf: Callable[[DocumentView], bytes],
        *,
        wait: bool = True,
    ) -> str:
        """Render the current version's document unless it is there already; its key.

        Only the holder of the version's claim renders. One that finds the claim held
        returns at once when ``wait`` is false (the documents queue: the holder stores
        it), else polls S3 for the holder's PDF; if it is still missing when the polls are
        over, it takes the claim over when the holder's lease has run out (it died) and
        otherwise gives up with RenderInProgress (the caller retries later)."""
        invoice, payments = self._detail(org_id, invoice_id, kind)
        key = document_key(org_id, invoice.id, kind, invoice.version)
        if self.storage.exists(key):
            return key
        token = secrets.token_urlsafe(12)  # this render's, to release only our own claim
        if not self._claim(org_id, key, token):
            if not wait or self._stored_soon(key):
                return key
            if not self._claim(org_id, key, token):
                raise RenderInProgress(f"the document {key} is being rendered; try again shortly")
        try:
            # Stored by a holder that finished between our HeadObject and our claim?
            if not self.storage.exists(key):
                view = self._view_of(invoice, payments, kind)
                self.storage.put_pdf(key, pdf(view), filename(invoice, kind))
        finally:
            # Stored, or failed (a retry may render at once): either way no longer ours.
            self._release(org_id, key, token)
        return key

    def _release(self, org_id: str, key: str, token: str) -> None:
        try:
            self.store.render_claims.release(org_id, key, token)
        except Exception:
            # Never let the release hide the render's own outcome: an unreleased claim
            # only makes the next renderer wait for its lease.
            logger.exception("render claim not released", key=key)

    def _claim(self, org_id: str, key: str, token: str) -> bool:
        now = self.clock.now()
        return self.store.render_claims.claim(org_id, key, token, now, now + RENDER_LEASE)

    def _stored_soon(self, key: str) -> bool:
        """Whether the claim's holder stores the document within our bounded wait."""
        deadline = self.clock.now() + timedelta(seconds=WAIT_POLLS * POLL_SECONDS)
        for _ in range(WAIT_POLLS):
            self.sleep(POLL_SECONDS)
            if self.storage.exists(key):
                return True
            if self.clock.now() >= deadline:
                break
        return False

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
