"""What template.yaml says about each REST API (``AWS::Serverless::Api``) beyond its
routes: the Lambda authorizers, the gateway responses (the bodies API Gateway itself
answers with: 401, 403, missing route, 429, 5XX) and the throttles (the stage's
MethodSettings and the usage plan of the API's keys)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from remit_local.template import TEMPLATE, resources
from remit_local.throttle import Limit, method_limits

# API Gateway's own answers where the template does not customise them:
# type -> (status, message).
_BUILT_IN: dict[str, tuple[int, str | None]] = {
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token"),
    "AUTHORIZER_FAILURE": (500, None),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None),
    "INTEGRATION_FAILURE": (502, "Internal server error"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long"),
    "THROTTLED": (429, "Too Many Requests"),
    "INVALID_API_KEY": (403, "Forbidden"),
}


@dataclass(frozen=True)
class Authorizer:
    name: str
    function: str  # the logical id of the authorizer function
    payload: str  # REQUEST or TOKEN
    headers: tuple[str, ...] = ()  # identity sources: all must be present
    query_strings: tuple[str, ...] = ()
    validation: re.Pattern[str] | None = None  # TOKEN only


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RestApi:
    name: str
    default_authorizer: str | None = None
    authorizers: Mapping[str, Authorizer] = field(default_factory=dict)
    responses: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # API keys: where they come from (HEADER: X-API-Key; AUTHORIZER: the authorizer's
    # usageIdentifierKey) and whether methods need one unless their event says otherwise.
    api_key_source: str = "HEADER"
    api_key_required: bool = False
    # Throttles: (resource, METHOD) -> limit from MethodSettings, and the usage plan's
    # per-key limit (None: no usage plan names this API).
    method_limits: Mapping[tuple[str, str], Limit] = field(default_factory=dict)
    usage_plan: Limit | None = None

    def authorizer(self, explicit: str | None) -> Authorizer | None:
        name = explicit or self.default_authorizer
        return self.authorizers.get(name) if name else None

    def gateway_response(
        self, kind: str, message: str | None = None, status: int | None = None
    ) -> GatewayResponse:
        """The template's response for ``kind`` (else its DEFAULT_4XX/5XX, else API
        Gateway's built-in one), with ``$context.error.message`` filled in."""
        built_in_status, built_in_message = _BUILT_IN.get(kind, (status or 500, None))
        status = status or built_in_status
        message = message if message is not None else built_in_message
        default = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        custom = self.responses.get(kind) or self.responses.get(default) or {}
        status = int(custom.get("StatusCode", status))
        template = (custom.get("ResponseTemplates") or {}).get("application/json")
        if template is None:
            body = json.dumps({"message": message}).encode()
        else:
            body = (
                template.replace("$context.error.messageString", json.dumps(message))
                .replace("$context.error.message", message or "")
                .encode()
            )
        headers = {
            name: str(value).strip("'")
            for name, value in (custom.get("ResponseParameters", {}).get("Headers") or {}).items()
        }
        return GatewayResponse(status, body, {"Content-Type": "application/json", **headers})


def rest_apis(template: Path = TEMPLATE, resolve: Callable[[Any], Any] | None = None) -> dict[str, RestApi]:
    """By logical id. Routes without a RestApiId belong to SAM's implicit API, which has
    no authorizer here (None key). ``resolve`` gives the throttles' intrinsics (!If on the
    stage, !Ref of a parameter) their values; without it only literal limits are read."""
    resolve = resolve or _literal
    plans = _usage_plans(template, resolve)
    apis: dict[str, RestApi] = {}
    for logical_id, resource in resources("AWS::Serverless::Api", template).items():
        props = resource.get("Properties", {})
        auth = props.get("Auth", {})
        apis[logical_id] = RestApi(
            name=logical_id,
            default_authorizer=auth.get("DefaultAuthorizer"),
            authorizers={
                name: _authorizer(name, config) for name, config in auth.get("Authorizers", {}).items()
            },
            responses=props.get("GatewayResponses", {}),
            api_key_source=str(props.get("ApiKeySourceType", "HEADER")),
            api_key_required=bool(auth.get("ApiKeyRequired", False)),
            method_limits=method_limits(props.get("MethodSettings") or [], resolve),
            usage_plan=plans.get(logical_id),
        )
    return apis


def _literal(value: Any) -> Any:
    if isinstance(value, dict):
        raise ValueError(f"{value!r} needs resolving")
    return value


def _usage_plans(template: Path, resolve: Callable[[Any], Any]) -> dict[str, Limit]:
    """API logical id -> the per-key throttle of the usage plan that names its stage."""
    plans: dict[str, Limit] = {}
    for plan in resources("AWS::ApiGateway::UsagePlan", template).values():
        props = plan.get("Properties", {})
        throttle = props.get("Throttle")
        if not throttle:
            continue
        try:
            limit = Limit(float(resolve(throttle["RateLimit"])), int(resolve(throttle["BurstLimit"])))
        except ValueError:
            continue  # a limit the local cloud cannot work out: not emulated
        for stage in props.get("ApiStages", []):
            api = stage.get("ApiId")
            if isinstance(api, dict) and "Ref" in api:
                plans[api["Ref"]] = limit
    return plans


def _authorizer(name: str, config: Mapping[str, Any]) -> Authorizer:
    arn = config.get("FunctionArn")
    if not (isinstance(arn, dict) and "Fn::GetAtt" in arn):
        raise ValueError(f"authorizer {name}: FunctionArn must be !GetAtt <Function>.Arn to run locally")
    function = arn["Fn::GetAtt"][0]
    identity = config.get("Identity", {})
    if config.get("FunctionPayloadType", "TOKEN") == "REQUEST":
        return Authorizer(
            name,
            function,
            "REQUEST",
            headers=tuple(identity.get("Headers", [])),
            query_strings=tuple(identity.get("QueryStrings", [])),
        )
    validation = identity.get("ValidationExpression")
    return Authorizer(
        name,
        function,
        "TOKEN",
        headers=(identity.get("Header", "Authorization"),),
        validation=re.compile(validation) if validation else None,
    )
