"""A settings form refused, in an operator's words, and the editable tables' rows as typed."""

from __future__ import annotations

import re

from pydantic import ValidationError

from remit.dashboard.forms import whole
from remit.dashboard.web import Visit
from remit.domain.collections import MAX_STEPS
from remit.errors import RemitError

MAX_ROWS = MAX_STEPS + 10
FIELD_WORDS = {
    "daysPastDue": "days past due",
    "action": "action",
    "template": "email template",
    "daysBefore": "days before due",
    "daysAfter": "days after due",
    "templates": "email templates",
    "enabled": "on/off",
    "url": "URL",
    "eventTypes": "event types",
    "name": "name",
    "scope": "scope",
    "persistentFailureActions": "actions on persistent failure",
}
SECTION_WORDS = {"beforeDue": "Before due", "afterDue": "After due"}
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]$")


def _parts(where: list[str | int]) -> list[str | int]:
    """``schedule[2]`` (a service's field) as pydantic says it: ``schedule``, ``2``."""
    parts: list[str | int] = []
    for part in where:
        found = _INDEXED.match(part) if isinstance(part, str) else None
        parts.extend([found.group(1), int(found.group(2))] if found else [part])
    return parts


def _word(part: str | int) -> str:
    if isinstance(part, int):
        return f"#{part + 1}"
    return SECTION_WORDS.get(part) or FIELD_WORDS.get(part, part)


def in_words(where: list[str | int], message: str) -> str:
    """An error's place and message as an operator reads them: ``schedule[2].daysPastDue``
    (or pydantic's ``("schedule", 2, "daysPastDue")``) is "Step 3, days past due"."""
    parts = _parts(where)
    words: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        following = parts[i + 1] if i + 1 < len(parts) else None
        if part == "schedule" and isinstance(following, int):
            words.append(f"Step {following + 1}")
            i += 2
            continue
        words.append(_word(part))
        i += 1
    return f"{', '.join(words)}: {message}" if words else message


def validation_words(exc: ValidationError) -> str:
    first = exc.errors()[0]
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return in_words([p for p in first.get("loc", ()) if p != "body"], message)


def service_words(exc: RemitError, field: str | None = None) -> str:
    field = field or exc.field
    if field:
        return in_words([p for p in field.split(".") if p], exc.message)
    return exc.message


def typed_rows(v: Visit, *names: str) -> list[dict[str, str]]:
    """The rows of an editable table: fields ``<name>_<i>`` for i < ``rows``, without the
    rows ticked ``remove_<i>`` and the blank ones."""
    count = v.field("rows")
    rows = []
    for i in range(min(int(count) if count.isdigit() else 0, MAX_ROWS)):
        if v.field(f"remove_{i}") == "on":
            continue
        row = {name: v.field(f"{name}_{i}") for name in names}
        if any(row.values()):
            rows.append(row)
    return rows


def in_day_order(rows: list[dict[str, str]], key: str) -> list[dict[str, str]]:
    """Rows by their day (a step added at the end goes to its place); as typed while a
    day is not a number, for validation to name it."""
    if all(r[key].isdigit() for r in rows):
        return sorted(rows, key=lambda r: int(r[key]))
    return rows


def day_list(text: str) -> list[int | str]:
    """Days typed as "7, 3, 1" (commas or spaces)."""
    return [whole(d) for d in text.replace(",", " ").split()]
