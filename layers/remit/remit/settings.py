"""The deployment's environment, read in one place, once per container.

template.yaml gives each function the variables it needs; this model names every one of
them (tests/unit/test_settings.py holds it to the template), with the one default each
has. Nothing else in the layer reads ``os.environ``: the builders in remit.wiring take
what they need from ``get_settings()``.

A value a function needs and was not given is ``None`` here and a ``MissingSetting``
when the builder that needs it runs (at cold start for the workers, like the KeyError it
replaces), so a function is never refused for a variable only another function has.

Tests set variables and call ``get_settings.cache_clear()`` (tests/conftest.py does it
around every test), or hand a ``Settings(...)`` to a builder.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _flag(value: Any) -> bool:
    # A switch is on only when set to "1", as the template and the local runner set them.
    return value is True or str(value).strip() == "1"


Flag = Annotated[bool, BeforeValidator(_flag)]


class MissingSetting(KeyError):
    """A builder needs a variable this function was not given (a template mistake)."""


class Settings(BaseSettings):
    # Only the process environment: no .env file, no secrets directory, no CLI parsing.
    # An empty variable counts as unset (``SMS_SENDER_ID=""`` is no sender id).
    model_config = SettingsConfigDict(
        case_sensitive=False, env_ignore_empty=True, extra="ignore", frozen=True
    )

    # -- every function (template Globals) -----------------------------------------------
    table_name: str | None = None
    stage: str | None = None
    # Read by Powertools itself; named here so the model is the whole environment.
    powertools_service_name: str | None = None
    powertools_metrics_namespace: str | None = None
    powertools_log_level: str | None = None

    # -- events and webhooks --------------------------------------------------------------
    events_topic_arn: str | None = None
    webhook_dlq_arn: str | None = None
    webhook_dlq_url: str | None = None
    # Lets a webhook endpoint be plain http:// (the local cloud's receivers only).
    webhook_allow_insecure: Flag = False

    # -- documents and email --------------------------------------------------------------
    documents_bucket: str | None = None
    pdf_function_name: str | None = None
    # Read by Fontconfig in the PDF function (its fonts beside the handler).
    fontconfig_path: str | None = None
    ses_configuration_set: str | None = None
    sender_address: str | None = None
    sms_sender_id: str | None = None

    # -- hosted pages and payments --------------------------------------------------------
    # Where the hosted pages are served (the stack's PublicBaseUrl): links in emails, the
    # checkout session's url, the pages' own path prefix.
    public_base_url: str = "https://billing.example.com"
    stripe_publishable_key: str | None = None
    # The Stripe secret key's SSM parameter (the stack's), or a Secrets Manager secret id.
    stripe_secret_parameter: str | None = None
    stripe_secret_id: str | None = None

    # -- the operator dashboard -----------------------------------------------------------
    cognito_user_pool_id: str | None = None
    cognito_client_id: str | None = None

    # -- the sweeper's queues -------------------------------------------------------------
    billing_queue_url: str | None = None
    finalize_queue_url: str | None = None
    autopay_queue_url: str | None = None
    collections_queue_url: str | None = None

    # -- AWS, and the local cloud ---------------------------------------------------------
    aws_region: str = Field(
        default="us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )
    # The local cloud's endpoint (moto); unset in AWS.
    aws_endpoint_url: str | None = None
    # Serves /swagger from the API (the local cloud only).
    remit_enable_swagger: Flag = False
    # The local cloud's movable clock (remit.clock.OffsetFileClock); unset in AWS.
    remit_clock_file: str | None = None

    def need(self, name: str) -> str:
        """The value of a setting a builder cannot do without."""
        value = getattr(self, name)
        if not value:
            raise MissingSetting(f"{name.upper()} is not set for this function")
        return str(value)


@cache
def get_settings() -> Settings:
    """The environment as this container started with it (read on first use)."""
    return Settings()
