"""Settings -> Reminders, Dunning, Webhook endpoints, API keys: each page's form posted as
the page renders it, saved through the API's services, refused in words (nothing saved)
when the service refuses; admin only, CSRF on every change, one organization's only."""

from __future__ import annotations

import re
from typing import Any

import pytest

from remit.adapters.sns import Topic
from remit.dashboard.app import build_app
from remit.dashboard.auth import Jwks, TokenVerifier
from remit.dashboard.web import Wiring
from remit.domain.api_key import parse_token, verify
from remit.schemas.api_key import ApiKeyCreate
from remit.schemas.events import WebhookEndpointIn
from remit.services.api_keys import ApiKeyService
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit.services.webhooks import WebhookService
from tests.dashboard.conftest import CLIENT_ID, ISSUER, Browser, FakeSignIn, Keys
from tests.dashboard.forms import form_fields


@pytest.fixture
def wired(ctx: Context, keys: Keys, webhooks: WebhookService) -> Any:
    jwks = Jwks("https://cognito.test/jwks.json", fetch=lambda url: keys.jwks())
    return build_app(
        Wiring(
            context=lambda: ctx,
            verifier=TokenVerifier(ISSUER, CLIENT_ID, jwks),
            sign_in=FakeSignIn(),
            storage=lambda: pytest.fail("no documents here"),
            renderer=lambda: pytest.fail("no documents here"),
            mailer=lambda: pytest.fail("no email here"),
            webhooks=lambda: webhooks,
        )
    )


@pytest.fixture
def admin(wired: Any, keys: Keys, org: str) -> Browser:
    browser = Browser(wired)
    browser.session = keys.token(org, "admin")
    return browser


@pytest.fixture
def finance(wired: Any, keys: Keys, org: str) -> Browser:
    browser = Browser(wired)
    browser.session = keys.token(org, "finance")
    return browser


def schedule(ctx: Context, org: str) -> list[tuple[int, str, str | None]]:
    settings = ctx.store.organizations.get(org)
    assert settings is not None
    return [(s.days_past_due, s.action, s.template) for s in settings.dunning_settings.schedule]


def version(ctx: Context, org: str) -> int:
    found = ctx.store.organizations.get(org)
    assert found is not None
    return found.version


# -- reminders -----------------------------------------------------------------------------


def test_reminders_page_saves_before_and_after_due(admin: Browser, ctx: Context, org: str) -> None:
    page = admin.get("/dashboard/settings/reminders")
    assert page.status == 200
    form = form_fields(page.body, "reminders")
    # The defaults, as the page shows them: 7, 3, 1 before; days 1, 7, 14 after.
    assert form["before_days"] == "7, 3, 1"
    assert [form[f"days_{i}"] for i in range(3)] == ["1", "7", "14"]
    assert form["rows"] == "4"  # and an empty row to add a day

    form |= {
        "before_enabled": "on",
        "before_days": "5, 2",
        "before_template": "upcoming_due",
        "after_enabled": "on",
        "remove_1": "on",  # day 7 goes
        "template_2": "past_due_final",  # day 14 gets the final one
        "days_3": "30",
        "template_3": "past_due_firm",
    }
    saved = admin.post("/dashboard/settings/reminders", form)
    assert saved.status == 303, saved.body
    assert "notice=Reminder+settings+saved" in saved.location
    r = OrganizationService(ctx).get(org).reminder_settings
    assert (r.before_due.enabled, r.before_due.days_before, r.before_due.template) == (
        True,
        [5, 2],
        "upcoming_due",
    )
    assert (r.after_due.enabled, r.after_due.days_after) == (True, [1, 14, 30])
    assert r.after_due.templates == {1: "past_due_gentle", 14: "past_due_final", 30: "past_due_firm"}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"before_days": "3, 3"}, "Before due, days before due: each day may appear once"),
        ({"before_days": "0"}, "Before due, days before due"),
        ({"days_3": "soon"}, "After due, days after due"),
        ({"days_3": "400"}, "After due, days after due"),
    ],
)
def test_reminders_refused_in_words_and_nothing_saved(
    admin: Browser, ctx: Context, org: str, change: dict[str, str], words: str
) -> None:
    before = version(ctx, org)
    form = form_fields(admin.get("/dashboard/settings/reminders").body, "reminders")
    reply = admin.post("/dashboard/settings/reminders", form | {"before_enabled": "on"} | change)
    assert reply.status == 400
    assert words in reply.body
    assert version(ctx, org) == before
    # The form comes back as typed, to correct.
    typed = form_fields(reply.body, "reminders")
    assert typed["before_days"] == change.get("before_days", "7, 3, 1")
    assert change.get("days_3", "") in {v for k, v in typed.items() if k.startswith("days_")}


# -- dunning -------------------------------------------------------------------------------


def test_dunning_table_adds_removes_and_changes_steps(admin: Browser, ctx: Context, org: str) -> None:
    page = admin.get("/dashboard/settings/dunning")
    assert page.status == 200
    form = form_fields(page.body, "dunning")
    # The seed's schedule is in effect (none saved yet), and one empty row to add a step.
    assert form["rows"] == "8"
    assert [(form[f"days_{i}"], form[f"action_{i}"]) for i in (0, 6)] == [
        ("0", "retry_payment"),
        ("30", "mark_uncollectible"),
    ]
    assert form["days_7"] == form["action_7"] == ""
    assert schedule(ctx, org) == []

    form |= {
        "enabled": "on",
        "template_1": "firm",  # day 3's email: firm, not gentle
        "remove_4": "on",  # no retry on day 7
        "days_7": "10",  # new: an SMS on day 10, typed last, saved in its place
        "action_7": "sms_reminder",
        "op": "save",
    }
    saved = admin.post("/dashboard/settings/dunning", form)
    assert saved.status == 303, saved.body
    assert "notice=Dunning+schedule+saved" in saved.location
    assert schedule(ctx, org) == [
        (0, "retry_payment", None),
        (3, "email_reminder", "dunning_firm"),
        (3, "retry_payment", None),
        (7, "email_reminder", "dunning_firm"),
        (10, "sms_reminder", None),
        (14, "email_reminder", "dunning_final"),
        (30, "mark_uncollectible", None),
    ]
    assert OrganizationService(ctx).get(org).dunning_settings.enabled is True
    # The page shows the saved schedule.
    again = form_fields(admin.get("/dashboard/settings/dunning").body, "dunning")
    assert (again["days_4"], again["action_4"]) == ("10", "sms_reminder")


def test_add_another_row_saves_nothing(admin: Browser, ctx: Context, org: str) -> None:
    form = form_fields(admin.get("/dashboard/settings/dunning").body, "dunning")
    form |= {"days_7": "12", "action_7": "sms_reminder", "op": "add-row"}
    reply = admin.post("/dashboard/settings/dunning", form)
    assert reply.status == 200
    more = form_fields(reply.body, "dunning")
    assert more["rows"] == "10"  # 7 steps, the one typed, and two empty rows now
    assert (more["days_5"], more["action_5"]) == ("12", "sms_reminder")  # in its place
    assert more["days_8"] == more["days_9"] == ""
    assert schedule(ctx, org) == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"template_0": "gentle"}, "Step 1, email template: retry_payment takes no template"),
        (
            {"days_7": "soon", "action_7": "sms_reminder"},
            "Step 8, days past due: give a whole number",
        ),
        ({"days_7": "5", "action_7": "fax_reminder"}, "Step 4, action: Input should be"),
        ({"template_1": "shouty"}, "Step 2, email template: no email template &#39;shouty&#39;"),
    ],
)
def test_dunning_refused_in_words_and_nothing_saved(
    admin: Browser, ctx: Context, org: str, change: dict[str, str], words: str
) -> None:
    before = version(ctx, org)
    page = admin.get("/dashboard/settings/dunning").body
    form = form_fields(page, "dunning") | change | {"op": "save"}
    if change.get("template_1") == "shouty":
        # Not an option of the page's select; a hand-made post is refused all the same.
        assert "shouty" not in page
    reply = admin.post("/dashboard/settings/dunning", form)
    assert reply.status == 400
    assert words in reply.body, re.findall(r'role="alert">([^<]*)<', reply.body)
    assert version(ctx, org) == before
    assert schedule(ctx, org) == []
    # What was typed comes back to correct (the rows in day order when days are numbers).
    typed = form_fields(reply.body, "dunning")
    assert sorted(v for k, v in typed.items() if k.startswith("days_") and v) == sorted(
        v for k, v in form.items() if k.startswith("days_") and v
    )


# -- webhook endpoints ---------------------------------------------------------------------


def test_webhook_endpoints_add_list_and_delete_behind_a_confirmation(
    admin: Browser, ctx: Context, org: str, topic: Topic
) -> None:
    sns = topic.client
    assert "No webhook endpoints" in admin.get("/dashboard/settings/webhooks").body
    added = admin.post(
        "/dashboard/settings/webhooks",
        {
            "op": "add",
            "url": "https://hooks.example.com/remit",
            "eventTypes": ["invoice.paid", "invoice.voided"],
        },
    )
    assert added.status == 303, added.body
    [endpoint] = ctx.store.webhooks.list(org)
    assert (endpoint.url, endpoint.event_types) == (
        "https://hooks.example.com/remit",
        ["invoice.paid", "invoice.voided"],
    )
    [subscription] = sns.list_subscriptions_by_topic(TopicArn=topic.arn)["Subscriptions"]
    assert subscription["Endpoint"] == "https://hooks.example.com/remit"

    page = admin.get("/dashboard/settings/webhooks").body
    assert f'data-endpoint="{endpoint.id}"' in page
    assert "invoice.paid, invoice.voided" in page

    first = admin.post("/dashboard/settings/webhooks", {"op": "delete", "id": endpoint.id})
    assert first.status == 303
    assert f"confirm={endpoint.id}" in first.location
    assert ctx.store.webhooks.list(org) != []  # only asked
    confirm = admin.get(first.location)
    assert 'id="confirm"' in confirm.body
    done = admin.post("/dashboard/settings/webhooks", form_fields(confirm.body, "confirm-form"))
    assert done.status == 303
    assert ctx.store.webhooks.list(org) == []
    assert sns.list_subscriptions_by_topic(TopicArn=topic.arn)["Subscriptions"] == []


@pytest.mark.parametrize(
    ("form", "words"),
    [
        (
            {"url": "http://hooks.example.com/remit", "eventTypes": "invoice.paid"},
            "URL: webhook endpoints must use https",
        ),
        ({"url": "https://hooks.example.com/remit"}, "event types: List should have at least 1 item"),
        (
            {"url": "https://10.0.0.1/remit", "eventTypes": "invoice.paid"},
            "URL: the url must be reachable from the internet",
        ),
    ],
)
def test_a_webhook_endpoint_refused_in_words_adds_nothing(
    admin: Browser, ctx: Context, org: str, topic: Topic, form: dict[str, str], words: str
) -> None:
    reply = admin.post("/dashboard/settings/webhooks", {"op": "add", **form})
    assert reply.status == 400
    assert words in reply.body
    assert ctx.store.webhooks.list(org) == []
    assert topic.client.list_subscriptions_by_topic(TopicArn=topic.arn)["Subscriptions"] == []
    assert form_fields(reply.body, "add-endpoint-form")["url"] == form["url"]


# -- API keys ------------------------------------------------------------------------------


def test_api_key_created_shows_its_secret_once_and_revokes(admin: Browser, ctx: Context, org: str) -> None:
    page = admin.get("/dashboard/settings/api-keys").body
    [first] = ApiKeyService(ctx).list(org).data
    assert first.prefix in page

    created = admin.post(
        "/dashboard/settings/api-keys", {"op": "create", "name": "reporting", "scope": "read_only"}
    )
    assert created.status == 201
    token = re.search(r'id="new-key-token">([^<]+)<', created.body)
    assert token, created.body
    new = next(k for k in ApiKeyService(ctx).list(org).data if k.name == "reporting")
    assert (new.scope, new.last_used_at, new.revoked_at) == ("read_only", None, None)
    parsed = parse_token(token.group(1))
    assert parsed is not None
    stored = ctx.store.api_keys.get(parsed[0])
    assert stored is not None
    assert stored.organization_id == org
    assert verify(stored, parsed[1])
    # Never again: the list shows the prefix only.
    listed = admin.get("/dashboard/settings/api-keys").body
    assert token.group(1) not in listed
    assert new.prefix in listed
    assert "never" in listed

    asked = admin.post("/dashboard/settings/api-keys", {"op": "revoke", "id": new.id})
    assert f"confirm={new.id}" in asked.location
    assert ctx.store.api_keys.get(new.id).revoked_at is None  # type: ignore[union-attr]
    admin.post("/dashboard/settings/api-keys", form_fields(admin.get(asked.location).body, "confirm-form"))
    assert ctx.store.api_keys.get(new.id).revoked_at is not None  # type: ignore[union-attr]


def test_the_last_full_access_key_is_not_revoked(admin: Browser, ctx: Context, org: str) -> None:
    [only] = ApiKeyService(ctx).list(org).data
    reply = admin.post("/dashboard/settings/api-keys", {"op": "revoke", "id": only.id, "confirmed": "yes"})
    assert reply.status == 303
    assert "last+full-access+key" in reply.location
    assert ctx.store.api_keys.get(only.id).revoked_at is None  # type: ignore[union-attr]


def test_an_api_key_needs_a_name(admin: Browser, ctx: Context, org: str) -> None:
    reply = admin.post("/dashboard/settings/api-keys", {"op": "create", "name": "", "scope": "full"})
    assert reply.status == 400
    assert "name:" in reply.body
    assert len(ApiKeyService(ctx).list(org).data) == 1


# -- who may ---------------------------------------------------------------------------------

SECTIONS = ("reminders", "dunning", "webhooks", "api-keys")
CHANGES: dict[str, dict[str, Any]] = {
    "reminders": {"before_enabled": "on", "before_days": "9", "before_template": "upcoming_due"},
    "dunning": {"enabled": "on", "rows": "1", "days_0": "1", "action_0": "sms_reminder", "op": "save"},
    "webhooks": {"op": "add", "url": "https://hooks.example.com/x", "eventTypes": "invoice.paid"},
    "api-keys": {"op": "create", "name": "sneaky", "scope": "full"},
}


def nothing_changed(ctx: Context, org: str, before: int) -> None:
    assert version(ctx, org) == before
    assert ctx.store.webhooks.list(org) == []
    assert [k.name for k in ApiKeyService(ctx).list(org).data] == ["default"]


@pytest.mark.parametrize("section", SECTIONS)
def test_finance_may_neither_see_nor_change_these_settings(
    finance: Browser, ctx: Context, org: str, section: str
) -> None:
    before = version(ctx, org)
    assert finance.get(f"/dashboard/settings/{section}").status == 403
    assert finance.post(f"/dashboard/settings/{section}", CHANGES[section]).status == 403
    nothing_changed(ctx, org, before)
    assert 'href="/dashboard/settings"' not in finance.get("/dashboard").body


@pytest.mark.parametrize("section", SECTIONS)
def test_every_change_needs_the_sessions_csrf_token(
    admin: Browser, ctx: Context, org: str, section: str
) -> None:
    before = version(ctx, org)
    assert admin.post(f"/dashboard/settings/{section}", CHANGES[section], csrf=False).status == 403
    assert admin.post(f"/dashboard/settings/{section}", CHANGES[section] | {"csrf": "forged"}).status == 403
    nothing_changed(ctx, org, before)
    # The same form with the token does change it (the refusals above were the token's).
    assert admin.post(f"/dashboard/settings/{section}", CHANGES[section]).status in (201, 303)


def test_another_organizations_endpoint_or_key_is_not_found(
    admin: Browser, ctx: Context, org: str, other_org: str, webhooks: WebhookService
) -> None:
    theirs = webhooks.create(
        other_org,
        WebhookEndpointIn.model_validate(
            {"url": "https://hooks.example.com/i", "eventTypes": ["invoice.paid"]}
        ),
    )
    [their_key] = ApiKeyService(ctx).list(other_org).data
    ApiKeyService(ctx).create(other_org, ApiKeyCreate(name="second"))
    gone = admin.post("/dashboard/settings/webhooks", {"op": "delete", "id": theirs.id, "confirmed": "yes"})
    assert gone.status == 404
    assert [e.id for e in ctx.store.webhooks.list(other_org)] == [theirs.id]
    revoked = admin.post(
        "/dashboard/settings/api-keys", {"op": "revoke", "id": their_key.id, "confirmed": "yes"}
    )
    assert revoked.status == 404
    assert ctx.store.api_keys.get(their_key.id).revoked_at is None  # type: ignore[union-attr]
    assert theirs.url not in admin.get("/dashboard/settings/webhooks").body
    assert their_key.prefix not in admin.get("/dashboard/settings/api-keys").body
