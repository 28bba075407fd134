"""Settings pages beyond invoicing and payments: reminders (before and after due), the
dunning schedule as an editable table of steps, webhook endpoints and API keys. Admin only,
like the rest of the settings; each change goes through the service the JSON API uses
(OrganizationService, WebhookService, ApiKeyService), and an error comes back on the page
in words with the form as it was typed: nothing is saved."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from remit.domain.collections import DUNNING_ACTIONS, MAX_STEPS
from remit.domain.events import EVENT_TYPES
from remit.emails.defaults import TEMPLATE_NAMES
from remit.errors import Conflict, NotFound, RemitError, ValidationFailed
from remit.schemas.api_key import ApiKeyCreate, ApiKeyCreated
from remit.schemas.events import WebhookEndpointIn
from remit.schemas.organization import DunningSettingsPatch, ReminderSettingsPatch
from remit.services.api_keys import ApiKeyService
from remit.services.organizations import OrganizationService

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

    from remit.dashboard.web import Pages, Request, Wiring
    from remit.schemas.organization import OrganizationOut
    from remit.services.context import Context

# The settings pages, in the order of their tabs (the first is /dashboard/settings).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("", "Invoicing and payments"),
    ("reminders", "Reminders"),
    ("dunning", "Dunning"),
    ("webhooks", "Webhook endpoints"),
    ("api-keys", "API keys"),
)
PERSISTENT_ACTIONS = ("pause_subscription", "cancel_subscription", "mark_uncollectible")
# Dunning emails are named by their tone (the schema's gentle, firm, final) or by template.
DUNNING_TONES = ("gentle", "firm", "final")
MAX_ROWS = MAX_STEPS + 10
FIELD_WORDS = {
    "daysPastDue": "days past due",
    "action": "action",
    "template": "email template",
    "daysBefore": "days before due",
    "daysAfter": "days after due",
    "templates": "email templates",
    "enabled": "on/off",
    "url": "URL",
    "eventTypes": "event types",
    "name": "name",
    "scope": "scope",
    "persistentFailureActions": "actions on persistent failure",
}
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]$")


def whole(text: str) -> int | str:
    """A form's digits as the whole number the API takes; anything else as typed, for the
    API's validation to name."""
    return int(text) if text.isdigit() else text


def in_words(where: list[str | int], message: str) -> str:
    """An error's place and message as an operator reads them: ``schedule[2].daysPastDue``
    (or pydantic's ``("schedule", 2, "daysPastDue")``) is "Step 3, days past due"."""
    parts: list[str | int] = []
    for part in where:
        found = _INDEXED.match(part) if isinstance(part, str) else None
        parts.extend([found.group(1), int(found.group(2))] if found else [part])
    where = parts
    words: list[str] = []
    i = 0
    while i < len(where):
        part = where[i]
        if part == "schedule" and i + 1 < len(where) and isinstance(where[i + 1], int):
            words.append(f"Step {int(where[i + 1]) + 1}")
            i += 2
            continue
        if isinstance(part, str) and part in ("beforeDue", "afterDue"):
            words.append("Before due" if part == "beforeDue" else "After due")
        elif isinstance(part, str):
            words.append(FIELD_WORDS.get(part, part))
        else:
            words.append(f"#{part + 1}")
        i += 1
    return f"{', '.join(words)}: {message}" if words else message


def validation_words(exc: ValidationError) -> str:
    first = exc.errors()[0]
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return in_words([p for p in first.get("loc", ()) if p != "body"], message)


def service_words(exc: RemitError, field: str | None = None) -> str:
    field = field or exc.field
    if field:
        return in_words([p for p in field.split(".") if p], exc.message)
    return exc.message


def typed_rows(request: Request, *names: str) -> list[dict[str, str]]:
    """The rows of an editable table: fields ``<name>_<i>`` for i < ``rows``, without the
    rows ticked ``remove_<i>`` and the blank ones."""
    count = request.field("rows")
    rows = []
    for i in range(min(int(count) if count.isdigit() else 0, MAX_ROWS)):
        if request.field(f"remove_{i}") == "on":
            continue
        row = {name: request.field(f"{name}_{i}") for name in names}
        if any(row.values()):
            rows.append(row)
    return rows


def in_day_order(rows: list[dict[str, str]], key: str) -> list[dict[str, str]]:
    """Rows by their day (a step added at the end goes to its place); as typed while a
    day is not a number, for validation to name it."""
    if all(r[key].isdigit() for r in rows):
        return sorted(rows, key=lambda r: int(r[key]))
    return rows


def day_list(text: str) -> list[int | str]:
    """Days typed as "7, 3, 1" (commas or spaces)."""
    return [whole(d) for d in text.replace(",", " ").split()]


def register(
    app: APIGatewayRestResolver, pages: Pages, request: Request, wiring: Wiring, ctx: Callable[[], Context]
) -> Callable[[str], Response[str] | None]:
    """Adds the settings sections' pages to the dashboard's resolver; returns what saves
    them (the POST route of every section is pages.py's)."""

    def render(
        section: str, status: int = 200, org: OrganizationOut | None = None, **values: Any
    ) -> Response[str]:
        org = org or OrganizationService(ctx()).get(request.operator.organization_id)
        return pages.render(
            request,
            f"settings_{section.replace('-', '_')}.html",
            status,
            org=org,
            sections=SECTIONS,
            section=section,
            confirm=request.query("confirm"),
            **values,
        )

    # -- reminders -------------------------------------------------------------------------

    def reminders_page(
        status: int = 200, error: str | None = None, typed: dict[str, Any] | None = None
    ) -> Response[str]:
        org = OrganizationService(ctx()).get(request.operator.organization_id)
        r = org.reminder_settings
        form = typed or {
            "before_enabled": r.before_due.enabled,
            "before_days": ", ".join(str(d) for d in r.before_due.days_before),
            "before_template": r.before_due.template,
            "after_enabled": r.after_due.enabled,
            "after": [
                {"days": str(d), "template": r.after_due.templates.get(d, "")} for d in r.after_due.days_after
            ],
        }
        return render("reminders", status, org, form=form, templates=TEMPLATE_NAMES, error=error)

    def save_reminders() -> Response[str]:
        after = in_day_order(typed_rows(request, "days", "template"), "days")
        typed: dict[str, Any] = {
            "before_enabled": request.field("before_enabled") == "on",
            "before_days": request.field("before_days"),
            "before_template": request.field("before_template"),
            "after_enabled": request.field("after_enabled") == "on",
            "after": after,
        }
        body = {
            "beforeDue": {
                "enabled": typed["before_enabled"],
                "daysBefore": day_list(typed["before_days"]),
                "template": typed["before_template"],
            },
            "afterDue": {
                "enabled": typed["after_enabled"],
                "daysAfter": [whole(row["days"]) for row in after],
                "templates": {str(whole(row["days"])): row["template"] for row in after if row["template"]},
            },
        }
        try:
            OrganizationService(ctx()).update_reminder_settings(
                request.operator.organization_id, ReminderSettingsPatch.model_validate(body)
            )
        except ValidationError as exc:
            return reminders_page(400, validation_words(exc), typed)
        except (ValidationFailed, NotFound, Conflict) as exc:  # an unknown template is a NotFound
            return reminders_page(400, service_words(exc), typed)
        return _redirect("/settings/reminders", "Reminder settings saved.")

    # -- dunning ---------------------------------------------------------------------------

    def dunning_page(
        status: int = 200, error: str | None = None, typed: dict[str, Any] | None = None
    ) -> Response[str]:
        org = OrganizationService(ctx()).get(request.operator.organization_id)
        d = org.dunning_settings
        form = typed or {
            "enabled": d.enabled,
            "steps": [
                {"days": str(s.days_past_due), "action": s.action, "template": s.template or ""}
                for s in d.schedule
            ],
            "persistent": list(d.persistent_failure_actions),
            "extra": 1,
        }
        return render(
            "dunning",
            status,
            org,
            form=form,
            actions=DUNNING_ACTIONS,
            persistent_actions=PERSISTENT_ACTIONS,
            templates=(*DUNNING_TONES, *(t for t in TEMPLATE_NAMES if t.startswith("dunning_"))),
            max_steps=MAX_STEPS,
            error=error,
        )

    def save_dunning() -> Response[str]:
        steps = in_day_order(typed_rows(request, "days", "action", "template"), "days")
        typed: dict[str, Any] = {
            "enabled": request.field("enabled") == "on",
            "steps": steps,
            "persistent": request.fields("persistent"),
            "extra": 1,
        }
        if request.field("op") == "add-row":
            # More empty rows to fill; nothing is saved until "Save schedule".
            extra = request.field("extra")
            typed["extra"] = min((int(extra) if extra.isdigit() else 1) + 1, MAX_ROWS - len(steps))
            return dunning_page(200, None, typed)
        body = {
            "enabled": typed["enabled"],
            "schedule": [
                # Only a step with a template names one: the others take none at all.
                {"daysPastDue": whole(s["days"]), "action": s["action"]}
                | ({"template": s["template"]} if s["template"] else {})
                for s in steps
            ],
            "persistentFailureActions": typed["persistent"],
        }
        try:
            OrganizationService(ctx()).update_dunning_settings(
                request.operator.organization_id, DunningSettingsPatch.model_validate(body)
            )
        except ValidationError as exc:
            return dunning_page(400, validation_words(exc), typed)
        except (ValidationFailed, NotFound, Conflict) as exc:  # an unknown template is a NotFound
            field = exc.field
            if field == "template":
                # An email's template the schedule cannot resolve: name its step.
                known = set(TEMPLATE_NAMES)
                field = next(
                    (
                        f"schedule[{i}].template"
                        for i, s in enumerate(steps)
                        if s["action"] == "email_reminder"
                        and s["template"]
                        and not {s["template"], f"dunning_{s['template']}"} & known
                    ),
                    field,
                )
            return dunning_page(400, service_words(exc, field), typed)
        return _redirect("/settings/dunning", "Dunning schedule saved.")

    # -- webhook endpoints -----------------------------------------------------------------

    def webhooks_page(
        status: int = 200, error: str | None = None, typed: dict[str, Any] | None = None
    ) -> Response[str]:
        endpoints = wiring.webhooks().list(request.operator.organization_id).data
        return render(
            "webhooks",
            status,
            endpoints=endpoints,
            event_types=EVENT_TYPES,
            form=typed or {"url": "", "event_types": []},
            error=error,
        )

    def save_webhooks() -> Response[str]:
        org = request.operator.organization_id
        service = wiring.webhooks()
        op = request.field("op")
        if op == "delete":
            endpoint_id = request.field("id")
            if request.field("confirmed") != "yes":
                return _redirect("/settings/webhooks", confirm=endpoint_id)
            service.delete(org, endpoint_id)
            return _redirect("/settings/webhooks", "Webhook endpoint deleted.")
        if op != "add":
            raise NotFound("no such change")
        typed = {"url": request.field("url"), "event_types": request.fields("eventTypes")}
        try:
            created = service.create(
                org,
                WebhookEndpointIn.model_validate({"url": typed["url"], "eventTypes": typed["event_types"]}),
            )
        except ValidationError as exc:
            return webhooks_page(400, validation_words(exc), typed)
        except RemitError as exc:
            if isinstance(exc, NotFound):
                raise
            return webhooks_page(400, service_words(exc), typed)
        return _redirect("/settings/webhooks", f"Webhook endpoint {created.id} added.")

    # -- API keys --------------------------------------------------------------------------

    def api_keys_page(
        status: int = 200,
        error: str | None = None,
        created: ApiKeyCreated | None = None,
        typed: dict[str, str] | None = None,
    ) -> Response[str]:
        keys = ApiKeyService(ctx()).list(request.operator.organization_id).data
        return render(
            "api-keys",
            status,
            keys=keys,
            created=created,
            form=typed or {"name": "", "scope": "full"},
            error=error,
        )

    def save_api_keys() -> Response[str]:
        org = request.operator.organization_id
        service = ApiKeyService(ctx())
        op = request.field("op")
        if op == "revoke":
            key_id = request.field("id")
            if request.field("confirmed") != "yes":
                return _redirect("/settings/api-keys", confirm=key_id)
            try:
                service.revoke(org, key_id)
            except RemitError as exc:
                if isinstance(exc, NotFound):
                    raise
                return _redirect("/settings/api-keys", error=exc.message)
            return _redirect("/settings/api-keys", "API key revoked.")
        if op != "create":
            raise NotFound("no such change")
        typed = {"name": request.field("name"), "scope": request.field("scope") or "full"}
        try:
            created = service.create(org, ApiKeyCreate.model_validate(typed))
        except ValidationError as exc:
            return api_keys_page(400, validation_words(exc), typed=typed)
        except RemitError as exc:
            return api_keys_page(400, service_words(exc), typed=typed)
        # The secret is in this answer only (never in a link or a redirect), shown once.
        return api_keys_page(201, created=created)

    def _redirect(path: str, notice: str = "", **params: str) -> Response[str]:
        from remit.dashboard.web import redirect

        return redirect(request.url(path, notice=notice, **params))

    PAGES: dict[str, Callable[[], Response[str]]] = {
        "reminders": reminders_page,
        "dunning": dunning_page,
        "webhooks": webhooks_page,
        "api-keys": api_keys_page,
    }
    SAVES: dict[str, Callable[[], Response[str]]] = {
        "reminders": save_reminders,
        "dunning": save_dunning,
        "webhooks": save_webhooks,
        "api-keys": save_api_keys,
    }

    @app.get("/dashboard/settings/<section>")
    def settings_section(section: str) -> Response[str]:
        request.operator.require("admin")
        page = PAGES.get(section)
        if page is None:
            raise NotFound("no such settings page")
        return page()

    def save(section: str) -> Response[str] | None:
        """The POST of a section of this module (the caller checked CSRF and the role), or
        None for the sections pages.py saves itself."""
        handler = SAVES.get(section)
        return handler() if handler else None

    return save
