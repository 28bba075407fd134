from __future__ import annotations

from remit.domain.account import Account
from remit.domain.organization import Organization
from remit.store import keys
from remit.store.codec import dump, load
from remit.store.errors import StaleWrite
from remit.store.table import ConditionFailed, Item, Page, Table, cursor_at


class AccountRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def item(account: Account) -> Item:
        return dump(account, "account", **keys.account(account.organization_id, account.id))

    def get(self, org_id: str, account_id: str) -> Account | None:
        return load(Account, self.table.get(keys.account(org_id, account_id)))

    def get_with_organization(
        self, org_id: str, account_id: str
    ) -> tuple[Account | None, Organization | None]:
        """The account and its organization's settings in one round trip."""
        account, org = self.table.get_many([keys.account(org_id, account_id), keys.organization(org_id)])
        return load(Account, account), load(Organization, org)

    def create(self, account: Account) -> None:
        self.table.put(self.item(account), "attribute_not_exists(pk)")

    def replace(self, account: Account, expected_version: int) -> None:
        try:
            self.table.put(self.item(account), "version = :v", values={":v": expected_version})
        except ConditionFailed as exc:
            raise StaleWrite(account.id) from exc

    def list(self, org_id: str, limit: int, cursor: str | None) -> tuple[list[Account], str | None]:
        partition = keys.organization(org_id)["pk"]
        start = keys.account(org_id, cursor) if cursor else None
        page: Page = self.table.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": partition, ":prefix": keys.ACCOUNT_PREFIX},
            ScanIndexForward=False,
            limit=limit,
            start=start,
        )
        next_cursor = cursor_at(page.last_key, "sk", keys.ACCOUNT_PREFIX)
        return [Account.model_validate(i) for i in page.items], next_cursor
