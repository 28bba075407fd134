"""What every operation can answer besides its success, added to the generated OpenAPI
document in one place, from the same rules that produce the answers: the authorizer
(401, and 403 for a read-only key's writes), remit.http.errors (400 for a body that is not
JSON, 404, 409, 422 with Remit's error body) and the few routes that reach a payment
gateway (402) or SES and the PDF renderer (502). A 204 carries no body."""

from __future__ import annotations

from typing import Any

from remit.schemas.common import ErrorBody

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
WHY = {
    "400": "The body is not JSON",
    "401": "No API key, or not a valid one",
    "402": "The payment gateway declined the charge",
    "403": "A read-only key tried to write",
    "404": "No such object in the caller's organization",
    "409": "The object's state does not allow it, or it changed meanwhile",
    "415": "The body is not sent as application/json",
    "422": "The request is not acceptable; `field` says where",
    "502": "A service Remit depends on failed; try again",
}
# Routes whose work goes through a service that can fail on its own (SES, the PDF
# renderer, SNS): recognised by their last path segment.
DEPENDENT = {"send", "pdf", "receipt-pdf", "preview", "webhook-endpoints", "redeliver", "reminders"}


def _answers(method: str, path: str, op: dict[str, Any]) -> set[str]:
    codes = {"401", "422"}
    if "requestBody" in op:
        codes |= {"400", "415"}
    if method != "get":
        codes |= {"403", "404", "409"}
    elif "{" in path:
        codes.add("404")
    if path.endswith(("/pdf", "/receipt-pdf")):
        codes.add("409")  # a draft has no document, an unpaid invoice no receipt
    if path.endswith("/pay") or path == "/checkout-sessions":
        codes.add("402")
    if path.rstrip("/").rsplit("/", 1)[-1] in DEPENDENT:
        codes.add("502")
    return codes


def document_errors(doc: dict[str, Any]) -> dict[str, Any]:
    doc.setdefault("components", {}).setdefault("schemas", {})["ErrorBody"] = ErrorBody.model_json_schema(
        by_alias=True
    )
    for path, operations in doc.get("paths", {}).items():
        for method, op in operations.items():
            responses = op.setdefault("responses", {})
            for code in _answers(method, path, op):
                responses[code] = {
                    "description": WHY[code],
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
            if "204" in responses:
                responses["204"].pop("content", None)
    schemas = doc["components"]["schemas"]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return doc
