"""Integration tests run on Amazon's DynamoDB Local (real transactions, conditions and
indexes), started once for the session, with the table built from template.yaml."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import boto3
import pytest
from botocore.config import Config

from remit.clock import FixedClock
from remit.http.deps import get_context
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit.settings import get_settings
from remit.store.repositories import Store
from remit.store.table import Table
from remit_local.dynamodb_local import DynamoDBLocal
from remit_local.resources import create_table
from tests.support.api_client import ApiClient

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    server = DynamoDBLocal.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def table(dynamodb_local: DynamoDBLocal) -> Table:
    # Enough connections for the concurrency tests' threads.
    client = boto3.client(
        "dynamodb",
        endpoint_url=dynamodb_local.endpoint,
        config=Config(max_pool_connections=64, retries={"mode": "standard"}),
    )
    name = f"remit-it-{uuid.uuid4().hex[:8]}"
    create_table(client, name)
    return Table(name, client)


@pytest.fixture
def ctx(table: Table, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> Context:
    monkeypatch.setenv("TABLE_NAME", table.name)
    # Webhook routes build their SNS adapter from these; the tests here never reach SNS.
    monkeypatch.setenv("EVENTS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:remit-it-events")
    monkeypatch.setenv("WEBHOOK_DLQ_ARN", "arn:aws:sqs:us-east-1:123456789012:remit-it-webhook-dlq")
    # Document and collection routes build their S3, PDF and SES adapters from these;
    # the requests here are answered before any of them is used.
    monkeypatch.setenv("DOCUMENTS_BUCKET", "remit-it-documents")
    monkeypatch.setenv("PDF_FUNCTION_NAME", "remit-it-pdf")
    monkeypatch.setenv("SENDER_ADDRESS", "billing@remit-it.example")
    get_settings.cache_clear()
    return Context(store=Store(table), clock=clock)


@pytest.fixture
def new_org(ctx: Context) -> Callable[[str], str]:
    """Each test makes its own organizations, so tests share the table but not data."""

    def make(name: str = "Acme") -> str:
        org, _ = OrganizationService(ctx).create(name)
        return org.id

    return make


@pytest.fixture
def api_for(ctx: Context) -> Callable[[str], ApiClient]:
    """A fresh API function container (its own module and resolver) for an organization."""

    def make(org_id: str) -> ApiClient:
        client = ApiClient()
        client.app.dependency_overrides[get_context] = lambda: ctx
        return client.as_org(org_id)

    return make
