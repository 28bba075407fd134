"""The local gateway behaves like API Gateway (REST, Lambda proxy, Lambda authorizer),
shown with the fixture template, which keeps API Gateway's built-in gateway responses."""

from __future__ import annotations

import base64
import json

from remit_local.deployment import Deployment
from tests.local.client import call


def test_no_authorization_header_is_401_without_asking_the_authorizer(fixture_app: Deployment) -> None:
    reply = call("GET", f"{fixture_app.url}/echo")
    assert reply.status == 401
    assert reply.json == {"message": "Unauthorized"}


def test_authorizer_raising_unauthorized_is_401(fixture_app: Deployment) -> None:
    reply = call("GET", f"{fixture_app.url}/echo", key="who-knows")
    assert reply.status == 401
    assert reply.json == {"message": "Unauthorized"}


def test_explicit_deny_is_403(fixture_app: Deployment) -> None:
    reply = call("GET", f"{fixture_app.url}/echo", key="deny")
    assert reply.status == 403
    assert "not authorized" in reply.json["message"]


def test_policy_is_evaluated_against_method_and_path(fixture_app: Deployment) -> None:
    assert call("GET", f"{fixture_app.url}/things/t1", key="get-only").status == 200
    reply = call("POST", f"{fixture_app.url}/echo", {"a": 1}, key="get-only")
    assert reply.status == 403


def test_authorizer_without_a_policy_is_a_500(fixture_app: Deployment) -> None:
    assert call("GET", f"{fixture_app.url}/echo", key="broken").status == 500


def test_route_without_authorizer_needs_no_key(fixture_app: Deployment) -> None:
    # The key would be refused by the authorizer, so a 200 shows it was never asked.
    assert call("GET", f"{fixture_app.url}/public", key="who-knows").status == 200
    assert call("GET", f"{fixture_app.url}/public").status == 200


def test_unknown_path_and_unknown_method_are_both_missing_authentication_token(
    fixture_app: Deployment,
) -> None:
    for method, path in (("GET", "/nowhere"), ("DELETE", "/echo"), ("GET", "/things")):
        reply = call(method, f"{fixture_app.url}{path}", key="open")
        assert reply.status == 403, (method, path)
        assert reply.json == {"message": "Missing Authentication Token"}


def test_proxy_event_carries_path_query_body_and_authorizer_context(fixture_app: Deployment) -> None:
    reply = call(
        "POST", f"{fixture_app.url}/echo?tag=a&tag=b&single=x&empty=", {"hello": "world"}, key="open"
    )
    assert reply.status == 200
    echo = reply.json
    assert echo["method"] == "POST"
    assert echo["resource"] == "/echo"
    assert echo["multiQuery"] == {"tag": ["a", "b"], "single": ["x"], "empty": [""]}
    assert echo["query"]["tag"] == "b"  # the single-value view keeps the last, like API Gateway
    assert json.loads(echo["body"]) == {"hello": "world"}
    assert echo["isBase64Encoded"] is False
    assert echo["authorizer"] == {"tenant": "tenant-open", "flag": True, "principalId": "user-open"}


def test_path_parameters_are_decoded(fixture_app: Deployment) -> None:
    reply = call("GET", f"{fixture_app.url}/things/a%20b", key="open")
    assert reply.status == 200
    assert reply.json["pathParameters"] == {"thingId": "a b"}


def test_binary_request_body_arrives_base64_encoded(fixture_app: Deployment) -> None:
    payload = bytes([0xFF, 0xFE, 0x00, 0x81])
    reply = call(
        "POST",
        f"{fixture_app.url}/echo",
        raw=payload,
        key="open",
        headers={"Content-Type": "application/octet-stream"},
    )
    echo = reply.json
    assert echo["isBase64Encoded"] is True
    assert base64.b64decode(echo["body"]) == payload


def test_binary_response_is_decoded(fixture_app: Deployment) -> None:
    reply = call("GET", f"{fixture_app.url}/binary", key="open")
    assert reply.status == 200
    assert reply.raw == bytes(range(256))
    assert reply.headers["Content-Type"] == "application/octet-stream"


def test_multi_value_response_headers_are_all_sent(fixture_app: Deployment) -> None:
    reply = call("GET", f"{fixture_app.url}/echo", key="open")
    assert reply.headers.get_all("Set-Cookie") == ["a=1", "b=2"]


def test_each_function_gets_its_own_environment_resolved_from_the_template(fixture_app: Deployment) -> None:
    env = call("GET", f"{fixture_app.url}/echo", key="open").json["env"]
    assert env["RECORDS_BUCKET"] == fixture_app.name_of("RecordsBucket")
    assert env["FLAVOUR"] == "vanilla"  # a parameter's default
    assert env["ECHO_ONLY"] == "only-echo-has-this"
    assert env["WORK_QUEUE_URL"] is None  # TickFunction's, not this function's


def test_a_function_past_its_timeout_is_a_504(fixture_app: Deployment) -> None:
    reply = call("GET", f"{fixture_app.url}/slow", key="open")
    assert reply.status == 504
    # The container was killed; the next call gets a fresh one.
    assert call("GET", f"{fixture_app.url}/echo", key="open").status == 200
