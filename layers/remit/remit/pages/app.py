"""The pages' resolver: Powertools' APIGatewayRestResolver with one router per area
(remit.pages.routes), the services by ``Depends`` (remit.pages.deps), errors answered in
one place (remit.pages.errors), and every form post refused unless it comes from our own
site."""

from __future__ import annotations

import re
from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from remit.pages import deps, errors, security
from remit.pages.render import plain, prefix
from remit.pages.routes import assets, checkout, invoice, portal
from remit.services.context import Context
from remit.services.documents import DocumentService

ROUTERS = (assets.router, invoice.router, checkout.router, portal.router)


def same_site_posts(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[str]:
    """Before anything reads the form or opens the link: another site's post is refused."""
    event = app.current_event
    if event.http_method.upper() == "POST" and not security.same_origin(
        event.headers, event.headers.get("host")
    ):
        return plain(403, "cross-site form posts are refused")
    return next_middleware(app)


def build_app(ctx: Context, documents: Callable[[], DocumentService]) -> APIGatewayRestResolver:
    """``documents``: called only by a document download (the PDF function and bucket are
    needed by nothing else)."""
    # Behind a custom domain's base path the event's path starts with it; the routes do not.
    base = prefix()
    app = APIGatewayRestResolver(strip_prefixes=[base] if base else None)
    for router in ROUTERS:
        app.include_router(router)
    errors.register(app)
    app.use(middlewares=[same_site_posts])
    app.dependency_overrides[deps.get_context] = lambda: ctx
    app.dependency_overrides[deps.get_documents] = documents
    return app


def routes() -> frozenset[tuple[str, str]]:
    """(method, path) of every route, spelt as template.yaml does (``/i/{token}``)."""
    # A Router keeps its routes keyed by (rule, methods, ...); nothing public lists them.
    return frozenset(
        (method.upper(), re.sub(r"<(\w+)>", r"{\1}", key[0]))
        for router in ROUTERS
        for key in router._routes
        for method in key[1]
    )
