"""The DynamoDB calls each invoice operation makes, counted on DynamoDB Local.

A botocore hook on the client records every API call (``before-parameter-build`` fires
once per call, whatever the retries) by operation name. Each operation runs ``rounds``
times on fresh invoices, first through the services, then through the API function's
real handler with API Gateway events. Calls on the organization's idempotency partition
are Powertools' idempotency layer's and are counted apart from Remit's own.

Targets (issue 2): one read for get, one Query for list, one transaction plus at most one
read for each write. Latencies are medians against DynamoDB Local: informational only.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import time
import warnings
from collections import Counter
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from remit.clock import FixedClock
from remit.http.deps import get_context
from remit.schemas.account import AccountCreate
from remit.schemas.invoice import InvoiceCreate, InvoicePatch, PaymentIn
from remit.services.accounts import AccountService
from remit.services.auth import Authenticator
from remit.services.context import Context
from remit.services.invoices import InvoiceService
from remit.services.organizations import OrganizationService
from remit.store.repositories import Store
from remit.store.table import Table, make_client
from remit_local.apigw import proxy_event
from remit_local.dynamodb_local import DynamoDBLocal
from remit_local.lambdas import functions, invoke, load_handler
from remit_local.resources import create_table

T = TypeVar("T")
TABLE = "remit-bench"
READS = ("GetItem", "BatchGetItem", "Query")
GET, LIST, WRITE = "1 read", "1 Query", "1 transaction + ≤ 1 read"
LINES = [{"description": "Consulting", "quantity": "2", "unitAmount": "150.00", "taxRate": "19"}]


@dataclass
class Operation:
    name: str
    target: str | None
    runs: list[Counter[str]] = field(default_factory=list)  # Remit's calls, one Counter per run
    idempotency: list[Counter[str]] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    @staticmethod
    def worst(runs: list[Counter[str]]) -> Counter[str]:
        """Per operation name, the most calls any run made (runs should all agree)."""
        return Counter({name: max(r[name] for r in runs) for run in runs for name in run})

    def met(self) -> bool | None:
        calls = self.worst(self.runs)
        reads = sum(calls[r] for r in READS)
        others = calls.total() - reads
        if self.target == GET:
            return reads == 1 and others == 0
        if self.target == LIST:
            return calls["Query"] == 1 and calls.total() == 1
        if self.target == WRITE:
            return calls["TransactWriteItems"] == 1 and others == 1 and reads <= 1
        return None


def describe(runs: list[Counter[str]]) -> str:
    calls = Operation.worst(runs)
    text = ", ".join(f"{name} {n}" for name, n in sorted(calls.items())) or "none"
    return text + (" (varies by run)" if any(r != runs[0] for r in runs) else "")


class Recorder:
    """Counts the DynamoDB calls ``client`` makes while each measured operation runs."""

    def __init__(self, client: Any) -> None:
        self.seen: list[tuple[str, bool]] = []  # (operation name, on the idempotency partition)
        self.operations: dict[str, Operation] = {}
        self.events = client.meta.events
        self.events.register("before-parameter-build.dynamodb", self._hook)

    def close(self) -> None:
        self.events.unregister("before-parameter-build.dynamodb", self._hook)

    def _hook(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        key = params.get("Item") or params.get("Key") or {}
        self.seen.append((model.name, key.get("pk", {}).get("S", "").endswith("#IDEMPOTENCY")))

    def measure(self, name: str, target: str | None, func: Callable[..., T], *args: Any) -> T:
        first = len(self.seen)
        start = time.perf_counter()
        result = func(*args)
        elapsed = (time.perf_counter() - start) * 1000
        op = self.operations.setdefault(name, Operation(name, target))
        op.runs.append(Counter(n for n, idem in self.seen[first:] if not idem))
        op.idempotency.append(Counter(n for n, idem in self.seen[first:] if idem))
        op.ms.append(elapsed)
        return result


def services(ctx: Context, clock: FixedClock, rec: Recorder, rounds: int) -> None:
    org, token = OrganizationService(ctx).create("Bench")
    account = AccountService(ctx).create(org.id, AccountCreate(name="Customer"))
    invoices, auth = InvoiceService(ctx), Authenticator(ctx.store.api_keys)
    draft = InvoiceCreate.model_validate({"accountId": account.id, "lineItems": LINES})
    edit = InvoicePatch.model_validate({"memo": "Thank you", "lineItems": LINES * 2})
    part = PaymentIn(amount="100.00", method="wire_transfer")

    def listed(statuses: list[Any], account_id: str | None = None) -> Any:
        return invoices.list(org.id, account_id=account_id, statuses=statuses, limit=20, cursor=None)

    for _ in range(rounds):
        clock.advance(timedelta(minutes=1))
        inv = rec.measure("create draft", WRITE, invoices.create_draft, org.id, draft).id
        rec.measure("update draft", WRITE, invoices.update_draft, org.id, inv, edit)
        rec.measure("finalize", WRITE, invoices.finalize, org.id, inv)
        rec.measure("get", GET, invoices.get, org.id, inv)
        rec.measure("list, limit 20", LIST, listed, [])
        rec.measure("list by account, limit 20", LIST, listed, [], account.id)
        rec.measure("list status=issued, limit 20", LIST, listed, ["issued"])
        due = rec.measure("record payment, partial", WRITE, invoices.record_payment, org.id, inv, part)
        rest = PaymentIn(amount=due.amount_due, method="check")
        rec.measure("record payment, final (→ paid)", WRITE, invoices.record_payment, org.id, inv, rest)
        other = invoices.create_draft(org.id, draft).id
        invoices.finalize(org.id, other)
        rec.measure("void", WRITE, invoices.void, org.id, other)
        doomed = invoices.create_draft(org.id, draft).id
        rec.measure("delete draft", WRITE, invoices.delete_draft, org.id, doomed)
        rec.measure("authenticate an API key (authorizer)", GET, auth.authenticate, f"Bearer {token}")
    # A status filter is a FilterExpression: when the matches are sparse, one Query page
    # (100 items) may hold too few of them and the list reads on (at most 10 pages).
    clock.advance(timedelta(minutes=1))
    for _ in range(150):
        invoices.create_draft(org.id, draft)
    for _ in range(rounds):
        rec.measure("list status=paid, behind 150 newer drafts", LIST, listed, ["paid"])


def api(ctx: Context, clock: FixedClock, rec: Recorder, rounds: int) -> None:
    spec = functions()["ApiFunction"]
    handler, module = load_handler(spec)
    module.app.dependency_overrides[get_context] = lambda: ctx
    org, _ = OrganizationService(ctx).create("Bench API")
    account = AccountService(ctx).create(org.id, AccountCreate(name="Customer"))

    def call(method: str, target: str, body: Any, key: Any) -> Any:
        """One request; ``key`` (if not None) makes an Idempotency-Key unique to this request."""
        path, _, query = target.partition("?")
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = f"bench-{method}-{path}-{key}"
        event = proxy_event(
            method,
            path,
            query=query,
            headers=headers,
            body=json.dumps(body) if body is not None else None,
            authorizer={"organizationId": org.id},
        )
        out = invoke(handler, spec, event)
        if not 200 <= out["statusCode"] < 300:
            raise RuntimeError(f"{method} {path}: {out['statusCode']} {out.get('body')}")
        return json.loads(out["body"]) if out.get("body") else None

    def request(
        label: str, target: str | None, method: str, path: str, body: Any = None, key: Any = None
    ) -> Any:
        return rec.measure(f"{method} {label}", target, call, method, path, body, key)

    draft = {"accountId": account.id, "lineItems": LINES}
    for i in range(rounds):
        clock.advance(timedelta(minutes=1))
        at = "/invoices/" + request("/invoices", WRITE, "POST", "/invoices", draft)["id"]
        keyed = (
            "/invoices/" + request("/invoices, Idempotency-Key", WRITE, "POST", "/invoices", draft, i)["id"]
        )
        request("/invoices, same key again (replay)", None, "POST", "/invoices", draft, i)
        request("/invoices/{id}", WRITE, "PATCH", at, {"memo": "Thanks"})
        request("/invoices/{id}/finalize", WRITE, "POST", f"{at}/finalize")
        request("/invoices/{id}/finalize, Idempotency-Key", WRITE, "POST", f"{keyed}/finalize", None, i)
        request("/invoices/{id}", GET, "GET", at)
        request("/invoices", LIST, "GET", "/invoices")
        request("/invoices?status=issued", LIST, "GET", "/invoices?status=issued")
        part = {"amount": "100.00", "method": "wire_transfer"}
        due = request("/invoices/{id}/payments, partial", WRITE, "POST", f"{at}/payments", part)
        rest = {"amount": due["amountDue"], "method": "check"}
        request("/invoices/{id}/payments, final, Idempotency-Key", WRITE, "POST", f"{at}/payments", rest, i)
        request("/invoices/{id}/void", WRITE, "POST", f"{keyed}/void")


@dataclass
class Result:
    rounds: int
    services: list[Operation]
    api: list[Operation]


def run(rounds: int = 15) -> Result:
    ddb = DynamoDBLocal.start()
    try:
        os.environ.update(
            AWS_ENDPOINT_URL_DYNAMODB=ddb.endpoint,
            AWS_ACCESS_KEY_ID="bench",  # DynamoDB Local takes any credentials
            AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - not a secret
        )
        client = make_client()  # Remit's own client configuration (retries, timeouts)
        create_table(client, TABLE)
        clock = FixedClock()
        ctx = Context(store=Store(Table(TABLE, client)), clock=clock)
        # The API handler prints its ColdStart metric (Powertools' single_metric ignores
        # POWERTOOLS_METRICS_DISABLED) and warns of no other metrics: keep both off stdout.
        with redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.filterwarnings("ignore", "No application metrics", UserWarning)
            warm_up = Recorder(client)  # DynamoDB Local's JIT and Python's first calls
            services(ctx, clock, warm_up, 2)
            api(ctx, clock, warm_up, 2)
            warm_up.close()
            rec = Recorder(client)
            services(ctx, clock, rec, rounds)
            through_services, rec.operations = list(rec.operations.values()), {}
            api(ctx, clock, rec, rounds)
    finally:
        ddb.stop()
    return Result(rounds, through_services, list(rec.operations.values()))


def _met(op: Operation) -> str:
    return {True: "yes", False: "**NO**", None: "—"}[op.met()]


def markdown(result: Result) -> str:
    lines = [
        f"DynamoDB calls per operation ({result.rounds} runs each, on DynamoDB Local), through the services:",
        "",
        "| operation | DynamoDB calls | target | met | median ms |",
        "|---|---|---|---|---:|",
    ]
    for op in result.services:
        lines.append(
            f"| {op.name} | {describe(op.runs)} | {op.target or '—'} | {_met(op)} "
            f"| {statistics.median(op.ms):.1f} |"
        )
    lines += [
        "",
        "Through the API function's handler (API Gateway events; Powertools idempotency's own calls apart):",
        "",
        "| request | Remit's calls | idempotency calls | target (Remit's) | met | median ms |",
        "|---|---|---|---|---|---:|",
    ]
    for op in result.api:
        lines.append(
            f"| `{op.name}` | {describe(op.runs)} | {describe(op.idempotency)} | {op.target or '—'} "
            f"| {_met(op)} | {statistics.median(op.ms):.1f} |"
        )
    missed = [op.name for op in result.services + result.api if op.met() is False]
    lines += ["", f"Targets missed: {', '.join(missed)}." if missed else "Every target met."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    print(markdown(run(parser.parse_args().rounds)))


if __name__ == "__main__":
    main()
