from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from remit.http.deps import ApiKeys, Tenant
from remit.http.idempotency import answer_holds_secrets
from remit.schemas.api_key import ApiKeyCreate, ApiKeyCreated, ApiKeyPage

router = Router()

KeyId = Annotated[str, Path(pattern=r"^key_[0-9a-z]{26}$")]
CREATED: OpenAPIResponse = {
    "description": "Created; `token` is shown this once",
    "content": {"application/json": {"model": ApiKeyCreated}},
}
TAGS = ["API keys"]


@router.post(
    "/api-keys", summary="Create an API key (its token is shown once)", tags=TAGS, responses={201: CREATED}
)
def create_api_key(body: ApiKeyCreate, org: Tenant, service: ApiKeys) -> tuple[ApiKeyCreated, int]:
    # Never kept by Idempotency-Key: a replay is a 409 naming the key, not the token again.
    answer_holds_secrets(router, "token", replay="refuse")
    return service.create(org, body), 201


@router.get("/api-keys", summary="List API keys: prefix, scope, last use; never the secret", tags=TAGS)
def list_api_keys(org: Tenant, service: ApiKeys) -> ApiKeyPage:
    return service.list(org)


@router.delete(
    "/api-keys/<keyId>",
    summary="Revoke an API key; it stops working at once",
    tags=TAGS,
    responses={204: {"description": "Revoked"}},
)
def revoke_api_key(keyId: KeyId, org: Tenant, service: ApiKeys) -> Response[None]:
    service.revoke(org, keyId)
    return Response(status_code=204)
