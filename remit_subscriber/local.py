"""The subscriber kit against ``make run``: SNS's certificate and confirmation links name
``https://sns.<region>.amazonaws.com``, as in AWS; on the local cloud moto serves both on
its own endpoint. Hand ``local_fetch(moto_endpoint)`` to the Verifier as its ``fetch`` and
everything else (signature checks, confirming the subscription) runs as deployed."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from remit_subscriber.verify import MAX_CERT_BYTES, VerificationError

_SNS_HOST = re.compile(r"sns\.([a-z0-9-]+)\.amazonaws\.com")


def local_fetch(moto_endpoint: str) -> Callable[[str], bytes]:
    """A ``fetch`` that reads SNS's URLs from the local cloud's moto instead."""
    if not moto_endpoint.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise ValueError("the local cloud's moto endpoint is on loopback")

    def fetch(url: str) -> bytes:
        parts = urlsplit(url)
        host = _SNS_HOST.fullmatch(parts.hostname or "")
        if parts.scheme != "https" or host is None:
            raise VerificationError("refusing a URL that is not SNS's")
        # moto tells services apart by the credential scope of a request's signature.
        scope = f"AWS4-HMAC-SHA256 Credential=local/20260101/{host.group(1)}/sns/aws4_request, Signature=x"
        target = moto_endpoint.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
        request = urllib.request.Request(target, headers={"Authorization": scope})  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310 - loopback only
            return bytes(reply.read(MAX_CERT_BYTES + 1))

    return fetch
