"""``remit-admin smoke``: the README walkthrough, end to end, against any stack.

It creates a throwaway account, issues an invoice, waits for its email in the invoice's
delivery log and finds its ``invoice.issued`` event, pays it with the sandbox test card
(pm_card_visa, the card 4242 4242 4242 4242), checks ``paid`` and the receipt, voids a
second invoice and cleans up (drafts deleted, the card detached; accounts have no delete,
so the account stays, named ``smoke <time>``). Each step prints its time; the first that
fails ends the run with its name and a one-line reason, and exit status 1.

It never charges a live gateway: an organization whose gateway is not ``sandbox`` is
refused before anything is created. Only the standard library, so it runs anywhere the
CLI does.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

DEMO_ENV = Path(".local/demo.env")
TEST_CARD = "pm_card_visa"  # the sandbox's 4242 4242 4242 4242
DELIVERED = {"sent", "delivered"}
# SES's mailbox simulator: accepted and delivered even by an account still in the SES
# sandbox, and no real mailbox receives the smoke run's email.
RECIPIENT = "success@simulator.amazonses.com"


class StepFailed(Exception):
    """A step's one-line reason."""


@dataclass
class Api:
    url: str
    key: str
    timeout: float = 20

    def call(self, method: str, path: str, body: Any = None, *, expect: tuple[int, ...] = (200, 201)) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise StepFailed(f"cannot reach {self.url}: {reason}") from None
        if status in (401, 403):
            raise StepFailed(f"the API refused the key ({status}): check REMIT_API_KEY")
        if status not in expect:
            raise StepFailed(f"{method} {path} answered {status}: {_message(raw)}")
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise StepFailed(
                f"{method} {path} answered {status} with no JSON: is {self.url} Remit's API?"
            ) from None


def _message(raw: bytes) -> str:
    try:
        body = json.loads(raw)
        error = body.get("error", body) if isinstance(body, dict) else body
        return str(error.get("message", error) if isinstance(error, dict) else error)[:200]
    except ValueError:
        return raw[:200].decode(errors="replace")


@dataclass
class Run:
    """What the steps share: the API, what they made (for the cleanup) and how to wait."""

    api: Api
    wait: float = 30
    # Called between polls: the tests pass the local cloud's scheduler pass, where no
    # ticker runs; against a real stack there is nothing to do but wait.
    between: Callable[[], object] | None = None
    out: TextIO = field(default_factory=lambda: sys.stdout)
    made: dict[str, Any] = field(default_factory=dict)
    drafts: list[str] = field(default_factory=list)

    def poll(self, what: str, check: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + self.wait
        while True:
            if self.between is not None:
                self.between()
            found = check()
            if found:
                return found
            if time.monotonic() >= deadline:
                raise StepFailed(f"{what} not within {self.wait:g}s")
            time.sleep(0.25)


# -- the steps, in order ---------------------------------------------------------------


def connect(run: Run) -> str:
    org = run.api.call("GET", "/organization")
    gateway = (org.get("paymentSettings") or {}).get("gateway")
    if gateway != "sandbox":
        raise StepFailed(
            f"organization {org.get('id')} uses the {gateway} gateway: the smoke run charges a "
            "test card, so it runs only on a sandbox organization"
        )
    return f"organization {org['id']} (sandbox gateway)"


def create_account(run: Run) -> str:
    name = f"smoke {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}"
    account = run.api.call(
        "POST",
        "/accounts",
        {"name": name, "email": RECIPIENT, "invoiceSettings": {"paymentTerms": "net_30"}},
    )
    run.made["account"] = account["id"]
    method = run.api.call(
        "POST", f"/accounts/{account['id']}/payment-methods", {"type": "card", "gatewayToken": TEST_CARD}
    )
    run.made["method"] = method["id"]
    return f"account {account['id']} with the test card"


def _issue(run: Run, amount: str) -> dict[str, Any]:
    draft = run.api.call(
        "POST",
        "/invoices",
        {
            "accountId": run.made["account"],
            "lineItems": [{"description": "Smoke test", "quantity": "1", "unitAmount": amount}],
        },
    )
    run.drafts.append(draft["id"])
    invoice: dict[str, Any] = run.api.call("POST", f"/invoices/{draft['id']}/finalize")
    run.drafts.remove(draft["id"])
    if invoice.get("status") != "issued":
        raise StepFailed(f"finalized invoice {draft['id']} is {invoice.get('status')}, not issued")
    return invoice


def issue_invoice(run: Run) -> str:
    invoice = _issue(run, "12.34")
    run.made["invoice"] = invoice["id"]
    return f"{invoice['invoiceNumber']} issued, total {invoice['total']}"


def email_delivered(run: Run) -> str:
    invoice = run.made["invoice"]

    def sent() -> Any:
        log = run.api.call("GET", f"/invoices/{invoice}/emails")["data"]
        failed = [e for e in log if e["status"] in ("failed", "bounced", "complained")]
        if failed:
            raise StepFailed(f"the invoice email {failed[0]['status']}: {failed[0].get('detail')}")
        return next((e for e in log if e["status"] in DELIVERED), None)

    email = run.poll("the invoice email", sent)
    return f"{email['template']} email {email['status']} to {', '.join(email['to'])}"


def event_recorded(run: Run) -> str:
    invoice = run.made["invoice"]

    def recorded() -> Any:
        page = run.api.call("GET", "/events?type=invoice.issued&limit=100")["data"]
        return next((e for e in page if e["data"].get("id") == invoice), None)

    event = run.poll("the invoice.issued event", recorded)
    return f"invoice.issued {event['id']}"


def pay(run: Run) -> str:
    invoice = run.made["invoice"]
    paid = run.api.call("POST", f"/invoices/{invoice}/pay", {}, expect=(200, 402))
    if paid.get("status") != "paid":
        raise StepFailed(f"the test card charge left the invoice {paid.get('status')}")
    if paid.get("amountDue") not in ("0.00", "0", "0.000"):
        raise StepFailed(f"paid, yet {paid.get('amountDue')} is still due")
    return f"paid {paid['amountPaid']} with the test card"


def receipt(run: Run) -> str:
    invoice = run.made["invoice"]
    link = run.api.call("GET", f"/invoices/{invoice}/receipt-pdf")
    try:
        with urllib.request.urlopen(link["url"], timeout=run.api.timeout) as response:  # noqa: S310
            pdf = response.read()
    except (urllib.error.URLError, OSError) as error:
        raise StepFailed(f"the receipt link did not download: {getattr(error, 'reason', error)}") from None
    if not pdf.startswith(b"%PDF"):
        raise StepFailed("the receipt link did not give a PDF")
    return f"receipt PDF, {len(pdf)} bytes"


def void_second(run: Run) -> str:
    second = _issue(run, "1.00")
    voided = run.api.call("POST", f"/invoices/{second['id']}/void")
    if voided.get("status") != "void":
        raise StepFailed(f"voiding {second['invoiceNumber']} left it {voided.get('status')}")
    return f"{second['invoiceNumber']} voided"


STEPS: list[tuple[str, Callable[[Run], str]]] = [
    ("connect", connect),
    ("create account", create_account),
    ("issue invoice", issue_invoice),
    ("email delivered", email_delivered),
    ("event recorded", event_recorded),
    ("pay with test card", pay),
    ("receipt", receipt),
    ("void second invoice", void_second),
]


def cleanup(run: Run) -> str:
    """Drafts a failed step left, and the card (the account itself has no delete)."""
    for draft in list(run.drafts):
        run.api.call("DELETE", f"/invoices/{draft}", expect=(200, 204, 404))
    if "method" in run.made:
        account, method = run.made["account"], run.made["method"]
        run.api.call("DELETE", f"/accounts/{account}/payment-methods/{method}", expect=(204, 404))
    return "nothing left to charge" if run.made else "nothing was made"


def _line(run: Run, mark: str, name: str, started: float, detail: str) -> None:
    print(f"{mark:4} {name:<20} {time.monotonic() - started:6.2f}s  {detail}", file=run.out, flush=True)


def smoke(run: Run) -> str | None:
    """Every step, then the cleanup; the name of the first step that failed, or None."""
    failed: str | None = None
    for name, step in STEPS:
        started = time.monotonic()
        try:
            _line(run, "ok", name, started, step(run))
        except StepFailed as exc:
            _line(run, "FAIL", name, started, str(exc))
            failed = name
            break
    if run.made:
        started = time.monotonic()
        try:
            _line(run, "ok", "cleanup", started, cleanup(run))
        except StepFailed as exc:
            _line(run, "FAIL", "cleanup", started, str(exc))
            failed = failed or "cleanup"
    return failed


def target(environ: Mapping[str, str], env_file: Path = DEMO_ENV) -> tuple[str, str]:
    """REMIT_API_URL and REMIT_API_KEY, from the environment or else ``make run``'s file."""
    url, key = environ.get("REMIT_API_URL"), environ.get("REMIT_API_KEY")
    if (not url or not key) and env_file.exists():
        from_file = _read_demo_env(env_file)
        url, key = url or from_file.get("REMIT_API_URL"), key or from_file.get("REMIT_API_KEY")
    if not url or not key:
        raise StepFailed(
            f"set REMIT_API_URL and REMIT_API_KEY (or start `make run`, which writes {env_file})"
        )
    return url.rstrip("/"), key


def _read_demo_env(path: Path) -> dict[str, str]:
    """``export NAME=value`` lines (values maybe quoted), as `make run` writes them."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip().removeprefix("export ").strip()
        if "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip().strip("'\"")
    return values


def main(wait: float = 30, environ: Mapping[str, str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        url, key = target(os.environ if environ is None else environ)
    except StepFailed as exc:
        print(f"remit-admin smoke: {exc}", file=sys.stderr)
        return 2
    print(f"smoke run against {url}", file=out)
    failed = smoke(Run(Api(url, key), wait=wait, out=out))
    if failed:
        print(f"smoke run FAILED at step: {failed}", file=out)
        return 1
    print("smoke run passed", file=out)
    return 0
