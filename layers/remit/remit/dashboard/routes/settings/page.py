"""What every settings page shows: its tab among the sections, the organization."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from remit.dashboard.web import Visit
from remit.schemas.organization import OrganizationOut
from remit.services.organizations import OrganizationService

# The settings pages, in the order of their tabs (the first is /dashboard/settings).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("", "Invoicing and payments"),
    ("reminders", "Reminders"),
    ("dunning", "Dunning"),
    ("webhooks", "Webhook endpoints"),
    ("api-keys", "API keys"),
)


def section_page(
    v: Visit, section: str, status: int = 200, org: OrganizationOut | None = None, **values: Any
) -> Response[str]:
    """``settings_<section>.html`` with the tabs, the organization and a confirmation asked."""
    if org is None:
        org = OrganizationService(v.wiring.context()).get(v.operator.organization_id)
    return v.render(
        f"settings_{section.replace('-', '_')}.html",
        status,
        org=org,
        sections=SECTIONS,
        section=section,
        confirm=v.query("confirm"),
        **values,
    )
