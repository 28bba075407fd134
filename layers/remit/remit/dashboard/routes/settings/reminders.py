"""Settings -> Reminders: before the due date (on/off, the days, the template) and after it
(on/off, a table of days each with its template), as ``PATCH
/organization/reminder-settings``. Refused, the page comes back as typed, nothing saved."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from remit.dashboard.deps import Admin, Organizations, PostedByAdmin, Visiting
from remit.dashboard.forms import whole
from remit.dashboard.routes.settings.page import section_page
from remit.dashboard.routes.settings.words import (
    day_list,
    in_day_order,
    service_words,
    typed_rows,
    validation_words,
)
from remit.emails.defaults import TEMPLATE_NAMES
from remit.errors import Conflict, NotFound, ValidationFailed
from remit.schemas.organization import OrganizationOut, ReminderSettingsPatch

router = Router()
PATH = "/dashboard/settings/reminders"


def saved_form(org: OrganizationOut) -> dict[str, Any]:
    r = org.reminder_settings
    return {
        "before_enabled": r.before_due.enabled,
        "before_days": ", ".join(str(d) for d in r.before_due.days_before),
        "before_template": r.before_due.template,
        "after_enabled": r.after_due.enabled,
        "after": [
            {"days": str(d), "template": r.after_due.templates.get(d, "")} for d in r.after_due.days_after
        ],
    }


def page(
    v: Visiting,
    service: Organizations,
    status: int = 200,
    error: str | None = None,
    typed: dict[str, Any] | None = None,
) -> Response[str]:
    org = service.get(v.operator.organization_id)
    form = typed or saved_form(org)
    return section_page(v, "reminders", status, org, form=form, templates=TEMPLATE_NAMES, error=error)


@router.get(PATH)
def reminders(operator: Admin, v: Visiting, service: Organizations) -> Response[str]:
    return page(v, service)


def typed_form(v: Visiting) -> dict[str, Any]:
    return {
        "before_enabled": v.field("before_enabled") == "on",
        "before_days": v.field("before_days"),
        "before_template": v.field("before_template"),
        "after_enabled": v.field("after_enabled") == "on",
        "after": in_day_order(typed_rows(v, "days", "template"), "days"),
    }


def patch(typed: dict[str, Any]) -> dict[str, Any]:
    after = typed["after"]
    return {
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


@router.post(PATH)
def save_reminders(operator: PostedByAdmin, v: Visiting, service: Organizations) -> Response[str]:
    typed = typed_form(v)
    try:
        body = ReminderSettingsPatch.model_validate(patch(typed))
        service.update_reminder_settings(operator.organization_id, body)
    except ValidationError as exc:
        return page(v, service, 400, validation_words(exc), typed)
    except (ValidationFailed, NotFound, Conflict) as exc:  # an unknown template is a NotFound
        return page(v, service, 400, service_words(exc), typed)
    return v.back("/settings/reminders", notice="Reminder settings saved.")
