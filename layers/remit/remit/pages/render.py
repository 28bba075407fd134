"""How a page answers: its template rendered with the reader's words and the security
headers (remit.pages.security), a 303 for Post/Redirect/Get, the error page; and the small
formatting the templates share (where the pages live, accent colour, logo, a moment)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from remit.documents import localize
from remit.pages import i18n, security
from remit.pages.bank import BankType
from remit.pages.links import base_url

HERE = Path(__file__).parent


@cache
def _jinja() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def prefix() -> str:
    """The path the pages live under (a stage, when PUBLIC_BASE_URL has one)."""
    return urlsplit(base_url()).path.rstrip("/")


def origin() -> str:
    """Scheme and host of the pages (a gateway's return_url must be absolute)."""
    parts = urlsplit(base_url())
    return f"{parts.scheme}://{parts.netloc}"


def page(
    template: str,
    lang: str,
    http_status: int = 200,
    form_targets: tuple[str, ...] = (),
    stripe: str | None = None,
    **values: Any,
) -> Response[str]:
    """``form_targets``: origins a form may post on to (the checkout's own pages);
    ``stripe``: the publishable key, when the page mounts Stripe Elements."""
    style_nonce = security.nonce()
    html = (
        _jinja()
        .get_template(template)
        .render(
            lang=lang if lang in i18n.WORDS else "en",
            w=i18n.words(lang),
            nonce=style_nonce,
            base=prefix(),
            stripe_key=stripe,
            **values,
        )
    )
    headers = security.headers(style_nonce, form_targets, stripe=stripe is not None)
    return Response(status_code=http_status, body=html, headers=headers)


def error_page(lang: str = "en", http_status: int = 404, problem: str | None = None) -> Response[str]:
    """The error page: a link invalid or expired (404), or ``problem``, the words' key of
    what else went wrong (a form that could not be read)."""
    return page("error.html", lang, http_status, problem=problem, accent=None, org_name=None, logo_url=None)


def redirect(location: str) -> Response[str]:
    headers = {"Location": location, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return Response(status_code=303, body="", headers=headers)


def plain(http_status: int, text: str, headers: Mapping[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=http_status, body=text, headers={"Content-Type": "text/plain", **(headers or {})}
    )


def language(headers: Mapping[str, str]) -> str:
    """The reader's language from ``Accept-Language``, for a page that knows no account."""
    accept = headers.get("accept-language") or "en"
    first = accept.split(",")[0].split(";")[0].strip().split("-")[0].lower()
    return first if first in i18n.WORDS else "en"


def mandate_text(kind: BankType, org_name: str, lang: str) -> str:
    return i18n.words(lang)[f"mandate_{kind}"].format(org=org_name)


def accent(colour: str | None) -> str:
    from remit.documents.view import _COLOUR, DEFAULT_ACCENT

    return colour if colour and _COLOUR.match(colour) else DEFAULT_ACCENT


def logo(url: str | None) -> str | None:
    return url if url and url.startswith("https://") else None


def moment(at: datetime, lang: str) -> str:
    """A date and time for the reader, in UTC (said so: the page cannot know their zone)."""
    from babel.dates import format_datetime

    return f"{format_datetime(at, 'medium', tzinfo=UTC, locale=localize.locale_of(lang))} UTC"


def money(minor: int, currency: str, lang: str) -> str:
    return localize.money(minor, currency, lang)
