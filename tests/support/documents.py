"""The documents side of API tests: a moto bucket, and the PDF function replaced by the
same DocumentService.render it runs, in process (moto runs no Lambda functions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from remit.adapters.s3 import DocumentBucket
from remit.documents.view import DocumentKind
from remit.services.context import Context
from remit.services.documents import DocumentService
from tests.support.pdf import renderer

BUCKET = "remit-documents-test"


@dataclass
class InProcessPdfFunction:
    """What functions/pdf does on a direct invoke, counted."""

    ctx: Context
    storage: DocumentBucket
    calls: list[tuple[str, str, str]] = field(default_factory=list)

    def render(self, org_id: str, invoice_id: str, kind: DocumentKind) -> str:
        self.calls.append((org_id, invoice_id, kind))
        return DocumentService(self.ctx, self.storage).render(org_id, invoice_id, kind, renderer().render)
