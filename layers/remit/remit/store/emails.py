from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter

from remit.domain.email import EmailDelivery, EmailTemplate
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.errors import StaleWrite
from remit.store.table import ConditionFailed, Table

ANY_LANGUAGE = "*"
TEMPLATE_PREFIX = "EMAILTPL#"  # keys.email_template's sort key


class EmailTemplateRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    def find(
        self, org_id: str, name: str, language: str
    ) -> tuple[EmailTemplate | None, EmailTemplate | None]:
        """(the template for ``language``, the one for every language), in one read."""
        exact, anywhere = self.table.get_many(
            [keys.email_template(org_id, name, language), keys.email_template(org_id, name, ANY_LANGUAGE)]
        )
        return load(EmailTemplate, exact), load(EmailTemplate, anywhere)

    def get_any(self, org_id: str, name: str) -> EmailTemplate | None:
        """The template for every language (an organization's own always has one)."""
        return load(EmailTemplate, self.table.get(keys.email_template(org_id, name, ANY_LANGUAGE)))

    def put(self, template: EmailTemplate) -> None:
        # Last write wins: a template is replaced whole, there is nothing to merge.
        key = keys.email_template(template.organization_id, template.name, template.language or ANY_LANGUAGE)
        self.table.put(dump(template, "email_template", **key))

    def delete(self, org_id: str, name: str, language: str | None) -> None:
        self.table.delete(keys.email_template(org_id, name, language or ANY_LANGUAGE))

    def list(self, org_id: str) -> list[EmailTemplate]:
        """Every stored template of the organization, each language a row (a handful:
        one Query, paged through to be sure)."""
        found: list[EmailTemplate] = []
        start = None
        while True:
            page = self.table.query(
                start=start,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={":pk": f"ORG#{org_id}", ":prefix": TEMPLATE_PREFIX},
            )
            found += [t for t in (load(EmailTemplate, i) for i in page.items) if t is not None]
            start = page.last_key
            if start is None:
                return found


class ClaimRefused(Exception):
    """The email is settled already (``existing`` says how) or another sender holds it."""

    def __init__(self, existing: EmailDelivery | None) -> None:
        super().__init__(existing.status if existing else "unknown")
        self.existing = existing


class DeliveryRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def _key(d: EmailDelivery) -> dict[str, str]:
        return keys.email_delivery(d.organization_id, d.invoice_id, d.account_id, d.id)

    def get(
        self, org_id: str, invoice_id: str | None, account_id: str, delivery_id: str
    ) -> EmailDelivery | None:
        return load(
            EmailDelivery, self.table.get(keys.email_delivery(org_id, invoice_id, account_id, delivery_id))
        )

    def claim(self, delivery: EmailDelivery, now: datetime) -> None:
        """Take the right to send this email: a new record, or one whose last attempt
        failed, or one whose sender's lease ran out (it died mid-send). Anything else is
        ClaimRefused: sent already, or being sent right now by someone else."""
        try:
            self.table.put(
                dump(delivery, "email", **self._key(delivery)),
                "attribute_not_exists(pk) OR #s = :failed OR (#s = :sending AND claimedUntil < :now)",
                names={"#s": "status"},
                values={":failed": "failed", ":sending": "sending", ":now": dump_time(now)},
            )
        except ConditionFailed as exc:
            existing = self.get(
                delivery.organization_id, delivery.invoice_id, delivery.account_id, delivery.id
            )
            raise ClaimRefused(existing) from exc

    def save(self, delivery: EmailDelivery, expected_version: int) -> None:
        try:
            self.table.put(
                dump(delivery, "email", **self._key(delivery)),
                "version = :v",
                values={":v": expected_version},
            )
        except ConditionFailed as exc:
            raise StaleWrite(delivery.id) from exc

    def list(self, org_id: str, invoice_id: str) -> list[EmailDelivery]:
        """An invoice's emails, newest first (an invoice has a handful: one Query)."""
        page = self.table.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": keys.invoice_collection(org_id, invoice_id),
                ":prefix": keys.EMAIL_PREFIX,
            },
        )
        found = [EmailDelivery.model_validate(i) for i in page.items]
        return sorted(found, key=lambda d: d.created_at, reverse=True)


_TIME = TypeAdapter(datetime)


def dump_time(when: datetime) -> str:
    """A datetime as items store it (pydantic's JSON form), so conditions compare like with like."""
    return str(_TIME.dump_python(when, mode="json"))
