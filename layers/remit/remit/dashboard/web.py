"""The dashboard's request plumbing: the signed-in operator, forms and their CSRF token,
pages rendered from Jinja2 templates, redirects. Pages themselves are in pages.py."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast
from urllib.parse import parse_qs, urlencode

from remit.dashboard.auth import (
    SESSION_COOKIE,
    CognitoSignIn,
    NotSignedIn,
    Operator,
    TokenVerifier,
    csrf_ok,
    csrf_token,
    read_cookie,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
    from jinja2 import Environment

    from remit.services.delivery import Mailer
    from remit.services.documents import Renderer, Storage
    from remit.services.webhooks import WebhookService

    class PreviewRenderer(Renderer, Protocol):
        def preview(self, org_id: str) -> str: ...


T = TypeVar("T")
TEMPLATES = Path(__file__).parent / "templates"
# Pages must not be cached anywhere (they show one organization's money) nor framed.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' https: data:; form-action 'self'; frame-ancestors 'self'; "
    # The branding preview is a presigned S3 link (on the local cloud, moto on loopback).
    "frame-src 'self' https: http://127.0.0.1:* http://localhost:*",
}


def _no_webhooks() -> WebhookService:
    raise RuntimeError("webhook endpoints are not wired")


class CsrfFailed(Exception):
    """A form came back without this session's CSRF token."""


@dataclass
class Wiring:
    """What the pages need from outside: the services' context, how to verify and obtain
    a session, and the adapters for documents and email. Tests hand in fakes."""

    context: Callable[[], Any]
    verifier: TokenVerifier
    sign_in: CognitoSignIn
    storage: Callable[[], Storage]
    renderer: Callable[[], PreviewRenderer]
    mailer: Callable[[], Mailer]
    sender: str = ""
    # Webhook endpoints are subscriptions of the events topic (WebhookService).
    webhooks: Callable[[], WebhookService] = _no_webhooks

    @classmethod
    def from_env(cls) -> Wiring:
        from remit import wiring
        from remit.http import deps
        from remit.services.webhooks import WebhookService
        from remit.settings import get_settings

        def webhooks() -> WebhookService:
            return WebhookService(deps.get_context(), deps.get_topic(), deps.get_webhook_config())

        verifier, sign_in = wiring.operator_auth()
        return cls(
            context=deps.get_context,
            verifier=verifier,
            sign_in=sign_in,
            storage=deps.get_storage,
            renderer=deps.get_renderer,  # type: ignore[arg-type]
            mailer=deps.get_mailer,
            sender=get_settings().sender_address or "",
            webhooks=webhooks,
        )


class Request:
    """The request being handled, as the pages see it. What it works out (session,
    operator, form) is kept for the current event only: a warm container handles many."""

    def __init__(self, app: APIGatewayRestResolver, wiring: Wiring) -> None:
        self.app = app
        self.wiring = wiring
        self._event: object = None
        self._memo: dict[str, Any] = {}

    def _cached(self, name: str, make: Callable[[], T]) -> T:
        if self._event is not self.app.current_event:
            self._event, self._memo = self.app.current_event, {}
        if name not in self._memo:
            self._memo[name] = make()
        return cast(T, self._memo[name])

    @property
    def event(self) -> APIGatewayProxyEvent:
        return self.app.current_event

    def cookie(self, name: str) -> str | None:
        headers = self.event.headers or {}
        return read_cookie(next((v for k, v in headers.items() if k.lower() == "cookie"), None), name)

    @property
    def session(self) -> str | None:
        return self._cached("session", lambda: self.cookie(SESSION_COOKIE))

    @property
    def operator(self) -> Operator:
        """The verified operator; NotSignedIn (not cached) without a valid session."""

        def verify() -> Operator:
            if not self.session:
                raise NotSignedIn("no session")
            return self.wiring.verifier.verify(self.session)

        return self._cached("operator", verify)

    @property
    def form(self) -> dict[str, list[str]]:
        def parse() -> dict[str, list[str]]:
            body = self.event.body or ""
            if self.event.is_base64_encoded:
                body = base64.b64decode(body).decode()
            return parse_qs(body, keep_blank_values=True)

        return self._cached("form", parse)

    def field(self, name: str, default: str = "") -> str:
        values = self.form.get(name)
        return values[-1].strip() if values else default

    def fields(self, name: str) -> list[str]:
        return [v.strip() for v in self.form.get(name, []) if v.strip()]

    def query(self, name: str, default: str = "") -> str:
        return (self.event.query_string_parameters or {}).get(name, default)

    def check_csrf(self) -> None:
        """Every POST of a signed-in operator: the form must carry the session's token."""
        if not (self.session and csrf_ok(self.session, self.field("csrf"))):
            raise CsrfFailed("the form is missing this session's CSRF token")

    @property
    def base(self) -> str:
        """The path prefix of every link: API Gateway's own domain puts the stage first
        (``/dev/dashboard``); a custom domain and the local gateway do not."""
        headers = self.event.headers or {}
        host = next((v for k, v in headers.items() if k.lower() == "host"), "")
        stage = self.event.request_context.stage
        return f"/{stage}" if host.endswith(".amazonaws.com") and stage else ""

    def asset(self, name: str) -> str:
        """A file of the hosted pages' static folder, as PagesFunction serves it
        (``/assets/<name>``): the dashboard wears the hosted pages' stylesheet."""
        return f"{self.base}/assets/{name}"

    def url(self, path: str, **params: str) -> str:
        query = urlencode({k: v for k, v in params.items() if v})
        return f"{self.base}/dashboard{path}" + (f"?{query}" if query else "")


@dataclass
class Pages:
    """Renders templates with what every page shows (operator, CSRF token, links)."""

    env: Environment

    @classmethod
    def create(cls) -> Pages:
        from jinja2 import Environment, FileSystemLoader, select_autoescape

        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        return cls(env)

    def render(
        self,
        request: Request,
        page: str,
        code: int = 200,
        /,
        headers: Mapping[str, str] | None = None,
        cookies: list[str] | None = None,
        **values: Any,
    ) -> Response[str]:
        operator = None
        try:
            operator = request.operator if request.session else None
        except NotSignedIn:
            operator = None
        html = self.env.get_template(page).render(
            operator=operator,
            csrf=csrf_token(request.session) if request.session and operator else "",
            url=request.url,
            asset=request.asset,
            notice=request.query("notice"),
            error=values.pop("error", None) or request.query("error"),
            **values,
        )
        return response(code, html, headers, cookies)


def response(
    status: int,
    body: str,
    headers: Mapping[str, str] | None = None,
    cookies: list[str] | None = None,
    content_type: str = "text/html; charset=utf-8",
) -> Response[str]:
    from aws_lambda_powertools.event_handler import Response

    out = Response(
        status_code=status,
        content_type=content_type,
        body=body,
        headers={**SECURITY_HEADERS, **(headers or {})},
    )
    if cookies:
        # Set-Cookie must be one header per cookie (multiValueHeaders), never joined.
        out.headers["Set-Cookie"] = cookies
    return out


def redirect(location: str, cookies: list[str] | None = None) -> Response[str]:
    """303: the browser follows with a GET, so a reload never re-posts a form."""
    return response(303, "", {"Location": location}, cookies)
