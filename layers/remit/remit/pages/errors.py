"""The one place where the pages' exceptions become answers: a link that does not open (or
anything else not found) is the error page, 404, in the reader's language; a form body that
cannot be read is the error page, 400; a route the function does not serve, the 404 page.
Anything else is left to fail the invocation, as it did before this resolver."""

from __future__ import annotations

import binascii

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from remit.errors import NotFound
from remit.pages.render import error_page, language


def register(app: APIGatewayRestResolver) -> None:
    def not_found(_: NotFound) -> Response[str]:
        return error_page(language(app.current_event.headers))

    def unreadable(_: ValueError) -> Response[str]:
        # A body that is not UTF-8, or not the base64 it says it is (Powertools decodes it).
        return error_page(language(app.current_event.headers), 400, "form_unreadable")

    def route_missing(_: Exception) -> Response[str]:
        return error_page()

    app.exception_handler(NotFound)(not_found)
    app.exception_handler([UnicodeDecodeError, binascii.Error])(unreadable)
    app.not_found(route_missing)
