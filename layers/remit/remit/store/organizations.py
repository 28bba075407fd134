from __future__ import annotations

from typing import Any

from remit.domain.organization import Organization
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.errors import StaleWrite
from remit.store.table import ConditionFailed, Table, put_op, serialize


class OrganizationRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, org_id: str) -> Organization | None:
        return load(Organization, self.table.get(keys.organization(org_id)))

    def create_op(self, org: Organization) -> dict[str, Any]:
        return put_op(dump(org, "organization", **keys.organization(org.id)), "attribute_not_exists(pk)")

    def update_settings(self, org: Organization, expected_version: int) -> None:
        """Write the settings only. ``sequences`` is left alone on purpose: finalizations
        move it without bumping the version, and a whole-item put would roll it back."""
        data = org.model_dump(mode="json", by_alias=True, exclude_none=True)
        try:
            self.table.update(
                keys.organization(org.id),
                "SET #n = :name, invoiceSettings = :is, settings = :s, paymentSettings = :ps, "
                "reminderSettings = :rs, dunningSettings = :ds, updatedAt = :u, version = :next",
                condition="version = :v",
                names={"#n": "name"},
                values={
                    ":name": data["name"],
                    ":is": data["invoiceSettings"],
                    ":s": data["settings"],
                    ":ps": data["paymentSettings"],
                    ":rs": data["reminderSettings"],
                    ":ds": data["dunningSettings"],
                    ":u": data["updatedAt"],
                    ":next": org.version,
                    ":v": expected_version,
                },
            )
        except ConditionFailed as exc:
            raise StaleWrite(org.id) from exc

    @staticmethod
    def sequence_op(org_id: str, scope: str, previous: int, new: int) -> dict[str, Any]:
        """Advance one numbering scope from ``previous`` to ``new``, only if nobody else has."""
        condition = "sequences.#s = :prev" if previous else "attribute_not_exists(sequences.#s)"
        values = {":new": new, **({":prev": previous} if previous else {})}
        return {
            "Update": {
                "Key": serialize(keys.organization(org_id)),
                "UpdateExpression": "SET sequences.#s = :new",
                "ConditionExpression": f"attribute_exists(pk) AND {condition}",
                "ExpressionAttributeNames": {"#s": scope},
                "ExpressionAttributeValues": serialize(values),
            }
        }
