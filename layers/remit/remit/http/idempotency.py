"""``Idempotency-Key`` on every POST, with Powertools' idempotency utility.

The same key with the same body (same route, same organization) gets the first answer
back, marked ``Idempotent-Replayed: true``; the same key with another body is a 422; a
request still running under the key is a 409. Records live in the main table under the
organization's own partition and expire after 24 hours. Errors are not stored: a request
that failed validation or raised may be retried with the same key.

An answer that carries a one-time secret (a new API key's token, a portal link) is never
stored whole: the route names its secret fields (``answer_holds_secrets``), the record
keeps the rest and a marker, and a replay either refuses (409 ``idempotent_replay_secret``,
naming the object the first request created) or runs the route again for a fresh secret.
The record, the table's stream and its backups therefore never hold the secret.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
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
_SECRETS = "remit_idempotency_secrets"  # the routing-context key routes declare secrets under
REPLAY_REFUSED_CODE = "idempotent_replay_secret"


@dataclass(frozen=True)
class Secrets:
    """What a route's answer holds that must never be stored, and what a replay does.

    ``refuse``: the replay is a 409 naming the created object (``names`` is the answer's
    field holding its id); showing the secret again would need storing it, and creating
    another object would break idempotency. ``fresh``: the route runs again, so the replay
    gets a new secret (for a short-lived link where a second one costs nothing)."""

    fields: tuple[str, ...]
    replay: Literal["refuse", "fresh"]
    names: str = "id"


def answer_holds_secrets(
    router: Router, *fields: str, replay: Literal["refuse", "fresh"], names: str = "id"
) -> None:
    """Called by a route, before it answers, whose answer carries one-time secrets."""
    # The routing context is the resolver's, and is cleared after every request.
    router.append_context(**{_SECRETS: Secrets(fields, replay, names)})


def _redacted(answer: dict[str, Any], secrets: Secrets) -> dict[str, Any]:
    body = json.loads(answer["body"])
    created = body.get(secrets.names) if isinstance(body, dict) else None
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in secrets.fields}
    marker = {"fields": list(secrets.fields), "replay": secrets.replay, "created": created}
    return {**answer, "body": json.dumps(body), "secrets": marker}


def _secret_replay(stored: dict[str, Any]) -> Response[str]:
    marker = stored["secrets"]
    fields = " and ".join(marker["fields"])
    created = marker.get("created")
    return error_response(
        409,
        REPLAY_REFUSED_CODE,
        f"this Idempotency-Key already created {created}; its {fields} was shown once and is not "
        "kept, so it cannot be shown again (revoke it and create another if it was lost)",
        HEADER,
        headers={"Idempotent-Replayed": "true"},
        extra={"id": created},
    )


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


def _records(app: APIGatewayRestResolver, org_id: str) -> tuple[DynamoDBPersistenceLayer, IdempotencyConfig]:
    """Where an organization's idempotency records live (its own partition), and how long."""
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
    return persistence, config


def _answer(
    app: APIGatewayRestResolver, next_middleware: NextMiddleware, stored: dict[str, Any]
) -> Response[Any]:
    """What a request answers from its record: the stored answer, or for a route whose
    answer held a secret, a fresh run or a refusal that names what was made."""
    if "secrets" in stored:
        if stored["secrets"].get("replay") == "fresh":
            return next_middleware(app)
        return _secret_replay(stored)
    headers = {k: v for k, v in stored["headers"].items() if k != "Content-Type"}
    return Response(
        status_code=stored["statusCode"],
        body=stored["body"],
        content_type=stored["contentType"],
        headers=headers,
    )


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

    persistence, config = _records(app, org_id)
    first: list[dict[str, Any]] = []  # the full answer, when this request ran the route

    @idempotent_function(
        data_keyword_argument="request", persistence_store=persistence, config=config, key_prefix="api"
    )
    def run(request: dict[str, str]) -> dict[str, Any]:
        response = next_middleware(app)
        if response.status_code >= 500:
            raise _NotStored(response)
        body = response.body if isinstance(response.body, str | None) else json.dumps(response.body)
        answer = {
            "statusCode": response.status_code,
            "body": body,
            "headers": dict(response.headers),
            "contentType": response.headers.get("Content-Type", "application/json"),
        }
        secrets = app.context.get(_SECRETS)
        if not isinstance(secrets, Secrets) or response.status_code >= 300 or not body:
            return answer
        # The caller gets the secret this once; the record gets the answer without it.
        first.append(answer)
        return _redacted(answer, secrets)

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
    return _answer(app, next_middleware, first[0] if first else stored)


def get_context_for(app: APIGatewayRestResolver) -> Any:
    """The Context the routes see, honouring test overrides of ``get_context``."""
    factory = app.dependency_overrides.get(get_context, get_context)
    return factory()
