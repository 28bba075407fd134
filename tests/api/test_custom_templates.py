"""An organization's own email templates (issue 16.3): created with a kind, used in manual
reminders, afterDue.templates and dunning steps, listed, and deleted unless in use."""

from __future__ import annotations

from typing import Any

from remit_local.emails import sent_emails
from tests.api.test_emails import issue
from tests.support.api_client import ApiClient

CUSTOM = {
    "kind": "reminder",
    "subject": "A word about {{invoice_number}}",
    "body": "<p>Hi {{customer_name}}, {{amount_due}} is still open.</p>",
}


def test_a_custom_reminder_is_created_listed_and_sent_as_the_seed_does(
    api: ApiClient, account: dict[str, Any]
) -> None:
    created = api.put("/email-templates/custom_reminder", CUSTOM)
    assert created.status == 200, created
    assert (created.body["kind"], created.body["builtIn"], created.body["source"]) == (
        "reminder",
        False,
        "custom",
    )
    assert created.body["fromName"] == "{{company_name}} Billing"
    german = api.put(
        "/email-templates/custom_reminder", {"subject": "Zu {{invoice_number}}"}, query={"language": "de"}
    )
    assert german.status == 200, german

    listed = {t["name"]: t for t in api.get("/email-templates").body["data"]}
    assert listed["custom_reminder"] == {
        "name": "custom_reminder",
        "kind": "reminder",
        "builtIn": False,
        "source": "custom",
        "languages": ["*", "de"],
    }
    assert listed["invoice_issued"]["source"] == "default"
    assert listed["dunning_gentle"]["kind"] == "dunning"

    invoice = issue(api, account["id"])
    reply = api.post(
        f"/invoices/{invoice['id']}/reminders",
        {"template": "custom_reminder", "message": "Please prioritize this payment."},
    )
    assert reply.status in (200, 201), reply
    [email] = sent_emails()
    assert email["subject"] == f"A word about {invoice['invoiceNumber']}"
    assert "Please prioritize this payment." in email["text"]


def test_a_new_template_needs_a_kind_a_slug_name_and_its_all_languages_version(api: ApiClient) -> None:
    no_kind = api.put("/email-templates/my_note", {"subject": "x", "body": "<p>x</p>"})
    assert (no_kind.status, no_kind.body["field"]) == (422, "kind")
    language_first = api.put("/email-templates/my_note", CUSTOM, query={"language": "de"})
    assert (language_first.status, language_first.body["field"]) == (422, "language")
    tone = api.put("/email-templates/gentle", CUSTOM)
    assert (tone.status, tone.body["field"]) == (422, "name")
    bad = api.put("/email-templates/My-Note", CUSTOM)
    assert bad.status == 422, bad
    built_in = api.put("/email-templates/invoice_issued", {"kind": "receipt"})
    assert (built_in.status, built_in.body["field"]) == (409, "kind")
    assert api.get("/email-templates/my_note").status == 404
    reminder = api.post("/invoices/inv_missing/reminders", {"template": "no_such"})
    assert reminder.status == 404


def test_a_template_in_use_cannot_be_deleted_and_the_409_names_the_user(api: ApiClient) -> None:
    assert api.put("/email-templates/custom_reminder", CUSTOM).status == 200
    assert api.put("/email-templates/custom_dunning", dict(CUSTOM, kind="dunning")).status == 200
    after = api.patch(
        "/organization/reminder-settings",
        {"afterDue": {"daysAfter": [1, 7], "templates": {"7": "custom_reminder"}}},
    )
    assert after.status == 200, after
    dunning = api.patch(
        "/organization/dunning-settings",
        {
            "enabled": True,
            "schedule": [{"daysPastDue": 3, "action": "email_reminder", "template": "custom_dunning"}],
        },
    )
    assert dunning.status == 200, dunning
    receipt = api.put("/email-templates/thanks", dict(CUSTOM, kind="receipt"))
    assert receipt.status == 200
    refused = api.patch(
        "/organization/reminder-settings", {"afterDue": {"daysAfter": [1], "templates": {"1": "thanks"}}}
    )
    assert refused.status == 404, refused  # a receipt is no reminder

    in_use = api.delete("/email-templates/custom_reminder")
    assert (in_use.status, in_use.body["code"]) == (409, "template_in_use")
    assert "reminderSettings.afterDue.templates.7" in in_use.body["message"]
    step = api.delete("/email-templates/custom_dunning")
    assert step.status == 409
    assert "dunningSettings.schedule[0].template" in step.body["message"]

    assert api.delete("/email-templates/thanks").status == 204
    assert api.get("/email-templates/thanks").status == 404
    assert "thanks" not in {t["name"] for t in api.get("/email-templates").body["data"]}
    assert api.delete("/email-templates/thanks").status == 404
