"""The MIME message SES sends (raw): multipart/mixed holding multipart/alternative (plain
text, then HTML) and the PDF attachment when there is one."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = "application/pdf"


@dataclass(frozen=True)
class OutgoingEmail:
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    html: str
    text: str
    reply_to: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    # SES message tags: they come back on delivery, bounce and complaint notifications.
    tags: dict[str, str] = field(default_factory=dict)


def build_mime(email: OutgoingEmail) -> bytes:
    # The email package is imported here: only senders need it, not every API cold start.
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import make_msgid

    message = EmailMessage()
    local, _, domain = email.from_address.partition("@")
    message["From"] = Address(display_name=email.from_name, username=local, domain=domain)
    message["To"] = ", ".join(email.to)
    if email.cc:
        message["Cc"] = ", ".join(email.cc)
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(domain=domain or None)
    message.set_content(email.text, cte="quoted-printable")
    message.add_alternative(email.html, subtype="html", cte="quoted-printable")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    # SES takes 7-bit-safe bytes; the policy folds headers and encodes non-ASCII names.
    return message.as_bytes()


def sender(email: OutgoingEmail) -> str:
    from email.utils import formataddr

    return formataddr((email.from_name, email.from_address))
