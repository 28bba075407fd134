"""Calendar days in the account's time zone (docs/time.md), through the API."""

from __future__ import annotations

from datetime import UTC, datetime

from remit.clock import FixedClock
from remit.services.context import Context
from tests.support.api_client import ApiClient
from tests.support.builders import draft
from tests.support.collections import RecordingMailer, RecordingSms, collections, sweep


def test_new_york_issue_date_due_date_and_past_due(api: ApiClient, clock: FixedClock) -> None:
    assert api.patch("/organization/settings", {"timeZone": "America/New_York"}).status == 200
    account = api.post("/accounts", {"name": "Gotham", "invoiceSettings": {"paymentTerms": "net_30"}}).body
    assert account["timeZone"] is None
    # 20:00 on 1 December in New York is 01:00 UTC on 2 December.
    clock.set(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    inv = api.post("/invoices", draft(account["id"])).body
    issued = api.post(f"/invoices/{inv['id']}/finalize").body
    assert issued["issueDate"] == "2026-12-01"
    assert issued["dueDate"] == "2026-12-31"
    # 23:00 in New York on the due date: still issued (04:00 UTC on 1 January).
    clock.set(datetime(2027, 1, 1, 4, 0, tzinfo=UTC))
    assert api.get(f"/invoices/{inv['id']}").body["status"] == "issued"
    # 00:30 on 1 January in New York: past due.
    clock.set(datetime(2027, 1, 1, 5, 30, tzinfo=UTC))
    assert api.get(f"/invoices/{inv['id']}").body["status"] == "past_due"


def test_an_account_zone_overrides_the_organization(api: ApiClient, clock: FixedClock) -> None:
    api.patch("/organization/settings", {"timeZone": "America/New_York"})
    kiwi = api.post(
        "/accounts",
        {"name": "Kiwi", "timeZone": "Pacific/Auckland", "invoiceSettings": {"paymentTerms": "net_0"}},
    ).body
    assert kiwi["timeZone"] == "Pacific/Auckland"
    # 12:00 UTC on 2 December is 01:00 on 3 December in Auckland (NZDT, +13).
    clock.set(datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    inv = api.post("/invoices", draft(kiwi["id"])).body
    issued = api.post(f"/invoices/{inv['id']}/finalize").body
    assert (issued["issueDate"], issued["dueDate"]) == ("2026-12-03", "2026-12-03")
    # 23:59 on 3 December in Auckland is still the due date; 00:00 on 4 December is past due.
    clock.set(datetime(2026, 12, 3, 10, 59, tzinfo=UTC))
    assert api.get(f"/invoices/{inv['id']}").body["status"] == "issued"
    clock.set(datetime(2026, 12, 3, 11, 0, tzinfo=UTC))
    assert api.get(f"/invoices/{inv['id']}").body["status"] == "past_due"
    # null returns the account to the organization's zone.
    back = api.patch(f"/accounts/{kiwi['id']}", {"timeZone": None})
    assert back.status == 200, back
    assert back.body["timeZone"] is None


def test_unknown_zones_and_times_are_422_naming_the_field(api: ApiClient) -> None:
    for path, body, field in [
        ("/organization/settings", {"timeZone": "Mars/Olympus"}, "timeZone"),
        ("/organization/settings", {"dailyRunTime": "25:00"}, "dailyRunTime"),
        ("/accounts", {"name": "Martian", "timeZone": "Mars/Olympus"}, "timeZone"),
    ]:
        reply = api.patch(path, body) if path.startswith("/organization") else api.post(path, body)
        assert (reply.status, reply.body["code"], reply.body["field"]) == (422, "validation_error", field), (
            body
        )
    ok = api.patch("/organization/settings", {"timeZone": "Europe/Berlin", "dailyRunTime": "07:30"})
    assert (ok.body["settings"]["timeZone"], ok.body["settings"]["dailyRunTime"]) == (
        "Europe/Berlin",
        "07:30",
    )


def test_a_reminder_runs_at_the_daily_run_time_local(
    api: ApiClient, ctx: Context, clock: FixedClock, org: str
) -> None:
    api.patch("/organization/settings", {"timeZone": "America/New_York"})  # dailyRunTime 09:00
    api.patch("/organization/reminder-settings", {"afterDue": {"enabled": True, "daysAfter": [1]}})
    api.patch("/organization/dunning-settings", {"enabled": False})
    account = api.post("/accounts", {"name": "Gotham", "email": "ap@gotham.example"}).body
    clock.set(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))  # 10:00 in New York
    inv = api.post("/invoices", draft(account["id"])).body
    assert api.post(f"/invoices/{inv['id']}/finalize").body["dueDate"] == "2026-12-31"
    mailer, sms = RecordingMailer(), RecordingSms()
    service = collections(ctx, mailer, sms)

    def reminder_status() -> object:
        steps = {s["key"]: s for s in api.get(f"/invoices/{inv['id']}/collection").body["steps"]}
        return steps.get("reminder#after#001", {}).get("status")

    # One day after the due date is 1 January in New York; at 08:30 EST (13:30 UTC) not yet.
    clock.set(datetime(2027, 1, 1, 13, 30, tzinfo=UTC))
    sweep(ctx, service, org)
    assert reminder_status() != "done"
    assert mailer.sent == []
    # By 10:00 EST (15:00 UTC) it has gone, once.
    clock.set(datetime(2027, 1, 1, 15, 0, tzinfo=UTC))
    sweep(ctx, service, org)
    sweep(ctx, service, org)
    assert reminder_status() == "done"
    assert len(mailer.sent) == 1
