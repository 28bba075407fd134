"""Every error the API returns is JSON ``{code, message, field}``; this is the one place
where exceptions become HTTP statuses."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.depends import DependencyResolutionError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from pydantic.alias_generators import to_camel

from remit.errors import (
    Conflict,
    NotFound,
    PaymentDeclined,
    RemitError,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)
from remit.schemas.common import PATTERN_MESSAGES

logger = Logger(child=True)

STATUS: list[tuple[type[RemitError], int]] = [
    (ValidationFailed, 422),
    (PaymentDeclined, 402),
    (NotFound, 404),
    (Conflict, 409),
    (Unauthorized, 401),
    (Unavailable, 502),
]


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[str]:
    """``extra``: more members after the three every error has (the id a refusal names)."""
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps({"code": code, "message": message, "field": field, **(extra or {})}),
        headers=headers,
    )


def from_domain(exc: RemitError) -> Response[str]:
    status = next((s for cls, s in STATUS if isinstance(exc, cls)), 400)
    return error_response(status, exc.code, exc.message, exc.field)


def _field(loc: tuple[Any, ...]) -> str | None:
    """("body", "lineItems", 0, "unitAmount") -> "lineItems[0].unitAmount"."""
    path = ""
    for part in loc[1:]:
        if isinstance(part, str) and "_" in part and part.islower():
            part = to_camel(part)  # a defaulted field's error is located by its name, not its alias
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or None


def from_validation(exc: RequestValidationError) -> Response[str]:
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": "value_error"}
    if first.get("type") == "json_invalid":
        return error_response(400, "invalid_json", "the request body is not valid JSON")
    loc = tuple(first.get("loc", ()))
    where = loc[0] if loc else "body"
    field = _field(loc)
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    if loc in ((), ("body",)) and first.get("type") in ("model_type", "model_attributes_type", "dict_type"):
        message = "the request body must be a JSON object"
    elif first.get("type") == "missing":
        message = f"{field or 'a ' + str(where) + ' value'} is required"
    elif first.get("type") == "extra_forbidden":
        message = f"{field} is not a field of this request"
    elif first.get("type") == "string_pattern_mismatch":
        ctx = first.get("ctx")
        said = PATTERN_MESSAGES.get(str(ctx.get("pattern"))) if isinstance(ctx, dict) else None
        message = f"{field} {said}" if said else message
    return error_response(422, "validation_error", message, field)


def from_dependency(exc: DependencyResolutionError) -> Response[str]:
    # Powertools wraps what a dependency raised; a domain error there (no organization on
    # the request) is answered like any other.
    if isinstance(exc.__cause__, RemitError):
        return from_domain(exc.__cause__)
    return unexpected(exc)


def undecodable(_: Exception) -> Response[str]:
    # Powertools decodes the body as UTF-8 before anything else looks at it.
    return error_response(400, "invalid_json", "the request body is not UTF-8 JSON")


def unsupported_type(_: Exception) -> Response[str]:
    return error_response(415, "unsupported_media_type", "send the body as application/json")


def route_missing(app: APIGatewayRestResolver) -> Any:
    """404 for a path the API does not have; 405 with ``Allow`` for a method it does not
    serve on a path it has (template.yaml sends every other method of a path here)."""

    def answer(_: Exception) -> Response[str]:
        event = app.current_event
        # Powertools keeps its routes on these two lists; nothing public lists them.
        routes = app._static_routes + app._dynamic_routes
        allowed = sorted({r.method for r in routes if r.rule.match(event.path)})
        method = event.http_method.upper()
        if allowed and method not in allowed:
            methods = ", ".join(allowed)
            return error_response(
                405,
                "method_not_allowed",
                f"{method} is not served here; use {methods}",
                headers={"Allow": methods},
            )
        return error_response(404, "route_not_found", "no such route")

    return answer


def unparseable(app: APIGatewayRestResolver) -> Any:
    """400 when the body is what made the JSON parser fail (nested too deep, an integer too
    long: remit.http.body), wherever it was parsed; otherwise the 500 it always was."""

    def answer(exc: Exception) -> Response[str]:
        from remit.http.body import refused

        return refused(app, exc) or unexpected(exc)

    return answer


def unexpected(_: Exception) -> Response[str]:
    logger.exception("unhandled error")
    return error_response(500, "internal_error", "something went wrong on our side; it has been logged")


def register(app: APIGatewayRestResolver) -> None:
    app.exception_handler(RemitError)(from_domain)
    app.exception_handler(RequestValidationError)(from_validation)
    app.exception_handler(DependencyResolutionError)(from_dependency)
    app.exception_handler(UnicodeDecodeError)(undecodable)
    app.exception_handler(RequestUnsupportedContentType)(unsupported_type)
    app.exception_handler([RecursionError, ValueError])(unparseable(app))
    app.exception_handler(Exception)(unexpected)
    app.not_found(route_missing(app))
