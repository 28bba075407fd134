from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from remit.http.deps import Accounts, Tenant
from remit.ids import id_pattern
from remit.schemas.account import AccountCreate, AccountOut, AccountPage, AccountPatch

router = Router()

AccountId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "/accounts",
    summary="Create an account (a customer)",
    tags=["Accounts"],
    responses={201: {"description": "Created", "content": {"application/json": {"model": AccountOut}}}},
)
def create_account(body: AccountCreate, org: Tenant, service: Accounts) -> tuple[AccountOut, int]:
    return service.create(org, body), 201


@router.get("/accounts", summary="List accounts, newest first", tags=["Accounts"])
def list_accounts(
    org: Tenant,
    service: Accounts,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(pattern=id_pattern("acc"), description="The previous page's nextCursor")
    ] = None,
) -> AccountPage:
    return service.list(org, limit, cursor)


@router.get("/accounts/<accountId>", summary="Get an account", tags=["Accounts"])
def get_account(accountId: AccountId, org: Tenant, service: Accounts) -> AccountOut:
    return service.get(org, accountId)


@router.patch(
    "/accounts/<accountId>", summary="Update an account and its invoice settings", tags=["Accounts"]
)
def update_account(accountId: AccountId, body: AccountPatch, org: Tenant, service: Accounts) -> AccountOut:
    return service.update(org, accountId, body)
