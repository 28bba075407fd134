"""The REST API's routes as template.yaml declares them, matched like API Gateway does:
literal paths before parameterised ones, then the method."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remit_local.apigw import route_pattern
from remit_local.lambdas import functions


@dataclass(frozen=True)
class Route:
    function: str
    method: str
    resource: str
    pattern: re.Pattern[str]
    authorized: bool
    # The AWS::Serverless::Api it belongs to (its logical id) and the authorizer the event
    # names explicitly; None means the API's DefaultAuthorizer.
    api: str | None = None
    authorizer: str | None = None
    # The event's Auth.ApiKeyRequired; None means the API's default.
    api_key_required: bool | None = None

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.match(path)
        return found.groupdict() if found else None


def api_routes(template: Path | None = None) -> list[Route]:
    routes = []
    for spec in functions(template).values():
        for event in spec.events.values():
            if event.get("Type") != "Api":
                continue
            props: dict[str, Any] = event["Properties"]
            auth = props.get("Auth", {}).get("Authorizer")
            key_required = props.get("Auth", {}).get("ApiKeyRequired")
            routes.append(
                Route(
                    spec.name,
                    props["Method"].upper(),
                    props["Path"],
                    route_pattern(props["Path"]),
                    authorized=auth != "NONE",
                    api=_ref(props.get("RestApiId")),
                    authorizer=auth if auth not in (None, "NONE") else None,
                    api_key_required=None if key_required is None else bool(key_required),
                )
            )
    # API Gateway prefers literal segments over {parameters}.
    return sorted(routes, key=lambda r: (r.resource.count("{"), -len(r.resource)))


def _ref(value: Any) -> str | None:
    return value.get("Ref") if isinstance(value, dict) else value


def resolve(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for ``method path``, or None. API Gateway answers both an unknown path
    and a known path with another method with its MISSING_AUTHENTICATION_TOKEN gateway
    response (403 unless the template customises it); ``path_exists`` tells them apart."""
    found = [(route, params) for route in routes if (params := route.match(path)) is not None]
    # A method of its own wins over the path's ANY, as on API Gateway.
    for wanted in (method, "ANY"):
        for route, params in found:
            if route.method == wanted:
                return route, params
    return None


def path_exists(routes: list[Route], path: str) -> bool:
    return any(r.match(path) is not None for r in routes)
