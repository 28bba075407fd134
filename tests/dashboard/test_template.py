"""What template.yaml promises about the dashboard: its routes are the only ones without
the API-key authorizer, and every one is served by the dashboard's resolver; operators
cannot sign themselves up or change their organization or role; the aggregates' function
sees invoice and payment changes only."""

from __future__ import annotations

import json
from typing import Any

from remit_local.routes import api_routes
from remit_local.template import TEMPLATE, load
from tests.dashboard.conftest import Browser

RESOURCES = load(TEMPLATE)["Resources"]


def test_only_dashboard_routes_skip_the_api_key_authorizer_and_all_live_under_dashboard() -> None:
    # (ApiFunction's ANY routes only answer 405: tests/unit/test_template.py.)
    open_routes = {(r.function, r.resource) for r in api_routes() if not r.authorized and r.method != "ANY"}
    assert open_routes
    # Besides the dashboard, only the customer pages (tests/unit/test_template.py).
    assert {f for f, _ in open_routes} == {"DashboardFunction", "PagesFunction"}
    assert all(resource.startswith("/dashboard") for f, resource in open_routes if f == "DashboardFunction")
    assert {r.function for r in api_routes() if r.resource.startswith("/dashboard")} == {"DashboardFunction"}


def test_every_dashboard_route_is_served(browser: Browser) -> None:
    for route in api_routes():
        if route.function != "DashboardFunction":
            continue
        path = route.resource.replace("{", "").replace("}", "")
        reply = browser.request(route.method, path, form={} if route.method == "POST" else None)
        # Unsigned: a redirect to sign in, a form to fill, or 403 (no CSRF token); never
        # the resolver's "no such page".
        assert reply.status in (200, 303, 401, 403), (route.method, route.resource, reply.status)
        assert "No such page" not in reply.body


def test_operators_cannot_sign_up_or_change_their_organization_or_role() -> None:
    pool = RESOURCES["OperatorUserPool"]["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    schema = {a["Name"]: a for a in pool["Schema"]}
    assert schema["organization_id"]["Mutable"] is False
    client = RESOURCES["OperatorUserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
    assert not [a for a in client["WriteAttributes"] if a.startswith("custom:")]
    assert {"custom:organization_id", "custom:role"} <= set(client["ReadAttributes"])
    assert client["IdTokenValidity"] <= 60


def test_the_dashboard_is_wired_to_the_pool_and_its_client() -> None:
    env = RESOURCES["DashboardFunction"]["Properties"]["Environment"]["Variables"]
    assert env["COGNITO_USER_POOL_ID"] == {"Ref": "OperatorUserPool"}
    assert env["COGNITO_CLIENT_ID"] == {"Ref": "OperatorUserPoolClient"}


def test_receivables_function_reads_invoice_and_payment_changes_only() -> None:
    [event] = RESOURCES["ReceivablesFunction"]["Properties"]["Events"].values()
    props: dict[str, Any] = event["Properties"]
    assert props["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert "ReportBatchItemFailures" in props["FunctionResponseTypes"]
    patterns = [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]]
    entities = {tuple(p["dynamodb"][image]["entity"]["S"]) for p in patterns for image in p["dynamodb"]}
    assert entities == {("invoice", "payment")}
