"""What the dashboard's local tests share: operators on moto's Cognito, an issued invoice
with an email in its delivery log, and SES's bounce notification for that email."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from remit.services.delivery_log import TAG_ACCOUNT, TAG_EMAIL, TAG_INVOICE, TAG_ORG, DeliveryLog
from remit_local.demo import DEMO_PASSWORD, Operator, create_operator
from remit_local.stack import LocalStack
from tests.local.client import call
from tests.support.builders import issue_over_http


def operator(stack: LocalStack, org_id: str, role: str) -> Operator:
    email = f"{role}-{uuid.uuid4().hex[:8]}@ops.example"
    return create_operator(stack.clients.cognito, stack.user_pool_id, org_id, email, role, DEMO_PASSWORD)


def api(stack: LocalStack, key: str, method: str, path: str, body: Any = None) -> Any:
    reply = call(method, f"{stack.api_url}{path}", body, key=key)
    assert reply.status < 300, reply
    return reply.json


def issued_invoice(stack: LocalStack, key: str, account_id: str, amount: str = "420.00") -> dict[str, Any]:
    return issue_over_http(
        lambda method, path, body: api(stack, key, method, path, body),
        account_id,
        {"description": "Consulting", "unitAmount": amount},
    )


def send_and_bounce(stack: LocalStack, key: str, org_id: str, invoice: dict[str, Any]) -> None:
    """Email the invoice now (POST /send), then hand its delivery record the bounce SES
    would report through SesEventsFunction."""
    api(stack, key, "POST", f"/invoices/{invoice['id']}/send", {})
    ctx = stack.context()
    [delivery] = [d for d in ctx.store.deliveries.list(org_id, invoice["id"]) if d.trigger == "manual"]
    DeliveryLog(ctx).record_outcome(
        {
            TAG_ORG: org_id,
            TAG_ACCOUNT: invoice["accountId"],
            TAG_INVOICE: invoice["id"],
            TAG_EMAIL: delivery.id,
        },
        "bounced",
        datetime.now(UTC),
        delivery.to,
        "550 5.1.1 mailbox does not exist",
    )
