"""The only network access a document render makes: the organization's logo.

Refused: every scheme but https (file://, http://, data:, ftp:), hosts that resolve to a
private, loopback, link-local, reserved or multicast address (cloud metadata at
169.254.169.254 included), redirects, and bodies over ``MAX_LOGO_BYTES``. The connection
goes to the address that was checked (the TLS name is still the host's), so a DNS answer
that changes between the check and the connect cannot point it somewhere else.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_LOGO_BYTES = 512 * 1024
TIMEOUT_SECONDS = 3.0

Resolver = Callable[[str, int], list[str]]


class FetchRefused(ValueError):
    """The URL is not one a document may load."""


def resolve(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def check_address(address: str) -> None:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        raise FetchRefused(f"{address} is not a public address")


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str
    address: str


def check_url(url: str, resolver: Resolver = resolve) -> Target:
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise FetchRefused(f"only https URLs are fetched, not {parts.scheme or 'a relative URL'}")
    if not parts.hostname or parts.username or parts.password:
        raise FetchRefused("the URL has no host, or carries credentials")
    port = parts.port or 443
    addresses = resolver(parts.hostname, port)
    if not addresses:
        raise FetchRefused(f"{parts.hostname} does not resolve")
    for address in addresses:
        check_address(address)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.hostname, port, path, addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address, verifying the certificate for the host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_logo(
    url: str,
    resolver: Resolver = resolve,
    timeout: float = TIMEOUT_SECONDS,
    connect: Callable[[Target, float], http.client.HTTPConnection] = _PinnedHTTPSConnection,
) -> tuple[bytes, str]:
    """(body, content type) of an image at a public https URL, or FetchRefused."""
    target = check_url(url, resolver)
    # The socket timeout bounds each read; the deadline bounds the whole fetch, so a server
    # dripping a byte at a time cannot hold a render for long.
    deadline = time.monotonic() + timeout
    connection = connect(target, timeout)
    try:
        connection.request("GET", target.path, headers={"User-Agent": "Remit documents", "Accept": "image/*"})
        response = connection.getresponse()
        if response.status != 200:
            raise FetchRefused(f"the logo answered {response.status}")
        content_type = response.getheader("Content-Type", "application/octet-stream").split(";")[0]
        if not content_type.startswith("image/"):
            raise FetchRefused(f"the logo is {content_type}, not an image")
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1(64 * 1024):
            size += len(chunk)
            if size > MAX_LOGO_BYTES:
                raise FetchRefused(f"the logo is larger than {MAX_LOGO_BYTES} bytes")
            if time.monotonic() > deadline:
                raise FetchRefused(f"the logo took longer than {timeout:g} s")
            chunks.append(chunk)
        return b"".join(chunks), content_type
    finally:
        connection.close()
