"""API tests: the real handler and routes, on moto's in-process DynamoDB with the table
built from template.yaml, and a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from remit.clock import FixedClock
from remit.http.deps import get_context
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit.store.repositories import Store
from remit.store.table import Table
from remit_local.resources import create_table
from tests.support.api_client import ApiClient

TABLE = "remit-api-test"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def ctx(clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    monkeypatch.setenv("TABLE_NAME", TABLE)
    with mock_aws():
        client = boto3.client("dynamodb")
        create_table(client, TABLE)
        yield Context(store=Store(Table(TABLE, client)), clock=clock)


@pytest.fixture
def org(ctx: Context) -> str:
    organization, _ = OrganizationService(ctx).create("Acme")
    return organization.id


@pytest.fixture
def api(ctx: Context, org: str) -> ApiClient:
    client = ApiClient()
    client.app.dependency_overrides[get_context] = lambda: ctx
    return client.as_org(org)


@pytest.fixture
def account(api: ApiClient) -> dict:  # type: ignore[type-arg]
    reply = api.post("/accounts", {"name": "Globex", "email": "ap@globex.example"})
    assert reply.status == 201, reply
    return reply.body  # type: ignore[no-any-return]
