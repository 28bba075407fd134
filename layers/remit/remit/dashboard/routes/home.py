"""Home (receivables) and signing in and out."""

from __future__ import annotations

from contextlib import suppress

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit import money
from remit.dashboard.auth import (
    SIGNIN_COOKIE,
    NotSignedIn,
    Operator,
    SignInFailed,
    cleared_cookie,
    new_signin_nonce,
    session_cookie,
    session_id,
    signin_cookie,
    signin_nonce_ok,
)
from remit.dashboard.deps import Receivables, SignedIn, Visiting
from remit.dashboard.web import redirect
from remit.domain.receivables import BUCKET_LABELS, BUCKETS
from remit.store.errors import AlreadyExists

router = Router()


def _money(minor: int, currency: str) -> str:
    return f"{money.format_amount(minor, currency)} {currency}"


def sign_in_page(v: Visiting, status: int = 200, error: str | None = None, email: str = "") -> Response[str]:
    """The form, with a fresh nonce in a cookie and in the form (login CSRF)."""
    nonce = new_signin_nonce()
    cookies = [signin_cookie(nonce)]
    if v.session:
        cookies.append(cleared_cookie())
    target = v.query("next") or v.field("next")
    return v.render(
        "sign_in.html", status, cookies=cookies, nonce=nonce, next=target, error=error, email=email
    )


@router.get("/dashboard/sign-in")
def sign_in_form(v: Visiting) -> Response[str]:
    return sign_in_page(v)


@router.post("/dashboard/sign-in")
def sign_in(v: Visiting) -> Response[str]:
    email, password = v.field("email"), v.field("password")
    # Login CSRF: the form must come from our own page (its nonce matches the cookie set
    # with it), so another site cannot sign a browser in as someone else.
    if not signin_nonce_ok(v.cookie(SIGNIN_COOKIE), v.field("nonce")):
        return sign_in_page(v, 403, "The sign-in form expired: please try again.", email)
    try:
        token = v.wiring.sign_in.sign_in(email, password)
        operator = v.wiring.verifier.verify(token)
    except (SignInFailed, NotSignedIn) as exc:
        nonce = new_signin_nonce()
        return v.render(
            "sign_in.html", 401, cookies=[signin_cookie(nonce)], nonce=nonce, error=str(exc), email=email
        )
    # The browser counts Max-Age in real time, as Cognito stamps the token: the verifier's
    # clock, not the application's (which the local cloud may have moved ahead).
    cookie = session_cookie(token, operator.expires_at - int(v.wiring.verifier.now()))
    return redirect(_safe_target(v), [cookie, signin_cookie("", 0)])


def _safe_target(v: Visiting) -> str:
    """Only a path of this dashboard: never an open redirect to another site."""
    target = v.field("next")
    if not target.startswith(v.url("/")) and target != v.url(""):
        return v.url("")
    return target


@router.post("/dashboard/sign-out")
def sign_out(v: Visiting) -> Response[str]:
    v.check_csrf()
    operator = v.signed_in
    if operator is not None and v.session:
        _end(v, operator, v.session)
    return redirect(v.url("/sign-in", notice="Signed out."), [cleared_cookie()])


def _end(v: Visiting, operator: Operator, session: str) -> None:
    """The token stays valid until it expires: the store remembers it was signed out."""
    store = v.wiring.context().store
    with suppress(AlreadyExists):  # signed out twice at once (two tabs): once is enough
        store.signed_out.add(operator.organization_id, session_id(session), operator.expires_at)


@router.get("/dashboard")
def home(operator: SignedIn, v: Visiting, service: Receivables) -> Response[str]:
    report = service.report(operator.organization_id)
    return v.render("home.html", report=report, buckets=BUCKETS, labels=BUCKET_LABELS, money=_money)
