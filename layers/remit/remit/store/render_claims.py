"""Render claims: who renders one version of one document right now.

The documents queue renders a version ahead of need while the delivery worker (or the API)
may ask for the same version at the same moment. Each renderer first takes the version's
claim with a conditional put; the one that wins renders, the others wait for the stored
PDF. The claim carries a lease (a renderer that died lets another take over once it is
over) and the holder's token (only the holder releases it). Items live in their own
partition per organization, ``ORG#<id>#RENDER``, which no other query reads, and carry a
``ttl`` so a claim left behind by a crash disappears by itself.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from remit.store.table import ConditionFailed, Key, Table

# A day after its lease: long enough that no renderer still cares, short enough to tidy.
_KEEP_SECONDS = 24 * 3600


def render_claim_key(org_id: str, document_key: str) -> Key:
    """One claim per stored document (its S3 key names invoice, kind and version)."""
    return {"pk": f"ORG#{org_id}#RENDER", "sk": document_key}


def _millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


class RenderClaimRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    def claim(self, org_id: str, document_key: str, token: str, now: datetime, until: datetime) -> bool:
        """Take the right to render this document: True if no one holds it (or the last
        holder's lease ran out), False while someone else does."""
        item = {
            **render_claim_key(org_id, document_key),
            "entity": "render_claim",
            "token": token,
            "claimedUntil": _millis(until),
            "ttl": int(until.timestamp()) + _KEEP_SECONDS,
        }
        try:
            self.table.put(
                item, "attribute_not_exists(pk) OR claimedUntil < :now", values={":now": _millis(now)}
            )
        except ConditionFailed:
            return False
        return True

    def release(self, org_id: str, document_key: str, token: str) -> None:
        """Give the claim up (the document is stored, or the render failed and may be
        tried again at once). Only its holder can: a claim taken over after our lease ran
        out stays with its new holder."""
        # An expired lease, not a delete: Table.delete takes no condition values, and the
        # item goes with its ttl anyway.
        with contextlib.suppress(ConditionFailed):
            self.table.update(
                render_claim_key(org_id, document_key),
                "SET claimedUntil = :over",
                condition="#t = :t",
                names={"#t": "token"},
                values={":t": token, ":over": 0},
            )
