"""What a conditional write can tell its caller, in domain words."""

from __future__ import annotations


class StaleWrite(Exception):
    """The item changed since it was read (version moved, or it is gone): re-read, retry."""


class AlreadyExists(Exception):
    """A create found the key taken."""


class SequenceMoved(Exception):
    """Another finalization took the invoice sequence we read: re-read, retry."""


class NumberTaken(Exception):
    """The invoice number is already claimed (the counter was behind): skip it, retry."""
