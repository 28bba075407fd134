"""``Idempotency-Key`` on every POST, with Powertools' idempotency utility.

The same key with the same body (same route, same organization) gets the first answer
back, marked ``Idempotent-Replayed: true``; the same key with another body is a 422; a
request still running under the key is a 409. Records live in the main table under the
organization's own partition and expire after 24 hours. Errors are not stored: a request
that failed validation or raised may be retried with the same key.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from remit.http.deps import get_context
from remit.http.errors import error_response
from remit.store import keys

HEADER = "Idempotency-Key"
TTL_SECONDS = 24 * 3600


class _NotStored(Exception):
    """Carries a 5xx answer past the idempotency layer so it is not remembered."""

    def __init__(self, response: Response[Any]) -> None:
        self.response = response


def _replayed(response: Any, idempotent_data: DataRecord) -> Any:
    return {**response, "headers": {**response.get("headers", {}), "Idempotent-Replayed": "true"}}


def _body_fingerprint(body: str | None) -> str:
    try:
        canonical = json.dumps(json.loads(body or "null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body or ""
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    event = app.current_event
    # Powertools' header dict matches names case-insensitively.
    key = event.headers.get(HEADER)
    if event.http_method != "POST" or key is None:
        return next_middleware(app)
    if not 1 <= len(key) <= 255:
        return error_response(422, "validation_error", "Idempotency-Key must be 1 to 255 characters", HEADER)
    authorizer = event.request_context.authorizer
    org_id = authorizer.get("organizationId") if authorizer else None
    if not org_id:
        return next_middleware(app)

    table = get_context_for(app).store.table
    persistence = DynamoDBPersistenceLayer(
        table_name=table.name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=keys.idempotency_partition(org_id),
        expiry_attr="ttl",
        boto3_client=table.client,
    )
    config = IdempotencyConfig(
        event_key_jmespath="[key, route]",
        payload_validation_jmespath="body",
        expires_after_seconds=TTL_SECONDS,
        response_hook=_replayed,
    )
    if app.lambda_context is not None:
        config.register_lambda_context(app.lambda_context)

    @idempotent_function(
        data_keyword_argument="request", persistence_store=persistence, config=config, key_prefix="api"
    )
    def run(request: dict[str, str]) -> dict[str, Any]:
        response = next_middleware(app)
        if response.status_code >= 500:
            raise _NotStored(response)
        body = response.body if isinstance(response.body, str | None) else json.dumps(response.body)
        return {
            "statusCode": response.status_code,
            "body": body,
            "headers": dict(response.headers),
            "contentType": response.headers.get("Content-Type", "application/json"),
        }

    request = {"key": key, "route": f"POST {event.path}", "body": _body_fingerprint(event.body)}
    try:
        stored = run(request=request)
    except IdempotencyValidationError:
        return error_response(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request body",
            HEADER,
        )
    except IdempotencyAlreadyInProgressError:
        return error_response(
            409,
            "idempotency_in_progress",
            "a request with this Idempotency-Key is still being processed; retry shortly",
            HEADER,
        )
    except _NotStored as failed:
        return failed.response
    headers = {k: v for k, v in stored["headers"].items() if k != "Content-Type"}
    return Response(
        status_code=stored["statusCode"],
        body=stored["body"],
        content_type=stored["contentType"],
        headers=headers,
    )


def get_context_for(app: APIGatewayRestResolver) -> Any:
    """The Context the routes see, honouring test overrides of ``get_context``."""
    factory = app.dependency_overrides.get(get_context, get_context)
    return factory()
