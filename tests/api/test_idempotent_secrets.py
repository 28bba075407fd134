"""Idempotency records never hold a one-time secret (issue 17.1): a new API key's token and
a portal link are answered once and kept nowhere, neither in the table's items nor in what
its stream carries (moto keeps the stream template.yaml asks for); a replay refuses, for a
key, or mints a fresh link, for a portal session."""

from __future__ import annotations

from typing import Any

import boto3

from remit.services.auth import Authenticator
from remit.services.context import Context
from tests.api.conftest import TABLE
from tests.support.api_client import ApiClient


def _table_items(ctx: Context) -> list[dict[str, Any]]:
    client = ctx.store.table.client
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=TABLE):
        items.extend(page["Items"])
    return items


def _stream_records() -> list[dict[str, Any]]:
    arn = boto3.client("dynamodb").describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    # Named: botocore sends a StreamArn call to an account endpoint, which moto does not serve.
    region = boto3.session.Session().region_name
    streams = boto3.client("dynamodbstreams", endpoint_url=f"https://streams.dynamodb.{region}.amazonaws.com")
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records.extend(page["Records"])
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return records


def _assert_kept_nowhere(ctx: Context, secret: str) -> None:
    items = _table_items(ctx)
    assert any(i["pk"]["S"].endswith("#IDEMPOTENCY") for i in items), "the record was written"
    assert all(secret not in str(item) for item in items)
    records = _stream_records()
    assert any("IDEMPOTENCY" in str(r) for r in records), "the stream carried the record"
    assert all(secret not in str(record) for record in records)


def test_a_new_keys_token_is_not_kept_and_a_replay_names_the_key(api: ApiClient, ctx: Context) -> None:
    first = api.post("/api-keys", {"name": "ci"}, headers={"Idempotency-Key": "key-1"})
    assert first.status == 201, first
    token = first.body["token"]
    secret = token.split("_")[-1]

    again = api.post("/api-keys", {"name": "ci"}, headers={"Idempotency-Key": "key-1"})
    _assert_kept_nowhere(ctx, secret)
    assert (again.status, again.body["code"], again.body["id"]) == (
        409,
        "idempotent_replay_secret",
        first.body["id"],
    )
    assert first.body["id"] in again.body["message"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert token not in str(again.body)
    # No second key was made, and the first one still works.
    assert [k["id"] for k in api.get("/api-keys").body["data"] if k["name"] == "ci"] == [first.body["id"]]
    assert Authenticator(ctx.store.api_keys, ctx.clock).authenticate(f"Bearer {token}") is not None
    # Another body under the key is still refused as before.
    other = api.post("/api-keys", {"name": "other"}, headers={"Idempotency-Key": "key-1"})
    assert (other.status, other.body["code"]) == (422, "idempotency_key_reused")


def test_a_portal_link_is_not_kept_and_a_replay_gets_a_fresh_one(
    api: ApiClient,
    ctx: Context,
    account: dict,  # type: ignore[type-arg]
) -> None:
    path = f"/accounts/{account['id']}/portal-sessions"
    first = api.post(path, {"flow": "invoices"}, headers={"Idempotency-Key": "portal-1"})
    assert first.status == 201, first
    again = api.post(path, {"flow": "invoices"}, headers={"Idempotency-Key": "portal-1"})
    link = first.body["url"].rsplit("/", 1)[-1]
    _assert_kept_nowhere(ctx, link)
    assert again.status == 201, again
    assert again.body["url"] != first.body["url"]
    assert all(again.body["url"].rsplit("/", 1)[-1] not in str(item) for item in _table_items(ctx))
