"""Reading a posted form into what the API's schemas take."""

from __future__ import annotations

from pydantic import ValidationError


def whole(text: str) -> int | str:
    """A form's digits as the whole number the API takes; anything else as typed, for the
    API's validation to name (forms send text; the JSON API takes no numbers as strings)."""
    return int(text) if text.isdigit() else text


def addresses(lines: list[str]) -> list[str]:
    """Addresses typed one per line (or separated by commas or spaces)."""
    return [a for line in lines for a in line.replace(",", " ").split()]


def error_text(exc: ValidationError) -> str:
    """The first refusal, ``field: message``, for a page that shows it after a redirect."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid"))
