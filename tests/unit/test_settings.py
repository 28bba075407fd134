"""remit.settings against template.yaml (every variable a function is given is in the
model), how values are read, and remit.wiring's builders taking them from a Settings."""

from __future__ import annotations

from typing import Any

import pytest

from remit import wiring
from remit.settings import MissingSetting, Settings, get_settings
from remit.store.invoices import AUTOPAY
from remit.store.payment_methods import EXPIRING
from remit_local.template import TEMPLATE, load

DOC = load(TEMPLATE)


def template_variables() -> set[str]:
    found = set(DOC.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
    for resource in DOC["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            found |= set(resource["Properties"].get("Environment", {}).get("Variables", {}))
    return found


def model_variables() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        alias: Any = field.validation_alias
        names |= {c.upper() for c in alias.choices} if alias is not None else {name.upper()}
    return names


def test_every_variable_the_template_gives_a_function_is_in_the_model() -> None:
    assert template_variables() - model_variables() == set()


def test_settings_are_read_once_until_the_cache_is_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://pay.one.example")
    first = get_settings()
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://pay.two.example")
    assert get_settings() is first
    get_settings.cache_clear()
    assert get_settings().public_base_url == "https://pay.two.example"


def test_values_defaults_and_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("SMS_SENDER_ID", "")
    monkeypatch.setenv("WEBHOOK_ALLOW_INSECURE", "1")
    monkeypatch.setenv("REMIT_ENABLE_SWAGGER", "yes")
    settings = Settings()
    assert settings.public_base_url == "https://billing.example.com"  # the one default
    assert settings.aws_region == "eu-west-1"
    assert settings.sms_sender_id is None  # empty is unset
    assert settings.webhook_allow_insecure is True
    assert settings.remit_enable_swagger is False  # only "1" turns a switch on


def test_a_builder_says_which_variable_it_misses() -> None:
    with pytest.raises(MissingSetting, match="EVENTS_TOPIC_ARN"):
        wiring.topic(Settings(events_topic_arn=None))


def test_builders_take_what_they_need_from_the_settings_handed_in() -> None:
    settings = Settings(
        events_topic_arn="arn:aws:sns:us-east-1:123456789012:events",
        webhook_dlq_arn="arn:aws:sqs:us-east-1:123456789012:dlq",
        documents_bucket="docs",
        pdf_function_name="pdf",
        ses_configuration_set="remit",
        sms_sender_id="Remit",
        billing_queue_url="https://sqs/billing",
        finalize_queue_url="https://sqs/finalize",
        autopay_queue_url="https://sqs/autopay",
        collections_queue_url="https://sqs/collections",
    )
    assert wiring.topic(settings).arn == settings.events_topic_arn
    assert wiring.webhook_config(settings).dead_letter_arn == settings.webhook_dlq_arn
    assert wiring.document_storage(settings).bucket == "docs"  # type: ignore[attr-defined]
    assert wiring.pdf_renderer(settings).function_name == "pdf"  # type: ignore[attr-defined]
    assert wiring.ses_mailer(settings).configuration_set == "remit"  # type: ignore[attr-defined]
    assert wiring.sms_sender(settings).sender_id == "Remit"
    queues = wiring.job_queues(settings)
    assert queues[AUTOPAY] is queues[EXPIRING]  # one queue and worker for both
    assert {q.url for q in queues.values()} == {
        "https://sqs/billing",
        "https://sqs/finalize",
        "https://sqs/autopay",
        "https://sqs/collections",
    }
