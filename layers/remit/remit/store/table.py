"""The one place that speaks to DynamoDB: a thin wrapper over the low-level client.

The low-level client (not the resource API) because transactions need it anyway and it
imports faster. Items go in and out as plain Python dicts; models are the repositories'
business. Reads are strongly consistent: an API that just wrote must read its own write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Item = dict[str, Any]
Key = dict[str, str]

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class ConditionFailed(Exception):
    """A single conditional write found the item in another state."""


class TransactionCancelled(Exception):
    """A transaction was refused. ``reasons`` holds one code (or None) per operation, in
    order; ``store.transactions.transact`` reads them against each item's label, so no
    repository decodes them by position."""

    def __init__(self, reasons: list[str | None]) -> None:
        super().__init__(f"transaction cancelled: {reasons}")
        self.reasons = reasons

    @property
    def conflicted(self) -> bool:
        """Another transaction touched the same items at the same time: retry as is."""
        return "TransactionConflict" in self.reasons


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def deserialize(raw: Mapping[str, Any]) -> Item:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in raw.items()}


def _plain(value: Any) -> Any:
    # DynamoDB numbers come back as Decimal; every number Remit stores is an integer.
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def cursor_at(last_key: Mapping[str, Any] | None, sort_key: str, prefix: str) -> str | None:
    """The next page's cursor: the id of the item a page stopped at, read off its key.
    Cursors are plain ids (as /events has), so the schema can state them and any id of the
    right kind is a valid place to start; every start key is built under the caller's
    organization, so a cursor cannot reach another tenant."""
    return str(last_key[sort_key]).removeprefix(prefix) if last_key else None


@dataclass
class Page:
    items: list[Item]
    last_key: Item | None


def make_client() -> DynamoDBClient:
    # Region and endpoint come from the environment (AWS_REGION, and locally
    # AWS_ENDPOINT_URL_DYNAMODB), so the same code runs deployed and on DynamoDB Local.
    config = Config(
        retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5, tcp_keepalive=True
    )
    return boto3.client("dynamodb", config=config)


class Table:
    def __init__(self, name: str, client: DynamoDBClient | None = None) -> None:
        self.name = name
        if client is not None:
            self.client = client

    @cached_property
    def client(self) -> DynamoDBClient:
        # Made on first use: creating a boto3 client costs tens of milliseconds, which a
        # module-level Table would otherwise add to every cold start's import.
        return make_client()

    # -- reads -----------------------------------------------------------------------

    def get(self, key: Key) -> Item | None:
        raw = self.client.get_item(TableName=self.name, Key=serialize(key), ConsistentRead=True)
        return deserialize(raw["Item"]) if "Item" in raw else None

    def get_many(self, keys: Sequence[Key]) -> list[Item | None]:
        """BatchGetItem in one round trip (retrying only what DynamoDB left unprocessed);
        results come back in the order of ``keys``."""
        pending: dict[str, Any] | None = {"Keys": [serialize(k) for k in keys], "ConsistentRead": True}
        found: dict[tuple[str, str], Item] = {}
        while pending and pending.get("Keys"):
            out = self.client.batch_get_item(RequestItems={self.name: pending})  # type: ignore[dict-item]
            for raw in out["Responses"].get(self.name, []):
                item = deserialize(raw)
                found[(item["pk"], item["sk"])] = item
            pending = out.get("UnprocessedKeys", {}).get(self.name)  # type: ignore[assignment]
        return [found.get((k["pk"], k["sk"])) for k in keys]

    def query(self, *, limit: int | None = None, start: Item | None = None, **kwargs: Any) -> Page:
        args: dict[str, Any] = {"TableName": self.name, **kwargs}
        if "ExpressionAttributeValues" in args:
            args["ExpressionAttributeValues"] = serialize(args["ExpressionAttributeValues"])
        if limit:
            args["Limit"] = limit
        if start:
            args["ExclusiveStartKey"] = serialize(start)
        out = self.client.query(**args)
        last = out.get("LastEvaluatedKey")
        return Page([deserialize(i) for i in out["Items"]], deserialize(last) if last else None)

    # -- writes ----------------------------------------------------------------------

    def put(
        self,
        item: Item,
        condition: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        try:
            self.client.put_item(TableName=self.name, **put_op(item, condition, names, values)["Put"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConditionFailed(str(exc)) from exc
            raise

    def update(
        self,
        key: Key,
        expression: str,
        *,
        condition: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        try:
            self.client.update_item(
                TableName=self.name, **update_op(key, expression, condition, names, values)["Update"]
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConditionFailed(str(exc)) from exc
            raise

    def delete(self, key: Key, condition: str | None = None) -> None:
        try:
            self.client.delete_item(TableName=self.name, **delete_op(key, condition)["Delete"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConditionFailed(str(exc)) from exc
            raise

    def transact(self, operations: Sequence[dict[str, Any]]) -> None:
        ops = [{kind: {"TableName": self.name, **body} for kind, body in op.items()} for op in operations]
        try:
            self.client.transact_write_items(TransactItems=ops)  # type: ignore[arg-type]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons", [])
            codes = [None if r.get("Code") in (None, "None") else r["Code"] for r in reasons]
            raise TransactionCancelled(codes or [None] * len(ops)) from exc


# -- operation builders (the shapes TransactWriteItems takes) --------------------------


def _expression(
    body: dict[str, Any], condition: str | None, names: dict[str, str] | None, values: dict[str, Any] | None
) -> dict[str, Any]:
    if condition:
        body["ConditionExpression"] = condition
    if names:
        body["ExpressionAttributeNames"] = names
    if values:
        body["ExpressionAttributeValues"] = serialize(values)
    return body


def put_op(
    item: Item,
    condition: str | None = None,
    names: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"Item": serialize(item)}
    return {"Put": _expression(body, condition, names, values)}


def update_op(
    key: Key,
    expression: str,
    condition: str | None = None,
    names: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"Key": serialize(key), "UpdateExpression": expression}
    return {"Update": _expression(body, condition, names, values)}


def delete_op(
    key: Key,
    condition: str | None = None,
    names: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {"Delete": _expression({"Key": serialize(key)}, condition, names, values)}
