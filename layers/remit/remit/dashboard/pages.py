"""The dashboard's pages: home (receivables), customers, invoices, settings, sign-in.

Thin: each page reads or changes data through the same services the JSON API uses
(remit.services), scoped by the organization of the verified operator. Nothing here
decides a business rule; an error a service raises is shown to the operator in words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import ValidationError

from remit import money
from remit.dashboard import settings as settings_pages
from remit.dashboard.auth import (
    SIGNIN_COOKIE,
    Forbidden,
    NotSignedIn,
    SignInFailed,
    cleared_cookie,
    new_signin_nonce,
    session_cookie,
    signin_cookie,
    signin_nonce_ok,
)
from remit.dashboard.web import CsrfFailed, Pages, Request, Wiring, redirect
from remit.domain.lifecycle import ReportedStatus
from remit.domain.receivables import BUCKET_LABELS, BUCKETS
from remit.emails.defaults import TEMPLATE_NAMES
from remit.errors import NotFound, RemitError
from remit.observability import logger
from remit.schemas.account import AccountPatch
from remit.schemas.emails import EmailTemplateIn, ReminderIn
from remit.schemas.invoice import PaymentIn
from remit.schemas.organization import InvoiceSettingsPatch, PaymentSettingsPatch
from remit.schemas.subscription import SubscriptionPatch
from remit.services.accounts import AccountService
from remit.services.collections import CollectionService
from remit.services.delivery_log import DeliveryLog
from remit.services.documents import DocumentService
from remit.services.email_templates import EmailTemplateService
from remit.services.invoices import InvoiceService
from remit.services.organizations import OrganizationService
from remit.services.payment_methods import PaymentMethodService
from remit.services.receivables import ReceivablesService
from remit.services.subscriptions import SubscriptionService
from remit.wiring import delivery_service

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response

    from remit.services.context import Context

STATUSES = ("draft", "issued", "past_due", "paid", "void", "uncollectible")
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
MAX_SEARCH_PAGES = 5
PREVIEW_SECONDS = 300


def whole(text: str) -> int | str:
    """A form's digits as the whole number the API takes; anything else as typed, for the
    API's validation to name (forms send text; the JSON API takes no numbers as strings)."""
    return int(text) if text.isdigit() else text


def _money(minor: int, currency: str) -> str:
    return f"{money.format_amount(minor, currency)} {currency}"


def _error_text(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid"))


def _addresses(lines: list[str]) -> list[str]:
    """Addresses typed one per line (or separated by commas or spaces)."""
    return [a for line in lines for a in line.replace(",", " ").split()]


def build_app(wiring: Wiring) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver()
    pages = Pages.create()
    request = Request(app, wiring)

    def ctx() -> Context:
        return wiring.context()  # type: ignore[no-any-return]

    # -- errors, in words ------------------------------------------------------------------

    def not_signed_in(exc: NotSignedIn) -> Response[str]:
        if app.current_event.http_method == "GET":
            cookies = [cleared_cookie()] if request.session else None
            return redirect(request.url("/sign-in", next=app.current_event.path), cookies)
        return sign_in_page(401, "Please sign in again.")

    def forbidden(exc: Forbidden) -> Response[str]:
        return pages.render(request, "message.html", 403, title="Not allowed", message=str(exc))

    def csrf_failed(exc: CsrfFailed) -> Response[str]:
        return pages.render(
            request, "message.html", 403, title="Form expired", message="Reload the page and try again."
        )

    def not_found(exc: NotFound) -> Response[str]:
        return pages.render(request, "message.html", 404, title="Not found", message=exc.message)

    def service_error(exc: RemitError) -> Response[str]:
        # The same status the JSON API gives this error class (remit.http.errors).
        from remit.http.errors import STATUS

        status = next((code for cls, code in STATUS if isinstance(exc, cls)), 400)
        return pages.render(request, "message.html", status, title="Could not do that", message=exc.message)

    def unexpected(exc: Exception) -> Response[str]:
        logger.exception("dashboard: unexpected error")
        return pages.render(
            request, "message.html", 500, title="Something went wrong", message="Please try again."
        )

    def no_route(exc: Exception) -> Response[str]:
        return pages.render(request, "message.html", 404, title="Not found", message="No such page.")

    app.exception_handler(NotSignedIn)(not_signed_in)
    app.exception_handler(Forbidden)(forbidden)
    app.exception_handler(CsrfFailed)(csrf_failed)
    app.exception_handler(NotFound)(not_found)
    app.exception_handler(RemitError)(service_error)
    app.exception_handler(Exception)(unexpected)
    app.not_found(no_route)

    # -- sign-in ---------------------------------------------------------------------------

    def sign_in_page(status: int = 200, error: str | None = None, email: str = "") -> Response[str]:
        """The form, with a fresh nonce in a cookie and in the form (login CSRF)."""
        nonce = new_signin_nonce()
        cookies = [signin_cookie(nonce)]
        if request.session:
            cookies.append(cleared_cookie())
        target = request.query("next") or request.field("next")
        return pages.render(
            request,
            "sign_in.html",
            status,
            cookies=cookies,
            nonce=nonce,
            next=target,
            error=error,
            email=email,
        )

    @app.get("/dashboard/sign-in")
    def sign_in_form() -> Response[str]:
        return sign_in_page()

    @app.post("/dashboard/sign-in")
    def sign_in() -> Response[str]:
        email, password = request.field("email"), request.field("password")
        # Login CSRF: the form must come from our own page (its nonce matches the cookie
        # set with it), so another site cannot sign a browser in as someone else.
        if not signin_nonce_ok(request.cookie(SIGNIN_COOKIE), request.field("nonce")):
            return sign_in_page(403, "The sign-in form expired: please try again.", email)
        try:
            token = wiring.sign_in.sign_in(email, password)
            operator = wiring.verifier.verify(token)
        except (SignInFailed, NotSignedIn) as exc:
            nonce = new_signin_nonce()
            return pages.render(
                request,
                "sign_in.html",
                401,
                cookies=[signin_cookie(nonce)],
                nonce=nonce,
                error=str(exc),
                email=email,
            )
        # The verifier's clock: the one the token's expiry is judged by (real time, even
        # where the services' clock is moved).
        cookie = session_cookie(token, operator.expires_at - int(wiring.verifier.now()))
        target = request.field("next")
        # Only a path of this dashboard: never an open redirect to another site.
        if not target.startswith(request.url("/")) and target != request.url(""):
            target = request.url("")
        return redirect(target, [cookie, signin_cookie("", 0)])

    @app.post("/dashboard/sign-out")
    def sign_out() -> Response[str]:
        request.check_csrf()
        return redirect(request.url("/sign-in", notice="Signed out."), [cleared_cookie()])

    # -- home: receivables -----------------------------------------------------------------

    @app.get("/dashboard")
    def home() -> Response[str]:
        operator = request.operator
        report = ReceivablesService(ctx()).report(operator.organization_id)
        return pages.render(
            request, "home.html", report=report, buckets=BUCKETS, labels=BUCKET_LABELS, money=_money
        )

    # -- customers -------------------------------------------------------------------------

    @app.get("/dashboard/customers")
    def customers() -> Response[str]:
        operator = request.operator
        search = request.query("q").lower()
        service = AccountService(ctx())
        found, cursor = [], request.query("cursor") or None
        # A search reads a few pages of the (name-sorted by id) list and keeps matches.
        for _ in range(MAX_SEARCH_PAGES if search else 1):
            page = service.list(operator.organization_id, 50, cursor)
            found += [
                a for a in page.data if not search or search in a.name.lower() or search in (a.email or "")
            ]
            cursor = page.next_cursor
            if cursor is None:
                break
        return pages.render(request, "customers.html", accounts=found, q=request.query("q"), cursor=cursor)

    @app.get("/dashboard/customers/<account_id>")
    def customer(account_id: str) -> Response[str]:
        org = request.operator.organization_id
        c = ctx()
        account = AccountService(c).get(org, account_id)
        methods = PaymentMethodService(c).list(org, account_id).data
        invoices = InvoiceService(c).list(org, account_id=account_id, statuses=[], limit=50, cursor=None)
        subs = SubscriptionService(c).list(org, account_id, 50, None)
        organization = OrganizationService(c).get(org)
        return pages.render(
            request,
            "customer.html",
            account=account,
            methods=methods,
            invoices=invoices.data,
            subscriptions=subs.data,
            org=organization,
        )

    @app.post("/dashboard/customers/<account_id>/billing")
    def customer_billing(account_id: str) -> Response[str]:
        request.check_csrf()
        operator = request.operator
        operator.require("finance")
        settings: dict[str, Any] = {
            "paymentTerms": request.field("paymentTerms") or None,
            "deliveryMethod": request.field("deliveryMethod") or None,
            "recipients": [
                r for line in request.fields("recipients") for r in line.replace(",", " ").split()
            ],
            "language": request.field("language") or None,
            "currency": request.field("currency") or None,
        }
        patch: dict[str, Any] = {
            "autoPayEnabled": request.field("autoPayEnabled") == "on",
            "autoPayTiming": request.field("autoPayTiming") or None,
            "invoiceSettings": settings,
        }
        if request.field("defaultPaymentMethodId"):
            patch["defaultPaymentMethodId"] = request.field("defaultPaymentMethodId")
        if request.field("autoPayDaysBefore"):
            patch["autoPayDaysBefore"] = whole(request.field("autoPayDaysBefore"))
        back = f"/customers/{account_id}"
        try:
            body = AccountPatch.model_validate(patch)
            AccountService(ctx()).update(operator.organization_id, account_id, body)
        except ValidationError as exc:
            return redirect(request.url(back, error=_error_text(exc)))
        except RemitError as exc:
            if isinstance(exc, NotFound) and exc.field in (None, "id"):
                raise
            return redirect(request.url(back, error=exc.message))
        return redirect(request.url(back, notice="Billing settings saved."))

    @app.post("/dashboard/subscriptions/<subscription_id>/autopay")
    def subscription_autopay(subscription_id: str) -> Response[str]:
        request.check_csrf()
        operator = request.operator
        operator.require("finance")
        choice = request.field("enabled")  # inherit | on | off
        auto_pay: dict[str, Any] = {"enabled": {"on": True, "off": False}.get(choice)}
        if request.field("timing"):
            auto_pay["timing"] = request.field("timing")
        if request.field("daysBefore"):
            auto_pay["daysBefore"] = request.field("daysBefore")
        service = SubscriptionService(ctx())
        sub = service.get(operator.organization_id, subscription_id)
        back = f"/customers/{sub.account_id}"
        try:
            service.update(
                operator.organization_id,
                subscription_id,
                SubscriptionPatch.model_validate({"autoPay": auto_pay}),
            )
        except ValidationError as exc:
            return redirect(request.url(back, error=_error_text(exc)))
        except RemitError as exc:
            return redirect(request.url(back, error=exc.message))
        return redirect(request.url(back, notice="Subscription AutoPay saved."))

    # -- invoices --------------------------------------------------------------------------

    @app.get("/dashboard/invoices")
    def invoices() -> Response[str]:
        org = request.operator.organization_id
        service = InvoiceService(ctx())
        number = request.query("number").strip()
        if number:
            invoice_id = ctx().store.reports.invoice_id_by_number(org, number)
            if invoice_id:
                return redirect(request.url(f"/invoices/{invoice_id}"))
            return pages.render(
                request,
                "invoices.html",
                invoices=[],
                statuses=STATUSES,
                status="",
                number=number,
                cursor=None,
            )
        status = request.query("status")
        wanted = [cast(ReportedStatus, status)] if status in STATUSES else []
        page = service.list(
            org,
            account_id=None,
            statuses=wanted,
            limit=50,
            cursor=request.query("cursor") or None,
        )
        return pages.render(
            request,
            "invoices.html",
            invoices=page.data,
            statuses=STATUSES,
            status=status,
            number="",
            cursor=page.next_cursor,
        )

    @app.get("/dashboard/invoices/<invoice_id>")
    def invoice(invoice_id: str) -> Response[str]:
        org = request.operator.organization_id
        c = ctx()
        found = InvoiceService(c).get(org, invoice_id)
        account = AccountService(c).get(org, found.account_id)
        deliveries = DeliveryLog(c).log(org, invoice_id)
        head = c.store.invoices.get(org, invoice_id)
        events = c.store.reports.subject_events(org, invoice_id, head.created_at) if head else []
        confirm = request.query("confirm")
        return pages.render(
            request,
            "invoice.html",
            invoice=found,
            account=account,
            deliveries=deliveries,
            history=head.status_history if head else [],
            events=events,
            actions=ACTIONS,
            confirm=confirm if confirm in ACTIONS else None,
            reminder_templates=REMINDER_TEMPLATES,
            template=request.query("template"),
            message=request.query("message"),
            cc=request.query("cc"),
            methods=("wire_transfer", "check", "ach", "sepa", "card", "cash", "other"),
            amount=request.query("amount"),
            method=request.query("method"),
            reference=request.query("reference"),
        )

    @app.post("/dashboard/invoices/<invoice_id>/<action>")
    def invoice_action(invoice_id: str, action: str) -> Response[str]:
        request.check_csrf()
        operator = request.operator
        operator.require("finance")
        if action not in ACTIONS:
            raise NotFound("no such action")
        back = f"/invoices/{invoice_id}"
        if request.field("confirmed") != "yes":
            # The first press only asks: the page comes back with the confirmation.
            return redirect(
                request.url(
                    back,
                    confirm=action,
                    amount=request.field("amount"),
                    method=request.field("method"),
                    reference=request.field("reference"),
                    template=request.field("template"),
                    message=request.field("message"),
                    cc=request.field("cc"),
                )
            )
        org = operator.organization_id
        c = ctx()
        service = InvoiceService(c)
        try:
            if action == "finalize":
                service.finalize(org, invoice_id)
            elif action == "void":
                service.void(org, invoice_id)
            elif action == "mark-uncollectible":
                service.mark_uncollectible(org, invoice_id)
            elif action == "record-payment":
                body = PaymentIn.model_validate(
                    {
                        "amount": request.field("amount"),
                        "method": request.field("method"),
                        "reference": request.field("reference") or None,
                    }
                )
                service.record_payment(org, invoice_id, body)
            elif action == "send":
                documents = DocumentService(c, wiring.storage(), wiring.renderer())
                delivery = delivery_service(
                    c, mailer=wiring.mailer(), documents=documents, sender=wiring.sender
                )
                delivery.send_again(org, invoice_id)
            elif action == "send-reminder":
                # What POST /invoices/{id}/reminders does: one reminder now, and its event.
                reminder = ReminderIn.model_validate(
                    {
                        "template": request.field("template") or "invoice_reminder",
                        "message": request.field("message") or None,
                        "cc": _addresses([request.field("cc")]),
                    }
                )
                documents = DocumentService(c, wiring.storage(), wiring.renderer())
                delivery = delivery_service(
                    c, mailer=wiring.mailer(), documents=documents, sender=wiring.sender
                )
                sent = CollectionService(c, delivery).remind(org, invoice_id, reminder)
                if sent.status != "sent":
                    return redirect(
                        request.url(back, error=f"The reminder was not sent: {sent.detail or sent.status}.")
                    )
                return redirect(request.url(back, notice=f"Reminder sent to {', '.join(sent.to)}."))
        except ValidationError as exc:
            return redirect(request.url(back, error=_error_text(exc)))
        except RemitError as exc:
            if isinstance(exc, NotFound) and exc.field in (None, "id"):
                raise
            return redirect(request.url(back, error=exc.message))
        return redirect(request.url(back, notice=f"{ACTIONS[action][0]}: done."))

    # -- settings (admin) ------------------------------------------------------------------

    @app.get("/dashboard/settings")
    def settings() -> Response[str]:
        operator = request.operator
        operator.require("admin")
        org = OrganizationService(ctx()).get(operator.organization_id)
        return pages.render(
            request,
            "settings.html",
            org=org,
            templates=TEMPLATE_NAMES,
            sections=settings_pages.SECTIONS,
            section="",
            preview_version=request.query("v"),
        )

    save_section = settings_pages.register(app, pages, request, wiring, ctx)

    @app.post("/dashboard/settings/<section>")
    def save_settings(section: str) -> Response[str]:
        request.check_csrf()
        operator = request.operator
        operator.require("admin")
        answer = save_section(section)
        if answer is not None:
            return answer
        service = OrganizationService(ctx())
        org = operator.organization_id
        try:
            if section == "invoicing":
                service.update_invoice_settings(
                    org,
                    InvoiceSettingsPatch.model_validate(
                        {
                            "invoicePrefix": request.field("invoicePrefix"),
                            "invoiceNumberFormat": request.field("invoiceNumberFormat"),
                            "defaultPaymentTerms": request.field("defaultPaymentTerms"),
                            "defaultDeliveryMethod": request.field("defaultDeliveryMethod"),
                            "attachPdf": request.field("attachPdf") == "on",
                            "ccFinanceTeam": request.field("ccFinanceTeam") == "on",
                            "ccEmails": [
                                e
                                for line in request.fields("ccEmails")
                                for e in line.replace(",", " ").split()
                            ],
                            "lateFeePercentage": request.field("lateFeePercentage") or "0",
                            "logoUrl": request.field("logoUrl") or None,
                            "accentColor": request.field("accentColor"),
                            "footerText": request.field("footerText") or None,
                        }
                    ),
                )
            elif section == "payments":
                patch: dict[str, Any] = {
                    "acceptedMethods": request.fields("acceptedMethods"),
                    "displayWireInstructions": request.field("displayWireInstructions") == "on",
                }
                if request.field("bankName"):
                    patch["wireInstructions"] = {
                        "bankName": request.field("bankName"),
                        "accountNumber": request.field("accountNumber"),
                        "routingNumber": request.field("routingNumber") or None,
                        "reference": request.field("wireReference") or None,
                    }
                policies = {}
                for method in ("card", "ach", "sepa"):
                    if request.field(f"retries_{method}"):
                        policies[method] = {
                            "retries": whole(request.field(f"retries_{method}")),
                            "hoursBetween": whole(request.field(f"hours_{method}")),
                        }
                if policies:
                    patch["retryPolicies"] = policies
                service.update_payment_settings(org, PaymentSettingsPatch.model_validate(patch))
            else:
                raise NotFound("no such settings section")
        except ValidationError as exc:
            return redirect(request.url("/settings", error=_error_text(exc)))
        except RemitError as exc:
            if isinstance(exc, NotFound):
                raise
            return redirect(request.url("/settings", error=exc.message))
        version = str(int(ctx().clock.now().timestamp()))
        return redirect(request.url("/settings", notice="Settings saved.", v=version))

    @app.get("/dashboard/settings/preview")
    def branding_preview() -> Response[str]:
        """The organization's saved branding on a sample invoice, as the PDF function
        renders real invoices (the settings page shows it in a frame beside the form)."""
        operator = request.operator
        operator.require("admin")
        key = wiring.renderer().preview(operator.organization_id)
        return redirect(wiring.storage().presign(key, PREVIEW_SECONDS))

    @app.get("/dashboard/settings/email-templates/<name>")
    def email_template(name: str) -> Response[str]:
        operator = request.operator
        operator.require("admin")
        service = EmailTemplateService(ctx())
        language = request.query("language") or None
        template = service.get(operator.organization_id, name, language)
        preview = service.preview(operator.organization_id, name, language, None)
        return pages.render(
            request, "email_template.html", template=template, preview=preview, language=language
        )

    @app.post("/dashboard/settings/email-templates/<name>")
    def save_email_template(name: str) -> Response[str]:
        request.check_csrf()
        operator = request.operator
        operator.require("admin")
        service = EmailTemplateService(ctx())
        language = request.field("language") or None
        back = f"/settings/email-templates/{name}"
        try:
            if request.field("reset") == "yes":
                service.delete(operator.organization_id, name, language)
            else:
                body = EmailTemplateIn.model_validate(
                    {
                        "subject": request.field("subject"),
                        "fromName": request.field("fromName"),
                        "replyTo": request.field("replyTo") or None,
                        "body": request.field("body"),
                    }
                )
                service.put(operator.organization_id, name, language, body)
        except ValidationError as exc:
            return redirect(request.url(back, error=_error_text(exc), language=language or ""))
        except RemitError as exc:
            if isinstance(exc, NotFound) and exc.field is None:
                raise
            return redirect(request.url(back, error=exc.message, language=language or ""))
        return redirect(request.url(back, notice="Template saved.", language=language or ""))

    return app
