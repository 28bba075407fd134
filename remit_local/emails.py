"""The emails the local cloud has sent, read back from moto's SES (moto runs in this
process, so its backend is at hand): ``GET /_local/emails`` as JSON, newest first, or as
a small HTML page for a person (a browser's ``Accept: text/html``, or ``?format=html``)."""

from __future__ import annotations

import html
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any

from remit_local.apigw import ACCOUNT_ID, REGION


def sent_emails() -> list[dict[str, Any]]:
    from moto.ses.models import ses_backends

    backend = ses_backends[ACCOUNT_ID][REGION]
    found = []
    for message in reversed(backend.sent_messages):
        raw = getattr(message, "raw_data", None)
        if raw is None:
            continue  # Remit only sends raw MIME; anything else is not ours
        found.append({"id": message.id, **describe(raw)})
    return found


def _addresses(value: str | None) -> list[str]:
    return [a.strip() for a in (value or "").split(",") if a.strip()]


def describe(raw: str) -> dict[str, Any]:
    parsed = message_from_string(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text = parsed.get_body(preferencelist=("plain",))
    body = parsed.get_body(preferencelist=("html",))
    attachments = [
        {
            "filename": part.get_filename(),
            "contentType": part.get_content_type(),
            "size": len(part.get_payload(decode=True) or b""),
        }
        for part in parsed.iter_attachments()
    ]
    return {
        "from": str(parsed["From"] or ""),
        "to": _addresses(parsed["To"]),
        "cc": _addresses(parsed["Cc"]),
        "replyTo": str(parsed["Reply-To"]) if parsed["Reply-To"] else None,
        "subject": str(parsed["Subject"] or ""),
        "text": text.get_content() if text is not None else "",
        "html": body.get_content() if body is not None else "",
        "attachments": attachments,
    }


def page(emails: list[dict[str, Any]]) -> str:
    rows = []
    for e in emails:
        files = ", ".join(f"{a['filename']} ({a['size']:,} bytes)" for a in e["attachments"]) or "none"
        rows.append(
            "<article>"
            f"<h2>{html.escape(e['subject'])}</h2>"
            f"<p><b>From</b> {html.escape(e['from'])} &nbsp; <b>To</b> {html.escape(', '.join(e['to']))}"
            f" &nbsp; <b>Cc</b> {html.escape(', '.join(e['cc']) or '-')}"
            f" &nbsp; <b>Reply-To</b> {html.escape(e['replyTo'] or '-')}</p>"
            f"<p><b>Attachments</b> {html.escape(files)}</p>"
            # The email's own HTML in a sandboxed frame: shown as sent, unable to run script.
            f'<iframe sandbox="" srcdoc="{html.escape(e["html"], quote=True)}"></iframe>'
            "</article>"
        )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Remit local emails</title>"
        "<style>body{font-family:sans-serif;margin:2em;max-width:60em}article{border-bottom:1px solid #ddd;"
        "padding:1em 0}iframe{width:100%;height:16em;border:1px solid #eee}</style></head><body>"
        f"<h1>Emails sent locally ({len(emails)})</h1>{''.join(rows) or '<p>None yet.</p>'}</body></html>"
    )
