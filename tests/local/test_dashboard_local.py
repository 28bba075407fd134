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
from tests.local.dashboard_support import api, issued_invoice, operator

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
