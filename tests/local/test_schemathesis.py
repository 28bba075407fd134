"""Schemathesis against the local stack, from the checked-in docs/openapi.json: every
operation, all default checks (no server error, responses as documented, invalid input
refused, valid input accepted, auth not ignored, other methods 405), a fixed seed, and
no baseline: any finding fails the test.

Path parameters name real objects of the organization under test (an account with a
saved card, a draft invoice with a line, a subscription, a product, an event), so the
operations on them reach their logic rather than answering 404 to random ids. Only the
API key id is left random: revoking the key the run uses would turn the rest into 401s."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from remit_local.stack import LocalStack
from remit_local.template import ROOT
from tests.local.client import call

EXAMPLES_PER_OPERATION = 10

# The operations in shards of about equal time, each its own schemathesis process on its
# own xdist worker (and local stack), so the run takes a shard's time, not the sum: one
# worker per process stays (see --workers below). The last shard is everything else, so
# an operation added later is never left out.
SHARDS = {
    "invoice-actions": r"^/invoices/\{invoiceId\}/",
    "invoices-and-subscriptions": r"^/(invoices(/\{invoiceId\})?|subscriptions.*|checkout-sessions.*)$",
    "organization": r"^/(organization|api-keys|email-templates).*$",
}


def selection(shard: str) -> list[str]:
    if shard in SHARDS:
        return ["--include-path-regex", SHARDS[shard]]
    return ["--exclude-path-regex", "|".join(f"(?:{p})" for p in SHARDS.values())]


def objects_of(api: str, key: str) -> dict[str, str]:
    """Make one of each object the paths name; returns path parameter -> id."""

    def post(path: str, body: dict[str, object]) -> dict[str, object]:
        reply = call("POST", f"{api}{path}", body, key=key)
        assert reply.status in (200, 201), (path, reply)
        return reply.json  # type: ignore[no-any-return]

    account = str(post("/accounts", {"name": "Fuzzed Customer", "email": "ap@fuzzed.example"})["id"])
    method = post(f"/accounts/{account}/payment-methods", {"type": "card", "gatewayToken": "pm_card_visa"})
    product = post(
        "/products",
        {
            "name": "Plan",
            "prices": [{"currency": "USD", "unitAmount": "49.00", "recurring": {"interval": "month"}}],
        },
    )
    prices = product["prices"]
    assert isinstance(prices, list)
    subscription = post("/subscriptions", {"accountId": account, "items": [{"priceId": prices[0]["id"]}]})
    invoice = post(
        "/invoices",
        {"accountId": account, "lineItems": [{"description": "Consulting", "unitAmount": "150.00"}]},
    )
    events = call("GET", f"{api}/events?limit=1", key=key).json["data"]
    return {
        "accountId": account,
        "paymentMethodId": str(method["id"]),
        "productId": str(product["id"]),
        "subscriptionId": str(subscription["id"]),
        "invoiceId": str(invoice["id"]),
        "eventId": str(events[0]["id"]),
        "name": "invoice_issued",
    }


@pytest.mark.parametrize(
    "shard",
    [pytest.param(name, marks=pytest.mark.xdist_group(f"schemathesis-{name}")) for name in [*SHARDS, "rest"]],
)
def test_the_api_holds_up_under_schemathesis(
    stack: LocalStack, new_org: Callable[..., tuple[str, str]], tmp_path: Path, shard: str
) -> None:
    _, key = new_org("Schemathesis Co")
    parameters = objects_of(stack.api_url, key)
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n" + "".join(f'{name} = "{value}"\n' for name, value in parameters.items())
    )
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "run",
        str(ROOT / "docs" / "openapi.json"),
        "--url",
        stack.api_url,
        "--header",
        f"Authorization: Bearer {key}",
        *selection(shard),
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--seed",
        "1",
        # One worker: hypothesis describing filters with ast.parse from two threads at
        # once trips a CPython 3.11 error (AST constructor recursion depth mismatch).
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        # A PDF rendered on a loaded 2-core CI machine can take seconds; a hang still fails.
        "--request-timeout",
        "30",
        "--output-sanitize",
        "true",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
    assert run.returncode == 0, f"schemathesis found something:\n{run.stdout[-8000:]}\n{run.stderr[-2000:]}"
