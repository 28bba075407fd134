"""Operators: who signed in (a verified Cognito ID token), their session cookie, the
CSRF token every form carries, and what each role may do.

The session *is* the ID token, kept in an HttpOnly, Secure, SameSite=Strict cookie that
expires with it: no signing secret of our own exists. Every request verifies the token
again (signature against the pool's JWKS, issuer, audience, token use, expiry), so a
tampered, foreign or expired cookie is no session. Signing out records the session's id
(``session_id``) in the store, and a signed-out session is refused like an expired one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

Role = Literal["admin", "finance"]
ROLES: tuple[Role, ...] = ("admin", "finance")
SESSION_COOKIE = "remit_session"
# Set with the sign-in form, echoed by it: login CSRF protection before any session exists.
SIGNIN_COOKIE = "remit_signin"
SIGNIN_SECONDS = 15 * 60
# Token times come from Cognito's clock; a little skew between it and ours is tolerated.
LEEWAY_SECONDS = 30
# An unknown key id refetches the JWKS (keys rotate), but not more often than this.
JWKS_REFETCH_SECONDS = 60


class NotSignedIn(Exception):
    """No session, or one that does not verify: the operator must sign in (again)."""


class Forbidden(Exception):
    """Signed in, but the role does not allow this."""


@dataclass(frozen=True)
class Operator:
    subject: str
    email: str
    organization_id: str
    role: Role
    expires_at: int  # epoch seconds: the session ends with the token

    def may(self, need: Role) -> bool:
        """``admin`` may do everything (settings too); ``finance`` works invoices,
        payments and customers' billing but never the organization's settings."""
        return self.role == "admin" or need == self.role

    def require(self, need: Role) -> None:
        if not self.may(need):
            raise Forbidden(f"the {self.role} role may not do this (needs {need})")


class Jwks:
    """The user pool's signing keys by key id, fetched on first use and again when a
    token names a key we have not seen (rotation), at most once a minute."""

    def __init__(self, url: str, fetch: Callable[[str], Mapping[str, Any]] | None = None) -> None:
        self.url = url
        self._fetch = fetch or _fetch_json
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched_at > JWKS_REFETCH_SECONDS:
                self._load()
            found = self._keys.get(kid)
        if found is None:
            raise NotSignedIn("the token is signed with a key the user pool does not have")
        return found

    def _load(self) -> None:
        import jwt  # PyJWT: only the dashboard function imports it

        document = self._fetch(self.url)
        self._fetched_at = time.monotonic()
        self._keys = {
            str(k["kid"]): jwt.PyJWK.from_dict(dict(k)).key for k in document.get("keys", []) if "kid" in k
        }


def _fetch_json(url: str) -> Mapping[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (an https or local URL we build)
        return cast(Mapping[str, Any], json.loads(response.read()))


class TokenVerifier:
    def __init__(self, issuer: str, audience: str, jwks: Jwks, now: Callable[[], float] = time.time) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks
        # Real time, not the application clock: Cognito stamps tokens with real time, and
        # the local cloud's clock may have been moved days ahead.
        self.now = now

    def verify(self, token: str) -> Operator:
        import jwt

        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "RS256":
                raise NotSignedIn("the token is not RS256")
            claims = jwt.decode(
                token,
                self.jwks.key(str(header.get("kid"))),
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                # Expiry is checked below against the injected clock.
                options={"verify_exp": False, "require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise NotSignedIn(f"the token does not verify: {exc}") from exc
        if claims.get("token_use") != "id":
            raise NotSignedIn("not an ID token")
        expires_at = int(claims["exp"])
        if self.now() > expires_at + LEEWAY_SECONDS:
            raise NotSignedIn("the session has expired")
        org = claims.get("custom:organization_id")
        role = claims.get("custom:role")
        if not org or role not in ROLES:
            raise NotSignedIn("this user is not an operator of any organization")
        return Operator(
            subject=str(claims["sub"]),
            email=str(claims.get("email") or claims.get("cognito:username") or ""),
            organization_id=str(org),
            role=cast(Role, role),
            expires_at=expires_at,
        )


def session_id(session: str) -> str:
    """What the store keeps of a signed-out session: a hash, never the token itself."""
    return hashlib.sha256(b"remit-session\x00" + session.encode()).hexdigest()


def csrf_token(session: str) -> str:
    """The token a form must echo: derived from the session cookie, which another site can
    neither read (HttpOnly) nor send (SameSite=Strict), so it cannot know this value."""
    digest = hashlib.sha256(b"remit-csrf\x00" + session.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_ok(session: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(session), str(given))


def session_cookie(token: str, max_age: int) -> str:
    return f"{SESSION_COOKIE}={token}; Max-Age={max(max_age, 0)}; Path=/; HttpOnly; Secure; SameSite=Strict"


def cleared_cookie() -> str:
    return f"{SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict"


def new_signin_nonce() -> str:
    return secrets.token_urlsafe(24)


def signin_cookie(nonce: str, max_age: int = SIGNIN_SECONDS) -> str:
    return f"{SIGNIN_COOKIE}={nonce}; Max-Age={max_age}; Path=/; HttpOnly; Secure; SameSite=Strict"


def signin_nonce_ok(cookie: str | None, given: str | None) -> bool:
    return bool(cookie) and bool(given) and hmac.compare_digest(str(cookie), str(given))


def read_cookie(header: str | None, name: str = SESSION_COOKIE) -> str | None:
    for part in (header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


class SignInFailed(Exception):
    """Wrong email or password (Cognito does not say which), or a user not yet usable."""


class CognitoSignIn:
    """USER_PASSWORD_AUTH against the operators' app client: the form's credentials go to
    Cognito from the function, and the ID token that comes back is the session."""

    def __init__(self, client_id: str, client: Any = None) -> None:
        self.client_id = client_id
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("cognito-idp")
        return self._client

    def sign_in(self, email: str, password: str) -> str:
        from botocore.exceptions import ClientError

        try:
            reply = self.client.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in ("NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException"):
                raise SignInFailed("wrong email or password") from exc
            raise
        if "AuthenticationResult" not in reply:
            # NEW_PASSWORD_REQUIRED and other challenges: an administrator sets a permanent
            # password (remit-admin create-operator) before the first sign-in.
            raise SignInFailed(f"this user must first complete {reply.get('ChallengeName', 'a challenge')}")
        return str(reply["AuthenticationResult"]["IdToken"])


def issuer_for(region: str, pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def jwks_url(issuer: str, pool_id: str, endpoint: str | None) -> str:
    """The pool's JWKS; locally (AWS_ENDPOINT_URL set) moto serves it under the pool id."""
    if endpoint:
        return f"{endpoint.rstrip('/')}/{pool_id}/.well-known/jwks.json"
    return f"{issuer}/.well-known/jwks.json"
