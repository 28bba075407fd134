"""Dunning on the local cloud, as issue 8's "Done when" says: the seed's example schedule
walked by moving the clock (/_local/clock runs the sweeper, the collections queue and its
worker, and the email queue), watched in /_local/emails and /_local/sms."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from remit_local.stack import LocalStack
from tests.local.client import call

NewOrg = Callable[..., tuple[str, str]]


def test_the_seeds_dunning_schedule_on_the_moved_clock(stack: LocalStack, new_org: NewOrg) -> None:
    org, key = new_org("Local dunning")
    api = stack.api_url
    address = f"ap-{org.lower()}@globex.example"

    def send(method: str, path: str, body: Any = None) -> Any:
        reply = call(method, f"{api}{path}", body, key=key)
        assert reply.status in (200, 201), reply
        return reply.json

    def move_to(when: datetime) -> None:
        moved = call("POST", f"{api}/_local/clock", {"now": when.isoformat().replace("+00:00", "Z")})
        assert moved.status == 200, moved

    def mail() -> Counter[str]:
        """Subjects of this customer's emails, by their first words."""
        emails = call("GET", f"{api}/_local/emails").json
        return Counter(" ".join(e["subject"].split()[:2]) for e in emails if address in e["to"])

    # The moves below land an hour or so into each step's UTC day: steps at 00:00 here
    # (the default dailyRunTime is 09:00 local, docs/time.md).
    send("PATCH", "/organization/settings", {"dailyRunTime": "00:00"})
    send(
        "PATCH",
        "/organization/dunning-settings",
        {
            "enabled": True,
            "schedule": [
                {"daysPastDue": 0, "action": "retry_payment"},
                {"daysPastDue": 3, "action": "email_reminder", "template": "gentle"},
                {"daysPastDue": 3, "action": "retry_payment"},
                {"daysPastDue": 7, "action": "email_reminder", "template": "firm"},
                {"daysPastDue": 7, "action": "retry_payment"},
                {"daysPastDue": 14, "action": "email_reminder", "template": "final"},
                {"daysPastDue": 14, "action": "sms_reminder"},
                {"daysPastDue": 30, "action": "mark_uncollectible"},
            ],
        },
    )
    account = send("POST", "/accounts", {"name": "Globex", "email": address, "phone": "+14155550199"})["id"]
    send(
        "POST",
        f"/accounts/{account}/payment-methods",
        {"type": "card", "gatewayToken": "pm_card_chargeDeclined"},
    )
    draft = send(
        "POST",
        "/invoices",
        {
            "accountId": account,
            "paymentTerms": "net_30",
            "lineItems": [{"description": "Plan", "unitAmount": "80.00"}],
        },
    )
    invoice = send("POST", f"/invoices/{draft['id']}/finalize")
    first_day = datetime.combine(
        date.fromisoformat(invoice["dueDate"]) + timedelta(days=1), datetime.min.time(), UTC
    )

    walk = [
        # day, then: dunning emails by first words, payment_failed emails (one per retry), status
        (0, {}, 1, "past_due"),
        (3, {"Action needed:": 1}, 2, "past_due"),
        (7, {"Action needed:": 1, "Payment overdue:": 1}, 3, "past_due"),
        (14, {"Action needed:": 1, "Payment overdue:": 1, "Final notice": 1}, 3, "past_due"),
        (30, {"Action needed:": 1, "Payment overdue:": 1, "Final notice": 1}, 3, "uncollectible"),
    ]
    for day, dunning, failures, status in walk:
        move_to(first_day + timedelta(days=day, hours=1))
        seen = mail()
        assert {
            k: v for k, v in seen.items() if k in ("Action needed:", "Payment overdue:", "Final notice")
        } == dunning
        assert sum(v for k, v in seen.items() if k == "Payment for") == failures, (day, seen)
        body = send("GET", f"/invoices/{invoice['id']}")
        assert body["status"] == status, day
        assert len(body["paymentAttempts"]) == failures, day

    texts = [s for s in call("GET", f"{api}/_local/sms").json if s["phoneNumber"] == "+14155550199"]
    assert len(texts) == 1
    assert invoice["invoiceNumber"] in texts[0]["message"]

    # Every sweep twice more: nothing new.
    before = (mail(), len(texts))
    for _ in range(2):
        assert call("POST", f"{api}/_local/clock", {"advance": "PT10M"}).status == 200
    after = [s for s in call("GET", f"{api}/_local/sms").json if s["phoneNumber"] == "+14155550199"]
    assert (mail(), len(after)) == before
    steps = send("GET", f"/invoices/{invoice['id']}/collection")
    assert steps["nextStepAt"] is None
    assert [s["status"] for s in steps["steps"]] == ["done"] * 9
