"""Remit's subscriber kit: verify what SNS delivers to a webhook endpoint and get the Remit
event out of it. Depends on ``cryptography`` and the standard library only; copy this
package into a subscriber or install the repository. docs/events.md shows it in use."""

from remit_subscriber.verify import Deduper, MemoryDeduper, VerificationError, Verifier, handle

__all__ = ["Deduper", "MemoryDeduper", "VerificationError", "Verifier", "handle"]
