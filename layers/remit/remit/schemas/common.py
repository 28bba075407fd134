from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

T = TypeVar("T")

# A money amount as the API writes it: a non-negative decimal string. How many decimals
# are allowed depends on the currency, which remit.money.parse_amount checks.
Amount = Annotated[
    str,
    StringConstraints(pattern=r"^\d{1,16}(\.\d{1,3})?$"),
    Field(examples=["1500.00"], description="Decimal string in the currency's major unit"),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$"), Field(examples=["EUR"])]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$"), Field(examples=["de"])]
Email = Annotated[
    str,
    StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,63}$", max_length=254),
    Field(examples=["billing@example.com"]),
]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4, examples=["19"])]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields, so a misspelt field is an error, not a no-op."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


def _no_null_unless_clearable(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """The documented schema says what the validator does: a field may be left out, but
    only the fields that can be cleared take ``null``."""
    clearable = {cls.model_fields[name].alias or name for name in getattr(cls, "clearable", ())}
    for name, prop in schema.get("properties", {}).items():
        options = prop.get("anyOf")
        if name in clearable or not options:
            continue
        rest = [o for o in options if o != {"type": "null"}]
        prop.pop("anyOf")
        if len(rest) == 1:
            prop.update(rest[0])
        else:
            prop["anyOf"] = rest


class PatchModel(RequestModel):
    """A partial update: fields left out stay as they are. ``null`` clears a field, and so
    is accepted only for the fields listed in ``clearable`` (a name or a currency cannot
    be cleared); for the others it is a 422, never a stored null."""

    model_config = ConfigDict(json_schema_extra=_no_null_unless_clearable)
    clearable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _refuse_null(self) -> PatchModel:
        for name in self.model_fields_set - self.clearable:
            if getattr(self, name) is None:
                alias = type(self).model_fields[name].alias or name
                raise ValueError(f"{alias} may be left out but not null")
        return self


class ResponseModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Page(ResponseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


class ErrorBody(ResponseModel):
    code: str = Field(examples=["validation_error"])
    message: str
    field: str | None = None
