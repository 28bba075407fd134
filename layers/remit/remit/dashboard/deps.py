"""What the dashboard's routes declare with ``Depends``: the visit (the request as the pages
see it), the operator and the role a route needs, and the API's services over the wired
context. ``build_app`` hands in the wiring by overriding ``get_wiring``; tests wire fakes.

The order of the checks on a change is the one the pages always had: the form's CSRF token
first (403), then the session (sign in again), then the role (403)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends, Request

from remit.dashboard.auth import Operator
from remit.dashboard.web import Visit, Wiring
from remit.services.accounts import AccountService
from remit.services.api_keys import ApiKeyService
from remit.services.collections import CollectionService
from remit.services.context import Context
from remit.services.delivery import DeliveryService
from remit.services.delivery_log import DeliveryLog
from remit.services.email_templates import EmailTemplateService
from remit.services.invoices import InvoiceService
from remit.services.organizations import OrganizationService
from remit.services.payment_methods import PaymentMethodService
from remit.services.receivables import ReceivablesService
from remit.services.subscriptions import SubscriptionService
from remit.services.webhooks import WebhookService

# Where the visit is kept for the error handlers: the resolver's context, cleared after
# every event.
VISIT = "dashboard_visit"


def get_wiring() -> Wiring:
    raise RuntimeError("build_app(wiring) overrides this dependency")


Wired = Annotated[Wiring, Depends(get_wiring)]


def visit(request: Request, wiring: Wired) -> Visit:
    found = Visit(request.resolved_event, wiring)  # type: ignore[arg-type]
    request.context[VISIT] = found
    return found


Visiting = Annotated[Visit, Depends(visit)]


def signed_in(v: Visiting) -> Operator:
    return v.operator


def admin(v: Visiting) -> Operator:
    operator = v.operator
    operator.require("admin")
    return operator


def finance(v: Visiting) -> Operator:
    operator = v.operator
    operator.require("finance")
    return operator


def posted(v: Visiting) -> Operator:
    """A form of any signed-in operator (signing out)."""
    v.check_csrf()
    return v.operator


def posted_by_admin(v: Visiting) -> Operator:
    v.check_csrf()
    return admin(v)


def posted_by_finance(v: Visiting) -> Operator:
    v.check_csrf()
    return finance(v)


SignedIn = Annotated[Operator, Depends(signed_in)]
Admin = Annotated[Operator, Depends(admin)]
Finance = Annotated[Operator, Depends(finance)]
PostedByAdmin = Annotated[Operator, Depends(posted_by_admin)]
PostedByFinance = Annotated[Operator, Depends(posted_by_finance)]


def context(wiring: Wired) -> Context:
    return wiring.context()  # type: ignore[no-any-return]


Ctx = Annotated[Context, Depends(context)]


def accounts(ctx: Ctx) -> AccountService:
    return AccountService(ctx)


def invoices(ctx: Ctx) -> InvoiceService:
    return InvoiceService(ctx)


def organizations(ctx: Ctx) -> OrganizationService:
    return OrganizationService(ctx)


def payment_methods(ctx: Ctx) -> PaymentMethodService:
    return PaymentMethodService(ctx)


def subscriptions(ctx: Ctx) -> SubscriptionService:
    return SubscriptionService(ctx)


def receivables(ctx: Ctx) -> ReceivablesService:
    return ReceivablesService(ctx)


def delivery_log(ctx: Ctx) -> DeliveryLog:
    return DeliveryLog(ctx)


def email_templates(ctx: Ctx) -> EmailTemplateService:
    return EmailTemplateService(ctx)


def api_keys(ctx: Ctx) -> ApiKeyService:
    return ApiKeyService(ctx)


def webhooks(wiring: Wired) -> WebhookService:
    return wiring.webhooks()


def deliveries(wiring: Wired) -> DeliveryService:
    return wiring.deliveries()


def collections(ctx: Ctx, wiring: Wired) -> CollectionService:
    return CollectionService(ctx, wiring.deliveries())


Accounts = Annotated[AccountService, Depends(accounts)]
Invoices = Annotated[InvoiceService, Depends(invoices)]
Organizations = Annotated[OrganizationService, Depends(organizations)]
PaymentMethods = Annotated[PaymentMethodService, Depends(payment_methods)]
Subscriptions = Annotated[SubscriptionService, Depends(subscriptions)]
Receivables = Annotated[ReceivablesService, Depends(receivables)]
DeliveryLogs = Annotated[DeliveryLog, Depends(delivery_log)]
EmailTemplates = Annotated[EmailTemplateService, Depends(email_templates)]
ApiKeys = Annotated[ApiKeyService, Depends(api_keys)]
Webhooks = Annotated[WebhookService, Depends(webhooks)]
Deliveries = Annotated[DeliveryService, Depends(deliveries)]
Collections = Annotated[CollectionService, Depends(collections)]
