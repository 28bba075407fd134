"""Settings -> Dunning: on/off, the schedule as an editable table of steps, the actions on
persistent failure, as ``PATCH /organization/dunning-settings`` (the table replaces the
schedule). "Add another row" only gives more rows; refused, nothing is saved."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from remit.dashboard import choices
from remit.dashboard.deps import Admin, Organizations, PostedByAdmin, Visiting
from remit.dashboard.forms import whole
from remit.dashboard.routes.settings.page import section_page
from remit.dashboard.routes.settings.words import (
    MAX_ROWS,
    in_day_order,
    service_words,
    typed_rows,
    validation_words,
)
from remit.domain.collections import MAX_STEPS
from remit.emails.defaults import TEMPLATE_NAMES
from remit.errors import Conflict, NotFound, RemitError, ValidationFailed
from remit.schemas.organization import DunningSettingsPatch, OrganizationOut

router = Router()
PATH = "/dashboard/settings/dunning"
# Dunning emails are named by their tone (the schema's gentle, firm, final) or by template.
DUNNING_TONES = ("gentle", "firm", "final")
TEMPLATES = (*DUNNING_TONES, *(t for t in TEMPLATE_NAMES if t.startswith("dunning_")))


def saved_form(org: OrganizationOut) -> dict[str, Any]:
    d = org.dunning_settings
    return {
        "enabled": d.enabled,
        "steps": [
            {"days": str(s.days_past_due), "action": s.action, "template": s.template or ""}
            for s in d.schedule
        ],
        "persistent": list(d.persistent_failure_actions),
        "extra": 1,
    }


def page(
    v: Visiting,
    service: Organizations,
    status: int = 200,
    error: str | None = None,
    typed: dict[str, Any] | None = None,
) -> Response[str]:
    org = service.get(v.operator.organization_id)
    return section_page(
        v,
        "dunning",
        status,
        org,
        form=typed or saved_form(org),
        actions=choices.STEP_ACTIONS,
        persistent_actions=choices.PERSISTENT_ACTIONS,
        templates=TEMPLATES,
        max_steps=MAX_STEPS,
        error=error,
    )


@router.get(PATH)
def dunning(operator: Admin, v: Visiting, service: Organizations) -> Response[str]:
    return page(v, service)


def typed_form(v: Visiting) -> dict[str, Any]:
    return {
        "enabled": v.field("enabled") == "on",
        "steps": in_day_order(typed_rows(v, "days", "action", "template"), "days"),
        "persistent": v.fields("persistent"),
        "extra": 1,
    }


def patch(typed: dict[str, Any], shown: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"enabled": typed["enabled"], "persistentFailureActions": typed["persistent"]}
    # The schedule as the page showed it is left alone: saving the default schedule would
    # turn its tones (final) into the templates they stand for (dunning_final).
    if typed["steps"] != shown["steps"]:
        body["schedule"] = [
            # Only a step with a template names one: the others take none at all.
            {"daysPastDue": whole(s["days"]), "action": s["action"]}
            | ({"template": s["template"]} if s["template"] else {})
            for s in typed["steps"]
        ]
    return body


def step_of_template(steps: list[dict[str, str]], field: str | None) -> str | None:
    """An email's template the schedule cannot resolve: the step that names it."""
    if field != "template":
        return field
    known = set(TEMPLATE_NAMES)
    unknown = (
        i
        for i, s in enumerate(steps)
        if s["action"] == "email_reminder"
        and s["template"]
        and not {s["template"], f"dunning_{s['template']}"} & known
    )
    found = next(unknown, None)
    return field if found is None else f"schedule[{found}].template"


@router.post(PATH)
def save_dunning(operator: PostedByAdmin, v: Visiting, service: Organizations) -> Response[str]:
    typed = typed_form(v)
    if v.field("op") == "add-row":
        # More empty rows to fill; nothing is saved until "Save schedule".
        extra = v.field("extra")
        typed["extra"] = min((int(extra) if extra.isdigit() else 1) + 1, MAX_ROWS - len(typed["steps"]))
        return page(v, service, 200, None, typed)
    shown = saved_form(service.get(operator.organization_id))
    try:
        body = DunningSettingsPatch.model_validate(patch(typed, shown))
        service.update_dunning_settings(operator.organization_id, body)
    except ValidationError as exc:
        return page(v, service, 400, validation_words(exc), typed)
    except (ValidationFailed, NotFound, Conflict) as exc:  # an unknown template is a NotFound
        return page(v, service, 400, refusal(exc, typed["steps"]), typed)
    return v.back("/settings/dunning", notice="Dunning schedule saved.")


def refusal(exc: RemitError, steps: list[dict[str, str]]) -> str:
    return service_words(exc, step_of_template(steps, exc.field))
