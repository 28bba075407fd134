"""The From header of a sent message (issue 17.6): whatever the display name holds (angle
brackets, quotes, commas, non-ASCII, a length that needs folding), parsing the message
back finds exactly one address, the sender's, and the name as given. The email package's
own folding lost a long name's quotes, and the From then read as the address inside it."""

from __future__ import annotations

from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser

import pytest

from remit.emails.mime import OutgoingEmail, build_mime

SENDER = "billing@remit.example"
NAMES = [
    "Globex Corporation International Accounts Receivable Department <accounts@globex.example>",
    "Globex <accounts@globex.example>",
    'Acme "Billing", Inc. <evil@x.example>, ops@y.example',
    'a\\b "c" <d@e.example>' + " padding" * 20,
    "Acme Inc.",
    "Plain",
    "Two  spaces  " + "between words " * 8 + "<x@y.example>",
    "Müller & Söhne GmbH <accounts@globex.example>, Buchhaltung",
    "Общество с ограниченной ответственностью «Ромашка» <buh@romashka.example>",  # noqa: RUF001
    "株式会社グローベックス 経理部 <keiri@globex.example>",
    "A" * 120 + " <x@y.example>",
    "=?utf-8?q?<x@y.example>?=",
]


def sent(name: str) -> bytes:
    return build_mime(
        OutgoingEmail(
            from_address=SENDER,
            from_name=name,
            to=["ap@customer.example"],
            cc=[],
            subject="Invoice INV-2026-00001",
            html="<p>hi</p>",
            text="hi",
        )
    )


def raw_from(raw: bytes) -> str:
    """The From header's value as sent, unfolded."""
    head = raw.decode("ascii").replace("\r\n", "\n").split("\n\n")[0]
    unfolded = head.replace("\n ", " ")
    return next(h for h in unfolded.split("\n") if h.startswith("From: "))[len("From: ") :]


@pytest.mark.parametrize("name", NAMES)
def test_the_display_name_never_becomes_the_address(name: str) -> None:
    raw = sent(name)
    head = raw.split(b"\n\n")[0].split(b"\n")
    assert all(len(line.rstrip(b"\r")) <= 78 for line in head)
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    [address] = parsed["From"].addresses
    assert address.addr_spec == SENDER
    value = raw_from(raw)
    assert value.endswith(f" <{SENDER}>")
    if "=?" not in value:
        assert address.display_name == name
    else:
        # Encoded words (non-ASCII, or too long to fold at a space), decoded as RFC 2047
        # says: the space between two of them is not part of the text. Python's address
        # parser keeps one there, so its reading is compared without spaces.
        assert str(make_header(decode_header(value.removesuffix(f" <{SENDER}>")))) == name
        assert address.display_name.replace(" ", "") == name.replace(" ", "")
