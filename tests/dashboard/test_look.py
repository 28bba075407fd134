"""The dashboard wears the hosted pages' stylesheet: it links the file PagesFunction serves,
uses only tokens that file defines, and its CSP still allows nothing but its own origin."""

from __future__ import annotations

import re

from remit.dashboard.web import TEMPLATES
from remit.pages.web import STATIC
from tests.dashboard.conftest import Browser, Keys


def test_pages_link_the_hosted_pages_stylesheet_under_the_csp(browser: Browser, keys: Keys, org: str) -> None:
    browser.session = keys.token(org, "admin")
    for path in ("/dashboard", "/dashboard/settings/dunning", "/dashboard/sign-in"):
        reply = browser.get(path)
        assert reply.status == 200, path
        assert '<link rel="stylesheet" href="/assets/pages.css">' in reply.body
        csp = reply.header("Content-Security-Policy") or ""
        assert "default-src 'self'" in csp
        assert "script-src" not in csp  # no script allowed beyond default-src 'self'
        assert "<script" not in reply.body


def test_the_dashboard_uses_only_tokens_the_hosted_stylesheet_defines() -> None:
    css = (STATIC / "pages.css").read_text()
    defined = set(re.findall(r"(--[a-z-]+)\s*:", css))
    used = {
        token
        for template in TEMPLATES.glob("*.html")
        for token in re.findall(r"var\((--[a-z-]+)\)", template.read_text())
    }
    assert used, "the dashboard's styles use the hosted pages' tokens"
    assert used <= defined, used - defined
