"""Reminders, past due, dunning and late fees (issue 8), through the API and the
collections worker on a moved clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from remit.clock import FixedClock
from remit.services.context import Context
from remit.store.collections import COLLECTIONS
from remit.store.due import due
from tests.support import builders
from tests.support.api_client import ApiClient
from tests.support.builders import draft, line
from tests.support.collections import RecordingMailer, RecordingSms, collections, sweep
from tests.support.payments import charges, events, run_autopay


@pytest.fixture(autouse=True)
def steps_at_midnight(api: ApiClient) -> None:
    # These tests were written when every step ran at 00:00 UTC of its day; the default
    # dailyRunTime is 09:00 (docs/time.md, tested in test_time_zones.py).
    assert api.patch("/organization/settings", {"dailyRunTime": "00:00"}).status == 200


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def sms() -> RecordingSms:
    return RecordingSms()


def customer(api: ApiClient, token: str = "pm_card_chargeDeclined", **extra: Any) -> str:  # noqa: S107
    account = api.post("/accounts", {"name": "Globex", "email": "ap@globex.example", **extra})
    assert account.status == 201, account
    if token:
        pm = api.post(
            f"/accounts/{account.body['id']}/payment-methods", {"type": "card", "gatewayToken": token}
        )
        assert pm.status == 201, pm
    return str(account.body["id"])


def issue(api: ApiClient, account_id: str, amount: str = "1000.00", **extra: Any) -> dict[str, Any]:
    """Invoices here are one line, 1000.00 unless a test says otherwise."""
    return builders.issue(api, account_id, line(amount), **extra)


def at_day(due_date: str, days_past_due: int, hour: int = 6) -> datetime:
    """``days_past_due`` days into being past due (day 0 is the day after the due date)."""
    return datetime.combine(
        date.fromisoformat(due_date) + timedelta(days=1 + days_past_due), datetime.min.time(), UTC
    ) + timedelta(hours=hour)


def counts(ctx: Context, org: str) -> dict[str, int]:
    kinds = (
        "invoice.past_due",
        "invoice.payment_failed",
        "invoice.reminder_sent",
        "invoice.marked_uncollectible",
    )
    return {k: len(events(ctx, org, k)) for k in kinds} | {"charges": len(charges(ctx, org))}


# -- settings ----------------------------------------------------------------------------------


def test_dunning_enabled_without_a_schedule_gets_the_seeds_example(api: ApiClient) -> None:
    reply = api.patch("/organization/dunning-settings", {"enabled": True})
    assert reply.status == 200, reply
    dunning = reply.body["dunningSettings"]
    assert dunning["enabled"] is True
    assert [(s["daysPastDue"], s["action"], s["template"]) for s in dunning["schedule"]] == [
        (0, "retry_payment", None),
        (3, "email_reminder", "gentle"),
        (3, "retry_payment", None),
        (7, "email_reminder", "firm"),
        (7, "retry_payment", None),
        (14, "email_reminder", "final"),
        (30, "mark_uncollectible", None),
    ]


def test_a_schedule_is_saved_with_its_templates_resolved(api: ApiClient) -> None:
    body = {
        "enabled": True,
        "schedule": [
            {"daysPastDue": 1, "action": "sms_reminder"},
            {"daysPastDue": 5, "action": "email_reminder", "template": "firm"},
            {"daysPastDue": 10, "action": "pause_subscription"},
        ],
        "persistentFailureActions": ["cancel_subscription"],
    }
    reply = api.patch("/organization/dunning-settings", body)
    assert reply.status == 200, reply
    dunning = api.get("/organization").body["dunningSettings"]
    assert [s["template"] for s in dunning["schedule"]] == [None, "dunning_firm", None]
    assert dunning["persistentFailureActions"] == ["cancel_subscription"]


@pytest.mark.parametrize(
    ("schedule", "field", "words"),
    [
        (
            [{"daysPastDue": 0, "action": "retry_payment", "template": "gentle"}],
            "schedule[0].template",
            "no template",
        ),
        (
            [{"daysPastDue": 0, "action": "sms_reminder", "template": None}],
            "schedule[0].template",
            "no template",
        ),
    ],
)
def test_invalid_schedules_are_refused_with_the_step_named(
    api: ApiClient, schedule: list[dict[str, Any]], field: str, words: str
) -> None:
    reply = api.patch("/organization/dunning-settings", {"enabled": True, "schedule": schedule})
    assert reply.status == 422, reply
    assert reply.body["field"] == field
    assert words in reply.body["message"]
    assert api.get("/organization").body["dunningSettings"]["enabled"] is False


def test_steps_given_out_of_order_run_in_order_and_unknown_templates_are_404(api: ApiClient) -> None:
    steps = [
        {"daysPastDue": 7, "action": "retry_payment"},
        {"daysPastDue": 3, "action": "email_reminder", "template": "firm"},
        {"daysPastDue": 3, "action": "retry_payment"},
    ]
    reply = api.patch("/organization/dunning-settings", {"schedule": steps})
    assert reply.status == 200, reply
    saved = reply.body["dunningSettings"]["schedule"]
    assert [(s["daysPastDue"], s["action"], s["template"]) for s in saved] == [
        (3, "email_reminder", "dunning_firm"),
        (3, "retry_payment", None),
        (7, "retry_payment", None),
    ]
    # A template that does not exist is a reference to nothing, named at the step.
    stern = [{"daysPastDue": 0, "action": "email_reminder", "template": "stern"}]
    reply = api.patch("/organization/dunning-settings", {"schedule": stern})
    assert (reply.status, reply.body["field"]) == (404, "template"), reply
    assert "no email template" in reply.body["message"]
    assert api.get("/organization").body["dunningSettings"]["schedule"] == saved


def test_an_unknown_action_is_a_422(api: ApiClient) -> None:
    reply = api.patch(
        "/organization/dunning-settings", {"schedule": [{"daysPastDue": 1, "action": "call_them"}]}
    )
    assert reply.status == 422


def test_reminder_settings_as_in_the_seed(api: ApiClient) -> None:
    reply = api.patch(
        "/organization/reminder-settings",
        {"beforeDue": {"enabled": True, "daysBefore": [7, 3, 1], "template": "upcoming_due"}},
    )
    assert reply.status == 200, reply
    reply = api.patch(
        "/organization/reminder-settings",
        {
            "afterDue": {
                "enabled": True,
                "daysAfter": [1, 7, 14],
                "templates": {"1": "past_due_gentle", "7": "past_due_firm", "14": "past_due_final"},
            }
        },
    )
    assert reply.status == 200, reply
    settings = reply.body["reminderSettings"]
    assert settings["beforeDue"] == {"enabled": True, "daysBefore": [7, 3, 1], "template": "upcoming_due"}
    assert settings["afterDue"]["templates"] == {
        "1": "past_due_gentle",
        "7": "past_due_firm",
        "14": "past_due_final",
    }


def test_reminder_templates_for_days_not_yet_listed_are_kept_and_unknown_ones_are_404(api: ApiClient) -> None:
    reply = api.patch(
        "/organization/reminder-settings",
        {"afterDue": {"enabled": True, "daysAfter": [1], "templates": {"5": "past_due_firm"}}},
    )
    assert reply.status == 200, reply
    assert reply.body["reminderSettings"]["afterDue"]["templates"] == {"5": "past_due_firm"}
    reply = api.patch("/organization/reminder-settings", {"afterDue": {"daysAfter": [1, 5], "templates": {}}})
    assert reply.status == 200, reply
    for day in ("0", "366", "007", "x"):
        reply = api.patch(
            "/organization/reminder-settings", {"afterDue": {"templates": {day: "past_due_firm"}}}
        )
        assert reply.status == 422, (day, reply)
    reply = api.patch("/organization/reminder-settings", {"afterDue": {"templates": {"1": "nope"}}})
    assert (reply.status, reply.body["field"]) == (404, "afterDue.templates"), reply
    reply = api.patch("/organization/reminder-settings", {"beforeDue": {"template": "nope"}})
    assert reply.status == 404, reply
    assert reply.body["field"] == "beforeDue.template"


# -- the seed's example schedule, walked ------------------------------------------------------


def test_the_seeds_schedule_walked_each_step_once_then_nothing_more(
    api: ApiClient, ctx: Context, clock: FixedClock, org: str, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    assert api.patch("/organization/dunning-settings", {"enabled": True}).status == 200
    invoice = issue(api, customer(api))
    inv = invoice["id"]
    worker = collections(ctx, mailer, sms)

    # Until the day after the due date nothing is due: the sweep reads nothing.
    clock.set(at_day(invoice["dueDate"], -1, hour=23))
    assert sweep(ctx, worker, org) == []
    assert counts(ctx, org) == {
        "invoice.past_due": 0,
        "invoice.payment_failed": 0,
        "invoice.reminder_sent": 0,
        "invoice.marked_uncollectible": 0,
        "charges": 0,
    }

    expected = [
        # day, charges, emails (subjects so far), status, events
        (0, 1, [], "past_due"),
        (3, 2, ["Action needed: Payment for Invoice"], "past_due"),
        (7, 3, ["Action needed: Payment for Invoice", "Payment overdue: Invoice"], "past_due"),
        (
            14,
            3,
            [
                "Action needed: Payment for Invoice",
                "Payment overdue: Invoice",
                "Final notice before suspension",
            ],
            "past_due",
        ),
        (
            30,
            3,
            [
                "Action needed: Payment for Invoice",
                "Payment overdue: Invoice",
                "Final notice before suspension",
            ],
            "uncollectible",
        ),
    ]
    for day, charged, subjects, status in expected:
        clock.set(at_day(invoice["dueDate"], day))
        assert sweep(ctx, worker, org) == [inv], day
        got = counts(ctx, org)
        assert got["charges"] == charged, (day, got)
        assert got["invoice.payment_failed"] == charged, (day, got)
        assert got["invoice.past_due"] == 1, (day, got)
        assert got["invoice.reminder_sent"] == len(subjects), (day, got)
        assert got["invoice.marked_uncollectible"] == (1 if day == 30 else 0), (day, got)
        assert [s.split(" ")[0] for s in mailer.subjects()] == [s.split(" ")[0] for s in subjects], day
        assert all(inv_number in s for s in mailer.subjects() for inv_number in [invoice["invoiceNumber"]])
        assert api.get(f"/invoices/{inv}").body["status"] == status, day
        # Twice more at the same moment: nothing new.
        before = (counts(ctx, org), len(mailer.sent))
        for _ in range(2):
            # Every sweep: collections, and AutoPay's kinds (which must find nothing of it).
            sweep(ctx, worker, org)
            assert run_autopay(ctx, org) == []
            worker.run(org, inv)  # a stale or duplicated job as well
        assert (counts(ctx, org), len(mailer.sent)) == before, day

    assert all(e.to == ["ap@globex.example"] for e in mailer.sent)
    # Every dunning retry went through the payment path, trigger dunning, and failed.
    attempts = api.get(f"/invoices/{inv}").body["paymentAttempts"]
    assert [(a["trigger"], a["status"]) for a in attempts] == [("dunning", "failed")] * 3
    # The calendar is over: the invoice left the index; later sweeps read nothing.
    clock.set(at_day(invoice["dueDate"], 90))
    assert sweep(ctx, worker, org) == []
    assert not [i for i in due(ctx.store.table, COLLECTIONS, clock.now()) if i["id"] == inv]
    log = api.get(f"/invoices/{inv}/collection").body
    assert log["nextStepAt"] is None
    assert [(s["key"], s["status"]) for s in log["steps"]] == [
        ("past_due", "done"),
        ("dunning#000#retry_payment", "done"),
        ("dunning#003#email_reminder", "done"),
        ("dunning#003#retry_payment", "done"),
        ("dunning#007#email_reminder", "done"),
        ("dunning#007#retry_payment", "done"),
        ("dunning#014#email_reminder", "done"),
        ("dunning#030#mark_uncollectible", "done"),
    ]


def test_a_paid_invoice_gets_no_further_step(
    api: ApiClient, ctx: Context, clock: FixedClock, org: str, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    assert api.patch("/organization/dunning-settings", {"enabled": True}).status == 200
    invoice = issue(api, customer(api))
    worker = collections(ctx, mailer, sms)
    clock.set(at_day(invoice["dueDate"], 0))
    sweep(ctx, worker, org)
    paid = api.post(f"/invoices/{invoice['id']}/payments", {"amount": "1000.00", "method": "wire_transfer"})
    assert paid.status in (200, 201), paid
    for day in (3, 7, 14, 30):
        clock.set(at_day(invoice["dueDate"], day))
        sweep(ctx, worker, org)
    assert mailer.sent == []
    assert len(charges(ctx, org)) == 1
    assert api.get(f"/invoices/{invoice['id']}").body["status"] == "paid"
    assert sweep(ctx, worker, org) == []  # out of the index for good


def test_a_retry_that_collects_ends_the_calendar(
    api: ApiClient, ctx: Context, clock: FixedClock, org: str, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    assert api.patch("/organization/dunning-settings", {"enabled": True}).status == 200
    invoice = issue(api, customer(api, token="pm_card_visa"))
    worker = collections(ctx, mailer, sms)
    clock.set(at_day(invoice["dueDate"], 0))
    sweep(ctx, worker, org)
    body = api.get(f"/invoices/{invoice['id']}").body
    assert body["status"] == "paid"
    assert body["amountPaid"] == "1000.00"
    assert len(events(ctx, org, "invoice.paid")) == 1
    clock.set(at_day(invoice["dueDate"], 40))
    assert sweep(ctx, worker, org) == []
    assert mailer.sent == []
    assert len(charges(ctx, org)) == 1


# -- catch-up after a gap -----------------------------------------------------------------------


def test_after_a_gap_each_missed_dunning_step_runs_once_in_order_and_only_the_latest_reminder(
    api: ApiClient, ctx: Context, clock: FixedClock, org: str, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    api.patch("/organization/dunning-settings", {"enabled": True})
    api.patch(
        "/organization/reminder-settings",
        {"beforeDue": {"enabled": True, "daysBefore": [7, 3, 1]}, "afterDue": {"enabled": True}},
    )
    invoice = issue(api, customer(api))
    worker = collections(ctx, mailer, sms)

    # The schedule runs until 8 days before the due date (the 7-days-before reminder goes) ...
    clock.set(at_day(invoice["dueDate"], -8))
    sweep(ctx, worker, org)
    [first_reminder] = mailer.subjects()
    assert first_reminder.startswith(f"Invoice {invoice['invoiceNumber']} is due on ")
    # ... then stops; a week later (4 days past due) it starts again.
    clock.set(at_day(invoice["dueDate"], 4))
    sweep(ctx, worker, org)
    subjects = mailer.subjects()[1:]
    # Dunning: day 0 retry, day 3 gentle email + retry, in order; reminders: of the four that
    # fell due in the gap (3 and 1 days before, 1 day after), only the latest (1 day after).
    assert [s.split(":")[0] for s in subjects] == [
        f"Invoice {invoice['invoiceNumber']} is past due",
        "Action needed",
    ]
    assert len(charges(ctx, org)) == 2
    assert counts(ctx, org)["invoice.past_due"] == 1
    log = {s["key"]: s["status"] for s in api.get(f"/invoices/{invoice['id']}/collection").body["steps"]}
    assert log["reminder#before#003"] == "skipped"
    assert log["reminder#before#001"] == "skipped"
    assert log["reminder#after#001"] == "done"
    order = [
        s["key"]
        for s in api.get(f"/invoices/{invoice['id']}/collection").body["steps"]
        if s["status"] == "done"
    ]
    assert order == [
        "reminder#before#007",
        "past_due",
        "dunning#000#retry_payment",
        "reminder#after#001",
        "dunning#003#email_reminder",
        "dunning#003#retry_payment",
    ]
    # And nothing more until day 7.
    sweep(ctx, worker, org)
    assert len(mailer.sent) == 3
    assert len(charges(ctx, org)) == 2


# -- steps --------------------------------------------------------------------------------------


def test_sms_goes_to_the_accounts_phone_and_without_one_the_step_says_why(
    api: ApiClient, ctx: Context, clock: FixedClock, org: str, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    api.patch(
        "/organization/dunning-settings",
        {"enabled": True, "schedule": [{"daysPastDue": 2, "action": "sms_reminder"}]},
    )
    with_phone = issue(api, customer(api, token="", phone="+14155550123"))
    without = issue(api, customer(api, token=""))
    worker = collections(ctx, mailer, sms)
    clock.set(at_day(with_phone["dueDate"], 2))
    sweep(ctx, worker, org)
    sweep(ctx, worker, org)
    assert len(sms.sent) == 1
    phone, text = sms.sent[0]
    assert phone == "+14155550123"
    assert with_phone["invoiceNumber"] in text
    assert "$1,000.00" in text
    [step] = [
        s for s in api.get(f"/invoices/{without['id']}/collection").body["steps"] if s["kind"] == "dunning"
    ]
    assert step["status"] == "failed"
    assert "no phone number" in step["detail"]
    sent = list(events(ctx, org, "invoice.reminder_sent"))
    assert [(e["data"]["channel"], e["data"]["source"]) for e in sent] == [("sms", "dunning")]


def test_a_phone_number_must_be_e164(api: ApiClient) -> None:
    reply = api.post("/accounts", {"name": "X", "phone": "555-0123"})
    assert reply.status == 422, reply
    assert reply.body["field"] == "phone"


def test_pause_and_cancel_act_on_the_invoices_subscription_and_persistent_failure_runs_last(
    api: ApiClient, ctx: Context, clock: FixedClock, org: str, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    api.patch(
        "/organization/dunning-settings",
        {
            "enabled": True,
            "schedule": [
                {"daysPastDue": 1, "action": "pause_subscription"},
                {"daysPastDue": 5, "action": "email_reminder"},
            ],
            "persistentFailureActions": ["cancel_subscription", "mark_uncollectible"],
        },
    )
    account = customer(api, token="")
    product = api.post(
        "/products",
        {
            "name": "Plan",
            "prices": [{"unitAmount": "50.00", "currency": "USD", "recurring": {"interval": "month"}}],
        },
    )
    assert product.status == 201, product
    price = product.body["prices"][0]["id"]
    sub = api.post(
        "/subscriptions",
        {"accountId": account, "items": [{"priceId": price}], "collectionMethod": "send_invoice"},
    )
    assert sub.status == 201, sub
    [inv] = api.get("/invoices", query={"accountId": account}).body["data"]
    if inv["status"] == "draft":
        inv = api.post(f"/invoices/{inv['id']}/finalize").body
    worker = collections(ctx, mailer, sms)
    clock.set(at_day(inv["dueDate"], 1))
    sweep(ctx, worker, org)
    assert api.get(f"/subscriptions/{sub.body['id']}").body["status"] == "paused"
    clock.set(at_day(inv["dueDate"], 5))
    sweep(ctx, worker, org)
    assert api.get(f"/subscriptions/{sub.body['id']}").body["status"] == "canceled"
    assert api.get(f"/invoices/{inv['id']}").body["status"] == "uncollectible"
    steps = [s["key"] for s in api.get(f"/invoices/{inv['id']}/collection").body["steps"]]
    assert steps[-3:] == [
        "dunning#005#email_reminder",
        "persistent#cancel_subscription",
        "persistent#mark_uncollectible",
    ]
    assert len(events(ctx, org, "subscription.paused")) == 1
    assert len(events(ctx, org, "subscription.canceled")) == 1


# -- late fees ----------------------------------------------------------------------------------


def test_late_fees_once_a_month_on_the_overdue_balance_never_twice(
    api: ApiClient, ctx: Context, clock: FixedClock, org: str, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    assert api.patch("/organization/invoice-settings", {"lateFeePercentage": "1.5"}).status == 200
    invoice = issue(api, customer(api, token=""), amount="1000.00")
    worker = collections(ctx, mailer, sms)
    due_day = date.fromisoformat(invoice["dueDate"])
    first = datetime.combine(due_day + timedelta(days=1), datetime.min.time(), UTC)
    # Less than a month past due: no fee.
    clock.set(first + timedelta(days=27))
    sweep(ctx, worker, org)
    assert api.get(f"/invoices/{invoice['id']}").body["total"] == "1000.00"
    # A month: 1.5% of 1000.00, as a labelled untaxed line.
    clock.set(datetime(2026, 3, 17, 1, tzinfo=UTC) if first.month == 2 else first + timedelta(days=31))
    for _ in range(3):
        sweep(ctx, worker, org)
        worker.run(org, invoice["id"])
    body = api.get(f"/invoices/{invoice['id']}").body
    fees = [li for li in body["lineItems"] if li["description"].startswith("Late fee")]
    assert [(f["amount"], f["taxRate"]) for f in fees] == [("15.00", None)]
    assert fees[0]["description"] == "Late fee, month 1: 1.5% of 1000.00 USD overdue"
    assert body["total"] == "1015.00"
    assert body["amountDue"] == "1015.00"
    # After a three-month gap: months 2, 3 and 4, once each, on the balance without fees.
    clock.advance(timedelta(days=95))
    sweep(ctx, worker, org)
    sweep(ctx, worker, org)
    body = api.get(f"/invoices/{invoice['id']}").body
    fees = [li for li in body["lineItems"] if li["description"].startswith("Late fee")]
    assert [f["description"].split(":")[0] for f in fees] == [f"Late fee, month {m}" for m in (1, 2, 3, 4)]
    assert body["total"] == "1060.00"
    assert mailer.sent == []


def test_a_partial_payment_lowers_the_next_fee(
    api: ApiClient, ctx: Context, clock: FixedClock, org: str, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    api.patch("/organization/invoice-settings", {"lateFeePercentage": "2"})
    invoice = issue(api, customer(api, token=""), amount="500.00")
    worker = collections(ctx, mailer, sms)
    api.post(f"/invoices/{invoice['id']}/payments", {"amount": "200.00", "method": "wire_transfer"})
    clock.set(at_day(invoice["dueDate"], 32))
    sweep(ctx, worker, org)
    body = api.get(f"/invoices/{invoice['id']}").body
    assert body["total"] == "506.00"
    assert body["amountDue"] == "306.00"


# -- a reminder by hand ---------------------------------------------------------------------------


def test_a_manual_reminder_with_message_and_cc(
    api: ApiClient, ctx: Context, org: str, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    from remit.http.deps import get_mailer

    api.app.dependency_overrides[get_mailer] = lambda: mailer
    invoice = issue(api, customer(api, token=""))
    reply = api.post(
        f"/invoices/{invoice['id']}/reminders",
        {
            "template": "invoice_reminder",
            "message": "Please prioritize this payment.",
            "cc": ["cfo@globex.example"],
        },
    )
    assert reply.status == 200, reply
    assert reply.body["status"] == "sent"
    assert reply.body["trigger"] == "manual"
    [email] = [e for e in mailer.sent if e.subject.startswith("Reminder")]
    assert email.cc == ["cfo@globex.example"]
    assert "Please prioritize this payment." in email.html
    assert "Please prioritize this payment." in email.text
    [event] = events(ctx, org, "invoice.reminder_sent")
    assert event["data"]["source"] == "manual"
    assert event["data"]["template"] == "invoice_reminder"


def test_manual_reminders_are_refused_for_drafts_and_paid_invoices(api: ApiClient) -> None:
    account = customer(api, token="")
    created = api.post("/invoices", draft(account, line("10.00")))
    reply = api.post(f"/invoices/{created.body['id']}/reminders", {})
    assert reply.status == 409, reply
    assert api.post("/invoices/inv_nope/reminders", {}).status == 404


def test_reminders_respect_an_account_that_takes_no_email(
    api: ApiClient, ctx: Context, clock: FixedClock, org: str, mailer: RecordingMailer, sms: RecordingSms
) -> None:
    api.patch("/organization/reminder-settings", {"afterDue": {"enabled": True, "daysAfter": [2]}})
    account = customer(api, token="", invoiceSettings={"deliveryMethod": "none"})
    invoice = issue(api, account)
    clock.set(at_day(invoice["dueDate"], 1))
    sweep(ctx, collections(ctx, mailer, sms), org)
    assert mailer.sent == []
    steps = {s["key"]: s for s in api.get(f"/invoices/{invoice['id']}/collection").body["steps"]}
    assert steps["reminder#after#002"]["status"] == "skipped"
    assert "delivery method is none" in steps["reminder#after#002"]["detail"]
    assert events(ctx, org, "invoice.reminder_sent") == []
