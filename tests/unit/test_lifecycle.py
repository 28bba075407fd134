"""Every (action, status) pair of the invoice state machine, legal and illegal."""

from __future__ import annotations

from datetime import date

import pytest

from remit.domain.lifecycle import Action, StoredStatus, reported_status, require
from remit.errors import InvalidTransition

STATUSES: list[StoredStatus] = ["draft", "issued", "paid", "void", "uncollectible"]
LEGAL = {
    (Action.EDIT, "draft"),
    (Action.DELETE, "draft"),
    (Action.FINALIZE, "draft"),
    (Action.RECORD_PAYMENT, "issued"),
    (Action.RECORD_PAYMENT, "uncollectible"),
    (Action.VOID, "issued"),
    (Action.VOID, "uncollectible"),
    (Action.MARK_UNCOLLECTIBLE, "issued"),
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", STATUSES)
def test_each_action_is_allowed_only_from_its_statuses(action: Action, status: StoredStatus) -> None:
    if (action, status) in LEGAL:
        require(action, status, status)
    else:
        with pytest.raises(InvalidTransition) as err:
            require(action, status, status)
        assert err.value.code == "invalid_state"
        assert f"the invoice is {status}" in err.value.message


def test_refusal_names_the_reported_status_and_what_would_be_allowed() -> None:
    with pytest.raises(InvalidTransition) as err:
        require(Action.VOID, "paid", "paid")
    assert err.value.message == (
        "the invoice is paid; only issued (including past_due) or uncollectible invoices can be voided"
    )


def test_issued_reads_as_past_due_only_after_the_due_date() -> None:
    due = date(2026, 3, 1)
    assert reported_status("issued", due, date(2026, 3, 1)) == "issued"
    assert reported_status("issued", due, date(2026, 3, 2)) == "past_due"
    for status in ("draft", "paid", "void", "uncollectible"):
        assert reported_status(status, due, date(2027, 1, 1)) == status  # type: ignore[arg-type]


def test_past_due_invoices_can_still_be_paid_voided_and_written_off() -> None:
    for action in (Action.RECORD_PAYMENT, Action.VOID, Action.MARK_UNCOLLECTIBLE):
        require(action, "issued", "past_due")
