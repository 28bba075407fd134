"""``/i/{token}``: the hosted invoice page an invoice link opens, its payment, 3-D Secure
challenge and documents (remit.pages.invoice_page)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Request, Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from remit.pages import invoice_page
from remit.pages.deps import Documents, Form, Invoice, Service

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated


@router.get("/i/<token>")
def page(token: str, opened: Invoice, service: Service, request: Request) -> Response[str]:
    assert opened.link is not None
    service.viewed(opened.link, opened.bundle.invoice, request.headers.get("user-agent"))
    return invoice_page.show(opened, service, request.query_parameters or {})


@router.post("/i/<token>/pay")
def pay(token: str, form: Form, opened: Invoice, service: Service) -> Response[str]:
    return invoice_page.pay(opened, form, service)


@router.get("/i/<token>/authenticate")
def challenge(token: str, opened: Invoice, service: Service) -> Response[str]:
    return invoice_page.challenge(opened, service)


@router.post("/i/<token>/authenticate")
def authenticate(token: str, form: Form, opened: Invoice, service: Service) -> Response[str]:
    return invoice_page.authenticate(opened, form, service)


@router.get("/i/<token>/documents/<kind>")
def document(token: str, kind: str, opened: Invoice, documents: Documents) -> Response[str]:
    return invoice_page.document(opened, documents, kind)
