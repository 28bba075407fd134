"""Evaluate a Lambda authorizer's IAM policy the way API Gateway does: the call is let
through when some Allow statement covers ``execute-api:Invoke`` on the method ARN and
no Deny statement does. ``*`` matches any run of characters and ``?`` one character,
``/`` included, as in IAM."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any


@cache
def _glob(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def _matches(patterns: Any, value: str, ignore_case: bool = False) -> bool:
    candidates = patterns if isinstance(patterns, list) else [patterns]
    if ignore_case:
        value = value.lower()
    return any(
        isinstance(p, str) and _glob(p.lower() if ignore_case else p).fullmatch(value) for p in candidates
    )


def allows(policy_document: Mapping[str, Any], method_arn: str) -> bool:
    statements = policy_document.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    allowed = False
    for statement in statements:
        if not isinstance(statement, Mapping):
            continue
        # IAM action names are case-insensitive; resources are not.
        if not _matches(statement.get("Action"), "execute-api:invoke", ignore_case=True):
            continue
        if not _matches(statement.get("Resource"), method_arn):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed
