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


# RFC 5322's line length; headers are folded to it here, never by the email package.
MAX_LINE = 78


def _fold_words(text: str, first: int) -> list[str] | None:
    """``text`` broken at its spaces into lines of at most MAX_LINE (the first has ``first``
    characters before it); None if a run without spaces is too long for that."""
    lines = [""]
    room = MAX_LINE - first
    # (A line of nothing but spaces would end the header for some readers: an empty word,
    # from two spaces in a row, is never put on a line of its own.)
    for i, word in enumerate(text.split(" ")):
        piece = word if i == 0 else " " + word
        if len(lines[-1]) + len(piece) <= room:
            lines[-1] += piece
        elif word and len(piece) <= MAX_LINE:
            lines.append(piece)  # folding at a space keeps it: the next line starts with it
            room = MAX_LINE
        else:
            return None
    return lines


def address_header(header: str, display_name: str, address: str) -> str:
    """The value of an address header, already folded, in which the display name can only
    ever be read as a name (it may be a template's ``fromName``, given through the API).
    The email package's own folder (3.11 at least) drops the quotes
    of a long quoted name, so ``Big Co <evil@x.example>`` became the address; here a
    printable ASCII name is a quoted string folded only at its spaces (where folding leaves
    it unchanged) and any other name is RFC 2047 encoded words, in which ``<``, ``"`` and
    ``,`` are encoded."""
    from email.header import Header
    from email.utils import formataddr

    angle = f"<{address}>"
    if not display_name:
        return angle
    # A name that looks like an encoded word is encoded too: readers decode them even
    # inside quotes.
    if display_name.isascii() and display_name.isprintable() and "=?" not in display_name:
        # formataddr quotes (and escapes) a name with specials; a plain one stays atoms.
        phrase = formataddr((display_name, address))[: -len(angle) - 1]
        lines = _fold_words(f"{phrase} {angle}", len(header) + 2)
        if lines is not None:
            return "\n".join(lines)
    words = Header(display_name, "utf-8", maxlinelen=MAX_LINE - 2, header_name=header)
    return words.encode(splitchars=" ", linesep="\n") + "\n " + angle


def build_mime(email: OutgoingEmail) -> bytes:
    # The email package is imported here: only senders need it, not every API cold start.
    from email.message import EmailMessage
    from email.utils import make_msgid

    message = EmailMessage()
    domain = email.from_address.partition("@")[2]
    # Stored as folded text: the generator writes it as it is (every line fits), instead
    # of parsing and refolding it.
    message.set_raw("From", address_header("From", email.from_name, email.from_address))
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
