"""Dependencies the routes declare with ``Depends``. Tests replace ``get_context`` through
``app.dependency_overrides``; nothing is patched. What needs the environment is built by
remit.wiring, once per container (the ``@cache``d getters)."""

from __future__ import annotations

from functools import cache
from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Depends, Request
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from remit import wiring
from remit.adapters.sns import Topic
from remit.errors import Unauthorized
from remit.services.accounts import AccountService
from remit.services.api_keys import ApiKeyService
from remit.services.catalogue import ProductService
from remit.services.checkout import CheckoutService
from remit.services.collections import CollectionService
from remit.services.context import Context
from remit.services.credit_notes import CreditNoteService
from remit.services.delivery import DeliveryService, Mailer
from remit.services.delivery_log import DeliveryLog
from remit.services.documents import DocumentService, Renderer, Storage
from remit.services.email_templates import EmailTemplateService
from remit.services.events import EventService
from remit.services.invoices import InvoiceService
from remit.services.organizations import OrganizationService
from remit.services.payment_methods import PaymentMethodService
from remit.services.payments import PaymentService
from remit.services.receivables import ReceivablesService
from remit.services.subscriptions import SubscriptionService
from remit.services.webhooks import WebhookConfig, WebhookService


@cache
def get_context() -> Context:
    # Built once per Lambda container, on first use, and reused by every invocation.
    return wiring.context()


@cache
def get_topic() -> Topic:
    return wiring.topic()


@cache
def get_webhook_config() -> WebhookConfig:
    return wiring.webhook_config()


def tenant(request: Request) -> str:
    """The organization the API key belongs to, as the authorizer resolved it. Every
    query a route makes is scoped by this id; nothing in the request can change it."""
    event = cast(APIGatewayProxyEvent, request.resolved_event)
    authorizer = event.request_context.authorizer
    org_id = authorizer.get("organizationId") if authorizer else None
    if not org_id:
        raise Unauthorized("no organization on this request")
    return str(org_id)


def invoices(ctx: Annotated[Context, Depends(get_context)]) -> InvoiceService:
    return InvoiceService(ctx)


def credit_notes(ctx: Annotated[Context, Depends(get_context)]) -> CreditNoteService:
    return CreditNoteService(ctx)


def accounts(ctx: Annotated[Context, Depends(get_context)]) -> AccountService:
    return AccountService(ctx)


def organizations(ctx: Annotated[Context, Depends(get_context)]) -> OrganizationService:
    return OrganizationService(ctx)


def products(ctx: Annotated[Context, Depends(get_context)]) -> ProductService:
    return ProductService(ctx)


def subscriptions(ctx: Annotated[Context, Depends(get_context)]) -> SubscriptionService:
    return SubscriptionService(ctx)


def events(ctx: Annotated[Context, Depends(get_context)]) -> EventService:
    return EventService(ctx)


def webhooks(
    ctx: Annotated[Context, Depends(get_context)],
    topic: Annotated[Topic, Depends(get_topic)],
    config: Annotated[WebhookConfig, Depends(get_webhook_config)],
) -> WebhookService:
    return WebhookService(ctx, topic, config)


def payment_methods(ctx: Annotated[Context, Depends(get_context)]) -> PaymentMethodService:
    return PaymentMethodService(ctx)


def payments(ctx: Annotated[Context, Depends(get_context)]) -> PaymentService:
    return PaymentService(ctx)


def receivables(ctx: Annotated[Context, Depends(get_context)]) -> ReceivablesService:
    return ReceivablesService(ctx)


def checkout(ctx: Annotated[Context, Depends(get_context)]) -> CheckoutService:
    return CheckoutService(ctx)


@cache
def get_storage() -> Storage:
    # Built when first needed (a request that fails its lookup first never needs it).
    return wiring.document_storage()


@cache
def get_renderer() -> Renderer:
    return wiring.pdf_renderer()


def documents(
    ctx: Annotated[Context, Depends(get_context)],
    storage: Annotated[Storage, Depends(get_storage)],
    renderer: Annotated[Renderer, Depends(get_renderer)],
) -> DocumentService:
    return wiring.document_service(ctx, storage=storage, renderer=renderer)


@cache
def get_mailer() -> Mailer:
    return wiring.ses_mailer()


def email_templates(ctx: Annotated[Context, Depends(get_context)]) -> EmailTemplateService:
    return EmailTemplateService(ctx)


def deliveries(
    ctx: Annotated[Context, Depends(get_context)],
    docs: Annotated[DocumentService, Depends(documents)],
    mailer: Annotated[Mailer, Depends(get_mailer)],
) -> DeliveryService:
    return wiring.delivery_service(ctx, mailer=mailer, documents=docs)


def collections(
    ctx: Annotated[Context, Depends(get_context)],
    delivery: Annotated[DeliveryService, Depends(deliveries)],
) -> CollectionService:
    return CollectionService(ctx, delivery)


def delivery_log(ctx: Annotated[Context, Depends(get_context)]) -> DeliveryLog:
    return DeliveryLog(ctx)


def api_keys(ctx: Annotated[Context, Depends(get_context)]) -> ApiKeyService:
    return ApiKeyService(ctx)


Tenant = Annotated[str, Depends(tenant)]
Invoices = Annotated[InvoiceService, Depends(invoices)]
CreditNotes = Annotated[CreditNoteService, Depends(credit_notes)]
Accounts = Annotated[AccountService, Depends(accounts)]
Organizations = Annotated[OrganizationService, Depends(organizations)]
Products = Annotated[ProductService, Depends(products)]
Subscriptions = Annotated[SubscriptionService, Depends(subscriptions)]
Events = Annotated[EventService, Depends(events)]
Webhooks = Annotated[WebhookService, Depends(webhooks)]
PaymentMethods = Annotated[PaymentMethodService, Depends(payment_methods)]
Payments = Annotated[PaymentService, Depends(payments)]
Checkout = Annotated[CheckoutService, Depends(checkout)]
Receivables = Annotated[ReceivablesService, Depends(receivables)]
Documents = Annotated[DocumentService, Depends(documents)]
EmailTemplates = Annotated[EmailTemplateService, Depends(email_templates)]
Deliveries = Annotated[DeliveryService, Depends(deliveries)]
DeliveryLogs = Annotated[DeliveryLog, Depends(delivery_log)]
Collections = Annotated[CollectionService, Depends(collections)]
ApiKeys = Annotated[ApiKeyService, Depends(api_keys)]
