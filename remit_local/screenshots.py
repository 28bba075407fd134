"""``make screenshots``: regenerate docs/screenshots/ from a local cloud of its own.

It starts the local cloud in memory (as ``make run`` does, on free ports), seeds the demo
organization and its operators, issues a few invoices for the demo customer (one paid by
wire), then saves

- ``invoice.png``: the first page of an issued invoice's PDF, as the API serves it
  (rendered by the PDF function with WeasyPrint; rasterised with poppler's ``pdftoppm``);
- ``dashboard.png``: the operator dashboard's home page after signing in as the demo
  operator (Playwright driving Debian's Chromium, as the browser tests do).

Usage: python -m remit_local.screenshots [OUT_DIR]   (default docs/screenshots)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from remit_local.demo import DEMO_OPERATOR, DEMO_PASSWORD, ensure_demo, ensure_operators
from remit_local.stack import LocalStack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def _api(base: str, key: str, method: str, path: str, body: Any = None, **headers: str) -> Any:
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", **headers},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def seed(base: str, key: str) -> str:
    """A few invoices for the demo customer; the id of the one to picture."""
    [customer] = [a for a in _api(base, key, "GET", "/accounts")["data"] if a["name"] == "Globex Corporation"]
    lines = [
        {
            "description": "Platform subscription, December",
            "quantity": "1",
            "unitAmount": "1200.00",
            "taxRate": "19",
        },
        {
            "description": "Implementation consulting",
            "quantity": "10",
            "unitAmount": "150.00",
            "taxRate": "19",
        },
        {
            "description": "Training workshop (half day)",
            "quantity": "1",
            "unitAmount": "450.00",
            "taxRate": "19",
        },
    ]
    pictured = ""
    for n, items in enumerate([lines, lines[1:2], lines[:1]]):
        draft = _api(base, key, "POST", "/invoices", {"accountId": customer["id"], "lineItems": items})
        issued = _api(base, key, "POST", f"/invoices/{draft['id']}/finalize")
        pictured = pictured or issued["id"]
        if n == 1:
            _api(
                base,
                key,
                "POST",
                f"/invoices/{issued['id']}/payments",
                {"amount": issued["total"], "method": "wire_transfer", "reference": "Wire 4711"},
                **{"Idempotency-Key": f"screenshots-{issued['id']}"},
            )
    return pictured


def invoice_png(base: str, key: str, invoice_id: str, out: Path, work: Path) -> None:
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm is missing: apt-get install -y poppler-utils")
    link = _api(base, key, "GET", f"/invoices/{invoice_id}/pdf")["url"]
    pdf = work / "invoice.pdf"
    with urllib.request.urlopen(link, timeout=60) as response:
        pdf.write_bytes(response.read())
    stem = out / "invoice"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "96", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
    )


def dashboard_png(base: str, out: Path, work: Path) -> None:
    from playwright.sync_api import expect, sync_playwright  # a dev dependency; only needed here

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(work / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(f"{base}/dashboard")
            page.fill("#email", DEMO_OPERATOR)
            page.fill("#password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            expect(page.locator("h1")).to_have_text("Receivables")
            page.screenshot(path=str(out / "dashboard.png"), full_page=True)
        finally:
            context.close()


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="remit-screenshots-") as tmp:
        work = Path(tmp)
        stack = LocalStack(work / "state", parameters={"LogLevel": "WARNING"})
        stack.start(in_memory=True)
        try:
            os.environ.update(stack.env)
            demo = ensure_demo(stack.context(), work / "demo.env")
            ensure_operators(stack.clients.cognito, stack.user_pool_id, demo.organization_id)
            invoice = seed(stack.api_url, demo.api_key)
            stack.drain_streams()  # the receivables report follows the table's stream
            stack.run_due()
            stack.drain_queues()
            invoice_png(stack.api_url, demo.api_key, invoice, out, work)
            dashboard_png(stack.api_url, out, work)
        finally:
            stack.stop()
    print(f"wrote {out / 'invoice.png'} and {out / 'dashboard.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
