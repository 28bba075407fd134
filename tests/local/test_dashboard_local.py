"""The dashboard over HTTP on the local cloud: the real Cognito flow (moto's user pool,
USER_PASSWORD_AUTH, its JWKS), the session cookie, and changes that show in the API."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from remit_cli import admin
from remit_local.stack import LocalStack
from tests.local.client import call
from tests.local.dashboard_support import api, issued_invoice, operator
from tests.support.receiver import Receiver

NewOrg = Callable[..., tuple[str, str]]


def signed_in(stack: LocalStack, email: str, password: str) -> tuple[str, requests.Response]:
    """The sign-in page (its nonce, in a cookie and the form), then the form posted. The
    cookies go by hand: requests keeps Secure cookies off plain http, browsers do not on
    loopback."""
    form = requests.get(f"{stack.api_url}/dashboard/sign-in", timeout=30)
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text)
    assert nonce, "the sign-in page has no nonce"
    reply = requests.post(
        f"{stack.api_url}/dashboard/sign-in",
        data={"email": email, "password": password, "nonce": nonce.group(1)},
        headers={"Cookie": f"remit_signin={_cookie(form, 'remit_signin')}"},
        allow_redirects=False,
        timeout=30,
    )
    return f"remit_session={_cookie(reply, 'remit_session')}", reply


def _cookie(reply: requests.Response, name: str) -> str:
    for header in reply.raw.headers.getlist("Set-Cookie"):
        key, _, value = header.split(";")[0].partition("=")
        if key == name:
            return value
    return ""


def page(stack: LocalStack, cookie: str, path: str) -> requests.Response:
    return requests.get(
        f"{stack.api_url}{path}", headers={"Cookie": cookie}, allow_redirects=False, timeout=30
    )


def post(stack: LocalStack, cookie: str, path: str, form: dict[str, str], csrf: str) -> requests.Response:
    return requests.post(
        f"{stack.api_url}{path}",
        data={**form, "csrf": csrf},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=30,
    )


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def test_cognito_sign_in_then_autopay_toggle_shows_in_the_api(stack: LocalStack, new_org: NewOrg) -> None:
    org_id, key = new_org("Dashboard Local")
    finance = operator(stack, org_id, "finance")
    account = api(stack, key, "POST", "/accounts", {"name": "Globex", "email": "ap@globex.example"})

    _, wrong = signed_in(stack, finance.email, "not the password")
    assert wrong.status_code == 401
    cookie, reply = signed_in(stack, finance.email, finance.password)
    assert reply.status_code == 303, reply.text
    [session] = [c for c in reply.raw.headers.getlist("Set-Cookie") if c.startswith("remit_session=")]
    assert "HttpOnly" in session
    assert "SameSite=Strict" in session

    customer = page(stack, cookie, f"/dashboard/customers/{account['id']}")
    assert customer.status_code == 200
    assert "Globex" in customer.text
    saved = post(
        stack,
        cookie,
        f"/dashboard/customers/{account['id']}/billing",
        {"autoPayEnabled": "on", "autoPayTiming": "on_due_date", "paymentTerms": "net_15"},
        csrf_of(customer.text),
    )
    assert saved.status_code == 303
    assert "error" not in saved.headers["Location"]
    after = api(stack, key, "GET", f"/accounts/{account['id']}")
    assert after["autoPayEnabled"] is True
    assert after["autoPayTiming"] == "on_due_date"
    assert after["invoiceSettings"]["paymentTerms"] == "net_15"

    # Finance may not open settings; another organization's invoice is not there.
    assert page(stack, cookie, "/dashboard/settings").status_code == 403
    other_org, other_key = new_org("Someone Else")
    other_account = api(stack, other_key, "POST", "/accounts", {"name": "Hidden Customer"})
    theirs = issued_invoice(stack, other_key, other_account["id"])
    assert page(stack, cookie, f"/dashboard/invoices/{theirs['id']}").status_code == 404
    assert "Hidden Customer" not in page(stack, cookie, "/dashboard/customers").text
    del other_org


def test_remit_admin_creates_an_operator_who_can_sign_in(
    stack: LocalStack, new_org: NewOrg, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org_id, _ = new_org("Admin CLI Org")
    env_file = tmp_path / "local.env"
    stack.write_env_file(env_file)
    email = "new-operator@ops.example"
    args = ["--local-env", str(env_file), "--json", "create-operator", "--org", org_id, "--email", email]
    assert admin.main([*args, "--role", "finance"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert (created["organizationId"], created["role"]) == (org_id, "finance")
    cookie, reply = signed_in(stack, email, created["password"])
    assert reply.status_code == 303
    assert "finance" in page(stack, cookie, "/dashboard").text

    assert (
        admin.main([*args[:-2], "--email", "x@ops.example", "--role", "admin", "--org", "org_missing"]) == 2
    )


def test_admin_manages_webhook_endpoints_and_api_keys_on_the_local_cloud(
    stack: LocalStack, new_org: NewOrg
) -> None:
    """The DashboardFunction as deployed locally (its topic, dead-letter queue and table
    from template.yaml): an endpoint added is a subscription the API lists, a key created
    works on the API until it is revoked."""
    org_id, key = new_org("Dashboard Settings Local")
    admin_op = operator(stack, org_id, "admin")
    cookie, _ = signed_in(stack, admin_op.email, admin_op.password)

    # moto posts every event to every endpoint: a real one that answers, deleted at the end.
    with Receiver() as receiver:
        hooks = page(stack, cookie, "/dashboard/settings/webhooks")
        assert hooks.status_code == 200
        added = requests.post(
            f"{stack.api_url}/dashboard/settings/webhooks",
            data={
                "op": "add",
                "url": receiver.url,
                "eventTypes": ["invoice.paid"],
                "csrf": csrf_of(hooks.text),
            },
            headers={"Cookie": cookie},
            allow_redirects=False,
            timeout=30,
        )
        assert added.status_code == 303, added.text
        [endpoint] = api(stack, key, "GET", "/webhook-endpoints")["data"]
        assert (endpoint["url"], endpoint["eventTypes"]) == (receiver.url, ["invoice.paid"])
        listed = page(stack, cookie, "/dashboard/settings/webhooks").text
        assert f'data-endpoint="{endpoint["id"]}"' in listed
        gone = post(
            stack,
            cookie,
            "/dashboard/settings/webhooks",
            {"op": "delete", "id": endpoint["id"], "confirmed": "yes"},
            csrf_of(listed),
        )
        assert gone.status_code == 303
        assert api(stack, key, "GET", "/webhook-endpoints")["data"] == []

    keys_page = page(stack, cookie, "/dashboard/settings/api-keys")
    created = post(
        stack,
        cookie,
        "/dashboard/settings/api-keys",
        {"op": "create", "name": "from the dashboard", "scope": "read_only"},
        csrf_of(keys_page.text),
    )
    assert created.status_code == 201
    found = re.search(r'id="new-key-token">([^<]+)<', created.text)
    assert found
    token = found.group(1)
    assert call("GET", f"{stack.api_url}/organization", key=token).status == 200
    assert call("POST", f"{stack.api_url}/accounts", {"name": "Nope"}, key=token).status == 403  # read only
    [made] = [k for k in api(stack, key, "GET", "/api-keys")["data"] if k["name"] == "from the dashboard"]
    revoked = post(
        stack,
        cookie,
        "/dashboard/settings/api-keys",
        {"op": "revoke", "id": made["id"], "confirmed": "yes"},
        csrf_of(keys_page.text),
    )
    assert revoked.status_code == 303
    assert call("GET", f"{stack.api_url}/organization", key=token).status in (401, 403)
