"""Checking an SNS HTTP(S) delivery before trusting it.

What is checked, in order: the message is one of SNS's three types from the pinned topic;
its signing certificate URL is https on ``sns.<region>.amazonaws.com`` (the topic's
region) and names a ``.pem``; the certificate (fetched once per URL, then cached) is
SNS's; the SignatureVersion 2 signature (RSA, SHA-256) over SNS's canonical string
verifies; the timestamp is recent. Only then is a subscription confirmed or an event
returned.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
TYPES = {"Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"}
MAX_CERT_BYTES = 16 * 1024


class VerificationError(Exception):
    """The request is not a genuine SNS delivery from the pinned topic: answer 400."""


def fetch_https(url: str) -> bytes:
    """GET a small document over https (the certificate, the confirmation link)."""
    if not url.startswith("https://"):
        raise VerificationError("refusing a non-https URL")
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - scheme checked above
        return bytes(response.read(MAX_CERT_BYTES + 1))


def canonical(message: dict[str, Any]) -> bytes:
    """The string SNS signs: ``name\\nvalue\\n`` for each present field, in this order."""
    names = NOTIFICATION_FIELDS if message["Type"] == "Notification" else CONFIRMATION_FIELDS
    return "".join(f"{n}\n{message[n]}\n" for n in names if n in message).encode()


@dataclass
class Verifier:
    topic_arn: str
    max_age: timedelta = timedelta(hours=2)
    fetch: Callable[[str], bytes] = fetch_https
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    _certificates: dict[str, rsa.RSAPublicKey] = field(default_factory=dict, repr=False)

    @property
    def region(self) -> str:
        return self.topic_arn.split(":")[3]

    def verify(self, body: bytes | str) -> dict[str, Any]:
        """The SNS message, once every check passes; VerificationError otherwise."""
        try:
            message = json.loads(body)
        except ValueError as exc:
            raise VerificationError("the body is not JSON") from exc
        if not isinstance(message, dict) or message.get("Type") not in TYPES:
            raise VerificationError("not an SNS message")
        if message.get("TopicArn") != self.topic_arn:
            raise VerificationError("the message is from another topic")
        if str(message.get("SignatureVersion")) != "2":
            raise VerificationError("only SignatureVersion 2 (SHA-256) is accepted")
        key = self._certificate(str(message.get("SigningCertURL", "")))
        try:
            signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
            key.verify(signature, canonical(message), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError, KeyError) as exc:
            raise VerificationError("the signature does not verify") from exc
        self._check_time(str(message.get("Timestamp", "")))
        return message

    def _certificate(self, url: str) -> rsa.RSAPublicKey:
        parts = urlsplit(url)
        if parts.scheme != "https" or not self._on_sns_host(parts.hostname):
            raise VerificationError("the signing certificate is not on SNS's own host")
        if not parts.path.endswith(".pem") or parts.query:
            raise VerificationError("the signing certificate URL is not a certificate")
        if url not in self._certificates:
            pem = self.fetch(url)
            if len(pem) > MAX_CERT_BYTES:
                raise VerificationError("the signing certificate is too large")
            try:
                certificate = x509.load_pem_x509_certificate(pem)
            except ValueError as exc:
                raise VerificationError("the signing certificate does not parse") from exc
            names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
            if not names or not str(names[0].value).endswith("sns.amazonaws.com"):
                raise VerificationError("the certificate is not SNS's")
            key = certificate.public_key()
            if not isinstance(key, rsa.RSAPublicKey):
                raise VerificationError("the certificate's key is not RSA")
            self._certificates[url] = key
        return self._certificates[url]

    def _on_sns_host(self, host: str | None) -> bool:
        return bool(re.fullmatch(re.escape(f"sns.{self.region}.amazonaws.com") + r"(\.cn)?", host or ""))

    def _check_time(self, stamp: str) -> None:
        try:
            sent = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError as exc:
            raise VerificationError("the timestamp does not parse") from exc
        if sent.tzinfo is None or abs(self.now() - sent) > self.max_age:
            raise VerificationError("the message is too old (or from the future): a replay?")

    def confirm(self, message: dict[str, Any]) -> None:
        """Visit the SubscribeURL of a verified SubscriptionConfirmation."""
        url = str(message.get("SubscribeURL", ""))
        parts = urlsplit(url)
        if parts.scheme != "https" or not (parts.hostname or "").startswith(
            f"sns.{self.region}.amazonaws.com"
        ):
            raise VerificationError("the confirmation link is not SNS's")
        self.fetch(url)


class Deduper(Protocol):
    """Remembers event ids: SNS delivers at least once, so a handler sees some twice."""

    def first_time(self, event_id: str) -> bool: ...


@dataclass
class MemoryDeduper:
    """The last ``size`` ids, in memory. A subscriber with more than one process should
    keep them in its database instead (a unique key on the event id)."""

    size: int = 10_000
    _seen: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def first_time(self, event_id: str) -> bool:
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True


def handle(
    body: bytes | str,
    verifier: Verifier,
    deduper: Deduper,
    on_event: Callable[[dict[str, Any]], None],
) -> dict[str, Any] | None:
    """Verify a delivery and act on it: confirm a subscription, or call ``on_event`` with
    the Remit event (once per event id). Returns the event, or None when there was none
    to act on. Raises VerificationError for anything not genuine."""
    message = verifier.verify(body)
    if message["Type"] == "SubscriptionConfirmation":
        verifier.confirm(message)
        return None
    if message["Type"] != "Notification":
        return None
    event = json.loads(message["Message"])
    if not isinstance(event, dict) or "id" not in event or "type" not in event:
        raise VerificationError("the notification does not carry a Remit event")
    if not deduper.first_time(str(event["id"])):
        return None
    on_event(event)
    return event
