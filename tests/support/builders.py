"""Small builders for request bodies, so tests say only what matters to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from remit.schemas.invoice import InvoiceCreate
from remit.services.invoices import InvoiceService

if TYPE_CHECKING:
    from remit.domain.invoice import Invoice
    from remit.services.context import Context
    from tests.support.api_client import ApiClient


def line(unit: str = "100.00", qty: str = "1", **extra: Any) -> dict[str, Any]:
    return {
        "description": extra.pop("description", "Consulting"),
        "quantity": qty,
        "unitAmount": unit,
        **extra,
    }


def draft(account_id: str, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"accountId": account_id, "lineItems": list(lines) or [line()], **extra}


# -- issuing an invoice, the step most tests start from -----------------------------------
# One builder per way a test reaches Remit: the API handler in-process (ApiClient), the
# local cloud's API over HTTP (any (method, path, body) -> JSON callable), and the services.


def issue(api: ApiClient, account_id: str, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Create a draft (one 100.00 line unless ``lines`` are given) and finalize it through
    the API handler: the issued invoice as POST /finalize answered it."""
    created = api.post("/invoices", draft(account_id, *lines, **extra))
    assert created.status == 201, created
    issued = api.post(f"/invoices/{created.body['id']}/finalize")
    assert issued.status == 200, issued
    return issued.body  # type: ignore[no-any-return]


def issue_over_http(
    send: Callable[[str, str, Any], Any], account_id: str, *lines: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """The same over a client that answers JSON (and checks the status itself)."""
    created = send("POST", "/invoices", draft(account_id, *lines, **extra))
    return send("POST", f"/invoices/{created['id']}/finalize", None)  # type: ignore[no-any-return]


def issue_with_services(
    ctx: Context,
    org: str,
    account_id: str,
    unit: str = "100.00",
    *,
    currency: str | None = None,
    terms: str | None = None,
) -> Invoice:
    """A one-line ("Work") invoice drafted and finalized by InvoiceService, no HTTP."""
    body: dict[str, Any] = {
        "accountId": account_id,
        "lineItems": [{"description": "Work", "quantity": "1", "unitAmount": unit}],
    }
    if currency is not None:
        body["currency"] = currency
    if terms is not None:
        body["paymentTerms"] = terms
    service = InvoiceService(ctx)
    created = service.create_draft(org, InvoiceCreate.model_validate(body))
    return service.finalize(org, created.id)
