"""PagesFunction's HTTP side, built from the environment: the resolver of remit.pages.app
(the routes of template.yaml's PagesFunction, no API key, a link's token in the path) over
the stack's context and document service. Posts answer 303 to the page they came from
(Post/Redirect/Get), so reloading a result never posts again."""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from remit.pages.app import build_app, routes
from remit.pages.elements import stripe_key
from remit.pages.routes.assets import STATIC

__all__ = ["ROUTES", "STATIC", "from_env", "stripe_key"]

# Every (method, path) the pages serve, as template.yaml spells them.
ROUTES = routes()


def from_env() -> APIGatewayRestResolver:
    from remit import wiring

    ctx = wiring.context()
    # The documents port is built on the first download: most pages never need it.
    return build_app(ctx, cache(lambda: wiring.document_service(ctx)))
