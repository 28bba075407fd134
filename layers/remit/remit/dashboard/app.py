"""The dashboard's resolver: one router per area (home and signing in, customers,
invoices, and each settings section), the wiring handed to every route through
``Depends``, and errors answered in one place (remit.dashboard.errors)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from remit.dashboard import deps, errors
from remit.dashboard.routes import customers, home, invoices
from remit.dashboard.routes.settings import (
    api_keys,
    dunning,
    email_templates,
    invoicing,
    overview,
    payments,
    reminders,
    webhooks,
)
from remit.dashboard.web import Wiring

AREAS = (home, customers, invoices)
# The sections' own paths are static, so they are matched before overview's catch-alls.
SETTINGS = (overview, invoicing, payments, reminders, dunning, webhooks, api_keys, email_templates)


def build_app(wiring: Wiring) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver()
    for module in (*AREAS, *SETTINGS):
        app.include_router(module.router)
    app.dependency_overrides[deps.get_wiring] = lambda: wiring
    errors.register(app, wiring)
    return app
