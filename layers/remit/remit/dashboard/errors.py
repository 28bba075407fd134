"""Every error a dashboard page can end in, as a page in words: this is the one place where
exceptions become statuses. A domain error gets the status the JSON API gives it
(remit.http.errors.STATUS); the routes catch only what they show on their own page (a
settings form refused, with the form as typed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler.depends import DependencyResolutionError

from remit.dashboard.auth import Forbidden, NotSignedIn, cleared_cookie
from remit.dashboard.deps import VISIT
from remit.dashboard.routes.home import sign_in_page
from remit.dashboard.web import CsrfFailed, UnreadableForm, Visit, Wiring, redirect
from remit.errors import NotFound, RemitError
from remit.http.errors import STATUS
from remit.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

Answer = Callable[[Visit, Exception], "Response[str]"]


def message(v: Visit, status: int, title: str, text: str) -> Response[str]:
    return v.render("message.html", status, title=title, message=text)


def not_signed_in(v: Visit, exc: Exception) -> Response[str]:
    # A page asked for: sign in, then back to it. A form posted: the sign-in page (what
    # was typed is gone either way, and a redirect would turn the POST into a GET).
    if v.event.http_method == "GET":
        cookies = [cleared_cookie()] if v.session else None
        return redirect(v.url("/sign-in", next=v.event.path), cookies)
    return sign_in_page(v, 401, "Please sign in again.")


def forbidden(v: Visit, exc: Exception) -> Response[str]:
    return message(v, 403, "Not allowed", str(exc))


def csrf_failed(v: Visit, exc: Exception) -> Response[str]:
    return message(v, 403, "Form expired", "Reload the page and try again.")


def unreadable(v: Visit, exc: Exception) -> Response[str]:
    return message(v, 400, "Could not read the form", "Send the form as UTF-8 and try again.")


def not_found(v: Visit, exc: Exception) -> Response[str]:
    return message(v, 404, "Not found", exc.message if isinstance(exc, RemitError) else "No such page.")


def refused(v: Visit, exc: Exception) -> Response[str]:
    status = next((code for cls, code in STATUS if isinstance(exc, cls)), 400)
    return message(v, status, "Could not do that", exc.message if isinstance(exc, RemitError) else str(exc))


def unexpected(v: Visit, exc: Exception) -> Response[str]:
    logger.exception("dashboard: unexpected error")
    return message(v, 500, "Something went wrong", "Please try again.")


# The first that matches answers (so a subclass comes before its base).
ANSWERS: tuple[tuple[type[Exception], Answer], ...] = (
    (NotSignedIn, not_signed_in),
    (Forbidden, forbidden),
    (CsrfFailed, csrf_failed),
    (UnreadableForm, unreadable),
    (NotFound, not_found),
    (RemitError, refused),
    (Exception, unexpected),
)


def answer(v: Visit, exc: Exception) -> Response[str]:
    if isinstance(exc, DependencyResolutionError) and isinstance(exc.__cause__, Exception):
        # Powertools wraps what a dependency raised (the session, the role, the CSRF check).
        exc = exc.__cause__
    handler = next(h for cls, h in ANSWERS if isinstance(exc, cls))
    return handler(v, exc)


def register(app: APIGatewayRestResolver, wiring: Wiring) -> None:
    def current() -> Visit:
        # The route's own visit when it got that far (its operator already verified).
        found = app.context.get(VISIT)
        return found if isinstance(found, Visit) else Visit(app.current_event, wiring)

    def handle(exc: Exception) -> Response[str]:
        return answer(current(), exc)

    def no_route(exc: Exception) -> Response[str]:
        return not_found(current(), exc)

    app.exception_handler(Exception)(handle)
    app.not_found(no_route)
