"""NUL, other control characters and the bidirectional embedding, override and isolate
characters are refused in names and line descriptions (issue 17.7): a 422 naming the
field. They would cut C strings and mail headers short, or show a name in another order
than it is stored."""

from __future__ import annotations

import pytest

from tests.support.api_client import ApiClient

UNSAFE = ["\x00", "\x07", "\x1b", "\x85", "\u202e", "\u202a", "\u2066", "\u2069"]


@pytest.mark.parametrize("char", UNSAFE, ids=[f"U+{ord(c):04X}" for c in UNSAFE])
def test_names_refuse_control_and_bidi_characters(api: ApiClient, char: str) -> None:
    name = f"Globex{char}cod.exe"
    cases = [
        ("POST", "/accounts", {"name": name}, "name"),
        ("PATCH", "/organization/settings", {"name": name}, "name"),
        ("POST", "/products", {"name": name}, "name"),
        ("POST", "/api-keys", {"name": name}, "name"),
        ("PUT", "/email-templates/invoice_issued", {"fromName": name}, "fromName"),
    ]
    for method, path, body, field in cases:
        reply = api.call(method, path, body)
        assert (reply.status, reply.body["code"], reply.body["field"]) == (422, "validation_error", field), (
            path,
            reply,
        )
        assert "control characters" in reply.body["message"]


@pytest.mark.parametrize("char", UNSAFE, ids=[f"U+{ord(c):04X}" for c in UNSAFE])
def test_line_descriptions_refuse_them_too(api: ApiClient, account: dict, char: str) -> None:  # type: ignore[type-arg]
    line = {"description": f"Consulting{char}", "quantity": 1, "unitAmount": "10.00"}
    reply = api.post("/invoices", {"accountId": account["id"], "currency": "USD", "lineItems": [line]})
    assert (reply.status, reply.body["field"]) == (422, "lineItems[0].description"), reply


def test_ordinary_names_still_pass(api: ApiClient, account: dict) -> None:  # type: ignore[type-arg]
    # Right-to-left text and its marks are fine; only the controls that reorder are not.
    assert api.post("/accounts", {"name": "شركة الأمل\u200f للتجارة"}).status == 201
    assert api.post("/accounts", {"name": "Müller & Söhne «GmbH»"}).status == 201
    line = {"description": "Consulting\nJanuary\tweek 1", "quantity": 1, "unitAmount": "10.00"}
    body = {"accountId": account["id"], "currency": "USD", "lineItems": [line]}
    assert api.post("/invoices", body).status == 201
    blank = api.post("/accounts", {"name": "   "})
    assert (blank.status, blank.body["field"]) == (422, "name")
