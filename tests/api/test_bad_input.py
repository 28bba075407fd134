"""Bodies built to break the parser (issue 17.4): nesting deep enough to exhaust Python's
recursion, and integers longer than its int-string conversion limit, are a 400 in the
usual error shape, never a 500. On every POST route, with and without Idempotency-Key."""

from __future__ import annotations

import pytest

from tests.support.api_client import ApiClient

DEEP = "[" * 971 + "]" * 971  # about 2 KB
HUGE = "1" * 4301


@pytest.mark.parametrize(
    "raw",
    [
        DEEP,
        '{"name": ' + DEEP + "}",
        '{"name": "Globex", "n": ' + HUGE + "}",
        HUGE,
    ],
    ids=["deep-array", "deep-in-object", "huge-int", "huge-int-alone"],
)
@pytest.mark.parametrize("idempotent", [False, True], ids=["plain", "idempotency-key"])
def test_a_body_the_parser_cannot_take_is_a_400(api: ApiClient, raw: str, idempotent: bool) -> None:
    headers = {"Idempotency-Key": "bad-body"} if idempotent else None
    reply = api.call("POST", "/accounts", raw_body=raw, headers=headers)
    assert reply.status == 400, reply
    assert set(reply.body) == {"code", "message", "field"}
    assert reply.body["code"] == "invalid_json"


def test_a_long_float_is_judged_by_the_schema(api: ApiClient) -> None:
    # Floats have no digit limit: the parser takes it and the schema refuses the field.
    reply = api.call("POST", "/accounts", raw_body='{"name": "Globex", "n": -' + HUGE + ".5e3}")
    assert (reply.status, reply.body["code"], reply.body["field"]) == (422, "validation_error", "n")


def test_brackets_inside_a_string_are_only_text(api: ApiClient) -> None:
    reply = api.call("POST", "/accounts", raw_body='{"name": "' + "[" * 120 + "7" * 60 + '"}')
    assert reply.status == 201, reply


def test_ordinary_nesting_and_numbers_still_pass(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    body = {
        "accountId": account["id"],
        "currency": "USD",
        "lineItems": [{"description": "Work", "quantity": 12345678, "unitAmount": "10.00"}],
    }
    assert api.post("/invoices", body).status == 201


def test_a_deep_body_on_a_route_that_takes_none_is_refused_too(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    reply = api.call("POST", f"/accounts/{account['id']}/portal-sessions", raw_body=DEEP)
    assert (reply.status, reply.body["code"]) == (400, "invalid_json")
