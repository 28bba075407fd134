"""Upgrades keep the data: items written in the previous shape (before ``schemaVersion``)
load and work through the API, and ``remit-admin migrate`` upgrades them in place, resumes
where an interrupted run stopped, and changes nothing the second time. On a table of its
own (a Scan of the shared one would walk the other tests' items)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from remit.clock import FixedClock
from remit.http.deps import get_context
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit.store.migrations import CURRENT, SCHEMA_VERSION, upgrade
from remit.store.repositories import Store
from remit.store.table import ConditionFailed, Table, deserialize, serialize
from remit_cli import admin
from remit_cli.migrate import Progress, _migrate_item, _update, migrate
from remit_local.dynamodb_local import DynamoDBLocal
from remit_local.resources import create_table
from tests.support.api_client import ApiClient


@pytest.fixture
def own(dynamodb_local: DynamoDBLocal, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    client = boto3.client("dynamodb", endpoint_url=dynamodb_local.endpoint)
    name = f"remit-mig-{uuid.uuid4().hex[:8]}"
    create_table(client, name)
    monkeypatch.setenv("TABLE_NAME", name)
    monkeypatch.setenv("EVENTS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:remit-it-events")
    monkeypatch.setenv("WEBHOOK_DLQ_ARN", "arn:aws:sqs:us-east-1:123456789012:remit-it-webhook-dlq")
    yield Context(store=Store(Table(name, client)), clock=FixedClock())
    client.delete_table(TableName=name)


def items(table: Table) -> list[dict[str, Any]]:
    found, args = [], {"TableName": table.name, "ConsistentRead": True}
    while True:
        page = table.client.scan(**args)  # type: ignore[arg-type]
        found += [deserialize(i) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return found
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def as_previous_release(table: Table) -> int:
    """Rewrite every item as the release before versions wrote it: no schemaVersion."""
    everything = items(table)
    for item in everything:
        item.pop(SCHEMA_VERSION, None)
        table.client.put_item(TableName=table.name, Item=serialize(item))
    return len(everything)


def api(ctx: Context, org_id: str) -> ApiClient:
    client = ApiClient()
    client.app.dependency_overrides[get_context] = lambda: ctx
    return client.as_org(org_id)


def seed(ctx: Context) -> tuple[ApiClient, str]:
    org, _ = OrganizationService(ctx).create("Before versions")
    client = api(ctx, org.id)
    account = client.post("/accounts", {"name": "Globex", "email": "ap@globex.example"}).body["id"]
    line = {"description": "Work", "unitAmount": "100.00"}
    invoice = client.post("/invoices", {"accountId": account, "lineItems": [line]}).body["id"]
    assert client.post(f"/invoices/{invoice}/finalize").status == 200
    return client, invoice


def test_items_are_written_with_the_current_version(own: Context) -> None:
    seed(own)
    versions = {i["entity"]: i.get(SCHEMA_VERSION) for i in items(own.store.table) if "entity" in i}
    # Models go through the codec; counters (api_key_count, invoice_number) are made by an
    # UpdateItem's ADD, hold no model, and get their version from migrate.
    assert {versions[e] for e in ("organization", "account", "invoice", "api_key")} == {CURRENT}, versions


def test_items_in_the_previous_shape_load_and_work_through_the_api(own: Context) -> None:
    client, invoice = seed(own)
    assert as_previous_release(own.store.table) > 0

    read = client.get(f"/invoices/{invoice}")
    assert (read.status, read.body["status"], read.body["total"]) == (200, "issued", "100.00")
    paid = client.post(
        f"/invoices/{invoice}/payments",
        {"amount": "100.00", "method": "wire_transfer"},
        headers={"Idempotency-Key": "mig-1"},
    )
    assert (paid.status, paid.body["status"], paid.body["amountDue"]) == (201, "paid", "0.00")
    assert client.get("/accounts").body["data"][0]["name"] == "Globex"


def test_migrate_upgrades_resumes_and_is_a_no_op_the_second_time(own: Context, tmp_path: Path) -> None:
    client, invoice = seed(own)
    table = own.store.table
    total = as_previous_release(table)
    cursor = tmp_path / "cursor"

    dry = migrate(table, cursor=cursor, batch=100, rate=1e6, dry_run=True, out=io.StringIO())
    assert (dry.done, dry.upgraded) == (True, total)
    assert all(SCHEMA_VERSION not in i for i in items(table)), "a dry run writes nothing"
    assert not cursor.exists()

    out = io.StringIO()
    first = migrate(table, cursor=cursor, batch=2, rate=1e6, pages=1, out=out)
    assert (first.done, first.scanned, first.upgraded) == (False, 2, 2)
    assert cursor.exists()
    assert "run migrate again" in out.getvalue()

    out = io.StringIO()
    rest = migrate(table, cursor=cursor, batch=2, rate=1e6, out=out)
    assert "resuming after" in out.getvalue()
    assert (rest.done, rest.scanned, rest.upgraded, rest.current) == (True, total, total, 0)
    assert not cursor.exists()
    assert {i.get(SCHEMA_VERSION) for i in items(table)} == {CURRENT}

    again = migrate(table, cursor=cursor, batch=100, rate=1e6, out=io.StringIO())
    assert (again.done, again.upgraded, again.current) == (True, 0, total)
    assert client.get(f"/invoices/{invoice}").body["status"] == "issued"


def test_an_item_changed_after_the_scan_is_read_again_not_overwritten(own: Context) -> None:
    _, invoice = seed(own)
    table = own.store.table
    as_previous_release(table)
    [stale] = [i for i in items(table) if i.get("id") == invoice and i.get("entity") == "invoice"]
    # The API rewrites it (in the current version) after the Scan read it.
    table.put({**stale, SCHEMA_VERSION: CURRENT, "memo": "changed meanwhile"})

    progress = Progress()
    _migrate_item(table, stale, progress, dry_run=False)
    assert (progress.retried, progress.upgraded, progress.current) == (1, 0, 1)
    fresh = table.get({"pk": stale["pk"], "sk": stale["sk"]})
    assert fresh is not None
    assert fresh["memo"] == "changed meanwhile"


def test_upgrade_is_pure_and_reads_an_item_without_a_version_as_version_0() -> None:
    old = {"pk": "ORG#x", "sk": "INV#y", "entity": "invoice", "status": "issued"}
    new = upgrade(old)
    assert new == {**old, SCHEMA_VERSION: CURRENT}
    assert SCHEMA_VERSION not in old
    assert upgrade(new) == new


def test_remit_admin_migrate_runs_the_walk(
    own: Context, dynamodb_local: DynamoDBLocal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(own)
    as_previous_release(own.store.table)
    argv = ["migrate", "--table", own.store.table.name, "--endpoint-url", dynamodb_local.endpoint]
    assert admin.main([*argv, "--region", "us-east-1", "--cursor", str(tmp_path / "c"), "--batch", "5"]) == 0
    printed = capsys.readouterr().out
    assert "page 1: scanned 5" in printed
    assert "already current 0" in printed
    assert {i.get(SCHEMA_VERSION) for i in items(own.store.table)} == {CURRENT}


def test_a_shape_change_is_written_as_a_conditional_diff(own: Context) -> None:
    """What a future step's write looks like: an attribute renamed, a map changed, the
    version bumped; the same write a second time fails its condition (idempotent)."""
    table = own.store.table
    old = {
        "pk": "ORG#mig",
        "sk": "THING#1",
        "entity": "thing",
        SCHEMA_VERSION: 1,
        "memo": "kept under a new name",
        "totals": {"net": 100, "tax": 19},
        "untouched": "same",
    }
    table.put(old)
    new = {k: v for k, v in old.items() if k != "memo"}
    new |= {SCHEMA_VERSION: 2, "note": old["memo"], "totals": {"net": 100, "tax": 19, "gross": 119}}
    _update(table, old, new)
    assert table.get({"pk": "ORG#mig", "sk": "THING#1"}) == new
    with pytest.raises(ConditionFailed):
        _update(table, old, new)
