"""What every page answer carries for safety: a strict Content-Security-Policy (our own
styles only, plus one nonce'd block for the organization's accent colour; no scripts; forms
post only to us, or on to the checkout's own success page), no referrer (the URL holds the
link's secret), no framing, no caching. Forms carry a CSRF token derived from the link's
stored hash, and a post must come from our own origin."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit


def nonce() -> str:
    return secrets.token_urlsafe(16)


def csrf_token(token_hash: str, object_id: str) -> str:
    """Only the server knows the stored hash, so only a page it rendered for the link's
    holder shows this value; a cross-site form cannot know it."""
    return hmac.new(token_hash.encode(), f"csrf:{object_id}".encode(), "sha256").hexdigest()


def csrf_ok(token_hash: str, object_id: str, presented: str) -> bool:
    return hmac.compare_digest(csrf_token(token_hash, object_id), presented or "")


def same_origin(headers: dict[str, str], host: str | None) -> bool:
    """A browser's form post says where it came from: ``Sec-Fetch-Site`` (every current
    browser), else ``Origin``. Another site's post is refused. ``Origin: null`` is what our
    own no-referrer pages make a browser send, so it proves nothing either way; the CSRF
    token is what holds then. A client that sends neither (not a browser) passes: no
    third-party page can make it post."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = headers.get("origin")
    if origin and origin != "null" and host:
        return urlsplit(origin).netloc.lower() == host.lower()
    return True


def origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


STRIPE_JS = "https://js.stripe.com"


def headers(style_nonce: str, form_targets: Iterable[str] = (), stripe: bool = False) -> dict[str, str]:
    """``stripe``: the page mounts Stripe Elements (an organization on Stripe), so Stripe.js
    and our own script may run, in Stripe's frames, talking to Stripe's API. Every other
    page runs no script at all."""
    targets = " ".join(["'self'", *sorted(set(form_targets))])
    scripts = (
        [
            f"script-src 'self' {STRIPE_JS}",
            f"frame-src {STRIPE_JS} https://hooks.stripe.com",
            "connect-src https://api.stripe.com",
        ]
        if stripe
        else []
    )
    policy = "; ".join(
        [
            "default-src 'none'",
            *scripts,
            f"style-src 'self' 'nonce-{style_nonce}'",
            # An organization's logo is an https URL of its own choosing.
            "img-src 'self' https: data:",
            "font-src 'self'",
            f"form-action {targets}",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
        "Strict-Transport-Security": "max-age=31536000",
    }
