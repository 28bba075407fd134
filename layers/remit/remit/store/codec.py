"""Model <-> item. Items hold the model's JSON form (camelCase, ISO dates, decimals as
strings, money as integers) beside the keys, so the table reads well in the console.

Every item written carries ``schemaVersion`` (store/migrations.py: ``CURRENT``); an item
without one was written before versions existed and is version 0. Loading upgrades an
older item in memory first, so a release reads every earlier shape whether or not
``remit-admin migrate`` has rewritten it yet."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from remit.store.migrations import CURRENT, SCHEMA_VERSION, upgrade
from remit.store.table import Item

M = TypeVar("M", bound=BaseModel)


def dump(model: BaseModel, entity: str, **keys: Any) -> Item:
    return {
        **keys,
        "entity": entity,
        SCHEMA_VERSION: CURRENT,
        **model.model_dump(mode="json", by_alias=True, exclude_none=True),
    }


def load(cls: type[M], item: Item | None) -> M | None:
    return None if item is None else cls.model_validate(upgrade(item))
