"""/dashboard/settings: the invoicing and payments forms (saved by invoicing.py and
payments.py), the branding preview beside them, the list of email templates; and the
answer for a section that does not exist."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.dashboard import choices
from remit.dashboard.deps import Admin, Organizations, PostedByAdmin, Visiting
from remit.dashboard.routes.settings.page import SECTIONS
from remit.dashboard.web import redirect
from remit.emails.defaults import TEMPLATE_NAMES
from remit.errors import NotFound

router = Router()
PREVIEW_SECONDS = 300


@router.get("/dashboard/settings")
def settings(operator: Admin, v: Visiting, service: Organizations) -> Response[str]:
    return v.render(
        "settings.html",
        org=service.get(operator.organization_id),
        templates=TEMPLATE_NAMES,
        sections=SECTIONS,
        section="",
        preview_version=v.query("v"),
        delivery_methods=choices.DELIVERY_METHODS,
        accepted_methods=choices.ACCEPTED_METHODS,
    )


def saved(v: Visiting) -> Response[str]:
    """Back to the page after invoicing or payments saved; ``v`` makes the preview's
    frame load the new version."""
    version = str(int(v.wiring.context().clock.now().timestamp()))
    return v.back("/settings", notice="Settings saved.", v=version)


@router.get("/dashboard/settings/preview")
def branding_preview(operator: Admin, v: Visiting) -> Response[str]:
    """The organization's saved branding on a sample invoice, as the PDF function renders
    real invoices (the settings page shows it in a frame beside the form)."""
    key = v.wiring.renderer().preview(operator.organization_id)
    return redirect(v.wiring.storage().presign(key, PREVIEW_SECONDS))


# Each section's own routes are static paths, matched before these.


@router.get("/dashboard/settings/<section>")
def unknown_page(section: str, operator: Admin) -> Response[str]:
    raise NotFound("no such settings page")


@router.post("/dashboard/settings/<section>")
def unknown_section(section: str, operator: PostedByAdmin) -> Response[str]:
    raise NotFound("no such settings section")
