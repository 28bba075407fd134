"""One way to run a transaction and say, in domain words, why it was refused.

DynamoDB answers a refused TransactWriteItems with one reason code per item, in the order
sent. Rather than have every repository count positions in that list, each item is
labelled where it is built with what its condition failing means (``Op.on_fail``), and
``transact`` reads the codes against the labels:

- ``ConditionalCheckFailed`` on a labelled item raises that item's error (the first such
  item in the order given: a failed condition is an answer, so it wins over a conflict);
  on an unlabelled item, ``otherwise`` (if given);
- ``TransactionConflict`` (another transaction held one of the items) raises
  ``on_conflict``, StaleWrite unless told: re-read and retry, as every optimistic writer
  does;
- anything else (throttling, validation, a failed condition nobody labelled) re-raises
  TransactionCancelled unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from remit.store.errors import StaleWrite
from remit.store.table import Table, TransactionCancelled

# An exception to raise, or a function making one when it is needed (when making it
# costs a read, as "who holds this step" does).
OnFail = BaseException | Callable[[], BaseException]

CONDITION_FAILED = "ConditionalCheckFailed"
CONFLICT = "TransactionConflict"


@dataclass(frozen=True)
class Op:
    """One item of a transaction (a ``put_op``/``update_op``/``delete_op`` shape) and what
    its condition failing means; ``on_fail`` None leaves it to ``transact``'s ``otherwise``."""

    body: dict[str, Any]
    on_fail: OnFail | None = None


def _raise(error: OnFail, cause: TransactionCancelled) -> None:
    made = error if isinstance(error, BaseException) else error()
    raise made from cause


def transact(
    table: Table,
    ops: Sequence[Op | dict[str, Any]],
    *,
    otherwise: OnFail | None = None,
    on_conflict: OnFail | None = StaleWrite,
) -> None:
    """Write ``ops`` all or nothing; a refusal raises the error its reasons name (above).
    Plain dicts are unlabelled ops (the outbox's ``event_put``, say)."""
    labelled = [op if isinstance(op, Op) else Op(op) for op in ops]
    try:
        table.transact([op.body for op in labelled])
    except TransactionCancelled as exc:
        for op, code in zip(labelled, exc.reasons, strict=False):
            error = op.on_fail if op.on_fail is not None else otherwise
            if code == CONDITION_FAILED and error is not None:
                _raise(error, exc)
        if CONFLICT in exc.reasons and on_conflict is not None:
            _raise(on_conflict, exc)
        raise
