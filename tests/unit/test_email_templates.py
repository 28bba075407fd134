"""Email templates: variables, the sandbox, autoescaping, refusal at save, the MIME."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from remit.emails.defaults import DEFAULTS, LANGUAGES, TEMPLATE_NAMES, default
from remit.emails.mime import Attachment, OutgoingEmail, build_mime
from remit.emails.render import SAMPLE_VARIABLES, TemplateText, check, html_to_text, referenced, render
from remit.errors import ValidationFailed


def test_every_named_template_has_a_default_in_each_language_that_passes_the_check() -> None:
    assert set(DEFAULTS) == set(TEMPLATE_NAMES)
    for name in TEMPLATE_NAMES:
        for language in LANGUAGES:
            subject, from_name, body = DEFAULTS[name][language]
            check(TemplateText(subject, from_name, body))
    assert default("invoice_issued", "de")[0] == "Rechnung {{invoice_number}} von {{company_name}}"
    assert default("invoice_issued", "pt")[0] == "Invoice {{invoice_number}} from {{company_name}}"


def test_referenced_names_the_variables_of_every_field_and_no_loop_variable() -> None:
    template = TemplateText(
        subject="Invoice {{ invoice_number }}",
        from_name="{{company_name}}",
        body="{% for item in line_items %}{{ item.amount }}{% endfor %}{% if pay_now_url %}<a>{% endif %}",
    )
    assert referenced(template) == {"invoice_number", "company_name", "line_items", "pay_now_url"}
    # The defaults: the invoice email shows the invoice page and its form, never the portal.
    subject, from_name, body = default("invoice_issued", "en")
    used = referenced(TemplateText(subject, from_name, body))
    assert {"invoice_url", "pay_now_url"} <= used
    assert "update_payment_link" not in used


def test_the_seeds_variables_render() -> None:
    template = TemplateText(
        subject="Action needed: Payment for Invoice {{invoice_number}}",
        from_name="{{company_name}} Billing",
        body="<p>Hi {{customer_name}},</p><p>Amount due: {{amount_due}}</p><p>Due date: {{due_date}}</p>"
        '<p><a href="{{update_payment_link}}">Update</a> <a href="{{invoice_url}}">View</a>'
        ' <a href="{{pay_now_url}}">Pay</a></p><p>The {{company_name}} Team</p>',
    )
    check(template)
    out = render(template, SAMPLE_VARIABLES)
    assert out.subject == "Action needed: Payment for Invoice INV-2026-00042"
    assert out.from_name == "Acme Analytics Billing"
    assert "Amount due: $1,250.00" in out.html
    assert "Due date: Apr 1, 2026" in out.text
    assert "Update (https://billing.example.com/payment-methods)" in out.text
    assert "Pay (https://billing.example.com/invoices/inv_sample/pay)" in out.text


def test_customer_text_cannot_inject_html_into_the_body_or_headers_into_the_subject() -> None:
    template = TemplateText(
        "Invoice for {{customer_name}}", "{{company_name}}", "<p>Hi {{customer_name}}</p>"
    )
    variables = dict(SAMPLE_VARIABLES, customer_name="<script>alert(1)</script>\r\nBcc: evil@example.com")
    out = render(template, variables)
    assert "<script>" not in out.html
    assert "&lt;script&gt;" in out.html
    assert "\n" not in out.subject
    assert "\r" not in out.subject
    assert out.subject.startswith("Invoice for <script>")  # a header is text, never HTML


@pytest.mark.parametrize(
    ("field", "source", "problem"),
    [
        ("body", "<p>Hi {{customer_nme}}</p>", "unknown variable {{customer_nme}}"),
        ("subject", "Invoice {{ number }}", "unknown variable {{number}}"),
        ("body", "<p>{% if amount_due %}unclosed</p>", "does not parse"),
        ("body", "{{ customer_name }", "does not parse"),
        ("body", "{{ ''.__class__.__mro__ }}", "cannot be rendered"),
        ("body", "{{ customer_name.__class__.__init__.__globals__ }}", "cannot be rendered"),
        ("body", "{{ company_name.format.__self__ }}", "cannot be rendered"),
        (
            "body",
            "{% for item in line_items %}{{ item.__class__.__mro__ }}{% endfor %}",
            "cannot be rendered",
        ),
        (
            "body",
            "{% for item in line_items %}{{ item.items.__globals__ }}{% endfor %}",
            "cannot be rendered",
        ),
        (
            "body",
            "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{{ c }}{% endfor %}",
            "cannot be rendered",
        ),
        ("fromName", "{{ lipsum.__globals__ }}", "unknown variable {{lipsum}}"),
        ("body", "{{ cycler.__init__.__globals__.os }}", "unknown variable {{cycler}}"),
    ],
)
def test_a_template_that_would_fail_or_escape_the_sandbox_is_refused_naming_the_problem(
    field: str, source: str, problem: str
) -> None:
    base = {"subject": "Invoice {{invoice_number}}", "fromName": "Billing", "body": "<p>Hi</p>"}
    base[field] = source
    with pytest.raises(ValidationFailed) as refused:
        check(TemplateText(base["subject"], base["fromName"], base["body"]))
    assert refused.value.field == field
    assert refused.value.code == "template_invalid"
    assert problem in refused.value.message


def test_the_sandbox_refuses_python_internals_at_render_time_too() -> None:
    # Belt and braces: even a template that skipped the check cannot reach internals.
    with pytest.raises(Exception, match=r"unsafe|undefined|has no attribute"):
        render(TemplateText("x", "x", "{{ ''.__class__.__mro__[1].__subclasses__() }}"), SAMPLE_VARIABLES)


def test_html_to_text_keeps_paragraphs_and_links() -> None:
    assert html_to_text('<p>Hi A &amp; B,</p>\n<p>See <a href="https://x.example/i">it</a>.</p>') == (
        "Hi A & B,\n\nSee it (https://x.example/i).\n"
    )


def test_mime_has_text_html_and_the_pdf_with_recipients_cc_and_reply_to() -> None:
    email = OutgoingEmail(
        from_address="billing@remit.example",
        from_name="Acme Büro",
        to=["a@globex.example", "b@globex.example"],
        cc=["finance@acme.example"],
        subject="Rechnung INV-1 von Acme",
        html="<p>Hallo Grüße</p>",
        text="Hallo Grüße\n",
        reply_to="support@acme.example",
        attachments=[Attachment("Invoice INV-1.pdf", b"%PDF-1.7 fake")],
    )
    raw = build_mime(email)
    raw.decode("ascii")  # 7-bit clean, as SES wants
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["To"] == "a@globex.example, b@globex.example"
    assert parsed["Cc"] == "finance@acme.example"
    assert parsed["Reply-To"] == "support@acme.example"
    assert str(parsed["From"]) == "Acme Büro <billing@remit.example>"
    assert parsed["Subject"] == "Rechnung INV-1 von Acme"
    assert parsed.get_content_type() == "multipart/mixed"
    assert parsed.get_body(("plain",)).get_content() == "Hallo Grüße\n"  # type: ignore[union-attr]
    assert "Grüße" in parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "Invoice INV-1.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True) == b"%PDF-1.7 fake"


FOUR_LOOPS = (
    "{% for a in line_items %}{% for b in line_items %}{% for c in line_items %}"
    "{% for d in line_items %}{{ d.amount }}{% endfor %}{% endfor %}{% endfor %}{% endfor %}"
)


@pytest.mark.parametrize(
    ("field", "source", "limit"),
    [
        ("body", FOUR_LOOPS, "loop iterations"),
        ("body", "{% for a in line_items %}{% for b in line_items %}x{% endfor %}{% endfor %}", "loop"),
        ("body", "{{ 'a' * 5000000 }}", "repeated value"),
        ("body", "{{ 3 ** 2000000 }}", "exponent"),
        ("body", "{{ 10 ** 5000 }}", "exponent"),
        ("body", "{{ (10 ** 200) ** 20 }}", "bits"),
        ("subject", "{{ 'x'|center(100000000) }}", "center argument"),
        ("body", "{{ 'x'.center(100000000) }}", "center() width"),
        ("body", "{{ '%0999999999d'|format(1) }}", "width"),
        ("body", "{{ '%0999999999d' % 1 }}", "width"),
        ("body", "{{ '{:>999999999}'.format(1) }}", "width"),
        ("body", "{{ customer_name.expandtabs(100) }}", "cannot be called"),
        ("body", "{% for i in line_items %}{{ line_items.append(i) }}{% endfor %}", "cannot be called"),
        ("body", "{% set a = 'a' * 1000 %}" + "{% set a = a ~ a %}" * 11, "joined value"),
        ("body", "{{ ('a' * 900000)|replace('a', 'bb') }}", "replace"),
        ("body", "{% for i in line_items %}" + "x" * 5000 + "{% endfor %}", "characters of output"),
        (
            "body",
            "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
            "calls",
        ),
    ],
)
def test_a_template_past_a_limit_is_refused_at_save_naming_the_limit(
    field: str, source: str, limit: str
) -> None:
    base = {"subject": "Invoice {{invoice_number}}", "fromName": "Billing", "body": "<p>Hi</p>"}
    base[field] = source
    with pytest.raises(ValidationFailed) as refused:
        check(TemplateText(base["subject"], base["fromName"], base["body"]))
    assert refused.value.field == field
    assert refused.value.code == "template_limit", refused.value.message
    assert limit in refused.value.message


def test_the_defaults_render_the_largest_invoice_within_the_limits() -> None:
    from remit.emails.render import LARGEST_VARIABLES

    subject, from_name, body = default("invoice_issued", "en")
    out = render(TemplateText(subject, from_name, body), LARGEST_VARIABLES)
    assert out.html.count("<tr>") == 251
    # One loop over the lines a few times, with a filter per line, is fine too.
    check(
        TemplateText(
            "x",
            "x",
            "{% for i in line_items %}{{ i.description|upper|truncate(40) }}{{ loop.length }}{% endfor %}"
            "{% for i in line_items|batch(3) %}{{ i|map(attribute='amount')|join(', ') }}{% endfor %}",
        )
    )


def test_a_stored_template_past_a_limit_fails_to_render_with_a_clear_error() -> None:
    from remit.emails.render import LARGEST_VARIABLES, RenderFailed

    with pytest.raises(RenderFailed) as failed:
        render(TemplateText("x", "x", FOUR_LOOPS), LARGEST_VARIABLES)
    assert (failed.value.code, failed.value.field) == ("template_limit", "body")
