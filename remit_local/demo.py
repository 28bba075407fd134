"""The demo organization ``make run`` seeds, so a new user has an API key at once.

Idempotent across restarts: the key in ``.local/demo.env`` is reused while it still
authenticates (the data in .local/dynamodb survived); otherwise a new organization, key
and demo account are created and the file rewritten."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remit.schemas.account import AccountCreate
from remit.services.accounts import AccountService
from remit.services.auth import Authenticator
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit_local.envfile import read_env_file, write_env_file

DEMO_ORGANIZATION = "Acme Demo"
DEMO_EMAIL = "billing@acme.example"
DEMO_ACCOUNT = "Globex Corporation"
# The dashboard's demo operators (moto's Cognito, made again on every start). Local only:
# these passwords open nothing but the local cloud.
DEMO_OPERATOR = "admin@acme.example"
DEMO_FINANCE_OPERATOR = "finance@acme.example"
DEMO_PASSWORD = "Remit-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class Demo:
    organization_id: str
    api_key: str
    created: bool


def ensure_demo(ctx: Context, demo_env: Path) -> Demo:
    token = read_env_file(demo_env).get("REMIT_API_KEY") if demo_env.exists() else None
    if token:
        key = Authenticator(ctx.store.api_keys).authenticate(f"Bearer {token}")
        if key is not None:
            return Demo(key.organization_id, token, created=False)
    org, token = OrganizationService(ctx).create(DEMO_ORGANIZATION, email=DEMO_EMAIL)
    AccountService(ctx).create(org.id, AccountCreate(name=DEMO_ACCOUNT, email="ap@globex.example"))
    return Demo(org.id, token, created=True)


def write_demo_env(path: Path, demo: Demo, api_url: str) -> None:
    write_env_file(
        path,
        {
            "REMIT_API_URL": api_url,
            "REMIT_API_KEY": demo.api_key,
            "REMIT_ORG_ID": demo.organization_id,
            "REMIT_DASHBOARD_URL": f"{api_url}/dashboard",
            "REMIT_DASHBOARD_EMAIL": DEMO_OPERATOR,
            "REMIT_DASHBOARD_PASSWORD": DEMO_PASSWORD,
        },
    )


@dataclass(frozen=True)
class Operator:
    email: str
    password: str
    role: str


def create_operator(
    cognito: Any, pool_id: str, org_id: str, email: str, role: str, password: str
) -> Operator:
    """An operator of ``org_id`` with a permanent password, as ``remit-admin
    create-operator`` makes one in AWS (the custom attributes are the organization and role)."""
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "custom:organization_id", "Value": org_id},
            {"Name": "custom:role", "Value": role},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    return Operator(email, password, role)


def ensure_operators(cognito: Any, pool_id: str, org_id: str) -> list[Operator]:
    """The demo admin and finance operators (the pool is new on every start)."""
    return [
        create_operator(cognito, pool_id, org_id, DEMO_OPERATOR, "admin", DEMO_PASSWORD),
        create_operator(cognito, pool_id, org_id, DEMO_FINANCE_OPERATOR, "finance", DEMO_PASSWORD),
    ]
