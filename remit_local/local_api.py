"""Endpoints that exist only in the local cloud, under ``/_local/`` (never in
template.yaml, so never deployed):

- ``GET /_local/clock``: ``{"now": ISO time, "offsetSeconds": n}``.
- ``POST /_local/clock`` with ``{"advance": "P3D"}`` or ``{"now": "2026-03-01T09:00:00Z"}``:
  moves the clock forward (never back), then runs the scheduled functions at the new
  time and drains the queues they fed before answering, so the caller sees the effects
  at once. The answer is the new clock plus ``ran``, a summary of what ran.
- ``GET /_local/emails``: the emails sent through SES, newest first (remit_local.emails):
  JSON, or an HTML page for a browser.
- ``GET /_local/sms``: the text messages sent through SNS (dunning's ``sms_reminder``),
  newest first: ``[{"id", "phoneNumber", "message"}]``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from remit_local import emails
from remit_local.apigw import ACCOUNT_ID, REGION
from remit_local.clock import ClockError, LocalClock, describe, parse_duration, parse_instant
from remit_local.messages import HttpRequest, HttpResponse, error_response, json_response

CLOCK = "/_local/clock"
EMAILS = "/_local/emails"
SMS = "/_local/sms"


class LocalEndpoints:
    def __init__(self, clock: LocalClock, after_move: Callable[[], Any]) -> None:
        self.clock = clock
        self.after_move = after_move

    def handle(self, request: HttpRequest) -> HttpResponse:
        if request.path == EMAILS and request.method == "GET":
            return self._emails(request)
        if request.path == SMS and request.method == "GET":
            return json_response(200, sent_sms())
        if request.path != CLOCK:
            return error_response(404, "route_not_found", "no such route")
        if request.method == "GET":
            return json_response(200, describe(self.clock))
        if request.method == "POST":
            return self._move(request)
        response = error_response(405, "method_not_allowed", "use GET or POST")
        response.headers.append(("Allow", "GET, POST"))
        return response

    def _emails(self, request: HttpRequest) -> HttpResponse:
        sent = emails.sent_emails()
        wants_html = "html" in request.multi_query.get("format", []) or "text/html" in (
            request.header("Accept") or ""
        )
        if wants_html:
            return HttpResponse(
                200, emails.page(sent).encode(), [("Content-Type", "text/html; charset=utf-8")]
            )
        return json_response(200, sent)

    def _move(self, request: HttpRequest) -> HttpResponse:
        try:
            payload = json.loads(request.body or b"null")
        except ValueError:
            return error_response(400, "invalid_json", "the body is not valid JSON")
        keys = set(payload) & {"advance", "now"} if isinstance(payload, dict) else set()
        if not isinstance(payload, dict) or len(keys) != 1 or set(payload) - keys:
            return error_response(
                422, "validation_error", 'send exactly one of {"advance": "P3D"} or {"now": "<ISO time>"}'
            )
        try:
            if "advance" in payload:
                self.clock.advance(parse_duration(payload["advance"]))
            else:
                self.clock.move_to(parse_instant(payload["now"]))
        except ClockError as exc:
            return error_response(422, exc.code, exc.message, exc.field)
        ran = self.after_move()
        return json_response(200, {**describe(self.clock), "ran": ran})


def sent_sms() -> list[dict[str, str]]:
    """moto's SNS (in this process) records each SMS instead of sending it."""
    from moto.sns.models import sns_backends

    backend = sns_backends[ACCOUNT_ID][REGION]
    return [
        {"id": message_id, "phoneNumber": phone, "message": text}
        for message_id, (phone, text) in reversed(backend.sms_messages.items())
    ]
