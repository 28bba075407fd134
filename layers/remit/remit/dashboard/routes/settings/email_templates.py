"""Settings -> an email template: edit subject, from name, reply-to and body with a preview
on sample data, or go back to the default (EmailTemplateService, as ``/email-templates``)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.dashboard.deps import Admin, EmailTemplates, PostedByAdmin, Visiting
from remit.dashboard.outcome import changed
from remit.schemas.emails import EmailTemplateIn

router = Router()
PATH = "/dashboard/settings/email-templates/<name>"


@router.get(PATH)
def email_template(name: str, operator: Admin, v: Visiting, service: EmailTemplates) -> Response[str]:
    language = v.query("language") or None
    template = service.get(operator.organization_id, name, language)
    preview = service.preview(operator.organization_id, name, language, None)
    return v.render("email_template.html", template=template, preview=preview, language=language)


@router.post(PATH)
def save_email_template(
    name: str, operator: PostedByAdmin, v: Visiting, service: EmailTemplates
) -> Response[str]:
    org = operator.organization_id
    language = v.field("language") or None

    def save() -> None:
        if v.field("reset") == "yes":
            service.delete(org, name, language)
            return
        body = EmailTemplateIn.model_validate(
            {
                "subject": v.field("subject"),
                "fromName": v.field("fromName"),
                "replyTo": v.field("replyTo") or None,
                "body": v.field("body"),
            }
        )
        service.put(org, name, language, body)

    # A NotFound without a field is the template's name: no such page.
    return changed(
        v,
        f"/settings/email-templates/{name}",
        save,
        "Template saved.",
        gone=lambda exc: exc.field is None,
        language=language or "",
    )
