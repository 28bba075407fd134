"""A bounded load test: ``python -m bench.load [--seconds 60] [--rate 2]``.

Starts the local cloud (as ``make run`` does, on loopback, in memory), then for a fixed
time starts ``rate`` invoice flows a second, spread over three organizations: create a
draft, finalize it, read it, list the organization's invoices, record a payment for the
whole amount (5 requests a flow). It stops by itself, prints each operation's p50 and p99
and the rate it held, then checks what the load left behind: every invoice paid, its
totals and payments adding up, and each organization's numbers consecutive, with no gap
and no duplicate. Any error or inconsistency ends it with a non-zero exit."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from remit.services.organizations import OrganizationService
from remit_local.stack import LocalStack

ORGANIZATIONS = 3
LINES = [
    {"description": "Consulting", "quantity": "3", "unitAmount": "150.00", "taxRate": "19"},
    {"description": "Licence", "quantity": "1", "unitAmount": "99.90", "taxRate": "7"},
]


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def call(self, name: str, method: str, path: str, key: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the local gateway, http on loopback
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
                answer = json.loads(reply.read() or b"null")
        except Exception as exc:
            with self.lock:
                self.errors.append(f"{name}: {exc}")
            raise
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            with self.lock:
                self.latencies[name].append(elapsed)
        return answer


def flow(client: Client, key: str, account: str) -> None:
    draft = client.call("create", "POST", "/invoices", key, {"accountId": account, "lineItems": LINES})
    issued = client.call("finalize", "POST", f"/invoices/{draft['id']}/finalize", key)
    client.call("read", "GET", f"/invoices/{draft['id']}", key)
    client.call("list", "GET", "/invoices?limit=20", key)
    client.call(
        "pay",
        "POST",
        f"/invoices/{draft['id']}/payments",
        key,
        {"amount": issued["total"], "method": "wire_transfer"},
    )


def check(client: Client, keys: list[str]) -> list[str]:
    """Everything the load wrote, read back: the problems found."""
    problems = []
    for key in keys:
        invoices, cursor = [], None
        while True:
            page = client.call(
                "check", "GET", "/invoices?limit=100" + (f"&cursor={cursor}" if cursor else ""), key
            )
            invoices += page["data"]
            cursor = page["nextCursor"]
            if not cursor:
                break
        numbers = sorted(int(i["invoiceNumber"].rsplit("-", 1)[1]) for i in invoices if i["invoiceNumber"])
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"numbers not consecutive: {numbers[:5]}...{numbers[-5:]}")
        for invoice in invoices:
            if (
                invoice["status"] != "paid"
                or invoice["amountDue"] != "0.00"
                or invoice["amountPaid"] != invoice["total"]
            ):
                detail = client.call("check", "GET", f"/invoices/{invoice['id']}", key)
                problems.append(
                    f"{invoice['id']}: {detail['status']} paid {detail['amountPaid']} of {detail['total']}"
                )
            elif invoice["total"] != "642.39":  # 450.00 + 19 % (85.50), 99.90 + 7 % (6.99)
                problems.append(f"{invoice['id']}: total {invoice['total']}")
    return problems


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=2.0, help="invoice flows started per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        stack = LocalStack(Path(state), parameters={"LogLevel": "WARNING"}, pool_size=8)
        stack.start(in_memory=True)
        try:
            client = Client(stack.api_url)
            service = OrganizationService(stack.context())
            tenants = []
            for n in range(ORGANIZATIONS):
                _, key = service.create(f"Load {n}")
                account = client.call(
                    "setup", "POST", "/accounts", key, {"name": "Globex", "email": "ap@globex.example"}
                )
                tenants.append((key, account["id"]))
            flows = int(args.seconds * args.rate)
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=16) as pool:
                futures = []
                for n in range(flows):
                    # A steady rate: flow n starts at n / rate seconds, whatever came before.
                    delay = started + n / args.rate - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    key, account = tenants[n % ORGANIZATIONS]
                    futures.append(pool.submit(flow, client, key, account))
                failed = sum(1 for f in futures if f.exception() is not None)
            took = time.perf_counter() - started
            problems = check(client, [k for k, _ in tenants])
        finally:
            stack.stop()
    requests = sum(len(v) for k, v in client.latencies.items() if k not in ("setup", "check"))
    print(
        f"{flows} flows ({requests} requests) in {took:.1f} s: {requests / took:.1f} requests/s "
        f"held against {args.rate * 5:.1f} offered; {failed} flows failed, {len(client.errors)} errors\n"
    )
    print("| operation | requests | p50 ms | p99 ms |\n|---|---:|---:|---:|")
    for name in ("create", "finalize", "read", "list", "pay"):
        values = client.latencies[name]
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.0f} | {percentile(values, 0.99):.0f} |"
        )
    everything = [v for k, vs in client.latencies.items() if k not in ("setup", "check") for v in vs]
    p50, p99 = statistics.median(everything), percentile(everything, 0.99)
    print(f"| all | {len(everything)} | {p50:.0f} | {p99:.0f} |\n")
    consistent = "every invoice paid, totals and payments adding up, numbers consecutive per organization"
    print("Consistency afterwards:", problems[:10] if problems else consistent)
    return 1 if failed or client.errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
