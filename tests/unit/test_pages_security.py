"""The pages' safety decisions, case by case (remit.pages.security)."""

from __future__ import annotations

import pytest

from remit.pages import security


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"sec-fetch-site": "same-origin", "origin": "null"}, True),  # our no-referrer form
        ({"sec-fetch-site": "none"}, True),  # typed in / bookmarked
        ({"sec-fetch-site": "cross-site", "origin": "https://pay.acme.example"}, False),
        ({"sec-fetch-site": "same-site"}, False),  # a sibling subdomain is another site here
        ({"origin": "https://evil.example"}, False),  # an older browser: Origin decides
        ({"origin": "https://pay.acme.example"}, True),
        ({"origin": "null"}, True),  # says nothing; the CSRF token decides
        ({}, True),  # not a browser: no third-party page can make it post
    ],
)
def test_form_posts_from_another_site_are_refused(headers: dict[str, str], allowed: bool) -> None:
    assert security.same_origin(headers, "pay.acme.example") is allowed


def test_the_csrf_token_is_bound_to_the_links_hash_and_id() -> None:
    token = security.csrf_token("hash-a", "lnk_1")
    assert security.csrf_ok("hash-a", "lnk_1", token)
    assert not security.csrf_ok("hash-b", "lnk_1", token)
    assert not security.csrf_ok("hash-a", "lnk_2", token)
    assert not security.csrf_ok("hash-a", "lnk_1", "")


def test_the_policy_allows_no_script_and_forms_only_to_us_and_the_given_origins() -> None:
    headers = security.headers("n0nce", ["https://shop.example"])
    policy = dict(p.split(" ", 1) for p in headers["Content-Security-Policy"].split("; "))
    assert policy["default-src"] == "'none'"
    assert "script-src" not in policy  # falls back to default-src 'none'
    assert policy["style-src"] == "'self' 'nonce-n0nce'"
    assert policy["form-action"] == "'self' https://shop.example"
    assert policy["frame-ancestors"] == "'none'"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert security.origin_of("https://shop.example/thanks?x=1") == "https://shop.example"
    assert security.origin_of("javascript:alert(1)") is None
