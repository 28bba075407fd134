"""The document's HTML, from one Jinja2 template (templates/document.html) with
autoescaping on: names, descriptions and memos are the customer's text and must stay text."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from remit.documents.view import DocumentView

_PLACEHOLDER = re.compile(r"\{(page|pages)\}")
# Whitespace-only text between two tags: the template's indentation. Every such run is a
# text node WeasyPrint would parse, style and lay out (in table rows, an anonymous box).
_BETWEEN_TAGS = re.compile(r">\s+<")


def css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and line breaks escaped, so text in the
    page footer cannot close the string and write CSS of its own."""
    escaped = "".join(c if c.isalnum() or c in " .,:;!?-_()'/&%+@#€$£" else f"\\{ord(c):06x}" for c in text)
    return f'"{escaped}"'


def page_counter(label: str) -> str:
    """ "Seite {page} von {pages}" -> CSS content: "Seite " counter(page) " von " counter(pages)."""
    parts = []
    for piece in _PLACEHOLDER.split(label):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("remit.documents", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


@cache
def stylesheet() -> str:
    """The static CSS (the PDF renderer preloads it; a naive render inlines it)."""
    return (resources.files("remit.documents") / "templates" / "document.css").read_text(encoding="utf-8")


@cache
def user_agent_stylesheet() -> str:
    """The compact user-agent stylesheet the warm PDF renderer uses instead of WeasyPrint's."""
    return (resources.files("remit.documents") / "templates" / "ua.css").read_text(encoding="utf-8")


def render_html(view: DocumentView, *, inline_css: bool = False) -> str:
    template = environment().get_template("document.html")
    html = template.render(
        view=view,
        page_label=page_counter(view.labels["page"]),
        inline_css=stylesheet() if inline_css else "",
    )
    return _BETWEEN_TAGS.sub("><", html)
