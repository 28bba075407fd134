"""PagesFunction's HTTP side: the routes of template.yaml's PagesFunction (no API key; a
link's token in the path), each a short handler over PagesService that answers HTML with
the security headers of remit.pages.security. Posts answer 303 to the page they came from
(Post/Redirect/Get), so reloading a result never posts again."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from remit.adapters.gateway.port import Mandate, OnSession, OutcomeUnknown
from remit.documents import localize
from remit.domain.checkout import CheckoutSession
from remit.domain.lifecycle import ReportedStatus
from remit.domain.organization import Organization
from remit.domain.page_link import PageLink
from remit.domain.payment_method import MethodType
from remit.errors import Conflict, NotFound, PaymentDeclined, RemitError, ValidationFailed
from remit.observability import logger
from remit.pages import i18n, security
from remit.pages.bank import BankForm, BankType
from remit.pages.links import PageLinks, base_url
from remit.pages.service import AuthResult, CardForm, InvoiceBundle, NewBank, PagesService, bank_types
from remit.services.checkout import CheckoutService
from remit.services.context import Context
from remit.services.documents import DocumentService
from remit.settings import get_settings

HERE = Path(__file__).parent
STATIC = HERE / "static"
STATUS_FILTERS: dict[str, list[ReportedStatus]] = {
    "all": [],
    "open": ["issued", "past_due"],
    "past_due": ["past_due"],
    "paid": ["paid"],
    "void": ["void"],
}
TABS = ("home", "invoices", "payment_methods", "history")


@dataclass
class Request:
    method: str
    resource: str
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)
    source_ip: str | None = None

    @classmethod
    def of(cls, event: dict[str, Any]) -> Request:
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items() if v is not None}
        form: dict[str, str] = {}
        body = event.get("body")
        if body and event.get("httpMethod") == "POST":
            raw = base64.b64decode(body).decode() if event.get("isBase64Encoded") else body
            form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        return cls(
            method=event.get("httpMethod", "GET"),
            resource=event.get("resource", ""),
            params=event.get("pathParameters") or {},
            query=event.get("queryStringParameters") or {},
            headers=headers,
            form=form,
            source_ip=((event.get("requestContext") or {}).get("identity") or {}).get("sourceIp"),
        )


@dataclass
class Response:
    status: int
    body: str | bytes
    headers: dict[str, str]

    def to_lambda(self) -> dict[str, Any]:
        if isinstance(self.body, bytes):
            return {
                "statusCode": self.status,
                "headers": self.headers,
                "body": base64.b64encode(self.body).decode(),
                "isBase64Encoded": True,
            }
        return {
            "statusCode": self.status,
            "headers": self.headers,
            "body": self.body,
            "isBase64Encoded": False,
        }


@cache
def _jinja() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def prefix() -> str:
    """The path the pages live under (a stage, when PUBLIC_BASE_URL has one)."""
    return urlsplit(base_url()).path.rstrip("/")


def redirect(location: str) -> Response:
    return Response(
        303, "", {"Location": location, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


class Pages:
    def __init__(self, ctx: Context, documents: Callable[[], DocumentService]) -> None:
        self.ctx = ctx
        self.service = PagesService(ctx)
        self.links = PageLinks(ctx)
        self.documents = documents

    # -- plumbing ----------------------------------------------------------------------

    def render(
        self,
        template: str,
        lang: str,
        http_status: int = 200,
        form_targets: tuple[str, ...] = (),
        stripe: str | None = None,
        **values: Any,
    ) -> Response:
        style_nonce = security.nonce()
        words = i18n.words(lang)
        html = (
            _jinja()
            .get_template(template)
            .render(
                lang=lang if lang in i18n.WORDS else "en",
                w=words,
                nonce=style_nonce,
                base=prefix(),
                stripe_key=stripe,
                **values,
            )
        )
        return Response(
            http_status, html, security.headers(style_nonce, form_targets, stripe=stripe is not None)
        )

    def not_found(self, lang: str = "en") -> Response:
        return self.render("error.html", lang, 404, accent=None, org_name=None, logo_url=None)

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        request = Request.of(event)
        route = ROUTES.get((request.method, request.resource))
        if route is None:
            return self.not_found().to_lambda()
        if request.method == "POST" and not security.same_origin(
            request.headers, request.headers.get("host")
        ):
            return Response(
                403, "cross-site form posts are refused", {"Content-Type": "text/plain"}
            ).to_lambda()
        try:
            return route(self, request).to_lambda()
        except NotFound:
            return self.not_found(_language(request)).to_lambda()

    # -- assets --------------------------------------------------------------------------

    def asset(self, request: Request) -> Response:
        name = request.params.get("name", "")
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            return Response(404, "not found", {"Content-Type": "text/plain"})
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        body: str | bytes = path.read_text() if kind.startswith("text/") else path.read_bytes()
        return Response(
            200,
            body,
            {
                "Content-Type": f"{kind}; charset=utf-8" if kind.startswith("text/") else kind,
                "Cache-Control": "public, max-age=3600",
                "X-Content-Type-Options": "nosniff",
            },
        )

    # -- the hosted invoice page ---------------------------------------------------------

    def _invoice_link(self, request: Request) -> tuple[PageLink, InvoiceBundle]:
        link = self.links.open(request.params.get("token", ""), "invoice")
        assert link.invoice_id is not None
        return link, self.service.bundle(link.organization_id, link.account_id, link.invoice_id)

    def invoice_page(self, request: Request) -> Response:
        link, bundle = self._invoice_link(request)
        self.service.viewed(link, bundle.invoice, request.headers.get("user-agent"))
        here = f"{prefix()}/i/{request.params['token']}"
        return self._invoice(request, link.token_hash, link.id, bundle, here, None)

    def _invoice(
        self,
        request: Request,
        token_hash: str,
        csrf_subject: str,
        bundle: InvoiceBundle,
        here: str,
        portal: str | None,
    ) -> Response:
        now = self.ctx.clock.now()
        view = bundle.view()
        lang = view.language
        words = i18n.words(lang)
        message = request.query.get("m")
        reason = None
        if message == "declined":
            failure = bundle.last_failure()
            reason = i18n.decline_reason(failure.gateway_code if failure else None, lang)
        status = bundle.status(now)
        banks = bundle.bank_types()
        return self.render(
            "invoice.html",
            lang,
            view=view,
            bank=banks[0] if banks else None,
            mandate_text=_mandate_text(banks[0], bundle.org.name, lang) if banks else "",
            account_email=bundle.account.email,
            awaiting=bundle.awaiting_authentication() is not None,
            status=status,
            status_label=words[f"status_{status}"],
            payable=bundle.payable(now),
            processing=bundle.invoice.open_attempt is not None,
            amount_due=localize.money(bundle.invoice.amount_due, bundle.invoice.currency, lang),
            methods=[m for m in bundle.methods if m.auto_collectable],
            default_method=bundle.account.default_payment_method_id,
            sandbox=bundle.org.payment_settings.gateway == "sandbox",
            # A new card: the sandbox's test numbers, or Stripe Elements when the stack has
            # a publishable key; otherwise only the account's saved methods.
            new_card=bundle.org.payment_settings.accepts("card")
            and (bundle.org.payment_settings.gateway == "sandbox" or stripe_key(bundle.org) is not None),
            new_bank=bool(banks)
            and (bundle.org.payment_settings.gateway == "sandbox" or stripe_key(bundle.org) is not None),
            stripe=stripe_key(bundle.org),
            csrf=security.csrf_token(token_hash, csrf_subject),
            here=here,
            portal=portal,
            message=message,
            reason=reason,
            accent=view.accent,
            logo_url=view.logo_url,
            org_name=bundle.org.name,
            paid_date=view.paid_on,
        )

    def _pay(
        self, request: Request, token_hash: str, csrf_subject: str, bundle: InvoiceBundle, here: str
    ) -> Response:
        if not security.csrf_ok(token_hash, csrf_subject, request.form.get("csrf", "")):
            return redirect(f"{here}?m=form_expired")
        choice = request.form.get("method", "new")
        card = bank = None
        if choice == "new":
            card = _card(request)
        elif choice in ("new_ach", "new_sepa"):
            kind: BankType = "ach" if choice == "new_ach" else "sepa"
            bank = _bank(request, kind, bundle.org.name, bundle.invoice.language, self.ctx.clock.now())
        result = self.service.pay(
            bundle,
            method_id=None if choice.startswith("new") else choice,
            card=card,
            bank=bank,
            save=request.form.get("save") == "1",
            return_url=f"{_origin()}{here}/authenticate",
        )
        logger.info(
            "hosted page payment",
            extra={"invoice_id": bundle.invoice.id, "outcome": result.outcome, "code": result.code},
        )
        if result.outcome == "requires_action":
            return redirect(f"{here}/authenticate")
        return redirect(f"{here}?m={result.outcome}#status")

    # -- 3-D Secure -------------------------------------------------------------------------

    def _challenge(
        self, token_hash: str, csrf_subject: str, bundle: InvoiceBundle, here: str, back: str
    ) -> Response:
        """The challenge page of an attempt awaiting 3-D Secure: on the sandbox our stand-in
        for the issuer (complete or fail); on Stripe, Stripe.js runs the issuer's challenge
        (``handleNextAction``) and posts back. Nothing awaiting: back to the page."""
        attempt = bundle.awaiting_authentication()
        if attempt is None:
            return redirect(back)
        lang = bundle.invoice.language
        client_secret = None
        stripe = stripe_key(bundle.org) if attempt.gateway == "stripe" else None
        if attempt.gateway == "stripe" and attempt.gateway_charge_id:
            try:
                outcome = self.ctx.gateway("stripe").retrieve(
                    org_id=bundle.org.id,
                    charge_id=attempt.gateway_charge_id,
                    idempotency_key=attempt.idempotency_key,
                )
                client_secret = outcome.client_secret
            except OutcomeUnknown:
                client_secret = None  # the page offers Continue, which asks again
        method = next((m for m in bundle.methods if m.id == attempt.payment_method_id), None)
        view = bundle.view()
        return self.render(
            "authenticate.html",
            lang,
            stripe=stripe,
            client_secret=client_secret,
            sandbox=attempt.gateway == "sandbox",
            amount=localize.money(attempt.amount, attempt.currency, lang),
            number=view.number,
            card_last4=method.card.last4 if method and method.card else None,
            csrf=security.csrf_token(token_hash, csrf_subject),
            here=here,
            back=back,
            accent=view.accent,
            logo_url=view.logo_url,
            org_name=bundle.org.name,
        )

    def _authenticate(
        self, request: Request, token_hash: str, csrf_subject: str, bundle: InvoiceBundle, back: str
    ) -> Response:
        if not security.csrf_ok(token_hash, csrf_subject, request.form.get("csrf", "")):
            return redirect(f"{back}?m=form_expired")
        outcome = self.service.authenticate(bundle, _auth_result(request))
        logger.info(
            "hosted page authentication",
            extra={"invoice_id": bundle.invoice.id, "outcome": outcome.outcome, "code": outcome.code},
        )
        if outcome.outcome == "requires_action":
            return redirect(f"{back}/authenticate")
        return redirect(f"{back}?m={outcome.outcome}#status")

    def invoice_challenge(self, request: Request) -> Response:
        link, bundle = self._invoice_link(request)
        here = f"{prefix()}/i/{request.params['token']}"
        return self._challenge(link.token_hash, link.id, bundle, f"{here}/authenticate", here)

    def invoice_authenticate(self, request: Request) -> Response:
        link, bundle = self._invoice_link(request)
        here = f"{prefix()}/i/{request.params['token']}"
        return self._authenticate(request, link.token_hash, link.id, bundle, here)

    def invoice_pay(self, request: Request) -> Response:
        link, bundle = self._invoice_link(request)
        here = f"{prefix()}/i/{request.params['token']}"
        return self._pay(request, link.token_hash, link.id, bundle, here)

    def invoice_document(self, request: Request) -> Response:
        _, bundle = self._invoice_link(request)
        return self._document(bundle, request.params.get("kind", ""))

    def _document(self, bundle: InvoiceBundle, kind: str) -> Response:
        if kind not in ("invoice", "receipt"):
            raise NotFound("no such document", field="kind")
        try:
            found = self.documents().link(bundle.org.id, bundle.invoice.id, kind)  # type: ignore[arg-type]
        except RemitError as exc:
            raise NotFound("no such document", field="kind") from exc
        return redirect(found.url)

    # -- checkout --------------------------------------------------------------------------

    def _session(self, request: Request) -> CheckoutSession:
        return CheckoutService(self.ctx).open(request.params.get("token", ""))

    def checkout_page(self, request: Request, error: str | None = None, status: int = 200) -> Response:
        session = self._session(request)
        org, account = self.service.account(session.organization_id, session.account_id)
        lang = account.effective_language(org)
        bundle = None
        if session.mode == "payment" and session.invoice_id:
            bundle = self.service.bundle(org.id, account.id, session.invoice_id)
            lang = bundle.invoice.language
        view = bundle.view() if bundle else None
        banks = bank_types(org, bundle.invoice.currency if bundle else account.effective_currency(org))
        return self.render(
            "checkout.html",
            lang,
            status,
            form_targets=tuple(
                o
                for o in (security.origin_of(session.success_url), security.origin_of(session.cancel_url))
                if o
            ),
            session=session,
            view=view,
            amount_due=localize.money(bundle.invoice.amount_due, bundle.invoice.currency, lang)
            if bundle
            else None,
            sandbox=org.payment_settings.gateway == "sandbox",
            stripe=stripe_key(org),
            new_card=org.payment_settings.accepts("card"),
            bank=banks[0] if banks else None,
            mandate_text=_mandate_text(banks[0], org.name, lang) if banks else "",
            account_email=account.email,
            kind=request.form.get("kind", "card"),
            csrf=security.csrf_token(session.token_hash, session.id),
            here=f"{prefix()}/checkout/{request.params['token']}",
            error=error,
            accent=view.accent if view else _accent(org.invoice_settings.accent_color),
            logo_url=view.logo_url if view else None,
            org_name=org.name,
        )

    def checkout_post(self, request: Request) -> Response:
        session = self._session(request)
        lang = self._checkout_language(session)
        words = i18n.words(lang)
        if not security.csrf_ok(session.token_hash, session.id, request.form.get("csrf", "")):
            return self.checkout_page(request, words["form_expired"], 400)
        kind = request.form.get("kind", "card")
        mandate = None
        org, account = self.service.account(session.organization_id, session.account_id)
        if kind in ("ach", "sepa"):
            bank = _bank(request, "ach" if kind == "ach" else "sepa", org.name, lang, self.ctx.clock.now())
            invoice = (
                self.service.store.invoices.get(org.id, session.invoice_id) if session.invoice_id else None
            )
            offered = bank_types(org, invoice.currency if invoice else account.effective_currency(org))
            problem = bank.form.problem() if kind in offered else "bank_unknown"
            token = self.service.bank_token(org, bank.form) if problem is None else None
            if problem is not None or token is None:
                return self.checkout_page(request, words[problem or "bank_unknown"], 422)
            method_type: MethodType = bank.form.type
            mandate = bank.mandate
        else:
            card = _card(request)
            card_token = card.gateway_token()
            if not card.complete():
                return self.checkout_page(request, words["card_invalid"], 422)
            if card_token is None:
                return self.checkout_page(request, words["card_unknown"], 422)
            token, method_type = card_token, "card"
        here = f"{prefix()}/checkout/{request.params['token']}"
        try:
            done = CheckoutService(self.ctx).complete_checkout(
                request.params["token"],
                token,
                request.form.get("make_default") == "1",
                method_type,
                mandate=mandate,
                on_session=OnSession(f"{_origin()}{here}/authenticate"),
            )
        except PaymentDeclined:
            bundle = self.service.bundle(
                session.organization_id, session.account_id, session.invoice_id or ""
            )
            failure = bundle.last_failure()
            reason = i18n.decline_reason(failure.gateway_code if failure else None, lang)
            return self.checkout_page(request, i18n.words(lang)["declined"].format(reason=reason), 402)
        except ValidationFailed:
            return self.checkout_page(
                request, words["card_unknown" if kind == "card" else "bank_unknown"], 422
            )
        if done.requires_action:
            return redirect(f"{here}/authenticate")
        return redirect(session.success_url)

    def _checkout_bundle(self, session: CheckoutSession) -> InvoiceBundle:
        if session.mode != "payment" or not session.invoice_id:
            raise NotFound("nothing to authenticate", field="token")
        return self.service.bundle(session.organization_id, session.account_id, session.invoice_id)

    def checkout_challenge(self, request: Request) -> Response:
        session = self._session(request)
        bundle = self._checkout_bundle(session)
        here = f"{prefix()}/checkout/{request.params['token']}"
        return self._challenge(session.token_hash, session.id, bundle, f"{here}/authenticate", here)

    def checkout_authenticate(self, request: Request) -> Response:
        session = self._session(request)
        bundle = self._checkout_bundle(session)
        lang = bundle.invoice.language
        here = f"{prefix()}/checkout/{request.params['token']}"
        if not security.csrf_ok(session.token_hash, session.id, request.form.get("csrf", "")):
            return self.checkout_page(request, i18n.words(lang)["form_expired"], 400)
        # Plays the sandbox's issuer and settles the attempt; then the session completes.
        self.service.authenticate(bundle, _auth_result(request))
        try:
            done = CheckoutService(self.ctx).finish_authentication(request.params["token"])
        except PaymentDeclined:
            failure = self._checkout_bundle(session).last_failure()
            reason = i18n.decline_reason(failure.gateway_code if failure else None, lang)
            return self.checkout_page(request, i18n.words(lang)["declined"].format(reason=reason), 402)
        except Conflict:
            return redirect(here)
        if done.requires_action:
            return redirect(f"{here}/authenticate")
        return redirect(session.success_url)

    def _checkout_language(self, session: CheckoutSession) -> str:
        org, account = self.service.account(session.organization_id, session.account_id)
        return account.effective_language(org)

    # -- the portal ----------------------------------------------------------------------------

    def _portal_link(self, request: Request) -> PageLink:
        return self.links.open(request.params.get("token", ""), "portal")

    def portal_page(self, request: Request) -> Response:
        link = self._portal_link(request)
        org, account = self.service.account(link.organization_id, link.account_id)
        lang = account.effective_language(org)
        words = i18n.words(lang)
        default_tab = {"invoices": "invoices", "payment_methods": "payment_methods"}.get(link.flow, "home")
        tab = request.query.get("tab", default_tab)
        tab = tab if tab in TABS else default_tab
        status_filter = request.query.get("status", "all")
        statuses = STATUS_FILTERS.get(status_filter, [])
        today = self.ctx.clock.now().date()
        listed = self.service.invoices(link.organization_id, link.account_id, statuses)
        every = listed if not statuses else self.service.invoices(link.organization_id, link.account_id, [])
        open_ones = [i for i in every if i.reported_status(today) in ("issued", "past_due")]
        currency = account.effective_currency(org)
        banks = bank_types(org, currency)

        def money(minor: int, cur: str) -> str:
            return localize.money(minor, cur, lang)

        def row(i: Any) -> dict[str, Any]:
            status = i.reported_status(today)
            return {
                "id": i.id,
                "number": i.invoice_number or i.id,
                "issued": localize.day(i.issued_at.date() if i.issued_at else None, lang),
                "due": localize.day(i.due_date, lang),
                "total": money(i.total, i.currency),
                "due_amount": money(i.amount_due, i.currency),
                "status": status,
                "status_label": words[f"status_{status}"],
                "payable": status in ("issued", "past_due") and i.amount_due > 0,
                "paid": status == "paid",
            }

        outstanding: dict[str, int] = {}
        for i in open_ones:
            outstanding[i.currency] = outstanding.get(i.currency, 0) + i.amount_due
        history = []
        if tab == "history":
            history = [
                {
                    "date": localize.day(p.payment_date, lang),
                    "number": inv.invoice_number or inv.id,
                    "invoice_id": inv.id,
                    "method": p.method,
                    "amount": money(p.amount, p.currency),
                }
                for inv, p in self.service.payments(link.organization_id, every)
            ]
        methods = [
            {
                "id": m.id,
                "label": _method_label(m, words),
                "default": m.id == account.default_payment_method_id,
            }
            for m in self.service.methods(link.organization_id, link.account_id)
            if m.auto_collectable
        ]
        return self.render(
            "portal.html",
            lang,
            tab=tab,
            tabs=TABS,
            status_filter=status_filter,
            filters=list(STATUS_FILTERS),
            invoices=[row(i) for i in listed],
            open_invoices=[row(i) for i in open_ones],
            outstanding=[money(v, c) for c, v in sorted(outstanding.items())] or [money(0, currency)],
            history=history,
            methods=methods,
            sandbox=org.payment_settings.gateway == "sandbox",
            stripe=stripe_key(org),
            new_card=org.payment_settings.accepts("card"),
            bank=banks[0] if banks else None,
            mandate_text=_mandate_text(banks[0], org.name, lang) if banks else "",
            account_email=account.email,
            csrf=security.csrf_token(link.token_hash, link.id),
            here=f"{prefix()}/portal/{request.params['token']}",
            message=request.query.get("m"),
            return_url=link.return_url,
            expires_at=_moment(link.expires_at, lang),
            account_name=account.name,
            accent=_accent(org.invoice_settings.accent_color),
            logo_url=_logo(org.invoice_settings.logo_url),
            org_name=org.name,
        )

    def _portal_invoice(self, request: Request) -> tuple[PageLink, InvoiceBundle, str]:
        link = self._portal_link(request)
        bundle = self.service.bundle(
            link.organization_id, link.account_id, request.params.get("invoiceId", "")
        )
        portal = f"{prefix()}/portal/{request.params['token']}"
        return link, bundle, portal

    def portal_invoice(self, request: Request) -> Response:
        link, bundle, portal = self._portal_invoice(request)
        self.service.viewed(link, bundle.invoice, request.headers.get("user-agent"))
        here = f"{portal}/invoices/{bundle.invoice.id}"
        return self._invoice(request, link.token_hash, link.id, bundle, here, f"{portal}?tab=invoices")

    def portal_invoice_pay(self, request: Request) -> Response:
        link, bundle, portal = self._portal_invoice(request)
        return self._pay(request, link.token_hash, link.id, bundle, f"{portal}/invoices/{bundle.invoice.id}")

    def portal_invoice_challenge(self, request: Request) -> Response:
        link, bundle, portal = self._portal_invoice(request)
        here = f"{portal}/invoices/{bundle.invoice.id}"
        return self._challenge(link.token_hash, link.id, bundle, f"{here}/authenticate", here)

    def portal_invoice_authenticate(self, request: Request) -> Response:
        link, bundle, portal = self._portal_invoice(request)
        return self._authenticate(
            request, link.token_hash, link.id, bundle, f"{portal}/invoices/{bundle.invoice.id}"
        )

    def portal_invoice_document(self, request: Request) -> Response:
        _, bundle, _ = self._portal_invoice(request)
        return self._document(bundle, request.params.get("kind", ""))

    def _portal_post(self, request: Request, action: Callable[[PageLink], str]) -> Response:
        link = self._portal_link(request)
        portal = f"{prefix()}/portal/{request.params['token']}"
        if not security.csrf_ok(link.token_hash, link.id, request.form.get("csrf", "")):
            return redirect(f"{portal}?{urlencode({'tab': 'payment_methods', 'm': 'form_expired'})}")
        try:
            message = action(link)
        except ValidationFailed as exc:
            message = exc.code if exc.code in PORTAL_PROBLEMS else "card_invalid"
        return redirect(f"{portal}?{urlencode({'tab': 'payment_methods', 'm': message})}")

    def portal_add_method(self, request: Request) -> Response:
        def add(link: PageLink) -> str:
            org, account = self.service.account(link.organization_id, link.account_id)
            make_default = request.form.get("make_default") == "1"
            kind = request.form.get("kind", "card")
            if kind in ("ach", "sepa"):
                if kind not in bank_types(org, account.effective_currency(org)):
                    return "bank_unknown"
                lang = account.effective_language(org)
                bank = _bank(
                    request, "ach" if kind == "ach" else "sepa", org.name, lang, self.ctx.clock.now()
                )
                self.service.save_bank(org, account, bank, make_default)
                return "method_added"
            card = _card(request)
            if not card.complete():
                return "card_invalid"
            self.service.save_card(org, account, card, make_default)
            return "method_added"

        return self._portal_post(request, add)

    def portal_default_method(self, request: Request) -> Response:
        def make_default(link: PageLink) -> str:
            self.service.set_default(link.organization_id, link.account_id, request.params["paymentMethodId"])
            return "default_set"

        return self._portal_post(request, make_default)

    def portal_remove_method(self, request: Request) -> Response:
        def remove(link: PageLink) -> str:
            self.service.remove_method(
                link.organization_id, link.account_id, request.params["paymentMethodId"]
            )
            return "method_removed"

        return self._portal_post(request, remove)


PORTAL_PROBLEMS = (
    "card_unknown",
    "bank_unknown",
    "holder_missing",
    "routing_invalid",
    "account_invalid",
    "iban_invalid",
    "mandate_missing",
)


def _auth_result(request: Request) -> AuthResult:
    """What the challenge page posted: the sandbox's buttons, or (Stripe) just "check"."""
    wanted = request.form.get("result")
    if wanted == "complete":
        return "complete"
    if wanted == "fail":
        return "fail"
    return "check"


def _bank(request: Request, kind: BankType, org_name: str, language: str, now: datetime) -> NewBank:
    """The bank form's fields, and the mandate as the customer accepted it here: the text
    they were shown, when, from which address and browser."""
    form = request.form
    bank = BankForm(
        type=kind,
        holder=form.get("account_holder", ""),
        routing_number=form.get("routing_number", ""),
        account_number=form.get("account_number", ""),
        account_type=form.get("account_type", "checking"),
        iban=form.get("iban", ""),
        mandate=form.get("mandate") == "1",
        token=form.get("bank_token", ""),
    )
    mandate = Mandate(
        accepted_at=now,
        text=_mandate_text(kind, org_name, language),
        ip_address=request.source_ip,
        user_agent=request.headers.get("user-agent"),
    )
    return NewBank(bank, mandate)


def _mandate_text(kind: BankType, org_name: str, language: str) -> str:
    return i18n.words(language)[f"mandate_{kind}"].format(org=org_name)


def _origin() -> str:
    """Scheme and host of the pages (a gateway's return_url must be absolute)."""
    parts = urlsplit(base_url())
    return f"{parts.scheme}://{parts.netloc}"


def _card(request: Request) -> CardForm:
    form = request.form
    return CardForm(
        form.get("number", ""), form.get("expiry", ""), form.get("cvc", ""), form.get("gateway_token", "")
    )


def stripe_key(org: Organization) -> str | None:
    """The publishable key Stripe Elements needs, for an organization on Stripe (the
    stack's ``StripePublishableKey``); None: no Elements on this page."""
    if org.payment_settings.gateway != "stripe":
        return None
    return get_settings().stripe_publishable_key or None


def _language(request: Request) -> str:
    accept = request.headers.get("accept-language", "en")
    first = accept.split(",")[0].split(";")[0].strip().split("-")[0].lower()
    return first if first in i18n.WORDS else "en"


def _accent(colour: str | None) -> str:
    from remit.documents.view import _COLOUR, DEFAULT_ACCENT

    return colour if colour and _COLOUR.match(colour) else DEFAULT_ACCENT


def _logo(url: str | None) -> str | None:
    return url if url and url.startswith("https://") else None


def _moment(at: datetime, language: str) -> str:
    """A date and time for the reader, in UTC (said so: the page cannot know their zone)."""
    from babel.dates import format_datetime

    return f"{format_datetime(at, 'medium', tzinfo=UTC, locale=localize.locale_of(language))} UTC"


def _method_label(method: Any, words: dict[str, str]) -> str:
    if method.card is not None:
        expiry = words["expires"].format(month=f"{method.card.exp_month:02d}", year=method.card.exp_year)
        return f"{method.card.brand.title()} •••• {method.card.last4} ({expiry})"
    if method.bank is not None:
        return f"{method.type.upper()} •••• {method.bank.last4}"
    return str(method.type)


Handler = Callable[[Pages, Request], Response]
ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "/assets/{name}"): Pages.asset,
    ("GET", "/i/{token}"): Pages.invoice_page,
    ("POST", "/i/{token}/pay"): Pages.invoice_pay,
    ("GET", "/i/{token}/authenticate"): Pages.invoice_challenge,
    ("POST", "/i/{token}/authenticate"): Pages.invoice_authenticate,
    ("GET", "/i/{token}/documents/{kind}"): Pages.invoice_document,
    ("GET", "/checkout/{token}"): Pages.checkout_page,
    ("POST", "/checkout/{token}"): Pages.checkout_post,
    ("GET", "/checkout/{token}/authenticate"): Pages.checkout_challenge,
    ("POST", "/checkout/{token}/authenticate"): Pages.checkout_authenticate,
    ("GET", "/portal/{token}"): Pages.portal_page,
    ("GET", "/portal/{token}/invoices/{invoiceId}"): Pages.portal_invoice,
    ("POST", "/portal/{token}/invoices/{invoiceId}/pay"): Pages.portal_invoice_pay,
    ("GET", "/portal/{token}/invoices/{invoiceId}/authenticate"): Pages.portal_invoice_challenge,
    ("POST", "/portal/{token}/invoices/{invoiceId}/authenticate"): Pages.portal_invoice_authenticate,
    ("GET", "/portal/{token}/invoices/{invoiceId}/documents/{kind}"): Pages.portal_invoice_document,
    ("POST", "/portal/{token}/payment-methods"): Pages.portal_add_method,
    ("POST", "/portal/{token}/payment-methods/{paymentMethodId}/default"): Pages.portal_default_method,
    ("POST", "/portal/{token}/payment-methods/{paymentMethodId}/remove"): Pages.portal_remove_method,
}


def from_env() -> Pages:
    from remit import wiring

    ctx = wiring.context()
    # The documents port is built on the first download: most pages never need it.
    return Pages(ctx, cache(lambda: wiring.document_service(ctx)))
