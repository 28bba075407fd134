"""API Gateway REST (v1 proxy) events, as API Gateway builds them, for the local gateway
and for tests that call handlers directly."""

from __future__ import annotations

import base64
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
API_ID = "remitlocal"
STAGE = "local"


def route_pattern(path: str) -> re.Pattern[str]:
    """``/invoices/{invoiceId}/finalize`` -> a regex with a named group per parameter."""
    regex = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", path)
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
    return re.compile(f"^{regex}$")


def proxy_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    authorizer: dict[str, Any] | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    headers = dict(headers or {})
    multi_query = parse_qs(query, keep_blank_values=True) if query else {}
    is_base64 = False
    if isinstance(body, bytes):
        raw = body
        try:
            body = raw.decode()
        except UnicodeDecodeError:
            body, is_base64 = base64.b64encode(raw).decode(), True
    multi_headers = {k: [v] for k, v in headers.items()}
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource or path,
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "protocol": "HTTP/1.1",
            "requestId": secrets.token_hex(16),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
            "authorizer": authorizer,
        },
        "body": body or None,
        "isBase64Encoded": is_base64,
    }


def method_arn(method: str, path: str) -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/{STAGE}/{method}{path}"


def authorizer_event(method: str, resource: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """The REQUEST authorizer's input for a call to ``method`` ``path`` (matched by
    ``resource``). Like API Gateway, the method ARN names the actual path, not the
    resource template: a policy for ``GET/invoices/inv_1`` does not cover ``inv_2``."""
    return {
        "type": "REQUEST",
        "methodArn": method_arn(method, path),
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {},
        "pathParameters": {},
        "stageVariables": {},
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "stage": STAGE,
            "httpMethod": method,
            "resourcePath": resource,
            "path": f"/{STAGE}{path}",
        },
    }
