"""Object ids: a type prefix and a ULID taken from the injected clock.

ULIDs sort by creation time, so a sort key holding one lists objects in the order they
were made, and ids minted on a moved local clock sort where that clock says they belong.
"""

from __future__ import annotations

from ulid import ULID

from remit.clock import Clock

PREFIXES = frozenset(
    {
        "org",
        "acc",
        "inv",
        "cn",
        "li",
        "pay",
        "evt",
        "key",
        "prod",
        "price",
        "sub",
        "si",
        "we",
        "pm",
        "cs",
        "snd",
        "rem",
        "clm",
        "lfee",
        "lnk",
    }
)


def new_id(prefix: str, clock: Clock) -> str:
    assert prefix in PREFIXES, prefix
    return f"{prefix}_{ULID.from_datetime(clock.now())}"


def id_pattern(prefix: str) -> str:
    """The regular expression an id of one kind matches, for schemas (list cursors)."""
    assert prefix in PREFIXES, prefix
    return rf"^{prefix}_[0-9A-HJKMNP-TV-Z]{{26}}$"
