"""Email templates rendered safely.

- A Jinja2 ``SandboxedEnvironment``: a template cannot reach Python internals
  (``{{ ''.__class__.__mro__ }}`` is an unsafe attribute; with ``StrictUndefined`` it is
  an error, never a value).
- Autoescaping in the HTML body: a customer named ``<script>`` stays text.
- ``StrictUndefined`` and a closed set of variables: a template that names an unknown
  variable, does not parse, or fails a trial render is refused when it is saved
  (``check``), so sending never meets a broken template.
- Bounded (``remit.emails.bounded``): loop iterations, work, time, output size, big
  numbers and repeats are capped. ``check`` renders against sample data *and* against
  the largest invoice the API accepts (250 lines of 500-character descriptions), so a
  template that would exceed a limit is refused when saved (422 ``template_limit``); at
  send time a limit fails that email (``RenderFailed``), it is not retried.
Subject and sender name are headers: rendered without HTML escaping, line breaks removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from remit.emails.defaults import VARIABLES
from remit.errors import ValidationFailed

if TYPE_CHECKING:
    from remit.emails.bounded import BoundedEnvironment

# Jinja2 is imported when a template is first checked or rendered, not with this module:
# the API imports it at cold start for every route, and most routes never render email.

MAX_BODY = 100_000


@cache
def _env(html: bool) -> BoundedEnvironment:
    from remit.emails.bounded import BoundedEnvironment

    return BoundedEnvironment(autoescape=html)


class RenderFailed(ValidationFailed):
    """A stored template that cannot be rendered with these values (it went past a limit,
    or was saved before a check it would fail). Retrying cannot help."""


def _render(source: str, html: bool, variables: dict[str, Any], field: str) -> str:
    from jinja2 import TemplateError

    from remit.emails.bounded import TemplateLimit, render

    try:
        return render(_env(html).from_string(source), variables)
    except TemplateLimit as exc:
        raise RenderFailed(
            f"{field} exceeds a limit: {exc.message}", field=field, code="template_limit"
        ) from exc
    except TemplateError as exc:
        # Sandbox refusals and undefined attributes.
        raise RenderFailed(
            f"{field} cannot be rendered: {exc.message or type(exc).__name__}",
            field=field,
            code="template_invalid",
        ) from exc
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
        raise RenderFailed(
            f"{field} cannot be rendered: {exc}", field=field, code="template_invalid"
        ) from exc


@dataclass(frozen=True)
class TemplateText:
    """What a company writes: subject, sender display name, reply-to and HTML body."""

    subject: str
    from_name: str
    body: str
    reply_to: str | None = None


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    from_name: str
    reply_to: str | None
    html: str
    text: str


SAMPLE_VARIABLES: dict[str, Any] = {
    "customer_name": "Globex Corporation",
    "invoice_number": "INV-2026-00042",
    "amount_due": "$1,250.00",
    "due_date": "Apr 1, 2026",
    "invoice_url": "https://billing.example.com/invoices/inv_sample",
    "pay_now_url": "https://billing.example.com/invoices/inv_sample/pay",
    "company_name": "Acme Analytics",
    "update_payment_link": "https://billing.example.com/payment-methods",
    "total": "$1,250.00",
    "amount_paid": "$0.00",
    "issue_date": "Mar 2, 2026",
    "paid_date": "",
    "autopay": False,
    "autopay_date": "Mar 29, 2026",
    "payment_method": "Visa •••• 4242",
    "line_items": [
        {"description": "Analytics seat (March 2026)", "quantity": "10", "amount": "$1,000.00"},
        {"description": "Support hours", "quantity": "2.5", "amount": "$250.00"},
    ],
}


# The API's largest invoice (remit.schemas.invoice: 250 lines, 500-character descriptions).
MAX_LINES = 250
MAX_DESCRIPTION = 500
LARGEST_VARIABLES: dict[str, Any] = dict(
    SAMPLE_VARIABLES,
    autopay=True,  # the other branch of a template that tells AutoPay invoices apart
    line_items=[
        {"description": "W" * MAX_DESCRIPTION, "quantity": "1,000,000.25", "amount": "$99,999,999.99"}
    ]
    * MAX_LINES,
)


def check(template: TemplateText) -> None:
    """Refuse (422, naming the field and the problem) a template that would fail to send."""
    from jinja2 import TemplateSyntaxError, meta

    fields = {"subject": template.subject, "fromName": template.from_name, "body": template.body}
    for field, source in fields.items():
        env = _env(field == "body")
        try:
            parsed = env.parse(source)
        except TemplateSyntaxError as exc:
            raise ValidationFailed(
                f"{field} does not parse: {exc.message} (line {exc.lineno})",
                field=field,
                code="template_invalid",
            ) from exc
        unknown = sorted(meta.find_undeclared_variables(parsed) - VARIABLES.keys())
        if unknown:
            names = ", ".join("{{" + n + "}}" for n in unknown)
            raise ValidationFailed(
                f"{field} uses unknown variable {names}; known: {', '.join(sorted(VARIABLES))}",
                field=field,
                code="template_invalid",
            )
        # Refusals surface here, not at send time: with the sample, then with the largest
        # invoice there can be (where loops and sizes are at their worst).
        for values in (SAMPLE_VARIABLES, LARGEST_VARIABLES):
            try:
                _render(source, field == "body", values, field)
            except RenderFailed as exc:
                raise ValidationFailed(exc.message, field=field, code=exc.code) from exc


@lru_cache(maxsize=256)  # bounded: every organization may write its own templates
def _names(source: str, html: bool) -> frozenset[str]:
    from jinja2 import meta

    return frozenset(meta.find_undeclared_variables(_env(html).parse(source)))


def referenced(template: TemplateText) -> frozenset[str]:
    """The variables a template names anywhere (subject, sender name, body). A sender
    computes only these: a link variable mints a stored page link, so a template that
    shows no link must not make one."""
    return _names(template.subject, False) | _names(template.from_name, False) | _names(template.body, True)


def _header(text: str) -> str:
    # A header value on one line: no CR/LF from a variable can add a header of its own.
    return re.sub(r"[\r\n]+", " ", text).strip()


def render(template: TemplateText, variables: dict[str, Any]) -> RenderedEmail:
    """The email, or RenderFailed (422) naming the field that cannot be rendered."""
    html = _render(template.body, True, variables, "body")
    return RenderedEmail(
        subject=_header(_render(template.subject, False, variables, "subject")),
        from_name=_header(_render(template.from_name, False, variables, "fromName")),
        reply_to=template.reply_to,
        html=html,
        text=html_to_text(html),
    )


_CELL_END = "\x00"


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS and tag != "tr":  # rows: one line each, no blank between
            self.parts.append("\n")
        if tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.parts.append(_CELL_END)
        if tag == "a" and self.href:
            self.parts.append(f" ({self.href})")
            self.href = None
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """The plain-text alternative: paragraphs kept, links written out after their text."""
    parser = _Text()
    parser.feed(html)
    # Blanks collapse as HTML does; a table cell's end becomes a two-space column gap.
    lines = [
        re.sub(r"[ \t]+", " ", line).replace(f" {_CELL_END}", _CELL_END).replace(_CELL_END, "  ").strip()
        for line in "".join(parser.parts).splitlines()
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
