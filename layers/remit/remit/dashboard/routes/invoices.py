"""Invoices: the list (by status, or found by number), an invoice's page, and its actions
behind a confirmation (finance and admin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.dashboard import choices
from remit.dashboard.deps import Ctx, Invoices, PostedByFinance, SignedIn, Visiting
from remit.dashboard.forms import addresses
from remit.dashboard.outcome import changed
from remit.dashboard.web import Visit
from remit.domain.lifecycle import ReportedStatus
from remit.errors import NotFound
from remit.schemas.emails import ReminderIn
from remit.schemas.invoice import PaymentIn
from remit.services.accounts import AccountService
from remit.services.collections import CollectionService
from remit.services.context import Context
from remit.services.delivery_log import DeliveryLog
from remit.services.invoices import InvoiceService

router = Router()

# What an invoice's page offers, the role it needs, and what the confirmation says.
ACTIONS: dict[str, tuple[str, str]] = {
    "finalize": ("Finalize", "Assign the next number and issue this invoice to the customer?"),
    "send": ("Send", "Email this invoice (with its PDF) to the customer's recipients now?"),
    "record-payment": ("Record payment", "Record this payment against the invoice?"),
    "send-reminder": ("Send reminder", "Email the customer a payment reminder for this invoice now?"),
    "void": ("Void", "Void this invoice? It stays on record but counts as zero and cannot be paid."),
    "mark-uncollectible": (
        "Mark uncollectible",
        "Write this invoice off as uncollectible? It stays on record as written off.",
    ),
}
# What "Send reminder" offers (POST /invoices/{id}/reminders takes any template name).
REMINDER_TEMPLATES = ("invoice_reminder", "past_due_gentle", "past_due_firm", "past_due_final")
# What the confirmation carries over from the first press.
TYPED = ("amount", "method", "reference", "template", "message", "cc")


@router.get("/dashboard/invoices")
def invoices(operator: SignedIn, v: Visiting, ctx: Ctx, service: Invoices) -> Response[str]:
    org = operator.organization_id
    number = v.query("number").strip()
    if number:
        invoice_id = ctx.store.reports.invoice_id_by_number(org, number)
        if invoice_id:
            return v.back(f"/invoices/{invoice_id}")
        return v.render(
            "invoices.html",
            invoices=[],
            statuses=choices.INVOICE_STATUSES,
            status="",
            number=number,
            cursor=None,
        )
    status = v.query("status")
    wanted = [cast(ReportedStatus, status)] if status in choices.INVOICE_STATUSES else []
    page = service.list(org, account_id=None, statuses=wanted, limit=50, cursor=v.query("cursor") or None)
    return v.render(
        "invoices.html",
        invoices=page.data,
        statuses=choices.INVOICE_STATUSES,
        status=status,
        number="",
        cursor=page.next_cursor,
    )


@router.get("/dashboard/invoices/<invoice_id>")
def invoice(invoice_id: str, operator: SignedIn, v: Visiting, ctx: Ctx) -> Response[str]:
    org = operator.organization_id
    found = InvoiceService(ctx).get(org, invoice_id)
    head = ctx.store.invoices.get(org, invoice_id)
    confirm = v.query("confirm")
    typed: dict[str, Any] = {name: v.query(name) for name in TYPED}
    return v.render(
        "invoice.html",
        invoice=found,
        account=AccountService(ctx).get(org, found.account_id),
        deliveries=DeliveryLog(ctx).log(org, invoice_id),
        history=head.status_history if head else [],
        events=ctx.store.reports.subject_events(org, invoice_id, head.created_at) if head else [],
        actions=ACTIONS,
        confirm=confirm if confirm in ACTIONS else None,
        reminder_templates=REMINDER_TEMPLATES,
        methods=choices.MANUAL_METHODS,
        **typed,
    )


# -- the actions, once confirmed: each does what its API route does ------------------------

Act = Callable[[Visit, Context, str, str], object]


def finalize(v: Visit, ctx: Context, org: str, invoice_id: str) -> object:
    return InvoiceService(ctx).finalize(org, invoice_id)


def void(v: Visit, ctx: Context, org: str, invoice_id: str) -> object:
    return InvoiceService(ctx).void(org, invoice_id)


def mark_uncollectible(v: Visit, ctx: Context, org: str, invoice_id: str) -> object:
    return InvoiceService(ctx).mark_uncollectible(org, invoice_id)


def record_payment(v: Visit, ctx: Context, org: str, invoice_id: str) -> object:
    body = PaymentIn.model_validate(
        {"amount": v.field("amount"), "method": v.field("method"), "reference": v.field("reference") or None}
    )
    return InvoiceService(ctx).record_payment(org, invoice_id, body)


def send(v: Visit, ctx: Context, org: str, invoice_id: str) -> object:
    return v.wiring.deliveries().send_again(org, invoice_id)


def send_reminder(v: Visit, ctx: Context, org: str, invoice_id: str) -> Response[str]:
    """What POST /invoices/{id}/reminders does: one reminder now, and its event."""
    reminder = ReminderIn.model_validate(
        {
            "template": v.field("template") or "invoice_reminder",
            "message": v.field("message") or None,
            "cc": addresses([v.field("cc")]),
        }
    )
    sent = CollectionService(ctx, v.wiring.deliveries()).remind(org, invoice_id, reminder)
    back = f"/invoices/{invoice_id}"
    if sent.status != "sent":
        return v.back(back, error=f"The reminder was not sent: {sent.detail or sent.status}.")
    return v.back(back, notice=f"Reminder sent to {', '.join(sent.to)}.")


DOING: dict[str, Act] = {
    "finalize": finalize,
    "send": send,
    "record-payment": record_payment,
    "send-reminder": send_reminder,
    "void": void,
    "mark-uncollectible": mark_uncollectible,
}


@router.post("/dashboard/invoices/<invoice_id>/<action>")
def invoice_action(
    invoice_id: str, action: str, operator: PostedByFinance, v: Visiting, ctx: Ctx
) -> Response[str]:
    act = DOING.get(action)
    if act is None:
        raise NotFound("no such action")
    back = f"/invoices/{invoice_id}"
    if v.field("confirmed") != "yes":
        # The first press only asks: the page comes back with the confirmation.
        return v.back(back, confirm=action, **{name: v.field(name) for name in TYPED})
    org = operator.organization_id
    return changed(v, back, lambda: act(v, ctx, org, invoice_id), f"{ACTIONS[action][0]}: done.")
