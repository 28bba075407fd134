from __future__ import annotations

from typing import Any

import pytest

from remit.services.context import Context
from remit.services.organizations import OrganizationService
from remit_local.apigw import authorizer_event
from remit_local.lambdas import LambdaContext, functions, load_handler


@pytest.fixture
def authorize(ctx: Context) -> Any:
    spec = functions()["AuthorizerFunction"]
    handler, _ = load_handler(spec)  # built inside the moto mock, reading TABLE_NAME

    def call(authorization: str | None, method: str = "GET") -> dict[str, Any]:
        headers = {"Authorization": authorization} if authorization is not None else {}
        event = authorizer_event(method, "/invoices", "/invoices", headers)
        return handler(event, LambdaContext(function_name=spec.name))  # type: ignore[no-any-return]

    return call


def allowed(policy: dict[str, Any]) -> list[str]:
    return [r for s in policy["policyDocument"]["Statement"] if s["Effect"] == "Allow" for r in s["Resource"]]


def test_a_valid_key_resolves_to_its_organization(ctx: Context, authorize: Any) -> None:
    org, token = OrganizationService(ctx).create("Acme")
    policy = authorize(f"Bearer {token}")
    assert policy["context"]["organizationId"] == org.id
    assert policy["context"]["scope"] == "full"
    assert policy["principalId"].startswith("key_")
    assert allowed(policy) == ["arn:aws:execute-api:us-east-1:123456789012:remitlocal/local/*/*"]


def test_a_read_only_key_may_only_get(ctx: Context, authorize: Any) -> None:
    _, token = OrganizationService(ctx).create("Acme", scope="read_only")
    assert allowed(authorize(f"Bearer {token}")) == [
        "arn:aws:execute-api:us-east-1:123456789012:remitlocal/local/GET/*"
    ]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: None,
        lambda t: "",
        lambda t: t,  # no "Bearer"
        lambda t: f"Basic {t}",
        lambda t: f"Bearer {t[:-2]}xx",
        lambda t: f"Bearer {t.replace('rk_0', 'rk_1', 1)}",
        lambda t: "Bearer rk_01jabcdefghjkmnpqrstvwxyz0_secret",
    ],
)
def test_anything_but_the_exact_key_is_unauthorized(ctx: Context, authorize: Any, mangle: Any) -> None:
    _, token = OrganizationService(ctx).create("Acme")
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(mangle(token))


def test_no_log_line_holds_a_token_or_its_secret(
    ctx: Context, authorize: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    _, token = OrganizationService(ctx).create("Acme")
    authorize(f"Bearer {token}")
    with pytest.raises(Exception, match="Unauthorized"):
        authorize(f"Bearer {token[:-4]}xxxx")
    logged = capsys.readouterr()
    secret = token.split("_", 2)[2]
    assert secret not in logged.out + logged.err
    assert secret[:-4] not in logged.out + logged.err
