from __future__ import annotations

import importlib
import json
import threading
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder

from remit.http import errors

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
    from aws_lambda_powertools.event_handler.openapi.models import SecurityScheme

TITLE = "Remit API"

# The routers (modules of remit.http.routes), in the order the resolver includes them.
ROUTERS = (
    "organization",
    "accounts",
    "payment_methods",
    "checkout",
    "invoices",
    "documents",
    "emails",
    "products",
    "subscriptions",
    "events",
    "webhooks",
    "collections",
    "portal_sessions",
    "reports",
    "api_keys",
    "credit_notes",
)
# Which routers serve the paths under each first path segment. The Lambda's resolver
# includes a group on the first request under it, not at import: a router brings its
# schemas, services and their models (most of the function's import time), and a cold
# start needs only the one its request is for. tests/unit/test_lazy_routes.py holds this
# table to the paths the routers declare.
ROUTERS_BY_SEGMENT: dict[str, tuple[str, ...]] = {
    "organization": ("organization",),
    "accounts": ("accounts", "payment_methods", "portal_sessions"),
    "checkout-sessions": ("checkout",),
    "invoices": ("invoices", "documents", "emails", "collections", "credit_notes"),
    "credit-notes": ("credit_notes",),
    "email-templates": ("emails",),
    "products": ("products",),
    "subscriptions": ("subscriptions",),
    "events": ("events",),
    "webhook-endpoints": ("webhooks",),
    "reports": ("reports",),
    "api-keys": ("api_keys",),
}


def security_schemes() -> dict[str, SecurityScheme]:
    # Imported here, not at the top: Powertools' OpenAPI models cost ~65 ms to import and
    # only the documentation needs them, never a request.
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    return {"apiKey": HTTPBearer(description="An organization's API key: `Authorization: Bearer rk_...`")}


class JsonResolver(APIGatewayRestResolver):
    """The resolver, refusing a body that is not sent as JSON (415) before Powertools
    tries to parse it as a form or multipart upload, which this API never takes; and
    including its routers when they are first wanted (``include_routers``)."""

    def __init__(self, *, lazy: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lazy = lazy
        self._included: set[str] = set()
        self._including = threading.Lock()
        self._documented = not lazy

    def include_routers(self, names: tuple[str, ...] = ROUTERS) -> None:
        """Import and include the named routers not yet included, in ROUTERS' order. The
        first path segment tells a group's routes from every other group's, so the order
        groups arrive in changes no match (static routes are tried before dynamic ones)."""
        with self._including:
            for name in sorted(set(names) - self._included, key=ROUTERS.index):
                module = importlib.import_module(f"remit.http.routes.{name}")
                self.include_router(module.router)
                self._included.add(name)

    def _resolve(self) -> ResponseBuilder[Any]:
        event = self.current_event
        if self._lazy:
            if not self._documented:
                # The settings (and the swagger switch in them) are read with the first
                # request, which needs them anyway, not at import.
                self._documented = True
                enable_docs(self)
            segment = self._remove_prefix(event.path).lstrip("/").split("/", 1)[0]
            self.include_routers(ROUTERS_BY_SEGMENT.get(segment, ()))
        kind = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
        if event.body and kind not in ("application/json", "") and not kind.endswith("+json"):
            answer = errors.error_response(415, "unsupported_media_type", "send the body as application/json")
            return ResponseBuilder(answer)
        return super()._resolve()


def idempotency(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Idempotency-Key on POSTs (remit.http.idempotency), imported with the first POST:
    it brings Powertools' idempotency utility and the services' context."""
    if app.current_event.http_method != "POST":
        return next_middleware(app)
    from remit.http.idempotency import idempotency as honour_key

    return honour_key(app, next_middleware)


def build_app(*, lazy: bool = False) -> APIGatewayRestResolver:
    """The API's resolver: validation from type hints, one router per resource, errors
    mapped in one place, Idempotency-Key honoured on every POST. ``lazy`` (the Lambda
    function): each group of routers is included on its first request instead of here."""
    app = JsonResolver(enable_validation=True, lazy=lazy)
    if not lazy:
        app.include_routers()
    errors.register(app)
    app.use(middlewares=[idempotency])
    if not lazy:
        enable_docs(app)
    return app


def enable_docs(app: JsonResolver) -> None:
    """``/swagger`` when the environment asks for it: local only, the deployed API serves
    no unauthenticated documentation route."""
    from remit.settings import get_settings

    if not get_settings().remit_enable_swagger:
        return
    from remit.domain.events import API_VERSION

    app.include_routers()  # the documentation describes every route
    app.enable_swagger(
        path="/swagger",
        title=TITLE,
        version=API_VERSION,
        security_schemes=security_schemes(),
        security=[{"apiKey": []}],
    )


def openapi_json(app: APIGatewayRestResolver) -> str:
    """The document checked in as docs/openapi.json (regenerated by `make openapi`)."""
    from remit.domain.events import API_VERSION
    from remit.http.openapi import document_errors

    if isinstance(app, JsonResolver):
        app.include_routers()
    generated = app.get_openapi_json_schema(
        title=TITLE,
        version=API_VERSION,
        description="Issue, deliver and collect invoices. Amounts are decimal strings in the currency's "
        "major unit; every POST accepts an Idempotency-Key header.",
        security_schemes=security_schemes(),
        security=[{"apiKey": []}],
    )
    return json.dumps(document_errors(json.loads(generated)))
