"""AutoPay on the local cloud, as "Done when" says: on_issue charges at finalization; with
days_before_due 3 and a 30-day term, moving the clock 27 days (the scheduler runs the
sweeper, the AutoPay queue and its worker) charges the invoice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from remit_local.stack import LocalStack
from tests.local.client import call

NewOrg = Callable[..., tuple[str, str]]


def test_autopay_on_issue_and_days_before_due_through_the_local_cloud(
    stack: LocalStack, new_org: NewOrg
) -> None:
    org, key = new_org("Local AutoPay")
    api = stack.api_url

    def send(method: str, path: str, body: Any = None) -> Any:
        reply = call(method, f"{api}{path}", body, key=key)
        assert reply.status in (200, 201), reply
        return reply.json

    def customer(timing: str, **extra: Any) -> str:
        account = send(
            "POST",
            "/accounts",
            {"name": f"AutoPay {timing}", "autoPayEnabled": True, "autoPayTiming": timing, **extra},
        )["id"]
        send("POST", f"/accounts/{account}/payment-methods", {"type": "card", "gatewayToken": "pm_card_visa"})
        return str(account)

    def invoice(account: str, amount: str) -> dict[str, Any]:
        draft = send(
            "POST",
            "/invoices",
            {
                "accountId": account,
                "paymentTerms": "net_30",
                "lineItems": [{"description": "Plan", "unitAmount": amount}],
            },
        )
        return send("POST", f"/invoices/{draft['id']}/finalize")  # type: ignore[no-any-return]

    on_issue = invoice(customer("on_issue"), "49.00")
    assert (on_issue["status"], on_issue["amountPaid"]) == ("paid", "49.00")
    assert [a["status"] for a in on_issue["paymentAttempts"]] == ["succeeded"]

    early = invoice(customer("days_before_due", autoPayDaysBefore=3), "120.00")
    assert (early["status"], early["autoPay"]) == ("issued", True)
    moved = call("POST", f"{api}/_local/clock", {"advance": "P26D"})
    assert moved.status == 200, moved
    assert send("GET", f"/invoices/{early['id']}")["status"] == "issued"  # three days before is tomorrow
    moved = call("POST", f"{api}/_local/clock", {"advance": "P1D"})
    assert moved.status == 200, moved

    paid = send("GET", f"/invoices/{early['id']}")
    assert (paid["status"], paid["amountPaid"]) == ("paid", "120.00")
    assert [(a["trigger"], a["status"]) for a in paid["paymentAttempts"]] == [("autopay", "succeeded")]
    charged = sorted(c["amount"] for c in stack.context().store.sandbox.entries(org, "charge"))
    assert charged == [4900, 12000]


def test_retries_follow_the_policy_and_a_hard_decline_is_tried_once(
    stack: LocalStack, new_org: NewOrg
) -> None:
    _, key = new_org("Local retries")
    api = stack.api_url

    def send(method: str, path: str, body: Any = None) -> Any:
        reply = call(method, f"{api}{path}", body, key=key)
        assert reply.status in (200, 201), reply
        return reply.json

    send(
        "PATCH",
        "/organization/payment-settings",
        {"retryPolicies": {"card": {"retries": 2, "hoursBetween": 1}}},
    )

    def finalized(token: str) -> str:
        account = send(
            "POST", "/accounts", {"name": token, "autoPayEnabled": True, "autoPayTiming": "on_issue"}
        )["id"]
        send("POST", f"/accounts/{account}/payment-methods", {"type": "card", "gatewayToken": token})
        draft = send(
            "POST",
            "/invoices",
            {"accountId": account, "lineItems": [{"description": "x", "unitAmount": "5.00"}]},
        )
        return str(send("POST", f"/invoices/{draft['id']}/finalize")["id"])

    flaky = finalized("pm_card_chargeDeclinedProcessingError")
    hard = finalized("pm_card_chargeDeclined")
    for _ in range(4):
        moved = call("POST", f"{api}/_local/clock", {"advance": "PT1H"})
        assert moved.status == 200, moved

    retried = send("GET", f"/invoices/{flaky}")
    assert [(a["number"], a["trigger"], a["gatewayCode"]) for a in retried["paymentAttempts"]] == [
        (1, "autopay", "processing_error"),
        (2, "retry", "processing_error"),
        (3, "retry", "processing_error"),
    ]
    assert (retried["status"], retried["nextPaymentAttempt"]) == ("issued", None)
    assert retried["handedToDunningAt"] is not None
    once = send("GET", f"/invoices/{hard}")
    assert [(a["status"], a["gatewayCode"], a["retryable"]) for a in once["paymentAttempts"]] == [
        ("failed", "generic_decline", False)
    ]
