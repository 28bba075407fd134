"""Dashboard tests: the real pages (remit.dashboard.app) on moto's DynamoDB with the
table from template.yaml, and tokens signed by a key the test owns, published through a
JWKS the verifier fetches like the user pool's. Only the Cognito password check is a
stand-in (FakeSignIn); tests/local runs the real one against moto's Cognito."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from moto import mock_aws

from remit.adapters.sns import Topic
from remit.clock import FixedClock
from remit.dashboard.app import build_app
from remit.dashboard.auth import CognitoSignIn, Jwks, SignInFailed, TokenVerifier, csrf_token
from remit.dashboard.web import Wiring
from remit.schemas.account import AccountCreate
from remit.services.accounts import AccountService
from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit.services.webhooks import WebhookConfig, WebhookService
from remit.store.repositories import Store
from remit.store.table import Table
from remit_local.apigw import proxy_event
from remit_local.lambdas import LambdaContext
from remit_local.resources import create_table
from tests.support.builders import issue_with_services

TABLE = "remit-dashboard-test"
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"
CLIENT_ID = "dashboard-client"
KID = "test-key"


@dataclass
class Keys:
    private: Any = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def token(self, org: str, role: str = "admin", **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": str(uuid.uuid4()),
            "token_use": "id",
            "iat": now,
            "exp": now + 3600,
            "email": f"{role}@example.com",
            "custom:organization_id": org,
            "custom:role": role,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": KID})


@dataclass
class FakeSignIn(CognitoSignIn):
    """Cognito's password check, replaced: known (email, password) -> a token."""

    users: dict[tuple[str, str], str] = field(default_factory=dict)

    def __init__(self) -> None:
        self.users = {}

    def sign_in(self, email: str, password: str) -> str:
        token = self.users.get((email, password))
        if token is None:
            raise SignInFailed("wrong email or password")
        return token


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, list[str]]

    def header(self, name: str) -> str | None:
        values = self.headers.get(name) or self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def location(self) -> str:
        return self.header("Location") or ""


class Browser:
    """Calls the dashboard's resolver with API Gateway events, keeping the session
    cookie like a browser does (and able to send anything a browser would not)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.session: str | None = None
        self.cookies: dict[str, str] = {}  # others than the session (the sign-in nonce)

    def request(
        self, method: str, url: str, form: dict[str, Any] | None = None, cookie: str | None = None
    ) -> Reply:
        parts = urlsplit(url)
        headers = {"Host": "127.0.0.1"}
        session = cookie if cookie is not None else self.session
        jar = dict(self.cookies) | ({"remit_session": session} if session else {})
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        body = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form, doseq=True)  # a list is a group of checkboxes
        event = proxy_event(method, parts.path, query=parts.query, headers=headers, body=body)
        out = self.app.resolve(event, LambdaContext("DashboardFunction"))
        multi = {k: [str(v) for v in vs] for k, vs in (out.get("multiValueHeaders") or {}).items()}
        for k, v in (out.get("headers") or {}).items():
            multi.setdefault(k, [str(v)])
        raw = out.get("body") or ""
        if out.get("isBase64Encoded"):
            raw = base64.b64decode(raw).decode()
        reply = Reply(out["statusCode"], raw, multi)
        for set_cookie in multi.get("Set-Cookie", []):
            name, _, value = set_cookie.split(";")[0].partition("=")
            if name != "remit_session":
                self.cookies[name] = value
        return reply

    def sign_in(self, email: str, password: str, **extra: str) -> Reply:
        """Open the sign-in page (its nonce, in the form and a cookie), then post it."""
        form = self.get("/dashboard/sign-in")
        nonce = form.body.split('name="nonce" value="')[1].split('"')[0]
        return self.post(
            "/dashboard/sign-in", {"email": email, "password": password, "nonce": nonce, **extra}
        )

    def get(self, url: str, **kw: Any) -> Reply:
        return self.request("GET", url, **kw)

    def post(self, url: str, form: dict[str, Any] | None = None, csrf: bool = True, **kw: Any) -> Reply:
        form = dict(form or {})
        if csrf and self.session and "csrf" not in form:
            form["csrf"] = csrf_token(self.session)
        return self.request("POST", url, form=form, **kw)


@pytest.fixture
def ctx(clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    monkeypatch.setenv("TABLE_NAME", TABLE)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, TABLE)
        yield Context(store=Store(Table(TABLE, client)), clock=clock)


@pytest.fixture(scope="session")
def keys() -> Keys:
    """One signing key for the whole run: a 2048-bit RSA key takes a noticeable fraction
    of a second to make, and every test here signs with one (a test that needs a stranger's
    key makes its own Keys())."""
    return Keys()


@pytest.fixture
def sign_in() -> FakeSignIn:
    return FakeSignIn()


@pytest.fixture
def app(ctx: Context, keys: Keys, sign_in: FakeSignIn) -> Any:
    jwks = Jwks("https://cognito.test/jwks.json", fetch=lambda url: keys.jwks())
    wiring = Wiring(
        context=lambda: ctx,
        verifier=TokenVerifier(ISSUER, CLIENT_ID, jwks),
        sign_in=sign_in,
        storage=lambda: pytest.fail("no documents in these tests"),
        renderer=lambda: pytest.fail("no documents in these tests"),
        mailer=lambda: pytest.fail("no email in these tests"),
    )
    return build_app(wiring)


@pytest.fixture
def topic(ctx: Context) -> Topic:
    sns = boto3.client("sns", region_name="us-east-1")
    return Topic(sns.create_topic(Name="remit-events")["TopicArn"], sns)


@pytest.fixture
def webhooks(ctx: Context, topic: Topic) -> WebhookService:
    dlq = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="webhook-dlq")["QueueUrl"]
    arn = boto3.client("sqs", region_name="us-east-1").get_queue_attributes(
        QueueUrl=dlq, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    return WebhookService(ctx, topic, WebhookConfig(dead_letter_arn=arn))


@pytest.fixture
def browser(app: Any) -> Browser:
    return Browser(app)


@pytest.fixture
def other_org(ctx: Context) -> str:
    organization, _ = OrganizationService(ctx).create("Initech")
    return organization.id


def issued_invoice(
    ctx: Context, org: str, amount: str = "100.00", currency: str = "USD", terms: str = "net_30"
) -> str:
    account = AccountService(ctx).create(
        org, AccountCreate(name=f"Customer {currency}", email="ap@example.com")
    )
    return issue_with_services(ctx, org, account.id, amount, currency=currency, terms=terms).id
