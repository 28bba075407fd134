"""SES event notifications (a configuration set's SNS destination) read into what the
delivery log records: which email (its tags), what happened, when, to whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from remit.services.delivery_log import Outcome


@dataclass(frozen=True)
class SesOutcome:
    tags: dict[str, str]
    outcome: Outcome
    at: datetime
    addresses: list[str]
    detail: str | None


def parse(message: dict[str, Any]) -> SesOutcome | None:
    """None for what the log does not record (sends, opens, transient bounces: SES keeps
    retrying those itself)."""
    kind = message.get("eventType") or message.get("notificationType")
    mail = message.get("mail", {})
    tags = {name: values[0] for name, values in (mail.get("tags") or {}).items() if values}
    if kind == "Delivery":
        body = message.get("delivery", {})
        return SesOutcome(tags, "delivered", _time(body, mail), list(body.get("recipients", [])), None)
    if kind == "Bounce":
        body = message.get("bounce", {})
        if body.get("bounceType") != "Permanent":
            return None
        recipients = body.get("bouncedRecipients", [])
        detail = "; ".join(r.get("diagnosticCode", "") for r in recipients if r.get("diagnosticCode")) or None
        addresses = [r["emailAddress"] for r in recipients if "emailAddress" in r]
        return SesOutcome(tags, "bounced", _time(body, mail), addresses, detail or body.get("bounceSubType"))
    if kind == "Complaint":
        body = message.get("complaint", {})
        addresses = [r["emailAddress"] for r in body.get("complainedRecipients", []) if "emailAddress" in r]
        return SesOutcome(tags, "complained", _time(body, mail), addresses, body.get("complaintFeedbackType"))
    return None


def _time(body: dict[str, Any], mail: dict[str, Any]) -> datetime:
    stamp = body.get("timestamp") or mail.get("timestamp")
    return datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
