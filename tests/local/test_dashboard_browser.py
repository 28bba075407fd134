"""The dashboard in a real browser (Playwright driving Debian's Chromium) against the
local cloud, as the demo operator of ``make run``: sign in, toggle a customer's AutoPay
and see it in the API, find an invoice by number, read a bounced email in its delivery
log, void it behind the confirmation and see the receivables (kept from the table's
stream by ReceivablesFunction) count it as zero; then edit the dunning schedule (a step
added, seen in the API) and send a reminder from an invoice's page (seen in the emails SES
sent).

Screenshots of each step go to test-artifacts/dashboard/. Playwright's own browser
downloads are never used: ``make system-deps`` installs Chromium from Debian."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from remit_local.demo import DEMO_OPERATOR, DEMO_PASSWORD, Demo, ensure_demo, ensure_operators
from remit_local.stack import LocalStack
from remit_local.template import ROOT
from tests.local.client import call
from tests.local.dashboard_support import api, issued_invoice, send_and_bounce

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("REMIT_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "dashboard"


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: run `make system-deps`"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh profile every run
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


@pytest.fixture(scope="module")
def demo(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """What `make run` does: the demo organization, its API key and its operators (made
    once: the pool refuses a second user of the same email)."""
    made = ensure_demo(stack.context(), tmp_path_factory.mktemp("demo") / "demo.env")
    ensure_operators(stack.clients.cognito, stack.user_pool_id, made.organization_id)
    return made


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_demo_operator_voids_an_invoice_and_the_report_counts_it_as_zero(
    stack: LocalStack, browser_page: Page, demo: Demo
) -> None:
    key = demo.api_key
    [customer] = [a for a in api(stack, key, "GET", "/accounts")["data"] if a["name"] == "Globex Corporation"]
    kept = issued_invoice(stack, key, customer["id"], "100.00")
    doomed = issued_invoice(stack, key, customer["id"], "4321.00")
    send_and_bounce(stack, key, demo.organization_id, doomed)
    # ReceivablesFunction keeps the report from the table's stream (every second under
    # `make run`; here, now).
    stack.drain_streams()
    base = f"{stack.api_url}/dashboard"
    page = browser_page

    # Sign in.
    page.goto(base)
    expect(page).to_have_url(f"{base}/sign-in?next=%2Fdashboard")
    page.fill("#email", DEMO_OPERATOR)
    page.fill("#password", DEMO_PASSWORD)
    shot(page, "01-sign-in")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Receivables")
    usd = page.locator("section[data-currency=USD]")
    expect(usd.locator("[data-total=outstanding]")).to_have_text("4421.00 USD")
    shot(page, "02-home")

    # Customers -> Globex -> Billing settings: AutoPay on, saved, and the API agrees.
    page.click("nav >> text=Customers")
    page.click("text=Globex Corporation")
    page.check("#autoPayEnabled")
    page.select_option("#autoPayTiming", "days_before_due")
    page.fill("#autoPayDaysBefore", "5")
    page.click("#billing button[type=submit]")
    expect(page.locator(".notice.ok")).to_have_text("Billing settings saved.")
    shot(page, "03-autopay")
    account: dict[str, Any] = api(stack, key, "GET", f"/accounts/{customer['id']}")
    assert (account["autoPayEnabled"], account["autoPayTiming"], account["autoPayDaysBefore"]) == (
        True,
        "days_before_due",
        5,
    )

    # Invoices -> find by number -> the bounced email is in the delivery log.
    page.click("nav >> text=Invoices")
    page.fill("#number", doomed["invoiceNumber"])
    page.click("button:text-is('Find')")
    expect(page.locator("h1")).to_contain_text(doomed["invoiceNumber"])
    bounced = page.locator("#delivery-log tr[data-delivery=bounced]")
    expect(bounced).to_contain_text("mailbox does not exist")
    shot(page, "04-invoice-delivery-log")

    # Void, behind the confirmation: the first press only asks.
    page.click("button:text-is('Void')")
    expect(page.locator("#confirm")).to_be_visible()
    expect(page.locator("#invoice-status")).to_have_text("issued")
    shot(page, "05-confirm-void")
    page.click("#confirm button[type=submit]")
    expect(page.locator("#invoice-status")).to_have_text("void")
    assert api(stack, key, "GET", f"/invoices/{doomed['id']}")["status"] == "void"
    shot(page, "06-voided")

    # Home: the void counts as zero; only the kept invoice is outstanding.
    stack.drain_streams()
    page.click("nav >> text=Home")
    expect(usd.locator("[data-total=outstanding]")).to_have_text("100.00 USD")
    expect(usd.locator("[data-total=voided]")).to_have_text("1")
    shot(page, "07-home-after-void")
    del kept


def test_demo_admin_edits_the_dunning_schedule_and_sends_a_reminder(
    stack: LocalStack, browser_page: Page, demo: Demo
) -> None:
    key = demo.api_key
    [customer] = [a for a in api(stack, key, "GET", "/accounts")["data"] if a["name"] == "Globex Corporation"]
    invoice = issued_invoice(stack, key, customer["id"], "250.00")
    saved = api(stack, key, "GET", "/organization")["dunningSettings"]
    base = f"{stack.api_url}/dashboard"
    page = browser_page
    try:
        page.goto(f"{base}/sign-in")
        page.fill("#email", DEMO_OPERATOR)
        page.fill("#password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Receivables")

        # Settings -> Dunning: the schedule as a table; a step added in the empty row.
        page.click("nav >> text=Settings")
        page.click(".tabs >> text=Dunning")
        steps = page.locator("#steps tbody tr")
        count = steps.count()
        new = page.locator("#steps tr[data-new]")
        new.locator("input[name^=days_]").fill("10")
        new.locator("select[name^=action_]").select_option("sms_reminder")
        shot(page, "08-dunning-add-step")
        page.click("#save-dunning")
        expect(page.locator(".notice.ok")).to_have_text("Dunning schedule saved.")
        expect(steps).to_have_count(count + 1)  # the new step, and again an empty row
        expect(page.locator("#steps tbody")).to_contain_text("sms reminder")
        shot(page, "09-dunning-saved")
        schedule = api(stack, key, "GET", "/organization")["dunningSettings"]["schedule"]
        assert {"daysPastDue": 10, "action": "sms_reminder", "template": None} in schedule
        assert len(schedule) == len(saved["schedule"]) + 1
        assert [s["daysPastDue"] for s in schedule] == sorted(s["daysPastDue"] for s in schedule)

        # The invoice's page: Send reminder, behind the confirmation; the email arrives.
        page.click("nav >> text=Invoices")
        page.fill("#number", invoice["invoiceNumber"])
        page.click("button:text-is('Find')")
        expect(page.locator("h1")).to_contain_text(invoice["invoiceNumber"])
        page.select_option("#template", "invoice_reminder")
        page.fill("#message", "Please prioritize this payment.")
        page.click("#reminder button[type=submit]")
        expect(page.locator("#confirm")).to_be_visible()
        shot(page, "10-confirm-reminder")
        page.click("#confirm button[type=submit]")
        expect(page.locator(".notice.ok")).to_contain_text("Reminder sent to")
        expect(page.locator("#delivery-log tr[data-delivery=sent]")).to_contain_text("invoice_reminder")
        shot(page, "11-reminder-sent")
        emails = call("GET", f"{stack.api_url}/_local/emails").json
        # Newest first; invoice numbers restart per organization, so the address and the
        # message make it this one.
        reminder = next(
            e
            for e in emails
            if customer["email"] in e["to"]
            and e["subject"].startswith("Reminder")
            and invoice["invoiceNumber"] in e["subject"]
        )
        assert "Please prioritize this payment." in reminder["html"]
    finally:
        # The demo organization is shared with the other local tests: its schedule back.
        restore = {k: saved[k] for k in ("enabled", "schedule", "persistentFailureActions")}
        call("PATCH", f"{stack.api_url}/organization/dunning-settings", restore, key=key)
