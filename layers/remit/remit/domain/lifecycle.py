"""The invoice state machine.

    draft --finalize--> issued --(fully paid)--> paid
                          |  \\--mark_uncollectible--> uncollectible --(paid)--> paid
                          \\--void--> void  <--void--/

``past_due`` is not stored: it is how an ``issued`` invoice reads once its due date has
passed, so no sweep has to run for a read to be right. Every other pair is refused.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from remit.errors import InvalidTransition

StoredStatus = Literal["draft", "issued", "paid", "void", "uncollectible"]
ReportedStatus = Literal["draft", "issued", "past_due", "paid", "void", "uncollectible"]
REPORTED_STATUSES: tuple[ReportedStatus, ...] = (
    "draft",
    "issued",
    "past_due",
    "paid",
    "void",
    "uncollectible",
)


class Action(StrEnum):
    EDIT = "edit"
    DELETE = "delete"
    FINALIZE = "finalize"
    RECORD_PAYMENT = "record_payment"
    VOID = "void"
    MARK_UNCOLLECTIBLE = "mark_uncollectible"


ALLOWED_FROM: dict[Action, frozenset[StoredStatus]] = {
    Action.EDIT: frozenset({"draft"}),
    Action.DELETE: frozenset({"draft"}),
    Action.FINALIZE: frozenset({"draft"}),
    Action.RECORD_PAYMENT: frozenset({"issued", "uncollectible"}),
    Action.VOID: frozenset({"issued", "uncollectible"}),
    Action.MARK_UNCOLLECTIBLE: frozenset({"issued"}),
}

_VERB = {
    Action.EDIT: "edited",
    Action.DELETE: "deleted",
    Action.FINALIZE: "finalized",
    Action.RECORD_PAYMENT: "paid",
    Action.VOID: "voided",
    Action.MARK_UNCOLLECTIBLE: "marked uncollectible",
}


def reported_status(status: StoredStatus, due: date | None, today: date) -> ReportedStatus:
    if status == "issued" and due is not None and today > due:
        return "past_due"
    return status


def require(action: Action, status: StoredStatus, reported: ReportedStatus) -> None:
    allowed = ALLOWED_FROM[action]
    if status not in allowed:
        names = " or ".join(sorted("issued (including past_due)" if s == "issued" else s for s in allowed))
        raise InvalidTransition(
            f"the invoice is {reported}; only {names} invoices can be {_VERB[action]}",
            field="status",
        )
