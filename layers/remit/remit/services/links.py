"""Links that emails carry. The hosted invoice page and the portal (C12) are built
elsewhere; until they hand out their own tokenized URLs, links are made from the stack's
PUBLIC_BASE_URL with these paths, documented in docs/documents.md."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Links:
    base_url: str

    @classmethod
    def from_env(cls) -> Links:
        return cls(os.environ.get("PUBLIC_BASE_URL", "https://billing.example.com").rstrip("/"))

    def invoice(self, invoice_id: str) -> str:
        return f"{self.base_url}/invoices/{invoice_id}"

    def pay_now(self, invoice_id: str) -> str:
        return f"{self.base_url}/invoices/{invoice_id}/pay"

    def update_payment(self, account_id: str) -> str:
        return f"{self.base_url}/accounts/{account_id}/payment-methods"
