"""API tests: the real handler and routes, on moto's in-process DynamoDB with the table
built from template.yaml, and a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from remit.adapters.s3 import DocumentBucket
from remit.adapters.ses import SesMailer
from remit.clock import FixedClock
from remit.http.deps import get_context, get_mailer, get_renderer, get_storage
from remit.services.context import Context
from remit.store.repositories import Store
from remit.store.table import Table
from remit_local.resources import create_table
from tests.support.api_client import ApiClient
from tests.support.documents import BUCKET, InProcessPdfFunction

TABLE = "remit-api-test"
SENDER = "billing@remit.example"


@pytest.fixture
def ctx(clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("SENDER_ADDRESS", SENDER)
    with mock_aws():
        client = boto3.client("dynamodb")
        create_table(client, TABLE)
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        boto3.client("sesv2").create_email_identity(EmailIdentity=SENDER)
        yield Context(store=Store(Table(TABLE, client)), clock=clock)


@pytest.fixture
def bucket(ctx: Context) -> DocumentBucket:
    return DocumentBucket(BUCKET)


@pytest.fixture
def pdf_function(ctx: Context, bucket: DocumentBucket) -> InProcessPdfFunction:
    return InProcessPdfFunction(ctx, bucket)


@pytest.fixture
def api(ctx: Context, org: str, bucket: DocumentBucket, pdf_function: InProcessPdfFunction) -> ApiClient:
    client = ApiClient()
    client.app.dependency_overrides[get_context] = lambda: ctx
    client.app.dependency_overrides[get_storage] = lambda: bucket
    client.app.dependency_overrides[get_renderer] = lambda: pdf_function
    mailer = SesMailer()
    client.app.dependency_overrides[get_mailer] = lambda: mailer
    return client.as_org(org)


@pytest.fixture
def account(api: ApiClient) -> dict:  # type: ignore[type-arg]
    reply = api.post("/accounts", {"name": "Globex", "email": "ap@globex.example"})
    assert reply.status == 201, reply
    return reply.body  # type: ignore[no-any-return]
