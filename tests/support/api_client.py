"""Call a Lambda handler the way API Gateway would, for routes declared in template.yaml.

A route missing from the template fails the test: the template is what deploys, so a
route that only the code knows would be unreachable in AWS."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from remit_local.apigw import proxy_event
from remit_local.lambdas import FunctionSpec, LambdaContext, functions, load_handler
from remit_local.routes import api_routes, resolve


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.body!r})"


class ApiClient:
    """One API function 'container' plus the caller's organization (what the authorizer
    would have put in the request context)."""

    def __init__(self, function: str = "ApiFunction") -> None:
        self.spec: FunctionSpec = functions()[function]
        self.handler, self.module = load_handler(self.spec)
        self.routes = api_routes()
        self.org_id: str | None = None

    @property
    def app(self) -> Any:
        return self.module.app

    def as_org(self, org_id: str) -> ApiClient:
        self.org_id = org_id
        return self

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        raw_body: str | None = None,
        org: str | None = None,
    ) -> Reply:
        found = resolve(self.routes, method, path)
        if found is None:
            raise AssertionError(f"{method} {path} is not a route of template.yaml")
        route, params = found
        event = proxy_event(
            method,
            path,
            resource=route.resource,
            path_parameters=params,
            query=urlencode(query or {}, doseq=True),
            headers={"Content-Type": "application/json", **(headers or {})},
            body=raw_body if raw_body is not None else (json.dumps(body) if body is not None else None),
            authorizer={"organizationId": org or self.org_id, "principalId": "key_test"},
        )
        return self.invoke(event)

    def invoke(self, event: dict[str, Any]) -> Reply:
        out = self.handler(event, LambdaContext(function_name=self.spec.name))
        text = out.get("body")
        headers = {
            k: v[-1] if isinstance(v, list) else v for k, v in (out.get("multiValueHeaders") or {}).items()
        }
        headers |= out.get("headers") or {}
        return Reply(out["statusCode"], json.loads(text) if text else None, headers)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PATCH", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.call("DELETE", path, **kw)
