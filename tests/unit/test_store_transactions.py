"""store.transactions.transact: a refused transaction is decoded by reason code on the item
that carried it (its label), never by position in the caller's hands."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from remit.store.errors import StaleWrite
from remit.store.table import Table, TransactionCancelled, put_op
from remit.store.transactions import Op, transact


class Refused(Exception):
    pass


class Other(Exception):
    pass


class FakeClient:
    """Answers TransactWriteItems with the given per-item codes (None: it went through)."""

    def __init__(self, codes: list[str | None] | None, error: str = "TransactionCanceledException") -> None:
        self.codes, self.error = codes, error
        self.sent: list[Any] = []

    def transact_write_items(self, TransactItems: list[Any]) -> dict[str, Any]:
        self.sent.append(TransactItems)
        if self.codes is None:
            return {}
        response: dict[str, Any] = {"Error": {"Code": self.error, "Message": "refused"}}
        if self.error == "TransactionCanceledException":
            response["CancellationReasons"] = [{"Code": c or "None"} for c in self.codes]
        raise ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]


def table(codes: list[str | None] | None, error: str = "TransactionCanceledException") -> Table:
    return Table("t", FakeClient(codes, error))  # type: ignore[arg-type]


def op(n: int) -> dict[str, Any]:
    return put_op({"pk": f"P#{n}", "sk": "S"}, "attribute_not_exists(pk)")


def test_a_condition_failed_on_item_2_of_3_raises_that_items_error() -> None:
    t = table([None, "ConditionalCheckFailed", None])
    with pytest.raises(Other) as raised:
        transact(t, [Op(op(1), Refused), Op(op(2), Other("second")), Op(op(3), Refused)])
    assert str(raised.value) == "second"
    assert isinstance(raised.value.__cause__, TransactionCancelled)


def test_the_first_failed_labelled_condition_wins_and_beats_a_conflict() -> None:
    t = table(["TransactionConflict", "ConditionalCheckFailed", "ConditionalCheckFailed"])
    with pytest.raises(Other):
        transact(t, [op(1), Op(op(2), Other), Op(op(3), Refused)])


def test_an_unlabelled_failed_condition_takes_otherwise_or_is_re_raised() -> None:
    with pytest.raises(Refused):
        transact(table([None, "ConditionalCheckFailed"]), [Op(op(1), Other), op(2)], otherwise=Refused)
    with pytest.raises(TransactionCancelled) as raised:
        transact(table([None, "ConditionalCheckFailed"]), [Op(op(1), Other), op(2)])
    assert raised.value.reasons == [None, "ConditionalCheckFailed"]


def test_a_conflict_is_a_stale_write_unless_told_otherwise() -> None:
    with pytest.raises(StaleWrite):
        transact(table([None, "TransactionConflict"]), [Op(op(1), Other), op(2)])
    with pytest.raises(Refused):
        transact(table(["TransactionConflict", None]), [op(1), op(2)], on_conflict=Refused)
    with pytest.raises(TransactionCancelled):
        transact(table(["TransactionConflict", None]), [op(1), op(2)], on_conflict=None)


@pytest.mark.parametrize("code", ["ThrottlingError", "ValidationError", "ItemCollectionSizeLimitExceeded"])
def test_a_non_condition_failure_is_re_raised(code: str) -> None:
    with pytest.raises(TransactionCancelled) as raised:
        transact(table([None, code, None]), [Op(op(1), Other), Op(op(2), Other), op(3)], otherwise=Other)
    assert raised.value.reasons == [None, code, None]


def test_an_error_that_is_no_cancellation_passes_through() -> None:
    with pytest.raises(ClientError):
        transact(table([], error="ValidationException"), [Op(op(1), Other)], otherwise=Other)


def test_a_lazy_label_is_made_only_when_its_condition_failed() -> None:
    made: list[int] = []

    def error() -> Exception:
        made.append(1)
        return Refused()

    t = table(None)
    transact(t, [Op(op(1), error), op(2)])
    assert made == []
    assert [list(i) for i in t.client.sent[0]] == [["Put"], ["Put"]]  # type: ignore[attr-defined]
    with pytest.raises(Refused):
        transact(table(["ConditionalCheckFailed", None]), [Op(op(1), error), op(2)])
    assert made == [1]
