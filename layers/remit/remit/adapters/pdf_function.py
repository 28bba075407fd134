"""The PDF function, called synchronously (Lambda Invoke, RequestResponse) by functions
that need a document now and do not carry WeasyPrint themselves: the API (a download) and
the delivery worker (an attachment)."""

from __future__ import annotations

import json
from functools import cached_property
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from remit.documents.view import DocumentKind

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient


class RenderFailed(Exception):
    """The PDF function answered with an error."""


class PdfFunction:
    def __init__(self, function_name: str, client: LambdaClient | None = None) -> None:
        self.function_name = function_name
        if client is not None:
            self.client = client

    @cached_property
    def client(self) -> LambdaClient:
        # A render takes well under a second warm, a few seconds cold; no retries on read
        # timeouts, which would render the same document twice.
        return boto3.client("lambda", config=Config(read_timeout=30, retries={"max_attempts": 2}))

    def render(self, org_id: str, invoice_id: str, kind: DocumentKind) -> str:
        """Render (or find) the document of the invoice's current version; its S3 key."""
        return self._invoke(
            {"action": "render", "organizationId": org_id, "invoiceId": invoice_id, "kind": kind}
        )

    def preview(self, org_id: str) -> str:
        """Render (or find) the branding preview of the organization's saved settings."""
        return self._invoke({"action": "preview", "organizationId": org_id})

    def _invoke(self, payload: dict[str, str]) -> str:
        out = self.client.invoke(
            FunctionName=self.function_name, InvocationType="RequestResponse", Payload=json.dumps(payload)
        )
        body = json.loads(out["Payload"].read() or b"null")
        if out.get("FunctionError") or not isinstance(body, dict) or "key" not in body:
            raise RenderFailed(f"the PDF function failed: {body}")
        return str(body["key"])
