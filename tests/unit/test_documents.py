"""Invoice and receipt PDFs, read back as text: what a customer sees on paper."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from remit.documents.fetcher import FetchRefused, check_url
from remit.documents.html import css_string, render_html
from remit.documents.sample import SAMPLE_NOW, sample_account, sample_invoice, sample_organization
from remit.documents.view import build_view
from remit.domain.invoice import Payment
from remit.domain.payment_settings import PaymentSettings, WireInstructions
from tests.support.pdf import pages_text, renderer, text


def render(kind: str = "invoice", **invoice_args: object) -> str:
    invoice = sample_invoice(**invoice_args)  # type: ignore[arg-type]
    view = build_view(kind, invoice, sample_organization(), sample_account())  # type: ignore[arg-type]
    return text(renderer().render(view))


def test_english_invoice_shows_number_dates_lines_tax_breakdown_and_totals() -> None:
    invoice = sample_invoice(lines=3)
    # Lines: 1 x 123.45 at 19 %, 2 x 133.45 at 7 % less 10 %, 3 x 143.45 untaxed; then 5 %
    # off the 794.01 of nets (39.70, spread 6.17 / 12.01 / 21.52): taxable 117.28 and 228.20.
    assert (invoice.subtotal, invoice.discount_total, invoice.tax_total, invoice.total) == (
        82_070,
        6_639,
        3_825,
        79_256,
    )
    pdf = text(renderer().render(build_view("invoice", invoice, sample_organization(), sample_account())))
    assert "Invoice number INV-2026-00042" in pdf
    assert "Issue date Mar 2, 2026" in pdf
    assert "Due date Apr 1, 2026" in pdf
    assert "Net 30 days" in pdf
    assert "Support hours, week 1" in pdf
    assert "Subtotal $820.70" in pdf
    assert "Tax 19% on $117.28 $22.28" in pdf
    assert "Tax 7% on $228.20 $15.97" in pdf
    assert "Total $792.56" in pdf
    assert "Amount due $792.56" in pdf
    assert "Page 1 of 1" in pdf
    assert "VOID" not in pdf
    assert "PAID" not in pdf


def test_german_invoice_has_german_labels_and_number_format() -> None:
    invoice = sample_invoice(lines=20, language="de", currency="EUR")
    view = build_view("invoice", invoice, sample_organization(), sample_account("de", "EUR"))
    pdf = text(renderer().render(view))
    assert "Rechnung" in pdf
    assert "Rechnungsnummer INV-2026-00042" in pdf
    assert "Rechnungsdatum 02.03.2026" in pdf
    assert "Fällig am 01.04.2026" in pdf
    assert "Zwischensumme" in pdf
    assert "Gesamtbetrag" in pdf
    assert "Offener Betrag" in pdf
    # 1.093,80 €: a dot for thousands, a comma for decimals, the sign after the amount.
    assert "4 273,45 € 19 % 1.093,80 €" in pdf
    total = f"{invoice.total // 100:,}".replace(",", ".") + f",{invoice.total % 100:02d} €"
    assert f"Gesamtbetrag {total}" in pdf
    assert "MwSt. 19 % auf" in pdf
    assert "MwSt. 7 % auf" in pdf
    assert "Seite 1 von" in pdf


def test_french_labels() -> None:
    invoice = sample_invoice(language="fr", currency="EUR")
    pdf = text(renderer().render(build_view("invoice", invoice, sample_organization(), sample_account("fr"))))
    assert "Facture" in pdf
    assert "Montant dû" in pdf
    assert "Sous-total" in pdf
    assert "820,70 €" in pdf
    assert "Net à 30 jours" in pdf


def test_void_invoice_carries_the_void_mark_and_owes_nothing() -> None:
    voided = sample_invoice().voided(SAMPLE_NOW + timedelta(days=1))
    pdf = text(renderer().render(build_view("invoice", voided, sample_organization(), sample_account())))
    assert "VOID" in pdf
    assert "Amount due $0.00" in pdf
    german = sample_invoice(language="de", currency="EUR").voided(SAMPLE_NOW)
    assert "STORNIERT" in text(renderer().render(build_view("invoice", german, sample_organization(), None)))


def paid_invoice_and_payment() -> tuple:  # type: ignore[type-arg]
    invoice = sample_invoice()
    payment = Payment(
        id="pay_1",
        invoice_id=invoice.id,
        amount=invoice.total,
        currency="USD",
        payment_date=date(2026, 3, 10),
        method="wire",
        reference="WIRE-778",
        created_at=datetime(2026, 3, 10, 12, 0, tzinfo=SAMPLE_NOW.tzinfo),
    )
    return invoice.with_payment(payment, payment.created_at), payment


def test_paid_invoice_is_marked_paid_and_its_receipt_lists_the_payment() -> None:
    paid, payment = paid_invoice_and_payment()
    invoice_pdf = text(
        renderer().render(build_view("invoice", paid, sample_organization(), sample_account()))
    )
    assert "PAID" in invoice_pdf
    assert "Amount paid $792.56" in invoice_pdf
    assert "Amount due $0.00" in invoice_pdf
    view = build_view("receipt", paid, sample_organization(), sample_account(), [payment])
    receipt = text(renderer().render(view))
    assert "Receipt" in receipt
    assert "Paid on Mar 10, 2026" in receipt
    assert "Mar 10, 2026 wire WIRE-778 $792.56" in receipt
    assert "Thank you for your payment." in receipt
    assert "Amount due" not in receipt


def test_a_long_invoice_breaks_across_pages_repeating_the_table_header_with_page_numbers() -> None:
    invoice = sample_invoice(lines=90)
    pages = pages_text(renderer().render(build_view("invoice", invoice, sample_organization(), None)))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "DESCRIPTION QTY UNIT PRICE TAX AMOUNT" in page, f"page {number} lost the header"
        assert f"Page {number} of {len(pages)}" in page
    assert "Support hours, week 89" in pages[-1] or "Support hours, week 89" in "".join(pages)
    assert "Total" in pages[-1]


def test_customer_text_stays_text() -> None:
    invoice = sample_invoice().model_copy(update={"memo": "<b>bold</b> <img src='file:///etc/passwd'>"})
    html = render_html(build_view("invoice", invoice, sample_organization(), None))
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<img src='file:///etc/passwd'>" not in html


def test_footer_text_cannot_escape_its_css_string() -> None:
    assert css_string('x"; } body { display: none } "') == (
        '"x\\000022; \\00007d body \\00007b display: none \\00007d \\000022"'
    )
    org = sample_organization()
    org = org.model_copy(
        update={
            "invoice_settings": org.invoice_settings.model_copy(update={"footer_text": "</style><script>"})
        }
    )
    html = render_html(build_view("invoice", sample_invoice(), org, None))
    assert "<script>" not in html


def test_only_an_https_logo_is_shown() -> None:
    org = sample_organization()
    for url, shown in (
        ("file:///etc/passwd", False),
        ("http://x.example/l.png", False),
        ("https://x.example/l.png", True),
    ):
        settings = org.invoice_settings.model_copy(update={"logo_url": url})
        view = build_view(
            "invoice", sample_invoice(), org.model_copy(update={"invoice_settings": settings}), None
        )
        assert (view.logo_url is not None) is shown, url


def public(host: str, port: int) -> list[str]:
    return {
        "logo.example": ["93.184.216.34"],
        "inside.example": ["10.0.0.7"],
        "meta.example": ["169.254.169.254"],
    }[host]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://logo.example/logo.png",
        "data:image/png;base64,AAAA",
        "ftp://logo.example/logo.png",
        "https://inside.example/logo.png",
        "https://meta.example/latest/meta-data/",
        "https://127.0.0.1/logo.png",
        "https://[::1]/logo.png",
        "https://[::ffff:10.0.0.1]/logo.png",
        "https://user:pw@logo.example/logo.png",
    ],
)
def test_the_logo_fetcher_refuses_anything_but_https_to_a_public_address(url: str) -> None:
    def resolver(host: str, port: int) -> list[str]:
        return public(host, port) if host.endswith(".example") else [host.strip("[]")]

    with pytest.raises(FetchRefused):
        check_url(url, resolver)


def test_the_logo_fetcher_connects_to_the_address_it_checked() -> None:
    target = check_url("https://logo.example:8443/brand/logo.png?v=2", public)
    assert (target.host, target.port, target.path, target.address) == (
        "logo.example",
        8443,
        "/brand/logo.png?v=2",
        "93.184.216.34",
    )


def test_a_refused_logo_is_left_out_and_the_document_still_renders() -> None:
    org = sample_organization()
    settings = org.invoice_settings.model_copy(update={"logo_url": "https://inside.example/logo.png"})
    view = build_view(
        "invoice", sample_invoice(), org.model_copy(update={"invoice_settings": settings}), None
    )
    assert "Invoice number INV-2026-00042" in text(renderer().render(view))


class FakeResponse:
    def __init__(self, status: int, content_type: str, chunks: list[bytes], delay: float = 0.0) -> None:
        self.status, self.content_type, self.chunks, self.delay = status, content_type, list(chunks), delay

    def getheader(self, name: str, default: str = "") -> str:
        return self.content_type if name == "Content-Type" else default

    def read1(self, size: int) -> bytes:
        import time

        time.sleep(self.delay)
        return self.chunks.pop(0) if self.chunks else b""


class FakeConnection:
    made: list[tuple[str, str]] = []

    def __init__(self, response: FakeResponse) -> None:
        self.response = response

    def request(self, method: str, path: str, headers: dict[str, str]) -> None:
        FakeConnection.made.append((method, path))

    def getresponse(self) -> FakeResponse:
        return self.response

    def close(self) -> None:
        pass


def serve(response: FakeResponse):  # type: ignore[no-untyped-def]
    return lambda target, timeout: FakeConnection(response)


def test_the_logo_is_fetched_within_its_size_type_and_time_bounds() -> None:
    from remit.documents.fetcher import MAX_LOGO_BYTES, fetch_logo

    url = "https://logo.example/brand.png"
    body, kind = fetch_logo(url, public, connect=serve(FakeResponse(200, "image/png", [b"\x89PNG", b"rest"])))
    assert (body, kind) == (b"\x89PNGrest", "image/png")
    big = [b"x" * 65536] * (MAX_LOGO_BYTES // 65536 + 1)
    refusals = {
        "larger than": FakeResponse(200, "image/png", big),
        "not an image": FakeResponse(200, "text/html", [b"<html>"]),
        "answered 302": FakeResponse(302, "image/png", []),
        "took longer": FakeResponse(200, "image/png", [b"a", b"b", b"c"], delay=0.05),
    }
    for says, response in refusals.items():
        with pytest.raises(FetchRefused, match=says):
            fetch_logo(url, public, timeout=0.08, connect=serve(response))


def test_wire_instructions_show_when_the_organization_displays_them() -> None:
    wire = WireInstructions(
        bank_name="First National Bank",
        account_number="****1234",
        routing_number="021000021",
        reference="Invoice {{invoice_number}}",
    )
    org = sample_organization()
    shown = org.model_copy(
        update={"payment_settings": PaymentSettings(display_wire_instructions=True, wire_instructions=wire)}
    )
    pdf = text(renderer().render(build_view("invoice", sample_invoice(), shown, None)))
    assert "Pay by wire transfer" in pdf
    assert "Bank First National Bank" in pdf
    assert "Routing number 021000021" in pdf
    assert "Reference Invoice INV-2026-00042" in pdf
    hidden = org.model_copy(
        update={"payment_settings": PaymentSettings(display_wire_instructions=False, wire_instructions=wire)}
    )
    assert "First National Bank" not in text(
        renderer().render(build_view("invoice", sample_invoice(), hidden, None))
    )
