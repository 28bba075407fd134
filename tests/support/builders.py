"""Small builders for request bodies, so tests say only what matters to them."""

from __future__ import annotations

from typing import Any


def line(unit: str = "100.00", qty: str = "1", **extra: Any) -> dict[str, Any]:
    return {
        "description": extra.pop("description", "Consulting"),
        "quantity": qty,
        "unitAmount": unit,
        **extra,
    }


def draft(account_id: str, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"accountId": account_id, "lineItems": list(lines) or [line()], **extra}
