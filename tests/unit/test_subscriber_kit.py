"""The subscriber kit against messages signed here, with a certificate made here, exactly
as SNS signs (SignatureVersion 2: RSA with SHA-256 over the canonical string)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from remit_subscriber import MemoryDeduper, VerificationError, Verifier, handle
from remit_subscriber.verify import canonical

TOPIC = "arn:aws:sns:eu-west-1:123456789012:remit-prod-EventsTopic"
CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc123.pem"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def make_certificate(common_name: str = "sns.amazonaws.com") -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


KEY, PEM = make_certificate()


def signed(message: dict[str, Any], key: rsa.RSAPrivateKey = KEY) -> dict[str, Any]:
    signature = key.sign(canonical(message), padding.PKCS1v15(), hashes.SHA256())
    return message | {"SignatureVersion": "2", "Signature": base64.b64encode(signature).decode()}


def notification(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "Type": "Notification",
        "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
        "TopicArn": TOPIC,
        "Message": json.dumps(event),
        "Timestamp": "2026-11-30T11:59:00.000Z",
        "SigningCertURL": CERT_URL,
        **changes,
    }


EVENT = {
    "id": "evt_01KF0E5A2B3C4D5E6F7G8H9J0K",
    "type": "invoice.paid",
    "createdAt": "2026-11-30T11:59:00Z",
    "organizationId": "org_1",
    "apiVersion": "2026-11-01",
    "data": {"invoiceNumber": "INV-2026-0042", "total": "1190.00", "paidAt": "2026-11-30T11:59:00Z"},
}


class Fetcher:
    def __init__(self, documents: dict[str, bytes]) -> None:
        self.documents = documents
        self.fetched: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.fetched.append(url)
        return self.documents.get(url, b"")


def verifier(fetch: Fetcher | None = None) -> Verifier:
    return Verifier(TOPIC, fetch=fetch or Fetcher({CERT_URL: PEM}), now=lambda: NOW)


def test_a_genuine_notification_gives_the_event_once() -> None:
    got: list[dict[str, Any]] = []
    check, deduper = verifier(), MemoryDeduper()
    body = json.dumps(signed(notification(EVENT)))
    assert handle(body, check, deduper, got.append) == EVENT
    assert handle(body, check, deduper, got.append) is None  # SNS delivered it twice
    assert got == [EVENT]


def test_the_certificate_is_fetched_once_and_cached() -> None:
    fetch = Fetcher({CERT_URL: PEM})
    check = verifier(fetch)
    for n in range(3):
        check.verify(json.dumps(signed(notification(EVENT, MessageId=f"m-{n}"))))
    assert fetch.fetched == [CERT_URL]


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda m: m | {"Message": m["Message"].replace("1190.00", "1.00")}, "signature"),
        (lambda m: m | {"TopicArn": TOPIC.replace("prod", "dev")}, "another topic"),
        (lambda m: m | {"SignatureVersion": "1"}, "SignatureVersion 2"),
        (lambda m: m | {"Signature": "bm90IGEgc2lnbmF0dXJl"}, "signature"),
        (lambda m: m | {"Type": "Surprise"}, "not an SNS message"),
    ],
)
def test_tampered_messages_are_refused(tamper: Any, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        verifier().verify(json.dumps(tamper(signed(notification(EVENT)))))


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc123.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem",
        "https://sns.eu-west-1.amazonaws.com.attacker.example/cert.pem",
        "https://attacker.example/sns.eu-west-1.amazonaws.com/cert.pem",
        "https://sns.eu-west-1.amazonaws.com/cert.txt",
    ],
)
def test_certificates_come_only_from_sns_in_the_topics_region(url: str) -> None:
    fetch = Fetcher({url: PEM})
    with pytest.raises(VerificationError):
        verifier(fetch).verify(json.dumps(signed(notification(EVENT, SigningCertURL=url))))
    assert fetch.fetched == []


def test_a_message_signed_by_another_key_is_refused() -> None:
    other_key, _ = make_certificate()
    with pytest.raises(VerificationError, match="signature"):
        verifier().verify(json.dumps(signed(notification(EVENT), key=other_key)))


def test_a_certificate_that_is_not_snss_is_refused() -> None:
    key, pem = make_certificate("attacker.example")
    with pytest.raises(VerificationError, match="not SNS's"):
        verifier(Fetcher({CERT_URL: pem})).verify(json.dumps(signed(notification(EVENT), key=key)))


def test_old_messages_are_refused_as_replays() -> None:
    stale = notification(EVENT, Timestamp="2026-11-30T09:00:00.000Z")
    with pytest.raises(VerificationError, match="too old"):
        verifier().verify(json.dumps(signed(stale)))


def test_a_subscription_confirmation_visits_snss_link_and_gives_no_event() -> None:
    subscribe = "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t"
    fetch = Fetcher({CERT_URL: PEM, subscribe: b"<ok/>"})
    confirmation = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "m-c",
        "Token": "t",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe ...",
        "SubscribeURL": subscribe,
        "Timestamp": "2026-11-30T11:59:00.000Z",
        "SigningCertURL": CERT_URL,
    }
    got: list[dict[str, Any]] = []
    assert handle(json.dumps(signed(confirmation)), verifier(fetch), MemoryDeduper(), got.append) is None
    assert fetch.fetched == [CERT_URL, subscribe]
    assert got == []


def test_the_deduper_forgets_the_oldest_beyond_its_size() -> None:
    deduper = MemoryDeduper(size=2)
    assert [deduper.first_time(i) for i in ("a", "b", "a", "c", "a")] == [True, True, False, True, True]
