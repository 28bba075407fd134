"""Request bodies the JSON parser cannot take safely, refused before anything parses them.

Python's parser recurses once per nested array or object, so a 2 KB body nested 971 deep
raised RecursionError (a 500), and it refuses integers of more than 4,300 digits with a
ValueError (a 500 too). Both are answered 400 ``invalid_json``: Powertools' validation
parses the body before any middleware of ours runs, so this is the exception handler's
test of whether the body explains the exception. No request of this API nests
more than a few levels or needs a number of more than a few digits."""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from remit.http.errors import error_response

MAX_DEPTH = 32
MAX_DIGITS = 100
# A JSON string, escapes included: what is inside one is text, not structure. (The
# scans are regular expressions so that a 10 MB body costs C speed, not a Python loop.)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_LONG_NUMBER = re.compile(rf"[0-9]{{{MAX_DIGITS + 1},}}")


def problem(body: str) -> str | None:
    """Why ``body`` is refused, or None when it is safe to parse (valid or not)."""
    if "[" not in body and "{" not in body and len(body) <= MAX_DIGITS:
        return None
    structure = _STRING.sub('""', body)
    if _LONG_NUMBER.search(structure):
        return f"a number in the request body has more than {MAX_DIGITS} digits"
    depth = 0
    for bracket in _BRACKET.finditer(structure):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return f"the request body nests arrays and objects more than {MAX_DEPTH} deep"
    return None


def refused(app: APIGatewayRestResolver, exc: Exception) -> Response[Any] | None:
    """The 400 for an exception the parser raised on a body ``problem`` explains; None for
    anything else (a bug of ours, still a 500)."""
    body = app.current_event.body
    why = problem(body) if isinstance(body, str) and body else None
    return None if why is None else error_response(400, "invalid_json", why)
