"""Plain HTTP requests and responses as the local gateway sees them, independent of the
server that carries them (so the routing logic can be tested without sockets)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # percent-decoded, without the query string
    query: str = ""  # raw, as sent
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    source_ip: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        """The last value of a header, looked up case-insensitively."""
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found[-1] if found else None

    @property
    def single_headers(self) -> dict[str, str]:
        """One value per header, the last one sent (API Gateway's ``headers``)."""
        return dict(self.headers)

    @property
    def multi_headers(self) -> dict[str, list[str]]:
        merged: dict[str, list[str]] = {}
        for name, value in self.headers:
            merged.setdefault(name, []).append(value)
        return merged

    @property
    def multi_query(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True) if self.query else {}


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found[-1] if found else None


def json_response(status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> HttpResponse:
    return HttpResponse(
        status, json.dumps(payload).encode(), [("Content-Type", "application/json"), *(headers or [])]
    )


def error_response(status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    """Remit's error shape, for the answers the local cloud gives itself."""
    return json_response(status, {"code": code, "message": message, "field": field})
