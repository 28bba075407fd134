"""SNS's HTTP(S) subscriptions on the local cloud, delivered the way AWS delivers them.

moto posts to an HTTP subscriber inside ``Publish`` and fails the whole publish when the
subscriber is unreachable, so one dead webhook endpoint would stop the publisher and with
it every queue behind the topic (emails, documents, receivables). In AWS a subscriber
never fails a publish: SNS answers at once and delivers on its own, retrying by the
subscription's delivery policy and then handing the message to the subscription's
dead-letter queue. ``HttpDeliveries`` does the same for the local cloud's topics:

- ``Publish`` only queues the delivery; a pool of threads posts it.
- A failure (no connection, a timeout, 5xx or 429) is retried on the delivery policy's
  schedule (``healthyRetryPolicy``); a 4xx other than 429 is not retried. What is given up
  on goes to the ``RedrivePolicy`` dead-letter queue as the SNS envelope, as AWS does.
- A new HTTP(S) subscription is ``PendingConfirmation`` until the subscriber visits the
  ``SubscribeURL`` of the signed ``SubscriptionConfirmation`` message it is sent, exactly
  as in AWS (the subscriber kit, ``remit_subscriber``, does that).

Only the topics it is told about are handled this way; any other topic (a test's
``mock_aws``) keeps moto's own behaviour.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import secrets
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

log = logging.getLogger("remit_local.sns_http")

# What AWS uses for an HTTP(S) subscription that names no delivery policy.
DEFAULT_POLICY = {
    "minDelayTarget": 20,
    "maxDelayTarget": 20,
    "numRetries": 3,
    "numNoDelayRetries": 0,
    "numMinDelayRetries": 0,
    "numMaxDelayRetries": 0,
    "backoffFunction": "linear",
}
# SNS waits 15 s for an HTTP endpoint to answer.
ATTEMPT_TIMEOUT = 15.0
HTTP_PROTOCOLS = ("http", "https")


def retry_delays(policy: dict[str, Any]) -> list[float]:
    """The waits before each retry, in seconds, as SNS's delivery policy phases them:
    immediate retries, retries at the minimum delay, a backoff phase from the minimum to
    the maximum, then retries at the maximum."""
    p = {**DEFAULT_POLICY, **policy}
    low, high = float(p["minDelayTarget"]), float(p["maxDelayTarget"])
    total, immediate = int(p["numRetries"]), int(p["numNoDelayRetries"])
    at_min, at_max = int(p["numMinDelayRetries"]), int(p["numMaxDelayRetries"])
    backoff = max(0, total - immediate - at_min - at_max)
    steps: list[float] = [0.0] * immediate + [low] * at_min
    for i in range(1, backoff + 1):
        share = i / backoff
        if p["backoffFunction"] == "exponential":
            steps.append(low * (high / low) ** share if low > 0 else high * share)
        elif p["backoffFunction"] == "arithmetic":
            steps.append(low + (high - low) * share * share)
        else:  # linear (and geometric, close enough for a local stand-in)
            steps.append(low + (high - low) * share)
    steps += [high] * at_max
    return steps[:total]


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    subscription_arn: str = field(compare=False)
    body: dict[str, Any] = field(compare=False)
    message_type: str = field(compare=False)
    attempt: int = field(default=0, compare=False)


class HttpDeliveries:
    """Asynchronous HTTP(S) delivery for the local cloud's SNS topics (moto in-process).

    ``time_scale`` multiplies every retry delay: 1.0 is AWS's schedule; tests pass a small
    one so that a dead endpoint reaches its dead-letter queue in moments."""

    def __init__(
        self, *, time_scale: float = 1.0, workers: int = 8, clock: Callable[[], float] | None = None
    ):
        import time

        self.time_scale = time_scale
        self._clock = clock or time.monotonic
        self._topics: set[str] = set()
        self._tokens: dict[str, str] = {}  # confirmation token -> subscription arn
        self._heap: list[_Job] = []
        self._seq = itertools.count()
        self._busy = 0
        self._cv = threading.Condition()
        self._stop = False
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sns-http")
        self._thread = threading.Thread(target=self._loop, name="sns-http-scheduler", daemon=True)
        self.delivered: list[dict[str, Any]] = []  # (for the operator's view) what reached whom

    # -- installing into moto ---------------------------------------------------------------

    def own(self, topic_arn: str) -> None:
        """Deliver this topic's HTTP(S) subscriptions here, not inside ``Publish``."""
        self._topics.add(topic_arn)

    def install(self) -> HttpDeliveries:
        with _PATCH_LOCK:
            if not _ACTIVE:
                _patch_moto()
            _ACTIVE.append(self)
        self._thread.start()
        return self

    def uninstall(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        with _PATCH_LOCK:
            if self in _ACTIVE:
                _ACTIVE.remove(self)
                if not _ACTIVE:
                    _unpatch_moto()
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    # -- confirmations ------------------------------------------------------------------------

    def _confirmation(self, sub: Any) -> dict[str, Any]:
        """A signed SubscriptionConfirmation, as SNS sends it (SignatureVersion 2)."""
        token = secrets.token_hex(64)
        self._tokens[token] = sub.arn
        region = sub.topic.sns_backend.region_name
        query = urlencode({"Action": "ConfirmSubscription", "TopicArn": sub.topic.arn, "Token": token})
        body = {
            "Type": "SubscriptionConfirmation",
            "MessageId": str(uuid.uuid4()),
            "Token": token,
            "TopicArn": sub.topic.arn,
            "Message": (
                f"You have chosen to subscribe to the topic {sub.topic.arn}.\n"
                "To confirm the subscription, visit the SubscribeURL included in this message."
            ),
            "SubscribeURL": f"https://sns.{region}.amazonaws.com/?{query}",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "SignatureVersion": "2",
        }
        body["Signature"], body["SigningCertURL"] = _sign(body, region)
        return body

    def confirm(self, token: str) -> str | None:
        """Confirm the subscription a token was sent for; None: not one of ours."""
        from moto.sns.models import sns_backends

        arn = self._tokens.pop(token, None)
        if arn is None:
            return None
        account, region = arn.split(":")[4], arn.split(":")[3]
        sub = sns_backends[account][region].subscriptions.get(arn)
        if sub is not None:
            sub.attributes["PendingConfirmation"] = "false"
            sub.attributes["ConfirmationWasAuthenticated"] = "true"
        return arn

    # -- the delivery loop --------------------------------------------------------------------

    def enqueue(
        self,
        subscription_arn: str,
        body: dict[str, Any],
        message_type: str,
        delay: float = 0.0,
        attempt: int = 0,
    ) -> None:
        with self._cv:
            job = _Job(self._clock() + delay, next(self._seq), subscription_arn, body, message_type, attempt)
            heapq.heappush(self._heap, job)
            self._cv.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is due now or being posted (tests, after a publish). False
        if that did not happen within ``timeout`` seconds."""
        deadline = self._clock() + timeout
        with self._cv:
            while self._busy or (self._heap and self._heap[0].due <= self._clock()):
                left = deadline - self._clock()
                if left <= 0:
                    return False
                self._cv.wait(min(left, 0.05))
        return True

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._stop and (not self._heap or self._heap[0].due > self._clock()):
                    wait = self._heap[0].due - self._clock() if self._heap else None
                    self._cv.wait(wait)
                if self._stop:
                    return
                job = heapq.heappop(self._heap)
                self._busy += 1
            try:
                self._pool.submit(self._attempt, job)
            except RuntimeError:  # shut down
                return

    def _attempt(self, job: _Job) -> None:
        try:
            sub = _subscription(job.subscription_arn)
            if sub is None:
                return  # unsubscribed meanwhile: SNS drops it
            outcome = self._post(sub, job)
            self._settle(sub, job, outcome)
        except Exception:  # a bug here must not end the pool
            log.exception("delivery to %s failed unexpectedly", job.subscription_arn)
        finally:
            with self._cv:
                self._busy -= 1
                self._cv.notify_all()

    def _post(self, sub: Any, job: _Job) -> str:
        """'ok', 'retry' or 'drop' (a client error SNS does not retry)."""
        request = urllib.request.Request(
            sub.endpoint,
            data=json.dumps(job.body).encode(),
            method="POST",
            headers={
                "Content-Type": "text/plain; charset=UTF-8",
                "x-amz-sns-message-type": job.message_type,
                "x-amz-sns-message-id": str(job.body.get("MessageId", "")),
                "x-amz-sns-topic-arn": sub.topic.arn,
                "x-amz-sns-subscription-arn": sub.arn,
                "User-Agent": "Amazon Simple Notification Service Agent",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=ATTEMPT_TIMEOUT) as reply:
                status = int(reply.status)
        except urllib.error.HTTPError as exc:
            status = int(exc.code)
        except (OSError, ValueError) as exc:
            log.info("%s: %s", sub.endpoint, exc)
            return "retry"
        if 200 <= status < 300:
            self.delivered.append({"endpoint": sub.endpoint, "type": job.message_type, "status": status})
            return "ok"
        return "retry" if status >= 500 or status == 429 else "drop"

    def _settle(self, sub: Any, job: _Job, outcome: str) -> None:
        if outcome == "ok":
            return
        delays = retry_delays(_policy(sub))
        if outcome == "retry" and job.attempt < len(delays):
            wait = delays[job.attempt] * self.time_scale
            self.enqueue(job.subscription_arn, job.body, job.message_type, wait, job.attempt + 1)
            return
        if job.message_type == "Notification":
            _dead_letter(sub, job.body)


# moto is patched once per process, however many local clouds run in it (tests start
# more than one); each topic's deliveries go to the local cloud that owns the topic.
_ACTIVE: list[HttpDeliveries] = []
_PATCH_LOCK = threading.Lock()
_ORIGINALS: list[tuple[Any, str, Any]] = []


def _owner(topic_arn: str) -> HttpDeliveries | None:
    return next((d for d in _ACTIVE if topic_arn in d._topics), None)


def _patch_moto() -> None:
    from moto.sns import models, responses

    original_publish = models.Subscription.publish
    original_subscribe = models.SNSBackend.subscribe
    original_confirm = responses.SNSResponse.confirm_subscription

    def publish(sub: Any, message: str, message_id: str, subject: str | None = None, **kwargs: Any) -> None:
        owner = _owner(sub.topic.arn) if sub.protocol in HTTP_PROTOCOLS else None
        if owner is None:
            return original_publish(sub, message, message_id, subject, **kwargs)
        matcher = sub._filter_policy_matcher
        if matcher is not None and not matcher.matches(kwargs.get("message_attributes"), message):
            return None
        if kwargs.get("message_structure") == "json":
            message = sub._parse_message_structure(message, sub.protocol)
        owner.enqueue(sub.arn, sub.get_post_data(message, message_id, subject), "Notification")
        return None

    def subscribe(backend: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        existing = backend._find_subscription(topic_arn, endpoint, protocol)
        sub = original_subscribe(backend, topic_arn, endpoint, protocol)
        owner = _owner(topic_arn) if protocol in HTTP_PROTOCOLS else None
        if existing is None and owner is not None:
            sub.attributes["PendingConfirmation"] = "true"
            sub.attributes["ConfirmationWasAuthenticated"] = "false"
            owner.enqueue(sub.arn, owner._confirmation(sub), "SubscriptionConfirmation")
        return sub

    def confirm_subscription(response: Any) -> Any:
        token = response._get_param("Token") or ""
        arn = next((a for d in _ACTIVE if (a := d.confirm(token)) is not None), None)
        if arn is None:
            return original_confirm(response)
        from moto.core.responses import ActionResult

        return ActionResult({"SubscriptionArn": arn})

    for owner_class, name, replacement in (
        (models.Subscription, "publish", publish),
        (models.SNSBackend, "subscribe", subscribe),
        (responses.SNSResponse, "confirm_subscription", confirm_subscription),
    ):
        _ORIGINALS.append((owner_class, name, getattr(owner_class, name)))
        setattr(owner_class, name, replacement)


def _unpatch_moto() -> None:
    for owner_class, name, original in reversed(_ORIGINALS):
        setattr(owner_class, name, original)
    _ORIGINALS.clear()


def _subscription(arn: str) -> Any:
    from moto.sns.models import sns_backends

    account, region = arn.split(":")[4], arn.split(":")[3]
    return sns_backends[account][region].subscriptions.get(arn)


def _policy(sub: Any) -> dict[str, Any]:
    """The subscription's healthyRetryPolicy, else the topic's, else AWS's default."""
    for raw in (sub.attributes.get("DeliveryPolicy"), getattr(sub.topic, "delivery_policy", None)):
        if raw:
            try:
                doc = json.loads(raw) if isinstance(raw, str) else raw
            except ValueError:
                continue
            policy = doc.get("healthyRetryPolicy") or doc.get("http", {}).get("defaultHealthyRetryPolicy")
            if policy:
                return dict(policy)
    return dict(DEFAULT_POLICY)


def _dead_letter(sub: Any, body: dict[str, Any]) -> None:
    """What SNS gave up on goes to the subscription's DLQ as the SNS envelope."""
    from moto.sqs.models import sqs_backends

    raw = sub.attributes.get("RedrivePolicy")
    if not raw:
        log.warning("gave up on %s and it has no dead-letter queue: dropped", sub.endpoint)
        return
    arn = str(json.loads(raw).get("deadLetterTargetArn", ""))
    parts = arn.split(":")
    if len(parts) < 6:
        return
    sqs_backends[parts[4]][parts[3]].send_message(parts[5], json.dumps(body))
    log.info("gave up on %s: message to %s", sub.endpoint, parts[5])


_SIGNING: dict[str, tuple[rsa.RSAPrivateKey, str, bytes]] = {}


def _sign(body: dict[str, Any], region: str) -> tuple[str, str]:
    """SNS's SignatureVersion 2 over the confirmation's canonical string, with a
    certificate moto serves at ``/SimpleNotificationService-….pem`` as it does for its
    own notifications."""
    import base64

    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    if region not in _SIGNING:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Remit local SNS")]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=365))
            .sign(key, hashes.SHA256())
        )
        name = f"SimpleNotificationService-remit{uuid.uuid4().hex}.pem"
        pem = cert.public_bytes(serialization.Encoding.PEM)
        _SIGNING[region] = (key, name, pem)
    key, name, pem = _SIGNING[region]
    # (Again each time: moto's backends can be reset under us.)
    sns_backends[DEFAULT_ACCOUNT_ID][region]._message_public_keys[name] = pem
    fields = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
    canonical = "".join(f"{n}\n{body[n]}\n" for n in fields if n in body).encode()
    signature = base64.b64encode(key.sign(canonical, padding.PKCS1v15(), hashes.SHA256())).decode()
    return signature, f"https://sns.{region}.amazonaws.com/{name}"


def confirmation_token(subscribe_url: str) -> str:
    """The token in a SubscribeURL (for tests and the local pages)."""
    return parse_qs(subscribe_url.split("?", 1)[-1]).get("Token", [""])[0]
