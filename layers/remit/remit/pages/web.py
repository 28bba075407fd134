"""PagesFunction's HTTP side, built from the environment: the resolver of remit.pages.app
(the routes of template.yaml's PagesFunction, no API key, a link's token in the path) over
the stack's context and document service. Posts answer 303 to the page they came from
(Post/Redirect/Get), so reloading a result never posts again."""

from __future__ import annotations

import os
from functools import cache

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from remit.pages.app import build_app, routes
from remit.pages.elements import stripe_key
from remit.pages.routes.assets import STATIC
from remit.services.context import Context
from remit.services.documents import DocumentService

__all__ = ["ROUTES", "STATIC", "from_env", "stripe_key"]

# Every (method, path) the pages serve, as template.yaml spells them.
ROUTES = routes()


def from_env() -> APIGatewayRestResolver:
    def documents() -> DocumentService:
        from remit.adapters.pdf_function import PdfFunction
        from remit.adapters.s3 import DocumentBucket

        return DocumentService(
            Context.from_env(),
            DocumentBucket(os.environ.get("DOCUMENTS_BUCKET", "")),
            PdfFunction(os.environ.get("PDF_FUNCTION_NAME", "")),
        )

    return build_app(Context.from_env(), cache(documents))
