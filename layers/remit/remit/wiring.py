"""Where services and adapters are built: the one place that knows which adapter stands
behind which port, and which setting names it.

Every entry point builds through here: http/deps.py (per container, cached), the
functions' handlers (at import), the hosted pages' and the dashboard's ``from_env``,
bench/ and the tests. A builder takes from the settings (remit.settings) only what its
caller did not hand in, so a test passes its own mailer, documents or links and gets the
service the function would run. Nothing below this module imports it.

Imports are made inside each builder: the authorizer builds only its API-key repository
and must not pay, at cold start, for the invoice model or the adapters of other functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from remit.settings import Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import Mapping

    from remit.adapters.sms import SmsSender, SnsSms
    from remit.adapters.sns import Topic
    from remit.adapters.sqs import JobQueue
    from remit.clock import Clock
    from remit.dashboard.auth import CognitoSignIn, TokenVerifier
    from remit.services.auth import Authenticator
    from remit.services.collections import CollectionService
    from remit.services.context import Context
    from remit.services.delivery import DeliveryService, Mailer
    from remit.services.documents import DocumentService, Renderer, Storage
    from remit.services.links import Links
    from remit.services.publishing import Publisher
    from remit.services.webhooks import Redriver, WebhookConfig


# -- what every use case needs --------------------------------------------------------------


def clock(settings: Settings | None = None) -> Clock:
    from remit.clock import clock_at

    return clock_at((settings or get_settings()).remit_clock_file)


def context(settings: Settings | None = None) -> Context:
    from remit.services.context import Context
    from remit.store.repositories import Store
    from remit.store.table import Table

    s = settings or get_settings()
    return Context(store=Store(Table(s.need("table_name"))), clock=clock(s))


def authenticator(settings: Settings | None = None) -> Authenticator:
    """Only the API-key repository: the authorizer never loads the invoice model."""
    from remit.services.auth import Authenticator
    from remit.store.api_keys import ApiKeyRepo
    from remit.store.table import Table

    s = settings or get_settings()
    return Authenticator(ApiKeyRepo(Table(s.need("table_name"))), clock(s))


# -- events and webhooks -------------------------------------------------------------------


def topic(settings: Settings | None = None) -> Topic:
    from remit.adapters.sns import Topic

    return Topic((settings or get_settings()).need("events_topic_arn"))


def webhook_config(settings: Settings | None = None) -> WebhookConfig:
    from remit.services.webhooks import WebhookConfig

    s = settings or get_settings()
    return WebhookConfig(dead_letter_arn=s.need("webhook_dlq_arn"), allow_insecure=s.webhook_allow_insecure)


def publisher(ctx: Context, settings: Settings | None = None) -> Publisher:
    from remit.services.publishing import Publisher

    return Publisher(ctx, topic(settings))


def redriver(ctx: Context, settings: Settings | None = None) -> Redriver:
    from remit.services.webhooks import Redriver

    return Redriver(ctx, topic(settings))


# -- documents and email -------------------------------------------------------------------


def document_storage(settings: Settings | None = None) -> Storage:
    from remit.adapters.s3 import DocumentBucket

    return DocumentBucket((settings or get_settings()).need("documents_bucket"))


def pdf_renderer(settings: Settings | None = None) -> Renderer:
    from remit.adapters.pdf_function import PdfFunction

    return PdfFunction((settings or get_settings()).need("pdf_function_name"))


def document_service(
    ctx: Context,
    *,
    storage: Storage | None = None,
    renderer: Renderer | None = None,
    settings: Settings | None = None,
) -> DocumentService:
    """Documents read from the bucket and, when missing, rendered by the PDF function."""
    from remit.services.documents import DocumentService

    s = settings or get_settings()
    return DocumentService(
        ctx,
        storage if storage is not None else document_storage(s),
        renderer if renderer is not None else pdf_renderer(s),
    )


def ses_mailer(settings: Settings | None = None) -> Mailer:
    from remit.adapters.ses import SesMailer

    return SesMailer((settings or get_settings()).ses_configuration_set)


def sms_sender(settings: Settings | None = None) -> SnsSms:
    from remit.adapters.sms import SnsSms

    return SnsSms((settings or get_settings()).sms_sender_id)


def delivery_service(
    ctx: Context,
    *,
    mailer: Mailer | None = None,
    documents: DocumentService | None = None,
    sender: str | None = None,
    links: Links | None = None,
    settings: Settings | None = None,
) -> DeliveryService:
    """The one place a DeliveryService is made: SES with the configuration set, the
    documents port, the sender address and the pages' links, unless handed in."""
    from remit.services.delivery import DeliveryService

    s = settings or get_settings()
    return DeliveryService(
        ctx,
        mailer if mailer is not None else ses_mailer(s),
        documents if documents is not None else document_service(ctx, settings=s),
        sender if sender is not None else s.need("sender_address"),
        links,
    )


def collection_service(
    ctx: Context,
    *,
    delivery: DeliveryService | None = None,
    sms: SmsSender | None = None,
    settings: Settings | None = None,
) -> CollectionService:
    """What the collections worker runs: reminders and dunning emails through the
    delivery service, SMS through SNS."""
    from remit.services.collections import CollectionService

    s = settings or get_settings()
    return CollectionService(
        ctx,
        delivery if delivery is not None else delivery_service(ctx, settings=s),
        sms if sms is not None else sms_sender(s),
    )


# -- the sweeper's queues ------------------------------------------------------------------


def job_queues(settings: Settings | None = None) -> Mapping[str, JobQueue]:
    """The queue each kind of due work goes to."""
    from remit.adapters.sqs import JobQueue
    from remit.store.collections import COLLECTIONS
    from remit.store.invoices import AUTOPAY, FINALIZE
    from remit.store.payment_methods import EXPIRING
    from remit.store.subscriptions import BILLING

    s = settings or get_settings()
    autopay = JobQueue(s.need("autopay_queue_url"))
    return {
        BILLING: JobQueue(s.need("billing_queue_url")),
        FINALIZE: JobQueue(s.need("finalize_queue_url")),
        # Charges due and cards to warn about share the AutoPay queue and worker.
        AUTOPAY: autopay,
        EXPIRING: autopay,
        COLLECTIONS: JobQueue(s.need("collections_queue_url")),
    }


# -- the operator dashboard ----------------------------------------------------------------


def operator_auth(settings: Settings | None = None) -> tuple[TokenVerifier, CognitoSignIn]:
    """How the dashboard verifies a session (the pool's JWKS) and signs an operator in."""
    from remit.dashboard.auth import CognitoSignIn, Jwks, TokenVerifier, issuer_for, jwks_url

    s = settings or get_settings()
    pool, client_id = s.need("cognito_user_pool_id"), s.need("cognito_client_id")
    issuer = issuer_for(s.aws_region, pool)
    jwks = Jwks(jwks_url(issuer, pool, s.aws_endpoint_url))
    return TokenVerifier(issuer, client_id, jwks), CognitoSignIn(client_id)
