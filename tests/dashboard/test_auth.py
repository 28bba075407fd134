"""Sign-in, sessions and CSRF: who may see and change what."""

from __future__ import annotations

import time

import pytest

from remit.dashboard.auth import Jwks, NotSignedIn, TokenVerifier, csrf_ok, csrf_token, read_cookie
from remit.services.context import Context
from remit.services.invoices import InvoiceService
from remit.services.organizations import OrganizationService
from remit_local.apigw import proxy_event
from remit_local.lambdas import LambdaContext
from tests.dashboard.conftest import CLIENT_ID, ISSUER, Browser, FakeSignIn, Keys, issued_invoice


def verifier(keys: Keys, now: float | None = None) -> TokenVerifier:
    jwks = Jwks("https://cognito.test/jwks.json", fetch=lambda url: keys.jwks())
    return TokenVerifier(ISSUER, CLIENT_ID, jwks, now=(lambda: now) if now else time.time)


# -- the token -------------------------------------------------------------------------


def test_a_good_id_token_names_the_operator_organization_and_role(keys: Keys) -> None:
    operator = verifier(keys).verify(keys.token("org_1", "finance"))
    assert (operator.organization_id, operator.role, operator.email) == (
        "org_1",
        "finance",
        "finance@example.com",
    )


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}, "issuer"),
        ({"aud": "another-client"}, "audience"),
        ({"token_use": "access"}, "not an ID token"),
        ({"custom:organization_id": None}, "no organization"),
        ({"custom:role": "owner"}, "unknown role"),
        ({"exp": int(time.time()) - 3600}, "expired"),
    ],
)
def test_tokens_that_must_not_sign_anyone_in(keys: Keys, overrides: dict, why: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(NotSignedIn):
        verifier(keys).verify(keys.token("org_1", **overrides))


def test_a_token_signed_by_another_key_or_tampered_with_is_refused(keys: Keys) -> None:
    stranger = Keys()
    with pytest.raises(NotSignedIn):
        verifier(keys).verify(stranger.token("org_1"))
    header, _payload, signature = keys.token("org_1", "finance").split(".")
    admin_payload = keys.token("org_1", "admin").split(".")[1]
    with pytest.raises(NotSignedIn):
        verifier(keys).verify(f"{header}.{admin_payload}x.{signature}")
    with pytest.raises(NotSignedIn):
        verifier(keys).verify("not-a-token")


def test_expiry_is_checked_against_the_injected_clock(keys: Keys) -> None:
    token = keys.token("org_1")
    exp = int(time.time()) + 3600
    assert verifier(keys, now=exp - 10).verify(token).organization_id == "org_1"
    with pytest.raises(NotSignedIn, match="expired"):
        verifier(keys, now=exp + 120).verify(token)


def test_csrf_token_belongs_to_its_session() -> None:
    assert csrf_ok("session-a", csrf_token("session-a"))
    assert not csrf_ok("session-a", csrf_token("session-b"))
    assert not csrf_ok("session-a", "")
    assert not csrf_ok("session-a", None)


# -- through the pages -------------------------------------------------------------------


def test_pages_need_a_session(browser: Browser) -> None:
    reply = browser.get("/dashboard/invoices")
    assert reply.status == 303
    assert reply.location.startswith("/dashboard/sign-in?next=")


def test_sign_in_sets_a_strict_httponly_secure_expiring_cookie(
    browser: Browser, keys: Keys, sign_in: FakeSignIn, org: str
) -> None:
    token = keys.token(org)
    sign_in.users[("admin@example.com", "right password")] = token
    wrong = browser.sign_in("admin@example.com", "wrong")
    assert wrong.status == 401
    assert "wrong email or password" in wrong.body
    assert not [c for c in wrong.headers.get("Set-Cookie", []) if c.startswith("remit_session=")]

    reply = browser.sign_in("admin@example.com", "right password")
    assert reply.status == 303
    assert reply.location == "/dashboard"
    [cookie] = [c for c in reply.headers["Set-Cookie"] if c.startswith("remit_session=")]
    assert read_cookie(cookie.split(";")[0]) == token
    attributes = {a.strip().split("=")[0] for a in cookie.split(";")[1:]}
    assert {"HttpOnly", "Secure", "SameSite", "Max-Age", "Path"} <= attributes
    assert "SameSite=Strict" in cookie
    max_age = int(cookie.split("Max-Age=")[1].split(";")[0])
    assert 3500 < max_age <= 3600


def test_sign_in_never_redirects_off_the_dashboard(
    browser: Browser, keys: Keys, sign_in: FakeSignIn, org: str
) -> None:
    sign_in.users[("a@example.com", "pw")] = keys.token(org)
    reply = browser.sign_in("a@example.com", "pw", next="https://evil.example/")
    assert reply.location == "/dashboard"


def test_an_expired_or_forged_session_is_sent_to_sign_in_and_cleared(
    browser: Browser, keys: Keys, org: str
) -> None:
    for bad in (keys.token(org, exp=int(time.time()) - 600), Keys().token(org)):
        reply = browser.get("/dashboard", cookie=bad)
        assert reply.status == 303
        assert "/dashboard/sign-in" in reply.location
        assert "Max-Age=0" in (reply.header("Set-Cookie") or "")


def test_a_form_without_the_sessions_csrf_token_changes_nothing(
    browser: Browser, keys: Keys, ctx: Context, org: str
) -> None:
    invoice_id = issued_invoice(ctx, org)
    browser.session = keys.token(org, "finance")
    for csrf in (None, csrf_token(keys.token(org, "finance"))):
        form = {"confirmed": "yes"} | ({"csrf": csrf} if csrf else {})
        reply = browser.post(f"/dashboard/invoices/{invoice_id}/void", form, csrf=False)
        assert reply.status == 403
    assert InvoiceService(ctx).get(org, invoice_id).status == "issued"


def test_finance_works_invoices_but_may_not_see_or_change_settings(
    browser: Browser, keys: Keys, ctx: Context, org: str
) -> None:
    browser.session = keys.token(org, "finance")
    assert browser.get("/dashboard/settings").status == 403
    reply = browser.post(
        "/dashboard/settings/invoicing", {"invoicePrefix": "HACK-", "accentColor": "#000000"}
    )
    assert reply.status == 403
    assert OrganizationService(ctx).get(org).invoice_settings.invoice_prefix != "HACK-"

    invoice_id = issued_invoice(ctx, org)
    reply = browser.post(f"/dashboard/invoices/{invoice_id}/void", {"confirmed": "yes"})
    assert reply.status == 303
    assert InvoiceService(ctx).get(org, invoice_id).status == "void"


def test_admin_changes_settings(browser: Browser, keys: Keys, ctx: Context, org: str) -> None:
    browser.session = keys.token(org, "admin")
    assert browser.get("/dashboard/settings").status == 200
    reply = browser.post(
        "/dashboard/settings/invoicing",
        {
            "invoicePrefix": "ACME-",
            "invoiceNumberFormat": "YYYY-NNNNN",
            "defaultPaymentTerms": "net_15",
            "defaultDeliveryMethod": "email",
            "attachPdf": "on",
            "accentColor": "#123456",
            "lateFeePercentage": "1.5",
        },
    )
    assert reply.status == 303, reply
    assert "error" not in reply.location
    settings = OrganizationService(ctx).get(org).invoice_settings
    assert (settings.invoice_prefix, settings.default_payment_terms, settings.accent_color) == (
        "ACME-",
        "net_15",
        "#123456",
    )


def test_an_operator_never_sees_or_touches_another_organizations_invoice(
    browser: Browser, keys: Keys, ctx: Context, org: str, other_org: str
) -> None:
    theirs = issued_invoice(ctx, other_org, "999.00")
    browser.session = keys.token(org, "admin")
    page = browser.get(f"/dashboard/invoices/{theirs}")
    assert page.status == 404
    assert "999.00" not in page.body
    assert browser.post(f"/dashboard/invoices/{theirs}/void", {"confirmed": "yes"}).status == 404
    assert InvoiceService(ctx).get(other_org, theirs).status == "issued"
    listing = browser.get("/dashboard/invoices")
    assert theirs not in listing.body


def test_a_sign_in_form_not_from_our_page_signs_no_one_in(
    browser: Browser, keys: Keys, sign_in: FakeSignIn, org: str
) -> None:
    """Login CSRF: another site posting its own credentials into the victim's browser."""
    sign_in.users[("attacker@example.com", "pw")] = keys.token(org)
    form = {"email": "attacker@example.com", "password": "pw"}
    for nonce in (None, "guessed"):
        reply = browser.post("/dashboard/sign-in", form | ({"nonce": nonce} if nonce else {}), csrf=False)
        assert reply.status == 403
        assert not [c for c in reply.headers.get("Set-Cookie", []) if c.startswith("remit_session=ey")]
    browser.get("/dashboard/sign-in")  # now the nonce cookie is set, but the form lacks it
    assert browser.post("/dashboard/sign-in", form, csrf=False).status == 403


def test_a_service_error_on_a_page_is_shown_in_words(browser: Browser, keys: Keys, org: str) -> None:
    browser.session = keys.token(org, "admin")
    reply = browser.get("/dashboard/settings/email-templates/no_such_template")
    assert 400 <= reply.status < 500
    assert "no_such_template" in reply.body


def test_a_warm_container_never_carries_one_request_s_operator_into_the_next(
    browser: Browser, keys: Keys, org: str
) -> None:
    browser.session = keys.token(org, "admin")
    assert browser.get("/dashboard/settings").status == 200
    browser.session = None
    assert browser.get("/dashboard/settings").status == 303
    browser.session = keys.token(org, "finance")
    assert browser.get("/dashboard/settings").status == 403


def test_a_signed_out_session_is_refused_even_from_a_copy_of_its_cookie(
    browser: Browser, keys: Keys, sign_in: FakeSignIn, ctx: Context, org: str
) -> None:
    sign_in.users[("admin@example.com", "pw")] = keys.token(org, "admin")
    [cookie] = [
        c
        for c in browser.sign_in("admin@example.com", "pw").headers["Set-Cookie"]
        if c.startswith("remit_session=")
    ]
    captured = read_cookie(cookie.split(";")[0])
    assert captured
    browser.session = captured
    assert browser.get("/dashboard").status == 200

    out = browser.post("/dashboard/sign-out")
    assert out.status == 303
    assert "Max-Age=0" in (out.header("Set-Cookie") or "")

    # The token has not expired, but the session is over: the copy signs no one in.
    again = browser.get("/dashboard/settings", cookie=captured)
    assert again.status == 303
    assert again.location.startswith("/dashboard/sign-in")
    posted = browser.post(
        "/dashboard/settings/invoicing", {"invoicePrefix": "LATE-", "accentColor": "#000000"}, cookie=captured
    )
    assert posted.status == 401
    assert OrganizationService(ctx).get(org).invoice_settings.invoice_prefix != "LATE-"
    # Signing out again with it does nothing more; signing in again is a new session.
    assert browser.post("/dashboard/sign-out", cookie=captured).status == 303
    sign_in.users[("admin@example.com", "pw")] = keys.token(org, "admin")
    fresh = [
        c
        for c in browser.sign_in("admin@example.com", "pw").headers["Set-Cookie"]
        if c.startswith("remit_session=")
    ]
    assert browser.get("/dashboard", cookie=read_cookie(fresh[0].split(";")[0])).status == 200


@pytest.mark.parametrize(
    "body",
    [b"email=caf\xe9%40example.com&password=x", b"email=caf%E9%40example.com&password=x"],
    ids=["raw-latin-1", "percent-encoded-latin-1"],
)
def test_a_form_that_is_not_utf8_is_refused_with_a_400(
    browser: Browser, keys: Keys, org: str, body: bytes
) -> None:
    headers = {"Host": "127.0.0.1", "Content-Type": "application/x-www-form-urlencoded"}
    for path, session in (("/dashboard/sign-in", None), ("/dashboard/settings/invoicing", keys.token(org))):
        cookie = {"Cookie": f"remit_session={session}"} if session else {}
        event = proxy_event("POST", path, headers=headers | cookie, body=body)
        out = browser.app.resolve(event, LambdaContext("DashboardFunction"))
        assert out["statusCode"] == 400, (path, out["statusCode"])
        assert "Could not read the form" in out["body"]
