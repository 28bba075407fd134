"""The dashboard's request plumbing: what it is wired to, the signed-in operator, forms and
their CSRF token, pages rendered from Jinja2 templates, redirects. The pages themselves are
the routers in remit/dashboard/routes/."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
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
    session_id,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
    from jinja2 import Environment

    from remit.services.delivery import DeliveryService, Mailer
    from remit.services.documents import Renderer, Storage
    from remit.services.webhooks import WebhookService

    class PreviewRenderer(Renderer, Protocol):
        def preview(self, org_id: str) -> str: ...


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


class UnreadableForm(Exception):
    """A form body that is not UTF-8 (or not base64 when it says it is)."""


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
    # How invoices and reminders are emailed; unset, built from the adapters above.
    delivery: Callable[[], DeliveryService] | None = None

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

    def deliveries(self) -> DeliveryService:
        """The one place the dashboard gets its DeliveryService."""
        if self.delivery is not None:
            return self.delivery()
        from remit import wiring
        from remit.services.documents import DocumentService

        ctx = self.context()
        documents = DocumentService(ctx, self.storage(), self.renderer())
        return wiring.delivery_service(ctx, mailer=self.mailer(), documents=documents, sender=self.sender)


class Visit:
    """The request being handled, as the pages see it: its session, operator and form,
    worked out once. Built for one event (remit.dashboard.deps.visit) and never kept
    beyond it: a warm container handles many operators' requests."""

    def __init__(self, event: APIGatewayProxyEvent, wiring: Wiring) -> None:
        self.event = event
        self.wiring = wiring

    def cookie(self, name: str) -> str | None:
        headers = self.event.headers or {}
        return read_cookie(next((v for k, v in headers.items() if k.lower() == "cookie"), None), name)

    @cached_property
    def session(self) -> str | None:
        return self.cookie(SESSION_COOKIE)

    @cached_property
    def operator(self) -> Operator:
        """The verified operator of a session not signed out; NotSignedIn (and asked
        again, not remembered) without one."""
        if not self.session:
            raise NotSignedIn("no session")
        operator = self.wiring.verifier.verify(self.session)
        if self.wiring.context().store.signed_out.contains(
            operator.organization_id, session_id(self.session)
        ):
            raise NotSignedIn("this session was signed out")
        return operator

    @property
    def signed_in(self) -> Operator | None:
        try:
            return self.operator if self.session else None
        except NotSignedIn:
            return None

    @cached_property
    def form(self) -> dict[str, list[str]]:
        body = self.event.body or ""
        try:
            if self.event.is_base64_encoded:
                body = base64.b64decode(body).decode()
            return parse_qs(body, keep_blank_values=True, errors="strict")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise UnreadableForm("the form is not UTF-8") from exc

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

    def render(
        self,
        page: str,
        code: int = 200,
        /,
        headers: Mapping[str, str] | None = None,
        cookies: list[str] | None = None,
        **values: Any,
    ) -> Response[str]:
        return pages().render(self, page, code, headers=headers, cookies=cookies, **values)

    def back(self, path: str, **params: str) -> Response[str]:
        """303 to a page of the dashboard (with its notice or error)."""
        return redirect(self.url(path, **params))


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
        request: Visit,
        page: str,
        code: int = 200,
        /,
        headers: Mapping[str, str] | None = None,
        cookies: list[str] | None = None,
        **values: Any,
    ) -> Response[str]:
        operator = request.signed_in
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


@cache
def pages() -> Pages:
    """The templates, loaded once per container."""
    return Pages.create()


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
