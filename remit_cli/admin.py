"""``remit-admin``: the operator's commands, against the local stack or a deployed one.

    remit-admin create-org --name "Acme" [--email billing@acme.example] [--read-only]
    remit-admin create-key --org org_... [--name ci] [--read-only]
    remit-admin create-operator --org org_... --email ops@acme.example --role admin|finance
                                [--password ...] [--user-pool ID]
    remit-admin smoke [--wait SECONDS]     the README walkthrough against REMIT_API_URL
                                           with REMIT_API_KEY (default: .local/demo.env)
    remit-admin migrate [--dry-run] [--batch N] [--rate R] [--cursor FILE]
                                           upgrade items to the current schema version

Where the table is (first that applies):
    --local            the local cloud's .local/local.env (written by `make run`)
    --local-env FILE   the local cloud described by FILE
    --stack NAME       the TableName output of a deployed CloudFormation stack
    --table NAME       that table; default: env TABLE_NAME
with --region and --endpoint-url (DynamoDB) defaulting to the environment, as boto3's do.
The API key is printed once and never stored: only its hash is.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from remit.clock import clock_from_env
from remit.domain.api_key import Scope, parse_token
from remit.errors import NotFound, RemitError
from remit.services.auth import usage_key
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit.store.repositories import Store
from remit.store.table import Table

LOCAL_ENV = Path(".local/local.env")


class AdminError(Exception):
    """A problem the operator can fix; printed without a traceback."""


def _add_target_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """Where the table is, and --json. Accepted before the command and after it; only the
    top level sets defaults, or a subcommand's defaults would overwrite what was given
    before it (an argparse quirk)."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    where = parser.add_argument_group("where the table is")
    where.add_argument(
        "--local",
        action="store_true",
        default=default(False),
        help=f"use the local cloud (reads {LOCAL_ENV})",
    )
    where.add_argument(
        "--local-env",
        type=Path,
        default=default(None),
        metavar="FILE",
        help="use the local cloud described by FILE (another state directory's local.env)",
    )
    where.add_argument("--stack", default=default(None), help="a deployed stack: its TableName output")
    where.add_argument("--table", default=default(None), help="the table's name (default: env TABLE_NAME)")
    where.add_argument(
        "--region", default=default(None), help="AWS region (default: env AWS_REGION / AWS_DEFAULT_REGION)"
    )
    where.add_argument(
        "--endpoint-url",
        default=default(None),
        help="DynamoDB endpoint (default: env AWS_ENDPOINT_URL_DYNAMODB, else AWS)",
    )
    parser.add_argument(
        "--json", action="store_true", default=default(False), help="print the result as JSON"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="remit-admin", description="Manage Remit organizations, API keys and dashboard operators."
    )
    _add_target_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", required=True)
    org = commands.add_parser("create-org", help="create an organization and its first API key")
    org.add_argument("--name", required=True, help="the organization's name")
    org.add_argument("--email", help="its billing contact")
    org.add_argument("--key-name", default="default", help="a label for the first key (default: default)")
    org.add_argument("--read-only", action="store_true", help="the key may only read (GET)")
    key = commands.add_parser("create-key", help="add an API key to an organization")
    key.add_argument("--org", required=True, help="the organization's id (org_...)")
    key.add_argument("--name", default="default", help="a label for the key (default: default)")
    key.add_argument("--read-only", action="store_true", help="the key may only read (GET)")
    usage = commands.add_parser(
        "register-usage-key",
        help="add an organization's key to the stack's per-organization usage plan (throttling)",
    )
    usage.add_argument("--org", required=True, help="the organization's id (org_...)")
    operator = commands.add_parser(
        "create-operator", help="add a dashboard operator (a Cognito user) to an organization"
    )
    operator.add_argument("--org", required=True, help="the organization's id (org_...)")
    operator.add_argument("--email", required=True, help="the operator's email: their sign-in")
    operator.add_argument("--role", required=True, choices=["admin", "finance"], help="admin: also settings")
    operator.add_argument("--password", help="a permanent password (default: a random one, printed once)")
    operator.add_argument(
        "--user-pool", help="the operators' user pool (default: --stack's OperatorUserPoolId output)"
    )
    smoke = commands.add_parser(
        "smoke", help="run the README walkthrough against REMIT_API_URL (a sandbox organization)"
    )
    smoke.add_argument(
        "--wait", type=float, default=30, help="seconds to wait for the invoice email (default: 30)"
    )
    migrate = commands.add_parser("migrate", help="upgrade every item to the current schema version")
    migrate.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")
    migrate.add_argument("--batch", type=int, default=100, help="items per Scan page (default: 100)")
    migrate.add_argument(
        "--rate", type=float, default=50, help="at most this many item reads+writes a second (default: 50)"
    )
    migrate.add_argument(
        "--cursor",
        type=Path,
        default=Path(".remit-migrate.cursor"),
        help="where the resumable position is kept (default: .remit-migrate.cursor)",
    )
    for command in (org, key, usage, operator, migrate):
        _add_target_options(command, defaults=False)
    return parser.parse_args(argv)


def build_context(args: argparse.Namespace, environ: Mapping[str, str]) -> Context:
    env = dict(environ)
    local_env: Path | None = args.local_env or (LOCAL_ENV if args.local else None)
    if local_env is not None:
        env |= _read_local_env(local_env)
    region = args.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    # Only the local env file's fake credentials are passed explicitly; otherwise boto3
    # finds real ones the usual way (env, profile, SSO, instance role).
    local = local_env is not None
    session = boto3.session.Session(
        region_name=region,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"] if local else None,
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"] if local else None,
    )
    table = args.table or (_stack_table(session, args.stack) if args.stack else env.get("TABLE_NAME"))
    if not table:
        raise AdminError("which table? give --local, --stack NAME or --table NAME (or set TABLE_NAME)")
    endpoint = args.endpoint_url or env.get("AWS_ENDPOINT_URL_DYNAMODB")
    client = session.client("dynamodb", endpoint_url=endpoint)
    # Timestamps follow the local cloud's clock when it has been moved.
    return Context(store=Store(Table(table, client)), clock=clock_from_env(env))


def _read_local_env(path: Path) -> dict[str, str]:
    from remit_local.envfile import read_env_file  # the local cloud's format; only needed here

    if not path.exists():
        raise AdminError(f"{path} does not exist: start the local cloud with `make run` first")
    return read_env_file(path)


def _stack_table(session: boto3.session.Session, stack: str) -> str:
    cloudformation: Any = session.client("cloudformation")
    try:
        [described] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as exc:
        raise AdminError(f"stack {stack}: {exc.response['Error']['Message']}") from exc
    for output in described.get("Outputs", []):
        if output["OutputKey"] == "TableName":
            return str(output["OutputValue"])
    raise AdminError(f"stack {stack} has no TableName output")


def _user_pool(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[Any, str]:
    """The Cognito client and the operators' pool id: --user-pool, the stack's output, or
    (--local) the local cloud's pool on moto."""
    env = dict(environ)
    local_env: Path | None = args.local_env or (LOCAL_ENV if args.local else None)
    if local_env is not None:
        env |= _read_local_env(local_env)
    local = local_env is not None
    session = boto3.session.Session(
        region_name=args.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"] if local else None,
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"] if local else None,
    )
    pool = args.user_pool or env.get("COGNITO_USER_POOL_ID")
    if not pool and args.stack:
        pool = _stack_output(session, args.stack, "OperatorUserPoolId")
    if not pool:
        raise AdminError("which user pool? give --user-pool ID, --stack NAME or --local")
    endpoint = env.get("AWS_ENDPOINT_URL") if local else None
    return session.client("cognito-idp", endpoint_url=endpoint), str(pool)


def _stack_output(session: boto3.session.Session, stack: str, name: str) -> str:
    cloudformation: Any = session.client("cloudformation")
    try:
        [described] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as exc:
        raise AdminError(f"stack {stack}: {exc.response['Error']['Message']}") from exc
    for output in described.get("Outputs", []):
        if output["OutputKey"] == name:
            return str(output["OutputValue"])
    raise AdminError(f"stack {stack} has no {name} output")


def register_usage_key(args: argparse.Namespace, organization_id: str) -> dict[str, str]:
    """Give the organization its API Gateway key in the stack's OrganizationUsagePlan: the
    authorizer names it (usageIdentifierKey), and API Gateway refuses (403) an organization
    whose key the plan lacks. Safe to repeat: an existing key or membership is kept."""
    if not args.stack:
        raise AdminError("register-usage-key needs --stack NAME (its OrganizationUsagePlanId output)")
    session = boto3.session.Session(region_name=args.region)
    plan = _stack_output(session, args.stack, "OrganizationUsagePlanId")
    apigateway: Any = session.client("apigateway")
    value = usage_key(organization_id)
    try:
        key_id = apigateway.create_api_key(name=value, value=value, enabled=True)["id"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConflictException":
            raise
        found = apigateway.get_api_keys(nameQuery=value, includeValues=False)["items"]
        key_id = next(k["id"] for k in found if k["name"] == value)
    try:
        apigateway.create_usage_plan_key(usagePlanId=plan, keyId=key_id, keyType="API_KEY")
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConflictException":
            raise
    return {"organizationId": organization_id, "usagePlanId": plan, "usagePlanKeyId": key_id}


def create_operator(args: argparse.Namespace, ctx: Context, cognito: Any, pool: str) -> dict[str, str]:
    from remit_local.demo import create_operator as make_user  # the same calls as `make run`'s demo

    if ctx.store.organizations.get(args.org) is None:
        raise AdminError(f"there is no organization {args.org} in this table")
    password = args.password or f"Rm-{secrets.token_urlsafe(18)}"
    make_user(cognito, pool, args.org, args.email, args.role, password)
    return {"organizationId": args.org, "email": args.email, "role": args.role, "password": password}


def run(args: argparse.Namespace, ctx: Context) -> dict[str, str]:
    service = OrganizationService(ctx)
    scope: Scope = "read_only" if args.read_only else "full"
    if args.command == "create-org":
        org, token = service.create(args.name, email=args.email, key_name=args.key_name, scope=scope)
        parsed = parse_token(token)
        assert parsed is not None, "issue() makes tokens parse_token() reads"
        return {
            "organizationId": org.id,
            "name": org.name,
            "apiKeyId": parsed[0],
            "scope": scope,
            "apiKey": token,
        }
    try:
        key, token = service.create_api_key(args.org, name=args.name, scope=scope)
    except NotFound:
        raise AdminError(f"there is no organization {args.org} in this table") from None
    return {"organizationId": key.organization_id, "apiKeyId": key.id, "scope": scope, "apiKey": token}


def render(result: dict[str, str]) -> str:
    if "usagePlanKeyId" in result and "apiKey" not in result:
        return f"Organization  {result['organizationId']}: its key is in usage plan {result['usagePlanId']}"
    if "role" in result:
        return (
            f"Operator      {result['email']}  ({result['role']} of {result['organizationId']})\n"
            f"Password      {result['password']}\n\n"
            "The password is shown this once: hand it to the operator now."
        )
    lines = []
    if "name" in result:
        lines.append(f"Organization  {result['organizationId']}  ({result['name']})")
    else:
        lines.append(f"Organization  {result['organizationId']}")
    lines.append(f"Key id        {result['apiKeyId']}  (scope: {result['scope']})")
    lines.append(f"API key       {result['apiKey']}")
    lines.append("")
    lines.append("The API key is shown this once and cannot be recovered: store it now.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "smoke":
        from remit_cli import smoke  # stdlib only: needs no table

        return smoke.main(wait=args.wait)
    try:
        ctx = build_context(args, os.environ)
        if args.command == "migrate":
            from remit_cli.migrate import migrate_table

            migrate_table(ctx.store.table, args)
            return 0
        if args.command == "create-operator":
            result = create_operator(args, ctx, *_user_pool(args, os.environ))
        elif args.command == "register-usage-key":
            if ctx.store.organizations.get(args.org) is None:
                raise AdminError(f"there is no organization {args.org} in this table")
            result = register_usage_key(args, args.org)
        else:
            result = run(args, ctx)
            # A deployed stack throttles per organization: the new one needs its key there.
            if args.command == "create-org" and args.stack:
                result |= register_usage_key(args, result["organizationId"])
    except AdminError as exc:
        print(f"remit-admin: {exc}", file=sys.stderr)
        return 2
    except RemitError as exc:
        print(f"remit-admin: {exc}", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as exc:
        print(f"remit-admin: AWS said: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
