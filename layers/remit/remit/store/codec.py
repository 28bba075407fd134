"""Model <-> item. Items hold the model's JSON form (camelCase, ISO dates, decimals as
strings, money as integers) beside the keys, so the table reads well in the console."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from remit.store.table import Item

M = TypeVar("M", bound=BaseModel)


def dump(model: BaseModel, entity: str, **keys: Any) -> Item:
    return {**keys, "entity": entity, **model.model_dump(mode="json", by_alias=True, exclude_none=True)}


def load(cls: type[M], item: Item | None) -> M | None:
    return None if item is None else cls.model_validate(item)
