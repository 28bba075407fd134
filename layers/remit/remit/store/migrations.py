"""Item shapes across releases: the schema version and the steps between versions.

An item's ``schemaVersion`` says which shape it has; absent means 0 (items written before
versions existed). A release that changes an entity's shape bumps ``CURRENT`` and adds
a step here: a pure function from an item of version N to version N+1 for the entities it
names. ``upgrade`` runs an item through every step it is behind, so loading reads every
earlier shape (store/codec.py) and ``remit-admin migrate`` rewrites stored items with the
same functions (remit_cli/migrate.py). A step must not touch the keys (pk, sk, gsi*): it
changes what an item holds, never where it is.

Version 1 changes no shape: it only starts stamping items with their version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Item = dict[str, Any]

SCHEMA_VERSION = "schemaVersion"


@dataclass(frozen=True)
class Step:
    to: int  # the version the step produces (from to - 1)
    entities: frozenset[str] | None  # None: every entity
    apply: Callable[[Item], Item]
    why: str


def _stamp_only(item: Item) -> Item:
    return dict(item)


# In order; each ``to`` is one more than the previous step's.
STEPS: tuple[Step, ...] = (Step(1, None, _stamp_only, "schemaVersion stamped; no shape change"),)

CURRENT = STEPS[-1].to if STEPS else 0


def version_of(item: Mapping[str, Any]) -> int:
    return int(item.get(SCHEMA_VERSION, 0))


def pending(item: Mapping[str, Any]) -> list[Step]:
    """The steps this item is behind, in order (none for an item already current)."""
    version = version_of(item)
    return [s for s in STEPS if s.to > version]


def upgrade(item: Mapping[str, Any]) -> Item:
    """The item in the current shape (a new dict; the argument is not changed)."""
    steps = pending(item)
    if not steps:
        return dict(item)
    upgraded = dict(item)
    entity = str(item.get("entity", ""))
    for step in steps:
        if step.entities is None or entity in step.entities:
            upgraded = step.apply(upgraded)
        upgraded[SCHEMA_VERSION] = step.to
    return upgraded


def _check(steps: tuple[Step, ...]) -> None:
    for expected, step in enumerate(steps, start=1):
        if step.to != expected:
            raise AssertionError(f"migration steps must go 1, 2, 3...: step {step.why!r} says {step.to}")


_check(STEPS)
